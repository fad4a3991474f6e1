//! `convert-parity-mutants` (feature `mutants`; run by `cargo xtask
//! mutants`): the mutation score of the vectors, written to or checked
//! against `docs/mutants.md`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use convert_parity::mutation;
use convert_parity::run::Suite;

/// Runs every vector against the reference engine with each seeded fault
/// and reports which vectors kill each mutant.
#[derive(Parser)]
#[command(
    name = "convert-parity-mutants",
    version,
    after_help = "Exit codes: 0 every mutant is reached and killed (and the report is up to date with --check); 1 a mutant survived or is unreached, a point is not catalogued, or the report drifted; 2 the vectors cannot be used."
)]
struct Cli {
    /// The vector folder.
    #[arg(long, default_value = "vectors/v1")]
    vectors: PathBuf,
    /// The Markdown report to write (or, with --check, to compare).
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Write nothing; fail when the Markdown report would change.
    #[arg(long, requires = "markdown")]
    check: bool,
    /// Also write every mutant with all its killers here, as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Source folders whose `mutant!` points must all be catalogued
    /// (repeatable).
    #[arg(long = "sources")]
    sources: Vec<PathBuf>,
}

fn main() -> ExitCode {
    match run(&Cli::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode> {
    let suite =
        Suite::load(&cli.vectors).with_context(|| format!("loading {}", cli.vectors.display()))?;
    let mut report = mutation::run(&suite);
    if !cli.sources.is_empty() {
        let points = mutation::points_in_sources(&cli.sources)
            .context("reading the sources for mutation points")?;
        anyhow::ensure!(
            !points.is_empty(),
            "no mutation point found in {:?}",
            cli.sources
        );
        mutation::check_sources(&mut report, &points);
    }
    print!("{}", mutation::render_text(&report));
    if let Some(path) = &cli.json {
        let text = serde_json::to_string_pretty(&mutation::to_json(&report))? + "\n";
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let mut ok = report.complete();
    if let Some(path) = &cli.markdown {
        let text = mutation::render_markdown(&report);
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if cli.check {
            if current != text {
                eprintln!(
                    "{} is out of date with the mutation run: run `cargo xtask mutants` and commit it",
                    path.display()
                );
                ok = false;
            }
        } else if current != text {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
            println!("{}: written", path.display());
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
