//! How a result is compared with a case's expected value. The same rules
//! apply to every target: the reference engine in-process and every adapter.
//!
//! The default is JSON equality with numbers compared by value (`1` equals
//! `1.0`, as JavaScript and Python print them differently) and object keys
//! compared as sets. Two layers of per-field rules refine it:
//!
//! - **family rules** ([`field_rules`]): which fields are compared at all —
//!   "compared only when the implementation declares a feature" (the
//!   `experience` family's `reason`, which needs `diagnostics`) and "never
//!   compared" (the tracking body's self-identifying `source`);
//! - **declared rules** ([`Comparison`]): how a field is compared, declared
//!   by a vector file (or one of its cases) in its `compare` map of JSON
//!   pointer patterns (`*` matches one segment) to `exact`, `json_equal`,
//!   `unordered_set` or `{"float_abs": tolerance}`. A declared rule applies
//!   to the value at its pointer and everything below it, until a deeper
//!   declaration takes over.

use std::collections::BTreeMap;
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

/// How the values at a pointer are compared, as a vector file declares it
/// (`"exact"`, `"json_equal"`, `"unordered_set"`, `{"float_abs": 1e-9}`).
/// The same rule applies to every target.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// The default: JSON equality with numbers compared by value (`5` equals
    /// `5.0`), object keys as sets, arrays in order.
    JsonEqual,
    /// Like `json_equal`, but a number equals only a number of the same
    /// kind: an integer only the same integer, a fraction only the same
    /// fraction (`5` differs from `5.0`). For hashes, bucket values and
    /// indices, where a float answer is a bug even when its value is right.
    Exact,
    /// Numbers are equal when they differ by at most this much (a finite,
    /// non-negative tolerance); everything else as `json_equal`.
    FloatAbs(f64),
    /// The array is a set: same length, and every expected element equals
    /// (`json_equal`) a distinct actual element, in any order. No rule may
    /// be declared below an `unordered_set` pointer.
    UnorderedSet,
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Comparison::JsonEqual => f.write_str("json_equal"),
            Comparison::Exact => f.write_str("exact"),
            Comparison::FloatAbs(t) => write!(f, "float_abs {t}"),
            Comparison::UnorderedSet => f.write_str("unordered_set"),
        }
    }
}

/// Declared rules: JSON pointer pattern → how the value there is compared.
pub type Comparisons = BTreeMap<String, Comparison>;

/// Why a `compare` declaration is unusable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ComparisonError {
    /// The pattern is not a JSON pointer.
    #[error("`{0}` is not a JSON pointer (it must be empty or start with `/`)")]
    NotAPointer(String),
    /// A tolerance that is negative or not finite.
    #[error("`{0}`: a float_abs tolerance must be finite and not negative")]
    BadTolerance(String),
    /// Two patterns can name the same value.
    #[error("`{0}` and `{1}` can both match the same value: declare one")]
    Ambiguous(String, String),
    /// A rule below an `unordered_set` pointer.
    #[error(
        "`{inner}` lies below the unordered_set `{outer}`, whose elements are compared as json_equal"
    )]
    BelowUnordered {
        /// The unordered_set pattern.
        outer: String,
        /// The pattern below it.
        inner: String,
    },
    /// A pattern that matches no value of any expected result it governs (a
    /// typo would otherwise silently compare nothing differently).
    #[error("`{0}` matches no value of the expected result")]
    MatchesNothing(String),
}

/// Checks a set of rules (a file's merged with one case's): every pattern is
/// a pointer, tolerances are usable, no two patterns overlap, nothing lies
/// below an `unordered_set`.
pub fn check_comparisons(rules: &Comparisons) -> Result<(), ComparisonError> {
    for (pattern, rule) in rules {
        if !pattern.is_empty() && !pattern.starts_with('/') {
            return Err(ComparisonError::NotAPointer(pattern.clone()));
        }
        if let Comparison::FloatAbs(t) = rule
            && !(t.is_finite() && *t >= 0.0)
        {
            return Err(ComparisonError::BadTolerance(pattern.clone()));
        }
    }
    let patterns: Vec<(&String, &Comparison)> = rules.iter().collect();
    for (i, (a, rule_a)) in patterns.iter().enumerate() {
        for (b, _) in &patterns[i + 1..] {
            if patterns_overlap(a, b) {
                return Err(ComparisonError::Ambiguous((*a).clone(), (*b).clone()));
            }
        }
        if **rule_a == Comparison::UnorderedSet {
            for (b, _) in &patterns {
                if b != a && pattern_below(a, b) {
                    return Err(ComparisonError::BelowUnordered {
                        outer: (*a).clone(),
                        inner: (*b).clone(),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Whether a pattern names at least one value of `value` (a pointer present
/// in it).
pub fn pattern_matches_in(pattern: &str, value: &Value) -> bool {
    fn walk(pointer: &mut String, value: &Value, pattern: &str) -> bool {
        if matches_pattern(pattern, pointer) {
            return true;
        }
        let len = pointer.len();
        let found = match value {
            Value::Object(map) => map.iter().any(|(k, v)| {
                pointer.truncate(len);
                push_segment(pointer, k);
                walk(pointer, v, pattern)
            }),
            Value::Array(items) => items.iter().enumerate().any(|(i, v)| {
                pointer.truncate(len);
                pointer.push('/');
                pointer.push_str(&i.to_string());
                walk(pointer, v, pattern)
            }),
            _ => false,
        };
        pointer.truncate(len);
        found
    }
    walk(&mut String::new(), value, pattern)
}

/// Two patterns of the same depth that can match one pointer.
fn patterns_overlap(a: &str, b: &str) -> bool {
    let (sa, sb): (Vec<&str>, Vec<&str>) = (a.split('/').collect(), b.split('/').collect());
    sa.len() == sb.len()
        && sa
            .iter()
            .zip(&sb)
            .all(|(x, y)| x == y || *x == "*" || *y == "*")
}

/// Whether `inner` can name a value strictly below one `outer` names.
fn pattern_below(outer: &str, inner: &str) -> bool {
    let (so, si): (Vec<&str>, Vec<&str>) = (outer.split('/').collect(), inner.split('/').collect());
    si.len() > so.len()
        && so
            .iter()
            .zip(&si)
            .all(|(x, y)| x == y || *x == "*" || *y == "*")
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
    /// The declared rule the values were compared under, when it is not the
    /// default (`json_equal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<Comparison>,
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
        )?;
        match self.rule {
            Some(rule) => write!(f, " (compared as {rule})"),
            None => Ok(()),
        }
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
    compare_with(family, expected, actual, caps, &Comparisons::new())
}

/// Compares `actual` with `expected` under the family's rules and the rules a
/// vector declares (see [`crate::vector::VectorFile::comparisons_of`]). An
/// empty list means they agree.
pub fn compare_with(
    family: Family,
    expected: &Value,
    actual: &Value,
    caps: &Capabilities,
    declared: &Comparisons,
) -> Vec<Difference> {
    // The walk passes over identical values (the whole answer, when it is)
    // before matching any pointer against the rules.
    let rules = Rules {
        ignored: ignored_pointers(family, caps, expected),
        declared,
        pass_identical: true,
    };
    let mut differences = Vec::new();
    rules.diff(
        &mut String::new(),
        Some(expected),
        Some(actual),
        Comparison::JsonEqual,
        &mut differences,
    );
    differences
}

/// JSON equality with numbers compared by value and object keys as sets.
pub fn json_equal(a: &Value, b: &Value) -> bool {
    values_agree(a, b, Comparison::JsonEqual)
}

/// Whether two values agree under one rule applied throughout.
pub fn values_agree(a: &Value, b: &Value, rule: Comparison) -> bool {
    let declared = Comparisons::new();
    let rules = Rules {
        ignored: Vec::new(),
        declared: &declared,
        pass_identical: true,
    };
    let mut differences = Vec::new();
    rules.diff(&mut String::new(), Some(a), Some(b), rule, &mut differences);
    differences.is_empty()
}

struct Rules<'a> {
    ignored: Vec<&'static str>,
    declared: &'a Comparisons,
    /// Pass over identical members without walking them (always, but in
    /// the tests that check the walk itself).
    pass_identical: bool,
}

impl Rules<'_> {
    /// Appends to `out` where `expected` and `actual` differ below
    /// `pointer`. `pointer` is a buffer shared by the whole walk: each level
    /// appends its segment and removes it again before returning.
    fn diff(
        &self,
        pointer: &mut String,
        expected: Option<&Value>,
        actual: Option<&Value>,
        inherited: Comparison,
        out: &mut Vec<Difference>,
    ) {
        // Identical texts agree under every rule (each rule is at least as
        // lenient as identity), and most members of an answer that differs
        // somewhere are: they are passed over without matching their
        // pointers against the rules.
        if self.pass_identical
            && let (Some(e), Some(a)) = (expected, actual)
            && match (e, a) {
                (Value::Array(_) | Value::Object(_), _) => crate::identity::identical(e, a),
                // Equal scalars are the same text (a number's form included).
                _ => e == a,
            }
        {
            return;
        }
        if self
            .ignored
            .iter()
            .any(|pattern| matches_pattern(pattern, pointer))
        {
            return;
        }
        let rule = self
            .declared
            .iter()
            .find(|(pattern, _)| matches_pattern(pattern, pointer))
            .map_or(inherited, |(_, rule)| *rule);
        let mismatch = |pointer: &str, out: &mut Vec<Difference>| {
            out.push(Difference {
                pointer: pointer.to_owned(),
                expected: expected.cloned(),
                actual: actual.cloned(),
                rule: (rule != Comparison::JsonEqual).then_some(rule),
            });
        };
        // Below an unordered set, elements are compared as json_equal.
        let below = if rule == Comparison::UnorderedSet {
            Comparison::JsonEqual
        } else {
            rule
        };
        match (expected, actual) {
            (None, None) => {}
            (Some(Value::Array(e)), Some(Value::Array(a))) if rule == Comparison::UnorderedSet => {
                if !same_multiset(e, a) {
                    mismatch(pointer, out);
                }
            }
            (Some(Value::Object(e)), Some(Value::Object(a))) => {
                let len = pointer.len();
                for (key, ev) in e {
                    push_segment(pointer, key);
                    self.diff(pointer, Some(ev), a.get(key), below, out);
                    pointer.truncate(len);
                }
                for (key, av) in a {
                    if !e.contains_key(key) {
                        push_segment(pointer, key);
                        self.diff(pointer, None, Some(av), below, out);
                        pointer.truncate(len);
                    }
                }
            }
            (Some(Value::Array(e)), Some(Value::Array(a))) if e.len() == a.len() => {
                let len = pointer.len();
                for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                    use std::fmt::Write as _;
                    // Writing to a String cannot fail.
                    let _ = write!(pointer, "/{i}");
                    self.diff(pointer, Some(ev), Some(av), below, out);
                    pointer.truncate(len);
                }
            }
            (Some(Value::Number(e)), Some(Value::Number(a))) => {
                if !numbers_agree(e, a, rule) {
                    mismatch(pointer, out);
                }
            }
            (Some(e), Some(a)) => {
                if e != a {
                    mismatch(pointer, out);
                }
            }
            _ => mismatch(pointer, out),
        }
    }
}

fn numbers_agree(e: &serde_json::Number, a: &serde_json::Number, rule: Comparison) -> bool {
    match rule {
        Comparison::Exact => match (integer(e), integer(a)) {
            (Some(x), Some(y)) => x == y,
            (None, None) => e.as_f64() == a.as_f64(),
            _ => false,
        },
        Comparison::FloatAbs(tolerance) => match (e.as_f64(), a.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() <= tolerance,
            _ => false,
        },
        Comparison::JsonEqual | Comparison::UnorderedSet => e.as_f64() == a.as_f64(),
    }
}

fn integer(n: &serde_json::Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

/// Same length, and each expected element equals a distinct actual element.
fn same_multiset(expected: &[Value], actual: &[Value]) -> bool {
    if expected.len() != actual.len() {
        return false;
    }
    let mut used = vec![false; actual.len()];
    expected.iter().all(|e| {
        let found = actual
            .iter()
            .enumerate()
            .find(|(i, a)| !used[*i] && json_equal(e, a))
            .map(|(i, _)| i);
        found.map(|i| used[i] = true).is_some()
    })
}

/// Appends `/key` to `pointer`, escaped as JSON Pointer requires (`~` as
/// `~0`, `/` as `~1`).
fn push_segment(pointer: &mut String, key: &str) {
    pointer.push('/');
    for c in key.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
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

    #[test]
    fn pointers_escape_keys_and_name_siblings_apart() {
        let d = compare(
            Family::Bucketing,
            &json!({"a/b": {"x~y": 1, "z": [1, 2]}, "c": 1}),
            &json!({"a/b": {"x~y": 2, "z": [1, 3]}, "c": 2, "d": 0}),
            &caps(&[]),
        );
        let pointers: Vec<&str> = d.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(pointers, ["/a~1b/x~0y", "/a~1b/z/1", "/c", "/d"]);
    }

    fn rules(pairs: &[(&str, Comparison)]) -> Comparisons {
        pairs.iter().map(|(p, r)| ((*p).to_owned(), *r)).collect()
    }

    /// The walk passes over identical values without looking inside; this
    /// checks that looking inside would have found nothing either, under
    /// every rule, for values of every kind.
    #[test]
    fn the_walk_finds_nothing_between_identical_values_under_any_rule() {
        let values: Vec<Value> = vec![
            json!(null),
            json!(true),
            json!(-0.0),
            serde_json::from_str("5.0").unwrap(),
            json!(1e300),
            json!("text"),
            json!([1, 1, [2, {"a": null}], "x", 2.5]),
            json!({"b": [3, 1, 3], "a": {"c": 0.1, "d": [{"e": "f"}]}, "": {"~/": 1}}),
        ];
        let rules = [
            Comparison::Exact,
            Comparison::JsonEqual,
            Comparison::UnorderedSet,
            Comparison::FloatAbs(0.0),
        ];
        for value in &values {
            for rule in rules {
                let declared = Comparisons::new();
                let walk = Rules {
                    ignored: Vec::new(),
                    declared: &declared,
                    pass_identical: false,
                };
                let mut out = Vec::new();
                walk.diff(&mut String::new(), Some(value), Some(value), rule, &mut out);
                assert!(out.is_empty(), "{value} under {rule:?}: {out:?}");
            }
        }
    }

    /// Passing over identical members finds the same differences, with the
    /// same pointers, as walking every member, whatever the rules and the
    /// ignored pointers.
    #[test]
    fn passing_over_identical_members_finds_what_the_full_walk_finds() {
        let pairs = [
            (
                json!({"a": [1, 2, {"b": "x"}], "c": {"d": 1.0, "e": [3, 1]}, "f": null}),
                json!({"a": [1, 2, {"b": "y"}], "c": {"d": 1, "e": [1, 3]}, "g": true}),
            ),
            (
                json!([{"k": 1, "v": [0.5]}, {"k": 2, "v": []}]),
                json!([{"v": [0.5], "k": 1}, {"k": 2, "v": [0.25]}]),
            ),
            (
                json!({"tracking": [{"x": "1", "y": [1, 2]}], "reason": "resolved"}),
                json!({"tracking": [{"x": "1", "y": [2, 1]}], "reason": "mismatch"}),
            ),
        ];
        let rule_sets = [
            rules(&[]),
            rules(&[
                ("/c/e", Comparison::UnorderedSet),
                ("/c/d", Comparison::Exact),
            ]),
            rules(&[("/*/v", Comparison::UnorderedSet)]),
            rules(&[("/tracking/*/y", Comparison::UnorderedSet)]),
            rules(&[("/a/*/b", Comparison::FloatAbs(0.5))]),
        ];
        let mut differing = 0;
        for (expected, actual) in &pairs {
            for declared in &rule_sets {
                for ignored in [vec![], vec!["/reason"], vec!["/c"]] {
                    let found = |pass_identical| {
                        let walk = Rules {
                            ignored: ignored.clone(),
                            declared,
                            pass_identical,
                        };
                        let mut out = Vec::new();
                        walk.diff(
                            &mut String::new(),
                            Some(expected),
                            Some(actual),
                            Comparison::JsonEqual,
                            &mut out,
                        );
                        out
                    };
                    let full = found(false);
                    differing += usize::from(!full.is_empty());
                    assert_eq!(
                        found(true),
                        full,
                        "{expected} vs {actual} under {declared:?}"
                    );
                }
            }
        }
        // The pairs differ under most of the combinations.
        assert!(differing > 30, "{differing} of 45 combinations differ");
    }

    fn differ(expected: Value, actual: Value, declared: &Comparisons) -> Vec<String> {
        compare_with(Family::Bucketing, &expected, &actual, &caps(&[]), declared)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn exact_tells_integers_from_fractions() {
        let declared = rules(&[("/bucket_value", Comparison::Exact)]);
        let int = json!({"bucket_value": 5, "variation_id": null});
        let float: Value =
            serde_json::from_str(r#"{"bucket_value": 5.0, "variation_id": null}"#).unwrap();
        // The default compares numbers by value.
        assert!(differ(int.clone(), float.clone(), &Comparisons::new()).is_empty());
        assert_eq!(
            differ(int.clone(), float.clone(), &declared),
            ["/bucket_value: expected 5, got 5.0 (compared as exact)"]
        );
        assert!(differ(int.clone(), int.clone(), &declared).is_empty());
        let other = json!({"bucket_value": 6, "variation_id": null});
        assert_eq!(differ(int, other, &declared).len(), 1);
        // Exact is inherited below its pointer.
        let whole = rules(&[("", Comparison::Exact)]);
        assert!(!values_agree(
            &json!([1]),
            &serde_json::from_str("[1.0]").unwrap(),
            Comparison::Exact
        ));
        assert_eq!(
            differ(
                json!({"a": {"b": 1}}),
                serde_json::from_str(r#"{"a": {"b": 1.0}}"#).unwrap(),
                &whole
            ),
            ["/a/b: expected 1, got 1.0 (compared as exact)"]
        );
    }

    #[test]
    fn float_abs_allows_its_tolerance_and_no_more() {
        let declared = rules(&[("/x/*", Comparison::FloatAbs(1e-9))]);
        let expected = json!({"x": [0.1, 0.2], "y": 0.3});
        assert!(
            differ(
                expected.clone(),
                json!({"x": [0.1 + 5e-10, 0.2], "y": 0.3}),
                &declared
            )
            .is_empty()
        );
        assert_eq!(
            differ(
                expected.clone(),
                json!({"x": [0.1, 0.2 + 1e-8], "y": 0.3}),
                &declared
            )
            .len(),
            1
        );
        // Outside the pattern, numbers are compared by value.
        let d = differ(
            expected,
            json!({"x": [0.1, 0.2], "y": 0.3 + 1e-12}),
            &declared,
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].starts_with("/y: expected 0.3, got 0.3000"), "{d:?}");
        assert!(!d[0].contains("compared as"), "{d:?}");
    }

    #[test]
    fn unordered_set_ignores_order_but_not_multiplicity() {
        let declared = rules(&[("/ids", Comparison::UnorderedSet)]);
        let expected = json!({"ids": ["a", "b", "b"]});
        assert!(differ(expected.clone(), json!({"ids": ["b", "a", "b"]}), &declared).is_empty());
        assert_eq!(
            differ(expected.clone(), json!({"ids": ["a", "a", "b"]}), &declared),
            [r#"/ids: expected ["a","b","b"], got ["a","a","b"] (compared as unordered_set)"#]
        );
        assert_eq!(
            differ(expected.clone(), json!({"ids": ["a", "b"]}), &declared).len(),
            1
        );
        assert_eq!(
            differ(
                expected,
                json!({"ids": ["b", "a", "b"]}),
                &Comparisons::new()
            )
            .len(),
            2
        );
        // Elements are compared as json_equal (numbers by value).
        let numbers = rules(&[("/n", Comparison::UnorderedSet)]);
        assert!(
            differ(
                json!({"n": [1, 2]}),
                serde_json::from_str(r#"{"n": [2.0, 1]}"#).unwrap(),
                &numbers
            )
            .is_empty()
        );
    }

    #[test]
    fn family_rules_win_over_declared_rules() {
        let declared = rules(&[("/reason", Comparison::Exact)]);
        let expected = json!({"variation_id":"1","variation_key":"a","reason":"resolved"});
        let actual = json!({"variation_id":"1","variation_key":"a","reason":"other"});
        // Without `diagnostics` the reason is not compared, whatever is declared.
        assert!(
            compare_with(
                Family::Experience,
                &expected,
                &actual,
                &caps(&[]),
                &declared
            )
            .is_empty()
        );
        assert_eq!(
            compare_with(
                Family::Experience,
                &expected,
                &actual,
                &caps(&["diagnostics"]),
                &declared
            )
            .len(),
            1
        );
    }

    #[test]
    fn declarations_are_checked() {
        assert!(
            check_comparisons(&rules(&[
                ("/a/*", Comparison::Exact),
                ("/b", Comparison::Exact)
            ]))
            .is_ok()
        );
        assert!(matches!(
            check_comparisons(&rules(&[
                ("/a/*", Comparison::Exact),
                ("/*/b", Comparison::Exact)
            ])),
            Err(ComparisonError::Ambiguous(..))
        ));
        assert!(matches!(
            check_comparisons(&rules(&[
                ("/a", Comparison::UnorderedSet),
                ("/a/*/b", Comparison::Exact)
            ])),
            Err(ComparisonError::BelowUnordered { .. })
        ));
        assert!(
            check_comparisons(&rules(&[
                ("/a", Comparison::Exact),
                ("/a/b", Comparison::JsonEqual)
            ]))
            .is_ok()
        );
        assert!(matches!(
            check_comparisons(&rules(&[("/a", Comparison::FloatAbs(f64::NAN))])),
            Err(ComparisonError::BadTolerance(_))
        ));
        assert!(pattern_matches_in("/a/*/b", &json!({"a": [{"b": 1}]})));
        assert!(!pattern_matches_in("/a/*/c", &json!({"a": [{"b": 1}]})));
        assert!(pattern_matches_in("", &json!(1)));
        assert!(pattern_matches_in("/a~1b", &json!({"a/b": 1})));
    }
}
