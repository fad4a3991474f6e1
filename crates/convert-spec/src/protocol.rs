//! The adapter protocol, version 1: newline-delimited JSON over the adapter's
//! stdin (requests) and stdout (responses). `spec/protocol.md` is the prose.
//!
//! - `{"cmd":"start","protocol":1}` → [`ReadyResponse`]
//! - `{"cmd":"run","seq":N,"family":F,"case":{"id":I,"input":{…}}}` → exactly
//!   one [`RunResponse`] with the same `seq`: a result, a skip or an error.
//! - `{"cmd":"stop"}` → the adapter exits with status 0, writing nothing.
//!
//! Responses come one per line, in request order. Adapters must ignore request
//! fields they do not know (the runner may add optional fields); the runner is
//! strict about responses: an unknown field, a missing field, a wrong `seq` or
//! a line that is not JSON is a protocol violation.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Capabilities;

/// A message from the runner to the adapter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum Request {
    /// The handshake: the first message of every session.
    Start(StartRequest),
    /// Evaluate one case.
    Run(RunRequest),
    /// End the session: the adapter exits 0 without answering.
    Stop,
}

/// Body of `{"cmd":"start",…}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StartRequest {
    /// The protocol version the runner speaks; an adapter that does not speak
    /// it answers `{"ready":false,"message":…}`.
    pub protocol: u32,
}

/// Body of `{"cmd":"run",…}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunRequest {
    /// Sequence number, echoed in the response. Increases within a session.
    pub seq: u64,
    /// Wire name of the case's family.
    pub family: String,
    /// The case to evaluate.
    pub case: CaseRequest,
}

/// The line of a `run` request (JSON and `\n`), serialised from borrowed
/// parts: the same bytes as serialising [`Request::Run`], without copying the
/// case input first (inputs carry whole configs, and the runner sends
/// thousands a second).
pub fn run_request_line(seq: u64, family: &str, id: &str, input: &Value) -> Vec<u8> {
    #[derive(Serialize)]
    struct Line<'a> {
        cmd: &'static str,
        seq: u64,
        family: &'a str,
        case: Case<'a>,
    }
    #[derive(Serialize)]
    struct Case<'a> {
        id: &'a str,
        input: &'a Value,
    }
    let line = Line {
        cmd: "run",
        seq,
        family,
        case: Case { id, input },
    };
    let mut bytes = serde_json::to_vec(&line).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The part of a vector case an adapter sees: never the expected value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CaseRequest {
    /// The case's stable id (for the adapter's logs and skip decisions).
    pub id: String,
    /// The family-specific input (see `spec/schemas/families/`).
    pub input: Value,
}

/// The adapter's answer to `start`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadyResponse {
    /// `true` when the adapter speaks the requested protocol version.
    pub ready: bool,
    /// What is being tested. Required when `ready` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation: Option<Implementation>,
    /// What it can answer. Required when `ready` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Capabilities>,
    /// Why the adapter is not ready, when `ready` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The SDK under test, as the adapter describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Implementation {
    /// Package name, e.g. `@convertcom/js-sdk`.
    pub name: String,
    /// Package version, e.g. `4.4.3`.
    pub version: String,
    /// Implementation language, e.g. `javascript`.
    pub language: String,
    /// Language runtime and its version, e.g. `node v20.20.2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
}

/// The adapter's answer to one `run` request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RunResponse {
    /// The case was evaluated.
    Result(ResultResponse),
    /// The adapter cannot evaluate this case (e.g. the SDK has no public way
    /// to reach the surface); the reason is shown in the report.
    Skipped(SkippedResponse),
    /// The adapter tried and caught an error (e.g. the SDK threw).
    Errored(ErroredResponse),
}

impl RunResponse {
    /// The echoed sequence number.
    pub fn seq(&self) -> u64 {
        match self {
            RunResponse::Result(r) => r.seq,
            RunResponse::Skipped(r) => r.seq,
            RunResponse::Errored(r) => r.seq,
        }
    }
}

/// `{"seq":N,"result":{…}}`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultResponse {
    /// Echo of the request's `seq`.
    pub seq: u64,
    /// The family-specific result.
    pub result: Value,
}

/// `{"seq":N,"skipped":{"reason":…}}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SkippedResponse {
    /// Echo of the request's `seq`.
    pub seq: u64,
    /// Why the case was not evaluated.
    pub skipped: Skip,
}

/// Why a case was skipped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Skip {
    /// Human-readable reason, shown in reports.
    pub reason: String,
}

/// `{"seq":N,"errored":{"message":…}}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErroredResponse {
    /// Echo of the request's `seq`.
    pub seq: u64,
    /// What went wrong.
    pub errored: ErrorInfo,
}

/// A caught error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorInfo {
    /// The error message.
    pub message: String,
    /// Optional stack trace or extra context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceback: Option<String>,
}

/// Why a line from an adapter is not a valid protocol message.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// The line is not JSON at all.
    #[error("not JSON: {0}")]
    NotJson(serde_json::Error),
    /// The line is JSON but not the expected message.
    #[error("not a valid {expected} message: {detail}")]
    Shape {
        /// Which message was expected (`ready` or `run response`).
        expected: &'static str,
        /// What is wrong with it.
        detail: String,
    },
}

impl ReadyResponse {
    /// Parses and checks one line written in answer to `start`.
    pub fn parse_line(line: &str) -> Result<ReadyResponse, ProtocolError> {
        let value: Value = serde_json::from_str(line).map_err(ProtocolError::NotJson)?;
        let ready: ReadyResponse =
            serde_json::from_value(value).map_err(|e| ProtocolError::Shape {
                expected: "ready",
                detail: e.to_string(),
            })?;
        if ready.ready && (ready.implementation.is_none() || ready.capabilities.is_none()) {
            return Err(ProtocolError::Shape {
                expected: "ready",
                detail: "`implementation` and `capabilities` are required when `ready` is true"
                    .into(),
            });
        }
        Ok(ready)
    }
}

impl RunResponse {
    /// Parses and checks one line written in answer to `run`: exactly one of
    /// `result`, `skipped` and `errored`, and no other field but `seq`.
    pub fn parse_line(line: &str) -> Result<RunResponse, ProtocolError> {
        let value: Value = serde_json::from_str(line).map_err(ProtocolError::NotJson)?;
        let shape = |detail: String| ProtocolError::Shape {
            expected: "run response",
            detail,
        };
        let Value::Object(map) = &value else {
            return Err(shape("expected a JSON object".into()));
        };
        let outcomes: Vec<&str> = ["result", "skipped", "errored"]
            .into_iter()
            .filter(|k| map.contains_key(*k))
            .collect();
        match outcomes.as_slice() {
            [_] => {}
            [] => return Err(shape("needs one of `result`, `skipped`, `errored`".into())),
            many => {
                return Err(shape(format!(
                    "has more than one outcome: {}",
                    many.join(", ")
                )));
            }
        }
        let parsed = match outcomes[0] {
            "result" => serde_json::from_value(value.clone()).map(RunResponse::Result),
            "skipped" => serde_json::from_value(value.clone()).map(RunResponse::Skipped),
            _ => serde_json::from_value(value.clone()).map(RunResponse::Errored),
        };
        parsed.map_err(|e| shape(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_have_the_documented_wire_form() {
        let start = Request::Start(StartRequest { protocol: 1 });
        assert_eq!(
            serde_json::to_value(&start).unwrap(),
            json!({"cmd":"start","protocol":1})
        );
        let run = Request::Run(RunRequest {
            seq: 7,
            family: "hash".into(),
            case: CaseRequest {
                id: "hash/x".into(),
                input: json!({"value":"a","seed":1}),
            },
        });
        assert_eq!(
            serde_json::to_value(&run).unwrap(),
            json!({"cmd":"run","seq":7,"family":"hash","case":{"id":"hash/x","input":{"value":"a","seed":1}}})
        );
        assert_eq!(
            serde_json::to_value(Request::Stop).unwrap(),
            json!({"cmd":"stop"})
        );
    }

    #[test]
    fn run_lines_are_run_requests() {
        let input = json!({"config": {"b": [1, 2.5, "x"], "a": null}, "visitor_id": "é"});
        let request = Request::Run(RunRequest {
            seq: 42,
            family: "experience".into(),
            case: CaseRequest {
                id: "experience/x".into(),
                input: input.clone(),
            },
        });
        let mut expected = serde_json::to_vec(&request).unwrap();
        expected.push(b'\n');
        assert_eq!(
            run_request_line(42, "experience", "experience/x", &input),
            expected
        );
    }

    #[test]
    fn run_responses_parse_strictly() {
        assert_eq!(
            RunResponse::parse_line(r#"{"seq":3,"result":{"hash":1}}"#)
                .unwrap()
                .seq(),
            3
        );
        assert!(matches!(
            RunResponse::parse_line(r#"{"seq":3,"skipped":{"reason":"no"}}"#).unwrap(),
            RunResponse::Skipped(_)
        ));
        assert!(matches!(
            RunResponse::parse_line(r#"{"seq":3,"errored":{"message":"boom"}}"#).unwrap(),
            RunResponse::Errored(_)
        ));
        for bad in [
            "garbage",
            "[]",
            r#"{"seq":3}"#,
            r#"{"result":{}}"#,
            r#"{"seq":3,"result":{},"skipped":{"reason":"x"}}"#,
            r#"{"seq":3,"result":{},"extra":1}"#,
            r#"{"seq":-1,"result":{}}"#,
            r#"{"seq":3,"skipped":{}}"#,
        ] {
            assert!(
                RunResponse::parse_line(bad).is_err(),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn ready_requires_identity_when_ready() {
        let ok = r#"{"ready":true,"implementation":{"name":"x","version":"1","language":"rust"},"capabilities":{"families":["hash"]}}"#;
        assert!(ReadyResponse::parse_line(ok).is_ok());
        assert!(ReadyResponse::parse_line(r#"{"ready":true}"#).is_err());
        assert!(
            ReadyResponse::parse_line(r#"{"ready":false,"message":"protocol 2 only"}"#).is_ok()
        );
    }
}
