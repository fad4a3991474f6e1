//! Report diff: what changed between two runs, case by case and target by
//! target (`convert-parity diff OLD.json NEW.json`, `run --baseline`).
//!
//! Cases align by id (ids are stable: `vectors/ids.lock`), targets by name.
//! Every case of every target is classified:
//!
//! | change | old → new |
//! |---|---|
//! | newly failing | pass, diverged or skipped → fail, errored, timeout, crashed |
//! | removed | present → absent (the vector, or the whole target, is gone) |
//! | newly skipped | executed → skipped |
//! | newly diverged | pass or skipped → a declared divergence |
//! | newly passing | failing, diverged or skipped → pass |
//! | added | absent → present |
//! | still failing | failing → failing |
//!
//! Newly failing and removed cases are regressions (exit 1); with
//! `--strict`, newly skipped and newly diverged cases are too: coverage
//! lost silently is coverage lost.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::outcome::OutcomeKind;
use crate::report::{CaseReport, Report, TargetReport};

/// How one case changed.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Was not failing, now fails (a regression).
    NewlyFailing,
    /// Was in the old report, is not in the new one (a regression).
    Removed,
    /// Was executed, now skipped.
    NewlySkipped,
    /// Passed or was skipped, now a declared divergence.
    NewlyDiverged,
    /// Failed, diverged or was skipped, now passes.
    NewlyPassing,
    /// Is new in the new report.
    Added,
    /// Failed before and fails now.
    StillFailing,
}

impl Change {
    /// Every change, in report order (regressions first).
    pub const ALL: [Change; 7] = [
        Change::NewlyFailing,
        Change::Removed,
        Change::NewlySkipped,
        Change::NewlyDiverged,
        Change::NewlyPassing,
        Change::Added,
        Change::StillFailing,
    ];

    /// The label shown in tables.
    pub fn label(self) -> &'static str {
        match self {
            Change::NewlyFailing => "newly failing",
            Change::Removed => "removed",
            Change::NewlySkipped => "newly skipped",
            Change::NewlyDiverged => "newly diverged",
            Change::NewlyPassing => "newly passing",
            Change::Added => "added",
            Change::StillFailing => "still failing",
        }
    }

    /// Whether this change fails the gate (`strict`: also lost coverage).
    pub fn is_regression(self, strict: bool) -> bool {
        match self {
            Change::NewlyFailing | Change::Removed => true,
            Change::NewlySkipped | Change::NewlyDiverged => strict,
            Change::NewlyPassing | Change::Added | Change::StillFailing => false,
        }
    }
}

fn failing(kind: OutcomeKind) -> bool {
    kind.is_failure() || kind.is_infrastructure()
}

/// Classifies one case (`None`: absent from that report); `None` when
/// nothing changed.
pub fn classify(old: Option<OutcomeKind>, new: Option<OutcomeKind>) -> Option<Change> {
    use OutcomeKind::{Diverged, Pass, Skipped};
    Some(match (old, new) {
        (None, None) => return None,
        (Some(_), None) => Change::Removed,
        (None, Some(_)) => Change::Added,
        (Some(o), Some(n)) if failing(o) && failing(n) => Change::StillFailing,
        (Some(_), Some(n)) if failing(n) => Change::NewlyFailing,
        (Some(o), Some(n)) if o == n => return None,
        (Some(_), Some(Skipped)) => Change::NewlySkipped,
        (Some(_), Some(Diverged)) => Change::NewlyDiverged,
        (Some(_), Some(Pass)) => Change::NewlyPassing,
        (Some(_), Some(_)) => return None,
    })
}

/// One changed case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CaseChange {
    /// The target.
    pub target: String,
    /// The case id.
    pub case: String,
    /// How it changed.
    pub change: Change,
    /// Its outcome in the old report.
    pub old: Option<OutcomeKind>,
    /// Its outcome in the new report.
    pub new: Option<OutcomeKind>,
    /// The new report's message for it (why it fails, is skipped, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Counts of each change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ChangeCounts {
    /// Newly failing.
    pub newly_failing: usize,
    /// Removed.
    pub removed: usize,
    /// Newly skipped.
    pub newly_skipped: usize,
    /// Newly diverged.
    pub newly_diverged: usize,
    /// Newly passing.
    pub newly_passing: usize,
    /// Added.
    pub added: usize,
    /// Still failing.
    pub still_failing: usize,
}

impl ChangeCounts {
    /// The count of one change.
    pub fn get(&self, change: Change) -> usize {
        match change {
            Change::NewlyFailing => self.newly_failing,
            Change::Removed => self.removed,
            Change::NewlySkipped => self.newly_skipped,
            Change::NewlyDiverged => self.newly_diverged,
            Change::NewlyPassing => self.newly_passing,
            Change::Added => self.added,
            Change::StillFailing => self.still_failing,
        }
    }

    fn add(&mut self, change: Change) {
        *match change {
            Change::NewlyFailing => &mut self.newly_failing,
            Change::Removed => &mut self.removed,
            Change::NewlySkipped => &mut self.newly_skipped,
            Change::NewlyDiverged => &mut self.newly_diverged,
            Change::NewlyPassing => &mut self.newly_passing,
            Change::Added => &mut self.added,
            Change::StillFailing => &mut self.still_failing,
        } += 1;
    }

    /// Regressions among these.
    pub fn regressions(&self, strict: bool) -> usize {
        Change::ALL
            .iter()
            .filter(|c| c.is_regression(strict))
            .map(|c| self.get(*c))
            .sum()
    }
}

/// The diff of two reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReportDiff {
    /// Per target (old and new, by name): the counts of each change.
    pub targets: BTreeMap<String, ChangeCounts>,
    /// Every changed case, by target then change then id.
    pub changes: Vec<CaseChange>,
    /// What else differs between the runs (SDK versions, digests, runner).
    pub context: Vec<String>,
}

impl ReportDiff {
    /// Regressions over every target.
    pub fn regressions(&self, strict: bool) -> usize {
        self.targets.values().map(|c| c.regressions(strict)).sum()
    }
}

fn outcomes(target: Option<&TargetReport>) -> BTreeMap<&str, &CaseReport> {
    target
        .map(|t| t.cases.iter().map(|c| (c.id.as_str(), c)).collect())
        .unwrap_or_default()
}

fn implementation(target: Option<&TargetReport>) -> Option<String> {
    let i = target?.implementation.as_ref()?;
    Some(match &i.runtime {
        Some(runtime) => format!("{} {} ({runtime})", i.name, i.version),
        None => format!("{} {}", i.name, i.version),
    })
}

/// Compares two reports.
pub fn diff(old: &Report, new: &Report) -> ReportDiff {
    let names: BTreeSet<&str> = old
        .targets
        .iter()
        .chain(&new.targets)
        .map(|t| t.name.as_str())
        .collect();
    let mut out = ReportDiff::default();
    for name in names {
        let (o, n) = (
            old.targets.iter().find(|t| t.name == name),
            new.targets.iter().find(|t| t.name == name),
        );
        let counts = out.targets.entry(name.to_owned()).or_default();
        let (old_cases, new_cases) = (outcomes(o), outcomes(n));
        let ids: BTreeSet<&str> = old_cases.keys().chain(new_cases.keys()).copied().collect();
        for id in ids {
            let (oc, nc) = (old_cases.get(id), new_cases.get(id));
            if let Some(change) = classify(oc.map(|c| c.outcome), nc.map(|c| c.outcome)) {
                counts.add(change);
                out.changes.push(CaseChange {
                    target: name.to_owned(),
                    case: id.to_owned(),
                    change,
                    old: oc.map(|c| c.outcome),
                    new: nc.map(|c| c.outcome),
                    message: nc.and_then(|c| c.message.clone()),
                });
            }
        }
        match (o, n) {
            (Some(_), None) => out
                .context
                .push(format!("target `{name}` is not in the new report")),
            (None, Some(_)) => out.context.push(format!("target `{name}` is new")),
            _ => {}
        }
        if let Some(error) = n.and_then(|t| t.error.as_deref()) {
            out.context.push(format!(
                "target `{name}` did not run: {}",
                error.lines().next().unwrap_or(error)
            ));
        }
        let (oi, ni) = (implementation(o), implementation(n));
        if o.is_some() && n.is_some() && oi != ni {
            out.context.push(format!(
                "target `{name}`: {} → {}",
                oi.as_deref().unwrap_or("unknown"),
                ni.as_deref().unwrap_or("unknown")
            ));
        }
    }
    out.changes
        .sort_by(|a, b| (&a.target, a.change, &a.case).cmp(&(&b.target, b.change, &b.case)));
    let mut note = |what: &str, a: Option<&String>, b: Option<&String>| {
        if a != b {
            out.context.push(format!(
                "{what}: {} → {}",
                a.map_or("unknown", |s| short(s)),
                b.map_or("unknown", |s| short(s))
            ));
        }
    };
    note(
        "runner",
        Some(&old.runner.version),
        Some(&new.runner.version),
    );
    note(
        "spec digest",
        old.vectors.spec_digest.as_ref(),
        new.vectors.spec_digest.as_ref(),
    );
    note(
        "vectors digest",
        old.vectors.vectors_digest.as_ref(),
        new.vectors.vectors_digest.as_ref(),
    );
    let commit = |r: &Report| {
        r.provenance
            .as_ref()
            .and_then(|p| p.runner.git_commit.clone())
    };
    note("project commit", commit(old).as_ref(), commit(new).as_ref());
    out
}

fn short(text: &str) -> &str {
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        &text[..12]
    } else {
        text
    }
}

fn verdict(diff: &ReportDiff, strict: bool) -> String {
    let regressions = diff.regressions(strict);
    if regressions == 0 {
        "no regressions".to_owned()
    } else {
        let parts: Vec<String> = Change::ALL
            .iter()
            .filter(|c| c.is_regression(strict))
            .map(|c| {
                let n: usize = diff.targets.values().map(|t| t.get(*c)).sum();
                format!("{n} {}", c.label())
            })
            .collect();
        format!("{regressions} regression(s): {}", parts.join(", "))
    }
}

/// The diff for the terminal: context, a target × change table, every
/// regression (and at most `limit` other changes per kind), the verdict.
pub fn render_text(diff: &ReportDiff, strict: bool, limit: usize) -> String {
    let mut out = String::new();
    for line in &diff.context {
        let _ = writeln!(out, "{line}");
    }
    let headers: Vec<&str> = std::iter::once("target")
        .chain(Change::ALL.iter().map(|c| c.label()))
        .collect();
    let mut rows = vec![headers.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    for (name, counts) in &diff.targets {
        let mut row = vec![name.clone()];
        row.extend(Change::ALL.iter().map(|c| counts.get(*c).to_string()));
        rows.push(row);
    }
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    format!("{c:<w$}", w = widths[i])
                } else {
                    format!("{c:>w$}", w = widths[i])
                }
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  "));
    }
    for change in Change::ALL {
        let listed: Vec<&CaseChange> = diff.changes.iter().filter(|c| c.change == change).collect();
        if listed.is_empty() {
            continue;
        }
        let shown = if change.is_regression(strict) {
            listed.len()
        } else {
            limit.min(listed.len())
        };
        let _ = writeln!(out, "{} ({}):", change.label(), listed.len());
        for c in &listed[..shown] {
            let _ = writeln!(out, "  {}", case_line(c));
        }
        if shown < listed.len() {
            let _ = writeln!(out, "  … and {} more", listed.len() - shown);
        }
    }
    let _ = writeln!(out, "diff: {}", verdict(diff, strict));
    out
}

fn outcome_name(kind: Option<OutcomeKind>) -> &'static str {
    kind.map_or("absent", OutcomeKind::as_str)
}

fn case_line(c: &CaseChange) -> String {
    let mut line = format!(
        "[{}] {}: {} → {}",
        c.target,
        c.case,
        outcome_name(c.old),
        outcome_name(c.new)
    );
    if let Some(message) = &c.message {
        let first = message.lines().next().unwrap_or(message);
        let clipped: String = first.chars().take(200).collect();
        let _ = write!(line, ": {clipped}");
    }
    line
}

/// The diff as Markdown for a CI step summary or a PR comment: a verdict
/// line, a target × change table, each kind of change in a collapsible list.
pub fn render_markdown(diff: &ReportDiff, strict: bool, limit: usize) -> String {
    let mut out = String::new();
    let regressions = diff.regressions(strict);
    let mark = if regressions == 0 { "✅" } else { "❌" };
    let _ = writeln!(
        out,
        "### convert-parity: {mark} {}\n",
        verdict(diff, strict)
    );
    for line in &diff.context {
        let _ = writeln!(out, "- {}", line.replace('|', "\\|"));
    }
    if !diff.context.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "| target | {} |",
        Change::ALL.map(Change::label).join(" | ")
    );
    let _ = writeln!(out, "|---|{}", "---:|".repeat(Change::ALL.len()));
    for (name, counts) in &diff.targets {
        let cells: Vec<String> = Change::ALL
            .iter()
            .map(|c| match counts.get(*c) {
                0 => "0".to_owned(),
                n if c.is_regression(strict) => format!("**{n}**"),
                n => n.to_string(),
            })
            .collect();
        let _ = writeln!(out, "| `{name}` | {} |", cells.join(" | "));
    }
    for change in Change::ALL {
        let listed: Vec<&CaseChange> = diff.changes.iter().filter(|c| c.change == change).collect();
        if listed.is_empty() {
            continue;
        }
        let open = if change.is_regression(strict) {
            " open"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "\n<details{open}><summary>{} ({})</summary>\n",
            change.label(),
            listed.len()
        );
        for c in listed.iter().take(limit) {
            let _ = writeln!(out, "- `{}`", case_line(c).replace('`', "'"));
        }
        if listed.len() > limit {
            let _ = writeln!(
                out,
                "- … and {} more (see the JSON reports)",
                listed.len() - limit
            );
        }
        let _ = writeln!(out, "\n</details>");
    }
    out
}

/// The baseline comparison as a report records it (`run --baseline`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BaselineSummary {
    /// The baseline report.
    pub source: String,
    /// Whether newly skipped and newly diverged cases counted as
    /// regressions.
    pub strict: bool,
    /// Regressions found.
    pub regressions: usize,
    /// Per target, the counts of each change.
    pub targets: BTreeMap<String, ChangeCounts>,
    /// Every regression.
    pub regressed: Vec<CaseChange>,
}

impl BaselineSummary {
    /// The summary of a diff against the report at `source`.
    pub fn of(diff: &ReportDiff, source: String, strict: bool) -> BaselineSummary {
        BaselineSummary {
            source,
            strict,
            regressions: diff.regressions(strict),
            targets: diff.targets.clone(),
            regressed: diff
                .changes
                .iter()
                .filter(|c| c.change.is_regression(strict))
                .cloned()
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OutcomeKind::*;

    #[test]
    fn every_transition_is_classified() {
        let table = [
            (Some(Pass), Some(Fail), Some(Change::NewlyFailing)),
            (Some(Diverged), Some(Crashed), Some(Change::NewlyFailing)),
            (Some(Skipped), Some(Errored), Some(Change::NewlyFailing)),
            (Some(Pass), None, Some(Change::Removed)),
            (Some(Fail), None, Some(Change::Removed)),
            (Some(Pass), Some(Skipped), Some(Change::NewlySkipped)),
            (Some(Fail), Some(Skipped), Some(Change::NewlySkipped)),
            (Some(Pass), Some(Diverged), Some(Change::NewlyDiverged)),
            (Some(Fail), Some(Pass), Some(Change::NewlyPassing)),
            (Some(Skipped), Some(Pass), Some(Change::NewlyPassing)),
            (Some(Diverged), Some(Pass), Some(Change::NewlyPassing)),
            (Some(Fail), Some(Diverged), Some(Change::NewlyDiverged)),
            (None, Some(Pass), Some(Change::Added)),
            (Some(Fail), Some(Timeout), Some(Change::StillFailing)),
            (Some(Pass), Some(Pass), None),
            (Some(Skipped), Some(Skipped), None),
            (None, None, None),
        ];
        for (old, new, expected) in table {
            assert_eq!(classify(old, new), expected, "{old:?} → {new:?}");
        }
        assert!(Change::NewlyFailing.is_regression(false));
        assert!(Change::Removed.is_regression(false));
        assert!(!Change::NewlySkipped.is_regression(false));
        assert!(Change::NewlySkipped.is_regression(true));
        assert!(!Change::NewlyPassing.is_regression(true));
    }
}
