//! The HTML report: one static, self-contained page (no network, no external
//! file; it works from `file://`) rendered from a [`Report`].
//!
//! What the page shows, top to bottom:
//!
//! - the verdict (exit code), the runner, when and how long;
//! - run-level problems (stale divergence entries, vacuous families, …);
//! - the **matrix**: one row per family, one column per target (with its
//!   SDK and version), each cell with its pass / fail / diverged / skipped /
//!   errored / timeout / crashed counts; a count links to those cases below;
//! - the **cases** that did not simply pass: every failing, erroring,
//!   crashed, timed-out and diverged case as a collapsed `<details>` with its
//!   message, input, expected and actual values and a diff; skipped cases
//!   grouped by reason (ids only); passing cases are counted, never listed,
//!   so the page stays small whatever the vector count;
//! - the **implementations**: each target's name, version, language,
//!   runtime, capabilities, faults and restarts;
//! - **provenance**: the vector set version and root, the spec and vector
//!   digests, imported peer files, findings against them;
//! - any report field this module does not know yet, rendered generically
//!   as JSON (so fields added to [`Report`] show up without a change here).
//!
//! Markup is built with [`maud`], which escapes every interpolated value;
//! diffs come from [`similar`]. The inline script only filters and expands;
//! with scripts disabled every case is still there.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, UNIX_EPOCH};

use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Serialize;
use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use crate::outcome::OutcomeKind;
use crate::report::{CaseReport, Counts, Report, Severity, TargetReport};

/// Cases per target rendered with their full details; beyond that a case
/// is listed on one line (id, outcome, message) and its details are left to
/// the JSON report. Keeps a page of a broken adapter (every case crashed)
/// usable.
pub const DETAILED_CASES_PER_TARGET: usize = 500;

/// A JSON value longer than this (pretty-printed, in bytes) is clipped on
/// the page, with a note pointing at the JSON report.
pub const MAX_VALUE_BYTES: usize = 48 * 1024;

/// A case's input is shown open when it pretty-prints to at most this many
/// lines (a whole project config is collapsed until clicked).
const OPEN_INPUT_LINES: usize = 24;

/// The outcomes listed with details, in the order they are listed.
const LISTED: [OutcomeKind; 5] = [
    OutcomeKind::Fail,
    OutcomeKind::Errored,
    OutcomeKind::Crashed,
    OutcomeKind::Timeout,
    OutcomeKind::Diverged,
];

/// Report fields rendered by their own section (anything else goes to
/// "More fields").
const KNOWN_REPORT_FIELDS: [&str; 10] = [
    "report_version",
    "runner",
    "vectors",
    "started_unix",
    "duration_ms",
    "imports",
    "findings",
    "targets",
    "problems",
    "exit_code",
];

const KNOWN_TARGET_FIELDS: [&str; 10] = [
    "name",
    "kind",
    "implementation",
    "capabilities",
    "error",
    "faults",
    "restarts",
    "summary",
    "families",
    "cases",
];

const KNOWN_CASE_FIELDS: [&str; 10] = [
    "id",
    "family",
    "source",
    "spec_refs",
    "outcome",
    "message",
    "input",
    "expected",
    "actual",
    "differences",
];

const KNOWN_VECTORS_FIELDS: [&str; 7] = [
    "set_version",
    "root",
    "files",
    "cases",
    "spec_digest",
    "vectors_digest",
    "families",
];

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// Renders the whole page.
pub fn render(report: &Report) -> String {
    let verdict = Verdict::of(report.exit_code);
    let families = families_of(report);
    let paths = Paths::of(report);
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content={ (report.runner.name) " " (report.runner.version) };
                title { "convert-parity: " (verdict.title) " (exit " (report.exit_code) ")" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header #top {
                    h1 { "convert-parity report" }
                    p.verdict.(verdict.class) #verdict data-exit-code=(report.exit_code) {
                        strong { (verdict.title) }
                        " · exit " (report.exit_code) " · " (verdict.meaning)
                    }
                    p.totals #totals { (crate::report::render_totals(report)) }
                    p.meta {
                        (report.runner.name) " " (report.runner.version)
                        " · protocol v" (report.runner.protocol)
                        " · vector set v" (report.vectors.set_version)
                        " · started " (started(report.started_unix))
                        " · took " (duration(report.duration_ms))
                        " · report format v" (report.report_version)
                    }
                    nav {
                        a href="#matrix" { "Matrix" }
                        a href="#cases" { "Cases" }
                        a href="#implementations" { "Implementations" }
                        a href="#provenance" { "Provenance" }
                        @if !report.problems.is_empty() {
                            a href="#problems" { "Problems (" (report.problems.len()) ")" }
                        }
                    }
                }
                main {
                    (problems_section(report))
                    (matrix_section(report, &families))
                    (cases_section(report, &families, &paths))
                    (implementations_section(report))
                    (provenance_section(report, &paths))
                    (extra_report_fields(report))
                }
                footer {
                    p {
                        "Passing cases are counted, not listed. Every case, with its outcome, is in the JSON report ("
                        code { "--report-json" }
                        ", schema "
                        code { "spec/schemas/report.schema.json" }
                        ")."
                    }
                }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    page.into_string()
}

/// Shows paths relative to the project the vectors came from (the folder
/// above `vectors/v<N>`), so that a report reads the same on every machine.
struct Paths {
    prefix: Option<String>,
}

impl Paths {
    fn of(report: &Report) -> Paths {
        let root = std::path::Path::new(&report.vectors.root);
        let set = root.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let versioned = set
            .strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        let parent = root
            .parent()
            .filter(|p| p.file_name().is_some_and(|n| n == "vectors"));
        let prefix = match (versioned, parent.and_then(|p| p.parent())) {
            (true, Some(project)) if !project.as_os_str().is_empty() => {
                Some(format!("{}/", project.display()))
            }
            _ => None,
        };
        Paths { prefix }
    }

    fn show<'a>(&self, path: &'a str) -> &'a str {
        match &self.prefix {
            Some(prefix) => path.strip_prefix(prefix.as_str()).unwrap_or(path),
            None => path,
        }
    }
}

struct Verdict {
    title: &'static str,
    meaning: &'static str,
    class: &'static str,
}

impl Verdict {
    fn of(exit_code: i32) -> Verdict {
        match exit_code {
            0 => Verdict {
                title: "PASS",
                meaning: "every case passed, was skipped, or is a declared divergence",
                class: "ok",
            },
            1 => Verdict {
                title: "FAIL",
                meaning: "a conformance failure",
                class: "bad",
            },
            _ => Verdict {
                title: "ERROR",
                meaning: "an infrastructure or protocol error kept the gate from running",
                class: "broken",
            },
        }
    }
}

fn started(unix: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(unix)).to_string()
}

fn duration(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else {
        #[allow(clippy::cast_precision_loss)]
        let seconds = ms as f64 / 1_000.0;
        format!("{seconds:.1} s")
    }
}

/// Every family that appears in any target, sorted.
fn families_of(report: &Report) -> Vec<String> {
    let set: BTreeSet<&String> = report
        .targets
        .iter()
        .flat_map(|t| t.families.keys())
        .collect();
    set.into_iter().cloned().collect()
}

fn problems_section(report: &Report) -> Markup {
    if report.problems.is_empty() {
        return html! {};
    }
    html! {
        section #problems {
            h2 { "Problems" }
            ul.problems {
                @for problem in &report.problems {
                    li.(severity_class(problem.severity)) {
                        span.badge.(severity_class(problem.severity)) { (severity_name(problem.severity)) }
                        " "
                        @if let Some(target) = &problem.target {
                            strong { (target) } ": "
                        }
                        (problem.message)
                    }
                }
            }
        }
    }
}

fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Failure => "fail",
        Severity::Infrastructure => "crashed",
    }
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Failure => "failure",
        Severity::Infrastructure => "infrastructure",
    }
}

fn matrix_section(report: &Report, families: &[String]) -> Markup {
    html! {
        section #matrix {
            h2 { "Matrix" }
            p.legend {
                @for kind in OutcomeKind::ALL {
                    span.badge.(kind.as_str()) { (kind.as_str()) }
                    " "
                }
                " — a row per family, a column per target; click a count to list those cases."
            }
            div.scroll {
                table.matrix {
                    thead {
                        tr {
                            th { "family" }
                            @for target in &report.targets {
                                th scope="col" data-target=(target.name) {
                                    (target.name)
                                    @if let Some(implementation) = &target.implementation {
                                        br;
                                        small { (implementation.name) " " (implementation.version) }
                                    } @else if target.error.is_some() {
                                        br;
                                        small.not-run { "not run" }
                                    }
                                }
                            }
                        }
                    }
                    tbody {
                        @for family in families {
                            tr data-family=(family) {
                                th scope="row" { (family) }
                                @for target in &report.targets {
                                    @if target.error.is_some() {
                                        td.cell.not-run data-target=(target.name) data-family=(family) { "not run" }
                                    } @else {
                                        (matrix_cell(&target.name, family, target.families.get(family)))
                                    }
                                }
                            }
                        }
                        tr.total data-family="all" {
                            th scope="row" { "all" }
                            @for target in &report.targets {
                                @if let Some(error) = &target.error {
                                    td.cell.not-run data-target=(target.name) data-family="all" {
                                        strong { "not run: " } (clip_chars(first_line(error), 160))
                                    }
                                } @else {
                                    (matrix_cell(&target.name, "", Some(&target.summary)))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One cell; `family` is empty for the target's total.
fn matrix_cell(target: &str, family: &str, counts: Option<&Counts>) -> Markup {
    let label = if family.is_empty() { "all" } else { family };
    let Some(counts) = counts.filter(|c| c.total() > 0) else {
        return html! { td.cell.empty data-target=(target) data-family=(label) { "—" } };
    };
    let worst = OutcomeKind::ALL
        .iter()
        .copied()
        .filter(|k| counts.get(*k) > 0)
        .max_by_key(|k| severity_rank(*k))
        .unwrap_or(OutcomeKind::Pass);
    html! {
        td.cell.(worst.as_str()) data-target=(target) data-family=(label) {
            div.bar title={ (counts.total()) " cases" } {
                @for kind in OutcomeKind::ALL {
                    @let n = counts.get(kind);
                    @if n > 0 {
                        span.(kind.as_str()) style={ "flex-grow:" (n) } {}
                    }
                }
            }
            ul.counts {
                @for kind in OutcomeKind::ALL {
                    @let n = counts.get(kind);
                    @if n > 0 || kind == OutcomeKind::Pass || kind == OutcomeKind::Fail {
                        li.(kind.as_str()) data-outcome=(kind.as_str()) data-count=(n) {
                            @if n > 0 && kind == OutcomeKind::Skipped {
                                a href={ "#" (skipped_anchor(target)) } {
                                    span.n { (n) } " " (kind.as_str())
                                }
                            } @else if n > 0 && kind != OutcomeKind::Pass {
                                a.filter href="#cases" data-target=(target) data-family=(family) data-outcome=(kind.as_str()) {
                                    span.n { (n) } " " (kind.as_str())
                                }
                            } @else {
                                span.n { (n) } " " (kind.as_str())
                            }
                        }
                    }
                }
            }
        }
    }
}

/// How bad an outcome is, for colouring a cell by its worst case.
fn severity_rank(kind: OutcomeKind) -> u8 {
    match kind {
        OutcomeKind::Pass => 0,
        OutcomeKind::Skipped => 1,
        OutcomeKind::Diverged => 2,
        OutcomeKind::Fail => 4,
        OutcomeKind::Errored => 5,
        OutcomeKind::Timeout => 6,
        OutcomeKind::Crashed => 7,
    }
}

fn cases_section(report: &Report, families: &[String], paths: &Paths) -> Markup {
    let listed: usize = report
        .targets
        .iter()
        .map(|t| LISTED.iter().map(|k| t.summary.get(*k)).sum::<usize>())
        .sum();
    html! {
        section #cases {
            h2 { "Cases" }
            p {
                (listed) " case(s) did not simply pass; passing cases are counted in the matrix, not listed."
            }
            form.filters #filters onsubmit="return false" {
                label { "Search "
                    input #filter-text type="search" placeholder="case id or message" autocomplete="off";
                }
                label { "Target "
                    select #filter-target {
                        option value="" { "all" }
                        @for target in &report.targets {
                            option value=(target.name) { (target.name) }
                        }
                    }
                }
                label { "Family "
                    select #filter-family {
                        option value="" { "all" }
                        @for family in families {
                            option value=(family) { (family) }
                        }
                    }
                }
                fieldset {
                    legend { "Outcome" }
                    @for kind in LISTED {
                        label.(kind.as_str()) {
                            input.filter-outcome type="checkbox" value=(kind.as_str()) checked;
                            " " (kind.as_str())
                        }
                    }
                }
                button #expand-all type="button" { "Expand shown" }
                button #collapse-all type="button" { "Collapse all" }
                output #filter-count {}
            }
            @for target in &report.targets {
                (target_cases(target, paths))
            }
        }
    }
}

fn target_cases(target: &TargetReport, paths: &Paths) -> Markup {
    let mut listed: Vec<&CaseReport> = target
        .cases
        .iter()
        .filter(|c| LISTED.contains(&c.outcome))
        .collect();
    listed.sort_by(|a, b| {
        let rank = |c: &CaseReport| LISTED.iter().position(|k| *k == c.outcome);
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a.family.cmp(&b.family))
            .then_with(|| a.id.cmp(&b.id))
    });
    let skipped: Vec<&CaseReport> = target
        .cases
        .iter()
        .filter(|c| c.outcome == OutcomeKind::Skipped)
        .collect();
    html! {
        section.target-cases data-target=(target.name) {
            h3 {
                (target.name)
                " "
                small {
                    (listed.len()) " listed · "
                    (target.summary.pass) " passed · "
                    (skipped.len()) " skipped"
                }
            }
            @if let Some(error) = &target.error {
                div.case-error {
                    strong { "The target could not run: " }
                    pre { (error) }
                }
            }
            @if listed.is_empty() && target.error.is_none() {
                p.none { "Nothing failed, errored or diverged." }
            }
            div.case-list {
                @for (index, case) in listed.iter().enumerate() {
                    @if index < DETAILED_CASES_PER_TARGET {
                        (case_details(&target.name, case, paths))
                    } @else {
                        (case_line(&target.name, case))
                    }
                }
            }
            @if listed.len() > DETAILED_CASES_PER_TARGET {
                p.note {
                    "The first " (DETAILED_CASES_PER_TARGET) " cases have details; the other "
                    (listed.len() - DETAILED_CASES_PER_TARGET)
                    " are listed on one line each: their input, expected and actual values are in the JSON report."
                }
            }
            @if !skipped.is_empty() {
                (skipped_groups(&target.name, &skipped))
            }
        }
    }
}

fn case_anchor(target: &str, id: &str) -> String {
    let mut anchor = format!("case-{target}-{id}");
    anchor.retain(|c| !c.is_whitespace());
    anchor
}

fn skipped_anchor(target: &str) -> String {
    let mut anchor = format!("skipped-{target}");
    anchor.retain(|c| !c.is_whitespace());
    anchor
}

fn search_text(case: &CaseReport) -> String {
    let mut text = case.id.to_lowercase();
    if let Some(message) = &case.message {
        text.push(' ');
        text.push_str(&first_line(message).to_lowercase());
    }
    text
}

fn case_summary(case: &CaseReport) -> Markup {
    html! {
        span.badge.(case.outcome.as_str()) { (case.outcome.as_str()) }
        " "
        code.id { (case.id) }
        " "
        span.family { (case.family) }
        @if let Some(message) = &case.message {
            " "
            span.message { (clip_chars(first_line(message), 240)) }
        }
    }
}

fn case_line(target: &str, case: &CaseReport) -> Markup {
    html! {
        div.case.line id=(case_anchor(target, &case.id)) data-target=(target) data-family=(case.family)
            data-outcome=(case.outcome.as_str()) data-search=(search_text(case)) {
            (case_summary(case))
        }
    }
}

fn case_details(target: &str, case: &CaseReport, paths: &Paths) -> Markup {
    let extras = extra_fields(case, &KNOWN_CASE_FIELDS);
    html! {
        details.case id=(case_anchor(target, &case.id)) data-target=(target) data-family=(case.family)
            data-outcome=(case.outcome.as_str()) data-search=(search_text(case)) {
            summary { (case_summary(case)) }
            div.case-body {
                dl.facts {
                    dt { "target" } dd { (target) }
                    dt { "vector file" } dd { code title=(case.source) { (paths.show(&case.source)) } }
                    @if !case.spec_refs.is_empty() {
                        dt { "spec clauses" }
                        dd { @for (i, r) in case.spec_refs.iter().enumerate() {
                            @if i > 0 { ", " } code { (r) }
                        } }
                    }
                }
                @if let Some(message) = &case.message {
                    h4 { @if case.outcome == OutcomeKind::Diverged { "Declared divergence" } @else { "Message" } }
                    pre.message { (message) }
                }
                @if !case.differences.is_empty() {
                    h4 { "Differences" }
                    table.differences {
                        thead { tr { th { "field" } th { "expected" } th { "actual" } } }
                        tbody {
                            @for d in &case.differences {
                                tr {
                                    td { code { @if d.pointer.is_empty() { "/" } @else { (d.pointer) } } }
                                    td { code { (optional_json(d.expected.as_ref())) } }
                                    td { code { (optional_json(d.actual.as_ref())) } }
                                }
                            }
                        }
                    }
                }
                @if let (Some(expected), Some(actual)) = (&case.expected, &case.actual) {
                    h4 { "Diff (expected → actual)" }
                    (diff(expected, actual))
                }
                @if let Some(input) = &case.input {
                    (json_block("Input", input, pretty(input).lines().count() <= OPEN_INPUT_LINES))
                }
                @if let Some(expected) = &case.expected {
                    (json_block("Expected", expected, case.actual.is_none()))
                }
                @if let Some(actual) = &case.actual {
                    (json_block("Actual", actual, case.expected.is_none()))
                } @else if !matches!(case.outcome, OutcomeKind::Pass | OutcomeKind::Skipped) {
                    h4 { "Actual" }
                    p.none { "No result: the target answered " (case.outcome.as_str()) "." }
                }
                @for (key, value) in &extras {
                    (json_block(key, value, true))
                }
            }
        }
    }
}

fn optional_json(value: Option<&Value>) -> String {
    value.map_or_else(
        || "(absent)".to_owned(),
        |v| clip_chars(&v.to_string(), 400),
    )
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// A collapsible pretty-printed JSON value.
fn json_block(title: &str, value: &Value, open: bool) -> Markup {
    let text = pretty(value);
    let (shown, clipped) = clip_bytes(&text, MAX_VALUE_BYTES);
    html! {
        details.json open[open] {
            summary { (title) }
            pre { (shown) }
            @if clipped {
                p.note { "Clipped at " (MAX_VALUE_BYTES / 1024) " KiB of " (text.len() / 1024) " KiB; the JSON report has all of it." }
            }
        }
    }
}

/// A unified diff of the pretty-printed values, with changed words marked.
fn diff(expected: &Value, actual: &Value) -> Markup {
    let old = pretty(expected);
    let new = pretty(actual);
    let (old, old_clipped) = clip_bytes(&old, MAX_VALUE_BYTES);
    let (new, new_clipped) = clip_bytes(&new, MAX_VALUE_BYTES);
    let diff = TextDiff::from_lines(old, new);
    let groups = diff.grouped_ops(3);
    html! {
        pre.diff {
            @if groups.is_empty() {
                span.same { "(the values print the same; see the differences above)\n" }
            }
            @for group in &groups {
                @if let (Some(first), Some(last)) = (group.first(), group.last()) {
                    span.hunk {
                        "@@ -" (first.old_range().start + 1) "," (last.old_range().end - first.old_range().start)
                        " +" (first.new_range().start + 1) "," (last.new_range().end - first.new_range().start)
                        " @@\n"
                    }
                }
                @for op in group {
                    @for change in diff.iter_inline_changes(op) {
                        @let (class, sign) = match change.tag() {
                            ChangeTag::Delete => ("del", "-"),
                            ChangeTag::Insert => ("ins", "+"),
                            ChangeTag::Equal => ("same", " "),
                        };
                        span.(class) {
                            (sign)
                            @for (emphasized, text) in change.iter_strings_lossy() {
                                @if emphasized { mark { (text) } } @else { (text) }
                            }
                            @if change.missing_newline() { "\n" }
                        }
                    }
                }
            }
            @if old_clipped || new_clipped {
                span.note { "(values clipped before diffing; the JSON report has all of them)\n" }
            }
        }
    }
}

fn skipped_groups(target: &str, skipped: &[&CaseReport]) -> Markup {
    let mut by_reason: BTreeMap<&str, Vec<&CaseReport>> = BTreeMap::new();
    for case in skipped {
        by_reason
            .entry(case.message.as_deref().unwrap_or("(no reason given)"))
            .or_default()
            .push(case);
    }
    let mut groups: Vec<(&str, Vec<&CaseReport>)> = by_reason.into_iter().collect();
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(b.0)));
    html! {
        details.skipped id=(skipped_anchor(target)) data-target=(target) {
            summary {
                span.badge.skipped { "skipped" } " "
                (skipped.len()) " case(s) skipped, " (groups.len()) " reason(s)"
            }
            ul.reasons {
                @for (reason, cases) in &groups {
                    li {
                        details {
                            summary { strong { (cases.len()) } " — " (clip_chars(first_line(reason), 300)) }
                            p.ids {
                                @for (i, case) in cases.iter().enumerate() {
                                    @if i > 0 { " " }
                                    code { (case.id) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn implementations_section(report: &Report) -> Markup {
    html! {
        section #implementations {
            h2 { "Implementations" }
            div.scroll {
                table.implementations {
                    thead {
                        tr {
                            th { "target" } th { "kind" } th { "implementation" } th { "version" }
                            th { "language" } th { "runtime" } th { "families" } th { "contracts" }
                            th { "features" } th { "restarts" }
                        }
                    }
                    tbody {
                        @for target in &report.targets {
                            tr data-target=(target.name) {
                                th scope="row" { (target.name) }
                                td { (target.kind) }
                                @if let Some(implementation) = &target.implementation {
                                    td.impl-name { (implementation.name) }
                                    td.impl-version { (implementation.version) }
                                    td { (implementation.language) }
                                    td { (implementation.runtime.as_deref().unwrap_or("—")) }
                                } @else {
                                    td colspan="4" { "unknown (the target did not start)" }
                                }
                                @if let Some(capabilities) = &target.capabilities {
                                    td { (capabilities.families.join(", ")) }
                                    td { (capabilities.contract_versions.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) }
                                    td { @if capabilities.features.is_empty() { "—" } @else { (capabilities.features.join(", ")) } }
                                } @else {
                                    td colspan="3" { "—" }
                                }
                                td { (target.restarts) }
                            }
                        }
                    }
                }
            }
            @for target in &report.targets {
                @let extras = extra_fields(target, &KNOWN_TARGET_FIELDS);
                @if target.error.is_some() || !target.faults.is_empty() || !extras.is_empty() {
                    details.target-more data-target=(target.name) open[target.error.is_some()] {
                        summary {
                            strong { (target.name) } ": "
                            @if target.error.is_some() { "could not run · " }
                            (target.faults.len()) " adapter fault(s)"
                            @if !extras.is_empty() { " · " (extras.len()) " more field(s)" }
                        }
                        @if let Some(error) = &target.error {
                            h4 { "Why it could not run" }
                            pre { (error) }
                        }
                        @if !target.faults.is_empty() {
                            h4 { "Adapter faults (with stderr tails)" }
                            ol.faults { @for fault in &target.faults { li { pre { (fault) } } } }
                        }
                        @for (key, value) in &extras {
                            (json_block(key, value, false))
                        }
                    }
                }
            }
        }
    }
}

fn provenance_section(report: &Report, paths: &Paths) -> Markup {
    let vectors = &report.vectors;
    let vector_extras = extra_fields(vectors, &KNOWN_VECTORS_FIELDS);
    html! {
        section #provenance {
            h2 { "Provenance" }
            dl.facts {
                dt { "vector set" } dd { "v" (vectors.set_version) }
                dt { "vector root" } dd { code { (vectors.root) } }
                dt { "vector files" } dd { (vectors.files) " (imports not counted)" }
                dt { "cases selected" } dd { (vectors.cases) " (with imports)" }
                dt { "families selected" } dd {
                    @if vectors.families.is_empty() { "all" } @else { (vectors.families.join(", ")) }
                }
                dt { "spec digest" } dd { code.digest { (vectors.spec_digest.as_deref().unwrap_or("—")) } }
                dt { "vectors digest" } dd { code.digest { (vectors.vectors_digest.as_deref().unwrap_or("—")) } }
                dt { "runner" } dd { (report.runner.name) " " (report.runner.version) ", protocol v" (report.runner.protocol) }
                @for (key, value) in &vector_extras {
                    dt { (key) } dd { code { (clip_chars(&value.to_string(), 2_000)) } }
                }
            }
            h3 { "Imported peer vector files (" (report.imports.len()) ")" }
            @if report.imports.is_empty() {
                p.none { "None." }
            } @else {
                div.scroll {
                    table.imports {
                        thead { tr { th { "kind" } th { "file" } th { "cases" } th { "not imported because" } } }
                        tbody {
                            @for import in &report.imports {
                                tr.not-imported[import.not_imported.is_some()] {
                                    td { (import.kind) }
                                    td { code title=(import.source) { (paths.show(&import.source)) } }
                                    td { (import.cases) }
                                    td { (import.not_imported.as_deref().unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Findings against peer files (" (report.findings.len()) ")" }
            p {
                "Imported cases whose expected value the published JavaScript SDK contradicts; the JavaScript answer is used."
            }
            @if report.findings.is_empty() {
                p.none { "None." }
            } @else {
                div.scroll {
                    table.findings {
                        thead { tr { th { "case" } th { "peer file" } th { "peer expects" } th { "JavaScript SDK answers" } } }
                        tbody {
                            @for finding in &report.findings {
                                tr {
                                    td { code { (finding.case) } }
                                    td { code title=(finding.source) { (paths.show(&finding.source)) } }
                                    td { code { (clip_chars(&finding.peer_expected.to_string(), 400)) } }
                                    td { code { (clip_chars(&finding.js_result.to_string(), 400)) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn extra_report_fields(report: &Report) -> Markup {
    let extras = extra_fields(report, &KNOWN_REPORT_FIELDS);
    if extras.is_empty() {
        return html! {};
    }
    html! {
        section #more {
            h2 { "More fields" }
            p { "Report fields this page has no dedicated section for yet, as recorded." }
            @for (key, value) in &extras {
                (json_block(key, value, false))
            }
        }
    }
}

/// The fields of `value`'s JSON object that are not in `known` and not
/// empty, in their serialised order.
fn extra_fields(value: &impl Serialize, known: &[&str]) -> Vec<(String, Value)> {
    let Ok(Value::Object(map)) = serde_json::to_value(value) else {
        return Vec::new();
    };
    map.into_iter()
        .filter(|(key, v)| !known.contains(&key.as_str()) && !is_empty(v))
        .collect()
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

fn clip_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut clipped: String = text.chars().take(max).collect();
    clipped.push('…');
    clipped
}

/// `text` cut at `max` bytes (on a line boundary when there is one), and
/// whether it was cut.
fn clip_bytes(text: &str, max: usize) -> (&str, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let end = text[..end].rfind('\n').map_or(end, |i| i + 1);
    (&text[..end], true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_char_and_line_boundaries() {
        let text = "ab\ncdé\nfg\n";
        assert_eq!(clip_bytes(text, 100), (text, false));
        assert_eq!(clip_bytes(text, 7), ("ab\n", true));
        assert_eq!(clip_chars("héllo", 2), "hé…");
        assert_eq!(clip_chars("héllo", 5), "héllo");
    }

    #[test]
    fn unknown_fields_are_found_generically() {
        let value =
            serde_json::json!({"id": "x", "reproducer": "target/repro/x.json", "empty": []});
        let extras = extra_fields(&value, &["id"]);
        assert_eq!(
            extras,
            vec![(
                "reproducer".to_owned(),
                Value::String("target/repro/x.json".into())
            )]
        );
    }

    #[test]
    fn paths_are_shown_relative_to_the_project() {
        let mut report: Report = serde_json::from_value(serde_json::json!({
            "report_version": 1,
            "runner": {"name": "convert-parity", "version": "0", "protocol": 1},
            "vectors": {"set_version": 1, "root": "/work/p/vectors/v1", "files": 0, "cases": 0,
                        "spec_digest": null, "vectors_digest": null, "families": []},
            "started_unix": 0, "duration_ms": 0, "targets": [], "problems": [], "exit_code": 0
        }))
        .unwrap();
        let paths = Paths::of(&report);
        assert_eq!(
            paths.show("/work/p/vectors/v1/hash/a.json"),
            "vectors/v1/hash/a.json"
        );
        assert_eq!(paths.show("/work/p/../shared/x.json"), "../shared/x.json");
        assert_eq!(paths.show("/elsewhere/x.json"), "/elsewhere/x.json");
        report.vectors.root = "/tmp/my-vectors".into();
        assert_eq!(
            Paths::of(&report).show("/tmp/my-vectors/a.json"),
            "/tmp/my-vectors/a.json"
        );
        report.vectors.root = "vectors/v1".into();
        assert_eq!(
            Paths::of(&report).show("vectors/v1/a.json"),
            "vectors/v1/a.json"
        );
    }

    #[test]
    fn anchors_have_no_whitespace() {
        assert_eq!(case_anchor("js", "rule/a b"), "case-js-rule/ab");
    }
}
