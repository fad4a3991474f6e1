//! How a result is compared with a case's expected value. The same rules
//! apply to every target: the reference engine in-process and every adapter.
//!
//! The default is JSON equality with numbers compared by value (`1` equals
//! `1.0`, as JavaScript and Python print them differently) and object keys
//! compared as sets. A family may declare per-field rules; today the only one
//! is "compared only when the implementation declares a feature" (the
//! `experience` family's `reason`, which needs `diagnostics`).

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Capabilities, Family};

/// A per-field comparison rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldRule {
    /// The field is compared only when the implementation declares this
    /// feature in `capabilities.features`; otherwise it is ignored.
    RequiresFeature(&'static str),
    /// The field is never compared: it names the implementation itself (the
    /// reason is documented with the family).
    Ignored,
}

/// The per-field rules of a family, as `(JSON pointer, rule)` pairs.
pub fn field_rules(family: Family) -> &'static [(&'static str, FieldRule)] {
    match family {
        Family::Experience => &[
            (
                "/reason",
                FieldRule::RequiresFeature(crate::capability::features::DIAGNOSTICS),
            ),
            (
                "/stored_bucketing",
                FieldRule::RequiresFeature(crate::capability::features::VISITOR_STATE),
            ),
            (
                "/store_key",
                FieldRule::RequiresFeature(crate::capability::features::STORE_KEY),
            ),
        ],
        Family::Hash
        | Family::Bucketing
        | Family::Rule
        | Family::Experiences
        | Family::Feature
        | Family::Segments
        | Family::Diagnostics
        | Family::ConfigValidation => &[],
        // Every SDK names itself in the tracking body's `source`
        // (`js4.4.3`, `js-sdk`, …).
        Family::Scenario => &[("/requests/*/body/source", FieldRule::Ignored)],
    }
}

/// One place where the actual value differs from the expected one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Difference {
    /// JSON pointer of the differing value (`""` for the whole result).
    pub pointer: String,
    /// The expected value there, if any.
    pub expected: Option<Value>,
    /// The actual value there, if any.
    pub actual: Option<Value>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &Option<Value>| v.as_ref().map_or("(absent)".to_owned(), Value::to_string);
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(
            f,
            "{at}: expected {}, got {}",
            show(&self.expected),
            show(&self.actual)
        )
    }
}

/// The pointers a comparison ignores for an implementation with `caps`:
/// feature-gated fields the implementation does not declare, and
/// feature-gated fields the expected value does not assert (absent there).
pub fn ignored_pointers(
    family: Family,
    caps: &Capabilities,
    expected: &Value,
) -> Vec<&'static str> {
    field_rules(family)
        .iter()
        .filter_map(|(pointer, rule)| match rule {
            FieldRule::RequiresFeature(feature)
                if !caps.has_feature(feature) || expected.pointer(pointer).is_none() =>
            {
                Some(*pointer)
            }
            FieldRule::RequiresFeature(_) => None,
            FieldRule::Ignored => Some(*pointer),
        })
        .collect()
}

/// Whether `pointer` matches `pattern`, where a `*` segment matches any one
/// segment.
fn matches_pattern(pattern: &str, pointer: &str) -> bool {
    let mut p = pattern.split('/');
    let mut q = pointer.split('/');
    loop {
        match (p.next(), q.next()) {
            (None, None) => return true,
            (Some("*"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

/// Compares `actual` with `expected` under the family's rules for an
/// implementation with `caps`. An empty list means they agree.
pub fn compare(
    family: Family,
    expected: &Value,
    actual: &Value,
    caps: &Capabilities,
) -> Vec<Difference> {
    let ignored = ignored_pointers(family, caps, expected);
    let mut differences = Vec::new();
    diff("", Some(expected), Some(actual), &ignored, &mut differences);
    differences
}

/// JSON equality with numbers compared by value and object keys as sets.
pub fn json_equal(a: &Value, b: &Value) -> bool {
    let mut differences = Vec::new();
    diff("", Some(a), Some(b), &[], &mut differences);
    differences.is_empty()
}

fn diff(
    pointer: &str,
    expected: Option<&Value>,
    actual: Option<&Value>,
    ignored: &[&str],
    out: &mut Vec<Difference>,
) {
    if ignored
        .iter()
        .any(|pattern| matches_pattern(pattern, pointer))
    {
        return;
    }
    let mismatch = |out: &mut Vec<Difference>| {
        out.push(Difference {
            pointer: pointer.to_owned(),
            expected: expected.cloned(),
            actual: actual.cloned(),
        });
    };
    match (expected, actual) {
        (None, None) => {}
        (Some(Value::Object(e)), Some(Value::Object(a))) => {
            for (key, ev) in e {
                diff(&child(pointer, key), Some(ev), a.get(key), ignored, out);
            }
            for (key, av) in a {
                if !e.contains_key(key) {
                    diff(&child(pointer, key), None, Some(av), ignored, out);
                }
            }
        }
        (Some(Value::Array(e)), Some(Value::Array(a))) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                diff(
                    &child(pointer, &i.to_string()),
                    Some(ev),
                    Some(av),
                    ignored,
                    out,
                );
            }
        }
        (Some(Value::Number(e)), Some(Value::Number(a))) => {
            if e.as_f64() != a.as_f64() {
                mismatch(out);
            }
        }
        (Some(e), Some(a)) => {
            if e != a {
                mismatch(out);
            }
        }
        _ => mismatch(out),
    }
}

fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn caps(features: &[&str]) -> Capabilities {
        Capabilities {
            families: vec!["experience".into()],
            contract_versions: vec![11],
            features: features.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn numbers_compare_by_value_and_keys_as_sets() {
        assert!(json_equal(
            &json!({"a":1,"b":[1.0,2]}),
            &json!({"b":[1,2.0],"a":1.0})
        ));
        assert!(!json_equal(&json!({"a":1}), &json!({"a":1,"b":null})));
        assert!(!json_equal(&json!([1, 2]), &json!([2, 1])));
        assert!(!json_equal(&json!("1"), &json!(1)));
    }

    #[test]
    fn reason_needs_the_diagnostics_feature() {
        let expected = json!({"variation_id":"1","variation_key":"a","reason":"resolved"});
        let actual = json!({"variation_id":"1","variation_key":"a","reason":"audience_mismatch"});
        assert!(compare(Family::Experience, &expected, &actual, &caps(&[])).is_empty());
        let d = compare(
            Family::Experience,
            &expected,
            &actual,
            &caps(&["diagnostics"]),
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].pointer, "/reason");
        let no_reason = json!({"variation_id":"1","variation_key":"a"});
        assert!(compare(Family::Experience, &expected, &no_reason, &caps(&[])).is_empty());
        // A gated field the vector does not assert is not compared.
        assert!(
            compare(
                Family::Experience,
                &no_reason,
                &actual,
                &caps(&["diagnostics"])
            )
            .is_empty()
        );
        // An ungated field is always compared.
        let extra = json!({"variation_id":"1","variation_key":"a","surprise":1});
        assert_eq!(
            compare(Family::Experience, &no_reason, &extra, &caps(&[])).len(),
            1
        );
    }

    #[test]
    fn ignored_fields_match_with_wildcards() {
        let expected = json!({"outcomes": [], "requests": [{"method": "POST", "host": "h", "path": "/p", "query": {}, "body": {"source": "js4.4.3", "a": 1}}]});
        let mut actual = expected.clone();
        actual["requests"][0]["body"]["source"] = json!("rust0.1.0");
        assert!(compare(Family::Scenario, &expected, &actual, &caps(&[])).is_empty());
        actual["requests"][0]["body"]["a"] = json!(2);
        let d = compare(Family::Scenario, &expected, &actual, &caps(&[]));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].pointer, "/requests/0/body/a");
        assert!(matches_pattern("/a/*/c", "/a/7/c"));
        assert!(!matches_pattern("/a/*/c", "/a/7/c/d"));
        assert!(!matches_pattern("/a/*", "/a"));
    }

    #[test]
    fn differences_name_their_pointer() {
        let d = compare(
            Family::Bucketing,
            &json!({"bucket_value": 5, "variation_id": "a/b"}),
            &json!({"bucket_value": 6, "variation_id": null}),
            &caps(&[]),
        );
        let pointers: Vec<&str> = d.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(pointers, ["/bucket_value", "/variation_id"]);
        assert_eq!(d[0].to_string(), "/bucket_value: expected 5, got 6");
    }
}
