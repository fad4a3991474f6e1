//! The oracle: a real SDK, reached through its adapter, whose answers become
//! the expected values.

use std::fmt;
use std::path::Path;

use anyhow::{Result, bail};
use convert_spec::protocol::Implementation;
use convert_spec::{Capabilities, Family};
use serde_json::Value;

/// What an oracle said about one case.
#[derive(Clone, Debug)]
pub enum Answer {
    /// The family result.
    Result(Value),
    /// The adapter skipped the case.
    Skipped(String),
    /// The adapter reported an error.
    Errored(String),
    /// The adapter failed (crash, timeout, protocol violation).
    Failed(String),
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Result(v) => write!(f, "result {v}"),
            Answer::Skipped(r) => write!(f, "skipped: {r}"),
            Answer::Errored(m) => write!(f, "errored: {m}"),
            Answer::Failed(m) => write!(f, "adapter failure: {m}"),
        }
    }
}

/// An implementation that answers cases.
pub trait Oracle {
    /// Who answers.
    fn implementation(&self) -> &Implementation;
    /// What it can answer.
    fn capabilities(&self) -> &Capabilities;
    /// Answers the `(id, input)` cases of one family, in order.
    fn answer(&mut self, family: Family, cases: &[(String, Value)]) -> Result<Vec<Answer>>;
}

/// Starts the named adapter (`adapters/<name>`) as an oracle.
pub fn connect(root: &Path, name: &str) -> Result<Box<dyn Oracle>> {
    let _ = root;
    bail!("oracle `{name}`: the adapter client is not wired in yet")
}
