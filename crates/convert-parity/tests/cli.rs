//! The command line: the divergence ratchet, vacuous families, drafting
//! divergences, reports, smoke, and the reference engine behind the protocol.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{Value, json};

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/project")
}

fn adapter(mode: &str) -> String {
    format!(
        "python3 {} --mode {mode} --case hash/basic/c03",
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/adapters/fault_adapter.py")
            .display()
    )
}

fn runner() -> Command {
    Command::cargo_bin("convert-parity").unwrap()
}

fn run_with_divergences(mode: &str, divergences: &Value) -> (i32, String, Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("divergences.json");
    std::fs::write(&path, divergences.to_string()).unwrap();
    let report = dir.path().join("report.json");
    let output = runner()
        .args(["run", "--root"])
        .arg(project())
        .args([
            "--no-reference",
            "--adapter-cmd",
            &adapter(mode),
            "--divergences",
        ])
        .arg(&path)
        .arg("--report-json")
        .arg(&report)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let report = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    (output.status.code().unwrap(), stdout, report)
}

fn entry(cases: &[&str], reason: &str) -> Value {
    json!({"adapter": "cmd", "divergences": [{"cases": cases, "reason": reason}]})
}

#[test]
fn a_declared_divergence_is_reported_as_such_not_passed() {
    let (code, stdout, report) = run_with_divergences(
        "wrong-shape",
        &entry(&["hash/basic/c03"], "known on purpose"),
    );
    // A wrong shape is a fail whose differences are not a field: not excused.
    assert_eq!(code, 1, "{stdout}");
    let (code, stdout, report2) =
        run_with_divergences("errored", &entry(&["hash/basic/c03"], "known on purpose"));
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(report2["targets"][0]["summary"]["diverged"], 1);
    assert!(stdout.contains("1 diverged"), "{stdout}");
    let _ = report;
}

#[test]
fn a_stale_divergence_entry_fails_the_run() {
    let (code, stdout, report) =
        run_with_divergences("ok", &entry(&["hash/basic/c03"], "used to differ"));
    assert_eq!(code, 1);
    assert!(stdout.contains("stale"), "{stdout}");
    assert_eq!(report["problems"][0]["severity"], "failure");
}

#[test]
fn a_divergence_entry_for_an_unknown_case_fails_the_run() {
    let (code, stdout, _) = run_with_divergences("ok", &entry(&["hash/basic/nope"], "typo"));
    assert_eq!(code, 1);
    assert!(stdout.contains("names no case"), "{stdout}");
}

#[test]
fn a_todo_reason_is_rejected() {
    let (code, stdout, _) =
        run_with_divergences("errored", &entry(&["hash/basic/c03"], "TODO: explain why"));
    assert_eq!(code, 2);
    assert!(stdout.contains("TODO"), "{stdout}");
}

#[test]
fn recorded_divergences_are_drafts_that_cannot_count() {
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("draft.json");
    runner()
        .args(["run", "--root"])
        .arg(project())
        .args([
            "--no-reference",
            "--adapter-cmd",
            &adapter("errored"),
            "--record-divergences",
        ])
        .arg(&draft)
        .assert()
        .code(1);
    let text = std::fs::read_to_string(&draft).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(file["divergences"][0]["cases"][0], "hash/basic/c03");
    assert!(
        file["divergences"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("TODO")
    );
    // Used as is, the draft is refused.
    runner()
        .args(["run", "--root"])
        .arg(project())
        .args([
            "--no-reference",
            "--adapter-cmd",
            &adapter("errored"),
            "--divergences",
        ])
        .arg(&draft)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("TODO"));
}

#[test]
fn a_declared_family_that_ran_nothing_fails_the_run() {
    // The fault adapter declares `hash`; the run selects only `rule`, so the
    // check does not apply; a run of `hash` where everything is skipped does.
    let (code, stdout, _) =
        run_with_divergences("skipped", &json!({"adapter": "cmd", "divergences": []}));
    assert_eq!(code, 0, "{stdout}");
    let dir = tempfile::tempdir().unwrap();
    let vectors = dir.path().join("v1/hash");
    std::fs::create_dir_all(&vectors).unwrap();
    let mut file: Value = serde_json::from_str(
        &std::fs::read_to_string(project().join("vectors/v1/hash/basic.json")).unwrap(),
    )
    .unwrap();
    // Every case requires contract 12, which the fault adapter does not declare.
    for case in file["cases"].as_array_mut().unwrap() {
        case["requires"] = json!({"contract_versions": [12]});
    }
    std::fs::write(vectors.join("basic.json"), file.to_string()).unwrap();
    runner()
        .args(["run", "--root"])
        .arg(project())
        .arg("--vectors")
        .arg(dir.path().join("v1"))
        .args(["--no-reference", "--adapter-cmd", &adapter("ok")])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("vacuous"));
}

#[test]
fn junit_is_well_formed_xml_with_one_case_per_vector() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    runner()
        .args(["run", "--root"])
        .arg(project())
        .args([
            "--no-reference",
            "--adapter-cmd",
            &adapter("errored"),
            "--junit",
        ])
        .arg(&junit)
        .assert()
        .code(1);
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("JUnit XML parses");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 10);
    let errored: Vec<_> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("error")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(errored, ["hash/basic/c03"]);
}

#[test]
fn bad_vector_files_are_an_infrastructure_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("v1/hash")).unwrap();
    std::fs::write(dir.path().join("v1/hash/bad.json"), "{\"family\": \"hash\"").unwrap();
    runner()
        .args(["run", "--root"])
        .arg(project())
        .arg("--vectors")
        .arg(dir.path().join("v1"))
        .args(["--no-adapters"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.json"));
}

#[test]
fn smoke_checks_the_reference_adapter_over_the_protocol() {
    let me = assert_cmd::cargo::cargo_bin("convert-parity");
    runner()
        .args(["smoke", "--root"])
        .arg(project())
        .arg("--adapter-cmd")
        .arg(format!("{} adapter", me.display()))
        .assert()
        .success()
        .stdout(predicate::str::contains("handshake ok: convert-engine"))
        .stdout(predicate::str::contains("experience: result"));
}

#[test]
fn smoke_fails_on_a_broken_adapter() {
    runner()
        .args(["smoke", "--root"])
        .arg(project())
        .args(["--adapter-cmd", &adapter("bad-handshake")])
        .assert()
        .code(2);
}

#[test]
fn the_reference_adapter_passes_the_real_vectors_over_the_protocol() {
    // The protocol tested the way another SDK's adapter is: the reference
    // engine as a subprocess, against the committed vector set.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let me = assert_cmd::cargo::cargo_bin("convert-parity");
    runner()
        .args(["run", "--root"])
        .arg(&root)
        .args(["--no-reference", "--validate-protocol", "--divergences"])
        .arg(root.join(convert_parity::run::REFERENCE_DIVERGENCES))
        .arg("--adapter-cmd")
        .arg(format!("{} adapter", me.display()))
        .assert()
        .success()
        .stdout(predicate::str::contains(" 0 failed"));
}

#[test]
fn help_documents_the_exit_codes() {
    runner()
        .args(["run", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("infrastructure or protocol error"));
}

#[test]
fn stats_reports_a_fitting_distribution() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    runner()
        .args(["--root"])
        .arg(&root)
        .args(["stats", "--visitors", "3000", "--allocation", "33,33,34"])
        .assert()
        .success()
        .stdout(predicate::str::contains("reference"))
        .stdout(predicate::str::contains(" ok"));
    runner()
        .args(["--root"])
        .arg(&root)
        .args(["stats", "--allocation", "-5"])
        .assert()
        .failure();
}
