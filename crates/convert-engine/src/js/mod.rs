//! The JavaScript value semantics the JS SDK relies on, over JSON values.
//!
//! The SDK's behaviour is defined by what JavaScript does with the JSON it is
//! given: `String(x)`, truthiness, `typeof`, `===`, `Number(x)`, `parseFloat`,
//! `Object.keys` order, `toLowerCase`, and `<` on strings (UTF-16 code
//! units). This module reproduces exactly those operations for
//! [`serde_json::Value`]s, so the rest of the engine can be written in terms
//! of them and read side by side with the JS source.
//!
//! Conventions:
//! - a JS value that may be `undefined` is an `Option<&Value>`: `None` is
//!   `undefined`, `Some(Value::Null)` is `null`;
//! - two JSON objects or arrays are never `===` to each other: in JavaScript
//!   they are distinct objects, because every JSON value the SDK compares comes
//!   from a separate parse (config, rule, visitor data).

mod compare;
mod number;
mod object;
mod string;

pub use compare::{Primitive, less_equal, less_than, to_primitive};
pub use number::{
    number_to_string, parse_float, parse_int, parse_int_auto, string_to_number, to_number,
};
pub use object::{Entries, is_array_index, object_entries, object_keys, own_keys};
pub use string::{
    camel_case, compare_utf16, equals_ignoring_case, is_whitespace, lowercased, to_lower_case,
    to_string, trim,
};

use serde_json::Value;

/// The result of JavaScript's `typeof` for a JSON value (or `undefined`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeOf {
    /// `"undefined"`.
    Undefined,
    /// `"object"`: `null`, arrays and objects.
    Object,
    /// `"boolean"`.
    Boolean,
    /// `"number"`.
    Number,
    /// `"string"`.
    String,
}

impl TypeOf {
    /// The string `typeof` returns.
    pub fn as_str(self) -> &'static str {
        match self {
            TypeOf::Undefined => "undefined",
            TypeOf::Object => "object",
            TypeOf::Boolean => "boolean",
            TypeOf::Number => "number",
            TypeOf::String => "string",
        }
    }
}

/// `typeof value`.
pub fn type_of(value: Option<&Value>) -> TypeOf {
    match value {
        None => TypeOf::Undefined,
        Some(Value::Null | Value::Array(_) | Value::Object(_)) => TypeOf::Object,
        Some(Value::Bool(_)) => TypeOf::Boolean,
        Some(Value::Number(_)) => TypeOf::Number,
        Some(Value::String(_)) => TypeOf::String,
    }
}

/// JavaScript truthiness: `undefined`, `null`, `false`, `0`, `-0`, `NaN` and
/// `""` are falsy; everything else (including `{}` and `[]`) is truthy.
pub fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => number_value(n) != 0.0 && !number_value(n).is_nan(),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(_) | Value::Object(_)) => true,
    }
}

/// The JavaScript number a JSON number denotes (`JSON.parse` semantics:
/// integers beyond 2^53 round to the nearest double).
pub fn number_value(n: &serde_json::Number) -> f64 {
    // `as_f64` is infallible without serde_json's `arbitrary_precision`; the
    // fallback keeps this total if a dependency ever enables it.
    n.as_f64().unwrap_or(f64::NAN)
}

/// `a === b` for JSON values. Numbers compare as doubles (so `1` equals
/// `1.0`), strings by content; objects and arrays are never strictly equal
/// (see the module documentation).
pub fn strict_equals(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(Value::Null), Some(Value::Null)) => true,
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x == y,
        (Some(Value::Number(x)), Some(Value::Number(y))) => number_value(x) == number_value(y),
        (Some(Value::String(x)), Some(Value::String(y))) => x == y,
        _ => false,
    }
}

/// `SameValueZero(a, b)`, the equality of `Array.prototype.includes` and
/// `Set`: `===`, except that `NaN` equals `NaN` (JSON has no `NaN`, so for JSON
/// values this is [`strict_equals`]).
pub fn same_value_zero(a: Option<&Value>, b: Option<&Value>) -> bool {
    strict_equals(a, b)
}

/// `Number.isFinite(x)` of `typeof x === 'number'` values; JSON numbers are
/// always finite, so this is true exactly for JSON numbers.
pub fn is_finite_number(value: Option<&Value>) -> bool {
    matches!(value, Some(Value::Number(n)) if number_value(n).is_finite())
}

/// `objectNotEmpty(x)` of the JS SDK's utils: a non-null object (arrays
/// included) with at least one own enumerable key.
pub fn object_not_empty(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Object(map)) => !map.is_empty(),
        Some(Value::Array(items)) => !items.is_empty(),
        _ => false,
    }
}

/// `arrayNotEmpty(x)` of the JS SDK's utils: an array with at least one
/// element.
pub fn array_not_empty(value: Option<&Value>) -> bool {
    matches!(value, Some(Value::Array(items)) if !items.is_empty())
}

/// `value[key]` for a property read on a JSON value: own keys of objects and
/// the indices of arrays. Everything else reads `undefined` (the JS SDK never
/// reads inherited properties that matter here).
pub fn get<'v>(value: Option<&'v Value>, key: &str) -> Option<&'v Value> {
    match value? {
        Value::Object(map) => lookup(map, key),
        Value::Array(items) if is_array_index(key) => {
            key.parse::<usize>().ok().and_then(|i| items.get(i))
        }
        _ => None,
    }
}

/// Objects with at most this many keys are searched key by key: comparing a
/// few short strings costs less than hashing the key (serde_json's map hashes
/// with SipHash), and the objects of configs and visitors are small.
const LINEAR_LOOKUP_MAX: usize = 16;

/// `map[key]` for an own key: the same answer as
/// [`Map::get`](serde_json::Map::get) (a map's keys are distinct), found by
/// scanning small maps instead of hashing.
#[inline]
pub fn lookup<'m>(map: &'m serde_json::Map<String, Value>, key: &str) -> Option<&'m Value> {
    if map.len() <= LINEAR_LOOKUP_MAX {
        map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        map.get(key)
    }
}

/// `Object.prototype.hasOwnProperty.call(value, key)` for a value that is
/// neither `null` nor `undefined` (those make JavaScript throw; callers model
/// that separately).
pub fn has_own(value: &Value, key: &str) -> bool {
    match value {
        Value::Object(map) => lookup(map, key).is_some(),
        Value::Array(items) => {
            key == "length"
                || (is_array_index(key) && key.parse::<usize>().is_ok_and(|i| i < items.len()))
        }
        Value::String(s) => {
            key == "length"
                || (is_array_index(key)
                    && key
                        .parse::<usize>()
                        .is_ok_and(|i| i < s.encode_utf16().count()))
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// `hasOwnProperty.call(value, key) ? value[key] : undefined` in one
/// lookup for objects: `Some(v)` when `key` is an own property of `value`.
pub fn own<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    match value {
        Value::Object(map) => lookup(map, key),
        other if has_own(other, key) => get(Some(other), key),
        _ => None,
    }
}

/// Whether a value is `null` or `undefined` (JS `x == null`).
pub fn is_nullish(value: Option<&Value>) -> bool {
    matches!(value, None | Some(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn truthiness_follows_js() {
        for falsy in [json!(null), json!(false), json!(0), json!(-0.0), json!("")] {
            assert!(!truthy(Some(&falsy)), "{falsy} should be falsy");
        }
        assert!(!truthy(None));
        for t in [
            json!({}),
            json!([]),
            json!("0"),
            json!(" "),
            json!(0.1),
            json!(true),
        ] {
            assert!(truthy(Some(&t)), "{t} should be truthy");
        }
    }

    #[test]
    fn typeof_follows_js() {
        assert_eq!(type_of(Some(&json!(null))).as_str(), "object");
        assert_eq!(type_of(Some(&json!([1]))).as_str(), "object");
        assert_eq!(type_of(Some(&json!(1))).as_str(), "number");
        assert_eq!(type_of(None).as_str(), "undefined");
    }

    #[test]
    fn strict_equality_follows_js() {
        assert!(strict_equals(Some(&json!(1)), Some(&json!(1.0))));
        assert!(!strict_equals(Some(&json!("1")), Some(&json!(1))));
        assert!(!strict_equals(Some(&json!({})), Some(&json!({}))));
        assert!(!strict_equals(Some(&json!([])), Some(&json!([]))));
        assert!(strict_equals(Some(&json!(null)), Some(&json!(null))));
        assert!(!strict_equals(Some(&json!(null)), None));
    }

    #[test]
    fn has_own_covers_arrays_and_strings() {
        assert!(has_own(&json!([1, 2]), "1"));
        assert!(!has_own(&json!([1, 2]), "2"));
        assert!(has_own(&json!("ab"), "length"));
        assert!(!has_own(&json!(5), "OR"));
        assert!(has_own(&json!({"OR": []}), "OR"));
    }
}
