//! The relational operators `<` and `<=` (the abstract `IsLessThan`).

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use super::{compare_utf16, number_value, string_to_number, to_string};

/// A JavaScript primitive value, as produced by `ToPrimitive`.
#[derive(Clone, Debug, PartialEq)]
pub enum Primitive<'a> {
    /// `undefined`.
    Undefined,
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(Cow<'a, str>),
}

impl Primitive<'_> {
    /// `ToNumber` of a primitive.
    pub fn to_number(&self) -> f64 {
        match self {
            Primitive::Undefined => f64::NAN,
            Primitive::Null => 0.0,
            Primitive::Bool(b) => f64::from(u8::from(*b)),
            Primitive::Number(n) => *n,
            Primitive::String(s) => string_to_number(s),
        }
    }
}

/// `ToPrimitive(value, number)`: scalars as they are; arrays and objects by
/// their `toString()` (`valueOf` returns the object itself), i.e. their
/// `String()` form.
pub fn to_primitive(value: Option<&Value>) -> Primitive<'_> {
    match value {
        None => Primitive::Undefined,
        Some(Value::Null) => Primitive::Null,
        Some(Value::Bool(b)) => Primitive::Bool(*b),
        Some(Value::Number(n)) => Primitive::Number(number_value(n)),
        Some(Value::String(s)) => Primitive::String(Cow::Borrowed(s)),
        Some(other @ (Value::Array(_) | Value::Object(_))) => {
            Primitive::String(to_string(Some(other)))
        }
    }
}

/// `IsLessThan(x, y)`: `Some(bool)`, or `None` for JavaScript's `undefined`
/// (a NaN operand).
fn is_less_than(x: &Primitive<'_>, y: &Primitive<'_>) -> Option<bool> {
    if let (Primitive::String(a), Primitive::String(b)) = (x, y) {
        return Some(compare_utf16(a, b) == Ordering::Less);
    }
    let (a, b) = (x.to_number(), y.to_number());
    if a.is_nan() || b.is_nan() {
        return None;
    }
    Some(a < b)
}

/// `x < y` on primitives: strings by UTF-16 code units, everything else
/// numerically; false when either side is NaN.
pub fn less_than(x: &Primitive<'_>, y: &Primitive<'_>) -> bool {
    is_less_than(x, y) == Some(true)
}

/// `x <= y` on primitives: `!(y < x)`, except that a NaN operand gives false.
pub fn less_equal(x: &Primitive<'_>, y: &Primitive<'_>) -> bool {
    is_less_than(y, x) == Some(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lt(a: Value, b: Value) -> bool {
        less_than(&to_primitive(Some(&a)), &to_primitive(Some(&b)))
    }
    fn le(a: Value, b: Value) -> bool {
        less_equal(&to_primitive(Some(&a)), &to_primitive(Some(&b)))
    }

    // Expected values observed with node 20 (`node -e 'console.log(null < {})'` …).
    #[test]
    fn relational_operators_follow_js() {
        assert!(!lt(json!(null), json!({})));
        assert!(le(json!(null), json!(null)));
        assert!(lt(json!([1]), json!([2])));
        assert!(lt(json!(null), json!([5])));
        assert!(lt(json!(false), json!(true)));
        assert!(!lt(json!("b"), json!("a")));
        assert!(lt(json!("10"), json!("9")));
        assert!(le(json!({}), json!({})));
        assert!(le(json!([]), json!(null)));
        assert!(!lt(json!("\u{FF61}"), json!("\u{1F600}")));
    }
}
