//! The adapter protocol, version 1: newline-delimited JSON over the adapter's
//! stdin (requests) and stdout (responses). `spec/protocol.md` is the prose.
//!
//! - `{"cmd":"start","protocol":1}` → [`ReadyResponse`]
//! - `{"cmd":"run","seq":N,"family":F,"case":{"id":I,"input":{…}}}` → exactly
//!   one [`RunResponse`] with the same `seq`: a result, a skip or an error.
//! - `{"cmd":"time","seq":N,"family":F,"case":{…},"iterations":K,"scope":S}` →
//!   exactly one [`TimeResponse`] with the same `seq`: the adapter evaluates
//!   the case `K` times inside its own runtime and reports the elapsed time.
//!   Sent only to adapters that declare the [`TIMING`](crate::capability::features::TIMING) capability.
//! - `{"cmd":"define","digest":D,"value":V}` → no answer: the adapter keeps
//!   `V` under `D`, and a later case's `refs` (`{"member": D}`) stands for
//!   that member of its input. Sent only to adapters that declare the
//!   [`DEFINE`](crate::capability::features::DEFINE) capability.
//! - `{"cmd":"stop"}` → the adapter exits with status 0, writing nothing.
//!
//! Responses come one per line, in request order. Adapters must ignore request
//! fields they do not know (the runner may add optional fields); the runner is
//! strict about responses: an unknown field, a missing field, a wrong `seq` or
//! a line that is not JSON is a protocol violation.

use std::collections::BTreeMap;

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
    /// Time repeated evaluations of one case inside the adapter's runtime.
    /// Only for adapters that declare the `timing` feature.
    Time(TimeRequest),
    /// Keep a JSON value under its content digest, for later cases' `refs`.
    /// Not answered. Only for adapters that declare the `define` feature.
    Define(DefineRequest),
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

/// Body of `{"cmd":"define",…}`: a JSON value defined once, under its
/// content digest, so that later `run` and `time` requests can refer to it
/// (`case.refs`) instead of carrying it. The adapter keeps every definition
/// for the life of its process and writes no answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DefineRequest {
    /// `sha256:` and the lower-case hex SHA-256 of the value's compact JSON
    /// text (key order as sent). Adapters treat it as an opaque key.
    pub digest: String,
    /// The value.
    pub value: Value,
}

/// The digest a `define` request carries for `value`: `sha256:` and the hex
/// SHA-256 of its compact JSON text, key order as written.
pub fn define_digest(value: &Value) -> String {
    format!("sha256:{}", crate::digest::input_digest(value))
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

/// Body of `{"cmd":"time",…}`: evaluate `case` `iterations` times inside
/// the adapter's runtime and report how long that took, measured by the
/// adapter around the loop alone (no I/O, no JSON inside the measurement).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TimeRequest {
    /// Sequence number, echoed in the response (shared with `run`).
    pub seq: u64,
    /// Wire name of the case's family.
    pub family: String,
    /// The case to evaluate; its input is parsed once, before the clock
    /// starts.
    pub case: CaseRequest,
    /// How many evaluations to time (at least 1).
    pub iterations: u64,
    /// What one evaluation is (default [`TimingScope::Case`]).
    #[serde(default)]
    pub scope: TimingScope,
}

/// What one timed evaluation of a `time` request is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimingScope {
    /// Exactly what the adapter does for a `run` of the case (for most
    /// adapters: a fresh SDK instance, the family's calls, the result built),
    /// minus reading and writing the protocol lines. Any declared family.
    #[default]
    Case,
    /// One decision through the SDK's public API, for the `experience`
    /// family: one SDK instance is created from the case's `config` before
    /// the clock starts (tracking off, logging off); evaluation `i` creates
    /// a context for the visitor `"{visitor_id}-{i}"` with the case's
    /// `visitor_attributes` and runs `experience_key` with its
    /// `location_attributes`. The visitor ids are built before the clock
    /// starts.
    Decision,
}

/// The line of a `run` request (JSON and `\n`), serialised from borrowed
/// parts: the same bytes as serialising [`Request::Run`], without copying the
/// case input first (inputs carry whole configs, and the runner sends
/// thousands a second).
pub fn run_request_line(seq: u64, family: &str, id: &str, input: &Value) -> Vec<u8> {
    run_request_line_with_refs(seq, family, id, input, &[])
}

/// [`run_request_line`] with `case.refs`: `input` without the members named
/// in `refs`, each of which stands for the value defined under its digest
/// (no `refs` member when `refs` is empty; only for adapters that declare
/// the `define` feature). A member named in `refs` is left out of `input`.
pub fn run_request_line_with_refs(
    seq: u64,
    family: &str,
    id: &str,
    input: &Value,
    refs: &[(&str, &str)],
) -> Vec<u8> {
    #[derive(Serialize)]
    struct Line<'a> {
        cmd: &'static str,
        seq: u64,
        family: &'a str,
        case: Case<'a>,
    }
    let line = Line {
        cmd: "run",
        seq,
        family,
        case: Case { id, input, refs },
    };
    let mut bytes = serde_json::to_vec(&line).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// A case of a request line, borrowed: the input without the referred
/// members, and `refs` when there are any.
struct Case<'a> {
    id: &'a str,
    input: &'a Value,
    refs: &'a [(&'a str, &'a str)],
}

impl Serialize for Case<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeStruct};
        struct Without<'a>(&'a serde_json::Map<String, Value>, &'a [(&'a str, &'a str)]);
        impl Serialize for Without<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(None)?;
                for (key, value) in self.0 {
                    if !self.1.iter().any(|(name, _)| name == key) {
                        map.serialize_entry(key, value)?;
                    }
                }
                map.end()
            }
        }
        struct Refs<'a>(&'a [(&'a str, &'a str)]);
        impl Serialize for Refs<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (name, digest) in self.0 {
                    map.serialize_entry(name, digest)?;
                }
                map.end()
            }
        }
        let mut case = serializer.serialize_struct("Case", 3)?;
        case.serialize_field("id", self.id)?;
        match (self.input, self.refs.is_empty()) {
            (Value::Object(members), false) => {
                case.serialize_field("input", &Without(members, self.refs))?;
                case.serialize_field("refs", &Refs(self.refs))?;
            }
            _ => case.serialize_field("input", self.input)?,
        }
        case.end()
    }
}

/// The line of a `time` request (JSON and `\n`), from borrowed parts, with
/// `case.refs` as in [`run_request_line_with_refs`]: the same bytes as
/// serialising [`Request::Time`] when `refs` is empty.
pub fn time_request_line(request: &TimeRequest, refs: &[(&str, &str)]) -> Vec<u8> {
    #[derive(Serialize)]
    struct Line<'a> {
        cmd: &'static str,
        seq: u64,
        family: &'a str,
        case: Case<'a>,
        iterations: u64,
        scope: TimingScope,
    }
    let line = Line {
        cmd: "time",
        seq: request.seq,
        family: &request.family,
        case: Case {
            id: &request.case.id,
            input: &request.case.input,
            refs,
        },
        iterations: request.iterations,
        scope: request.scope,
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
    /// The family-specific input (see `spec/schemas/families/`), without
    /// the members named in `refs`.
    pub input: Value,
    /// Members of `input` sent by reference (feature `define`): member name
    /// → the digest of a value defined earlier in the session (`define`).
    /// The adapter sets each member to its defined value before evaluating;
    /// a digest it was never sent makes the case `errored`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refs: Option<BTreeMap<String, String>>,
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

impl Implementation {
    /// `name version (runtime)`, e.g. `@convertcom/js-sdk 4.4.3 (node
    /// v20.20.2)`; without a runtime, `name version`.
    pub fn name_version_runtime(&self) -> String {
        match &self.runtime {
            Some(runtime) => format!("{} {} ({runtime})", self.name, self.version),
            None => format!("{} {}", self.name, self.version),
        }
    }
}

/// `name version (language, runtime)`, e.g. `@convertcom/js-sdk 4.4.3
/// (javascript, node v20.20.2)`; without a runtime, `name version (language)`.
impl std::fmt::Display for Implementation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} ({}", self.name, self.version, self.language)?;
        if let Some(runtime) = &self.runtime {
            write!(f, ", {runtime}")?;
        }
        f.write_str(")")
    }
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

/// The adapter's answer to one `time` request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum TimeResponse {
    /// The evaluations were timed.
    Timing(TimingResponse),
    /// The adapter cannot time this case (e.g. a scope it does not support).
    Skipped(SkippedResponse),
    /// An evaluation failed (nothing is timed then).
    Errored(ErroredResponse),
}

impl TimeResponse {
    /// The echoed sequence number.
    pub fn seq(&self) -> u64 {
        match self {
            TimeResponse::Timing(r) => r.seq,
            TimeResponse::Skipped(r) => r.seq,
            TimeResponse::Errored(r) => r.seq,
        }
    }
}

/// `{"seq":N,"timing":{…}}`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimingResponse {
    /// Echo of the request's `seq`.
    pub seq: u64,
    /// What was measured.
    pub timing: Timing,
}

/// A measurement of `iterations` evaluations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    /// How many evaluations ran inside the measurement (the request's
    /// `iterations`).
    pub iterations: u64,
    /// Wall-clock nanoseconds of the whole loop, from a monotonic clock.
    pub elapsed_ns: u64,
    /// Scope `case`: the result of the last evaluation, in the family's
    /// result shape (built after the clock stopped), so that the runner can
    /// check that what was timed is what `run` answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// Scope `decision`: how many of the decisions selected each variation
    /// id. Decisions without a variation are `iterations` minus the sum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variations: Option<BTreeMap<String, u64>>,
}

impl Timing {
    /// Mean nanoseconds per evaluation.
    pub fn ns_per_iteration(&self) -> f64 {
        // u64 → f64 loses precision only above 2^53 ns (104 days).
        #[allow(clippy::cast_precision_loss)]
        let per = self.elapsed_ns as f64 / self.iterations.max(1) as f64;
        per
    }
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

impl TimeResponse {
    /// Parses and checks one line written in answer to `time`: exactly one of
    /// `timing`, `skipped` and `errored`, and no other field but `seq`.
    pub fn parse_line(line: &str) -> Result<TimeResponse, ProtocolError> {
        let value: Value = serde_json::from_str(line).map_err(ProtocolError::NotJson)?;
        let shape = |detail: String| ProtocolError::Shape {
            expected: "time response",
            detail,
        };
        let Value::Object(map) = &value else {
            return Err(shape("expected a JSON object".into()));
        };
        let outcomes: Vec<&str> = ["timing", "skipped", "errored"]
            .into_iter()
            .filter(|k| map.contains_key(*k))
            .collect();
        let parsed = match outcomes.as_slice() {
            ["timing"] => serde_json::from_value(value.clone()).map(TimeResponse::Timing),
            ["skipped"] => serde_json::from_value(value.clone()).map(TimeResponse::Skipped),
            ["errored"] => serde_json::from_value(value.clone()).map(TimeResponse::Errored),
            [] => return Err(shape("needs one of `timing`, `skipped`, `errored`".into())),
            many => {
                return Err(shape(format!(
                    "has more than one outcome: {}",
                    many.join(", ")
                )));
            }
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
                refs: None,
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
    fn time_requests_and_responses_have_the_documented_wire_form() {
        let time = Request::Time(TimeRequest {
            seq: 8,
            family: "experience".into(),
            case: CaseRequest {
                id: "bench/decision".into(),
                input: json!({}),
                refs: None,
            },
            iterations: 1000,
            scope: TimingScope::Decision,
        });
        let wire = json!({"cmd":"time","seq":8,"family":"experience","case":{"id":"bench/decision","input":{}},"iterations":1000,"scope":"decision"});
        assert_eq!(serde_json::to_value(&time).unwrap(), wire);
        // `scope` is optional and defaults to `case`.
        let parsed: Request = serde_json::from_value(json!({"cmd":"time","seq":1,"family":"hash","case":{"id":"x","input":{}},"iterations":3})).unwrap();
        assert!(matches!(
            parsed,
            Request::Time(TimeRequest {
                scope: TimingScope::Case,
                iterations: 3,
                ..
            })
        ));

        let ok = TimeResponse::parse_line(
            r#"{"seq":8,"timing":{"iterations":1000,"elapsed_ns":2000000,"variations":{"1001":480,"1002":520}}}"#,
        )
        .unwrap();
        let TimeResponse::Timing(timing) = ok else {
            panic!("a timing answer")
        };
        assert_eq!(timing.timing.ns_per_iteration(), 2000.0);
        assert!(matches!(
            TimeResponse::parse_line(r#"{"seq":8,"errored":{"message":"boom"}}"#).unwrap(),
            TimeResponse::Errored(_)
        ));
        for bad in [
            r#"{"seq":8}"#,
            r#"{"seq":8,"timing":{"iterations":1}}"#,
            r#"{"seq":8,"timing":{"iterations":1,"elapsed_ns":5,"extra":1}}"#,
            r#"{"seq":8,"timing":{"iterations":1,"elapsed_ns":5},"skipped":{"reason":"x"}}"#,
            r#"{"seq":8,"result":{}}"#,
        ] {
            assert!(
                TimeResponse::parse_line(bad).is_err(),
                "{bad} should be rejected"
            );
        }
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
                refs: None,
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
    fn define_requests_and_refs_have_the_documented_wire_form() {
        let value = json!({"b": 1, "a": [true, null]});
        let digest = define_digest(&value);
        assert_eq!(
            digest,
            format!(
                "sha256:{}",
                crate::digest::sha256_hex(br#"{"b":1,"a":[true,null]}"#)
            )
        );
        let define: Request =
            serde_json::from_value(json!({"cmd":"define","digest":digest,"value":value})).unwrap();
        assert_eq!(
            define,
            Request::Define(DefineRequest {
                digest: digest.clone(),
                value: value.clone()
            })
        );
        let input = json!({"config": value, "visitor_id": "v"});
        let line = run_request_line_with_refs(3, "experience", "x", &input, &[("config", &digest)]);
        let parsed: Request = serde_json::from_slice(&line).unwrap();
        let Request::Run(run) = parsed else {
            panic!("a run request")
        };
        assert_eq!(run.case.input, json!({"visitor_id": "v"}));
        assert_eq!(run.case.refs.unwrap()["config"], digest);
        // Without refs, the line is the plain run line.
        assert_eq!(
            run_request_line_with_refs(3, "experience", "x", &input, &[]),
            run_request_line(3, "experience", "x", &input)
        );
        let time = TimeRequest {
            seq: 4,
            family: "experience".into(),
            case: CaseRequest {
                id: "x".into(),
                input: input.clone(),
                refs: None,
            },
            iterations: 2,
            scope: TimingScope::Case,
        };
        let mut plain = serde_json::to_vec(&Request::Time(time.clone())).unwrap();
        plain.push(b'\n');
        assert_eq!(time_request_line(&time, &[]), plain);
        let Request::Time(referred) =
            serde_json::from_slice(&time_request_line(&time, &[("config", &digest)])).unwrap()
        else {
            panic!("a time request")
        };
        assert_eq!(referred.case.input, json!({"visitor_id": "v"}));
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
