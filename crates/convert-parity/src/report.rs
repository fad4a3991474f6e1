//! The run report: a versioned JSON document (schema:
//! `spec/schemas/report.schema.json`), its terminal rendering, and JUnit XML.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use convert_spec::Capabilities;
use convert_spec::compare::Difference;
use convert_spec::protocol::Implementation;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::outcome::OutcomeKind;

/// The report format version.
pub const REPORT_VERSION: u32 = 1;

/// A whole run.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// The report format version ([`REPORT_VERSION`]).
    pub report_version: u32,
    /// The runner that produced it.
    pub runner: RunnerInfo,
    /// The vectors that were run.
    pub vectors: VectorsInfo,
    /// When the run started (seconds since the Unix epoch).
    pub started_unix: u64,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// Imported peer vector files.
    #[serde(default)]
    pub imports: Vec<ImportInfo>,
    /// Findings against imported peer files: cases whose peer expectation
    /// contradicts the published JS SDK (which wins).
    #[serde(default)]
    pub findings: Vec<FindingInfo>,
    /// One entry per target.
    pub targets: Vec<TargetReport>,
    /// Problems of the run as a whole (vacuous families, stale divergence
    /// entries, unusable divergence files).
    pub problems: Vec<Problem>,
    /// The exit code: 0 all pass, 1 conformance failure, 2 infrastructure or
    /// protocol error.
    pub exit_code: i32,
    /// What the run checked, with what, on what: a reproducible release
    /// artefact's header, with a cache key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<crate::provenance::Provenance>,
    /// Spec clauses × targets, with the clauses no vector covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceability: Option<crate::trace::Traceability>,
    /// The determinism and isolation probe (`run --shuffle`), if it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<crate::probe::ProbeSettings>,
    /// The comparison with a baseline report (`run --baseline`), if asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::diff::BaselineSummary>,
}

impl Report {
    /// The counts over every target.
    pub fn totals(&self) -> Counts {
        let mut total = Counts::default();
        for target in &self.targets {
            for kind in OutcomeKind::ALL {
                *total.slot(kind) += target.summary.get(kind);
            }
        }
        total
    }
}

/// The runner's identity.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct RunnerInfo {
    /// `convert-parity`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The adapter protocol version it speaks.
    pub protocol: u32,
}

/// Which vectors were run.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct VectorsInfo {
    /// The vector set version (`vectors/v1` → 1).
    pub set_version: u32,
    /// The folder they were loaded from.
    pub root: String,
    /// Number of vector files (without imports).
    pub files: usize,
    /// Number of cases selected for the run (with imports).
    pub cases: usize,
    /// SHA-256 over the `spec/` tree (paths and contents), if found.
    pub spec_digest: Option<String>,
    /// SHA-256 over the `vectors/` tree (paths and contents), if found.
    pub vectors_digest: Option<String>,
    /// Families selected (all when empty).
    pub families: Vec<String>,
}

/// One imported peer file.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct ImportInfo {
    /// The importer kind.
    pub kind: String,
    /// The file.
    pub source: String,
    /// Cases imported.
    pub cases: usize,
    /// Why nothing was imported, if so.
    pub not_imported: Option<String>,
}

/// A peer file's expectation that contradicts the published JS SDK.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct FindingInfo {
    /// The imported case.
    pub case: String,
    /// The peer file.
    pub source: String,
    /// What the peer file expects.
    pub peer_expected: Value,
    /// What the JS SDK answers (used as the expected value).
    pub js_result: Value,
}

/// How serious a run-level problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A conformance problem (exit 1).
    Failure,
    /// The gate cannot run as configured (exit 2).
    Infrastructure,
}

/// A run-level problem.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Problem {
    /// The target it concerns, if any.
    pub target: Option<String>,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
}

/// Counts per outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Counts {
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Declared divergences.
    pub diverged: usize,
    /// Skipped.
    pub skipped: usize,
    /// Errored.
    pub errored: usize,
    /// Timed out.
    pub timeout: usize,
    /// Crashed.
    pub crashed: usize,
}

impl Counts {
    /// Adds one outcome.
    pub fn add(&mut self, kind: OutcomeKind) {
        *self.slot(kind) += 1;
    }

    /// The count of one outcome.
    pub fn get(&self, kind: OutcomeKind) -> usize {
        match kind {
            OutcomeKind::Pass => self.pass,
            OutcomeKind::Fail => self.fail,
            OutcomeKind::Diverged => self.diverged,
            OutcomeKind::Skipped => self.skipped,
            OutcomeKind::Errored => self.errored,
            OutcomeKind::Timeout => self.timeout,
            OutcomeKind::Crashed => self.crashed,
        }
    }

    fn slot(&mut self, kind: OutcomeKind) -> &mut usize {
        match kind {
            OutcomeKind::Pass => &mut self.pass,
            OutcomeKind::Fail => &mut self.fail,
            OutcomeKind::Diverged => &mut self.diverged,
            OutcomeKind::Skipped => &mut self.skipped,
            OutcomeKind::Errored => &mut self.errored,
            OutcomeKind::Timeout => &mut self.timeout,
            OutcomeKind::Crashed => &mut self.crashed,
        }
    }

    /// Cases evaluated (all but skipped).
    pub fn executed(&self) -> usize {
        OutcomeKind::ALL
            .iter()
            .filter(|k| k.executed())
            .map(|k| self.get(*k))
            .sum()
    }

    /// All cases.
    pub fn total(&self) -> usize {
        OutcomeKind::ALL.iter().map(|k| self.get(*k)).sum()
    }
}

/// One target's results.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct TargetReport {
    /// The target's name (`reference`, `js`, `python`, `cmd:…`).
    pub name: String,
    /// `reference` or `adapter`.
    pub kind: String,
    /// The implementation, as it described itself.
    pub implementation: Option<Implementation>,
    /// Its declared capabilities.
    pub capabilities: Option<Capabilities>,
    /// Why the target could not run at all, if so.
    pub error: Option<String>,
    /// Adapter faults (crashes, hangs, protocol violations) with stderr tails.
    #[serde(default)]
    pub faults: Vec<String>,
    /// Restarts after faults.
    #[serde(default)]
    pub restarts: u32,
    /// Counts over all cases.
    pub summary: Counts,
    /// Counts per family.
    pub families: BTreeMap<String, Counts>,
    /// Every case, sorted by id.
    pub cases: Vec<CaseReport>,
    /// What the determinism and isolation probe found on this target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<crate::probe::TargetProbe>,
}

/// One case on one target.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct CaseReport {
    /// The case id.
    pub id: String,
    /// Its family.
    pub family: String,
    /// The vector file it comes from.
    pub source: String,
    /// Spec clauses it exercises.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spec_refs: Vec<String>,
    /// The outcome.
    pub outcome: OutcomeKind,
    /// Why (for anything but a pass).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The case input (for anything but a pass or a skip).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Value>,
    /// The expected result (for anything but a pass or a skip).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    /// The actual result, when there was one (for anything but a pass).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<Value>,
    /// Where actual and expected differ.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<Difference>,
    /// The reproducer written for this case (failing cases), with the
    /// command that replays it against this target alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproducer: Option<crate::repro::Reproducer>,
}

/// The JSON Schema of the report (written to `spec/schemas/report.schema.json`
/// by `cargo xtask schemas`).
pub fn schema() -> Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Report>();
    let mut value = schema.to_value();
    if let Value::Object(map) = &mut value {
        let mut ordered = serde_json::Map::new();
        if let Some(s) = map.remove("$schema") {
            ordered.insert("$schema".into(), s);
        }
        ordered.insert(
            "$id".into(),
            Value::String(format!(
                "{}report.schema.json",
                convert_spec::schema::ID_PREFIX
            )),
        );
        ordered.append(map);
        *map = ordered;
    }
    value
}

/// The terminal summary without styles: a target × family table, the
/// implementations, then every note and problem ([`crate::terminal::summary`]).
pub fn render_summary(report: &Report) -> String {
    crate::terminal::strip(&crate::terminal::summary(report))
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// Details of every case that did not pass, skip or diverge, without
/// styles: id, input, expected, actual and a unified diff. At most `limit`
/// per target ([`crate::terminal::failures`]).
pub fn render_failures(report: &Report, limit: usize) -> String {
    crate::terminal::strip(&crate::terminal::failures(report, limit))
}

/// The one-line totals, without styles ([`crate::terminal::totals`]).
pub fn render_totals(report: &Report) -> String {
    crate::terminal::strip(&crate::terminal::totals(report))
}

/// JUnit XML: one test suite per target, one test case per vector case.
/// Declared divergences and skips are `skipped` with the reason; failures are
/// failures; errors, timeouts and crashes are errors.
pub fn junit(report: &Report) -> String {
    use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
    let mut junit = quick_junit::Report::new("convert-parity");
    for target in &report.targets {
        let mut suite = TestSuite::new(target.name.clone());
        if let Some(error) = &target.error {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(first_line(error).to_owned());
            status.set_description(error.clone());
            suite.add_test_case(TestCase::new("target could not run", status));
        }
        for case in &target.cases {
            let message = case.message.clone().unwrap_or_default();
            let status = match case.outcome {
                OutcomeKind::Pass => TestCaseStatus::success(),
                OutcomeKind::Skipped | OutcomeKind::Diverged => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(message);
                    s
                }
                OutcomeKind::Fail => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(first_line(&message).to_owned());
                    s.set_description(case_detail(case));
                    s
                }
                OutcomeKind::Errored | OutcomeKind::Timeout | OutcomeKind::Crashed => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message(format!("{}: {}", case.outcome, first_line(&message)));
                    s.set_description(case_detail(case));
                    s
                }
            };
            let mut test_case = TestCase::new(case.id.clone(), status);
            test_case.set_classname(format!("{}.{}", target.name, case.family));
            suite.add_test_case(test_case);
        }
        junit.add_test_suite(suite);
    }
    let xml = junit.to_string().unwrap_or_default();
    without_testsuites_skipped(&xml).unwrap_or(xml)
}

/// The XML with the `skipped` attribute of the `<testsuites>` root removed:
/// `quick-junit` writes it, but the JUnit schema CI tools validate against
/// (Jenkins' `junit-10.xsd`) allows it on `<testsuite>` only. Each suite
/// keeps its count.
fn without_testsuites_skipped(xml: &str) -> Option<String> {
    use quick_xml::events::{BytesStart, Event};
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut writer = quick_xml::Writer::new(Vec::new());
    loop {
        let event = reader.read_event().ok()?;
        match event {
            Event::Eof => break,
            Event::Start(start) if start.name().as_ref() == b"testsuites" => {
                let mut root = BytesStart::new("testsuites");
                for attribute in start.attributes() {
                    let attribute = attribute.ok()?;
                    if attribute.key.as_ref() != b"skipped" {
                        root.push_attribute(attribute);
                    }
                }
                writer.write_event(Event::Start(root)).ok()?;
            }
            event => writer.write_event(event).ok()?,
        }
    }
    String::from_utf8(writer.into_inner()).ok()
}

fn case_detail(case: &CaseReport) -> String {
    let mut text = case.message.clone().unwrap_or_default();
    if let Some(input) = &case.input {
        let _ = write!(text, "\ninput: {input}");
    }
    if let Some(expected) = &case.expected {
        let _ = write!(text, "\nexpected: {expected}");
    }
    if let Some(actual) = &case.actual {
        let _ = write!(text, "\nactual: {actual}");
    }
    if let Some(reproducer) = &case.reproducer {
        let _ = write!(text, "\nreplay: {}", reproducer.command);
    }
    text
}
