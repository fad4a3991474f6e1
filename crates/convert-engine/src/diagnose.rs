//! `diagnose_experience` / `diagnose_feature`: a decision explained with the
//! reason vocabulary and its details, storing and tracking nothing
//! (`spec/diagnostics.md`).

use crate::config::ProjectConfig;
use crate::diagnostics::Reason;
use crate::engine::Settings;
use crate::experience::{self, RunOptions};
use crate::feature::{self, FeatureQuery, FeatureStatus};
use crate::visitor::Visitor;

/// Why a visitor does or does not see a variation, with the details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    /// The reason code.
    pub reason: Reason,
    /// For a resolved experience, the visitor's bucket value in it (also when
    /// the variation came from a stored decision).
    pub bucket_value: Option<u32>,
    /// For a resolved experience, the selected variation's key.
    pub variation_key: Option<String>,
}

/// Explains `run_experience(key)` for `visitor`.
pub fn diagnose_experience(
    settings: &Settings,
    config: &ProjectConfig,
    visitor: &Visitor,
    key: &str,
    options: &RunOptions<'_>,
) -> Diagnosis {
    let decision = experience::run_experience(settings, config, visitor, key, options);
    let resolved = decision
        .variation
        .as_ref()
        .zip(decision.experience_id.as_deref());
    Diagnosis {
        reason: decision.reason,
        bucket_value: resolved.map(|(_, id)| settings.bucketing.bucket_value(id, visitor.id())),
        variation_key: resolved.and_then(|(variation, _)| variation.key_string()),
    }
}

/// Explains `run_feature(key)` for `visitor`: `feature_not_found`,
/// `resolved` (enabled through at least one variation) or
/// `feature_not_in_selected_variations`.
pub fn diagnose_feature(
    settings: &Settings,
    config: &ProjectConfig,
    visitor: &Visitor,
    key: &str,
    options: &RunOptions<'_>,
) -> Reason {
    if config.entity_by_field("features", "key", key).is_none() {
        return Reason::FeatureNotFound;
    }
    // Decide on a copy: a diagnosis stores nothing.
    let mut scratch = visitor.clone();
    let run = feature::run_feature(
        settings,
        config,
        &mut scratch,
        key,
        &FeatureQuery::default(),
        options,
    );
    if run
        .entries
        .iter()
        .any(|e| e.status == FeatureStatus::Enabled)
    {
        Reason::Resolved
    } else {
        Reason::FeatureNotInSelectedVariations
    }
}

/// A short, non-reversible reference to a visitor id for logs and reports:
/// the first 16 hex digits of the SHA-256 of its UTF-8 bytes.
pub fn visitor_ref(visitor_id: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(visitor_id.as_bytes())
        .iter()
        .take(crate::mutant!("diagnostics.visitor-ref", 8, 7))
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitor_ref_is_the_sha256_prefix() {
        // The diagnostics vectors' value for visitor-1 (JS adapter, node crypto).
        assert_eq!(visitor_ref("visitor-1"), "7fce38c63fcf1dbb");
    }
}
