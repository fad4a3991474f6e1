//! JSON values, strings and visitor ids, biased towards the ones SDKs coerce
//! differently.

use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Strings that SDKs compare, parse or case-fold differently: numeric text
/// with spaces, exponents and radix prefixes, booleans and `null` as text,
/// case variants, characters whose case mapping changes their length, astral
/// characters (UTF-16 surrogate pairs), separators and regex syntax.
pub const TRICKY_STRINGS: &[&str] = &[
    "",
    " ",
    "US",
    "us",
    "Us",
    "Chrome",
    "chrome",
    "5",
    " 5",
    "5 ",
    "05",
    "5.0",
    "-5",
    "10",
    "1e3",
    "0x1f",
    "0b11",
    "Infinity",
    "NaN",
    "1,5",
    "true",
    "false",
    "null",
    "undefined",
    "a",
    "ab",
    "abc",
    "ABC",
    "a,b",
    "a|b",
    "^a.*",
    "(a+)+$",
    "[",
    "ß",
    "SS",
    "İ",
    "i̇",
    "ǅ",
    "ﬀ",
    "😀",
    "用户123",
    "é",
    "é",
    "\u{0}",
    "line\nbreak",
    "tab\there",
];

/// A string: mostly from [`TRICKY_STRINGS`], sometimes random printable text
/// (any Unicode), sometimes lower-case ASCII.
pub fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(TRICKY_STRINGS).prop_map(str::to_owned),
        2 => "[a-z]{1,6}",
        1 => "\\PC{0,8}",
    ]
}

/// Numbers that SDKs print, parse or compare differently: zero and negative
/// zero, fractions, integers around 2^53, exponent notation boundaries.
pub const TRICKY_NUMBERS: &[f64] = &[
    0.0,
    -0.0,
    0.5,
    1.0,
    1.5,
    -1.0,
    5.0,
    10.0,
    10.5,
    33.33,
    99.99,
    100.0,
    1e-7,
    1e21,
    1.7976931348623157e308,
    9007199254740993.0,
    -3.25,
];

/// A JSON number: a small integer or one of [`TRICKY_NUMBERS`].
pub fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => (-20i64..=120).prop_map(Value::from),
        2 => prop::sample::select(TRICKY_NUMBERS).prop_map(float),
    ]
}

/// A JSON number from an `f64` (every value in [`TRICKY_NUMBERS`] is finite).
pub fn float(value: f64) -> Value {
    Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// A JSON scalar of any type.
pub fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        3 => number(),
        5 => string().prop_map(Value::String),
    ]
}

/// A JSON value of any type, nested at most two levels.
pub fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec((object_key(), inner), 0..3).prop_map(object),
        ]
    })
}

/// An object key: a plain name, an integer-like name (ordered first by
/// JavaScript's `Object.keys`), or a tricky string.
pub fn object_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z]{1,4}",
        1 => prop::sample::select(&["0", "1", "10", "2", "-1", "01", "4294967295"][..])
            .prop_map(str::to_owned),
        1 => string(),
    ]
}

/// An object from key/value pairs (a later pair overwrites an earlier one
/// with the same key, as `JSON.parse` does).
pub fn object(pairs: Vec<(String, Value)>) -> Value {
    Value::Object(pairs.into_iter().collect::<Map<String, Value>>())
}

/// A visitor id: mostly ASCII, sometimes empty, integer-like, non-ASCII
/// (combining marks, astral characters) or arbitrary Unicode.
pub fn visitor_id() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "visitor-[a-z0-9]{1,8}",
        2 => "\\PC{1,12}",
        1 => prop::sample::select(
            &["", "0", "123", "007", "1e3", " v ", "用户123", "😀", "İstanbul", "é", "null"][..]
        )
        .prop_map(str::to_owned),
    ]
}

/// A map of attributes over `keys`, with values of every type (mostly
/// scalars, so that rules over the same keys match often).
pub fn attributes(keys: &'static [&'static str]) -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec(
        (
            prop::sample::select(keys).prop_map(str::to_owned),
            prop_oneof![4 => scalar(), 1 => json_value()],
        ),
        0..4,
    )
    .prop_map(|pairs| pairs.into_iter().collect())
}

/// `None` with weight `none`, `Some` of the strategy's value with weight
/// `some`.
pub fn maybe<S: Strategy + 'static>(
    none: u32,
    some: u32,
    strategy: S,
) -> impl Strategy<Value = Option<S::Value>>
where
    S::Value: Clone,
{
    prop_oneof![none => Just(None), some => strategy.prop_map(Some)]
}
