//! `isIn`.

use std::borrow::Cow;

use serde_json::Value;

use super::negate;
use crate::js;

/// `Comparisons.isIn(value, test, negated)` with the splitter `'|'` (the only
/// one `RuleManager` uses): `String(value).split('|')` — **not** lower-cased —
/// against the test list, where a string test is split on `'|'`, an array is
/// taken as is, anything else is an empty list, and every test element becomes
/// `lc(String(x))`. True if any value part equals a test element. Hence
/// `isIn("ABC", "abc")` is false while `isIn("abc", "ABC")` is true.
pub fn is_in(value: Option<&Value>, test: Option<&Value>, negated: bool) -> bool {
    let tests: Vec<Cow<'_, str>> = match test {
        Some(Value::String(s)) => s.split('|').map(js::lowercased).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| Cow::Owned(js::to_lower_case(&js::to_string(Some(item)))))
            .collect(),
        _ => Vec::new(),
    };
    let value = js::to_string(value);
    let found = value
        .split('|')
        .any(|part| tests.iter().any(|t| t.as_ref() == part));
    negate(found, negated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn i(v: Value, t: Value) -> bool {
        is_in(Some(&v), Some(&t), false)
    }

    #[test]
    fn only_the_test_side_is_lower_cased() {
        // Digest §4.4, verified on 4.4.3.
        assert!(!i(json!("ABC"), json!("abc")));
        assert!(i(json!("abc"), json!("ABC")));
    }

    #[test]
    fn lists_on_both_sides() {
        assert!(i(json!("b|x"), json!("a|b|c")));
        assert!(i(json!("b"), json!(["A", "B"])));
        assert!(i(json!(5), json!([5])));
        assert!(i(json!("null"), json!([null])));
        assert!(!i(json!("a"), json!({"a": 1})));
        assert!(!i(json!("a"), json!(5)));
        assert!(i(json!(""), json!("a||b")));
        assert!(is_in(Some(&json!("z")), Some(&json!("a|b")), true));
    }
}
