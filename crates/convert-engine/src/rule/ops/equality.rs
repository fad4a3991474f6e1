//! `equals` (and its aliases `equalsNumber` and `matches`).

use serde_json::Value;

use super::negate;
use crate::js;

/// `Comparisons.equals(value, test, negated)`:
/// - an array `value` → `value.indexOf(test) !== -1`, strict and
///   case-sensitive (`[5, 6]` vs `"5"` is false; `["a", "B"]` vs `"b"` is
///   false);
/// - a non-empty object `value` → `String(test)` is one of its keys;
/// - anything else → `lc(String(value)) === lc(String(test))`: string
///   equality, not numeric (`5` equals `"5"`, `5.0` does not equal `"5.0"`,
///   `true` equals `"TRUE"`, `null` equals `"null"`).
pub fn equals(value: Option<&Value>, test: Option<&Value>, negated: bool) -> bool {
    let result = match value {
        Some(Value::Array(items)) => crate::mutant!(
            "rule.equals-array",
            items.iter().any(|item| js::strict_equals(Some(item), test)),
            items.iter().all(|item| js::strict_equals(Some(item), test))
        ),
        Some(Value::Object(map)) if !map.is_empty() => {
            map.contains_key(js::to_string(test).as_ref())
        }
        _ => js::equals_ignoring_case(&js::to_string(value), &js::to_string(test)),
    };
    negate(result, negated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eq(value: Value, test: Value) -> bool {
        equals(Some(&value), Some(&test), false)
    }

    // Digest §4.4 (verified on 4.4.3) and node probes of `Comparisons.equals`.
    #[test]
    fn string_equality_ignoring_case() {
        assert!(eq(json!("US"), json!("us")));
        assert!(eq(json!(5), json!("5")));
        assert!(!eq(json!(5.0), json!("5.0")));
        assert!(eq(json!(true), json!("TRUE")));
        assert!(eq(json!(null), json!("null")));
        assert!(eq(json!({}), json!({})));
        assert!(!eq(json!([]), json!("")), "an empty array has no members");
    }

    #[test]
    fn arrays_test_strict_membership() {
        assert!(!eq(json!([5, 6]), json!("5")));
        assert!(eq(json!(["5"]), json!("5")));
        assert!(!eq(json!(["a", "B"]), json!("b")));
        assert!(eq(json!([1, 2]), json!(2.0)));
        assert!(!eq(json!([{}]), json!({})));
    }

    #[test]
    fn objects_test_key_membership() {
        assert!(eq(json!({"a": 1, "5": 2}), json!("a")));
        assert!(eq(json!({"a": 1, "5": 2}), json!(5)));
        assert!(!eq(json!({"a": 1}), json!("A")));
    }

    #[test]
    fn negation_is_applied() {
        assert!(!equals(Some(&json!("a")), Some(&json!("A")), true));
        assert!(equals(Some(&json!([1])), Some(&json!(2)), true));
    }
}
