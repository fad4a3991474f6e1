//! Stored visitor state through the engine API: what a decision stores,
//! whether it is tracked, and `run_experiences` storing as it goes.
//!
//! Expected variations are those of the JS-oracle cases in
//! `vectors/v1/experience/sticky.json` (published JS SDK 4.4.3); the
//! `source`/`store` fields are the engine's account of the same SDK steps
//! (`_retrieveBucketing`: putData and enqueue only on the fresh path).

use convert_engine::Engine;
use convert_engine::config::ProjectConfig;
use convert_engine::experience::{
    DecisionSource, LocationAttributes, Preview, RunOptions, StoredDecision,
};
use convert_engine::visitor::{Visitor, VisitorState};
use serde_json::{Map, Value, json};

fn config(control: &str) -> ProjectConfig {
    ProjectConfig::from_value(&json!({
        "account_id": "100", "project": {"id": "200"},
        "experiences": [
            {"id": "300", "key": "exp-1", "version": 11,
             "settings": {"matching_options": {"audiences": "any", "locations": "any"}},
             "variations": [
                {"id": "301", "key": "control", "status": control, "traffic_allocation": 50},
                {"id": "302", "key": "treatment", "status": "running", "traffic_allocation": 50}]},
            {"id": "400", "key": "exp-2", "version": 11, "audiences": ["510"],
             "settings": {"matching_options": {"audiences": "any", "locations": "any"}},
             "variations": [{"id": "401", "key": "x", "traffic_allocation": 100}]}
        ],
        "audiences": [{"id": "510", "key": "in-1", "type": "transient", "rules": {"OR": [{"AND": [{"OR_WHEN": [
            {"rule_type": "bucketed_into_experience_key", "value": "exp-1",
             "matching": {"match_type": "equals", "negated": false}}]}]}]}}]
    }))
    .expect("an object")
}

fn visitor(id: &str, bucketing: Value) -> Visitor {
    let mut state = VisitorState::new();
    if let Value::Object(map) = bucketing {
        state.bucketing = map.into();
    }
    Visitor::with_state(id, &Map::new(), state)
}

fn options<'a>() -> RunOptions<'a> {
    RunOptions {
        location: LocationAttributes::Ignore,
        ..RunOptions::default()
    }
}

#[test]
fn a_fresh_decision_says_what_to_store_and_is_tracked() {
    // sticky/fresh-v2: visitor-2 → treatment.
    let decision = Engine::default().run_experience(
        &config("running"),
        &visitor("visitor-2", json!({})),
        "exp-1",
        &options(),
    );
    assert_eq!(
        decision.variation.as_ref().map(|v| v.id.as_str()),
        Some("302")
    );
    assert_eq!(decision.source, Some(DecisionSource::Fresh));
    assert_eq!(
        decision.store,
        Some(StoredDecision {
            experience_id: "300".into(),
            variation_id: "302".into()
        })
    );
    assert!(decision.is_tracked());
}

#[test]
fn a_stored_decision_wins_even_when_stopped_and_is_neither_stored_nor_tracked() {
    // sticky/stopped-stored-v2: the stored control wins though it stopped.
    let decision = Engine::default().run_experience(
        &config("stopped"),
        &visitor("visitor-2", json!({"300": "301"})),
        "exp-1",
        &options(),
    );
    assert_eq!(
        decision.variation.as_ref().map(|v| v.id.as_str()),
        Some("301")
    );
    assert_eq!(decision.source, Some(DecisionSource::Stored));
    assert_eq!(decision.store, None);
    assert!(!decision.is_tracked());
}

#[test]
fn a_forced_variation_that_differs_from_the_stored_one_replaces_it() {
    // sticky/force-treatment-control.
    let mut options = options();
    options.force_variation_id = Some("302");
    let decision = Engine::default().run_experience(
        &config("running"),
        &visitor("visitor-1", json!({"300": "301"})),
        "exp-1",
        &options,
    );
    assert_eq!(
        decision.variation.as_ref().map(|v| v.id.as_str()),
        Some("302")
    );
    assert_eq!(decision.source, Some(DecisionSource::Fresh));
    assert_eq!(
        decision.store.map(|s| s.variation_id),
        Some("302".to_owned())
    );
}

#[test]
fn run_experiences_stores_each_decision_before_the_next() {
    // exp-2's audience requires a stored exp-1 decision: it is made earlier
    // in the same call (experiences.storage).
    let mut visitor = visitor("visitor-1", json!({}));
    let decisions = Engine::default().run_experiences(&config("running"), &mut visitor, &options());
    let ids: Vec<_> = decisions
        .iter()
        .filter_map(|d| d.variation.as_ref().map(|v| v.id.clone()))
        .collect();
    assert_eq!(ids, ["301", "401"]);
    assert_eq!(
        Value::Object(visitor.state().bucketing.to_map()),
        json!({"300": "301", "400": "401"})
    );
}

#[test]
fn a_preview_shows_its_variation_and_stores_nothing() {
    let preview = Preview {
        experience_id: "300".into(),
        variation_id: "301".into(),
    };
    let mut options = options();
    options.preview = Some(&preview);
    let engine = Engine::default();
    let config = config("stopped");
    let decision =
        engine.run_experience(&config, &visitor("visitor-2", json!({})), "exp-1", &options);
    assert_eq!(
        decision.variation.as_ref().map(|v| v.id.as_str()),
        Some("301")
    );
    assert_eq!(decision.source, Some(DecisionSource::Preview));
    assert_eq!(decision.store, None);
    // Other experiences decide normally but store nothing either.
    let mut visitor = visitor("visitor-2", json!({}));
    let decisions = engine.run_experiences(&config, &mut visitor, &options);
    assert_eq!(decisions.len(), 1, "exp-2 needs a stored exp-1 decision");
    assert!(visitor.state().bucketing.is_empty());
}
