//! Rule trees (`{"OR":[{"AND":[{"OR_WHEN":[item, …]}, …]}, …]}`) and the data
//! they are matched against.
//!
//! Items draw their `key` from the same key pool as the data and their
//! `value` from the same value pools ([`values::scalar`]), so that a good
//! share of items compare equal values and the interesting branches of each
//! operator are reached. A small share of items is malformed on purpose
//! (no `matching`, a non-boolean `negated`, no `value`, an unknown
//! `match_type`): validity handling is part of the contract.

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use serde_json::{Map, Value, json};

use crate::values::{self, obj};

/// Every `match_type` the SDK family knows, aliases included, plus names it
/// does not know (`Equals`, `notAnOperator`).
pub const MATCH_TYPES: &[&str] = &[
    "equals",
    "equalsNumber",
    "matches",
    "less",
    "lessEqual",
    "contains",
    "isIn",
    "startsWith",
    "endsWith",
    "regexMatches",
    "exists",
    "not_exists",
    "doesNotExist",
    "_returnNegationCheck",
    "Equals",
    "notAnOperator",
];

/// `rule_type`s: the generic ones (only the custom rule-data interface reads
/// them; plain data is looked up by `key`) and a few location ones.
pub const RULE_TYPES: &[&str] = &[
    "generic_key_value",
    "generic_key_value",
    "generic_key_value",
    "generic_text_key_value",
    "generic_numeric_key_value",
    "generic_bool_key_value",
    "url",
    "cookie",
];

/// Keys of visitor attributes that audience and segment rules test.
pub const VISITOR_KEYS: &[&str] = &["country", "plan", "age", "vip"];

/// Keys of location attributes that location and `site_area` rules test.
pub const LOCATION_KEYS: &[&str] = &["url", "page", "lang"];

/// Keys of conversion rule data that goal rules test.
pub const GOAL_KEYS: &[&str] = &["action", "amount"];

/// A rule value: a scalar mostly, sometimes a list (`isIn` splits strings on
/// `|`, and some operators see arrays) or an object.
fn rule_value() -> BoxedStrategy<Value> {
    prop_oneof![
        8 => values::scalar(),
        1 => prop::collection::vec(values::scalar(), 0..3).prop_map(Value::Array),
        1 => values::json_value(),
    ]
    .boxed()
}

/// One rule item over `keys`.
pub fn item(keys: &'static [&'static str]) -> BoxedStrategy<Value> {
    let well_formed = (
        prop::sample::select(RULE_TYPES),
        prop::sample::select(keys),
        rule_value(),
        prop::sample::select(MATCH_TYPES),
        any::<bool>(),
    )
        .prop_map(|(rule_type, key, value, match_type, negated)| {
            obj([
                ("rule_type", rule_type.into()),
                ("key", key.into()),
                ("value", value),
                (
                    "matching",
                    json!({"match_type": match_type, "negated": negated}),
                ),
            ])
        });
    let malformed = (
        prop::sample::select(keys),
        rule_value(),
        prop::sample::select(MATCH_TYPES),
        0..4u8,
    )
        .prop_map(|(key, value, match_type, fault)| match fault {
            0 => obj([
                ("rule_type", "generic_key_value".into()),
                ("key", key.into()),
                ("value", value),
            ]),
            1 => obj([
                ("rule_type", "generic_key_value".into()),
                ("key", key.into()),
                ("value", value),
                (
                    "matching",
                    json!({"match_type": match_type, "negated": "true"}),
                ),
            ]),
            2 => obj([
                ("rule_type", "generic_key_value".into()),
                ("key", key.into()),
                (
                    "matching",
                    json!({"match_type": match_type, "negated": false}),
                ),
            ]),
            _ => obj([
                ("rule_type", "generic_key_value".into()),
                ("key", key.into()),
                ("value", value),
                ("matching", json!({"negated": false})),
            ]),
        });
    prop_oneof![12 => well_formed, 1 => malformed].boxed()
}

/// A rule tree over `keys`: one to three `OR` blocks of one or two `AND`
/// blocks of one to three items.
pub fn rule_object(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    tree(keys, 1..4, 1..3, 1..4)
}

/// A smaller rule tree, for the many rules of a config (audiences,
/// locations, segments, goals, site areas): one or two `OR` blocks of one
/// `AND` block of one to three items.
pub fn config_rule_object(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    tree(keys, 1..3, 1..2, 1..4)
}

fn tree(
    keys: &'static [&'static str],
    ors: std::ops::Range<usize>,
    ands: std::ops::Range<usize>,
    items: std::ops::Range<usize>,
) -> impl Strategy<Value = Value> {
    let or_when = prop::collection::vec(item(keys), items)
        .prop_map(|items| obj([("OR_WHEN", Value::Array(items))]));
    let and = prop::collection::vec(or_when, ands)
        .prop_map(|blocks| obj([("AND", Value::Array(blocks))]));
    prop::collection::vec(and, ors).prop_map(|blocks| obj([("OR", Value::Array(blocks))]))
}

/// Data for a rule over `keys`: the attributes of [`values::attributes`].
pub fn data(keys: &'static [&'static str]) -> impl Strategy<Value = Map<String, Value>> {
    values::attributes(keys)
}

/// Data for the `rule` family: an object mostly, sometimes any other JSON
/// value (the SDKs compare nothing then).
pub fn any_data(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop_oneof![
        12 => data(keys).prop_map(Value::Object),
        1 => values::json_value(),
    ]
}
