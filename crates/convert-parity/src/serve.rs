//! `convert-parity adapter`: the reference engine behind the adapter
//! protocol, on stdin/stdout — so the protocol is tested the way other SDKs
//! use it, and the reference can be driven by any tool that speaks it.

use std::io::{BufRead, Write};

use convert_reference::timing::{self, Measured};
use convert_spec::protocol::{
    ErrorInfo, ErroredResponse, ReadyResponse, Request, ResultResponse, RunResponse, TimeRequest,
    TimeResponse, Timing, TimingResponse, TimingScope,
};
use convert_spec::{Family, PROTOCOL_VERSION};
use serde::Serialize;
use serde_json::Value;

/// Serves the protocol until `stop` or end of input. Lines that are not
/// requests are reported on stderr; `run` requests the reference cannot
/// evaluate get an `errored` answer. Never panics on input.
pub fn serve(
    input: impl BufRead,
    mut output: impl Write,
    mut log: impl Write,
) -> std::io::Result<()> {
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
        let value: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                writeln!(
                    log,
                    "convert-parity adapter: ignoring a line that is not JSON: {e}"
                )?;
                continue;
            }
        };
        let request: Request = match serde_json::from_value(value.clone()) {
            Ok(r) => r,
            Err(e) => {
                // A malformed `run` with a usable seq still gets an answer.
                if let Some(seq) = value.get("seq").and_then(Value::as_u64) {
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
                        capabilities: Some(convert_reference::capabilities()),
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
            Request::Run(run) => {
                let response = match run.family.parse::<Family>() {
                    Ok(family) => match convert_reference::evaluate(family, &run.case.input) {
                        Ok(result) => RunResponse::Result(ResultResponse {
                            seq: run.seq,
                            result,
                        }),
                        Err(e) => errored(run.seq, e.to_string()),
                    },
                    Err(e) => errored(run.seq, e.to_string()),
                };
                answer(&mut output, &response)?;
            }
            Request::Time(time) => answer(&mut output, &time_answer(&time))?,
            Request::Stop => return Ok(()),
        }
    }
    Ok(())
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
    fn another_protocol_version_is_declined() {
        let (lines, _) = session("{\"cmd\":\"start\",\"protocol\":2}\n");
        assert_eq!(lines[0]["ready"], false);
    }
}
