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
