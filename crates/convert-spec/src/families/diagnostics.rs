//! `diagnostics`: `diagnose_experience`, `diagnose_feature`, `diagnose_goal`
//! and `diagnose_entity` — a reason from the shared vocabulary
//! (`spec/vocabulary.md`) and its details.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::FamilySpec;
use super::visitor::{VisitorState, config_requirements, visitor_requirements};
use crate::capability::features;
use crate::{Family, Requirements};

/// The `diagnostics` family.
pub enum Diagnostics {}

impl FamilySpec for Diagnostics {
    const FAMILY: Family = Family::Diagnostics;
    type Input = DiagnosticsInput;
    type Result = DiagnosticsResult;

    fn derived_requirements(input: &DiagnosticsInput) -> Requirements {
        let only = match input.diagnose {
            Diagnose::Experience => Some(input.key.as_str()),
            _ => None,
        };
        let mut r = config_requirements(&input.config, only)
            .union(&visitor_requirements(input.visitor_state.as_ref(), None));
        r.features.push(features::DIAGNOSTICS.to_owned());
        r.union(&Requirements::default())
    }
}

/// What to diagnose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Diagnose {
    /// `diagnose_experience(key)`.
    Experience,
    /// `diagnose_feature(key)`.
    Feature,
    /// `diagnose_goal(key)`.
    Goal,
    /// `diagnose_entity(entity_type, key)`.
    Entity,
}

/// The input of a `diagnostics` case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnosticsInput {
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
    /// Location attributes given with the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_attributes: Option<Map<String, Value>>,
    /// What the SDK had stored for the visitor before the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_state: Option<VisitorState>,
    /// What to diagnose.
    pub diagnose: Diagnose,
    /// The experience, feature, goal or entity key.
    pub key: String,
    /// For `entity`: `experiences`, `features`, `goals`, `audiences` or `segments`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<String>,
}

/// A diagnosis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnosticsResult {
    /// The reason code (`spec/vocabulary.md`).
    pub reason: String,
    /// The visitor's bucket value for a resolved experience, else null.
    pub bucket_value: Option<u32>,
    /// The selected variation's key for a resolved experience, else null.
    pub variation_key: Option<String>,
    /// The first 16 hex digits of SHA-256 of the visitor id (the raw id never
    /// appears in diagnostics).
    pub visitor_ref: String,
}
