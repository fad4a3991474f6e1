//! Strings: `String(x)`, `toLowerCase`, whitespace, and code-unit ordering.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use super::{number_to_string, number_value};

/// `String(value)` for a JSON value or `undefined`: `"undefined"`, `"null"`,
/// `"true"`/`"false"`, numbers by [`number_to_string`], strings unchanged,
/// arrays as `Array.prototype.join(",")` (with `null` elements as empty
/// strings, nested arrays recursively), and objects as `"[object Object]"`.
pub fn to_string(value: Option<&Value>) -> Cow<'_, str> {
    match value {
        None => Cow::Borrowed("undefined"),
        Some(Value::Null) => Cow::Borrowed("null"),
        Some(Value::Bool(true)) => Cow::Borrowed("true"),
        Some(Value::Bool(false)) => Cow::Borrowed("false"),
        Some(Value::Number(n)) => Cow::Owned(number_to_string(number_value(n))),
        Some(Value::String(s)) => Cow::Borrowed(s),
        Some(Value::Array(items)) => Cow::Owned(join_array(items)),
        Some(Value::Object(_)) => Cow::Borrowed("[object Object]"),
    }
}

/// `Array.prototype.join(",")` over nested arrays, without recursion (an
/// array nested any number of levels deep is joined in one loop).
fn join_array(items: &[Value]) -> String {
    enum Step<'v> {
        Item(&'v Value),
        Comma,
    }
    fn push_items<'v>(stack: &mut Vec<Step<'v>>, items: &'v [Value]) {
        for (i, item) in items.iter().enumerate().rev() {
            stack.push(Step::Item(item));
            if i > 0 {
                stack.push(Step::Comma);
            }
        }
    }
    let mut out = String::new();
    let mut stack: Vec<Step<'_>> = Vec::new();
    push_items(&mut stack, items);
    while let Some(step) = stack.pop() {
        match step {
            Step::Comma => out.push(','),
            // `null` and `undefined` elements join as empty strings.
            Step::Item(Value::Null) => {}
            Step::Item(Value::Array(inner)) => push_items(&mut stack, inner),
            Step::Item(other) => out.push_str(&to_string(Some(other))),
        }
    }
    out
}

/// `s.toLowerCase()`: full, locale-independent Unicode lower-casing,
/// including the final-sigma rule and one-to-many mappings (`"İ"` → `"i̇"`).
///
/// Rust's `str::to_lowercase` implements the same algorithm; every code point
/// lower-cases identically in node 20.20 (ICU 78.2, Unicode 17.0) and Rust
/// 1.95. The two can differ only when their Unicode versions differ.
pub fn to_lower_case(s: &str) -> String {
    s.to_lowercase()
}

/// [`to_lower_case`], borrowing `s` when there is nothing to change (ASCII
/// without upper-case letters, e.g. most URLs and ids).
pub fn lowercased(s: &str) -> Cow<'_, str> {
    if is_lower_ascii(s) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(to_lower_case(s))
    }
}

/// Whether `s` is ASCII without upper-case letters (so `toLowerCase` leaves
/// it as it is). Reads 16 bytes at a time with no branch inside a block,
/// which the compiler turns into vector compares: rule values such as URLs
/// are checked on every `contains`.
fn is_lower_ascii(s: &str) -> bool {
    let changes = |b: u8| !b.is_ascii() || b.is_ascii_uppercase();
    let mut blocks = s.as_bytes().chunks_exact(16);
    for block in &mut blocks {
        if block.iter().fold(false, |any, &b| any | changes(b)) {
            return false;
        }
    }
    !blocks.remainder().iter().any(|&b| changes(b))
}

/// `a.toLowerCase() === b.toLowerCase()`, without allocating when both are
/// ASCII (where lower-casing is exactly `A`–`Z` → `a`–`z`).
pub fn equals_ignoring_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        to_lower_case(a) == to_lower_case(b)
    }
}

/// Compares two strings the way JavaScript's `<` does: by UTF-16 code units,
/// so U+FF61 sorts *after* U+1F600 (whose first unit is a surrogate, 0xD83D).
pub fn compare_utf16(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// The code points JavaScript's `\s`, `String.prototype.trim` and
/// `StringToNumber` treat as white space (`WhiteSpace` and `LineTerminator`).
pub fn is_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{0009}'
            | '\u{000A}'
            | '\u{000B}'
            | '\u{000C}'
            | '\u{000D}'
            | '\u{0020}'
            | '\u{00A0}'
            | '\u{1680}'
            | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// `s.trim()`.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_whitespace)
}

/// The JS SDK's `camelCase(input)` (`packages/utils/src/string-utils.ts`):
/// every ASCII word character that starts the string, starts a word (after a
/// non-word character) or is an upper-case ASCII letter is lower-cased when it
/// is the very first character and upper-cased otherwise; then every run of
/// white space is removed. `"get generic key value"` → `"getGenericKeyValue"`.
pub fn camel_case(input: &str) -> String {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(input.len());
    let mut previous: Option<char> = None;
    for (index, c) in input.char_indices() {
        let at_boundary = is_word(c) && !previous.is_some_and(is_word);
        let replaced = (index == 0 && is_word(c)) || c.is_ascii_uppercase() || at_boundary;
        if replaced {
            if index == 0 {
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c.to_ascii_uppercase());
            }
        } else {
            out.push(c);
        }
        previous = Some(c);
    }
    out.retain(|c| !is_whitespace(c));
    out
}

#[cfg(test)]
mod lower_case_tests {
    use super::*;

    #[test]
    fn the_fast_paths_agree_with_to_lower_case() {
        for (a, b) in [
            ("US", "us"),
            ("us", "uS"),
            ("us", "usa"),
            ("\u{212A}", "k"), // KELVIN SIGN lower-cases to ASCII k
            ("İ", "i\u{307}"),
            ("Straße", "STRASSE"),
        ] {
            assert_eq!(
                equals_ignoring_case(a, b),
                to_lower_case(a) == to_lower_case(b),
                "{a:?} {b:?}"
            );
            assert_eq!(lowercased(a), to_lower_case(a));
        }
        assert!(matches!(lowercased("https://a.b/c?d=1"), Cow::Borrowed(_)));
    }

    #[test]
    fn lower_ascii_is_borrowed_and_anything_else_is_lower_cased() {
        let url = "https://shop.example.com/checkout/step-2?ref=newsletter";
        assert!(matches!(lowercased(url), Cow::Borrowed(s) if s == url));
        for (upper_at, len) in [(0, 1), (15, 16), (16, 17), (40, 55), (54, 55)] {
            let mut s = "a".repeat(len);
            s.replace_range(upper_at..=upper_at, "Q");
            assert!(matches!(lowercased(&s), Cow::Owned(_)), "{s}");
            assert_eq!(lowercased(&s), s.to_lowercase());
        }
        // Non-ASCII in a full block and in the remainder.
        assert!(!is_lower_ascii("abcdefghijklmnoé-tail"));
        assert!(!is_lower_ascii("abcdefghijklmnopqrstuvwxyzé"));
        assert!(is_lower_ascii(""));
    }

    proptest::proptest! {
        #[test]
        fn lower_ascii_check_is_the_plain_definition(s in "[a-zA-Z0-9/?=:.\\-é]{0,80}") {
            let plain = s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase());
            proptest::prop_assert_eq!(is_lower_ascii(&s), plain);
            proptest::prop_assert_eq!(lowercased(&s), s.to_lowercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn string_of_json_values() {
        assert_eq!(to_string(None), "undefined");
        assert_eq!(to_string(Some(&json!(null))), "null");
        assert_eq!(to_string(Some(&json!(5.0))), "5");
        assert_eq!(to_string(Some(&json!(0.5))), "0.5");
        assert_eq!(
            to_string(Some(&json!(["a", null, 1, ["b", "c"]]))),
            "a,,1,b,c"
        );
        assert_eq!(to_string(Some(&json!({"a": 1}))), "[object Object]");
        assert_eq!(to_string(Some(&json!([{}]))), "[object Object]");
        assert_eq!(to_string(Some(&json!([]))), "");
        assert_eq!(
            to_string(Some(&json!([[], [null], [[1, [2]], 3]]))),
            ",,1,2,3"
        );
    }

    #[test]
    fn a_deeply_nested_array_joins_without_recursion() {
        let mut deep = json!(["x", 7]);
        for _ in 0..100_000 {
            deep = Value::Array(vec![deep, Value::Null]);
        }
        let joined = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let joined = to_string(Some(&deep)).into_owned();
                crate::limits::dismantle(deep);
                joined
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(joined, format!("x,7{}", ",".repeat(100_000)));
    }

    #[test]
    fn lower_case_is_full_unicode() {
        // node: 'ΟΔΟΣ'.toLowerCase() === 'οδος', 'İ'.toLowerCase().length === 2
        assert_eq!(to_lower_case("ΟΔΟΣ"), "οδος");
        assert_eq!(to_lower_case("İ"), "i\u{307}");
        assert_eq!(to_lower_case("ÀB"), "àb");
    }

    #[test]
    fn utf16_order_differs_from_code_point_order() {
        assert_eq!(compare_utf16("\u{FF61}", "\u{1F600}"), Ordering::Greater);
        assert_eq!("\u{FF61}".cmp("\u{1F600}"), Ordering::Less);
        assert_eq!(compare_utf16("a", "b"), Ordering::Less);
        assert_eq!(compare_utf16("ab", "a"), Ordering::Greater);
    }

    #[test]
    fn camel_case_matches_the_sdk_helper() {
        assert_eq!(camel_case("get generic key value"), "getGenericKeyValue");
        assert_eq!(camel_case("get js condition"), "getJsCondition");
        assert_eq!(camel_case("get cookie"), "getCookie");
        assert_eq!(camel_case("Audience"), "audience");
        assert_eq!(camel_case("get URL"), "getURL");
    }
}
