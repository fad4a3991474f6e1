//! Inputs shared by the families that evaluate for a visitor against a
//! project config (`experience`, `experiences`, `feature`, `diagnostics`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Requirements;
use crate::capability::features;

/// What the SDK has stored for the visitor before the call (its data store
/// record), applied before evaluation. Absent: a fresh visitor.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitorState {
    /// Stored decisions: experience id → variation id (sticky bucketing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucketing: Option<Map<String, Value>>,
    /// Stored segments (report segments set with `set_segments`, and
    /// `customSegments`, a list of segment ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<Map<String, Value>>,
}

/// A forced preview of one variation (`set_preview`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Preview {
    /// The experience id.
    pub experience_id: String,
    /// The variation id.
    pub variation_id: String,
}

/// Requirements implied by a project config: the bucketing contracts of the
/// given experiences (all when `only` is `None`) and the mutual-exclusion
/// rule if any audience uses it.
pub(crate) fn config_requirements(config: &Value, only: Option<&str>) -> Requirements {
    let mut contracts = Vec::new();
    if let Some(experiences) = config.get("experiences").and_then(Value::as_array) {
        for e in experiences {
            let key = e.get("key").map(|k| match k {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            if only.is_some_and(|o| key.as_deref() != Some(o)) {
                continue;
            }
            contracts.push(Requirements::contract_for_version(e.get("version")));
            if only.is_some() {
                break;
            }
        }
    }
    if contracts.is_empty() {
        contracts.push(crate::capability::CONTRACT_PACKED);
    }
    contracts.sort_unstable();
    contracts.dedup();
    let mut feats = Vec::new();
    let uses_exclusion = config
        .get("audiences")
        .and_then(Value::as_array)
        .is_some_and(|audiences| {
            audiences
                .iter()
                .any(|a| a.get("rules").is_some_and(mentions_exclusion))
        });
    if uses_exclusion {
        feats.push(features::MUTUAL_EXCLUSION.to_owned());
    }
    Requirements {
        contract_versions: contracts,
        features: feats,
    }
}

fn mentions_exclusion(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            map.get("rule_type").and_then(Value::as_str) == Some("bucketed_into_experience_key")
                || map.values().any(mentions_exclusion)
        }
        Value::Array(items) => items.iter().any(mentions_exclusion),
        _ => false,
    }
}

/// The requirements of the optional visitor inputs.
pub(crate) fn visitor_requirements(
    state: Option<&VisitorState>,
    preview: Option<&Preview>,
) -> Requirements {
    let mut feats = Vec::new();
    if state.is_some() {
        feats.push(features::VISITOR_STATE.to_owned());
    }
    if preview.is_some() {
        feats.push(features::PREVIEW.to_owned());
    }
    Requirements {
        contract_versions: Vec::new(),
        features: feats,
    }
}
