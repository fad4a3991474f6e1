//! The gate's own guarantees, through the command line: the determinism and
//! isolation probe (`run --shuffle`) against an adapter that leaks state
//! between cases, reproducers and `replay`, the report diff and
//! `run --baseline`, provenance and the cache key, the spec-clause matrix,
//! and declared comparison rules applied to an adapter.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{Value, json};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn root() -> PathBuf {
    manifest_dir().join("../..")
}

fn project() -> PathBuf {
    manifest_dir().join("tests/data/project")
}

fn fault_adapter(mode: &str, case: &str) -> String {
    format!(
        "python3 {} --mode {mode} --case {case}",
        manifest_dir()
            .join("tests/adapters/fault_adapter.py")
            .display()
    )
}

fn leaky_adapter(leak: &str) -> String {
    format!(
        "python3 {} --leak {leak} --inner '{} adapter'",
        manifest_dir()
            .join("tests/adapters/leaky_adapter.py")
            .display(),
        assert_cmd::cargo::cargo_bin("convert-parity").display()
    )
}

fn runner() -> Command {
    Command::cargo_bin("convert-parity").unwrap()
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn target<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no target {name}"))
}

fn case<'a>(report: &'a Value, target_name: &str, id: &str) -> &'a Value {
    target(report, target_name)["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no case {id}"))
}

fn problems(report: &Value) -> Vec<String> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("[{}] {}", p["target"], p["message"]))
        .collect()
}

/// Runs the gate on the synthetic hash project with the fault adapter.
fn run_project(project: &Path, adapter: &str, dir: &Path, extra: &[&str]) -> (i32, String, Value) {
    let report = dir.join("report.json");
    let output = runner()
        .args(["run", "--root"])
        .arg(project)
        .args(["--no-reference", "--adapter-cmd", adapter, "--report-json"])
        .arg(&report)
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code().unwrap(), stdout, read(&report))
}

// --- the determinism and isolation probe ---------------------------------

/// Runs the real `experience` vectors on the reference and on the leaky
/// adapter (the reference engine behind a per-visitor cache), with the probe.
fn probe_run(leak: &str) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let output = runner()
        .args(["run", "--root"])
        .arg(root())
        .args([
            "--family",
            "experience",
            "--adapter-cmd",
            &leaky_adapter(leak),
        ])
        .args([
            "--shuffle",
            "--seed",
            "11",
            "--shuffle-sample",
            "0",
            "--no-repro",
        ])
        .arg("--report-json")
        .arg(&report)
        .output()
        .unwrap();
    (output.status.code().unwrap(), read(&report))
}

fn changes<'a>(report: &'a Value, name: &str) -> &'a Vec<Value> {
    target(report, name)["probe"]["changes"].as_array().unwrap()
}

#[test]
fn the_probe_passes_targets_without_state_between_cases() {
    let (code, report) = probe_run("none");
    assert_eq!(code, 0, "{:?}", problems(&report));
    assert_eq!(report["probe"], json!({"seed": 11, "sample": 0}));
    for name in ["reference", "cmd:python3"] {
        let probe = &target(&report, name)["probe"];
        assert!(probe["probed"].as_u64().unwrap() > 200, "{probe}");
        assert!(changes(&report, name).is_empty(), "{probe}");
    }
}

#[test]
fn the_probe_catches_a_sticky_cache_keyed_by_visitor_on_a_fresh_adapter() {
    let (code, report) = probe_run("first");
    assert_eq!(code, 1);
    assert!(changes(&report, "reference").is_empty());
    let leaks = changes(&report, "cmd:python3");
    assert!(!leaks.is_empty());
    // A first-answer-wins cache keeps its answers on the reused adapter: the
    // fresh adapter in another order is what exposes it.
    assert!(leaks.iter().all(|c| c["pass"] == "fresh"), "{leaks:?}");
    let found = problems(&report);
    assert!(
        found
            .iter()
            .any(|p| p.contains("cmd:python3") && p.contains("determinism probe (seed 11)")),
        "{found:?}"
    );
    // Each change names the case that ran before it in that order.
    assert!(leaks.iter().any(|c| c["after"].is_string()));
}

#[test]
fn the_probe_catches_state_left_by_a_long_session_on_the_reused_adapter() {
    let (code, report) = probe_run("stale");
    assert_eq!(code, 1);
    let leaks = changes(&report, "cmd:python3");
    assert!(leaks.iter().any(|c| c["pass"] == "reused"), "{leaks:?}");
    assert!(changes(&report, "reference").is_empty());
}

// --- reproducers and replay ----------------------------------------------

#[test]
fn a_failing_case_gets_a_reproducer_that_replays_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let adapter = fault_adapter("errored", "hash/basic/c03");
    let (code, stdout, report) = run_project(&project(), &adapter, dir.path(), &[]);
    assert_eq!(code, 1);
    let repro = &case(&report, "cmd:python3", "hash/basic/c03")["reproducer"];
    assert_eq!(repro["path"], "repro/cmd_python3/hash/basic/c03.json");
    assert_eq!(repro["session"], "repro/cmd_python3/hash/basic/c03.ndjson");
    let command = repro["command"].as_str().unwrap();
    assert!(
        command.ends_with(" replay repro/cmd_python3/hash/basic/c03.json"),
        "{command}"
    );
    assert!(
        stdout.contains(&format!("replay:   {command}")),
        "the failure output names the replay command:\n{stdout}"
    );
    // Passing cases get none.
    assert!(case(&report, "cmd:python3", "hash/basic/c02")["reproducer"].is_null());
    let written: Value = read(&dir.path().join("repro/cmd_python3/hash/basic/c03.json"));
    assert_eq!(written["request"]["cmd"], "run");
    assert_eq!(
        written["request"]["case"]["input"],
        json!({"value": "xxx", "seed": 1})
    );
    assert_eq!(written["expected"], json!({"hash": 3}));

    // The replay command, as written, against the same adapter: still errors.
    let argv = shell_words::split(command).unwrap();
    Command::new(&argv[0])
        .args(&argv[1..])
        .current_dir(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("errored"))
        .stdout(predicate::str::contains("\"seq\":1"));
    // Against a fixed adapter: passes.
    runner()
        .args([
            "replay",
            "repro/cmd_python3/hash/basic/c03.json",
            "--adapter-cmd",
        ])
        .arg(fault_adapter("ok", "none"))
        .current_dir(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("does not reproduce"));

    // The session file piped straight into the adapter, without the runner.
    let session =
        std::fs::read(dir.path().join("repro/cmd_python3/hash/basic/c03.ndjson")).unwrap();
    let argv = shell_words::split(&adapter).unwrap();
    let output = Command::new(&argv[0])
        .args(&argv[1..])
        .write_stdin(session)
        .output()
        .unwrap();
    assert!(output.status.success());
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "ready, then the one answer");
    assert_eq!(lines[1]["seq"], 1);
    assert!(lines[1]["errored"].is_object());
}

#[test]
fn reproducers_of_an_earlier_run_are_cleared_and_foreign_folders_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, _) = run_project(
        &project(),
        &fault_adapter("errored", "hash/basic/c03"),
        dir.path(),
        &[],
    );
    let old = dir.path().join("repro/cmd_python3/hash/basic/c03.json");
    assert!(old.is_file());
    let (code, _, _) = run_project(&project(), &fault_adapter("ok", "none"), dir.path(), &[]);
    assert_eq!(code, 0);
    assert!(!old.exists(), "a case that passes now has no reproducer");

    let foreign = tempfile::tempdir().unwrap();
    std::fs::write(foreign.path().join("precious.txt"), "keep").unwrap();
    let output = runner()
        .args(["run", "--root"])
        .arg(project())
        .args([
            "--no-reference",
            "--adapter-cmd",
            &fault_adapter("errored", "hash/basic/c03"),
        ])
        .arg("--repro-dir")
        .arg(foreign.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a reproducer folder"));
    assert!(foreign.path().join("precious.txt").is_file());
}

#[test]
fn replay_of_a_file_that_is_not_a_reproducer_is_an_infrastructure_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.json");
    std::fs::write(&path, "{\"not\": \"a reproducer\"}").unwrap();
    runner()
        .arg("replay")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a reproducer file"));
}

// --- report diff and --baseline -----------------------------------------

/// A copy of the synthetic project without case `c10`.
fn project_without_c10() -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    let vectors = copy.path().join("vectors/v1/hash");
    std::fs::create_dir_all(&vectors).unwrap();
    std::fs::create_dir_all(copy.path().join("adapters")).unwrap();
    let mut file = read(&project().join("vectors/v1/hash/basic.json"));
    file["cases"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c["id"] != "hash/basic/c10");
    std::fs::write(vectors.join("basic.json"), file.to_string()).unwrap();
    copy
}

#[test]
fn diff_classifies_every_case_and_fails_on_regressions_and_removals() {
    let old_dir = tempfile::tempdir().unwrap();
    let (code, _, _) = run_project(
        &project(),
        &fault_adapter("skipped", "hash/basic/c05"),
        old_dir.path(),
        &[],
    );
    assert_eq!(code, 0);
    let new_project = project_without_c10();
    let new_dir = tempfile::tempdir().unwrap();
    let (code, _, _) = run_project(
        new_project.path(),
        &fault_adapter("errored", "hash/basic/c03"),
        new_dir.path(),
        &[],
    );
    assert_eq!(code, 1);
    let (old, new) = (
        old_dir.path().join("report.json"),
        new_dir.path().join("report.json"),
    );

    let output = runner()
        .arg("diff")
        .args([&old, &new])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let diff: Value = serde_json::from_slice(&output.stdout).unwrap();
    let counts = &diff["targets"]["cmd:python3"];
    assert_eq!(counts["newly_failing"], 1, "{diff}");
    assert_eq!(counts["removed"], 1);
    assert_eq!(counts["newly_passing"], 1, "c05 was skipped, now passes");
    let ids: Vec<(&str, &str)> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["case"].as_str().unwrap(), c["change"].as_str().unwrap()))
        .collect();
    assert_eq!(
        ids,
        [
            ("hash/basic/c03", "newly_failing"),
            ("hash/basic/c10", "removed"),
            ("hash/basic/c05", "newly_passing"),
        ]
    );

    // Markdown for a step summary, written to a file as well.
    let md = new_dir.path().join("diff.md");
    runner()
        .arg("diff")
        .args([&old, &new])
        .args(["--format", "markdown", "--markdown"])
        .arg(&md)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "### convert-parity: ❌ 2 regression(s)",
        ))
        .stdout(predicate::str::contains(
            "| `cmd:python3` | **1** | **1** | 0 | 0 | 1 | 0 | 0 |",
        ));
    assert!(
        std::fs::read_to_string(&md)
            .unwrap()
            .contains("<details open><summary>newly failing (1)")
    );

    // The other way round: the failure is fixed and a case is added.
    runner()
        .arg("diff")
        .args([&new, &old])
        .assert()
        .success()
        .stdout(predicate::str::contains("diff: no regressions"));
    // Newly skipped counts only when strict.
    runner()
        .arg("diff")
        .args([&new, &old])
        .arg("--strict")
        .assert()
        .code(1);
    // A report that cannot be read.
    runner()
        .arg("diff")
        .arg(&old)
        .arg(new_dir.path().join("missing.json"))
        .assert()
        .code(2);
}

#[test]
fn a_run_against_a_baseline_fails_on_regressions_and_records_them() {
    let old_dir = tempfile::tempdir().unwrap();
    run_project(
        &project(),
        &fault_adapter("ok", "none"),
        old_dir.path(),
        &[],
    );
    let baseline = old_dir.path().join("report.json");
    let new_project = project_without_c10();
    let new_dir = tempfile::tempdir().unwrap();
    let summary = new_dir.path().join("summary.md");
    let (code, stdout, report) = run_project(
        new_project.path(),
        &fault_adapter("ok", "none"),
        new_dir.path(),
        &[
            "--baseline",
            baseline.to_str().unwrap(),
            "--summary-md",
            summary.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "a removed case fails the run:\n{stdout}");
    assert_eq!(report["baseline"]["regressions"], 1);
    assert_eq!(report["baseline"]["regressed"][0]["case"], "hash/basic/c10");
    assert!(
        problems(&report)
            .iter()
            .any(|p| p.contains("regression(s) against the baseline"))
    );
    assert!(stdout.contains("1 regression(s)"), "{stdout}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("**Baseline**") && md.contains("hash/basic/c10"),
        "{md}"
    );

    // Against itself: no regression.
    let (code, _, report) = run_project(
        &project(),
        &fault_adapter("ok", "none"),
        new_dir.path(),
        &["--baseline", baseline.to_str().unwrap()],
    );
    assert_eq!(code, 0);
    assert_eq!(report["baseline"]["regressions"], 0);
}

// --- provenance and traceability ----------------------------------------

fn reference_run(families: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let mut command = runner();
    command
        .args(["run", "--root"])
        .arg(root())
        .args(["--no-adapters", "--report-json"])
        .arg(&report);
    for family in families {
        command.args(["--family", family]);
    }
    command.assert().success();
    read(&report)
}

#[test]
fn every_report_carries_its_provenance_and_a_cache_key() {
    let report = reference_run(&["hash"]);
    let p = &report["provenance"];
    assert_eq!(p["runner"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(p["runner"]["rustc"].as_str().unwrap().starts_with("rustc "));
    assert_eq!(p["host"]["os"], std::env::consts::OS);
    assert_eq!(p["host"]["arch"], std::env::consts::ARCH);
    assert_eq!(p["spec_digest"].as_str().unwrap().len(), 64);
    assert_eq!(p["vectors_digest"], report["vectors"]["vectors_digest"]);
    assert_eq!(p["families"], json!(["hash"]));
    let reference = &p["targets"][0];
    assert_eq!(reference["name"], "reference");
    assert_eq!(reference["implementation"]["name"], "convert-engine");
    assert!(reference["capabilities"]["families"].is_array());
    assert_eq!(reference["divergences_digest"].as_str().unwrap().len(), 64);
    let key = p["cache_key"].as_str().unwrap();
    assert_eq!(key.len(), 64);
    // The same run has the same key; another selection another.
    assert_eq!(reference_run(&["hash"])["provenance"]["cache_key"], key);
    assert_ne!(reference_run(&["rule"])["provenance"]["cache_key"], key);
}

#[test]
fn an_adapter_target_records_its_command_and_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, report) = run_project(&project(), &fault_adapter("ok", "none"), dir.path(), &[]);
    let t = &report["provenance"]["targets"][0];
    assert_eq!(t["kind"], "command");
    assert_eq!(t["implementation"]["name"], "fault-adapter");
    let script = manifest_dir().join("tests/adapters/fault_adapter.py");
    assert_eq!(
        t["files"][script.display().to_string()]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert_eq!(t["command"][0], "python3");
}

#[test]
fn the_report_maps_spec_clauses_to_targets_with_the_uncovered_ones() {
    let report = reference_run(&["hash"]);
    let trace = &report["traceability"];
    let clauses = trace["clauses"].as_array().unwrap();
    let murmur = clauses.iter().find(|c| c["id"] == "hash.murmur3").unwrap();
    assert!(murmur["cases"].as_u64().unwrap() > 50);
    assert_eq!(murmur["page"], "hash.md");
    assert_eq!(murmur["targets"]["reference"]["pass"], murmur["cases"]);
    // A hash-only run exercises no rule clause.
    let uncovered: Vec<&str> = trace["uncovered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(uncovered.contains(&"rule.op.equals"), "{uncovered:?}");
    assert!(!uncovered.contains(&"hash.murmur3"));
    assert_eq!(trace["unknown"], json!([]));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    std::fs::write(&path, report.to_string()).unwrap();
    runner()
        .args(["--root"])
        .arg(root())
        .arg("trace")
        .arg(&path)
        .args(["--format", "markdown"])
        .assert()
        .success()
        .stdout(predicate::str::contains("| `hash.murmur3` "))
        .stdout(predicate::str::contains("**0 (uncovered)**"));
}

#[test]
fn the_whole_vector_set_leaves_only_declared_gaps_in_the_spec() {
    // Every clause is exercised by some vector except those that no oracle
    // can answer (the regex work budget: the JS SDK would hang).
    let report = reference_run(&[]);
    assert_eq!(
        report["traceability"]["uncovered"],
        json!(["rule.regex-budget"]),
        "a spec clause no vector exercises: add vectors (vectors/src/) or cite it"
    );
}

// --- declared comparison rules -------------------------------------------

/// A copy of the synthetic project whose vector file declares `rules`.
fn project_with_rules(rules: Value) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    let vectors = copy.path().join("vectors/v1/hash");
    std::fs::create_dir_all(&vectors).unwrap();
    std::fs::create_dir_all(copy.path().join("adapters")).unwrap();
    let mut file = read(&project().join("vectors/v1/hash/basic.json"));
    file["compare"] = rules;
    std::fs::write(vectors.join("basic.json"), file.to_string()).unwrap();
    copy
}

#[test]
fn declared_rules_apply_to_an_adapter() {
    let dir = tempfile::tempdir().unwrap();
    let off = fault_adapter("off-by-one", "hash/basic/c03");
    let outcome = |project: &Path| {
        let (_, _, report) = run_project(project, &off, dir.path(), &["--no-repro"]);
        let c03 = case(&report, "cmd:python3", "hash/basic/c03").clone();
        (
            c03["outcome"].as_str().unwrap().to_owned(),
            c03["message"].clone(),
        )
    };
    assert_eq!(outcome(&project()).0, "fail");
    let tolerant = project_with_rules(json!({"/hash": {"float_abs": 1}}));
    assert_eq!(outcome(tolerant.path()).0, "pass");
    let exact = project_with_rules(json!({"/hash": "exact"}));
    let (kind, message) = outcome(exact.path());
    assert_eq!(kind, "fail");
    assert!(
        message.as_str().unwrap().contains("(compared as exact)"),
        "{message}"
    );
}

#[test]
fn declared_rules_apply_to_the_reference_alike() {
    // One JS-oracle hash case with its expected value shifted by one.
    let seeds = read(&root().join("vectors/v1/hash/seeds.json"));
    let mut original = seeds["cases"][0].clone();
    let hash = original["expected"]["hash"].as_u64().unwrap();
    original["expected"]["hash"] = json!(hash + 1);
    let project_with = |rules: Value| {
        let copy = tempfile::tempdir().unwrap();
        let vectors = copy.path().join("vectors/v1/hash");
        std::fs::create_dir_all(&vectors).unwrap();
        std::fs::create_dir_all(copy.path().join("adapters")).unwrap();
        let mut file = seeds.clone();
        file["cases"] = json!([original.clone()]);
        file["compare"] = rules;
        std::fs::write(vectors.join("seeds.json"), file.to_string()).unwrap();
        copy
    };
    let code = |rules: Value| {
        let project = project_with(rules);
        runner()
            .args(["run", "--root"])
            .arg(project.path())
            .args(["--no-adapters", "--family", "hash"])
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(code(json!({"/hash": "exact"})), Some(1));
    assert_eq!(code(json!({"/hash": {"float_abs": 1}})), Some(0));
    assert_eq!(code(json!({"/hash": {"float_abs": 0.5}})), Some(1));
}

#[test]
fn a_bad_declaration_is_refused_before_anything_runs() {
    let typo = project_with_rules(json!({"/hsh": "exact"}));
    let output = runner()
        .args(["run", "--root"])
        .arg(typo.path())
        .args([
            "--no-reference",
            "--adapter-cmd",
            &fault_adapter("ok", "none"),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("`/hsh` matches no value"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
