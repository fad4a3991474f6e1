//! What happened to one case on one target.

use std::fmt;

use convert_spec::compare::Difference;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The outcome classes of a case. Their names are part of the JSON report.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// The result equals the expected value.
    Pass,
    /// The result differs from the expected value (or has the wrong shape).
    Fail,
    /// A failure the target's divergence file declares, with a reason.
    Diverged,
    /// Not evaluated: the adapter said so, or the case needs a capability the
    /// target does not declare.
    Skipped,
    /// The adapter caught an error while evaluating.
    Errored,
    /// The adapter did not answer within the per-case timeout.
    Timeout,
    /// The adapter died or broke the protocol.
    Crashed,
}

impl OutcomeKind {
    /// Every kind, in report column order.
    pub const ALL: [OutcomeKind; 7] = [
        OutcomeKind::Pass,
        OutcomeKind::Fail,
        OutcomeKind::Diverged,
        OutcomeKind::Skipped,
        OutcomeKind::Errored,
        OutcomeKind::Timeout,
        OutcomeKind::Crashed,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Pass => "pass",
            OutcomeKind::Fail => "fail",
            OutcomeKind::Diverged => "diverged",
            OutcomeKind::Skipped => "skipped",
            OutcomeKind::Errored => "errored",
            OutcomeKind::Timeout => "timeout",
            OutcomeKind::Crashed => "crashed",
        }
    }

    /// Whether the case was evaluated (everything but skipped): counts
    /// against vacuous families.
    pub fn executed(self) -> bool {
        self != OutcomeKind::Skipped
    }

    /// Whether this outcome is an infrastructure or protocol problem (exit 2).
    pub fn is_infrastructure(self) -> bool {
        matches!(self, OutcomeKind::Timeout | OutcomeKind::Crashed)
    }

    /// Whether this outcome is a conformance failure (exit 1).
    pub fn is_failure(self) -> bool {
        matches!(self, OutcomeKind::Fail | OutcomeKind::Errored)
    }
}

impl fmt::Display for OutcomeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a target answered for one case, before comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// A result.
    Result(Value),
    /// Skipped, with the reason.
    Skipped(String),
    /// A caught error.
    Errored(String),
    /// No answer in time.
    Timeout(String),
    /// The adapter died or broke the protocol.
    Crashed(String),
}

/// The judged outcome of one case.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The class.
    pub kind: OutcomeKind,
    /// A human-readable explanation (why it failed, was skipped, …).
    pub message: Option<String>,
    /// What the target answered, when it answered a result.
    pub actual: Option<Value>,
    /// Where the result differs from the expected value.
    pub differences: Vec<Difference>,
}

impl Outcome {
    /// An outcome of `kind` with a message and nothing else.
    pub fn with_message(kind: OutcomeKind, message: impl Into<String>) -> Outcome {
        Outcome {
            kind,
            message: Some(message.into()),
            actual: None,
            differences: Vec::new(),
        }
    }
}
