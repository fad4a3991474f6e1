//! The runner against a misbehaving adapter (`tests/adapters/fault_adapter.py`):
//! for every fault of the matrix the fault is reported against the right
//! case, the adapter is restarted (or abandoned) as `spec/protocol.md`
//! documents, the rest of the run finishes, the exit code says what
//! happened — and no process the adapter started is left behind, neither
//! alive nor as a zombie.
//!
//! Each fault is checked twice: through the `convert-parity run` binary (the
//! report, the exit code) and through the library's `Adapter` in this test
//! process, which is then the adapter's parent: a child the runner forgot to
//! reap would stay a zombie of this process, so every recorded pid must be
//! gone from `/proc`.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use convert_parity::adapter::{Adapter, AdapterConfig};
use convert_parity::outcome::Answer;
use convert_parity::target::{CaseInput, Target};
use convert_spec::vector::VectorFile;
use serde_json::Value;

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/project")
}

fn adapter_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/adapters/fault_adapter.py")
}

/// The faulty case of every run.
const FAULTY: &str = "hash/basic/c03";
/// 100 MiB, the size the issue asks for.
const HUNDRED_MIB: &str = "104857600";
/// Generous bound on a whole faulty run: far above the timeouts involved,
/// it only catches a runner that never finishes.
const RUN_DEADLINE: Duration = Duration::from_secs(300);

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

    fn case(&self, id: &str) -> &Value {
        self.target()["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no case {id} in {}", self.report))
    }

    fn outcome(&self, id: &str) -> String {
        self.case(id)["outcome"].as_str().unwrap().to_owned()
    }

    fn message(&self, id: &str) -> String {
        self.case(id)["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn count(&self, outcome: &str) -> u64 {
        self.target()["summary"][outcome].as_u64().unwrap()
    }

    fn restarts(&self) -> u64 {
        self.target()["restarts"].as_u64().unwrap()
    }
}

fn fault_command(mode: &str, marker: &str, pid_dir: &Path, extra: &[&str]) -> Vec<String> {
    let mut argv: Vec<String> = vec![
        "python3".into(),
        adapter_script().display().to_string(),
        "--mode".into(),
        mode.into(),
        "--case".into(),
        FAULTY.into(),
        "--marker".into(),
        marker.into(),
        "--pid-dir".into(),
        pid_dir.display().to_string(),
    ];
    argv.extend(extra.iter().map(|s| (*s).to_owned()));
    argv
}

/// Runs the gate with the fault adapter in `mode` on case `c03`, with a
/// per-case timeout of `timeout` seconds.
fn run_with_timeout(mode: &str, timeout: u64, extra: &[&str]) -> Run {
    let marker = format!("convert-parity-test-cli-{mode}-{}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let pid_dir = dir.path().join("pids");
    std::fs::create_dir(&pid_dir).unwrap();
    let report = dir.path().join("report.json");
    let command = shell_words::join(fault_command(mode, &marker, &pid_dir, extra));
    let output = Command::cargo_bin("convert-parity")
        .unwrap()
        .args(["run", "--root"])
        .arg(project())
        .args([
            "--no-reference",
            "--validate-protocol",
            "--timeout",
            &timeout.to_string(),
            "--adapter-cmd",
            &command,
            "--report-json",
        ])
        .arg(&report)
        .timeout(RUN_DEADLINE)
        .output()
        .unwrap();
    assert_no_leftover_process(&marker, &pid_dir);
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

/// The per-case timeout of the runs whose faulty case must time out: short,
/// since the fault waits forever.
const SHORT: u64 = 5;
/// The per-case timeout of the runs whose fault must be seen as what it is
/// before any timeout (a 100 MiB line takes a loaded machine a while).
const LONG: u64 = 120;

fn run(mode: &str, extra: &[&str]) -> Run {
    run_with_timeout(mode, SHORT, extra)
}

/// What `/proc` says about `pid`: `None` when there is no such process.
fn process_state(pid: &str) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The state follows the parenthesised command name.
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next())
}

/// Every process the adapter recorded in `pid_dir` is gone (neither alive
/// nor a zombie), and no live process carries `marker`. Waits a bounded time
/// for init to reap orphans it inherited; a zombie of *this* process never
/// goes away by itself, so it fails.
fn assert_no_leftover_process(marker: &str, pid_dir: &Path) {
    let pids: Vec<String> = std::fs::read_dir(pid_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!pids.is_empty(), "the adapter recorded no pid");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left: Vec<(String, char)> = pids
            .iter()
            .filter_map(|pid| process_state(pid).map(|state| (pid.clone(), state)))
            .collect();
        let marked = processes_with(marker);
        if left.is_empty() && marked.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "left behind: {left:?} (state Z = zombie); alive with the marker: {marked:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn processes_with(marker: &str) -> Vec<String> {
    let mut alive = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(marker) {
            alive.push(cmdline);
        }
    }
    alive
}

fn others_pass(run: &Run) {
    for i in [1, 2, 4, 5, 6, 7, 8, 9, 10] {
        let case = format!("hash/basic/c{i:02}");
        assert_eq!(run.outcome(&case), "pass", "{case}: {}", run.message(&case));
    }
}

/// One row of the fault matrix, checked through the binary.
fn check_fault(mode: &str, extra: &[&str], outcome: &str, message: &str) -> Run {
    let timeout = if outcome == "timeout" { SHORT } else { LONG };
    let run = run_with_timeout(mode, timeout, extra);
    assert_eq!(run.code(), 2, "{mode}: exit code");
    assert_eq!(
        run.outcome(FAULTY),
        outcome,
        "{mode}: {}",
        run.message(FAULTY)
    );
    assert!(
        run.message(FAULTY).contains(message),
        "{mode}: {:?} should mention {message:?}",
        run.message(FAULTY)
    );
    assert_eq!(run.restarts(), 1, "{mode}: restarted once");
    others_pass(&run);
    run
}

#[test]
fn a_healthy_adapter_passes_everything() {
    let run = run("ok", &[]);
    assert_eq!(run.code(), 0);
    assert_eq!(run.count("pass"), 10);
    assert_eq!(run.restarts(), 0);
}

#[test]
fn an_adapter_that_exits_mid_run_is_restarted() {
    let run = check_fault("crash", &[], "crashed", "exited");
    assert!(
        run.message(FAULTY).contains("crashing on purpose"),
        "stderr tail is shown"
    );
}

#[test]
fn an_adapter_that_never_answers_times_out() {
    check_fault("hang", &[], "timeout", "no answer within");
}

#[test]
fn an_answer_out_of_order_is_a_protocol_violation() {
    check_fault("no-answer", &[], "crashed", "seq");
}

#[test]
fn garbage_on_stdout_is_a_protocol_violation() {
    check_fault("garbage", &[], "crashed", "not JSON");
}

#[test]
fn a_wrong_seq_is_a_protocol_violation() {
    check_fault("wrong-seq", &[], "crashed", "seq");
}

#[test]
fn a_100_mib_line_is_cut_off() {
    check_fault(
        "huge-line",
        &["--huge-bytes", HUNDRED_MIB],
        "crashed",
        "longer than",
    );
}

#[test]
fn endless_stdout_without_a_newline_is_cut_off() {
    check_fault("stdout-flood", &[], "crashed", "longer than");
}

#[test]
fn a_100_mib_stderr_flood_is_harmless() {
    let run = run_with_timeout("stderr-flood", LONG, &["--huge-bytes", HUNDRED_MIB]);
    assert_eq!(run.code(), 0);
    assert_eq!(run.count("pass"), 10);
    assert_eq!(run.restarts(), 0);
}

#[test]
fn an_endless_stderr_flood_without_an_answer_times_out() {
    check_fault("stderr-flood-forever", &[], "timeout", "no answer within");
}

#[test]
fn a_slow_answer_within_the_timeout_passes() {
    let run = run_with_timeout("slow", LONG, &["--sleep", "0.5"]);
    assert_eq!(run.code(), 0);
    assert_eq!(run.count("pass"), 10);
    assert_eq!(run.restarts(), 0);
}

#[test]
fn an_answer_slower_than_the_timeout_is_a_timeout() {
    check_fault("slow", &["--sleep", "60"], "timeout", "no answer within");
}

#[test]
fn processes_an_adapter_starts_are_killed_with_it() {
    check_fault("orphan", &[], "timeout", "no answer within");
}

#[test]
fn an_errored_answer_is_a_conformance_failure() {
    let run = run("errored", &[]);
    assert_eq!(run.code(), 1);
    assert_eq!(run.outcome(FAULTY), "errored");
    others_pass(&run);
}

#[test]
fn a_skip_is_reported_not_failed() {
    let run = run("skipped", &[]);
    assert_eq!(run.code(), 0);
    assert_eq!(run.outcome(FAULTY), "skipped");
    assert!(run.message(FAULTY).contains("on purpose"));
}

#[test]
fn a_result_of_the_wrong_shape_fails() {
    let run = run("wrong-shape", &[]);
    assert_eq!(run.code(), 1);
    assert_eq!(run.outcome(FAULTY), "fail");
    assert!(run.message(FAULTY).contains("shape"));
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
    // The documented limit: 5 restarts, then the target is abandoned.
    assert_eq!(run.restarts(), 6);
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

/// A fault mode, its extra arguments, and what the faulty case must get.
type FaultRow = (&'static str, &'static [&'static str], fn(&Answer) -> bool);

/// The library in this process: every fault of the matrix, one after the
/// other, each on a fresh `Adapter`; after each, every process the adapter
/// started has been reaped (this process is their parent, so a process the
/// runner did not wait for would stay here as a zombie).
#[test]
fn the_library_reaps_every_process_of_every_fault() {
    let file = VectorFile::load(&project().join("vectors/v1/hash/basic.json")).unwrap();
    let cases: Vec<CaseInput> = file
        .cases
        .iter()
        .map(|c| CaseInput::new(file.family, c.id.clone(), c.input.clone()))
        .collect();
    let faulty = cases.iter().position(|c| c.id == FAULTY).unwrap();
    let matrix: &[FaultRow] = &[
        ("crash", &[], |a| matches!(a, Answer::Crashed(_))),
        ("hang", &[], |a| matches!(a, Answer::Timeout(_))),
        ("garbage", &[], |a| matches!(a, Answer::Crashed(_))),
        ("wrong-seq", &[], |a| matches!(a, Answer::Crashed(_))),
        ("huge-line", &["--huge-bytes", HUNDRED_MIB], |a| {
            matches!(a, Answer::Crashed(_))
        }),
        ("stdout-flood", &[], |a| matches!(a, Answer::Crashed(_))),
        ("stderr-flood", &["--huge-bytes", HUNDRED_MIB], |a| {
            matches!(a, Answer::Result(_))
        }),
        ("stderr-flood-forever", &[], |a| {
            matches!(a, Answer::Timeout(_))
        }),
        ("slow", &["--sleep", "60"], |a| {
            matches!(a, Answer::Timeout(_))
        }),
        ("orphan", &[], |a| matches!(a, Answer::Timeout(_))),
        ("crash-always", &[], |a| matches!(a, Answer::Crashed(_))),
    ];
    for (mode, extra, expected) in matrix {
        let marker = format!("convert-parity-test-lib-{mode}-{}", std::process::id());
        let dir = tempfile::tempdir().unwrap();
        let pid_dir = dir.path().join("pids");
        std::fs::create_dir(&pid_dir).unwrap();
        let mut config = AdapterConfig::new(
            format!("fault-{mode}"),
            fault_command(mode, &marker, &pid_dir, extra),
            project(),
        );
        let times_out = expected(&Answer::Timeout(String::new()));
        config.timeout = Duration::from_secs(if times_out { SHORT } else { LONG });
        config.start_timeout = Duration::from_secs(60);
        let mut adapter = Adapter::start(config).unwrap();
        let answers = adapter.run(&cases);
        assert!(expected(&answers[faulty]), "{mode}: {:?}", answers[faulty]);
        if *mode != "crash-always" {
            for (i, answer) in answers.iter().enumerate().filter(|(i, _)| *i != faulty) {
                assert!(
                    matches!(answer, Answer::Result(_)),
                    "{mode}: case {i}: {answer:?}"
                );
            }
        }
        drop(adapter);
        assert_no_leftover_process(&marker, &pid_dir);
    }
}
