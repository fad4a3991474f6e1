//! What an implementation can do (its capabilities, declared at `start`) and
//! what a case needs (its requirements, declared in the vector file).
//!
//! A case runs on a target only when the target's capabilities cover the
//! case's requirements; otherwise the runner records it as skipped with the
//! missing capability as the reason, so a gap is always visible in the report.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Family;

/// Bucketing contract 11: the packed cumulative layout (every experience whose
/// `Number(version)` is at most 11).
pub const CONTRACT_PACKED: u32 = 11;
/// Bucketing contract 12: the anchored layout (experiences whose
/// `Number(version)` is above 11).
pub const CONTRACT_ANCHORED: u32 = 12;

/// Optional behaviours an implementation may declare in `capabilities.features`.
pub mod features {
    /// The implementation reports a decision reason from the shared diagnostic
    /// vocabulary; `reason` fields are compared only for such implementations.
    pub const DIAGNOSTICS: &str = "diagnostics";
    /// The adapter can apply a prior visitor state (`visitor_state` inputs)
    /// and report the stored bucketing after a call (`stored_bucketing`).
    pub const VISITOR_STATE: &str = "visitor_state";
    /// The adapter reports the data-store key the SDK uses for the visitor.
    pub const STORE_KEY: &str = "store_key";
    /// The SDK implements the mutual-exclusion audience rule
    /// (`rule_type: bucketed_into_experience_key`).
    pub const MUTUAL_EXCLUSION: &str = "mutual_exclusion";
    /// The SDK implements variation preview (`set_preview`).
    pub const PREVIEW: &str = "preview";
    /// The adapter answers `time` requests: it times repeated evaluations
    /// inside its own runtime (`spec/protocol.md`, "time"). The runner never
    /// sends `time` to an adapter that does not declare it.
    pub const TIMING: &str = "timing";
    /// The adapter keeps values the runner defines once (`define` requests)
    /// and resolves a case's `refs` to them (`spec/protocol.md`, "define").
    /// The runner never sends `define` or `refs` to an adapter that does not
    /// declare it.
    pub const DEFINE: &str = "define";
}

/// The capabilities an adapter declares in its `start` reply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    /// Wire names of the families the adapter answers.
    pub families: Vec<String>,
    /// Bucketing contracts the implementation follows: `11` for the packed
    /// layout (experience versions up to 11), `12` for the anchored layout.
    #[serde(default)]
    pub contract_versions: Vec<u32>,
    /// Optional behaviours, e.g. `"diagnostics"` (see [`features`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

impl Capabilities {
    /// Whether the family is declared.
    pub fn has_family(&self, family: Family) -> bool {
        self.families.iter().any(|f| f == family.as_str())
    }

    /// Whether the optional behaviour is declared.
    pub fn has_feature(&self, feature: &str) -> bool {
        self.features.iter().any(|f| f == feature)
    }

    /// `None` when a case of `family` with these requirements can run here,
    /// otherwise a human-readable reason naming what is missing.
    pub fn missing(&self, family: Family, requires: &Requirements) -> Option<String> {
        if !self.has_family(family) {
            return Some(format!("family `{family}` not declared by the adapter"));
        }
        let contracts: Vec<String> = requires
            .contract_versions
            .iter()
            .filter(|c| !self.contract_versions.contains(c))
            .map(u32::to_string)
            .collect();
        if !contracts.is_empty() {
            return Some(format!(
                "bucketing contract {} not declared by the adapter",
                contracts.join(", ")
            ));
        }
        let features: Vec<&str> = requires
            .features
            .iter()
            .filter(|f| !self.has_feature(f))
            .map(String::as_str)
            .collect();
        if !features.is_empty() {
            return Some(format!(
                "feature {} not declared by the adapter",
                features.join(", ")
            ));
        }
        None
    }
}

/// What a case needs from an implementation beyond its family.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    /// Bucketing contracts the case exercises (see [`CONTRACT_PACKED`] and
    /// [`CONTRACT_ANCHORED`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contract_versions: Vec<u32>,
    /// Optional behaviours the case exercises.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

impl Requirements {
    /// True when the case needs nothing beyond its family.
    pub fn is_empty(&self) -> bool {
        self.contract_versions.is_empty() && self.features.is_empty()
    }

    /// The union of two requirement sets, sorted and without duplicates.
    pub fn union(&self, other: &Requirements) -> Requirements {
        let mut contract_versions: Vec<u32> = self
            .contract_versions
            .iter()
            .chain(&other.contract_versions)
            .copied()
            .collect();
        contract_versions.sort_unstable();
        contract_versions.dedup();
        let mut features: Vec<String> = self
            .features
            .iter()
            .chain(&other.features)
            .cloned()
            .collect();
        features.sort();
        features.dedup();
        Requirements {
            contract_versions,
            features,
        }
    }

    /// The contract an experience `version` value selects (JS: anchored iff
    /// `Number(version) > 11`).
    pub fn contract_for_version(version: Option<&serde_json::Value>) -> u32 {
        match version.map(crate::js_number::to_number) {
            Some(n) if n > 11.0 => CONTRACT_ANCHORED,
            _ => CONTRACT_PACKED,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn caps() -> Capabilities {
        Capabilities {
            families: vec!["hash".into(), "bucketing".into()],
            contract_versions: vec![11],
            features: vec![],
        }
    }

    #[test]
    fn missing_names_the_gap() {
        let none = Requirements::default();
        assert_eq!(caps().missing(Family::Hash, &none), None);
        assert!(
            caps()
                .missing(Family::Rule, &none)
                .unwrap()
                .contains("family `rule`")
        );
        let anchored = Requirements {
            contract_versions: vec![12],
            features: vec![],
        };
        assert!(
            caps()
                .missing(Family::Bucketing, &anchored)
                .unwrap()
                .contains("contract 12")
        );
        let diag = Requirements {
            contract_versions: vec![],
            features: vec!["diagnostics".into()],
        };
        assert!(
            caps()
                .missing(Family::Hash, &diag)
                .unwrap()
                .contains("diagnostics")
        );
    }

    #[test]
    fn version_gate_follows_js_number() {
        let c = |v: serde_json::Value| Requirements::contract_for_version(Some(&v));
        assert_eq!(c(json!(12)), 12);
        assert_eq!(c(json!("12")), 12);
        assert_eq!(c(json!(11.5)), 12);
        assert_eq!(c(json!(11)), 11);
        assert_eq!(c(json!(null)), 11);
        assert_eq!(c(json!("abc")), 11);
        assert_eq!(c(json!(true)), 11);
        assert_eq!(Requirements::contract_for_version(None), 11);
    }
}
