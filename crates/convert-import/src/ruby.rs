//! The Ruby SDK's `spec/fixtures/cross_sdk/test-vectors.json` format.

use std::path::Path;

use convert_spec::Family;
use serde::Deserialize;
use serde_json::json;

use crate::{Built, ImportError, PeerKind, parse};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HashVector {
    category: String,
    input: String,
    seed: u32,
    expected: u32,
}

/// `test-vectors.json` (a bare list) → `hash` cases.
pub(crate) fn hash(kind: PeerKind, path: &Path, text: &str) -> Result<Built, ImportError> {
    let vectors: Vec<HashVector> = parse(kind, path, text)?;
    let mut built = Built::new(
        Family::Hash,
        "The Ruby SDK's murmur3 cross-SDK vectors (test-vectors.json)",
    );
    for (i, v) in vectors.into_iter().enumerate() {
        let shown: String = v.input.chars().take(40).collect();
        built.case(
            format!("peer/{kind}/{i:03}-{}", v.category),
            format!(
                "{} input {shown:?}{} ({} chars), seed {}",
                v.category,
                if v.input.chars().count() > 40 {
                    "…"
                } else {
                    ""
                },
                v.input.chars().count(),
                v.seed
            ),
            json!({"value": v.input, "seed": v.seed}),
            json!({"hash": v.expected}),
        );
    }
    Ok(built)
}
