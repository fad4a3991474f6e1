//! The protocol's `define` extension (`spec/protocol.md`, "define") from the
//! runner's side: an adapter that declares the feature gets large repeated
//! members by reference (defined once per process, again after a restart),
//! one that does not gets every input whole, and the reference adapter
//! (`convert-parity adapter`) answers cases by reference exactly as it
//! answers them whole.

use std::path::{Path, PathBuf};

use convert_parity::adapter::{Adapter, AdapterConfig};
use convert_parity::outcome::Answer;
use convert_parity::target::{CaseInput, Target};
use convert_spec::Family;
use serde_json::{Value, json};

fn echo_adapter(log: &Path, define: bool) -> Adapter {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/adapters/echo_adapter.py");
    let mut argv = vec![
        "python3".to_owned(),
        script.display().to_string(),
        log.display().to_string(),
    ];
    if define {
        argv.push("define".into());
    }
    Adapter::start(AdapterConfig::new("echo", argv, std::env::temp_dir())).unwrap()
}

/// A config large enough to be sent by reference.
fn config(tag: &str) -> Value {
    json!({"account_id": tag, "project": {"id": "p"}, "padding": "x".repeat(2048)})
}

fn case(id: &str, config: &Value, visitor: &str) -> CaseInput {
    CaseInput::new(
        Family::Hash,
        id,
        json!({"config": config, "visitor_id": visitor}),
    )
}

fn requests(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn results(answers: Vec<Answer>) -> Vec<Value> {
    answers
        .into_iter()
        .map(|a| match a {
            Answer::Result(v) => v,
            other => panic!("not a result: {other:?}"),
        })
        .collect()
}

#[test]
fn a_declaring_adapter_gets_repeated_large_members_by_reference() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("requests.ndjson");
    let mut adapter = echo_adapter(&log, true);
    let (a, b) = (config("a"), config("b"));
    let cases: Vec<CaseInput> = (0..6)
        .map(|i| {
            case(
                &format!("c{i}"),
                if i % 2 == 0 { &a } else { &b },
                &format!("v{i}"),
            )
        })
        .collect();
    let answers = results(adapter.run(&cases));
    // The adapter resolved every reference to exactly the input.
    let inputs: Vec<Value> = cases.iter().map(|c| Value::clone(&c.input)).collect();
    assert_eq!(answers, inputs);
    adapter.stop();
    let sent = requests(&log);
    let defines: Vec<&Value> = sent.iter().filter(|r| r["cmd"] == "define").collect();
    assert_eq!(defines.len(), 2, "each config defined once: {sent:#?}");
    assert_eq!(
        defines[0]["digest"],
        convert_spec::protocol::define_digest(&a)
    );
    let runs: Vec<&Value> = sent.iter().filter(|r| r["cmd"] == "run").collect();
    // First sight inline, then by reference.
    for (i, run) in runs.iter().enumerate() {
        let by_reference = run["case"].get("refs").is_some();
        assert_eq!(by_reference, i >= 2, "case {i}: {run}");
        if by_reference {
            assert!(run["case"]["input"].get("config").is_none());
            assert_eq!(run["case"]["input"]["visitor_id"], format!("v{i}"));
        }
    }
    // Small members are never referred.
    assert!(
        runs.iter()
            .all(|r| r["case"]["refs"].get("visitor_id").is_none())
    );
}

#[test]
fn an_adapter_without_the_feature_gets_every_input_whole() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("requests.ndjson");
    let mut adapter = echo_adapter(&log, false);
    let a = config("a");
    let cases: Vec<CaseInput> = (0..4).map(|i| case(&format!("c{i}"), &a, "v")).collect();
    let answers = results(adapter.run(&cases));
    assert_eq!(
        answers,
        cases
            .iter()
            .map(|c| Value::clone(&c.input))
            .collect::<Vec<_>>()
    );
    adapter.stop();
    for request in requests(&log) {
        assert_ne!(request["cmd"], "define");
        if request["cmd"] == "run" {
            assert!(request["case"].get("refs").is_none(), "{request}");
            assert_eq!(request["case"]["input"]["config"], a);
        }
    }
}

#[test]
fn a_restarted_adapter_gets_its_definitions_again() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("requests.ndjson");
    let mut adapter = echo_adapter(&log, true);
    let a = config("a");
    let cases = vec![
        case("c0", &a, "v0"),
        case("c1", &a, "v1"),
        case("crash-once", &a, "v2"),
        case("c3", &a, "v3"),
        case("c4", &a, "v4"),
    ];
    let answers = adapter.run(&cases);
    assert!(matches!(answers[2], Answer::Crashed(_)), "{:?}", answers[2]);
    for i in [0, 1, 3, 4] {
        assert_eq!(
            answers[i],
            Answer::Result(Value::clone(&cases[i].input)),
            "case {i}"
        );
    }
    adapter.stop();
    assert_eq!(adapter_restarts(&log), 1);
}

/// How many `start`s after the first the log shows.
fn adapter_restarts(log: &Path) -> usize {
    requests(log).iter().filter(|r| r["cmd"] == "start").count() - 1
}

fn reference_adapter() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_convert-parity"))
}

#[test]
fn the_reference_adapter_answers_by_reference_as_it_answers_whole() {
    let workload =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../convert-sdk/benches/workload.json");
    let workload: Value =
        serde_json::from_str(&std::fs::read_to_string(workload).unwrap()).unwrap();
    let cases: Vec<CaseInput> = (0..5)
        .map(|i| {
            let mut input = workload.clone();
            input["visitor_id"] = json!(format!("visitor-{i}"));
            CaseInput::new(Family::Experience, format!("w{i}"), input)
        })
        .collect();
    let argv = vec![reference_adapter().display().to_string(), "adapter".into()];
    let mut adapter =
        Adapter::start(AdapterConfig::new("rust", argv, std::env::temp_dir())).unwrap();
    assert!(
        adapter
            .capabilities()
            .has_feature(convert_spec::capability::features::DEFINE)
    );
    let answers = adapter.run(&cases);
    for (case, answer) in cases.iter().zip(answers) {
        let expected = convert_reference::evaluate(case.family, &case.input).unwrap();
        assert_eq!(answer, Answer::Result(expected), "{}", case.id);
    }
    adapter.stop();
}
