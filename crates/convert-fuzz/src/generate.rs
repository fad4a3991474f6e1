//! Structured inputs from raw fuzzer bytes: JSON values biased towards what
//! the engine reads (the rule grammar, config entities, the values the JS
//! semantics treat specially), so that most inputs get past the first
//! `if`. The same bytes always give the same value, whichever engine
//! (libFuzzer or proptest) supplied them.

use arbitrary::Unstructured;
use convert_engine::rule::Operator;
use serde_json::{Map, Number, Value, json};

/// Keys rule items look up and data objects carry.
const KEYS: &[&str] = &[
    "plan",
    "age",
    "country",
    "url",
    "customSegments",
    "visitorType",
    "",
    "0",
    "length",
    "__proto__",
    "constructor",
    "name",
    "mapper",
];

/// `rule_type`s: the ones the vectors use, plus ones that exercise the
/// custom-interface walk.
const RULE_TYPES: &[&str] = &[
    "generic_key_value",
    "generic_text_key_value",
    "generic_numeric_key_value",
    "generic_bool_key_value",
    "bucketed_into_experience_key",
    "url",
    "url_with_query",
    "cookie",
    "js_condition",
    "",
    "to_string",
];

/// Strings with meaning somewhere in the engine: numeric forms `Number()`
/// and `parseFloat` disagree on, regex patterns (including catastrophic
/// ones), white space, astral characters, `RuleError` strings.
const STRINGS: &[&str] = &[
    "",
    "pro",
    "PRO",
    " 5",
    "5",
    "1e3",
    "0x1f",
    "0,500",
    "-0",
    "Infinity",
    "NaN",
    "12.9",
    "true",
    "null",
    "(a+)+$",
    "^(a|a)*$",
    "(x+x+)+y",
    "[",
    "\\",
    "(?<=a)b",
    "\\k<n>(?<n>a)",
    "(?:a{1,3}){1,100}b",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
    "😀",
    "\u{FF61}",
    "İ",
    "ΟΔΟΣ",
    "\u{FEFF} \t",
    "convert.com_no_data_found",
    "convert.com_need_more_data",
    "https://example.com/checkout/step-2?x=1",
];

/// How deep generated values may nest. Past [`convert_engine::limits::MAX_DEPTH`]
/// on purpose, so that the depth limit itself is fuzzed.
const MAX_GENERATED_DEPTH: usize = 160;

fn pick<'s>(u: &mut Unstructured<'_>, items: &[&'s str]) -> &'s str {
    u.choose(items).copied().unwrap_or("")
}

fn below(u: &mut Unstructured<'_>, n: u32) -> u32 {
    if n == 0 {
        return 0;
    }
    u.int_in_range(0..=n - 1).unwrap_or(0)
}

fn chance(u: &mut Unstructured<'_>, percent: u32) -> bool {
    below(u, 100) < percent
}

fn number(u: &mut Unstructured<'_>) -> Value {
    match below(u, 8) {
        0 => json!(below(u, 100)),
        1 => json!(-i64::from(below(u, 1000))),
        2 => json!(f64::from(below(u, 10_000)) / 100.0),
        3 => json!(-0.0),
        4 => json!(u64::MAX),
        5 => json!(9_007_199_254_740_993_u64),
        6 => {
            Number::from_f64(u.arbitrary::<f64>().unwrap_or(0.5)).map_or(Value::Null, Value::Number)
        }
        _ => json!(1e300),
    }
}

fn string(u: &mut Unstructured<'_>) -> String {
    match below(u, 4) {
        0 => u.arbitrary::<String>().unwrap_or_default(),
        1 => {
            let unit = pick(u, STRINGS);
            unit.repeat(below(u, 40) as usize + 1)
        }
        _ => pick(u, STRINGS).to_owned(),
    }
}

/// Any JSON value, at most `depth` more levels deep.
pub fn value(u: &mut Unstructured<'_>, depth: usize) -> Value {
    let kinds = if depth == 0 { 4 } else { 7 };
    match below(u, kinds) {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary().unwrap_or(false)),
        2 => number(u),
        3 => Value::String(string(u)),
        4 => {
            let n = below(u, 5);
            Value::Array((0..n).map(|_| value(u, depth - 1)).collect())
        }
        5 => Value::Object(object(u, depth - 1)),
        _ => nested(u, depth),
    }
}

/// A chain of arrays and objects as deep as the budget allows: the
/// pathological shape (serde_json refuses it as text at 128 levels; built in
/// memory it reaches the engine as is).
fn nested(u: &mut Unstructured<'_>, depth: usize) -> Value {
    let levels = below(u, u32::try_from(depth).unwrap_or(u32::MAX)) as usize;
    let mut v = Value::String(string(u));
    for level in 0..levels {
        v = if level % 2 == 0 {
            Value::Array(vec![v])
        } else {
            let mut m = Map::new();
            m.insert(pick(u, KEYS).to_owned(), v);
            Value::Object(m)
        };
    }
    v
}

fn object(u: &mut Unstructured<'_>, depth: usize) -> Map<String, Value> {
    let mut map = Map::new();
    for _ in 0..below(u, 5) {
        let key = if chance(u, 80) {
            pick(u, KEYS).to_owned()
        } else {
            string(u)
        };
        map.insert(key, value(u, depth));
    }
    map
}

/// One rule item: mostly well formed, with any field missing, mistyped or
/// extra.
pub fn rule_item(u: &mut Unstructured<'_>) -> Value {
    if chance(u, 8) {
        return value(u, 3);
    }
    let mut item = Map::new();
    if chance(u, 90) {
        item.insert("rule_type".into(), json!(pick(u, RULE_TYPES)));
    }
    if chance(u, 90) {
        item.insert("key".into(), json!(pick(u, KEYS)));
    }
    if chance(u, 90) {
        let v = if chance(u, 70) {
            json!(pick(u, STRINGS))
        } else {
            value(u, 4)
        };
        item.insert("value".into(), v);
    }
    if chance(u, 95) {
        let mut matching = Map::new();
        if chance(u, 95) {
            let name = if chance(u, 92) {
                u.choose(Operator::ALL)
                    .map_or("equals", |op| op.as_str())
                    .to_owned()
            } else {
                string(u)
            };
            matching.insert("match_type".into(), json!(name));
        }
        if chance(u, 95) {
            let negated = if chance(u, 95) {
                json!(u.arbitrary::<bool>().unwrap_or(false))
            } else {
                value(u, 1)
            };
            matching.insert("negated".into(), negated);
        }
        let matching = if chance(u, 3) {
            Value::Null
        } else {
            Value::Object(matching)
        };
        item.insert("matching".into(), matching);
    }
    if chance(u, 5) {
        item.insert(string(u), value(u, 2));
    }
    Value::Object(item)
}

fn level(
    u: &mut Unstructured<'_>,
    key: &str,
    child: impl Fn(&mut Unstructured<'_>) -> Value,
) -> Value {
    if chance(u, 6) {
        return value(u, 3);
    }
    let n = below(u, 4) + u32::from(chance(u, 80));
    let items: Vec<Value> = (0..n).map(|_| child(u)).collect();
    let mut block = Map::new();
    block.insert(key.to_owned(), Value::Array(items));
    if chance(u, 3) {
        block.insert(string(u), value(u, 1));
    }
    Value::Object(block)
}

/// A rule set: `OR` → `AND` → `OR_WHEN` → items, any level possibly
/// malformed.
pub fn rule_set(u: &mut Unstructured<'_>) -> Value {
    level(u, "OR", |u| {
        level(u, "AND", |u| level(u, "OR_WHEN", rule_item))
    })
}

/// Data a rule set is matched against: mostly an object of the keys rules
/// look up; sometimes the custom `RuleData` interface, an array, or a
/// scalar.
pub fn rule_data(u: &mut Unstructured<'_>) -> Value {
    match below(u, 10) {
        0 => value(u, 3),
        1 => {
            let mut data = object(u, 3);
            data.insert("name".into(), json!("RuleData"));
            Value::Object(data)
        }
        _ => {
            let mut data = object(u, 3);
            for _ in 0..below(u, 4) {
                let v = if chance(u, 60) {
                    json!(pick(u, STRINGS))
                } else {
                    value(u, MAX_GENERATED_DEPTH.min(6))
                };
                data.insert(pick(u, KEYS).to_owned(), v);
            }
            if chance(u, 4) {
                data.insert(pick(u, KEYS).to_owned(), nested(u, MAX_GENERATED_DEPTH));
            }
            Value::Object(data)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_bytes_give_the_same_rule() {
        let bytes: Vec<u8> = (0..2048u32).map(|i| (i * 7919 % 251) as u8).collect();
        let a = rule_set(&mut Unstructured::new(&bytes));
        let b = rule_set(&mut Unstructured::new(&bytes));
        assert_eq!(a, b);
    }
}
