//! What the runner adds to a report once every target has run: the spec
//! clause matrix ([`crate::trace`]), the provenance ([`crate::provenance`]),
//! reproducers of failing cases ([`crate::repro`]) and the comparison with a
//! baseline report ([`crate::diff`]); then the exit code again, since each
//! may add problems.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::diff::BaselineSummary;
use crate::provenance::TargetOrigin;
use crate::report::{Problem, Report, Severity};
use crate::repro::{ReplayTarget, ReproContext};
use crate::run::Suite;

/// What to add.
#[derive(Clone, Debug, Default)]
pub struct FinishOptions {
    /// Write reproducers here (none when `None`).
    pub repro_dir: Option<PathBuf>,
    /// Compare with this report.
    pub baseline: Option<PathBuf>,
    /// Count newly skipped and newly diverged cases as regressions too.
    pub baseline_strict: bool,
}

/// Adds traceability, provenance, reproducers and the baseline comparison
/// to `report`, then recomputes its exit code. Fails only when reproducers
/// cannot be written or the baseline cannot be read (both usage errors).
pub fn finish(
    root: &Path,
    suite: &Suite,
    report: &mut Report,
    origins: &[TargetOrigin],
    options: &FinishOptions,
) -> anyhow::Result<()> {
    let spec = root.join("spec");
    match crate::trace::clauses(&spec) {
        _ if !spec.is_dir() => {}
        Ok(clauses) if !clauses.is_empty() => {
            report.traceability = Some(crate::trace::build(report, &clauses));
        }
        Ok(_) => {}
        Err(e) => report.problems.push(Problem {
            target: None,
            severity: Severity::Infrastructure,
            message: format!("the spec's clauses cannot be read: {e}"),
        }),
    }

    let provenance = crate::provenance::collect(root, report, origins, std::env::args().collect());
    report
        .problems
        .extend(crate::provenance::problems(&provenance));
    report.provenance = Some(provenance);

    if let Some(dir) = &options.repro_dir {
        let targets: BTreeMap<String, ReplayTarget> = origins
            .iter()
            .map(|o| (o.name(), ReplayTarget::of(o)))
            .collect();
        let comparisons = suite
            .files
            .iter()
            .flat_map(|f| {
                f.file
                    .cases
                    .iter()
                    .map(|c| (c.id.clone(), f.file.comparisons_of(c)))
            })
            .filter(|(_, rules)| !rules.is_empty())
            .collect();
        let cwd = std::env::current_dir().unwrap_or_else(|_| root.to_owned());
        let runner = runner_as_typed(&cwd);
        let show = crate::repro::relative_to(&cwd);
        crate::repro::write_all(
            report,
            &ReproContext {
                dir,
                targets: &targets,
                comparisons: &comparisons,
                runner: &runner,
                show: &show,
            },
        )?;
    }

    if let Some(path) = &options.baseline {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("--baseline {}: {e}", path.display()))?;
        let old: Report = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!("--baseline {} is not a JSON report: {e}", path.display())
        })?;
        let diff = crate::diff::diff(&old, report);
        let summary =
            BaselineSummary::of(&diff, path.display().to_string(), options.baseline_strict);
        if summary.regressions > 0 {
            report.problems.push(Problem {
                target: None,
                severity: Severity::Failure,
                message: format!(
                    "{} regression(s) against the baseline {}: {}",
                    summary.regressions,
                    path.display(),
                    summary
                        .regressed
                        .iter()
                        .take(5)
                        .map(|c| format!("[{}] {} ({})", c.target, c.case, c.change.label()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        report.baseline = Some(summary);
    }

    report.exit_code = crate::run::verdict(&report.targets, &report.problems);
    Ok(())
}

/// The runner's path as the user can type it: relative to `cwd` when it lies
/// below it.
fn runner_as_typed(cwd: &Path) -> String {
    std::env::current_exe()
        .ok()
        .map(|exe| {
            exe.strip_prefix(cwd)
                .map_or_else(|_| exe.display().to_string(), |p| p.display().to_string())
        })
        .unwrap_or_else(|| "convert-parity".into())
}

/// The lines the terminal shows after the totals: the probe, the baseline,
/// the clause coverage, where the reproducers are.
pub fn render_extras(report: &Report) -> String {
    let mut out = String::new();
    if let Some(settings) = &report.probe {
        let changed: usize = report
            .targets
            .iter()
            .filter_map(|t| t.probe.as_ref())
            .map(|p| p.changes.len())
            .sum();
        let probed: Vec<String> = report
            .targets
            .iter()
            .filter_map(|t| t.probe.as_ref().map(|p| format!("{} {}", t.name, p.probed)))
            .collect();
        let _ = writeln!(
            out,
            "determinism probe (seed {}; again with --shuffle --seed {}): cases run again in shuffled order on a fresh and on the reused target ({}); {}",
            settings.seed,
            settings.seed,
            probed.join(", "),
            if changed == 0 {
                "no answer changed".to_owned()
            } else {
                format!("{changed} answer(s) changed")
            }
        );
    }
    if let Some(baseline) = &report.baseline {
        let _ = writeln!(
            out,
            "baseline {}: {}",
            baseline.source,
            if baseline.regressions == 0 {
                "no regressions".to_owned()
            } else {
                format!("{} regression(s)", baseline.regressions)
            }
        );
    }
    if let Some(trace) = &report.traceability {
        let _ = writeln!(out, "{}", crate::trace::render_line(trace));
    }
    let reproducers: usize = report
        .targets
        .iter()
        .flat_map(|t| &t.cases)
        .filter(|c| c.reproducer.is_some())
        .count();
    if let Some(first) = report
        .targets
        .iter()
        .flat_map(|t| &t.cases)
        .find_map(|c| c.reproducer.as_ref())
    {
        let _ = writeln!(
            out,
            "reproducers: {reproducers} written, e.g. `{}` (or `{}`)",
            first.command, first.pipe
        );
    }
    out
}

/// A Markdown summary of the run for a CI step summary: totals per target,
/// problems, the baseline comparison, the uncovered spec clauses, the
/// provenance.
pub fn summary_markdown(report: &Report) -> String {
    let mut out = String::new();
    let mark = if report.exit_code == 0 { "✅" } else { "❌" };
    let _ = writeln!(out, "### convert-parity {mark} exit {}\n", report.exit_code);
    let _ = writeln!(
        out,
        "| target | implementation | pass | fail | diverged | skipped | errored | timeout | crashed |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for t in &report.targets {
        let implementation = t
            .implementation
            .as_ref()
            .map(|i| i.name_version_runtime())
            .unwrap_or_else(|| t.error.clone().unwrap_or_default());
        let s = &t.summary;
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
            t.name,
            implementation.replace('|', "\\|"),
            s.pass,
            s.fail,
            s.diverged,
            s.skipped,
            s.errored,
            s.timeout,
            s.crashed
        );
    }
    for problem in &report.problems {
        let who = problem
            .target
            .as_deref()
            .map(|t| format!("`{t}`: "))
            .unwrap_or_default();
        let _ = writeln!(out, "\n- **problem** {who}{}", problem.message);
    }
    if let Some(baseline) = &report.baseline {
        let _ = writeln!(
            out,
            "\n**Baseline** `{}`: {}",
            baseline.source,
            if baseline.regressions == 0 {
                "no regressions".to_owned()
            } else {
                format!("{} regression(s)", baseline.regressions)
            }
        );
        for c in baseline.regressed.iter().take(50) {
            let _ = writeln!(out, "- `[{}] {}` {}", c.target, c.case, c.change.label());
        }
    }
    if let Some(trace) = &report.traceability {
        let _ = writeln!(out, "\n{}", crate::trace::render_line(trace));
    }
    if let Some(p) = &report.provenance {
        let _ = writeln!(
            out,
            "\n<details><summary>provenance (cache key {})</summary>\n",
            &p.cache_key[..p.cache_key.len().min(16)]
        );
        let _ = writeln!(
            out,
            "- runner {} ({}{}), {}/{}",
            p.runner.version,
            p.runner.git_commit.as_deref().unwrap_or("no git commit"),
            if p.runner.git_dirty == Some(true) {
                ", dirty"
            } else {
                ""
            },
            p.host.os,
            p.host.arch
        );
        let _ = writeln!(
            out,
            "- spec {}, vectors {}",
            p.spec_digest.as_deref().unwrap_or("?"),
            p.vectors_digest.as_deref().unwrap_or("?")
        );
        for t in &p.targets {
            let _ = writeln!(
                out,
                "- `{}`: {}{}",
                t.name,
                t.implementation
                    .as_ref()
                    .map(|i| format!("{} {}", i.name, i.version))
                    .unwrap_or_else(|| "not started".into()),
                if t.lockfiles.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", lockfiles {}",
                        t.lockfiles
                            .iter()
                            .map(|(f, d)| format!("{f} {}", &d[..d.len().min(12)]))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            );
        }
        let _ = writeln!(out, "\n</details>");
    }
    out
}
