//! `feature`: `run_feature` and `run_features` — features resolved from the
//! selected variations' `fullStackFeature` changes, with their variables cast
//! to the declared types.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::FamilySpec;
use super::visitor::{VisitorState, config_requirements, visitor_requirements};
use crate::{Family, Requirements};

/// The `feature` family.
pub enum Feature {}

impl FamilySpec for Feature {
    const FAMILY: Family = Family::Feature;
    type Input = FeatureInput;
    type Result = FeatureResult;

    fn derived_requirements(input: &FeatureInput) -> Requirements {
        config_requirements(&input.config, None)
            .union(&visitor_requirements(input.visitor_state.as_ref(), None))
    }
}

/// Which call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeatureCall {
    /// `run_feature(feature_key)`.
    RunFeature,
    /// `run_features()`.
    RunFeatures,
}

/// The input of a `feature` case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureInput {
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
    /// `run_feature` or `run_features`.
    pub call: FeatureCall,
    /// The feature key (`run_feature` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_key: Option<String>,
    /// Only consider these experiences (by key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experience_keys: Option<Vec<String>>,
    /// Cast variables to their declared types (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_casting: Option<bool>,
}

/// The features, in the order the SDK returns them. `run_feature` returns one
/// entry, or several when the feature is reached through several experiences
/// (the JS SDK then returns an array).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureResult {
    /// The entries.
    pub features: Vec<FeatureEntry>,
}

/// One feature entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureEntry {
    /// The feature id (as a string), or null for an undeclared key.
    pub feature_id: Option<String>,
    /// The feature key, or null when the change names an undeclared feature.
    pub feature_key: Option<String>,
    /// `enabled` or `disabled`.
    pub status: String,
    /// The experience that enabled it (enabled entries only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experience_id: Option<String>,
    /// The experience's key (enabled entries only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experience_key: Option<String>,
    /// The variables, cast to their declared types (enabled entries only).
    /// Numbers JSON cannot carry are written `{"$number": "NaN"}`,
    /// `{"$number": "Infinity"}` or `{"$number": "-Infinity"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<Map<String, Value>>,
}
