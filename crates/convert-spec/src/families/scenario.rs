//! `scenario`: a sequence of SDK operations on one SDK instance (contexts,
//! decisions, conversions, segments, flushes) and everything observable about
//! it: each operation's outcome and every HTTP request the SDK sends.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::FamilySpec;
use super::visitor::config_requirements;
use crate::{Family, Requirements};

/// The `scenario` family.
pub enum Scenario {}

impl FamilySpec for Scenario {
    const FAMILY: Family = Family::Scenario;
    type Input = ScenarioInput;
    type Result = ScenarioResult;

    fn derived_requirements(input: &ScenarioInput) -> Requirements {
        config_requirements(&input.config, None)
    }
}

/// The input of a `scenario` case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioInput {
    /// The project config the SDK is initialised with (no network).
    pub config: Value,
    /// SDK options.
    #[serde(default)]
    pub sdk: ScenarioSdk,
    /// The operations, run in order on one SDK instance.
    pub operations: Vec<Operation>,
}

/// SDK options of a scenario.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSdk {
    /// The SDK environment; absent means `staging`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Events that trigger a release (the SDKs' default is 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<u32>,
}

/// One SDK operation. `context` names a context created earlier in the
/// scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Operation {
    /// `create_context(visitor_id, attributes)`.
    CreateContext {
        /// The name later operations use.
        context: String,
        /// The visitor id.
        visitor_id: String,
        /// Visitor attributes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        attributes: Option<Map<String, Value>>,
    },
    /// `run_experience(key)`.
    RunExperience {
        /// The context.
        context: String,
        /// The experience key.
        key: String,
        /// Location attributes of the call.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        location_attributes: Option<Map<String, Value>>,
        /// Per-call visitor attributes (an overlay).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        attributes: Option<Map<String, Value>>,
        /// Whether the decision is tracked (default true).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        enable_tracking: Option<bool>,
    },
    /// `run_experiences()`.
    RunExperiences {
        /// The context.
        context: String,
        /// Location attributes of the call.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        location_attributes: Option<Map<String, Value>>,
        /// Whether the decisions are tracked (default true).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        enable_tracking: Option<bool>,
    },
    /// `run_feature(key)`.
    RunFeature {
        /// The context.
        context: String,
        /// The feature key.
        key: String,
        /// Location attributes of the call.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        location_attributes: Option<Map<String, Value>>,
    },
    /// `track_conversion(goal_key, …)`.
    TrackConversion {
        /// The context.
        context: String,
        /// The goal key.
        goal_key: String,
        /// Conversion data as the JS SDK takes it: `[{"key", "value"}]`
        /// (`amount` is the revenue).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        goal_data: Option<Vec<Value>>,
        /// Send the transaction again although the goal was already
        /// triggered (`forceMultipleTransactions`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        force_multiple: Option<bool>,
        /// Data matched against the goal's rules.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rule_data: Option<Map<String, Value>>,
    },
    /// `set_segments(segments)` (JS `setDefaultSegments`).
    SetSegments {
        /// The context.
        context: String,
        /// The segments.
        segments: Map<String, Value>,
    },
    /// `run_custom_segments(keys, rule_data)`.
    RunCustomSegments {
        /// The context.
        context: String,
        /// Segment keys.
        segment_keys: Vec<String>,
        /// Rule data.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rule_data: Option<Map<String, Value>>,
    },
    /// `flush()` (JS `releaseQueues()`): send what is queued now.
    Flush,
}

/// What a scenario showed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioResult {
    /// One entry per operation: `null` for operations with nothing to show,
    /// `{"variation_id", "variation_key"}` (or `null`) for `run_experience`,
    /// `{"decisions": […]}` for `run_experiences`, `{"features": […]}` for
    /// `run_feature` (the `feature` family's shapes).
    pub outcomes: Vec<Value>,
    /// Every HTTP request the SDK sent, in order.
    pub requests: Vec<HttpRequest>,
}

/// One HTTP request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// The host the request goes to.
    pub host: String,
    /// The path, e.g. `/v1/track/100/200`.
    pub path: String,
    /// Query parameters.
    pub query: Map<String, Value>,
    /// The JSON body, or null.
    pub body: Value,
}
