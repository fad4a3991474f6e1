//! `experience`: `run_experience` for one experience key of a project config,
//! through every gate (lookup, archived, environment, location, audience,
//! segment) and then bucketing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::FamilySpec;
use crate::{Family, Requirements};

/// The `experience` family.
pub enum Experience {}

impl FamilySpec for Experience {
    const FAMILY: Family = Family::Experience;
    type Input = ExperienceInput;
    type Result = ExperienceResult;

    fn derived_requirements(input: &ExperienceInput) -> Requirements {
        let version = input
            .config
            .get("experiences")
            .and_then(Value::as_array)
            .and_then(|experiences| {
                experiences.iter().find(|e| {
                    e.get("key").map(js_string_of_scalar).as_deref()
                        == Some(input.experience_key.as_str())
                })
            })
            .and_then(|e| e.get("version"));
        Requirements {
            contract_versions: vec![Requirements::contract_for_version(version)],
            features: vec![],
        }
    }
}

fn js_string_of_scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
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
}
