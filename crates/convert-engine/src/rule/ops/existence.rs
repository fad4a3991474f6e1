//! `exists`, `not_exists` and `doesNotExist`.

use serde_json::Value;

use super::negate;

/// `value !== undefined && value !== null && value !== ''`: `0` and `false`
/// exist.
fn value_exists(value: Option<&Value>) -> bool {
    !matches!(value, None | Some(Value::Null))
        && crate::mutant!(
            "rule.exists-empty",
            value.and_then(Value::as_str) != Some(""),
            true
        )
}

/// `Comparisons.exists(value, _, negated)`.
pub fn exists(value: Option<&Value>, negated: bool) -> bool {
    negate(value_exists(value), negated)
}

/// `Comparisons.not_exists(value, _, negated)` (also `doesNotExist`).
pub fn not_exists(value: Option<&Value>, negated: bool) -> bool {
    negate(!value_exists(value), negated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn zero_and_false_exist() {
        assert!(exists(Some(&json!(0)), false));
        assert!(exists(Some(&json!(false)), false));
        assert!(exists(Some(&json!(" ")), false));
        assert!(!exists(Some(&json!("")), false));
        assert!(!exists(Some(&json!(null)), false));
        assert!(!exists(None, false));
        assert!(exists(None, true));
        assert!(not_exists(None, false));
        assert!(!not_exists(Some(&json!([])), false));
    }
}
