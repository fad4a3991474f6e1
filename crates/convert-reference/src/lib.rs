//! The reference engine as a conformance target.
//!
//! PLACEHOLDER: the bridge to `convert-engine` is being written; until then
//! every family answers [`ReferenceError::NotImplemented`].

use convert_spec::protocol::Implementation;
use convert_spec::{Capabilities, Family};
use serde_json::Value;

/// Why the reference engine could not answer a case.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// The input does not have the family's input shape.
    #[error("invalid {family} input: {message}")]
    InvalidInput {
        /// The family.
        family: Family,
        /// What is wrong.
        message: String,
    },
    /// The family is not implemented by the reference engine.
    #[error("family `{0}` is not implemented by the reference engine")]
    NotImplemented(Family),
}

/// How the reference engine describes itself in reports and `start` replies.
pub fn implementation() -> Implementation {
    Implementation {
        name: "convert-engine".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        language: "rust".into(),
        runtime: None,
    }
}

/// What the reference engine answers.
pub fn capabilities() -> Capabilities {
    Capabilities {
        families: Family::ALL.iter().map(|f| f.as_str().to_owned()).collect(),
        contract_versions: vec![11, 12],
        features: vec!["diagnostics".into()],
    }
}

/// Evaluates one case input of `family` and returns the family's result.
pub fn evaluate(family: Family, input: &Value) -> Result<Value, ReferenceError> {
    let _ = input;
    Err(ReferenceError::NotImplemented(family))
}
