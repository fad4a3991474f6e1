//! One input strategy per family.

use convert_spec::Family;
use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use serde_json::{Map, Value, json};

use crate::config::{
    self, ENVIRONMENTS, EXPERIENCE_IDS, EXPERIENCE_KEYS, FEATURE_KEYS, GOAL_KEYS_BY_POSITION,
    SEGMENT_KEYS, VARIATION_IDS,
};
use crate::rules::{self, GOAL_KEYS, LOCATION_KEYS, VISITOR_KEYS};
use crate::values::{self, maybe, obj};

/// The input strategy of `family`: every value is a valid case input of that
/// family (its shape; what it asks of an implementation is derived from it
/// as for any vector case).
pub fn input_strategy(family: Family) -> BoxedStrategy<Value> {
    match family {
        Family::Hash => hash().boxed(),
        Family::Bucketing => bucketing().boxed(),
        Family::Rule => rule().boxed(),
        Family::Experience => experience().boxed(),
        Family::Experiences => experiences().boxed(),
        Family::Feature => feature().boxed(),
        Family::Segments => segments().boxed(),
        Family::Diagnostics => diagnostics().boxed(),
        Family::ConfigValidation => config_validation().boxed(),
        Family::Scenario => scenario().boxed(),
    }
}

fn insert_some(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), value);
    }
}

/// `hash`: any string (tricky, random Unicode, long) and a seed (the SDK
/// default 9999 often, any `u32` otherwise).
fn hash() -> impl Strategy<Value = Value> {
    let value = prop_oneof![
        4 => values::string(),
        3 => values::visitor_id(),
        1 => values::unicode(16, 200),
    ];
    let seed = prop_oneof![2 => Just(9999u32), 1 => any::<u32>(), 1 => 0u32..16];
    (value, seed).prop_map(|(value, seed)| json!({"value": value, "seed": seed}))
}

/// `bucketing`: one experience's variations (the experience generator's
/// allocations and statuses) for a visitor, packed or anchored.
fn bucketing() -> impl Strategy<Value = Value> {
    (
        prop_oneof![4 => Just(11i64), 1 => Just(12i64)],
        prop_oneof![
            4 => prop::sample::select(EXPERIENCE_IDS).prop_map(str::to_owned),
            1 => values::visitor_id(),
        ],
        values::visitor_id(),
        config::variations(),
    )
        .prop_map(
            |(contract_version, experience_id, visitor_id, variations)| {
                // Keep the fields the family carries.
                let variations: Vec<Value> = variations
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|v| {
                        let mut out = Map::new();
                        for field in ["id", "traffic_allocation", "status"] {
                            if let Some(value) = v.get(field) {
                                out.insert(field.to_owned(), value.clone());
                            }
                        }
                        Value::Object(out)
                    })
                    .collect();
                obj([
                    ("contract_version", contract_version.into()),
                    ("experience_id", experience_id.into()),
                    ("visitor_id", visitor_id.into()),
                    ("variations", Value::Array(variations)),
                ])
            },
        )
}

/// `rule`: a rule tree and the data it is matched against.
fn rule() -> impl Strategy<Value = Value> {
    (
        rules::rule_object(VISITOR_KEYS),
        rules::any_data(VISITOR_KEYS),
    )
        .prop_map(|(rule, data)| obj([("rule", rule), ("data", data)]))
}

/// The fields every visitor-level family shares: config, environment,
/// visitor id, attributes, location attributes and stored state.
fn visitor_call() -> impl Strategy<Value = Map<String, Value>> {
    (
        config::project_config(),
        maybe(3, 1, prop::sample::select(ENVIRONMENTS)),
        values::visitor_id(),
        maybe(1, 3, values::attributes(VISITOR_KEYS)),
        maybe(1, 7, values::attributes(LOCATION_KEYS)),
        maybe(3, 1, config::visitor_state()),
    )
        .prop_map(
            |(config, environment, visitor_id, attributes, location, state)| {
                let mut input = Map::new();
                input.insert("config".into(), config);
                insert_some(&mut input, "environment", environment.map(|e| json!(e)));
                input.insert("visitor_id".into(), json!(visitor_id));
                insert_some(
                    &mut input,
                    "visitor_attributes",
                    attributes.map(Value::Object),
                );
                insert_some(
                    &mut input,
                    "location_attributes",
                    location.map(Value::Object),
                );
                insert_some(&mut input, "visitor_state", state);
                input
            },
        )
}

/// A key from `keys`, or one the config does not have.
fn key_of(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(keys).prop_map(str::to_owned),
        1 => Just("missing".to_owned()),
    ]
}

/// A preview (`set_preview`) of some experience's variation.
fn preview() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(EXPERIENCE_IDS),
        prop::sample::select(VARIATION_IDS),
    )
        .prop_map(|(e, v)| json!({"experience_id": e, "variation_id": v}))
}

/// `experience`: `run_experience` with every optional input.
fn experience() -> impl Strategy<Value = Value> {
    (
        visitor_call(),
        key_of(EXPERIENCE_KEYS),
        maybe(5, 1, prop::sample::select(VARIATION_IDS)),
        maybe(30, 1, preview()),
    )
        .prop_map(|(mut input, key, forced, preview)| {
            input.insert("experience_key".into(), json!(key));
            insert_some(&mut input, "force_variation_id", forced.map(|f| json!(f)));
            insert_some(&mut input, "preview", preview);
            Value::Object(input)
        })
}

/// `experiences`: `run_experiences`.
fn experiences() -> impl Strategy<Value = Value> {
    (visitor_call(), maybe(30, 1, preview())).prop_map(|(mut input, preview)| {
        insert_some(&mut input, "preview", preview);
        Value::Object(input)
    })
}

/// `feature`: `run_feature` or `run_features`, with and without casting.
fn feature() -> impl Strategy<Value = Value> {
    (
        visitor_call(),
        any::<bool>(),
        key_of(FEATURE_KEYS),
        maybe(
            4,
            1,
            prop::sample::subsequence(EXPERIENCE_KEYS, 0..=2)
                .prop_map(|k| k.into_iter().map(str::to_owned).collect::<Vec<_>>()),
        ),
        maybe(2, 1, any::<bool>()),
    )
        .prop_map(|(mut input, single, key, experience_keys, casting)| {
            if single {
                input.insert("call".into(), json!("run_feature"));
                input.insert("feature_key".into(), json!(key));
                insert_some(
                    &mut input,
                    "experience_keys",
                    experience_keys.map(|k| json!(k)),
                );
            } else {
                input.insert("call".into(), json!("run_features"));
            }
            insert_some(&mut input, "type_casting", casting.map(Value::Bool));
            Value::Object(input)
        })
}

/// Entity types the lookups name: every plural, some singular aliases, one
/// unknown.
const ENTITY_TYPES: &[&str] = &[
    "experiences",
    "features",
    "goals",
    "audiences",
    "segments",
    "locations",
    "experience",
    "feature",
    "variations",
    "nope",
];

/// Keys and ids entity lookups ask for: from every pool, plus unknown ones.
const ENTITY_NAMES: &[&str] = &[
    "exp-a", "exp-b", "feat-a", "goal-a", "seg-a", "aud-0", "loc-0", "100", "2", "500", "800",
    "900", "950", "missing",
];

/// `segments`: custom segments, stored segments and entity lookups.
fn segments() -> impl Strategy<Value = Value> {
    let custom = (
        visitor_call(),
        prop::collection::vec(key_of(SEGMENT_KEYS), 0..3),
        maybe(1, 3, values::attributes(VISITOR_KEYS)),
    )
        .prop_map(|(call, keys, rule_data)| {
            let mut input = without_locations(call);
            input.insert("op".into(), json!("run_custom_segments"));
            input.insert("segment_keys".into(), json!(keys));
            insert_some(&mut input, "rule_data", rule_data.map(Value::Object));
            Value::Object(input)
        });
    let set = (visitor_call(), segments_map()).prop_map(|(call, segments)| {
        let mut input = without_locations(call);
        input.insert("op".into(), json!("set_segments"));
        input.insert("segments".into(), Value::Object(segments));
        Value::Object(input)
    });
    let lookup = (
        config::project_config(),
        prop::sample::select(ENTITY_TYPES),
        0..3u8,
        prop::collection::vec(prop::sample::select(ENTITY_NAMES), 0..4),
    )
        .prop_map(|(config, entity_type, op, names)| {
            let first = names.first().copied().unwrap_or("exp-a");
            match op {
                0 => obj([
                    ("op", "get_entity".into()),
                    ("config", config),
                    ("entity_type", entity_type.into()),
                    ("key", first.into()),
                ]),
                1 => obj([
                    ("op", "get_entity_by_id".into()),
                    ("config", config),
                    ("entity_type", entity_type.into()),
                    ("id", first.into()),
                ]),
                _ => obj([
                    ("op", "get_entities".into()),
                    ("config", config),
                    ("entity_type", entity_type.into()),
                    ("keys", names.into()),
                ]),
            }
        });
    prop_oneof![3 => custom, 2 => set, 2 => lookup]
}

/// A visitor call without the fields the `segments` operations do not take.
fn without_locations(mut call: Map<String, Value>) -> Map<String, Value> {
    call.remove("location_attributes");
    call.remove("environment");
    call
}

/// Segments to store: report keys (country, browser, …), custom segments and
/// other keys.
fn segments_map() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec(
        (
            prop::sample::select(
                &[
                    "country",
                    "browser",
                    "devices",
                    "source",
                    "campaign",
                    "visitorType",
                    "customSegments",
                    "plan",
                ][..],
            ),
            values::scalar(),
        ),
        0..4,
    )
    .prop_map(|pairs| pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// `diagnostics`: `diagnose_experience`, `_feature`, `_goal`, `_entity`.
fn diagnostics() -> impl Strategy<Value = Value> {
    (
        visitor_call(),
        0..4u8,
        key_of(EXPERIENCE_KEYS),
        key_of(FEATURE_KEYS),
        key_of(GOAL_KEYS_BY_POSITION),
        prop::sample::select(ENTITY_TYPES),
        prop::sample::select(ENTITY_NAMES),
    )
        .prop_map(
            |(mut input, what, experience, feature, goal, entity_type, entity)| {
                let (diagnose, key) = match what {
                    0 => ("experience", experience),
                    1 => ("feature", feature),
                    2 => ("goal", goal),
                    _ => {
                        input.insert("entity_type".into(), json!(entity_type));
                        ("entity", entity.to_owned())
                    }
                };
                input.insert("diagnose".into(), json!(diagnose));
                input.insert("key".into(), json!(key));
                Value::Object(input)
            },
        )
}

/// `config_validation`: a valid config, or one with one fault of the
/// contract (or a near miss that is still valid).
fn config_validation() -> impl Strategy<Value = Value> {
    (config::project_config(), 0..16u8).prop_map(|(mut config, fault)| {
        let set = |config: &mut Value, pointer: &str, value: Value| {
            if let Some(slot) = config.pointer_mut(pointer) {
                *slot = value;
            }
        };
        match fault {
            0 => config = json!([]),
            1 => config = json!("config"),
            2 => {
                if let Some(map) = config.as_object_mut() {
                    map.remove("account_id");
                }
            }
            3 => set(&mut config, "/account_id", json!("")),
            4 => set(&mut config, "/account_id", Value::Null),
            5 => set(&mut config, "/project", Value::Null),
            6 => set(&mut config, "/project", json!("200")),
            7 => set(&mut config, "/project/id", json!("")),
            8 => set(&mut config, "/experiences", Value::Null),
            9 => set(&mut config, "/features", json!({})),
            10 => set(&mut config, "/goals", json!("x")),
            11 => set(&mut config, "/audiences", json!(5)),
            12 => set(&mut config, "/account_id", json!(100)),
            _ => {}
        }
        obj([("config", config)])
    })
}

/// Conversion data as the JS SDK takes it (`[{"key", "value"}]`).
fn goal_data() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(
        (
            prop::sample::select(
                &[
                    "amount",
                    "productsCount",
                    "transactionId",
                    "customDimension",
                ][..],
            ),
            prop_oneof![values::number(), values::string().prop_map(Value::String)],
        ),
        0..3,
    )
    .prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(key, value)| obj([("key", key.into()), ("value", value)]))
            .collect()
    })
}

/// One operation of a scenario on context `c0` or `c1`.
fn operation() -> impl Strategy<Value = Value> {
    let context = || prop::sample::select(&["c0", "c0", "c1"][..]);
    let location = || maybe(1, 6, values::attributes(LOCATION_KEYS));
    prop_oneof![
        4 => (context(), key_of(EXPERIENCE_KEYS), location(),
              maybe(3, 1, values::attributes(VISITOR_KEYS)), maybe(4, 1, any::<bool>()))
            .prop_map(|(c, key, loc, attrs, tracking)| {
                let mut op = Map::new();
                op.insert("op".into(), json!("run_experience"));
                op.insert("context".into(), json!(c));
                op.insert("key".into(), json!(key));
                insert_some(&mut op, "location_attributes", loc.map(Value::Object));
                insert_some(&mut op, "attributes", attrs.map(Value::Object));
                insert_some(&mut op, "enable_tracking", tracking.map(Value::Bool));
                Value::Object(op)
            }),
        1 => (context(), location(), maybe(4, 1, any::<bool>()))
            .prop_map(|(c, loc, tracking)| {
                let mut op = Map::new();
                op.insert("op".into(), json!("run_experiences"));
                op.insert("context".into(), json!(c));
                insert_some(&mut op, "location_attributes", loc.map(Value::Object));
                insert_some(&mut op, "enable_tracking", tracking.map(Value::Bool));
                Value::Object(op)
            }),
        2 => (context(), key_of(FEATURE_KEYS), location())
            .prop_map(|(c, key, loc)| {
                let mut op = Map::new();
                op.insert("op".into(), json!("run_feature"));
                op.insert("context".into(), json!(c));
                op.insert("key".into(), json!(key));
                insert_some(&mut op, "location_attributes", loc.map(Value::Object));
                Value::Object(op)
            }),
        3 => (context(), key_of(GOAL_KEYS_BY_POSITION), maybe(1, 1, goal_data()),
              maybe(3, 1, any::<bool>()), maybe(1, 1, values::attributes(GOAL_KEYS)))
            .prop_map(|(c, goal, data, force, rule_data)| {
                let mut op = Map::new();
                op.insert("op".into(), json!("track_conversion"));
                op.insert("context".into(), json!(c));
                op.insert("goal_key".into(), json!(goal));
                insert_some(&mut op, "goal_data", data.map(Value::Array));
                insert_some(&mut op, "force_multiple", force.map(Value::Bool));
                insert_some(&mut op, "rule_data", rule_data.map(Value::Object));
                Value::Object(op)
            }),
        1 => (context(), segments_map())
            .prop_map(|(c, segments)| {
                obj([("op", "set_segments".into()), ("context", c.into()),
                     ("segments", Value::Object(segments))])
            }),
        1 => (context(), prop::collection::vec(key_of(SEGMENT_KEYS), 0..3),
              maybe(1, 3, values::attributes(VISITOR_KEYS)))
            .prop_map(|(c, keys, rule_data)| {
                let mut op = Map::new();
                op.insert("op".into(), json!("run_custom_segments"));
                op.insert("context".into(), json!(c));
                op.insert("segment_keys".into(), json!(keys));
                insert_some(&mut op, "rule_data", rule_data.map(Value::Object));
                Value::Object(op)
            }),
        1 => Just(json!({"op": "flush"})),
    ]
}

/// `scenario`: two contexts, up to eight operations, a final flush.
fn scenario() -> impl Strategy<Value = Value> {
    (
        config::project_config(),
        maybe(3, 1, prop::sample::select(ENVIRONMENTS)),
        maybe(1, 2, prop::sample::select(&[1u32, 2, 3, 10][..])),
        values::visitor_id(),
        values::visitor_id(),
        maybe(1, 2, values::attributes(VISITOR_KEYS)),
        prop::collection::vec(operation(), 1..8),
    )
        .prop_map(
            |(config, environment, batch_size, v0, v1, attributes, operations)| {
                let mut sdk = Map::new();
                insert_some(&mut sdk, "environment", environment.map(|e| json!(e)));
                insert_some(&mut sdk, "batch_size", batch_size.map(|b| json!(b)));
                let mut create = Map::new();
                create.insert("op".into(), json!("create_context"));
                create.insert("context".into(), json!("c0"));
                create.insert("visitor_id".into(), json!(v0));
                insert_some(&mut create, "attributes", attributes.map(Value::Object));
                let mut all = vec![
                    Value::Object(create),
                    json!({"op": "create_context", "context": "c1", "visitor_id": v1}),
                ];
                all.extend(operations);
                all.push(json!({"op": "flush"}));
                obj([
                    ("config", config),
                    ("sdk", Value::Object(sdk)),
                    ("operations", Value::Array(all)),
                ])
            },
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::test_runner::{Config, TestRunner};

    #[test]
    fn every_family_generates_valid_inputs() {
        for family in Family::ALL {
            let mut runner = TestRunner::new(Config::default());
            let strategy = input_strategy(*family);
            for _ in 0..300 {
                let input = strategy.new_tree(&mut runner).unwrap().current();
                if let Err(e) = convert_spec::families::check_input(*family, &input) {
                    panic!("{family}: {e}\n{input}");
                }
            }
        }
    }
}
