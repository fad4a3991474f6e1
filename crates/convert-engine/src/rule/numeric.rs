//! The SDK's numeric helpers `isNumeric` and `toNumber`
//! (`packages/utils/src/string-utils.ts`), used by `less` and `lessEqual`.

use serde_json::Value;

use crate::js;

/// Whether `s` matches `^-?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)$`:
/// an optional minus, then either comma-grouped thousands or plain digits
/// with an optional fraction, or a bare fraction. No spaces, no `+`, no
/// exponent, no trailing dot.
fn matches_numeric_pattern(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (body, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if let Some(frac) = frac
        && !all_digits(frac)
    {
        return false;
    }
    if int.is_empty() {
        return frac.is_some();
    }
    if all_digits(int) {
        return true;
    }
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or_default();
    let mut rest = groups.peekable();
    (1..=3).contains(&first.len())
        && all_digits(first)
        && rest.peek().is_some()
        && rest.all(|g| g.len() == 3 && all_digits(g))
}

/// `isNumeric(value)`: a finite number, or a string that matches the numeric
/// pattern **and** whose `parseFloat` (commas removed) is finite — so a
/// 400-digit string is not numeric (its value overflows to Infinity).
pub fn is_numeric(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Number(_)) => js::is_finite_number(value),
        Some(Value::String(s)) => {
            matches_numeric_pattern(s) && js::parse_float(&s.replace(',', "")).is_finite()
        }
        _ => false,
    }
}

/// `toNumber(value)`: a number as is; otherwise `String(value)` split on
/// commas — if the first part is exactly `"0"` the commas become decimal
/// points, otherwise they are removed — then `parseFloat`. So `"0,500"` →
/// 0.5, `"1,000"` → 1000, `"-0,500"` → -500, `"0,500,000"` → 0.5.
pub fn to_number(value: Option<&Value>) -> f64 {
    if let Some(Value::Number(n)) = value {
        return js::number_value(n);
    }
    let s = js::to_string(value);
    let first = s.split(',').next().unwrap_or_default();
    if crate::mutant!("rule.numeric-comma", first == "0", false) {
        js::parse_float(&s.replace(',', "."))
    } else {
        js::parse_float(&s.replace(',', ""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn numeric(s: &str) -> bool {
        is_numeric(Some(&json!(s)))
    }

    #[test]
    fn numeric_strings() {
        for s in [
            "0",
            "-1",
            "1.5",
            ".5",
            "-.5",
            "1,000",
            "12,345,678.9",
            "0,500",
            "007",
        ] {
            assert!(numeric(s), "{s} should be numeric");
        }
        for s in [
            " 5", "5.", "1e3", "+5", "", "-", ".", "1,00", "1234,567", ",000", "1.2.3", "5 ",
            "0x10", "1,000,",
        ] {
            assert!(!numeric(s), "{s} should not be numeric");
        }
        // parseFloat overflows to Infinity: not numeric (4.4.3's extra check).
        assert!(!numeric(&format!("1{}", "0".repeat(400))));
        assert!(is_numeric(Some(&json!(3.5))));
        assert!(!is_numeric(Some(&json!(true))));
        assert!(!is_numeric(Some(&json!(null))));
        assert!(!is_numeric(None));
    }

    #[test]
    fn to_number_quirks() {
        assert_eq!(to_number(Some(&json!("0,500"))), 0.5);
        assert_eq!(to_number(Some(&json!("1,000"))), 1000.0);
        assert_eq!(to_number(Some(&json!("-0,500"))), -500.0);
        assert_eq!(to_number(Some(&json!("0,500,000"))), 0.5);
        assert_eq!(to_number(Some(&json!(".5"))), 0.5);
        assert_eq!(to_number(Some(&json!(7))), 7.0);
    }
}
