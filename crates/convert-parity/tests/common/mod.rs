//! A report with every kind of outcome, built the way the runner builds
//! one (counts added case by case, the exit code from `run::verdict`), for
//! the report renderers' tests.

#![allow(dead_code)]

use std::collections::BTreeMap;

use convert_parity::outcome::OutcomeKind;
use convert_parity::report::{
    CaseReport, Counts, Problem, REPORT_VERSION, Report, Severity, TargetReport,
};
use convert_spec::Capabilities;
use convert_spec::compare::Difference;
use convert_spec::protocol::Implementation;
use serde_json::{Value, json};

/// A hostile string: if the page does not escape it, a script runs.
pub const INJECTION: &str = "<script>window.__injected = true</script><b>not bold</b>";

/// One case. Built from JSON, as a report file is read, so that fields
/// added to the report later (all optional) need no change here.
pub fn case(id: &str, family: &str, outcome: OutcomeKind) -> CaseReport {
    let mut case: CaseReport = serde_json::from_value(json!({
        "id": id,
        "family": family,
        "source": format!("vectors/v1/{family}/sample.json"),
        "outcome": outcome,
    }))
    .unwrap();
    case.spec_refs = vec![format!("{family}.sample")];
    case
}

fn failing(id: &str, family: &str, input: Value, expected: Value, actual: Value) -> CaseReport {
    let differences = diff_fields(&expected, &actual);
    let message = differences
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    let mut case = case(id, family, OutcomeKind::Fail);
    case.message = Some(message);
    case.input = Some(input);
    case.expected = Some(expected);
    case.actual = Some(actual);
    case.differences = differences;
    case
}

fn with_values(mut case: CaseReport, input: Value, expected: Value) -> CaseReport {
    case.input = Some(input);
    case.expected = Some(expected);
    case
}

fn diff_fields(expected: &Value, actual: &Value) -> Vec<Difference> {
    let (Value::Object(e), Value::Object(a)) = (expected, actual) else {
        return vec![Difference {
            pointer: String::new(),
            expected: Some(expected.clone()),
            actual: Some(actual.clone()),
            rule: None,
        }];
    };
    e.iter()
        .filter(|(k, v)| a.get(*k) != Some(v))
        .map(|(k, v)| Difference {
            pointer: format!("/{k}"),
            expected: Some(v.clone()),
            actual: a.get(k).cloned(),
            rule: None,
        })
        .collect()
}

fn diverged(mut case: CaseReport, reason: &str) -> CaseReport {
    case.outcome = OutcomeKind::Diverged;
    case.message = Some(format!("declared divergence: {reason}"));
    case
}

fn with_message(mut case: CaseReport, message: &str) -> CaseReport {
    case.message = Some(message.to_owned());
    case
}

fn target(
    name: &str,
    implementation: Implementation,
    families: &[&str],
    mut cases: Vec<CaseReport>,
) -> TargetReport {
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    let mut summary = Counts::default();
    let mut by_family: BTreeMap<String, Counts> = BTreeMap::new();
    for case in &cases {
        summary.add(case.outcome);
        by_family
            .entry(case.family.clone())
            .or_default()
            .add(case.outcome);
    }
    let mut target: TargetReport = serde_json::from_value(json!({
        "name": name,
        "kind": if name == "reference" { "reference" } else { "adapter" },
        "implementation": implementation,
        "capabilities": Capabilities {
            families: families.iter().map(|f| (*f).to_owned()).collect(),
            contract_versions: vec![11],
            features: vec!["diagnostics".into()],
        },
        "error": null,
        "summary": summary,
        "families": by_family,
        "cases": [],
    }))
    .unwrap();
    target.cases = cases;
    target
}

fn passing(family: &str, n: usize) -> Vec<CaseReport> {
    (0..n)
        .map(|i| case(&format!("{family}/pass/c{i:05}"), family, OutcomeKind::Pass))
        .collect()
}

/// Expected counts of [`sample_report`]'s `python` target, per family.
pub fn python_counts(passing_per_family: usize) -> BTreeMap<&'static str, Counts> {
    let mut hash = Counts {
        pass: passing_per_family,
        ..Counts::default()
    };
    hash.fail = 2;
    let mut rule = Counts {
        pass: passing_per_family,
        ..Counts::default()
    };
    rule.diverged = 3;
    rule.errored = 1;
    let mut experience = Counts {
        pass: passing_per_family,
        ..Counts::default()
    };
    experience.skipped = 3;
    experience.timeout = 1;
    experience.crashed = 1;
    BTreeMap::from([("hash", hash), ("rule", rule), ("experience", experience)])
}

/// A report of three targets: `reference` (passes, one declared
/// divergence), `python` (failures, divergences, an error, skips, a timeout
/// and a crash; counts in [`python_counts`]) and `broken` (could not
/// start); with imports, a finding and run-level problems.
/// `passing_per_family` passing cases per family and target.
pub fn sample_report(passing_per_family: usize) -> Report {
    let mut reference_cases = Vec::new();
    for family in ["hash", "rule", "experience"] {
        reference_cases.extend(passing(family, passing_per_family));
    }
    reference_cases.push(diverged(
        failing(
            "rule/regex/lookbehind",
            "rule",
            json!({"rule": {"match_type": "regexMatches", "value": "(?<=a)b"}, "data": {"k": "ab"}}),
            json!({"matched": true}),
            json!({"matched": false}),
        ),
        "ECMAScript lookbehind is not in the reference regex engine yet",
    ));

    let mut python_cases = Vec::new();
    for family in ["hash", "rule", "experience"] {
        python_cases.extend(passing(family, passing_per_family));
    }
    python_cases.push(failing(
        "hash/utf8/c01",
        "hash",
        json!({"value": "用户123", "seed": 9999}),
        json!({"hash": 3_859_151_469_u32}),
        json!({"hash": 1_234_567_u32}),
    ));
    let mut injected = failing(
        "hash/utf8/c02",
        "hash",
        json!({"value": INJECTION, "seed": 1}),
        json!({"hash": 1, "note": INJECTION}),
        json!({"hash": 2, "note": "</pre></details></body>"}),
    );
    injected.message = Some(format!("/hash: expected 1, got 2 {INJECTION}"));
    python_cases.push(injected);
    let experience_input = json!({
        "config": {"account_id": "100", "project": {"id": "200"},
            "experiences": [{"id": "300", "key": "exp-1", "variations": [
                {"id": "301", "key": "control", "traffic_allocation": 50},
                {"id": "302", "key": "variation-1", "traffic_allocation": 50}]}]},
        "visitor_id": "visitor-123", "location_attributes": {}, "experience_key": "exp-1"
    });
    for (i, reason) in [
        "Python walks packed variations in config order; JavaScript walks Object.keys order",
        "Python walks packed variations in config order; JavaScript walks Object.keys order",
        "str() and String() print floats differently",
    ]
    .iter()
    .enumerate()
    {
        python_cases.push(diverged(
            failing(
                &format!("rule/numbers/c0{i}"),
                "rule",
                json!({"rule": {"key": "n", "value": 1.5}, "data": {"n": "1.5"}}),
                json!({"matched": true}),
                json!({"matched": false}),
            ),
            reason,
        ));
    }
    python_cases.push(with_message(
        with_values(
            case("rule/grammar/errored", "rule", OutcomeKind::Errored),
            json!({"rule": {"key": "k"}, "data": {}}),
            json!({"matched": false}),
        ),
        "TypeError: 'NoneType' object is not subscriptable\nTraceback (most recent call last):\n  File \"adapter.py\", line 40",
    ));
    for (i, reason) in [
        "needs contract version 12 (not declared)",
        "needs contract version 12 (not declared)",
        "needs feature `preview` (not declared)",
    ]
    .iter()
    .enumerate()
    {
        python_cases.push(with_message(
            case(
                &format!("experience/skipped/c0{i}"),
                "experience",
                OutcomeKind::Skipped,
            ),
            reason,
        ));
    }
    python_cases.push(with_message(
        with_values(
            case(
                "experience/gates/timeout",
                "experience",
                OutcomeKind::Timeout,
            ),
            experience_input.clone(),
            json!({"variation_key": "variation-1"}),
        ),
        "case `experience/gates/timeout`: no answer within 10s",
    ));
    python_cases.push(with_message(
        with_values(
            case(
                "experience/gates/crashed",
                "experience",
                OutcomeKind::Crashed,
            ),
            experience_input,
            json!({"variation_key": "control"}),
        ),
        "case `experience/gates/crashed`: the adapter exited (exit status: 3) before answering",
    ));

    let reference = target(
        "reference",
        Implementation {
            name: "convert-engine".into(),
            version: "0.1.0".into(),
            language: "rust".into(),
            runtime: None,
        },
        &["hash", "rule", "experience"],
        reference_cases,
    );
    let mut python = target(
        "python",
        Implementation {
            name: "convert-python-sdk".into(),
            version: "2.1.0".into(),
            language: "python".into(),
            runtime: Some("CPython 3.11.7".into()),
        },
        &["hash", "rule", "experience"],
        python_cases,
    );
    python.faults = vec![
        "case `experience/gates/crashed`: the adapter exited (exit status: 3) before answering\nstderr tail:\nTraceback: boom".into(),
    ];
    python.restarts = 1;
    let broken: TargetReport = serde_json::from_value(json!({
        "name": "broken",
        "kind": "adapter",
        "implementation": null,
        "capabilities": null,
        "error": "adapter `broken` did not complete the handshake: the adapter exited before answering `start`\nstderr: ModuleNotFoundError: No module named 'my_sdk'",
        "summary": Counts::default(),
        "families": {},
        "cases": [],
    }))
    .unwrap();
    let targets = vec![reference, python, broken];
    let problems: Vec<Problem> = serde_json::from_value(json!([
        {
            "target": "python",
            "severity": Severity::Failure,
            "message": "stale divergence entry: `rule/less/c09` now passes; remove it from divergences.json",
        },
        {
            "target": "broken",
            "severity": Severity::Infrastructure,
            "message": "unusable divergence file: expected value at line 1 column 1",
        },
    ]))
    .unwrap();
    let exit_code = convert_parity::run::verdict(&targets, &problems);
    let mut report: Report = serde_json::from_value(json!({
        "report_version": REPORT_VERSION,
        "runner": {"name": "convert-parity", "version": "0.1.0", "protocol": 1},
        "vectors": {
            "set_version": 1,
            "root": "vectors/v1",
            "files": 3,
            "cases": 3 * passing_per_family + 10,
            "spec_digest": "3f1a".repeat(16),
            "vectors_digest": "9c0d".repeat(16),
            "families": [],
        },
        "started_unix": 1_764_600_000_u64,
        "duration_ms": 1_234,
        "imports": [
            {
                "kind": "python",
                "source": "../shared/peer-vectors/python/bucketing_vectors.json",
                "cases": 12,
                "not_imported": null,
            },
            {
                "kind": "python",
                "source": "../shared/peer-vectors/python/feature_vectors.json",
                "cases": 0,
                "not_imported": "asserts variation_key, which no family carries",
            },
        ],
        "findings": [{
            "case": "peer/python/bucketing/7",
            "source": "../shared/peer-vectors/python/bucketing_vectors.json",
            "peer_expected": {"variation_id": "a"},
            "js_result": {"variation_id": "b"},
        }],
        "targets": [],
        "problems": problems,
        "exit_code": exit_code,
    }))
    .unwrap();
    report.targets = targets;
    report
}
