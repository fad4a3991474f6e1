//! Project configs (`ConfigResponseData`) with random experiences,
//! variations, allocations, audiences, locations, segments, features and
//! goals, and the visitor state an SDK may have stored for them.
//!
//! Ids come from small fixed pools, assigned by position, so that the
//! references between entities (an experience's audiences, a change's
//! feature, a stored decision's variation) resolve most of the time and
//! sometimes do not. Integer-like ids (`"2"`, `"10"`, `"100"`) sit beside
//! other ids, in random order, because JavaScript enumerates integer-like
//! object keys first and in ascending order.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::rules::{self, GOAL_KEYS, LOCATION_KEYS, VISITOR_KEYS};
use crate::values::{self, obj};

/// Experience ids, by position in the config.
pub const EXPERIENCE_IDS: &[&str] = &["100", "300", "2", "exp-9"];
/// Experience keys, by position in the config.
pub const EXPERIENCE_KEYS: &[&str] = &["exp-a", "exp-b", "exp-c", "exp-d"];
/// Variation ids: every experience takes a shuffled selection.
pub const VARIATION_IDS: &[&str] = &["1", "2", "10", "1001", "1002", "a", "v-x"];
/// Audience ids, by position.
pub const AUDIENCE_IDS: &[&str] = &["500", "501", "502"];
/// Segment ids, by position.
pub const SEGMENT_IDS: &[&str] = &["800", "801"];
/// Segment keys, by position.
pub const SEGMENT_KEYS: &[&str] = &["seg-a", "seg-b"];
/// Location ids, by position.
pub const LOCATION_IDS: &[&str] = &["700", "701"];
/// Feature ids, by position.
pub const FEATURE_IDS: &[&str] = &["900", "901", "902"];
/// Feature keys, by position.
pub const FEATURE_KEYS: &[&str] = &["feat-a", "feat-b", "feat-c"];
/// Goal ids, by position.
pub const GOAL_IDS: &[&str] = &["950", "951"];
/// Goal keys, by position.
pub const GOAL_KEYS_BY_POSITION: &[&str] = &["goal-a", "goal-b"];
/// Feature variable names.
pub const VARIABLE_KEYS: &[&str] = &["enabled", "size", "label", "ratio", "payload"];
/// Feature variable types (`castType`'s), plus one it does not know.
pub const VARIABLE_TYPES: &[&str] = &["boolean", "integer", "float", "string", "json", "color"];
/// The environments configs and SDKs name.
pub const ENVIRONMENTS: &[&str] = &["staging", "production"];

/// Raw variable values as configs carry them: mostly strings, in the forms
/// `castType` treats differently, sometimes numbers, booleans or objects.
fn raw_variable_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => prop::sample::select(
            &["true", "false", "1", "0", "12", "12.9", "-3", "0x1f", "1e3", " 7", "", "abc",
              "{\"a\":1}", "[1,2]", "null", "TRUE"][..]
        )
        .prop_map(|s| Value::String(s.to_owned())),
        2 => values::scalar(),
        1 => values::json_value(),
    ]
}

/// How a variation's `traffic_allocation` is chosen.
#[derive(Clone, Debug)]
enum Allocation {
    /// An equal share of 100 (`100 / n`, as a float).
    Balanced,
    /// An equal share rounded to two decimals (what dashboards save).
    Rounded,
    /// A given value.
    Value(Value),
    /// The field is absent.
    Absent,
}

fn allocation() -> impl Strategy<Value = Allocation> {
    prop_oneof![
        5 => Just(Allocation::Balanced),
        2 => Just(Allocation::Rounded),
        3 => (0i64..=100).prop_map(|n| Allocation::Value(n.into())),
        1 => prop::sample::select(&[0.5, 33.33, 33.34, 8.333333333333334, 99.99, 100.5, -10.0][..])
            .prop_map(|f| Allocation::Value(values::float(f))),
        1 => prop::sample::select(&["50", "", "abc", "100"][..])
            .prop_map(|s| Allocation::Value(Value::String(s.to_owned()))),
        1 => Just(Allocation::Value(Value::Null)),
        1 => Just(Allocation::Absent),
    ]
}

fn variation_status() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        8 => Just(Some("running")),
        2 => Just(Some("stopped")),
        1 => prop::sample::select(&["", "Running", "paused"][..]).prop_map(Some),
        1 => Just(None),
    ]
}

/// A `fullStackFeature` change for one of the pool's features.
fn change() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(FEATURE_IDS),
        any::<bool>(),
        prop::collection::vec(
            (prop::sample::select(VARIABLE_KEYS), raw_variable_value()),
            0..3,
        ),
    )
        .prop_map(|(feature_id, numeric_id, variables)| {
            // Real configs carry `feature_id` as a number.
            let feature_id = if numeric_id {
                feature_id.parse::<u64>().map_or(Value::Null, Value::from)
            } else {
                Value::String(feature_id.to_owned())
            };
            let variables: Map<String, Value> = variables
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
            obj([
                ("id", "c1".into()),
                ("type", "fullStackFeature".into()),
                (
                    "data",
                    obj([
                        ("feature_id", feature_id),
                        ("variables_data", Value::Object(variables)),
                    ]),
                ),
            ])
        })
}

/// The variations of one experience: one to four, with shuffled ids.
pub fn variations() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(
            (
                allocation(),
                variation_status(),
                prop::collection::vec(change(), 0..2),
            ),
            1..=4,
        ),
        Just(VARIATION_IDS.to_vec()).prop_shuffle(),
    )
        .prop_map(|(bodies, ids)| {
            let n = bodies.len();
            let list: Vec<Value> = bodies
                .into_iter()
                .zip(ids)
                .map(|((allocation, status, changes), id)| {
                    let mut v = Map::new();
                    v.insert("id".into(), json!(id));
                    v.insert("key".into(), json!(format!("var-{id}")));
                    v.insert("name".into(), json!(format!("Variation {id}")));
                    if let Some(status) = status {
                        v.insert("status".into(), json!(status));
                    }
                    #[allow(clippy::cast_precision_loss)]
                    let share = 100.0 / n as f64;
                    match allocation {
                        Allocation::Balanced => {
                            v.insert("traffic_allocation".into(), values::float(share));
                        }
                        Allocation::Rounded => {
                            let rounded = (share * 100.0).round() / 100.0;
                            v.insert("traffic_allocation".into(), values::float(rounded));
                        }
                        Allocation::Value(value) => {
                            v.insert("traffic_allocation".into(), value);
                        }
                        Allocation::Absent => {}
                    }
                    v.insert("changes".into(), Value::Array(changes));
                    Value::Object(v)
                })
                .collect();
            Value::Array(list)
        })
}

/// `experience.version`: 11 mostly, 12 (the anchored contract, which the
/// published JS SDK lacks: such cases fall to the next oracle) rarely, and
/// the values `Number()` turns into either.
fn version() -> impl Strategy<Value = Value> {
    prop_oneof![
        40 => Just(json!(11)),
        1 => Just(json!(12)),
        1 => prop::sample::select(vec![
            json!("12"),
            json!(11.5),
            Value::Null,
            json!("abc"),
            json!(true),
            json!(8),
        ]),
    ]
}

/// A selection of `pool`, in shuffled order, of at most `max` elements.
fn some_of(pool: &'static [&'static str], max: usize) -> impl Strategy<Value = Vec<String>> {
    prop::sample::subsequence(pool, 0..=max.min(pool.len()))
        .prop_shuffle()
        .prop_map(|ids| ids.into_iter().map(str::to_owned).collect())
}

/// Ids an experience's `audiences` may name: audiences, segments, and one
/// that resolves to nothing.
const AUDIENCE_REFS: &[&str] = &["500", "501", "502", "800", "801", "999"];
/// Ids an experience's `locations` may name.
const LOCATION_REFS: &[&str] = &["700", "701", "799"];

/// One experience body (id and key are given by position).
fn experience_body() -> impl Strategy<Value = Map<String, Value>> {
    (
        version(),
        prop::sample::select(&["active", "active", "active", "paused", "draft"][..]),
        values::maybe(
            4,
            1,
            prop::sample::select(&["staging", "production", ""][..]),
        ),
        some_of(AUDIENCE_REFS, 3),
        prop_oneof![3 => Just(Vec::new()), 1 => some_of(LOCATION_REFS, 2)],
        values::maybe(3, 1, rules::config_rule_object(LOCATION_KEYS)),
        prop::sample::select(&["any", "all"][..]),
        variations(),
    )
        .prop_map(
            |(
                version,
                status,
                environment,
                audiences,
                locations,
                site_area,
                matching,
                variations,
            )| {
                let mut e = Map::new();
                e.insert("name".into(), json!("experience"));
                e.insert("type".into(), json!("a/b_fullstack"));
                e.insert("version".into(), version);
                e.insert("status".into(), json!(status));
                if let Some(environment) = environment {
                    e.insert("environment".into(), json!(environment));
                }
                e.insert("audiences".into(), json!(audiences));
                e.insert("locations".into(), json!(locations));
                e.insert("site_area".into(), site_area.unwrap_or(Value::Null));
                e.insert("goals".into(), json!([]));
                e.insert(
                    "settings".into(),
                    json!({"matching_options": {"audiences": matching, "locations": "any"}}),
                );
                e.insert("variations".into(), variations);
                e
            },
        )
}

/// Names each body with the pool's id and key at its position.
fn by_position(
    bodies: Vec<Map<String, Value>>,
    ids: &[&str],
    keys: &[&str],
    key_prefix: &str,
) -> Value {
    Value::Array(
        bodies
            .into_iter()
            .enumerate()
            .map(|(i, body)| {
                let mut entity = Map::new();
                entity.insert("id".into(), json!(ids[i % ids.len()]));
                let key = keys
                    .get(i)
                    .map_or_else(|| format!("{key_prefix}-{i}"), |k| (*k).to_owned());
                entity.insert("key".into(), json!(key));
                entity.extend(body);
                Value::Object(entity)
            })
            .collect(),
    )
}

fn audience_body() -> impl Strategy<Value = Map<String, Value>> {
    let rules = prop_oneof![
        30 => rules::config_rule_object(VISITOR_KEYS),
        3 => Just(Value::Null),
        1 => exclusion_rule(),
    ];
    (
        prop::sample::select(&["transient", "transient", "permanent", "segmentation"][..]),
        rules,
    )
        .prop_map(|(kind, rules)| {
            let mut a = Map::new();
            a.insert("name".into(), json!("audience"));
            a.insert("type".into(), json!(kind));
            a.insert("rules".into(), rules);
            a
        })
}

/// A mutual-exclusion audience rule (`bucketed_into_experience_key`).
fn exclusion_rule() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(&["exp-a", "exp-b", "exp-c", "missing"][..]),
        any::<bool>(),
    )
        .prop_map(|(key, negated)| {
            json!({"OR": [{"AND": [{"OR_WHEN": [{
                "rule_type": "bucketed_into_experience_key",
                "value": key,
                "matching": {"match_type": "equals", "negated": negated},
            }]}]}]})
        })
}

fn named_rules(
    name: &'static str,
    keys: &'static [&'static str],
) -> impl Strategy<Value = Map<String, Value>> {
    rules::config_rule_object(keys).prop_map(move |rules| {
        let mut m = Map::new();
        m.insert("name".into(), json!(name));
        m.insert("rules".into(), rules);
        m
    })
}

fn goal_body() -> impl Strategy<Value = Map<String, Value>> {
    (
        prop::sample::select(&["revenue", "advanced"][..]),
        values::maybe(1, 1, rules::config_rule_object(GOAL_KEYS)),
    )
        .prop_map(|(kind, rules)| {
            let mut g = Map::new();
            g.insert("name".into(), json!("goal"));
            g.insert("type".into(), json!(kind));
            g.insert("rules".into(), rules.unwrap_or(Value::Null));
            g
        })
}

fn feature_body() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec(
        (
            prop::sample::select(VARIABLE_KEYS),
            prop::sample::select(VARIABLE_TYPES),
        ),
        0..4,
    )
    .prop_map(|variables| {
        let mut f = Map::new();
        f.insert("name".into(), json!("feature"));
        f.insert(
            "variables".into(),
            Value::Array(
                variables
                    .into_iter()
                    .map(|(key, kind)| json!({"key": key, "type": kind}))
                    .collect(),
            ),
        );
        f
    })
}

/// A whole project config.
pub fn project_config() -> impl Strategy<Value = Value> {
    (
        (
            prop::collection::vec(experience_body(), 1..=4),
            prop::collection::vec(audience_body(), 0..=3),
            prop::collection::vec(named_rules("location", LOCATION_KEYS), 0..=2),
            prop::collection::vec(named_rules("segment", VISITOR_KEYS), 0..=2),
        ),
        (
            prop::collection::vec(feature_body(), 0..=3),
            prop::collection::vec(goal_body(), 0..=2),
            prop_oneof![6 => Just(Vec::new()), 1 => some_of(EXPERIENCE_IDS, 1)],
        ),
    )
        .prop_map(
            |((experiences, audiences, locations, segments), (features, goals, archived))| {
                obj([
                    ("account_id", "100".into()),
                    (
                        "project",
                        json!({"id": "200", "name": "parity", "type": "fullstack"}),
                    ),
                    (
                        "experiences",
                        by_position(experiences, EXPERIENCE_IDS, EXPERIENCE_KEYS, "exp"),
                    ),
                    (
                        "audiences",
                        by_position(audiences, AUDIENCE_IDS, &[], "aud"),
                    ),
                    (
                        "locations",
                        by_position(locations, LOCATION_IDS, &[], "loc"),
                    ),
                    (
                        "segments",
                        by_position(segments, SEGMENT_IDS, SEGMENT_KEYS, "seg"),
                    ),
                    (
                        "features",
                        by_position(features, FEATURE_IDS, FEATURE_KEYS, "feat"),
                    ),
                    (
                        "goals",
                        by_position(goals, GOAL_IDS, GOAL_KEYS_BY_POSITION, "goal"),
                    ),
                    ("archived_experiences", archived.into()),
                ])
            },
        )
}

/// What an SDK had stored for the visitor: sticky decisions (experience id →
/// variation id, resolvable or not) and segments (report segments and
/// `customSegments`).
pub fn visitor_state() -> impl Strategy<Value = Value> {
    let bucketing = prop::collection::vec(
        (
            prop::sample::select(&["100", "300", "2", "exp-9", "404"][..]),
            prop::sample::select(&["1", "2", "10", "1001", "a", "v-x", "gone"][..]),
        ),
        0..3,
    )
    .prop_map(|pairs| {
        Value::Object(
            pairs
                .into_iter()
                .map(|(e, v)| (e.to_owned(), json!(v)))
                .collect(),
        )
    });
    let segments = (
        values::attributes(VISITOR_KEYS),
        values::maybe(1, 1, some_of(&["800", "801", "899"], 2)),
    )
        .prop_map(|(mut segments, custom)| {
            if let Some(custom) = custom {
                segments.insert("customSegments".into(), json!(custom));
            }
            Value::Object(segments)
        });
    (
        values::maybe(1, 3, bucketing),
        values::maybe(1, 1, segments),
    )
        .prop_map(|(bucketing, segments)| {
            let mut state = Map::new();
            if let Some(b) = bucketing {
                state.insert("bucketing".into(), b);
            }
            if let Some(s) = segments {
                state.insert("segments".into(), s);
            }
            Value::Object(state)
        })
}
