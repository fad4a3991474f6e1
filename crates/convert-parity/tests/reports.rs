//! The report files CI systems and people read: JUnit XML validated against
//! the JUnit XSD CI tools use (with `xmllint`), the JSON report against its
//! published schema, the HTML page as the command line writes it, and the
//! terminal output (plain when piped or with `NO_COLOR`, styled when
//! forced).
//!
//! Needs `xmllint` (`.ci/install-system-packages`, or `apt-get install
//! libxml2-utils`); without it the JUnit tests fail and say so.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use convert_parity::outcome::OutcomeKind;
use convert_parity::report;
use serde_json::Value;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn junit_xsd() -> PathBuf {
    manifest_dir().join("tests/schemas/junit-10.xsd")
}

/// Validates `xml` against the JUnit XSD with `xmllint --schema`.
fn validate_junit(xml: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("junit.xml");
    std::fs::write(&file, xml).unwrap();
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(junit_xsd())
        .arg(&file)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "xmllint is needed to validate JUnit XML ({e}): install it with \
                 `sudo .ci/install-system-packages` (Debian/Ubuntu: `apt-get install libxml2-utils`)"
            )
        });
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

fn attribute<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    node.attribute(name)
        .unwrap_or_else(|| panic!("<{}> has no {name}", node.tag_name().name()))
}

#[test]
fn the_validator_rejects_what_the_junit_schema_forbids() {
    // Proof that the check can fail: required attributes missing, an
    // unknown element, and quick-junit's own root (with `skipped`).
    assert!(validate_junit(r#"<testsuites><testsuite name="x"/></testsuites>"#).is_err());
    assert!(
        validate_junit(
            r#"<testsuites><testsuite name="x" tests="1" failures="0" errors="0"><testcase name="a"><oops/></testcase></testsuite></testsuites>"#
        )
        .is_err()
    );
    let mut raw = quick_junit::Report::new("raw");
    raw.add_test_suite(quick_junit::TestSuite::new("suite"));
    let error = validate_junit(&raw.to_string().unwrap()).unwrap_err();
    assert!(error.contains("skipped"), "{error}");
    // And accepts a minimal valid file.
    validate_junit(
        r#"<testsuites><testsuite name="x" tests="1" failures="0" errors="0"><testcase name="a"/></testsuite></testsuites>"#,
    )
    .unwrap();
}

#[test]
fn junit_of_every_outcome_validates_against_the_junit_schema() {
    let report = common::sample_report(3);
    let xml = report::junit(&report);
    validate_junit(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));

    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let all_cases: usize = report.targets.iter().map(|t| t.cases.len()).sum();
    // The target that could not start is one errored test case.
    assert_eq!(attribute(root, "tests"), (all_cases + 1).to_string());

    let python = root
        .children()
        .find(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some("python"))
        .unwrap();
    let counts = report.targets[1].summary;
    assert_eq!(
        attribute(python, "failures"),
        counts.get(OutcomeKind::Fail).to_string()
    );
    assert_eq!(
        attribute(python, "errors"),
        (counts.errored + counts.timeout + counts.crashed).to_string()
    );
    assert_eq!(
        attribute(python, "skipped"),
        (counts.skipped + counts.diverged).to_string()
    );
    let case = |name: &str| {
        python
            .children()
            .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some(name))
            .unwrap_or_else(|| panic!("no testcase {name}"))
    };
    let failing = case("hash/utf8/c01");
    assert_eq!(attribute(failing, "classname"), "python.hash");
    let failure = failing
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(attribute(failure, "message").contains("/hash"));
    let text = failure.text().unwrap_or_default();
    assert!(text.contains("expected: {\"hash\":3859151469}"), "{text}");
    assert!(text.contains("actual: {\"hash\":1234567}"), "{text}");
    let diverged = case("rule/numbers/c00");
    let skipped = diverged
        .children()
        .find(|n| n.has_tag_name("skipped"))
        .unwrap();
    assert!(attribute(skipped, "message").starts_with("declared divergence"));
    for name in [
        "experience/gates/timeout",
        "experience/gates/crashed",
        "rule/grammar/errored",
    ] {
        assert!(
            case(name).children().any(|n| n.has_tag_name("error")),
            "{name} is not an error"
        );
    }
    // Hostile text is escaped, not markup.
    let injected = case("hash/utf8/c02");
    let failure = injected
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(attribute(failure, "message").contains("<script>"));
}

fn project() -> PathBuf {
    manifest_dir().join("tests/data/project")
}

fn fault_adapter(mode: &str) -> String {
    format!(
        "python3 {} --mode {mode} --case hash/basic/c03",
        manifest_dir()
            .join("tests/adapters/fault_adapter.py")
            .display()
    )
}

/// Runs the CLI against the test project with the fault adapter; returns
/// the exit code, stdout, and the folder with the written reports.
fn run_cli(mode: &str, envs: &[(&str, &str)]) -> (i32, String, tempfile::TempDir) {
    let (code, stdout, _, dir) = run_cli_full(mode, envs);
    (code, stdout, dir)
}

/// [`run_cli`], with stderr.
fn run_cli_full(mode: &str, envs: &[(&str, &str)]) -> (i32, String, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut command = assert_cmd::Command::cargo_bin("convert-parity").unwrap();
    command
        .args(["run", "--root"])
        .arg(project())
        .args(["--no-reference", "--adapter-cmd", &fault_adapter(mode)])
        .arg("--report-json")
        .arg(dir.path().join("report.json"))
        .arg("--junit")
        .arg(dir.path().join("junit.xml"))
        .arg("--html")
        .arg(dir.path().join("html/report.html"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    for (key, value) in envs {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        dir,
    )
}

#[test]
fn the_command_line_writes_json_junit_and_html_that_validate() {
    let (code, stdout, dir) = run_cli("wrong-shape", &[]);
    assert_eq!(code, 1, "{stdout}");

    let xml = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    validate_junit(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));

    // The JSON report against the committed schema (spec/schemas/).
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(manifest_dir().join("../../spec/schemas/report.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // ... which the schema can refuse.
    let mut broken = report.clone();
    broken["targets"][0]["cases"][0]["outcome"] = Value::String("sort of passed".into());
    assert!(!validator.is_valid(&broken));

    // The HTML page, with the failing case and its diff.
    let html = std::fs::read_to_string(dir.path().join("html/report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains(r#"id="case-cmd:python3-hash/basic/c03""#),
        "the failing case is not listed"
    );
    assert!(html.contains("FAIL"));
    assert!(
        !html.contains("<link") && !html.contains("src=\"http"),
        "the page loads something"
    );
}

#[test]
fn terminal_output_is_plain_when_piped_and_styled_when_forced() {
    // A slow case makes the run longer than the progress bars' delay: with
    // stderr not a terminal, still no bar is drawn.
    let (code, stdout, stderr, _dir) = run_cli_full("slow --sleep 1.5", &[]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        !stderr.contains('\r') && !stderr.contains("=>"),
        "a progress bar on a pipe: {stderr:?}"
    );
    let (code, plain, plain_dir) = run_cli("wrong-shape", &[]);
    assert_eq!(code, 1);
    assert!(
        !plain.contains('\u{1b}'),
        "ANSI escapes in piped output: {plain:?}"
    );
    // The closing line CI log parsers read.
    let last = plain.lines().last().unwrap();
    assert!(
        last.starts_with("9 passed, 1 failed, 0 diverged (declared), 0 skipped"),
        "{last}"
    );
    assert!(plain.contains("target "), "no summary table: {plain}");

    let (_, forced, forced_dir) = run_cli("wrong-shape", &[("CLICOLOR_FORCE", "1")]);
    assert!(
        forced.contains("\u{1b}["),
        "no styles with CLICOLOR_FORCE: {forced:?}"
    );
    // The same text once the styles are stripped (each run writes its
    // reproducers under its own temporary directory).
    let in_dir =
        |text: &str, dir: &tempfile::TempDir| text.replace(dir.path().to_str().unwrap(), "<out>");
    assert_eq!(
        in_dir(&convert_parity::terminal::strip(&forced), &forced_dir),
        in_dir(&plain, &plain_dir)
    );

    let (_, no_color, _dir) = run_cli("wrong-shape", &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(
        !no_color.contains('\u{1b}'),
        "NO_COLOR was ignored: {no_color:?}"
    );
}

#[test]
fn the_summary_renderings_agree_with_the_report() {
    let report = common::sample_report(2);
    let summary = report::render_summary(&report);
    let header = summary.lines().next().unwrap();
    let columns: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(columns, convert_parity::terminal::SUMMARY_HEADERS);
    let row = summary
        .lines()
        .find(|l| l.starts_with("python") && l.contains("rule"))
        .unwrap();
    let numbers: Vec<&str> = row.split_whitespace().skip(2).collect();
    assert_eq!(numbers, ["2", "0", "3", "0", "1", "0", "0"], "{row}");
    assert!(
        summary.contains("broken     NOT RUN: adapter `broken` did not complete"),
        "{summary}"
    );
    assert!(
        summary.contains("python: convert-python-sdk 2.1.0 (python, CPython 3.11.7)"),
        "{summary}"
    );
    assert!(
        summary.contains("problem: [python] stale divergence entry"),
        "{summary}"
    );
    let totals = report::render_totals(&report);
    assert!(totals.ends_with("; 2 problem(s); exit 2"), "{totals}");
    let failures = report::render_failures(&report, 1);
    assert!(
        failures.contains("--- [python] experience/gates/crashed (crashed)"),
        "{failures}"
    );
    assert!(failures.contains("… and 4 more not shown"), "{failures}");
}
