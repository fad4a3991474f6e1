//! JSON values, strings and visitor ids, biased towards the ones SDKs coerce
//! differently.

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
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

/// A string: mostly from [`TRICKY_STRINGS`], sometimes random text (any
/// Unicode scalar value), sometimes lower-case ASCII.
pub fn string() -> BoxedStrategy<String> {
    prop_oneof![
        6 => prop::sample::select(TRICKY_STRINGS).prop_map(str::to_owned),
        2 => lowercase(1, 6),
        1 => unicode(0, 8),
    ]
    .boxed()
}

/// Lower-case ASCII letters, `min..=max` of them. (Built from characters,
/// not a regex strategy: this runs for every generated case.)
pub fn lowercase(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::char::range('a', 'z'), min..=max).prop_map(String::from_iter)
}

/// Any Unicode scalar values (astral ones and controls included), `min..=max`
/// of them; shrinks towards fewer, lower characters.
pub fn unicode(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), min..=max).prop_map(String::from_iter)
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
pub fn number() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => (-20i64..=120).prop_map(Value::from),
        2 => prop::sample::select(TRICKY_NUMBERS).prop_map(float),
    ]
    .boxed()
}

/// A JSON number from an `f64` (every value in [`TRICKY_NUMBERS`] is finite).
pub fn float(value: f64) -> Value {
    Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// A JSON scalar of any type.
pub fn scalar() -> BoxedStrategy<Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        3 => number(),
        5 => string().prop_map(Value::String),
    ]
    .boxed()
}

/// A JSON value of any type: a scalar, or an array or object of scalars.
/// (Not `prop_recursive`, which builds its strategies anew for every value.)
pub fn json_value() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => scalar(),
        1 => prop::collection::vec(scalar(), 0..3).prop_map(Value::Array),
        1 => prop::collection::vec((object_key(), scalar()), 0..3).prop_map(object),
    ]
    .boxed()
}

/// An object key: a plain name, an integer-like name (ordered first by
/// JavaScript's `Object.keys`), or a tricky string.
pub fn object_key() -> BoxedStrategy<String> {
    prop_oneof![
        3 => lowercase(1, 4),
        1 => prop::sample::select(&["0", "1", "10", "2", "-1", "01", "4294967295"][..])
            .prop_map(str::to_owned),
        1 => string(),
    ]
    .boxed()
}

/// An object of literal keys, moving the values in. (`serde_json::json!`
/// serialises every `Value` it is given into a deep copy; generation runs for
/// every case and every shrink step, so big values are moved, not copied.)
pub fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
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
        6 => prop::collection::vec(
            prop_oneof![prop::char::range('a', 'z'), prop::char::range('0', '9')],
            1..=8,
        )
        .prop_map(|chars| format!("visitor-{}", String::from_iter(chars))),
        2 => unicode(1, 12),
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
