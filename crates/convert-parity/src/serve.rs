//! `convert-parity adapter`: the reference engine behind the adapter
//! protocol, on stdin/stdout — so the protocol is tested the way other SDKs
//! use it, and the reference can be driven by any tool that speaks it.

use std::collections::HashMap;
use std::io::{BufRead, Write};

use convert_reference::timing::{self, Measured};
use convert_spec::capability::features;
use convert_spec::protocol::{
    CaseRequest, ErrorInfo, ErroredResponse, ReadyResponse, Request, ResultResponse, RunRequest,
    RunResponse, TimeRequest, TimeResponse, Timing, TimingResponse, TimingScope,
};
use convert_spec::{Family, PROTOCOL_VERSION};
use serde::Serialize;
use serde_json::Value;

/// Serves the protocol until `stop` or end of input. Lines that are not
/// requests are reported on stderr; `run` requests the reference cannot
/// evaluate get an `errored` answer. Values sent with `define` are kept for
/// the session, and a case's `refs` are resolved to them (a digest never
/// defined makes the case `errored`). Never panics on input.
pub fn serve(
    input: impl BufRead,
    mut output: impl Write,
    mut log: impl Write,
) -> std::io::Result<()> {
    let mut definitions: HashMap<String, Value> = HashMap::new();
    for line in input.split(b'\n') {
        let Ok(line) = String::from_utf8(line?) else {
            writeln!(
                log,
                "convert-parity adapter: ignoring a line that is not UTF-8"
            )?;
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        let mut value: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                writeln!(
                    log,
                    "convert-parity adapter: ignoring a line that is not JSON: {e}"
                )?;
                continue;
            }
        };
        // The large parts (a case's input, a defined value) are moved out
        // before the small rest is deserialised, and moved back after:
        // nothing is copied.
        let seq = value.get("seq").and_then(Value::as_u64);
        let case_input = value
            .get_mut("case")
            .and_then(|case| case.get_mut("input"))
            .map(Value::take);
        let defined_value = value.get_mut("value").map(Value::take);
        let request: Request = match serde_json::from_value(value) {
            Ok(mut request) => {
                match &mut request {
                    Request::Run(RunRequest { case, .. })
                    | Request::Time(TimeRequest { case, .. }) => {
                        if let Some(input) = case_input {
                            case.input = input;
                        }
                    }
                    Request::Define(define) => {
                        if let Some(value) = defined_value {
                            define.value = value;
                        }
                    }
                    Request::Start(_) | Request::Stop => {}
                }
                request
            }
            Err(e) => {
                // A malformed `run` with a usable seq still gets an answer.
                if let Some(seq) = seq {
                    answer(
                        &mut output,
                        &errored(seq, format!("malformed request: {e}")),
                    )?;
                } else {
                    writeln!(
                        log,
                        "convert-parity adapter: ignoring a malformed request: {e}"
                    )?;
                }
                continue;
            }
        };
        match request {
            Request::Start(start) => {
                let ready = if start.protocol == PROTOCOL_VERSION {
                    ReadyResponse {
                        ready: true,
                        implementation: Some(convert_reference::implementation()),
                        capabilities: Some(capabilities()),
                        message: None,
                    }
                } else {
                    ReadyResponse {
                        ready: false,
                        implementation: None,
                        capabilities: None,
                        message: Some(format!("only protocol {PROTOCOL_VERSION} is spoken")),
                    }
                };
                writeln!(
                    output,
                    "{}",
                    serde_json::to_string(&ready).unwrap_or_default()
                )?;
                output.flush()?;
            }
            Request::Run(mut run) => {
                let response = match with_refs(&mut definitions, &mut run.case, |input| {
                    let family = run.family.parse::<Family>().map_err(|e| e.to_string())?;
                    convert_reference::evaluate(family, input).map_err(|e| e.to_string())
                }) {
                    Ok(result) => RunResponse::Result(ResultResponse {
                        seq: run.seq,
                        result,
                    }),
                    Err(message) => errored(run.seq, message),
                };
                answer(&mut output, &response)?;
            }
            Request::Time(mut time) => {
                let seq = time.seq;
                let mut case = std::mem::replace(
                    &mut time.case,
                    CaseRequest {
                        id: String::new(),
                        input: Value::Null,
                        refs: None,
                    },
                );
                let response = with_refs(&mut definitions, &mut case, |input| {
                    time.case.input = std::mem::take(input);
                    let response = time_answer(&time);
                    *input = std::mem::take(&mut time.case.input);
                    Ok(response)
                })
                .unwrap_or_else(|message| TimeResponse::Errored(errored_response(seq, message)));
                answer(&mut output, &response)?;
            }
            Request::Define(define) => {
                definitions.insert(define.digest, define.value);
            }
            Request::Stop => return Ok(()),
        }
    }
    Ok(())
}

/// Runs `evaluate` on the case's input with its `refs` resolved: each
/// referred value is moved into the input for the call and back into
/// `definitions` after it (no copy). A digest never defined, or refs on an
/// input that is not an object, is an error message.
fn with_refs<T>(
    definitions: &mut HashMap<String, Value>,
    case: &mut CaseRequest,
    evaluate: impl FnOnce(&mut Value) -> Result<T, String>,
) -> Result<T, String> {
    let Some(refs) = case.refs.take() else {
        return evaluate(&mut case.input);
    };
    let Value::Object(members) = &mut case.input else {
        return Err("malformed request: `case.refs` needs an object `case.input`".into());
    };
    let mut moved: Vec<(&str, &str)> = Vec::new();
    let mut missing = None;
    for (member, digest) in &refs {
        if let Some(value) = definitions.remove(digest) {
            members.insert(member.clone(), value);
            moved.push((member, digest));
        } else if let Some((earlier, _)) = moved.iter().find(|(_, d)| d == digest) {
            // The same digest for two members: the second is a copy.
            let copy = members.get(*earlier).cloned().unwrap_or_default();
            members.insert(member.clone(), copy);
        } else {
            missing = Some((member, digest));
            break;
        }
    }
    let outcome = match missing {
        Some((member, digest)) => Err(format!(
            "undefined reference: `case.refs.{member}` names the digest `{digest}`, which no `define` request of this session defined"
        )),
        None => evaluate(&mut case.input),
    };
    if let Value::Object(members) = &mut case.input {
        for (member, digest) in moved {
            if let Some(value) = members.shift_remove(member) {
                definitions.insert(digest.to_owned(), value);
            }
        }
    }
    outcome
}

/// The reference's capabilities, and `define`: this server resolves refs.
fn capabilities() -> convert_spec::Capabilities {
    let mut capabilities = convert_reference::capabilities();
    capabilities.features.push(features::DEFINE.to_owned());
    capabilities
}

fn errored(seq: u64, message: String) -> RunResponse {
    RunResponse::Errored(errored_response(seq, message))
}

fn errored_response(seq: u64, message: String) -> ErroredResponse {
    ErroredResponse {
        seq,
        errored: ErrorInfo {
            message,
            traceback: None,
        },
    }
}

/// Answers `time`: the evaluations are timed by `convert_reference::timing`,
/// inside this process.
fn time_answer(request: &TimeRequest) -> TimeResponse {
    let seq = request.seq;
    let fail = |message: String| TimeResponse::Errored(errored_response(seq, message));
    let family = match request.family.parse::<Family>() {
        Ok(family) => family,
        Err(e) => return fail(e.to_string()),
    };
    if request.iterations == 0 {
        return fail("`iterations` must be at least 1".into());
    }
    let measured = match (request.scope, family) {
        (TimingScope::Case, _) => {
            timing::time_case(family, &request.case.input, request.iterations)
        }
        (TimingScope::Decision, Family::Experience) => {
            timing::time_decisions(&request.case.input, request.iterations)
        }
        (TimingScope::Decision, other) => {
            return fail(format!(
                "the decision scope is for the `experience` family, not `{other}`"
            ));
        }
    };
    match measured {
        Ok(Measured {
            iterations,
            elapsed,
            result,
            variations,
        }) => TimeResponse::Timing(TimingResponse {
            seq,
            timing: Timing {
                iterations,
                elapsed_ns: u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX),
                result,
                variations,
            },
        }),
        Err(e) => fail(e.to_string()),
    }
}

fn answer(output: &mut impl Write, response: &impl Serialize) -> std::io::Result<()> {
    writeln!(
        output,
        "{}",
        serde_json::to_string(response).unwrap_or_default()
    )?;
    output.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(input: &str) -> (Vec<Value>, String) {
        let mut out = Vec::new();
        let mut log = Vec::new();
        serve(input.as_bytes(), &mut out, &mut log).unwrap();
        let lines = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (lines, String::from_utf8(log).unwrap())
    }

    #[test]
    fn a_session_answers_in_order_and_survives_garbage() {
        let (lines, log) = session(concat!(
            "{\"cmd\":\"start\",\"protocol\":1}\n",
            "garbage\n",
            "{\"cmd\":\"run\",\"seq\":1,\"family\":\"hash\",\"case\":{\"id\":\"x\",\"input\":{\"value\":\"hello\",\"seed\":9999}}}\n",
            "{\"cmd\":\"run\",\"seq\":2,\"family\":\"nope\",\"case\":{\"id\":\"y\",\"input\":{}}}\n",
            "{\"cmd\":\"run\",\"seq\":3}\n",
            "{\"cmd\":\"stop\"}\n",
            "{\"cmd\":\"run\",\"seq\":4,\"family\":\"hash\",\"case\":{\"id\":\"z\",\"input\":{}}}\n",
        ));
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert_eq!(lines[0]["ready"], true);
        // The digest's verified value: murmur3("hello", 9999) = 198804431.
        assert_eq!(
            lines[1],
            serde_json::json!({"seq":1,"result":{"hash":198804431}})
        );
        assert!(
            lines[2]["errored"]["message"]
                .as_str()
                .unwrap()
                .contains("unknown family")
        );
        assert_eq!(lines[3]["seq"], 3);
        assert!(log.contains("not JSON"));
    }

    #[test]
    fn a_line_that_is_not_utf8_is_skipped_not_fatal() {
        let mut input = b"{\"cmd\":\"start\",\"protocol\":1}\n\xff\xfe\n".to_vec();
        input.extend_from_slice(b"{\"cmd\":\"run\",\"seq\":1,\"family\":\"hash\",\"case\":{\"id\":\"x\",\"input\":{\"value\":\"hello\",\"seed\":9999}}}\n");
        let mut out = Vec::new();
        let mut log = Vec::new();
        serve(input.as_slice(), &mut out, &mut log).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.lines().count(), 2, "{out}");
        assert!(String::from_utf8(log).unwrap().contains("not UTF-8"));
    }

    #[test]
    fn time_requests_are_answered_with_a_measurement() {
        let input = r#"{"config":{"account_id":"100","project":{"id":"200"},"experiences":[{"id":"300","key":"exp-1","version":11,"variations":[{"id":"301","key":"a","traffic_allocation":50},{"id":"302","key":"b","traffic_allocation":50}]}]},"visitor_id":"visitor-123","location_attributes":{},"experience_key":"exp-1"}"#;
        let (lines, _) = session(&format!(
            concat!(
                "{{\"cmd\":\"start\",\"protocol\":1}}\n",
                "{{\"cmd\":\"time\",\"seq\":1,\"family\":\"experience\",\"case\":{{\"id\":\"t\",\"input\":{input}}},\"iterations\":4}}\n",
                "{{\"cmd\":\"time\",\"seq\":2,\"family\":\"experience\",\"case\":{{\"id\":\"t\",\"input\":{input}}},\"iterations\":6,\"scope\":\"decision\"}}\n",
                "{{\"cmd\":\"time\",\"seq\":3,\"family\":\"hash\",\"case\":{{\"id\":\"h\",\"input\":{{}}}},\"iterations\":1,\"scope\":\"decision\"}}\n",
                "{{\"cmd\":\"time\",\"seq\":4,\"family\":\"hash\",\"case\":{{\"id\":\"h\",\"input\":{{}}}},\"iterations\":0}}\n",
            ),
            input = input
        ));
        assert_eq!(lines.len(), 5, "{lines:?}");
        assert!(
            lines[0]["capabilities"]["features"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!("timing"))
        );
        let line = |i: usize| serde_json::to_string(&lines[i]).unwrap();
        let TimeResponse::Timing(case) = TimeResponse::parse_line(&line(1)).unwrap() else {
            panic!("{}", line(1))
        };
        assert_eq!(case.seq, 1);
        assert_eq!(case.timing.iterations, 4);
        // The digest's probe: visitor-123 → 8107 → 302.
        assert_eq!(case.timing.result.unwrap()["variation_id"], "302");
        let TimeResponse::Timing(decisions) = TimeResponse::parse_line(&line(2)).unwrap() else {
            panic!("{}", line(2))
        };
        assert_eq!(
            decisions.timing.variations.unwrap().values().sum::<u64>(),
            6
        );
        assert!(matches!(
            TimeResponse::parse_line(&line(3)).unwrap(),
            TimeResponse::Errored(_)
        ));
        assert!(matches!(
            TimeResponse::parse_line(&line(4)).unwrap(),
            TimeResponse::Errored(_)
        ));
    }

    #[test]
    fn defined_values_stand_in_for_referred_members() {
        let config = r#"{"account_id":"100","project":{"id":"200"},"experiences":[{"id":"300","key":"exp-1","version":11,"variations":[{"id":"301","key":"a","traffic_allocation":50},{"id":"302","key":"b","traffic_allocation":50}]}]}"#;
        let whole = format!(
            r#"{{"config":{config},"visitor_id":"visitor-123","location_attributes":{{}},"experience_key":"exp-1"}}"#
        );
        let rest =
            r#"{"visitor_id":"visitor-123","location_attributes":{},"experience_key":"exp-1"}"#;
        let refs = r#"{"config":"sha256:c"}"#;
        let (lines, log) = session(&format!(
            concat!(
                "{{\"cmd\":\"start\",\"protocol\":1}}\n",
                "{{\"cmd\":\"run\",\"seq\":1,\"family\":\"experience\",\"case\":{{\"id\":\"w\",\"input\":{whole}}}}}\n",
                "{{\"cmd\":\"define\",\"digest\":\"sha256:c\",\"value\":{config}}}\n",
                "{{\"cmd\":\"run\",\"seq\":2,\"family\":\"experience\",\"case\":{{\"id\":\"r\",\"input\":{rest},\"refs\":{refs}}}}}\n",
                "{{\"cmd\":\"run\",\"seq\":3,\"family\":\"experience\",\"case\":{{\"id\":\"r\",\"input\":{rest},\"refs\":{refs}}}}}\n",
                "{{\"cmd\":\"time\",\"seq\":4,\"family\":\"experience\",\"case\":{{\"id\":\"t\",\"input\":{rest},\"refs\":{refs}}},\"iterations\":2}}\n",
                "{{\"cmd\":\"run\",\"seq\":5,\"family\":\"experience\",\"case\":{{\"id\":\"u\",\"input\":{rest},\"refs\":{{\"config\":\"sha256:never\"}}}}}}\n",
                "{{\"cmd\":\"run\",\"seq\":6,\"family\":\"rule\",\"case\":{{\"id\":\"two\",\"input\":{{}},\"refs\":{{\"rule\":\"sha256:c\",\"data\":\"sha256:c\"}}}}}}\n",
                "{{\"cmd\":\"run\",\"seq\":7,\"family\":\"hash\",\"case\":{{\"id\":\"s\",\"input\":5,\"refs\":{refs}}}}}\n",
                "{{\"cmd\":\"define\",\"digest\":7}}\n",
                "{{\"cmd\":\"run\",\"seq\":8,\"family\":\"experience\",\"case\":{{\"id\":\"r\",\"input\":{rest},\"refs\":{refs}}}}}\n",
            ),
            whole = whole,
            config = config,
            rest = rest,
            refs = refs,
        ));
        assert_eq!(lines.len(), 9, "define is not answered: {lines:?}");
        assert_eq!(lines[1]["result"]["variation_id"], "302");
        for i in [2, 3, 8] {
            assert_eq!(lines[i]["result"], lines[1]["result"], "{}", lines[i]);
        }
        assert_eq!(lines[4]["timing"]["result"], lines[1]["result"]);
        let message = lines[5]["errored"]["message"].as_str().unwrap();
        assert!(
            message.contains("undefined reference: `case.refs.config`"),
            "{message}"
        );
        assert!(message.contains("sha256:never"), "{message}");
        // Two members of one digest both get it (the rule family then
        // rejects the config as a rule: an answer, not a crash).
        assert_eq!(lines[6]["seq"], 6);
        assert!(
            lines[7]["errored"]["message"]
                .as_str()
                .unwrap()
                .contains("object")
        );
        assert!(log.contains("malformed request"), "{log}");
    }

    #[test]
    fn another_protocol_version_is_declined() {
        let (lines, _) = session("{\"cmd\":\"start\",\"protocol\":2}\n");
        assert_eq!(lines[0]["ready"], false);
    }
}
