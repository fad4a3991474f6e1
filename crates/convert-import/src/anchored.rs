//! The JS SDK's `packages/bucketing/tests/cross-sdk-bucketing-vectors.json`
//! (59 vectors, contract 11 and 12), imported verbatim by the Python SDK as
//! `anchored_bucketing_vectors.json`.
//!
//! Each vector is imported as an `experience` case the way the JS repository's
//! own runners use it: one experience `{id, key: id, version, variations}`
//! with no audiences or locations, run for the visitor with empty location
//! attributes. Variations get `key = id` (the file has no keys), so the
//! expected `variation_key` equals the expected id. The file documents that
//! an expected `null` means the SDK's "variation not decided" outcome, hence
//! the reason `variation_not_decided`; otherwise `resolved`.

use std::path::Path;

use convert_spec::Family;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::{Built, ImportError, PeerKind, parse};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct AnchoredVector {
    description: String,
    experience_id: String,
    visitor_id: String,
    version: Value,
    variations: Vec<Map<String, Value>>,
    expected: Option<String>,
}

const VARIATION_FIELDS: &[&str] = &["id", "traffic_allocation", "status"];

/// The anchored/packed list → `experience` cases.
pub(crate) fn import(kind: PeerKind, path: &Path, text: &str) -> Result<Built, ImportError> {
    let vectors: Vec<AnchoredVector> = parse(kind, path, text)?;
    let mut built = Built::new(
        Family::Experience,
        "The JS SDK's cross-SDK bucketing vectors (packed v11 and anchored v12)",
    );
    built.notes.push(
        "each vector is one experience {id, key: id, version, variations (key = id)} run with empty location attributes".into(),
    );
    for (i, v) in vectors.into_iter().enumerate() {
        let mut variations = Vec::with_capacity(v.variations.len());
        for (j, variation) in v.variations.into_iter().enumerate() {
            if let Some(field) = variation
                .keys()
                .find(|k| !VARIATION_FIELDS.contains(&k.as_str()))
            {
                return Err(ImportError::Format {
                    path: path.to_owned(),
                    kind,
                    at: format!("[{i}].variations[{j}].{field}"),
                    message: format!(
                        "unknown field `{field}`, expected one of {VARIATION_FIELDS:?}"
                    ),
                });
            }
            let mut variation = variation;
            if let Some(id) = variation.get("id").cloned() {
                variation.insert("key".into(), id);
            }
            variations.push(Value::Object(variation));
        }
        let version_tag = match &v.version {
            Value::Number(n) => n.to_string(),
            other => other.to_string().replace('"', ""),
        };
        let config = json!({
            "account_id": "1",
            "project": {"id": "2"},
            "experiences": [{
                "id": v.experience_id,
                "key": v.experience_id,
                "name": v.experience_id,
                "type": "a/b_fullstack",
                "version": v.version,
                "audiences": [],
                "goals": [],
                "variations": variations,
            }],
        });
        let reason = if v.expected.is_some() {
            "resolved"
        } else {
            "variation_not_decided"
        };
        built.case(
            format!("peer/{kind}/{i:02}-v{version_tag}"),
            v.description,
            json!({
                "config": config,
                "visitor_id": v.visitor_id,
                "location_attributes": {},
                "experience_key": v.experience_id,
            }),
            json!({"variation_id": v.expected, "variation_key": v.expected, "reason": reason}),
        );
    }
    Ok(built)
}
