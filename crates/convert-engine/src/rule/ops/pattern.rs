//! `regexMatches`.

use serde_json::Value;

use super::{Exception, negate};
use crate::js;
use crate::rule::RuleEvaluator;

/// `Comparisons.regexMatches(value, test, negated)`:
/// `new RegExp(String(test), 'i').test(lc(String(value)))` — the pattern is
/// ECMAScript syntax in non-unicode mode and is **not** lower-cased; the
/// subject is. An invalid pattern throws (the SDK catches it: false whatever
/// `negated` says); a match that exceeds the evaluator's work budget is
/// treated the same way (a documented divergence).
pub fn regex_matches(
    evaluator: &mut RuleEvaluator,
    value: Option<&Value>,
    test: Option<&Value>,
    negated: bool,
) -> Result<bool, Exception> {
    let pattern = js::to_string(test);
    let subject = crate::mutant!(
        "rule.regex-subject",
        js::to_lower_case(&js::to_string(value)),
        js::to_string(value).into_owned()
    );
    let budget = evaluator.options().regex_budget;
    let regex = match evaluator.regex(&pattern) {
        Ok(regex) => regex,
        Err(message) => {
            return Err(Exception::InvalidPattern {
                pattern: pattern.into_owned(),
                message: message.clone(),
            });
        }
    };
    match regex.is_match(&subject, budget) {
        Ok(found) => Ok(negate(found, negated)),
        Err(exceeded) => Err(Exception::OverBudget {
            pattern: pattern.into_owned(),
            budget: exceeded.budget,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::RuleOptions;
    use serde_json::json;

    fn m(value: Value, pattern: &str, negated: bool) -> Result<bool, Exception> {
        let mut evaluator = RuleEvaluator::new(RuleOptions::default());
        regex_matches(&mut evaluator, Some(&value), Some(&json!(pattern)), negated)
    }

    #[test]
    fn case_insensitive_on_a_lower_cased_subject() {
        assert_eq!(m(json!("Hello World"), "^hello", false), Ok(true));
        assert_eq!(m(json!("Hello World"), "WORLD$", false), Ok(true));
        assert_eq!(m(json!("abc"), "^b", false), Ok(false));
        assert_eq!(m(json!("abc"), "^b", true), Ok(true));
        assert_eq!(m(json!(12345), "^\\d+$", false), Ok(true));
        // JS-only syntax: lookbehind and named groups.
        assert_eq!(m(json!("price: 10"), "(?<=: )\\d+", false), Ok(true));
    }

    #[test]
    fn invalid_patterns_are_exceptions() {
        assert!(matches!(
            m(json!("x"), "(", false),
            Err(Exception::InvalidPattern { .. })
        ));
        assert!(matches!(
            m(json!("x"), "[", true),
            Err(Exception::InvalidPattern { .. })
        ));
    }
}
