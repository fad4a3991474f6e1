//! Declared divergences: `adapters/<name>/divergences.json`.
//!
//! A real SDK's known difference from the expected (JavaScript) behaviour is
//! data, never a special case in code: each entry names the cases it covers
//! and says why. The runner reports such cases as *diverged*, never as passed.
//!
//! The file is a ratchet: an entry whose case now passes, or that names a case
//! the vector set does not have, fails the run.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Family;

/// `adapters/<name>/divergences.json`
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DivergenceFile {
    /// The adapter these divergences belong to.
    pub adapter: String,
    /// The entries.
    pub divergences: Vec<Divergence>,
}

/// One known difference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Divergence {
    /// Ids of the cases this difference shows in.
    pub cases: Vec<String>,
    /// Why the SDK differs: the behaviour and where it comes from. Must not be
    /// empty or start with `TODO` (drafts written by `--record-divergences`
    /// do, on purpose, so that they cannot be committed unread).
    pub reason: String,
    /// JSON pointers of the result fields that differ; a `*` token matches
    /// any one token (`/requests/*/path`). When given, any difference outside
    /// these fields (and outside the fields of the case's other entries) is
    /// still a failure. A case may be named by several entries, one per
    /// cause.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Link to an issue or source line, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// JSON Schemas (draft 2020-12), one per family, describing where this
    /// difference shows outside the vector set: each validates the document
    /// `{"input": <case input>, "expected": <the oracle's answer>}`. An input
    /// the differential fuzzer (`convert-parity fuzz`) generates is this
    /// divergence when the schema of its family accepts that document and
    /// every difference lies within `fields`. Each case the entry names must
    /// be of a family listed here, with its input and expected value
    /// accepted by the schema, and each family listed must have such a case
    /// (the runner checks): the vector cases are the schemas' evidence.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub matches: BTreeMap<Family, serde_json::Value>,
}

impl Divergence {
    /// `Some(problem)` when the entry cannot count as a declaration.
    pub fn problem(&self) -> Option<&'static str> {
        let reason = self.reason.trim();
        if reason.is_empty() {
            Some("the reason is empty")
        } else if reason.starts_with("TODO") {
            Some("the reason is still a TODO draft")
        } else if self.cases.is_empty() {
            Some("the entry names no case")
        } else if !self.matches.values().all(serde_json::Value::is_object) {
            Some("every `matches` schema must be a JSON object")
        } else {
            None
        }
    }
}
