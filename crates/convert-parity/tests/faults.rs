//! The runner against a misbehaving adapter: every fault is reported against
//! the right case, the rest of the run finishes, the exit code says what
//! happened, and no adapter process is left behind.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/project")
}

fn adapter_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/adapters/fault_adapter.py")
}

struct Run {
    output: Output,
    report: Value,
}

impl Run {
    fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    fn target(&self) -> &Value {
        &self.report["targets"][0]
    }

    fn outcome(&self, case: &str) -> String {
        self.target()["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == case)
            .map(|c| c["outcome"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no case {case} in {}", self.report))
    }

    fn message(&self, case: &str) -> String {
        self.target()["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == case)
            .and_then(|c| c["message"].as_str())
            .unwrap_or_default()
            .to_owned()
    }

    fn count(&self, outcome: &str) -> u64 {
        self.target()["summary"][outcome].as_u64().unwrap()
    }
}

/// Runs the gate with the fault adapter in `mode` on case `c3`.
fn run(mode: &str, extra: &[&str]) -> Run {
    let marker = format!("convert-parity-test-{mode}-{}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let mut command = format!(
        "python3 {} --mode {mode} --case hash/basic/c03 --marker {marker}",
        adapter_script().display()
    );
    for e in extra {
        command.push(' ');
        command.push_str(e);
    }
    let output = Command::cargo_bin("convert-parity")
        .unwrap()
        .args(["run", "--root"])
        .arg(project())
        .args([
            "--no-reference",
            "--validate-protocol",
            "--timeout",
            "2",
            "--adapter-cmd",
            &command,
            "--report-json",
        ])
        .arg(&report)
        .output()
        .unwrap();
    assert_no_leftover_process(&marker);
    let report = serde_json::from_str(&std::fs::read_to_string(&report).unwrap_or_else(|_| {
        panic!(
            "no report; stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    }))
    .unwrap();
    Run { output, report }
}

/// No process whose command line carries `marker` is still alive.
fn assert_no_leftover_process(marker: &str) {
    let mut alive = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let zombie = stat.split_whitespace().nth(2) == Some("Z");
        if cmdline.contains(marker) && !zombie {
            alive.push(cmdline);
        }
    }
    assert!(alive.is_empty(), "leftover adapter processes: {alive:?}");
}

fn others_pass(run: &Run) {
    for i in [1, 2, 4, 5, 6, 7, 8, 9, 10] {
        let case = format!("hash/basic/c{i:02}");
        assert_eq!(run.outcome(&case), "pass", "{case}: {}", run.message(&case));
    }
}

#[test]
fn a_healthy_adapter_passes_everything() {
    let run = run("ok", &[]);
    assert_eq!(run.code(), 0);
    assert_eq!(run.count("pass"), 10);
}

#[test]
fn an_adapter_that_exits_mid_run_is_restarted() {
    let run = run("crash", &[]);
    assert_eq!(run.code(), 2);
    assert_eq!(run.outcome("hash/basic/c03"), "crashed");
    assert!(
        run.message("hash/basic/c03").contains("exited"),
        "{}",
        run.message("hash/basic/c03")
    );
    assert!(
        run.message("hash/basic/c03")
            .contains("crashing on purpose"),
        "stderr tail is shown"
    );
    others_pass(&run);
    assert_eq!(run.target()["restarts"], 1);
}

#[test]
fn an_adapter_that_never_answers_times_out() {
    let run = run("hang", &[]);
    assert_eq!(run.code(), 2);
    assert_eq!(run.outcome("hash/basic/c03"), "timeout");
    others_pass(&run);
}

#[test]
fn an_answer_out_of_order_is_a_protocol_violation() {
    let run = run("no-answer", &[]);
    assert_eq!(run.code(), 2);
    assert_eq!(run.outcome("hash/basic/c03"), "crashed");
    assert!(
        run.message("hash/basic/c03").contains("seq"),
        "{}",
        run.message("hash/basic/c03")
    );
    others_pass(&run);
}

#[test]
fn garbage_on_stdout_is_a_protocol_violation() {
    let run = run("garbage", &[]);
    assert_eq!(run.code(), 2);
    assert_eq!(run.outcome("hash/basic/c03"), "crashed");
    assert!(run.message("hash/basic/c03").contains("not JSON"));
    others_pass(&run);
}

#[test]
fn a_wrong_seq_is_a_protocol_violation() {
    let run = run("wrong-seq", &[]);
    assert_eq!(run.code(), 2);
    assert!(run.message("hash/basic/c03").contains("seq"));
    others_pass(&run);
}

#[test]
fn an_oversized_line_is_cut_off() {
    let run = run("huge-line", &[]);
    assert_eq!(run.code(), 2);
    assert!(
        run.message("hash/basic/c03").contains("longer than"),
        "{}",
        run.message("hash/basic/c03")
    );
    others_pass(&run);
}

#[test]
fn a_stderr_flood_is_harmless() {
    let run = run("stderr-flood", &[]);
    assert_eq!(run.code(), 0);
    assert_eq!(run.count("pass"), 10);
}

#[test]
fn a_slow_answer_within_the_timeout_passes() {
    let run = run("slow", &["--sleep", "0.5"]);
    assert_eq!(run.code(), 0);
    assert_eq!(run.count("pass"), 10);
}

#[test]
fn an_errored_answer_is_a_conformance_failure() {
    let run = run("errored", &[]);
    assert_eq!(run.code(), 1);
    assert_eq!(run.outcome("hash/basic/c03"), "errored");
    others_pass(&run);
}

#[test]
fn a_skip_is_reported_not_failed() {
    let run = run("skipped", &[]);
    assert_eq!(run.code(), 0);
    assert_eq!(run.outcome("hash/basic/c03"), "skipped");
    assert!(run.message("hash/basic/c03").contains("on purpose"));
}

#[test]
fn a_result_of_the_wrong_shape_fails() {
    let run = run("wrong-shape", &[]);
    assert_eq!(run.code(), 1);
    assert_eq!(run.outcome("hash/basic/c03"), "fail");
    assert!(run.message("hash/basic/c03").contains("shape"));
}

#[test]
fn an_adapter_that_always_crashes_is_abandoned() {
    let run = run("crash-always", &[]);
    assert_eq!(run.code(), 2);
    assert_eq!(run.count("crashed"), 10);
    assert!(
        run.message("hash/basic/c10").contains("abandoned"),
        "{}",
        run.message("hash/basic/c10")
    );
}

#[test]
fn a_failed_handshake_stops_the_target_not_the_run() {
    for mode in ["bad-handshake", "not-ready"] {
        let run = run(mode, &[]);
        assert_eq!(run.code(), 2, "{mode}");
        let error = run.target()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(error.contains("handshake"), "{mode}: {error}");
    }
}
