//! Validation of adapter messages against the protocol's JSON Schemas
//! (`spec/schemas/protocol/`), generated from the contract types.

use jsonschema::Validator;
use serde_json::Value;

/// Compiled validators for the messages an adapter writes.
pub struct ProtocolValidator {
    ready: Validator,
    run_response: Validator,
    time_response: Validator,
}

impl std::fmt::Debug for ProtocolValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProtocolValidator").finish_non_exhaustive()
    }
}

/// A schema could not be compiled (a bug in the contract crate).
#[derive(Debug, thiserror::Error)]
#[error("protocol schema {path} does not compile: {message}")]
pub struct SchemaError {
    /// The schema.
    pub path: String,
    /// The compiler's message.
    pub message: String,
}

impl ProtocolValidator {
    /// Compiles the protocol schemas.
    pub fn new() -> Result<ProtocolValidator, SchemaError> {
        let schemas = convert_spec::schema::all_schemas();
        let compile = |path: &str| -> Result<Validator, SchemaError> {
            let schema = schemas
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, s)| s)
                .ok_or_else(|| SchemaError {
                    path: path.to_owned(),
                    message: "missing".into(),
                })?;
            jsonschema::draft202012::new(schema).map_err(|e| SchemaError {
                path: path.to_owned(),
                message: e.to_string(),
            })
        };
        Ok(ProtocolValidator {
            ready: compile("protocol/ready.schema.json")?,
            run_response: compile("protocol/run-response.schema.json")?,
            time_response: compile("protocol/time-response.schema.json")?,
        })
    }

    /// Checks an answer to `start`.
    pub fn check_ready(&self, message: &Value) -> Result<(), String> {
        check(&self.ready, message)
    }

    /// Checks an answer to `run`.
    pub fn check_run_response(&self, message: &Value) -> Result<(), String> {
        check(&self.run_response, message)
    }

    /// Checks an answer to `time`.
    pub fn check_time_response(&self, message: &Value) -> Result<(), String> {
        check(&self.time_response, message)
    }
}

fn check(validator: &Validator, message: &Value) -> Result<(), String> {
    let errors: Vec<String> = validator
        .iter_errors(message)
        .take(3)
        .map(|e| {
            let at = e.instance_path().to_string();
            format!("{e} at `{}`", if at.is_empty() { "/" } else { &at })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("schema violation: {}", errors.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_are_checked_against_the_schemas() {
        let v = ProtocolValidator::new().unwrap();
        assert!(
            v.check_run_response(&json!({"seq": 1, "result": {"hash": 1}}))
                .is_ok()
        );
        assert!(
            v.check_run_response(&json!({"seq": 1, "skipped": {"reason": "x"}}))
                .is_ok()
        );
        assert!(
            v.check_run_response(&json!({"seq": 1, "result": {}, "extra": 1}))
                .is_err()
        );
        assert!(
            v.check_run_response(&json!({"seq": "1", "result": {}}))
                .is_err()
        );
        assert!(v.check_ready(&json!({"ready": true, "implementation": {"name": "a", "version": "1", "language": "x"}, "capabilities": {"families": ["hash"]}})).is_ok());
        assert!(v.check_ready(&json!({"ready": "yes"})).is_err());
        assert!(
            v.check_time_response(
                &json!({"seq": 2, "timing": {"iterations": 5, "elapsed_ns": 900}})
            )
            .is_ok()
        );
        assert!(
            v.check_time_response(&json!({"seq": 2, "timing": {"iterations": 5}}))
                .is_err()
        );
    }
}
