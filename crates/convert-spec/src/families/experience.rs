//! `experience`: `run_experience` for one experience key of a project config,
//! through every gate (lookup, archived, environment, location, audience,
//! segment) and then bucketing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::FamilySpec;
use super::visitor::{Preview, VisitorState, config_requirements, visitor_requirements};
use crate::{Family, Requirements};

/// The `experience` family.
pub enum Experience {}

impl FamilySpec for Experience {
    const FAMILY: Family = Family::Experience;
    type Input = ExperienceInput;
    type Result = ExperienceResult;

    fn derived_requirements(input: &ExperienceInput) -> Requirements {
        config_requirements(&input.config, Some(&input.experience_key)).union(
            &visitor_requirements(input.visitor_state.as_ref(), input.preview.as_ref()),
        )
    }
}

/// The input of an `experience` case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExperienceInput {
    /// The project config (`ConfigResponseData`), as served.
    pub config: Value,
    /// The SDK environment; absent means the JS SDK's default, `staging`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The visitor id.
    pub visitor_id: String,
    /// Visitor attributes given when the context is created (matched by
    /// audience rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_attributes: Option<Map<String, Value>>,
    /// Location attributes given with the call (matched by locations and
    /// `site_area`). Absent attributes fail the location gate, as in JS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_attributes: Option<Map<String, Value>>,
    /// The experience key to run.
    pub experience_key: String,
    /// What the SDK had stored for the visitor before the call (sticky
    /// decisions, stored segments). Needs the `visitor_state` feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_state: Option<VisitorState>,
    /// A variation id to force (JS `forceVariationId`); an id the experience
    /// does not have is ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_variation_id: Option<String>,
    /// A preview set on the context before the call. Needs the `preview`
    /// feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<Preview>,
}

/// The decision for one experience.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExperienceResult {
    /// The selected variation's id, or `null`.
    pub variation_id: Option<String>,
    /// The selected variation's key, or `null`.
    pub variation_key: Option<String>,
    /// Why: a reason code from the shared diagnostic vocabulary (`resolved`,
    /// `experience_not_found`, `location_mismatch`, …). Compared only for
    /// implementations that declare the `diagnostics` feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The visitor's stored decisions after the call (experience id →
    /// variation id). Reported when the input has a `visitor_state`;
    /// compared only for implementations that declare the `visitor_state`
    /// feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_bucketing: Option<Map<String, Value>>,
    /// The key the SDK stores the visitor's record under. Reported when the
    /// input has a `visitor_state`; compared only for implementations that
    /// declare the `store_key` feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_key: Option<String>,
}
