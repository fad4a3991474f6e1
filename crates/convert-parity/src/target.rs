//! A target: something that answers cases (the reference engine in-process,
//! or an SDK behind an adapter process).

use std::sync::Arc;

use convert_spec::identity::Members;
use convert_spec::protocol::Implementation;
use convert_spec::{Capabilities, Family};
use serde_json::Value;

use crate::outcome::Answer;

/// One case as a target sees it: never the expected value.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseInput {
    /// The case's family.
    pub family: Family,
    /// The case id.
    pub id: String,
    /// The family-specific input, shared with the vector it comes from.
    pub input: Arc<Value>,
    /// Handles of the input's members, from the suite's
    /// [`Interner`](convert_spec::identity::Interner): a target that keeps
    /// work per value (a read config, a defined value) recognises an
    /// identical member by its handle. Empty when nobody interned the input;
    /// targets then compare values themselves.
    pub members: Members,
}

impl CaseInput {
    /// A case input without member handles.
    pub fn new(family: Family, id: impl Into<String>, input: impl Into<Arc<Value>>) -> CaseInput {
        CaseInput {
            family,
            id: id.into(),
            input: input.into(),
            members: Members::default(),
        }
    }
}

/// Something that evaluates cases.
pub trait Target {
    /// What is being tested.
    fn implementation(&self) -> &Implementation;
    /// What it can answer.
    fn capabilities(&self) -> &Capabilities;
    /// Answers `cases`, one answer per case, in order. Faults of the target
    /// are answers (timeout, crashed), never panics.
    fn run(&mut self, cases: &[CaseInput]) -> Vec<Answer>;
    /// The adapter behind this target, if it is one (for fault reporting).
    fn as_adapter(&mut self) -> Option<&mut crate::adapter::Adapter> {
        None
    }
}
