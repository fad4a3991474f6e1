//! The project config (`GET /config/{account}/{project}` → `data`), as a
//! typed model: what a Convert SDK downloads and evaluates
//! (`spec/config.md`).
//!
//! [`ConfigData::parse`] is the strict reading: every known field must have
//! its documented type, and the first one that does not is reported with its
//! JSON path (`$.experiences[0].variations[1].traffic_allocation`). Unknown
//! fields are kept in `extra` maps, so configs from newer backends still
//! parse. The engine itself reads configs leniently, as the JS SDK does
//! (`convert_engine::config`); the strict model is for SDKs and tools that
//! want to refuse a malformed config up front, and it is the source of
//! `spec/schemas/config.schema.json`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An entity id: the backend sends strings; numbers are accepted (the SDKs
/// compare ids through `String()`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Id {
    /// A string id (what the backend sends).
    Text(String),
    /// A numeric id.
    Number(serde_json::Number),
}

impl Id {
    /// The id as the SDKs compare it (`String(id)`).
    pub fn as_string(&self) -> String {
        match self {
            Id::Text(s) => s.clone(),
            Id::Number(n) => n.to_string(),
        }
    }
}

/// The config root.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigData {
    /// The account id.
    pub account_id: Id,
    /// The project.
    pub project: ConfigProject,
    /// The experiences, in the order the SDKs evaluate them.
    #[serde(default)]
    pub experiences: Vec<ConfigExperience>,
    /// The features variations can enable.
    #[serde(default)]
    pub features: Vec<ConfigFeature>,
    /// The goals conversions are tracked against.
    #[serde(default)]
    pub goals: Vec<ConfigGoal>,
    /// The audiences experiences target.
    #[serde(default)]
    pub audiences: Vec<ConfigAudience>,
    /// The custom segments.
    #[serde(default)]
    pub segments: Vec<ConfigSegment>,
    /// The locations experiences run in.
    #[serde(default)]
    pub locations: Vec<ConfigLocation>,
    /// Ids of archived experiences (they never run).
    #[serde(default)]
    pub archived_experiences: Vec<Id>,
    /// Fields this model does not name.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `project`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigProject {
    /// The project id.
    pub id: Id,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its type (`"fullstack"`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Other fields (`environments`, `settings`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One experience.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigExperience {
    /// Its id (the bucketing hash prefix).
    pub id: Id,
    /// Its key (what `run_experience` is called with).
    pub key: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its type (`"a/b_fullstack"`, …).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The contract version: above 11 selects the anchored bucketing layout
    /// (`spec/bucketing.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Value>,
    /// `active`, `paused`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The environment it runs in (any when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Audience and segment ids.
    #[serde(default)]
    pub audiences: Vec<Id>,
    /// Location ids.
    #[serde(default)]
    pub locations: Vec<Id>,
    /// A rule set used when `locations` is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_area: Option<Value>,
    /// Goal ids.
    #[serde(default)]
    pub goals: Vec<Id>,
    /// Matching options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<ExperienceSettings>,
    /// The variations.
    #[serde(default)]
    pub variations: Vec<ConfigVariation>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `experience.settings`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExperienceSettings {
    /// How audiences and locations combine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching_options: Option<MatchingOptions>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `settings.matching_options`: `"any"` or `"all"` for each list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MatchingOptions {
    /// Audiences: `"all"` needs every audience, anything else one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audiences: Option<String>,
    /// Locations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations: Option<String>,
}

/// One variation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigVariation {
    /// Its id.
    pub id: Id,
    /// Its key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `running` (or absent) takes part in bucketing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Percent of traffic (absent: 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic_allocation: Option<f64>,
    /// The changes it applies (`fullStackFeature` changes enable features).
    #[serde(default)]
    pub changes: Vec<VariationChange>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One change of a variation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VariationChange {
    /// The change id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// `fullStackFeature`, `customCode`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// For `fullStackFeature`: `{"feature_id", "variables_data"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigFeature {
    /// Its id (what changes name in `feature_id`).
    pub id: Id,
    /// Its key.
    pub key: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its variables and their types.
    #[serde(default)]
    pub variables: Vec<FeatureVariable>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A declared feature variable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FeatureVariable {
    /// Its key in `variables_data`.
    pub key: String,
    /// `boolean`, `integer`, `float`, `string` or `json` (`spec/feature.md`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One goal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigGoal {
    /// Its id (what tracking reports).
    pub id: Id,
    /// Its key (what `track_conversion` is called with).
    pub key: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// A rule set `rule_data` must match for the conversion to count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Value>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One audience.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigAudience {
    /// Its id.
    pub id: Id,
    /// Its key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `permanent` or `transient`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Its rule set (`spec/rule.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Value>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One custom segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigSegment {
    /// Its id (what `customSegments` stores).
    pub id: Id,
    /// Its key (what `run_custom_segments` names).
    pub key: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its rule set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Value>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One location.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigLocation {
    /// Its id.
    pub id: Id,
    /// Its key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its rule set, matched against location attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Value>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A config that does not fit the model.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("config {path}: {message}")]
pub struct ConfigDataError {
    /// The JSON path at fault, from `$`.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

impl ConfigData {
    /// Reads `value` strictly, naming the JSON path of the first fault.
    pub fn parse(value: &Value) -> Result<ConfigData, ConfigDataError> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            ConfigDataError {
                path: if path == "." {
                    "$".into()
                } else {
                    format!("$.{path}")
                },
                message: e.inner().to_string(),
            }
        })
    }

    /// Parses config JSON text strictly.
    pub fn from_json_str(text: &str) -> Result<ConfigData, ConfigDataError> {
        let value: Value = serde_json::from_str(text).map_err(|e| ConfigDataError {
            path: "$".into(),
            message: e.to_string(),
        })?;
        ConfigData::parse(&value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config() -> Value {
        json!({"account_id": "100", "project": {"id": "200", "name": "p", "settings": {}},
            "experiences": [{"id": "300", "key": "exp", "version": 12,
                "settings": {"matching_options": {"audiences": "any", "locations": "any"}},
                "variations": [{"id": "301", "key": "a", "traffic_allocation": 50,
                    "changes": [{"type": "fullStackFeature", "data": {"feature_id": "700"}}]}]}],
            "features": [{"id": "700", "key": "f", "variables": [{"key": "v", "type": "integer"}]}],
            "goals": [{"id": 900, "key": "buy"}], "archived_experiences": ["1"], "new_field": true})
    }

    #[test]
    fn a_well_formed_config_parses_and_keeps_unknown_fields() {
        let data = ConfigData::parse(&config()).unwrap();
        assert_eq!(
            data.experiences[0].variations[0].traffic_allocation,
            Some(50.0)
        );
        assert_eq!(data.goals[0].id.as_string(), "900");
        assert_eq!(data.extra.get("new_field"), Some(&json!(true)));
    }

    #[test]
    fn faults_name_their_json_path() {
        let mut bad = config();
        bad["experiences"][0]["variations"][0]["traffic_allocation"] = json!("50");
        let err = ConfigData::parse(&bad).unwrap_err();
        assert_eq!(
            err.path,
            "$.experiences[0].variations[0].traffic_allocation"
        );
        let err = ConfigData::parse(&json!({"account_id": "1"})).unwrap_err();
        assert!(err.message.contains("project"), "{err}");
        let err = ConfigData::parse(&json!([])).unwrap_err();
        assert_eq!(err.path, "$");
        let err = ConfigData::from_json_str("{").unwrap_err();
        assert_eq!(err.path, "$");
    }
}
