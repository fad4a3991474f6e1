//! `convert-parity fuzz` against a target with a known bug: the reference
//! engine over the protocol (`convert-parity adapter`) is the oracle, and a
//! test adapter hashes the low byte of each UTF-16 code unit instead of the
//! UTF-8 bytes (the npm `murmurhash` 1.x bug). The fuzzer must find the bug,
//! shrink it to one non-ASCII character, print it as a vector case, honour a
//! divergence that declares it, replay exactly for a seed, and report a
//! crashing target.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/project")
}

fn buggy_adapter(extra: &str) -> String {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/adapters/latin1_hash_adapter.py");
    format!("python3 {} {extra}", script.display())
}

fn oracle() -> String {
    format!("{} adapter", env!("CARGO_BIN_EXE_convert-parity"))
}

struct Fuzz {
    output: Output,
    report: Value,
}

impl Fuzz {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    fn counts(&self) -> &Value {
        &self.report["counts"]["hash"]["cmd:python3"]
    }
}

fn fuzz(seed: &str, cases: &str, extra: &[&str], adapter_extra: &str) -> Fuzz {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("fuzz.json");
    let output = Command::cargo_bin("convert-parity")
        .unwrap()
        .args(["fuzz", "--root"])
        .arg(project())
        .args([
            "--no-reference",
            "--family",
            "hash",
            "--seed",
            seed,
            "--cases",
            cases,
        ])
        .args(["--adapter-cmd", &oracle()])
        .args(["--adapter-cmd", &buggy_adapter(adapter_extra)])
        .args(extra)
        .arg("--report-json")
        .arg(&report)
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&report).unwrap_or_else(|_| {
        panic!(
            "no fuzz report; stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    Fuzz {
        output,
        report: serde_json::from_str(&text).unwrap(),
    }
}

#[test]
fn a_disagreement_is_found_shrunk_and_printed_as_a_vector_case() {
    let run = fuzz("3", "300", &[], "");
    assert_eq!(run.output.status.code(), Some(1), "{}", run.stdout());
    let findings = run.report["findings"].as_array().unwrap();
    assert_eq!(
        findings.len(),
        1,
        "one bug, one signature: {}",
        run.report["findings"]
    );
    let finding = &findings[0];
    assert_eq!(finding["oracle"], "cmd:convert-parity");
    assert_eq!(finding["target"], "cmd:python3");
    let value = finding["input"]["value"].as_str().unwrap();
    assert_eq!(
        value.chars().count(),
        1,
        "shrunk to a single character: {value:?}"
    );
    assert!(!value.is_ascii(), "the bug needs a non-ASCII character");
    assert_ne!(finding["expected"], finding["actual"]);
    assert_eq!(finding["differences"][0]["pointer"], "/hash");
    // Every generated non-ASCII value disagrees; ASCII ones agree.
    let counts = run.counts();
    assert_eq!(
        counts["agreed"].as_u64().unwrap() + counts["disagreed"].as_u64().unwrap(),
        300
    );
    assert!(counts["disagreed"].as_u64().unwrap() > 10, "{counts}");
    assert!(counts["agreed"].as_u64().unwrap() > 10, "{counts}");
    // The printed vector source case is ready to commit.
    let stdout = run.stdout();
    let start = stdout.find("{\n").unwrap();
    let end = start + stdout[start..].find("\n}\n").unwrap() + 2;
    let case: Value = serde_json::from_str(&stdout[start..end]).unwrap();
    assert!(case["id"].as_str().unwrap().starts_with("hash/fuzz/"));
    assert_eq!(case["input"], finding["input"]);
    convert_spec::families::check_input(convert_spec::Family::Hash, &case["input"]).unwrap();
}

#[test]
fn a_seed_replays_the_same_run() {
    let a = fuzz("11", "200", &[], "");
    let b = fuzz("11", "200", &[], "");
    let c = fuzz("12", "200", &[], "");
    let strip = |mut r: Value| {
        r.as_object_mut().unwrap().remove("duration_ms");
        r
    };
    assert_eq!(strip(a.report.clone()), strip(b.report));
    assert_ne!(
        a.report["findings"][0]["input"], c.report["findings"][0]["input"],
        "another seed generates other cases"
    );
}

#[test]
fn a_declared_divergence_is_counted_not_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("divergences.json");
    std::fs::write(
        &file,
        serde_json::json!({
            "adapter": "latin1",
            "divergences": [{
                "cases": ["hash/basic/c01"],
                "reason": "Hashes UTF-16 code units & 0xff, not UTF-8 bytes (npm murmurhash 1.x).",
                "fields": ["/hash"],
                "matches": {"hash": {"properties": {"input": {"properties": {
                    "value": {"type": "string", "pattern": "[^\\u0000-\\u007f]"}}}}}}
            }]
        })
        .to_string(),
    )
    .unwrap();
    let path = file.display().to_string();
    let run = fuzz("3", "300", &["--divergences", &path], "");
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stdout());
    assert!(run.report["findings"].as_array().unwrap().is_empty());
    let counts = run.counts();
    assert!(counts["diverged"].as_u64().unwrap() > 10, "{counts}");
    assert_eq!(counts["disagreed"], 0);
}

#[test]
fn a_crashing_target_is_a_fault() {
    let run = fuzz("3", "50", &["--timeout", "5"], "--crash-after 20");
    assert_eq!(run.output.status.code(), Some(2), "{}", run.stdout());
    assert!(
        !run.report["faults"].as_array().unwrap().is_empty(),
        "{}",
        run.report
    );
}
