//! The Python SDK's `tests/parity/fixtures/*.json` formats.

use std::path::Path;

use convert_spec::Family;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::{Built, ImportError, PeerKind, parse, provenance_notes};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HashFile {
    generated_from: Map<String, Value>,
    vectors: Vec<HashVector>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HashVector {
    value: String,
    seed: u32,
    expected: u32,
}

/// `bucketing_vectors.json` → `hash` cases.
pub(crate) fn hash(kind: PeerKind, path: &Path, text: &str) -> Result<Built, ImportError> {
    let file: HashFile = parse(kind, path, text)?;
    let mut built = Built::new(
        Family::Hash,
        "The Python SDK's murmur3 parity fixtures (bucketing_vectors.json)",
    );
    built.notes = provenance_notes(&file.generated_from);
    for (i, v) in file.vectors.into_iter().enumerate() {
        built.case(
            format!("peer/{kind}/{i:03}-seed{}", v.seed),
            format!("murmur3({:?}, seed {})", v.value, v.seed),
            json!({"value": v.value, "seed": v.seed}),
            json!({"hash": v.expected}),
        );
    }
    Ok(built)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    generated_from: Map<String, Value>,
    vectors: Vec<RuleVector>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleVector {
    id: String,
    data: Value,
    rule: Value,
    expected: bool,
}

/// `rule_vectors.json` → `rule` cases.
pub(crate) fn rule(kind: PeerKind, path: &Path, text: &str) -> Result<Built, ImportError> {
    let file: RuleFile = parse(kind, path, text)?;
    let mut built = Built::new(
        Family::Rule,
        "The Python SDK's rule parity fixtures (rule_vectors.json)",
    );
    built.notes = provenance_notes(&file.generated_from);
    for v in file.vectors {
        built.case(
            format!("peer/{kind}/{}", v.id),
            format!("rule fixture `{}`", v.id),
            json!({"rule": v.rule, "data": v.data}),
            json!({"matched": v.expected}),
        );
    }
    Ok(built)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    generated_from: Map<String, Value>,
    vectors: Vec<StateVector>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateVector {
    id: String,
    config: Value,
    operation: StateOperation,
    expected: Value,
}

#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
enum StateOperation {
    GetEntity {
        entity_type: String,
        key: String,
    },
    GetEntityById {
        entity_type: String,
        id: String,
    },
    GetEntities {
        entity_type: String,
        keys: Vec<String>,
    },
    SelectCustomSegments {
        segment_keys: Vec<String>,
        segment_rule: Option<Map<String, Value>>,
    },
}

fn id_list(
    kind: PeerKind,
    path: &Path,
    at: &str,
    expected: &Value,
) -> Result<Vec<String>, ImportError> {
    let bad = || ImportError::Format {
        path: path.to_owned(),
        kind,
        at: at.to_owned(),
        message: format!("expected an id, null or a list of ids, got {expected}"),
    };
    match expected {
        Value::Null => Ok(Vec::new()),
        Value::String(id) => Ok(vec![id.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(bad))
            .collect(),
        _ => Err(bad()),
    }
}

/// `state_vectors.json` → `segments` cases: entity lookups and custom
/// segments. A `select_custom_segments` case runs `run_custom_segments` for a
/// fresh visitor with the segment rule as rule data (absent when the peer's
/// rule is null); its expected ids are the ids the call adds.
pub(crate) fn state(kind: PeerKind, path: &Path, text: &str) -> Result<Built, ImportError> {
    let file: StateFile = parse(kind, path, text)?;
    let mut built = Built::new(
        Family::Segments,
        "The Python SDK's entity-lookup and custom-segment parity fixtures (state_vectors.json)",
    );
    built.notes = provenance_notes(&file.generated_from);
    built.notes.push("select_custom_segments is run as run_custom_segments for a fresh visitor; a null segment_rule means no rule data".into());
    for (i, v) in file.vectors.into_iter().enumerate() {
        let at = format!("vectors[{i}].expected");
        let ids = id_list(kind, path, &at, &v.expected)?;
        let (input, expected, what) = match v.operation {
            StateOperation::GetEntity { entity_type, key } => (
                json!({"op": "get_entity", "config": v.config, "entity_type": entity_type, "key": key}),
                json!({"ids": ids}),
                "entity by key",
            ),
            StateOperation::GetEntityById { entity_type, id } => (
                json!({"op": "get_entity_by_id", "config": v.config, "entity_type": entity_type, "id": id}),
                json!({"ids": ids}),
                "entity by id",
            ),
            StateOperation::GetEntities { entity_type, keys } => (
                json!({"op": "get_entities", "config": v.config, "entity_type": entity_type, "keys": keys}),
                json!({"ids": ids}),
                "entities by key",
            ),
            StateOperation::SelectCustomSegments {
                segment_keys,
                segment_rule,
            } => {
                let mut input = json!({"op": "run_custom_segments", "config": v.config,
                    "visitor_id": "visitor-state-parity", "segment_keys": segment_keys});
                if let Some(rule) = segment_rule {
                    input["rule_data"] = Value::Object(rule);
                }
                (
                    input,
                    json!({"added": ids, "custom_segments": ids}),
                    "custom segments",
                )
            }
        };
        built.case(
            format!("peer/{kind}/{}", v.id),
            format!("state fixture `{}` ({what})", v.id),
            input,
            expected,
        );
    }
    Ok(built)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureFile {
    generated_from: Map<String, Value>,
    vectors: Vec<Value>,
}

/// `feature_vectors.json`: every expected value asserts a `variation_key`,
/// which the `feature` family (like the JS SDK's feature entries) does not
/// carry, so the file cannot be imported without dropping it.
pub(crate) fn feature(
    kind: PeerKind,
    path: &Path,
    text: &str,
) -> Result<Option<String>, ImportError> {
    let file: FeatureFile = parse(kind, path, text)?;
    let _ = file.generated_from;
    let asserts_variation = file.vectors.iter().any(|v| {
        v.get("expected")
            .and_then(|e| e.get("variation_key"))
            .is_some()
    });
    Ok(asserts_variation.then(|| {
        "its expected values assert `variation_key`, a field the `feature` family (like the JS SDK's feature entries) does not carry; importing would drop it".to_owned()
    }))
}
