//! Property tests: the hash against the `murmur3` crate, the integer bucket
//! formula against the JavaScript one, and totality (no panic, consistent
//! outcomes) of rule and experience evaluation on arbitrary JSON.

use std::io::Cursor;
use std::num::NonZeroU32;

use convert_engine::Engine;
use convert_engine::bucketing::{self, Arm, Layout, MAX_TRAFFIC, PackedBuckets};
use convert_engine::config::ProjectConfig;
use convert_engine::experience::{LocationAttributes, RunOptions};
use convert_engine::hash::murmur3_x86_32;
use convert_engine::rule::{self, Operator, RuleOutcome};
use convert_engine::visitor::Visitor;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn oracle(data: &[u8], seed: u32) -> u32 {
    murmur3::murmur3_32(&mut Cursor::new(data), seed).expect("reading from a slice cannot fail")
}

/// Scalars that exercise JavaScript coercions.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-1000i64..1000).prop_map(|n| json!(n)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        prop::sample::select(vec![
            "",
            " ",
            "0",
            "1,000",
            "0,500",
            "-0,5",
            ".5",
            "abc",
            "ABC",
            "pro",
            "US",
            "a|b",
            "running",
            "stopped",
            "all",
            "any",
            "RuleData",
            "convert.com_no_data_found",
            "(",
            "^a.*$",
            "1003142550",
        ])
        .prop_map(|s| json!(s)),
        "\\PC{0,8}".prop_map(Value::String),
    ]
}

/// Arbitrary JSON, biased towards the keys rules and configs use.
fn json_value() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "OR",
        "AND",
        "OR_WHEN",
        "key",
        "value",
        "matching",
        "match_type",
        "negated",
        "rule_type",
        "name",
        "a",
        "b",
        "0",
        "constructor",
        "mapper",
        "prototype",
        "__proto__",
    ]);
    scalar().prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..5).prop_map(|entries| Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect()
            )),
        ]
    })
}

/// A well-formed rule item with arbitrary operator, key, value and data.
fn rule_item() -> impl Strategy<Value = Value> {
    let operators: Vec<&str> = Operator::ALL
        .iter()
        .map(|op| op.as_str())
        .chain(["nope"])
        .collect();
    (prop::sample::select(operators), prop::sample::select(vec!["a", "b", "0"]), scalar(), any::<bool>()).prop_map(
        |(op, key, value, negated)| {
            json!({"rule_type": "generic", "key": key, "value": value, "matching": {"match_type": op, "negated": negated}})
        },
    )
}

fn rule_set() -> impl Strategy<Value = Value> {
    prop::collection::vec(
        prop::collection::vec(prop::collection::vec(rule_item(), 0..3), 0..3),
        0..3,
    )
    .prop_map(|or| {
        json!({"OR": or.into_iter().map(|and| json!({"AND": and.into_iter()
                .map(|items| json!({"OR_WHEN": items})).collect::<Vec<_>>()})).collect::<Vec<_>>()})
    })
}

fn data() -> impl Strategy<Value = Value> {
    prop::collection::vec(
        (prop::sample::select(vec!["a", "b", "0", "name"]), scalar()),
        0..4,
    )
    .prop_map(|entries| {
        Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    })
}

fn check_outcome(outcome: &RuleOutcome) {
    // The outcome is exactly one of true / false / another value / a throw.
    assert!(!(outcome.is_true() && outcome.is_false()));
    if let RuleOutcome::Value(v) = outcome {
        assert!(!v.is_boolean(), "booleans are Matched/NotMatched, got {v}");
    }
    if outcome.is_true() {
        assert!(outcome.is_truthy());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn hash_matches_the_murmur3_crate(data in prop::collection::vec(any::<u8>(), 0..300), seed in any::<u32>()) {
        prop_assert_eq!(murmur3_x86_32(&data, seed), oracle(&data, seed));
    }

    #[test]
    fn hash_of_strings_matches_the_murmur3_crate(s in "\\PC{0,40}", seed in any::<u32>()) {
        prop_assert_eq!(convert_engine::hash::hash_str(&s, seed), oracle(s.as_bytes(), seed));
    }

    #[test]
    fn integer_bucket_formula_equals_the_js_formula(hash in any::<u32>()) {
        let js = bucketing::scale_hash_js(hash, NonZeroU32::new(MAX_TRAFFIC).unwrap());
        prop_assert_eq!(bucketing::scale_hash(hash), js);
        prop_assert!(js < MAX_TRAFFIC);
    }

    #[test]
    fn bucket_values_are_in_range(experience in "\\PC{0,12}", visitor in "\\PC{0,24}") {
        prop_assert!(bucketing::bucket_value(&experience, &visitor) < MAX_TRAFFIC);
    }

    #[test]
    fn full_allocation_always_selects(weights in prop::collection::vec(1u32..=100, 1..6), value in 0u32..MAX_TRAFFIC) {
        // Integer weights rescaled to sum to exactly 100.
        let total: u32 = weights.iter().sum();
        let mut remaining = 100u32;
        let mut variations = Vec::new();
        for (i, w) in weights.iter().enumerate() {
            let share = if i + 1 == weights.len() { remaining } else { (w * 100 / total).min(remaining) };
            remaining -= share;
            variations.push(json!({"id": format!("v{i}"), "traffic_allocation": share}));
        }
        let arms: Vec<Arm<'_>> = variations.iter().map(Arm::from_variation).collect();
        let packed = PackedBuckets::build(&arms).select(value).map(str::to_owned);
        let anchored = bucketing::select_variation(Layout::Anchored, &arms, value);
        // At 100 % with every arm active, in config order == key order, the
        // two layouts agree (digest §2.4) — except at a boundary whose
        // anchor `(cumulative / 100) × 10000` rounds above the integer in
        // doubles (81 / 100 × 10000 is 8100.000000000001, as in
        // JavaScript): the visitor at exactly that value is in no anchored
        // band (`spec/bucketing.md`).
        if variations.iter().all(|v| v["traffic_allocation"].as_u64() > Some(0)) {
            prop_assert!(packed.is_some());
            let mut cumulative = 0u32;
            let mut rounded_gap = false;
            for v in &variations {
                let anchor = (f64::from(cumulative) / 100.0) * 10_000.0;
                rounded_gap |= value == cumulative * 100 && anchor > f64::from(value);
                cumulative += v["traffic_allocation"].as_u64().map_or(0, |n| n as u32);
            }
            if rounded_gap {
                prop_assert_eq!(anchored, None);
            } else {
                prop_assert_eq!(packed, anchored);
            }
        }
    }

    #[test]
    fn rules_never_panic_on_arbitrary_json(rule_set in json_value(), data in json_value()) {
        check_outcome(&rule::evaluate(&rule_set, &data).outcome);
    }

    #[test]
    fn rules_never_panic_on_well_formed_rules(rule_set in rule_set(), data in data()) {
        check_outcome(&rule::evaluate(&rule_set, &data).outcome);
    }

    #[test]
    fn experiences_never_panic_on_arbitrary_configs(
        experience in json_value(),
        extra in json_value(),
        attributes in data(),
        visitor in "\\PC{0,6}",
    ) {
        let mut config = Map::new();
        config.insert("experiences".into(), json!([experience.clone(), {"key": "k", "id": "1", "variations": extra}]));
        config.insert("audiences".into(), json!([experience.clone()]));
        config.insert("segments".into(), json!([extra.clone()]));
        config.insert("locations".into(), extra.clone());
        config.insert("archived_experiences".into(), extra);
        let Ok(config) = ProjectConfig::from_value(&Value::Object(config)) else {
            return Err(TestCaseError::fail("an object root must read"));
        };
        let Value::Object(attributes) = attributes else { unreachable!() };
        let visitor = Visitor::new(visitor, &attributes);
        for key in ["k", "undefined", "a"] {
            for location in [LocationAttributes::Absent, LocationAttributes::Ignore, LocationAttributes::Properties(&attributes)] {
                let options = RunOptions { location, ..RunOptions::default() };
                let decision = Engine::default().run_experience(&config, &visitor, key, &options);
                prop_assert_eq!(decision.variation.is_some(), decision.reason == convert_engine::diagnostics::Reason::Resolved);
            }
        }
    }
}

#[test]
fn hash_matches_the_oracle_for_every_length_up_to_1024() {
    let data: Vec<u8> = (0..1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    for len in 0..=data.len() {
        assert_eq!(
            murmur3_x86_32(&data[..len], 42),
            oracle(&data[..len], 42),
            "length {len}"
        );
    }
}

#[test]
fn integer_formula_at_the_edges() {
    let js = |h| bucketing::scale_hash_js(h, NonZeroU32::new(MAX_TRAFFIC).unwrap());
    for h in [
        0,
        1,
        429_496,
        429_497,
        2_147_483_648,
        u32::MAX - 1,
        u32::MAX,
    ] {
        assert_eq!(bucketing::scale_hash(h), js(h), "hash {h}");
    }
    assert_eq!(bucketing::scale_hash(u32::MAX), 9999);
    assert_eq!(bucketing::scale_hash(429_497), 1);
}
