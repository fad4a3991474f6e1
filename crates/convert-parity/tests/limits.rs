//! Pathological inputs through the runner (`docs/robustness.md`): a vector
//! file nested 10,000 levels deep is a clear error, not a crash; a case
//! carrying a 100 MB config is evaluated in-process and over the protocol.

use std::path::Path;

use assert_cmd::Command;
use serde_json::{Value, json};

const DEADLINE: std::time::Duration = std::time::Duration::from_secs(600);

fn vector_file(family: &str, cases: Vec<Value>) -> Value {
    json!({"family": family,
        "description": "the runner's limits test",
        "provenance": {"oracle": {"name": "hand-written", "version": "1", "language": "none",
            "adapter": "none"},
            "generator": "crates/convert-parity/tests/limits.rs",
            "source": "a single variation with 100% of the traffic is every SDK's answer"},
        "cases": cases})
}

fn project_with(family: &str, file_text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("adapters")).unwrap();
    let folder = dir.path().join("vectors/v1").join(family);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("limits.json"), file_text).unwrap();
    dir
}

fn run(root: &Path, extra: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("convert-parity")
        .unwrap()
        .args(["run", "--root"])
        .arg(root)
        .args(extra)
        .timeout(DEADLINE)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_vector_nested_10000_deep_is_a_clear_error() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let text = vector_file(
        "rule",
        vec![json!({"id": "rule/limits/deep", "description": "d",
        "input": {"rule": "PLACEHOLDER", "data": {}}, "expected": {"matched": false}})],
    )
    .to_string()
    .replace("\"PLACEHOLDER\"", &deep);
    let project = project_with("rule", &text);
    let (code, stdout, stderr) = run(project.path(), &[]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(stderr.contains("limits.json"), "{stderr}");
    assert!(stderr.contains("recursion limit"), "{stderr}");
}

#[test]
fn a_100_mb_config_runs_in_process_and_over_the_protocol() {
    let padding = "p".repeat(5_000);
    let mut experiences: Vec<Value> = (0..20_000)
        .map(|i| {
            json!({"id": format!("{i}"), "key": format!("exp-{i}"), "version": 11,
                "description": padding,
                "variations": [{"id": format!("{i}-a"), "key": "a", "traffic_allocation": 100}]})
        })
        .collect();
    experiences.push(json!({"id": "99999", "key": "target", "version": 11,
        "variations": [{"id": "91", "key": "only", "traffic_allocation": 100}]}));
    let config = json!({"account_id": "1", "project": {"id": "2"}, "experiences": experiences});
    let text = vector_file(
        "experience",
        vec![
            json!({"id": "experience/limits/100mb", "description": "a 100 MB config",
            "requires": {"contract_versions": [11]},
            "input": {"config": config, "visitor_id": "v", "experience_key": "target",
                "location_attributes": {}},
            "expected": {"variation_id": "91", "variation_key": "only"}}),
        ],
    )
    .to_string();
    assert!(text.len() > 100_000_000);
    let project = project_with("experience", &text);
    drop(text);
    let (code, stdout, stderr) = run(project.path(), &["--family", "experience"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("reference"), "{stdout}");
    let me = assert_cmd::cargo::cargo_bin("convert-parity");
    let adapter = format!("{} adapter", me.display());
    let (code, stdout, stderr) = run(
        project.path(),
        &[
            "--no-reference",
            "--family",
            "experience",
            "--adapter-cmd",
            &adapter,
        ],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
}
