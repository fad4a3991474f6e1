//! Traceability: which spec clauses the vectors exercise, and how each
//! target fares on them.
//!
//! A clause is a heading `### <id>: <title>` in a page of `spec/`; a vector
//! cites clauses in `spec_refs` (the file's and each case's). From a run's
//! report this module builds the clause × target matrix, listing the clauses
//! no vector cites (untested prose) and the citations that name no clause.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::{Counts, Report};

/// One clause heading of the spec.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Clause {
    /// The clause id (`rule.equals`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// The spec page it is on (`rule.md`).
    pub page: String,
}

/// Why the spec's clauses cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct ClauseError {
    /// The page or folder.
    pub path: std::path::PathBuf,
    /// The I/O error.
    pub source: std::io::Error,
}

/// Every clause heading (`### <id>: <title>`) of the `*.md` pages directly
/// in `spec_dir`, sorted by id.
pub fn clauses(spec_dir: &Path) -> Result<Vec<Clause>, ClauseError> {
    let fault = |path: &Path| {
        let path = path.to_owned();
        move |source| ClauseError { path, source }
    };
    let mut pages: Vec<_> = std::fs::read_dir(spec_dir)
        .map_err(fault(spec_dir))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    let mut out = Vec::new();
    for path in pages {
        let text = std::fs::read_to_string(&path).map_err(fault(&path))?;
        let page = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.extend(parse_clauses(&text, &page));
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// The clause headings of one page's Markdown text.
pub fn parse_clauses(text: &str, page: &str) -> Vec<Clause> {
    text.lines()
        .filter_map(|line| line.strip_prefix("### ")?.split_once(": "))
        .filter(|(id, _)| is_clause_id(id))
        .map(|(id, title)| Clause {
            id: id.to_owned(),
            title: title.trim().to_owned(),
            page: page.to_owned(),
        })
        .collect()
}

fn is_clause_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The clause × target matrix of one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Traceability {
    /// Every clause of the spec, with the cases citing it and each target's
    /// outcomes on those cases.
    pub clauses: Vec<ClauseCoverage>,
    /// Clauses no case of the run cites.
    pub uncovered: Vec<String>,
    /// Clause ids cited by a case but absent from the spec.
    pub unknown: Vec<String>,
}

/// One clause's coverage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClauseCoverage {
    /// The clause id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The spec page.
    pub page: String,
    /// How many cases of the run cite it.
    pub cases: usize,
    /// Per target: the outcomes of the cases citing it.
    pub targets: BTreeMap<String, Counts>,
}

impl ClauseCoverage {
    /// Whether any target failed a case of this clause (fail, errored,
    /// timeout, crashed).
    pub fn failing_targets(&self) -> Vec<&str> {
        self.targets
            .iter()
            .filter(|(_, c)| c.fail + c.errored + c.timeout + c.crashed > 0)
            .map(|(t, _)| t.as_str())
            .collect()
    }
}

/// Builds the matrix from a report's cases and the spec's clauses.
pub fn build(report: &Report, clauses: &[Clause]) -> Traceability {
    let known: BTreeSet<&str> = clauses.iter().map(|c| c.id.as_str()).collect();
    let mut cases: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut counts: BTreeMap<&str, BTreeMap<String, Counts>> = BTreeMap::new();
    let mut unknown = BTreeSet::new();
    for target in &report.targets {
        for case in &target.cases {
            for clause in &case.spec_refs {
                if !known.contains(clause.as_str()) {
                    unknown.insert(clause.clone());
                    continue;
                }
                cases
                    .entry(clause.as_str())
                    .or_default()
                    .insert(case.id.as_str());
                counts
                    .entry(clause.as_str())
                    .or_default()
                    .entry(target.name.clone())
                    .or_default()
                    .add(case.outcome);
            }
        }
    }
    let coverage: Vec<ClauseCoverage> = clauses
        .iter()
        .map(|c| ClauseCoverage {
            id: c.id.clone(),
            title: c.title.clone(),
            page: c.page.clone(),
            cases: cases.get(c.id.as_str()).map_or(0, BTreeSet::len),
            targets: counts.remove(c.id.as_str()).unwrap_or_default(),
        })
        .collect();
    Traceability {
        uncovered: coverage
            .iter()
            .filter(|c| c.cases == 0)
            .map(|c| c.id.clone())
            .collect(),
        clauses: coverage,
        unknown: unknown.into_iter().collect(),
    }
}

/// One line for the terminal: how many clauses, how many cited, which not.
pub fn render_line(trace: &Traceability) -> String {
    let covered = trace.clauses.len() - trace.uncovered.len();
    let mut line = format!(
        "traceability: {} spec clauses, {covered} exercised by vectors",
        trace.clauses.len()
    );
    if !trace.uncovered.is_empty() {
        let _ = write!(
            line,
            ", {} by none: {}",
            trace.uncovered.len(),
            trace.uncovered.join(", ")
        );
    }
    if !trace.unknown.is_empty() {
        let _ = write!(
            line,
            "; cited but not in spec/: {}",
            trace.unknown.join(", ")
        );
    }
    line
}

/// A cell of the matrix: `pass/executed` and the worst non-passing outcome.
fn cell(counts: Option<&Counts>) -> String {
    let Some(c) = counts else {
        return "—".into();
    };
    let executed = c.executed();
    if executed == 0 {
        return format!("skipped {}", c.skipped);
    }
    let good = c.pass + c.diverged;
    let mut text = format!("{good}/{executed}");
    let bad = c.fail + c.errored + c.timeout + c.crashed;
    if bad > 0 {
        let _ = write!(text, " ✗{bad}");
    }
    if c.diverged > 0 {
        let _ = write!(text, " (≠{})", c.diverged);
    }
    text
}

/// The matrix as a Markdown table: one row per clause, one column per
/// target; cells read `passed/executed`, `✗n` for failures, `(≠n)` for
/// declared divergences; uncovered clauses are marked.
pub fn render_markdown(trace: &Traceability, targets: &[String]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "| clause | page | cases | {} |", targets.join(" | "));
    let _ = writeln!(
        out,
        "|---|---|---:|{}",
        targets.iter().map(|_| "---|").collect::<String>()
    );
    for c in &trace.clauses {
        let cells: Vec<String> = targets.iter().map(|t| cell(c.targets.get(t))).collect();
        let cases = if c.cases == 0 {
            "**0 (uncovered)**".to_owned()
        } else {
            c.cases.to_string()
        };
        let _ = writeln!(
            out,
            "| `{}` {} | {} | {cases} | {} |",
            c.id,
            c.title,
            c.page,
            cells.join(" | ")
        );
    }
    let _ = writeln!(out, "\n{}", render_line(trace));
    out
}

/// The matrix as a plain-text table for the terminal.
pub fn render_text(trace: &Traceability, targets: &[String]) -> String {
    let mut rows: Vec<Vec<String>> = vec![
        ["clause".to_owned(), "cases".to_owned()]
            .into_iter()
            .chain(targets.iter().cloned())
            .collect(),
    ];
    for c in &trace.clauses {
        let mut row = vec![c.id.clone(), c.cases.to_string()];
        row.extend(targets.iter().map(|t| cell(c.targets.get(t))));
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let pad = widths[i].saturating_sub(cell.chars().count());
                if i == 0 {
                    format!("{cell}{}", " ".repeat(pad))
                } else {
                    format!("{}{cell}", " ".repeat(pad))
                }
            })
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    let _ = writeln!(out, "{}", render_line(trace));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::OutcomeKind;
    use crate::report::{CaseReport, RunnerInfo, TargetReport, VectorsInfo};

    fn case(id: &str, refs: &[&str], outcome: OutcomeKind) -> CaseReport {
        CaseReport {
            id: id.into(),
            family: "rule".into(),
            source: "s".into(),
            spec_refs: refs.iter().map(|s| s.to_string()).collect(),
            outcome,
            message: None,
            input: None,
            expected: None,
            actual: None,
            differences: Vec::new(),
            reproducer: None,
        }
    }

    fn target(name: &str, cases: Vec<CaseReport>) -> TargetReport {
        TargetReport {
            name: name.into(),
            kind: "adapter".into(),
            implementation: None,
            capabilities: None,
            error: None,
            faults: Vec::new(),
            restarts: 0,
            summary: Counts::default(),
            families: BTreeMap::new(),
            cases,
            probe: None,
        }
    }

    fn report(targets: Vec<TargetReport>) -> Report {
        Report {
            report_version: 1,
            runner: RunnerInfo {
                name: "convert-parity".into(),
                version: "0".into(),
                protocol: 1,
            },
            vectors: VectorsInfo {
                set_version: 1,
                root: "v".into(),
                files: 0,
                cases: 0,
                spec_digest: None,
                vectors_digest: None,
                families: Vec::new(),
            },
            started_unix: 0,
            duration_ms: 0,
            imports: Vec::new(),
            findings: Vec::new(),
            targets,
            problems: Vec::new(),
            exit_code: 0,
            provenance: None,
            traceability: None,
            probe: None,
            baseline: None,
        }
    }

    #[test]
    fn headings_are_clauses_and_other_headings_are_not() {
        let text = "# Rules\n### rule.equals: Equality\nprose\n### Not a clause\n#### rule.x: deeper\n### rule.in-list: In a list \n### rule.op.isIn: `isIn`\n";
        let found = parse_clauses(text, "rule.md");
        let ids: Vec<&str> = found.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["rule.equals", "rule.in-list", "rule.op.isIn"]);
        assert_eq!(found[1].title, "In a list");
        assert_eq!(found[0].page, "rule.md");
    }

    #[test]
    fn the_matrix_counts_cases_per_clause_and_target_and_lists_the_gaps() {
        let clauses = vec![
            Clause {
                id: "a.one".into(),
                title: "One".into(),
                page: "a.md".into(),
            },
            Clause {
                id: "a.two".into(),
                title: "Two".into(),
                page: "a.md".into(),
            },
            Clause {
                id: "b.three".into(),
                title: "Three".into(),
                page: "b.md".into(),
            },
        ];
        let report = report(vec![
            target(
                "reference",
                vec![
                    case("c1", &["a.one"], OutcomeKind::Pass),
                    case("c2", &["a.one", "a.two"], OutcomeKind::Pass),
                    case("c3", &["zz.cited"], OutcomeKind::Pass),
                ],
            ),
            target(
                "js",
                vec![
                    case("c1", &["a.one"], OutcomeKind::Fail),
                    case("c2", &["a.one", "a.two"], OutcomeKind::Skipped),
                ],
            ),
        ]);
        let trace = build(&report, &clauses);
        assert_eq!(trace.uncovered, ["b.three"]);
        assert_eq!(trace.unknown, ["zz.cited"]);
        let one = &trace.clauses[0];
        assert_eq!((one.id.as_str(), one.cases), ("a.one", 2));
        assert_eq!(one.targets["reference"].pass, 2);
        assert_eq!(one.targets["js"].fail, 1);
        assert_eq!(one.targets["js"].skipped, 1);
        assert_eq!(one.failing_targets(), ["js"]);
        assert_eq!(trace.clauses[1].cases, 1);
        let targets = vec!["reference".to_owned(), "js".to_owned()];
        let md = render_markdown(&trace, &targets);
        assert!(
            md.contains("| `a.one` One | a.md | 2 | 2/2 | 0/1 ✗1 |"),
            "{md}"
        );
        assert!(
            md.contains("| `b.three` Three | b.md | **0 (uncovered)** | — | — |"),
            "{md}"
        );
        assert!(
            md.contains("| `a.two` Two | a.md | 1 | 1/1 | skipped 1 |"),
            "{md}"
        );
        let line = render_line(&trace);
        assert_eq!(
            line,
            "traceability: 3 spec clauses, 2 exercised by vectors, 1 by none: b.three; cited but not in spec/: zz.cited"
        );
        assert!(render_text(&trace, &targets).contains("a.one"));
    }

    #[test]
    fn the_real_spec_has_clauses() {
        let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec");
        let all = clauses(&spec).unwrap();
        assert!(all.iter().any(|c| c.id == "experience.lookup"));
        assert!(all.len() > 20);
    }
}
