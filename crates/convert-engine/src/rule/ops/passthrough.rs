//! `_returnNegationCheck`, the SDK's negation helper, reachable as an
//! operator because every static method of `Comparisons` is one.

use serde_json::Value;

use super::Compared;
use crate::js;

/// `Comparisons._returnNegationCheck(value, negation)` called as a comparison
/// `(value, rule.value, negated)`: the rule's `value` lands in the `negation`
/// parameter and `negated` is ignored. A truthy rule value gives
/// `!value` (a boolean); otherwise the visitor's value is returned **as is**,
/// which need not be a boolean (`"x"`, `0`, `null`, even a `RuleError`
/// string).
pub fn return_negation_check<'v>(value: &'v Value, test: Option<&Value>) -> Compared<'v> {
    if js::truthy(test) {
        Compared::Bool(crate::mutant!(
            "rule.passthrough",
            !js::truthy(Some(value)),
            js::truthy(Some(value))
        ))
    } else {
        match value {
            Value::Bool(b) => Compared::Bool(*b),
            other => Compared::Raw(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Observed on 4.4.3 with node (`isRuleMatched({a: …}, <item a
    // _returnNegationCheck value>)`): 'x'/0 → "x"; 'x'/1 → false; 0/0 → 0;
    // null/0 → null.
    #[test]
    fn returns_raw_values_or_negated_truthiness() {
        assert_eq!(
            return_negation_check(&json!("x"), Some(&json!(0))),
            Compared::Raw(&json!("x"))
        );
        assert_eq!(
            return_negation_check(&json!("x"), Some(&json!(1))),
            Compared::Bool(false)
        );
        assert_eq!(
            return_negation_check(&json!(0), Some(&json!(0))),
            Compared::Raw(&json!(0))
        );
        assert_eq!(
            return_negation_check(&json!(null), None),
            Compared::Raw(&json!(null))
        );
        assert_eq!(
            return_negation_check(&json!(""), Some(&json!("y"))),
            Compared::Bool(true)
        );
        assert_eq!(
            return_negation_check(&json!(true), Some(&json!(false))),
            Compared::Bool(true)
        );
    }
}
