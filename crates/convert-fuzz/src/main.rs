//! `convert-fuzz`: runs the fuzz targets with the proptest driver (what
//! `cargo xtask fuzz-inputs` calls), writes seed corpora for libFuzzer, and
//! replays saved inputs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use clap::{Parser, Subcommand};
use convert_fuzz::driver::{self, Budget};
use convert_fuzz::{seeds, targets};

/// Fuzz the inputs of convert-parity.
#[derive(Parser)]
#[command(name = "convert-fuzz")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run targets with the proptest driver.
    Run {
        /// Target names (default: every target).
        #[arg(long = "target")]
        targets: Vec<String>,
        /// Cases per target.
        #[arg(long, default_value_t = 10_000)]
        cases: u64,
        /// Time budget per target, in seconds (stops before `--cases` when reached).
        #[arg(long)]
        time: Option<u64>,
        /// The seed of the case generator.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// One case running longer than this many seconds is a hang.
        #[arg(long, default_value_t = 10)]
        hang_limit: u64,
        /// The project root (for seed inputs from vectors/v1).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Where crashes, hangs and the last input are written.
        #[arg(long, default_value = "target/fuzz-inputs")]
        out: PathBuf,
    },
    /// Write each target's seeds as files, one corpus folder per target.
    Seeds {
        /// The project root.
        #[arg(long)]
        root: Option<PathBuf>,
        /// The folder to write `<target>/seed-<n>` files into.
        #[arg(long)]
        out: PathBuf,
    },
    /// Run one target on saved inputs (files or folders of files).
    Replay {
        /// The target.
        #[arg(long)]
        target: String,
        /// Inputs.
        inputs: Vec<PathBuf>,
    },
    /// List the targets.
    List,
}

fn default_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::List => {
            for t in targets::TARGETS {
                println!("{:<9} {}", t.name, t.what);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Seeds { root, out } => {
            let root = root.unwrap_or_else(default_root);
            for t in targets::TARGETS {
                let dir = out.join(t.name);
                std::fs::create_dir_all(&dir)?;
                let seeds = seeds::seeds(&root, t.name);
                for (i, seed) in seeds.iter().enumerate() {
                    std::fs::write(dir.join(format!("seed-{i}")), seed)?;
                }
                println!("{:<9} {} seeds in {}", t.name, seeds.len(), dir.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Replay { target, inputs } => {
            let t = targets::target(&target).with_context(|| format!("no target `{target}`"))?;
            let mut files = Vec::new();
            for input in inputs {
                if input.is_dir() {
                    for entry in std::fs::read_dir(&input)? {
                        files.push(entry?.path());
                    }
                } else {
                    files.push(input);
                }
            }
            files.sort();
            for file in &files {
                let bytes = std::fs::read(file)?;
                (t.run)(&bytes);
            }
            println!(
                "{}: {} input(s) replayed without a failure",
                t.name,
                files.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Run {
            targets: names,
            cases,
            time,
            seed,
            hang_limit,
            root,
            out,
        } => {
            let root = root.unwrap_or_else(default_root);
            let chosen: Vec<&'static targets::Target> = if names.is_empty() {
                targets::TARGETS.iter().collect()
            } else {
                names
                    .iter()
                    .map(|n| targets::target(n).with_context(|| format!("no target `{n}`")))
                    .collect::<Result<_>>()?
            };
            let budget = Budget {
                cases,
                time: time.map(Duration::from_secs),
                hang_limit: Duration::from_secs(hang_limit),
            };
            let mut failed = false;
            println!("target     cases      execs      slowest   wall     result");
            for t in chosen {
                let report = driver::run(t, seeds::seeds(&root, t.name), budget, seed, &out)?;
                let result = match &report.failure {
                    None => "ok: 0 panics, 0 hangs".to_owned(),
                    Some((message, path)) => {
                        failed = true;
                        format!("PANIC: {message} (minimal input: {})", path.display())
                    }
                };
                println!(
                    "{:<10} {:<10} {:<10} {:<9} {:<8} {result}",
                    report.target,
                    report.cases,
                    report.execs,
                    format!("{:.1?}", report.slowest),
                    format!("{:.0?}", report.elapsed),
                );
            }
            if failed {
                bail!(
                    "fuzzing found failures (inputs written under {})",
                    out.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
