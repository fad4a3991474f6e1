//! `contains`, `startsWith` and `endsWith`: substring tests on the
//! lower-cased `String()` forms of both sides.

use std::borrow::Cow;

use serde_json::Value;

use super::negate;
use crate::js;

/// `lc(String(value))`, borrowing the value's string when it is already
/// lower case.
fn lowered(value: Option<&Value>) -> Cow<'_, str> {
    match js::to_string(value) {
        Cow::Borrowed(s) => js::lowercased(s),
        Cow::Owned(s) => match js::lowercased(&s) {
            Cow::Borrowed(_) => Cow::Owned(s),
            Cow::Owned(lower) => Cow::Owned(lower),
        },
    }
}

/// `Comparisons.contains(value, test, negated)`: true when the lower-cased
/// test is empty or only white space; otherwise whether it occurs in the
/// lower-cased value (arrays read as `"a,b"`).
pub fn contains(value: Option<&Value>, test: Option<&Value>, negated: bool) -> bool {
    let test = lowered(test);
    if js::trim(&test).is_empty() {
        return negate(crate::mutant!("rule.contains-empty", true, false), negated);
    }
    negate(lowered(value).contains(test.as_ref()), negated)
}

/// `Comparisons.startsWith(value, test, negated)`:
/// `lc(value).indexOf(lc(test)) === 0`; an empty test is true.
pub fn starts_with(value: Option<&Value>, test: Option<&Value>, negated: bool) -> bool {
    negate(lowered(value).starts_with(lowered(test).as_ref()), negated)
}

/// `Comparisons.endsWith(value, test, negated)`:
/// `lc(value).indexOf(lc(test), lc(value).length - lc(test).length) !== -1`,
/// which is a suffix test (an empty test is true; a longer test is false).
pub fn ends_with(value: Option<&Value>, test: Option<&Value>, negated: bool) -> bool {
    negate(lowered(value).ends_with(lowered(test).as_ref()), negated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn c(op: fn(Option<&Value>, Option<&Value>, bool) -> bool, v: Value, t: Value) -> bool {
        op(Some(&v), Some(&t), false)
    }

    #[test]
    fn contains_with_blank_test_matches_everything() {
        // Digest §4.4, verified: `contains("abc", "  ")` → true.
        assert!(c(contains, json!("abc"), json!("  ")));
        assert!(c(contains, json!("abc"), json!("")));
        assert!(c(contains, json!("abc"), json!("\u{a0}\n")));
        assert!(!contains(Some(&json!("abc")), Some(&json!(" ")), true));
        assert!(c(contains, json!(["Red", "Blue"]), json!("d,b")));
        assert!(c(contains, json!("Hello World"), json!("WORLD")));
        assert!(!c(contains, json!("Hello"), json!(" l")));
    }

    #[test]
    fn prefix_and_suffix() {
        assert!(c(starts_with, json!("Hello"), json!("HE")));
        assert!(c(starts_with, json!("Hello"), json!("")));
        assert!(!c(starts_with, json!("Hello"), json!("ello")));
        assert!(c(ends_with, json!("Hello"), json!("LLO")));
        assert!(c(ends_with, json!("a"), json!("")));
        assert!(!c(ends_with, json!("a"), json!("ba")));
        assert!(c(ends_with, json!(12.5), json!(".5")));
    }
}
