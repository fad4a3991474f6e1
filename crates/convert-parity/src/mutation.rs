//! The mutation score of the vectors (feature `mutants`; `cargo xtask
//! mutants`): the reference engine with one seeded fault at a time
//! ([`convert_reference::mutants::CATALOGUE`]), against every case of the
//! vector set. A mutant is *killed* when a case that passes on the real
//! engine does not pass with the mutant; every mutant must be.
//!
//! Everything runs in one process: the original engine first, recording
//! which mutation points each case reaches; then each mutant over just the
//! cases that reach its point (a case that never reaches a point runs the
//! same code with the mutant active). A catalogued mutant no case reaches,
//! or a point that is not catalogued, is an error: a survivor you cannot
//! see is still a survivor.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};

use convert_reference::mutants::{self, CATALOGUE, Mutant};
use convert_spec::compare::Comparisons;
use convert_spec::{Capabilities, Family};
use serde_json::Value;

use crate::outcome::{Answer, OutcomeKind};
use crate::run::Suite;

/// One case, ready to evaluate.
struct Case<'s> {
    id: &'s str,
    family: Family,
    input: &'s Value,
    expected: &'s Value,
    compare: Comparisons,
}

/// What one mutant did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MutantResult {
    /// The mutant.
    pub mutant: &'static Mutant,
    /// Cases whose evaluation reaches its point.
    pub reached_by: usize,
    /// Cases that pass on the real engine and not with the mutant, by id.
    pub killers: Vec<String>,
}

impl MutantResult {
    /// Whether a case killed it.
    pub fn killed(&self) -> bool {
        !self.killers.is_empty()
    }
}

/// The whole mutation run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MutationReport {
    /// Cases run.
    pub cases: usize,
    /// Cases that do not pass on the real engine (not counted as killers;
    /// the reference's declared divergences are among them).
    pub not_passing: Vec<String>,
    /// Catalogued mutants no case reaches.
    pub unreached: Vec<&'static str>,
    /// Points (reached, or found in the sources) that the catalogue does
    /// not list.
    pub uncatalogued: Vec<String>,
    /// One result per catalogued mutant, in catalogue order.
    pub results: Vec<MutantResult>,
}

impl MutationReport {
    /// Mutants no case killed.
    pub fn survivors(&self) -> Vec<&MutantResult> {
        self.results.iter().filter(|r| !r.killed()).collect()
    }

    /// Whether the score is complete: every mutant reached and killed, every
    /// point catalogued.
    pub fn complete(&self) -> bool {
        self.unreached.is_empty() && self.uncatalogued.is_empty() && self.survivors().is_empty()
    }
}

fn evaluate(case: &Case<'_>, capabilities: &Capabilities) -> OutcomeKind {
    let answer = match catch_unwind(AssertUnwindSafe(|| {
        convert_reference::evaluate(case.family, case.input)
    })) {
        Ok(Ok(result)) => Answer::Result(result),
        Ok(Err(e)) => Answer::Errored(e.to_string()),
        Err(_) => Answer::Crashed("the engine panicked".into()),
    };
    crate::run::judge_with(
        case.family,
        case.expected,
        answer,
        capabilities,
        &case.compare,
    )
    .kind
}

/// Runs every mutant of the catalogue over the suite's own vector files
/// (imported peer files are not the project's vectors and are left out).
pub fn run(suite: &Suite) -> MutationReport {
    let cases: Vec<Case<'_>> = suite
        .files
        .iter()
        .filter(|f| !f.imported)
        .flat_map(|f| {
            f.file.cases.iter().map(move |c| Case {
                id: &c.id,
                family: f.file.family,
                input: &c.input,
                expected: &c.expected,
                compare: f.file.comparisons_of(c),
            })
        })
        .collect();
    let capabilities = convert_reference::capabilities();
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));

    // The real engine: which cases pass, which points each reaches.
    mutants::activate(None);
    mutants::take_reached();
    let mut report = MutationReport {
        cases: cases.len(),
        ..MutationReport::default()
    };
    let mut reaching: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
    let mut passing = vec![false; cases.len()];
    for (index, case) in cases.iter().enumerate() {
        passing[index] = evaluate(case, &capabilities) == OutcomeKind::Pass;
        if !passing[index] {
            report.not_passing.push(case.id.to_owned());
        }
        for point in mutants::take_reached() {
            reaching.entry(point).or_default().push(index);
        }
    }
    let catalogued: BTreeSet<&str> = CATALOGUE.iter().map(|m| m.id).collect();
    report.uncatalogued = reaching
        .keys()
        .filter(|p| !catalogued.contains(*p))
        .map(|p| (*p).to_owned())
        .collect();
    report.unreached = CATALOGUE
        .iter()
        .map(|m| m.id)
        .filter(|id| !reaching.contains_key(id))
        .collect();

    // Each mutant over the passing cases that reach it.
    for mutant in CATALOGUE {
        let reached = reaching.get(mutant.id).map(Vec::as_slice).unwrap_or(&[]);
        mutants::activate(Some(mutant.id));
        let mut killers: Vec<String> = reached
            .iter()
            .filter(|&&i| passing[i] && evaluate(&cases[i], &capabilities) != OutcomeKind::Pass)
            .map(|&i| cases[i].id.to_owned())
            .collect();
        killers.sort();
        mutants::activate(None);
        mutants::take_reached();
        report.results.push(MutantResult {
            mutant,
            reached_by: reached.len(),
            killers,
        });
    }
    std::panic::set_hook(quiet);
    report
}

/// The mutant ids named by `mutant!("id", …)` points in the Rust sources
/// under `dirs` (recursively), each with the file it is in: the static
/// counterpart of the reach check (a point no vector reaches and the
/// catalogue omits would otherwise go unseen).
pub fn points_in_sources(dirs: &[std::path::PathBuf]) -> std::io::Result<BTreeMap<String, String>> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    for dir in dirs {
        walk(dir, &mut files)?;
    }
    files.sort();
    let mut points = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        for (at, _) in text.match_indices("mutant!(") {
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            if text[line_start..at].trim_start().starts_with("//") {
                continue; // documentation, not a point
            }
            let rest = text[at + "mutant!(".len()..].trim_start();
            // The macro's own definition (`$id:literal`) names no id.
            let Some(rest) = rest.strip_prefix('"') else {
                continue;
            };
            if let Some(end) = rest.find('"') {
                points.insert(rest[..end].to_owned(), file.display().to_string());
            }
        }
    }
    Ok(points)
}

/// Compares the points in the sources with the catalogue: points missing
/// from it go to `uncatalogued`, catalogued mutants without a point to
/// `unreached` (no vector can reach what is not there).
pub fn check_sources(report: &mut MutationReport, points: &BTreeMap<String, String>) {
    for id in points.keys() {
        if mutants::find(id).is_none() && !report.uncatalogued.contains(id) {
            report.uncatalogued.push(id.clone());
        }
    }
    for mutant in CATALOGUE {
        if !points.contains_key(mutant.id) && !report.unreached.contains(&mutant.id) {
            report.unreached.push(mutant.id);
        }
    }
}

/// How many killers the document names per mutant.
const SHOWN_KILLERS: usize = 3;

/// The mutation report as committed in `docs/mutants.md`: generated, so
/// `cargo xtask mutants --check` can tell when it drifts.
pub fn render_markdown(report: &MutationReport) -> String {
    let killed = report.results.iter().filter(|r| r.killed()).count();
    let total = report.results.len();
    let mut out = String::new();
    let _ = writeln!(out, "# Mutation score of the vectors\n");
    let _ = writeln!(
        out,
        "<!-- Generated by `cargo xtask mutants`; `cargo xtask test` fails when it drifts. Do not edit. -->\n"
    );
    let _ = writeln!(
        out,
        "A vector set is only worth the bugs it catches. `cargo xtask mutants` builds the reference engine \
with seeded faults — each a one-line `mutant!(\"id\", original, mutated)` point in `crates/convert-engine` \
or `crates/convert-sdk`, compiled in only under the `mutants` cargo feature — and runs every vector of \
`vectors/v1/` against each mutant in turn, in one process. A mutant is **killed** when a vector that passes \
on the real engine fails with it. Every mutant must be killed, every catalogued mutant must be reached by \
some vector, and every point must be catalogued (`convert_engine::mutants::CATALOGUE`); otherwise the \
command fails, and so does `cargo xtask test`.\n"
    );
    let _ = writeln!(
        out,
        "A survivor is a missing vector: add a case to `vectors/src/` whose expected value the oracle SDK \
gives (`cargo xtask vectors`), never the engine's output, and run `cargo xtask mutants` again. The table \
names up to three killers per mutant; `cargo xtask mutants` writes every killer of every mutant to \
`target/mutants.json`.\n"
    );
    let percent = (killed * 100).checked_div(total).unwrap_or(0);
    let _ = writeln!(
        out,
        "**{killed} of {total} mutants killed ({percent}%)** by the {} cases of `vectors/v1/`{}.\n",
        report.cases,
        if report.not_passing.is_empty() {
            String::new()
        } else {
            format!(
                " ({} not passing on the real engine, declared divergences, not counted: {})",
                report.not_passing.len(),
                report
                    .not_passing
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    let _ = writeln!(
        out,
        "| mutant | area | fault | reached by | killed by | e.g. |"
    );
    let _ = writeln!(out, "|---|---|---|---:|---:|---|");
    for r in &report.results {
        let shown: Vec<String> = r
            .killers
            .iter()
            .take(SHOWN_KILLERS)
            .map(|k| format!("`{k}`"))
            .collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} |",
            r.mutant.id,
            r.mutant.area,
            r.mutant.fault.replace('|', "\\|"),
            r.reached_by,
            if r.killed() {
                r.killers.len().to_string()
            } else {
                "**survived**".to_owned()
            },
            shown.join(", ")
        );
    }
    let unreached: Vec<String> = report.unreached.iter().map(|s| (*s).to_owned()).collect();
    for (what, ids) in [
        ("Catalogued but reached by no vector", &unreached),
        ("Not catalogued", &report.uncatalogued),
    ] {
        if !ids.is_empty() {
            let _ = writeln!(
                out,
                "\n**{what}:** {}",
                ids.iter()
                    .map(|i| format!("`{i}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    out
}

/// The whole report as JSON: every mutant with every killer.
pub fn to_json(report: &MutationReport) -> Value {
    serde_json::json!({
        "cases": report.cases,
        "not_passing": report.not_passing,
        "unreached": report.unreached,
        "uncatalogued": report.uncatalogued,
        "mutants": report.results.iter().map(|r| serde_json::json!({
            "id": r.mutant.id,
            "area": r.mutant.area,
            "fault": r.mutant.fault,
            "reached_by": r.reached_by,
            "killers": r.killers,
        })).collect::<Vec<_>>(),
    })
}

/// The terminal summary: one line per mutant, then the verdict.
pub fn render_text(report: &MutationReport) -> String {
    let mut out = String::new();
    let width = report
        .results
        .iter()
        .map(|r| r.mutant.id.len())
        .max()
        .unwrap_or(0);
    for r in &report.results {
        let verdict = if r.killed() {
            format!(
                "killed by {:>4} of {:>4} reaching cases (e.g. {})",
                r.killers.len(),
                r.reached_by,
                r.killers[0]
            )
        } else {
            format!("SURVIVED ({} reaching cases)", r.reached_by)
        };
        let _ = writeln!(out, "{:<width$}  {verdict}", r.mutant.id);
    }
    for id in &report.unreached {
        let _ = writeln!(out, "{id:<width$}  UNREACHED: no vector reaches this point");
    }
    for id in &report.uncatalogued {
        let _ = writeln!(
            out,
            "{id:<width$}  NOT CATALOGUED: add it to convert_engine::mutants::CATALOGUE"
        );
    }
    let killed = report.results.iter().filter(|r| r.killed()).count();
    let _ = writeln!(
        out,
        "mutants: {killed}/{} killed by {} cases; {} survived, {} unreached, {} not catalogued",
        report.results.len(),
        report.cases,
        report.survivors().len(),
        report.unreached.len(),
        report.uncatalogued.len()
    );
    out
}
