//! Numbers: `Number(x)`, `parseFloat`, `parseInt` and `Number.prototype.toString`.

use serde_json::Value;

use super::{is_whitespace, number_value, to_string};

/// `String(n)` for a number (`Number.prototype.toString()`), e.g. `1`, `0.5`,
/// `1e+21`, `1e-7`, `NaN`, `-Infinity`; `-0` prints as `0`.
pub fn number_to_string(n: f64) -> String {
    ryu_js::Buffer::new().format(n).to_owned()
}

/// `Number(value)` (the abstract `ToNumber`) for a JSON value or `undefined`:
/// `undefined` → NaN, `null` → 0, booleans → 0/1, strings by
/// [`string_to_number`], arrays and objects through `ToPrimitive` (their
/// `String()` form), so `[]` → 0, `["7"]` → 7, `[[5]]` → 5, `{}` → NaN.
pub fn to_number(value: Option<&Value>) -> f64 {
    match value {
        None => f64::NAN,
        Some(Value::Null) => 0.0,
        Some(Value::Bool(b)) => f64::from(u8::from(*b)),
        Some(Value::Number(n)) => number_value(n),
        Some(Value::String(s)) => string_to_number(s),
        Some(other @ (Value::Array(_) | Value::Object(_))) => {
            string_to_number(&to_string(Some(other)))
        }
    }
}

/// `StringToNumber`: the string trimmed of JS whitespace, read as a decimal
/// literal (optional sign, digits with optional fraction, optional exponent),
/// a `0x`/`0o`/`0b` integer (no sign), or `±Infinity`; the empty string is 0;
/// anything else (`"1,000"`, `"1_0"`, `"infinity"`, `"0x"`) is NaN.
pub fn string_to_number(s: &str) -> f64 {
    let t = super::trim(s);
    if t.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = t.strip_prefix(prefix) {
            return radix_integer(digits, radix).unwrap_or(f64::NAN);
        }
    }
    let (sign, unsigned) = split_sign(t);
    if unsigned == "Infinity" {
        return sign * f64::INFINITY;
    }
    if decimal_literal_len(unsigned) != unsigned.len() || unsigned.is_empty() {
        return f64::NAN;
    }
    parse_decimal(unsigned).map_or(f64::NAN, |n| sign * n)
}

/// `parseFloat(s)`: skips leading JS whitespace, then reads the longest prefix
/// that is a signed decimal literal or `Infinity`; NaN when there is none.
/// `"1e"` → 1, `".5x"` → 0.5, `"-.5"` → -0.5, `"0x10"` → 0, `"."` → NaN.
pub fn parse_float(s: &str) -> f64 {
    let t = s.trim_start_matches(is_whitespace);
    let (sign, unsigned) = split_sign(t);
    if unsigned.starts_with("Infinity") {
        return sign * f64::INFINITY;
    }
    let len = decimal_literal_len(unsigned);
    if len == 0 {
        return f64::NAN;
    }
    parse_decimal(&unsigned[..len]).map_or(f64::NAN, |n| sign * n)
}

/// `parseInt(s, 10)`: skips leading JS whitespace, reads an optional sign and
/// the longest run of ASCII digits; NaN when there are no digits.
/// `"12.9"` → 12, `" 7x"` → 7, `"1e+21"` → 1, `"-0"` → -0.
pub fn parse_int(s: &str) -> f64 {
    let t = s.trim_start_matches(is_whitespace);
    let (sign, unsigned) = split_sign(t);
    let digits = unsigned.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return f64::NAN;
    }
    parse_decimal(&unsigned[..digits]).map_or(f64::NAN, |n| sign * n)
}

/// `parseInt(s)` without a radix: as [`parse_int`], except that a `0x` or
/// `0X` prefix (after the sign) reads hexadecimal digits. `"0x1A"` → 26,
/// `"-0x10"` → -16, `"0x"` → NaN, `"012"` → 12.
pub fn parse_int_auto(s: &str) -> f64 {
    let t = s.trim_start_matches(is_whitespace);
    let (sign, unsigned) = split_sign(t);
    let Some(hex) = unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"))
    else {
        return parse_int(t);
    };
    let digits: Vec<u32> = hex.chars().map_while(|c| c.to_digit(16)).collect();
    if digits.is_empty() {
        return f64::NAN;
    }
    sign * digits.iter().fold(0.0, |acc, d| acc * 16.0 + f64::from(*d))
}

fn split_sign(t: &str) -> (f64, &str) {
    if let Some(rest) = t.strip_prefix('-') {
        (-1.0, rest)
    } else if let Some(rest) = t.strip_prefix('+') {
        (1.0, rest)
    } else {
        (1.0, t)
    }
}

/// Length of the longest prefix of `s` that is a `StrUnsignedDecimalLiteral`
/// (without `Infinity`): digits with an optional fraction (not both empty)
/// and an optional exponent that is only taken when it has digits.
fn decimal_literal_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    let digits_from = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let int_end = digits_from(0);
    let mut end = int_end;
    let mut mantissa_digits = int_end;
    if end < bytes.len() && bytes[end] == b'.' {
        let frac_end = digits_from(end + 1);
        mantissa_digits += frac_end - (end + 1);
        end = frac_end;
    }
    if mantissa_digits == 0 {
        return 0;
    }
    if end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
        let mut i = end + 1;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            i += 1;
        }
        let exp_end = digits_from(i);
        if exp_end > i {
            end = exp_end;
        }
    }
    end
}

/// Correctly rounded value of a validated unsigned decimal literal (Rust's
/// float parsing is correctly rounded, as ECMAScript requires).
fn parse_decimal(literal: &str) -> Option<f64> {
    // Rust does not accept a lone trailing or leading '.', but JS does ("5."
    // and ".5"): normalise those before parsing.
    if let Some(int) = literal.strip_suffix('.') {
        return int.parse::<f64>().ok();
    }
    if literal.contains(".e") || literal.contains(".E") {
        return literal.replacen('.', "", 1).parse::<f64>().ok();
    }
    literal.parse::<f64>().ok()
}

fn radix_integer(digits: &str, radix: u32) -> Option<f64> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Exact while it fits in 128 bits (rounded once, as the spec's
    // mathematical value is); beyond that, fold in f64.
    match u128::from_str_radix(digits, radix) {
        #[allow(clippy::cast_precision_loss)]
        Ok(n) => Some(n as f64),
        Err(_) => Some(digits.chars().fold(0.0, |acc, c| {
            acc * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn same(a: f64, b: f64) -> bool {
        (a.is_nan() && b.is_nan()) || (a == b && a.is_sign_negative() == b.is_sign_negative())
    }

    // Expected values: ECMAScript semantics, checked with node 20
    // (`node -e 'console.log(Number(x), parseFloat(x), parseInt(x, 10))'`).
    #[test]
    fn number_of_strings() {
        let cases: &[(&str, f64)] = &[
            ("", 0.0),
            ("  12  ", 12.0),
            ("0x1F", 31.0),
            ("0b101", 5.0),
            ("0o17", 15.0),
            ("1e3", 1000.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("-5.e1", -50.0),
            ("+5", 5.0),
            ("-Infinity", f64::NEG_INFINITY),
            ("\u{a0}7\n", 7.0),
            ("1e400", f64::INFINITY),
        ];
        for (s, want) in cases {
            assert!(same(string_to_number(s), *want), "Number({s:?})");
        }
        for s in [
            "abc", "1,000", "0x", "-0x10", "1_0", "infinity", ".", "e5", "1e", "--1", "5 5",
        ] {
            assert!(string_to_number(s).is_nan(), "Number({s:?}) should be NaN");
        }
    }

    #[test]
    fn number_of_json_values() {
        assert!(same(to_number(Some(&json!(null))), 0.0));
        assert!(same(to_number(Some(&json!(true))), 1.0));
        assert!(same(to_number(Some(&json!([]))), 0.0));
        assert!(same(to_number(Some(&json!(["7"]))), 7.0));
        assert!(same(to_number(Some(&json!([[5]]))), 5.0));
        assert!(to_number(Some(&json!([1, 2]))).is_nan());
        assert!(to_number(Some(&json!({}))).is_nan());
        assert!(to_number(None).is_nan());
    }

    #[test]
    fn parse_float_reads_a_prefix() {
        let cases: &[(&str, f64)] = &[
            ("1e", 1.0),
            ("1e+", 1.0),
            (".5x", 0.5),
            ("-.5", -0.5),
            ("0x10", 0.0),
            ("  3.25abc", 3.25),
            ("Infinityx", f64::INFINITY),
            ("-0", -0.0),
            ("1.5e2", 150.0),
            ("0.500.000", 0.5),
        ];
        for (s, want) in cases {
            assert!(same(parse_float(s), *want), "parseFloat({s:?})");
        }
        for s in [".", "-", "", "abc", "e5"] {
            assert!(parse_float(s).is_nan(), "parseFloat({s:?}) should be NaN");
        }
    }

    #[test]
    fn parse_int_reads_digits() {
        let cases: &[(&str, f64)] = &[
            ("12.9", 12.0),
            (" 7x", 7.0),
            ("1e+21", 1.0),
            ("-0", -0.0),
            ("2.3283064365386963e-10", 2.0),
            ("9999.999", 9999.0),
        ];
        for (s, want) in cases {
            assert!(same(parse_int(s), *want), "parseInt({s:?})");
        }
        assert!(parse_int("abc").is_nan());
        assert!(parse_int("-").is_nan());
    }

    #[test]
    fn number_to_string_matches_js() {
        assert_eq!(number_to_string(1.0), "1");
        assert_eq!(number_to_string(-0.0), "0");
        assert_eq!(number_to_string(1e21), "1e+21");
        assert_eq!(number_to_string(1e-7), "1e-7");
        assert_eq!(number_to_string(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(
            number_to_string(123_456_789_012_345_680_000.0),
            "123456789012345680000"
        );
        assert_eq!(number_to_string(f64::NAN), "NaN");
    }
}
