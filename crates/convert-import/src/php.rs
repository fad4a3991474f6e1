//! The PHP SDK's `tests/CrossSdk/rule-test-vectors.json` format.
//!
//! `comparison_operators` cases call one comparison directly:
//! `method(value, testAgainst, negation)`. They are imported as a rule with
//! that single comparison against data `{"value": <value>}`, which is how the
//! JS `RuleManager` reaches the comparison (the key is present, so the call
//! is the same). `rule_evaluation` cases are rule sets against data already.

use std::path::Path;

use convert_spec::Family;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{Built, ImportError, PeerKind, parse, single_rule};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    comparison_operators: Vec<OperatorGroup>,
    rule_evaluation: Vec<RuleSetCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OperatorGroup {
    category: String,
    method: String,
    cases: Vec<OperatorCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct OperatorCase {
    value: Value,
    test_against: Value,
    negation: bool,
    expected: bool,
    note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct RuleSetCase {
    category: String,
    description: String,
    data: Value,
    rule_set: Value,
    expected: bool,
    /// PHP's rule manager option; mapped explicitly below.
    #[serde(default)]
    keys_case_sensitive: Option<bool>,
}

/// `rule-test-vectors.json` → `rule` cases.
pub(crate) fn rule(kind: PeerKind, path: &Path, text: &str) -> Result<Built, ImportError> {
    let file: RuleFile = parse(kind, path, text)?;
    let mut built = Built::new(
        Family::Rule,
        "The PHP SDK's cross-SDK rule vectors (rule-test-vectors.json)",
    );
    built.notes.push(
        "comparison_operators cases are imported as a single-comparison rule on key `value` of data {\"value\": <value>}".into(),
    );
    for group in file.comparison_operators {
        for (i, c) in group.cases.into_iter().enumerate() {
            built.case(
                format!("peer/{kind}/op/{}/{i:02}", group.category),
                format!(
                    "{}({}, {}, negated {}): {}",
                    group.method, c.value, c.test_against, c.negation, c.note
                ),
                json!({
                    "rule": single_rule("value", &group.method, c.negation, c.test_against),
                    "data": {"value": c.value},
                }),
                json!({"matched": c.expected}),
            );
        }
    }
    for (i, c) in file.rule_evaluation.into_iter().enumerate() {
        // The JS SDK cannot make rule keys case-insensitive
        // (`rules.keys_case_sensitive` is forced to true), so the case runs as
        // the JS SDK would run it, and the description says so.
        let description = match c.keys_case_sensitive {
            Some(false) => format!(
                "{} (peer option keysCaseSensitive=false: the JS SDK cannot turn key case-sensitivity off, so keys are compared case-sensitively)",
                c.description
            ),
            _ => c.description,
        };
        built.case(
            format!("peer/{kind}/ruleset/{i:02}-{}", c.category),
            description,
            json!({"rule": c.rule_set, "data": c.data}),
            json!({"matched": c.expected}),
        );
    }
    Ok(built)
}
