//! `segments`: stored default segments (`set_segments`), custom segments
//! (`run_custom_segments`), and entity lookup by key and by id.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::FamilySpec;
use super::visitor::{VisitorState, visitor_requirements};
use crate::{Family, Requirements};

/// The `segments` family.
pub enum Segments {}

impl FamilySpec for Segments {
    const FAMILY: Family = Family::Segments;
    type Input = SegmentsInput;
    type Result = SegmentsResult;

    fn derived_requirements(input: &SegmentsInput) -> Requirements {
        match input {
            SegmentsInput::RunCustomSegments { visitor_state, .. }
            | SegmentsInput::SetSegments { visitor_state, .. } => {
                visitor_requirements(visitor_state.as_ref(), None)
            }
            _ => Requirements::default(),
        }
    }
}

/// One operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum SegmentsInput {
    /// `run_custom_segments(segment_keys, rule_data)` for a visitor.
    RunCustomSegments {
        /// The project config.
        config: Value,
        /// The visitor id.
        visitor_id: String,
        /// Visitor attributes given when the context is created.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visitor_attributes: Option<Map<String, Value>>,
        /// Stored state before the call (e.g. existing customSegments).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visitor_state: Option<VisitorState>,
        /// The segment keys to evaluate.
        segment_keys: Vec<String>,
        /// The rule data of the call.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rule_data: Option<Map<String, Value>>,
    },
    /// `set_segments(segments)` for a visitor.
    SetSegments {
        /// The project config.
        config: Value,
        /// The visitor id.
        visitor_id: String,
        /// Visitor attributes given when the context is created.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visitor_attributes: Option<Map<String, Value>>,
        /// Stored state before the call.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visitor_state: Option<VisitorState>,
        /// The segments to store.
        segments: Map<String, Value>,
    },
    /// One entity by key.
    GetEntity {
        /// The project config.
        config: Value,
        /// `experiences`, `features`, `goals`, `audiences`, `segments`, …
        entity_type: String,
        /// The key.
        key: String,
    },
    /// One entity by id.
    GetEntityById {
        /// The project config.
        config: Value,
        /// The entity type.
        entity_type: String,
        /// The id.
        id: String,
    },
    /// Several entities by key (unknown keys skipped).
    GetEntities {
        /// The project config.
        config: Value,
        /// The entity type.
        entity_type: String,
        /// The keys.
        keys: Vec<String>,
    },
}

/// The outcome of a `segments` operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentsResult {
    /// `run_custom_segments`: segment ids newly added by this call, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added: Option<Vec<String>>,
    /// `run_custom_segments`: the visitor's stored customSegments after the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_segments: Option<Vec<String>>,
    /// `set_segments`: the visitor's stored segments after the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_segments: Option<Map<String, Value>>,
    /// Entity lookups: the ids found (as strings), in the order returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<String>>,
}
