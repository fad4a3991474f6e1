//! `config_validation`: is a served config usable, and if not, the first
//! fault: its kind and JSON path.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::FamilySpec;
use crate::Family;

/// The `config_validation` family.
pub enum ConfigValidation {}

impl FamilySpec for ConfigValidation {
    const FAMILY: Family = Family::ConfigValidation;
    type Input = ConfigValidationInput;
    type Result = ConfigValidationResult;
}

/// `{"config": <any JSON>}`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigValidationInput {
    /// The config, as served (any JSON value).
    pub config: Value,
}

/// The verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigValidationResult {
    /// Whether the config is usable.
    pub valid: bool,
    /// The first fault, when not valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ConfigFault>,
}

/// A config fault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigFault {
    /// `not_an_object`, `missing_field` or `wrong_type`.
    pub kind: String,
    /// JSON path of the fault, e.g. `$.project.id`.
    pub path: String,
}
