//! The HTML report in a real headless Chromium (Debian's `chromium`, driven
//! by `playwright-core` from npm): the matrix counts a person reads, a
//! failing case whose diff appears when its summary is clicked, a matrix
//! count that filters the list, escaping of hostile text, and no request
//! leaving the page's own file. Screenshots land in
//! `target/parity-browser/`.
//!
//! Needs `chromium` (`.ci/install-system-packages`, or `apt-get install
//! chromium`) and Node.js with npm; the test installs `playwright-core` from
//! `tests/browser/package-lock.json` itself. Missing tools fail the test
//! with the command that installs them; nothing is skipped.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use convert_parity::outcome::OutcomeKind;
use serde_json::Value;

const PASSING_PER_FAMILY: usize = 1_500;

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// `target/parity-browser/` of this workspace.
fn output_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
        .join("parity-browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.is_file(),
        "headless Chromium is needed for the HTML report test and {} does not exist: \
         install it with `sudo .ci/install-system-packages` (Debian/Ubuntu: `apt-get install chromium`), \
         or point CHROMIUM at a Chromium binary",
        path.display()
    );
    path
}

/// Installs `playwright-core` from the lockfile unless the pinned version
/// is already there.
fn ensure_playwright() {
    let dir = browser_dir();
    let lock: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package-lock.json")).unwrap())
            .unwrap();
    let pinned = lock["packages"]["node_modules/playwright-core"]["version"]
        .as_str()
        .expect("the lockfile pins playwright-core")
        .to_owned();
    let installed = std::fs::read_to_string(dir.join("node_modules/playwright-core/package.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|package| package["version"].as_str().map(str::to_owned));
    if installed.as_deref() == Some(pinned.as_str()) {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .status()
        .unwrap_or_else(|e| panic!("cannot run npm (Node.js with npm is needed): {e}"));
    assert!(
        status.success(),
        "`npm ci` in {} failed ({status}): playwright-core {pinned} could not be installed",
        dir.display()
    );
}

fn count(counts: &Value, outcome: OutcomeKind) -> usize {
    counts[outcome.as_str()]
        .as_str()
        .unwrap_or_else(|| panic!("no {outcome} count in {counts}"))
        .parse()
        .unwrap()
}

#[test]
fn the_html_report_reads_right_in_headless_chromium() {
    let chromium = chromium();
    ensure_playwright();
    let out = output_dir();
    let report = common::sample_report(PASSING_PER_FAMILY);
    let html = convert_parity::html::render(&report);
    let page = out.join("report.html");
    std::fs::write(&page, &html).unwrap();

    let output = Command::new("node")
        .arg(browser_dir().join("check-report.mjs"))
        .arg(&page)
        .arg(&out)
        .args(["case-python-hash/utf8/c01", "python", "rule", "diverged"])
        .env("CHROMIUM", &chromium)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node: {e}"));
    assert!(
        output.status.success(),
        "the browser check failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: Value = serde_json::from_slice(&output.stdout).unwrap();

    // Self-contained, no script error, hostile text shown as text.
    assert_eq!(
        seen["requests"],
        serde_json::json!([]),
        "the page requested more than its own file"
    );
    assert_eq!(seen["errors"], serde_json::json!([]), "script errors");
    assert_eq!(seen["console"], serde_json::json!([]), "console errors");
    assert_eq!(seen["injected"], false, "a case's text was run as a script");

    // The verdict: `broken` could not start, so exit 2.
    assert_eq!(report.exit_code, 2);
    let verdict = seen["verdict"].as_str().unwrap();
    assert!(verdict.starts_with("ERROR"), "{verdict}");
    assert!(verdict.contains("exit 2"), "{verdict}");
    assert!(seen["title"].as_str().unwrap().contains("exit 2"));

    // The matrix shows each family's counts of each target.
    let cells = seen["matrix"].as_array().unwrap();
    for (family, expected) in common::python_counts(PASSING_PER_FAMILY) {
        let cell = cells
            .iter()
            .find(|c| c["target"] == "python" && c["family"] == family)
            .unwrap_or_else(|| panic!("no python × {family} cell"));
        for kind in OutcomeKind::ALL {
            let shown = cell["counts"].get(kind.as_str());
            let n = expected.get(kind);
            if n > 0 || kind == OutcomeKind::Pass || kind == OutcomeKind::Fail {
                assert_eq!(
                    count(&cell["counts"], kind),
                    n,
                    "python × {family}: {kind} in {cell}"
                );
            } else {
                assert!(
                    shown.is_none(),
                    "python × {family}: a zero {kind} count is shown: {cell}"
                );
            }
        }
    }
    let python_all = cells
        .iter()
        .find(|c| c["target"] == "python" && c["family"] == "all")
        .unwrap();
    assert_eq!(
        count(&python_all["counts"], OutcomeKind::Pass),
        3 * PASSING_PER_FAMILY
    );
    assert_eq!(count(&python_all["counts"], OutcomeKind::Diverged), 3);
    let reference_rule = cells
        .iter()
        .find(|c| c["target"] == "reference" && c["family"] == "rule")
        .unwrap();
    assert_eq!(count(&reference_rule["counts"], OutcomeKind::Diverged), 1);
    assert_eq!(seen["notRun"], serde_json::json!(["broken"]));

    // Only cases that did not pass or skip are listed: no DOM of passes.
    let listed = seen["listedCases"].as_array().unwrap();
    let expected_listed: usize = report
        .targets
        .iter()
        .flat_map(|t| &t.cases)
        .filter(|c| !matches!(c.outcome, OutcomeKind::Pass | OutcomeKind::Skipped))
        .count();
    assert_eq!(listed.len(), expected_listed, "{listed:?}");
    assert!(
        listed
            .iter()
            .all(|c| !c["id"].as_str().unwrap().contains("/pass/"))
    );

    // The failing case: collapsed, then its diff once clicked.
    assert_eq!(seen["diffVisibleBeforeClick"], false);
    assert_eq!(seen["diffVisibleAfterClick"], true);
    let deleted = seen["diffDeleted"].as_array().unwrap();
    let inserted = seen["diffInserted"].as_array().unwrap();
    assert!(
        deleted
            .iter()
            .any(|l| l.as_str().unwrap().contains("3859151469")),
        "{deleted:?}"
    );
    assert!(
        inserted
            .iter()
            .any(|l| l.as_str().unwrap().contains("1234567")),
        "{inserted:?}"
    );
    let body = seen["caseBody"].as_str().unwrap();
    for needle in [
        "用户123",
        "/hash",
        "vectors/v1/hash/sample.json",
        "hash.sample",
    ] {
        assert!(
            body.contains(needle),
            "the case body lacks {needle}: {body}"
        );
    }

    // A matrix count link lists exactly those cases.
    assert_eq!(seen["filterLinkText"], "3 diverged");
    let filtered = seen["filteredCases"].as_array().unwrap();
    assert_eq!(filtered.len(), 3, "{filtered:?}");
    for case in filtered {
        assert_eq!(case["target"], "python");
        assert_eq!(case["family"], "rule");
        assert_eq!(case["outcome"], "diverged");
        assert_eq!(case["visible"], true);
    }
    assert!(seen["filterCount"].as_str().unwrap().starts_with("3 of "));
    assert_eq!(seen["visibleTargetSections"], serde_json::json!(["python"]));
    assert_eq!(
        seen["searchedCases"],
        serde_json::json!(["rule/numbers/c01"])
    );

    // Implementations and provenance.
    let implementations = seen["implementations"].as_array().unwrap();
    assert!(
        implementations.iter().any(|r| r
            .as_str()
            .unwrap()
            .contains("convert-python-sdk 2.1.0 python CPython 3.11.7")),
        "{implementations:?}"
    );
    let provenance = seen["provenance"].as_str().unwrap();
    for needle in [
        "v1",
        &"3f1a".repeat(16),
        &"9c0d".repeat(16),
        "bucketing_vectors.json",
        "asserts variation_key",
        "peer/python/bucketing/7",
    ] {
        assert!(
            provenance.contains(needle),
            "provenance lacks {needle}: {provenance}"
        );
    }
    let problems = seen["problems"].as_str().unwrap();
    assert!(problems.contains("stale divergence entry"), "{problems}");

    for shot in ["report.png", "report-case.png", "report-filtered.png"] {
        let png = std::fs::read(out.join(shot)).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{shot} is not a PNG");
    }
    eprintln!("screenshots: {}", out.display());
}
