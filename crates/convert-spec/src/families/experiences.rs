//! `experiences`: `run_experiences` — every experience of a config for one
//! visitor, in config order; the decisions that resolved.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::FamilySpec;
use super::visitor::{Preview, VisitorState, config_requirements, visitor_requirements};
use crate::{Family, Requirements};

/// The `experiences` family.
pub enum Experiences {}

impl FamilySpec for Experiences {
    const FAMILY: Family = Family::Experiences;
    type Input = ExperiencesInput;
    type Result = ExperiencesResult;

    fn derived_requirements(input: &ExperiencesInput) -> Requirements {
        config_requirements(&input.config, None).union(&visitor_requirements(
            input.visitor_state.as_ref(),
            input.preview.as_ref(),
        ))
    }
}

/// The input of an `experiences` case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExperiencesInput {
    /// The project config.
    pub config: Value,
    /// The SDK environment; absent means `staging`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The visitor id.
    pub visitor_id: String,
    /// Visitor attributes given when the context is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_attributes: Option<Map<String, Value>>,
    /// Location attributes given with the call (absent fails every location
    /// gate, as in JS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_attributes: Option<Map<String, Value>>,
    /// What the SDK had stored for the visitor before the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_state: Option<VisitorState>,
    /// A preview set on the context before the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<Preview>,
}

/// The decisions, in the order the SDK returns them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExperiencesResult {
    /// One entry per experience that resolved to a variation.
    pub decisions: Vec<Decision>,
}

/// One resolved experience.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The experience id.
    pub experience_id: String,
    /// The experience key.
    pub experience_key: String,
    /// The selected variation's id.
    pub variation_id: String,
    /// The selected variation's key.
    pub variation_key: Option<String>,
}
