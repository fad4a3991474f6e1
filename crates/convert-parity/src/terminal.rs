//! The terminal rendering of a [`Report`]: failure details with diffs, the
//! target × family summary table, the implementations, run-level notes and
//! problems, and the one-line totals.
//!
//! The text carries ANSI styles; print it through [`anstream`], which
//! removes them when the stream is not a terminal, when `NO_COLOR` is set
//! or `CLICOLOR=0` (and keeps them with `CLICOLOR_FORCE`). The plain
//! renderings in [`crate::report`] are these with the styles stripped.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde_json::Value;

use crate::outcome::OutcomeKind;
use crate::report::{CaseReport, Counts, Report};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default().bold();
const MAGENTA: Style = AnsiColor::Magenta.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const CYAN: Style = AnsiColor::Cyan.on_default();

/// The table's column headers.
pub const SUMMARY_HEADERS: [&str; 9] = [
    "target", "family", "pass", "fail", "diverged", "skipped", "errored", "timeout", "crashed",
];

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// The style of a non-zero count of `kind`.
fn count_style(kind: OutcomeKind) -> Style {
    match kind {
        OutcomeKind::Pass => GREEN,
        OutcomeKind::Fail | OutcomeKind::Errored | OutcomeKind::Timeout | OutcomeKind::Crashed => {
            RED
        }
        OutcomeKind::Diverged => MAGENTA,
        OutcomeKind::Skipped => YELLOW,
    }
}

/// The summary: a target × family table (with each target's total), the
/// implementations, findings against peer files, files not imported, and
/// every run-level problem.
pub fn summary(report: &Report) -> String {
    enum Row {
        Counts {
            target: String,
            family: String,
            counts: Counts,
            total: bool,
        },
        NotRun {
            target: String,
            error: String,
        },
    }
    let mut rows = Vec::new();
    for target in &report.targets {
        if let Some(error) = &target.error {
            rows.push(Row::NotRun {
                target: target.name.clone(),
                error: first_line(error).to_owned(),
            });
            continue;
        }
        for (family, counts) in &target.families {
            rows.push(Row::Counts {
                target: target.name.clone(),
                family: family.clone(),
                counts: *counts,
                total: false,
            });
        }
        rows.push(Row::Counts {
            target: target.name.clone(),
            family: "(all)".into(),
            counts: target.summary,
            total: true,
        });
    }
    let cells = |row: &Row| -> Option<Vec<String>> {
        match row {
            Row::Counts {
                target,
                family,
                counts,
                ..
            } => {
                let mut cells = vec![target.clone(), family.clone()];
                cells.extend(OutcomeKind::ALL.iter().map(|k| counts.get(*k).to_string()));
                Some(cells)
            }
            Row::NotRun { .. } => None,
        }
    };
    let widths: Vec<usize> = (0..SUMMARY_HEADERS.len())
        .map(|i| {
            rows.iter()
                .filter_map(cells)
                .map(|c| c[i].chars().count())
                .chain([SUMMARY_HEADERS[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let pad = |i: usize, text: &str| -> String {
        if i < 2 {
            format!("{text:<w$}", w = widths[i])
        } else {
            format!("{text:>w$}", w = widths[i])
        }
    };
    let mut out = String::new();
    let header: Vec<String> = SUMMARY_HEADERS
        .iter()
        .enumerate()
        .map(|(i, h)| paint(BOLD, &pad(i, h)))
        .collect();
    let _ = writeln!(out, "{}", header.join("  "));
    for row in &rows {
        match row {
            Row::NotRun { target, error } => {
                let _ = writeln!(
                    out,
                    "{}  {}",
                    pad(0, target),
                    paint(RED, &format!("NOT RUN: {error}"))
                );
            }
            Row::Counts {
                target,
                family,
                counts,
                total,
            } => {
                let name_style = if *total { BOLD } else { Style::new() };
                let mut line = vec![paint(name_style, &pad(0, target)), {
                    paint(name_style, &pad(1, family))
                }];
                for (i, kind) in OutcomeKind::ALL.iter().enumerate() {
                    let n = counts.get(*kind);
                    let style = if n == 0 { DIM } else { count_style(*kind) };
                    line.push(paint(style, &pad(i + 2, &n.to_string())));
                }
                let _ = writeln!(out, "{}", line.join("  "));
            }
        }
    }
    for target in &report.targets {
        if let Some(implementation) = &target.implementation {
            let _ = writeln!(
                out,
                "{} {implementation}",
                paint(DIM, &format!("{}:", target.name))
            );
        }
    }
    for finding in &report.findings {
        let label = paint(YELLOW, "finding");
        match finding.js_result.get("js_error").and_then(Value::as_str) {
            Some(error) => {
                let _ = writeln!(
                    out,
                    "{label} against {}: `{}` expects {}, but the JS SDK throws on this input ({error}); skipped on every target",
                    finding.source, finding.case, finding.peer_expected
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "{label} against {}: `{}` expects {}, the JS SDK answers {} (the JS answer is used)",
                    finding.source, finding.case, finding.peer_expected, finding.js_result
                );
            }
        }
    }
    for import in &report.imports {
        if let Some(reason) = &import.not_imported {
            let _ = writeln!(
                out,
                "{}: {} ({}): {reason}",
                paint(YELLOW, "not imported"),
                import.source,
                import.kind
            );
        }
    }
    for problem in &report.problems {
        let who = problem
            .target
            .as_deref()
            .map(|t| format!("[{t}] "))
            .unwrap_or_default();
        let _ = writeln!(out, "{} {who}{}", paint(RED, "problem:"), problem.message);
    }
    out
}

/// Details of every case that did not pass, skip or diverge: id, input,
/// expected, actual and a unified diff. At most `limit` per target.
pub fn failures(report: &Report, limit: usize) -> String {
    let mut out = String::new();
    for target in &report.targets {
        let bad: Vec<&CaseReport> = target
            .cases
            .iter()
            .filter(|c| {
                !matches!(
                    c.outcome,
                    OutcomeKind::Pass | OutcomeKind::Skipped | OutcomeKind::Diverged
                )
            })
            .collect();
        for case in bad.iter().take(limit) {
            let _ = writeln!(
                out,
                "{} {}",
                paint(
                    RED,
                    &format!("--- [{}] {} ({})", target.name, case.id, case.outcome)
                ),
                paint(DIM, &format!("in {}", case.source))
            );
            if let Some(message) = &case.message {
                let _ = writeln!(out, "{message}");
            }
            if let Some(reproducer) = &case.reproducer {
                let _ = writeln!(out, "replay:   {}", reproducer.command);
            }
            if let Some(input) = &case.input {
                let _ = writeln!(out, "input:    {}", clip(&input.to_string(), 2_000));
            }
            if let (Some(expected), Some(actual)) = (&case.expected, &case.actual) {
                let e = pretty(expected);
                let a = pretty(actual);
                let diff = similar::TextDiff::from_lines(&e, &a);
                let text = diff
                    .unified_diff()
                    .context_radius(3)
                    .header("expected", "actual")
                    .to_string();
                for line in text.lines() {
                    let style = if line.starts_with("@@") {
                        CYAN
                    } else if line.starts_with('-') {
                        AnsiColor::Red.on_default()
                    } else if line.starts_with('+') {
                        GREEN
                    } else {
                        Style::new()
                    };
                    let _ = writeln!(out, "{}", paint(style, line));
                }
            } else if let Some(expected) = &case.expected {
                let _ = writeln!(out, "expected: {expected}");
            }
            out.push('\n');
        }
        if bad.len() > limit {
            let _ = writeln!(
                out,
                "--- [{}] … and {} more not shown (see the JSON or HTML report)\n",
                target.name,
                bad.len() - limit
            );
        }
    }
    out
}

/// The one-line totals: `N passed, N failed, …; N problem(s); exit N`.
pub fn totals(report: &Report) -> String {
    let total = report.totals();
    let part = |kind: OutcomeKind, words: &str| {
        let n = total.get(kind);
        let text = format!("{n} {words}");
        if n == 0 {
            text
        } else {
            paint(count_style(kind), &text)
        }
    };
    let exit = format!("exit {}", report.exit_code);
    format!(
        "{}, {}, {}, {}, {}, {}, {}; {} problem(s); {}",
        part(OutcomeKind::Pass, "passed"),
        part(OutcomeKind::Fail, "failed"),
        part(OutcomeKind::Diverged, "diverged (declared)"),
        part(OutcomeKind::Skipped, "skipped"),
        part(OutcomeKind::Errored, "errored"),
        part(OutcomeKind::Timeout, "timed out"),
        part(OutcomeKind::Crashed, "crashed"),
        report.problems.len(),
        if report.exit_code == 0 {
            paint(GREEN.bold(), &exit)
        } else {
            paint(RED, &exit)
        }
    )
}

/// `text` without ANSI styles.
pub fn strip(text: &str) -> String {
    anstream::adapter::strip_str(text).to_string()
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}
