//! `cargo xtask`: the project's automation, in Rust so that it needs nothing
//! but cargo (the pattern of rust-analyzer's and cargo's own xtasks).
//!
//! - `cargo xtask parity` — install missing adapters, run the full matrix,
//!   write reports under `target/parity/`.
//! - `cargo xtask test` — everything CI checks.
//! - `cargo xtask schemas [--check]` — write (or check) `spec/schemas/`.
//! - `cargo xtask vectors [--check]` — regenerate (or check) `vectors/v1/`.
//! - `cargo xtask fuzz [ARGS]` — differential fuzzing of the reference and
//!   both SDKs (a release build of the runner; findings under
//!   `target/parity/fuzz/`).

mod cargo;
mod fuzz;
mod parity;
mod schemas;
mod test;
mod util;
mod vectors;

use clap::{Parser, Subcommand};

/// Project automation for convert-parity.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install missing adapters, run the full matrix, write reports under target/parity/.
    Parity {
        /// Extra arguments passed to `convert-parity run` (e.g. `--family rule`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Regenerate vectors/v1/ from vectors/src/, asking each source's oracle SDK.
    Vectors {
        /// Fail if a regeneration would change anything, write nothing.
        #[arg(long)]
        check: bool,
    },
    /// Everything CI checks: fmt, clippy, tests, drift checks, the parity run.
    Test,
    /// Differential fuzzing: the reference engine and both real SDKs on
    /// generated inputs (JS is the oracle), with a release build of the
    /// runner; findings under target/parity/fuzz/.
    Fuzz {
        /// Arguments passed to `convert-parity fuzz` (e.g. `--cases 100000
        /// --seed 7`, `--time 10m`, `--family rule`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run the criterion benchmarks: hashing (convert-engine), regex
    /// (convert-regex) and SDK decision throughput (convert-sdk).
    Bench {
        /// Short warm-up and measurement (a quick look, not a baseline).
        #[arg(long)]
        quick: bool,
        /// Extra arguments passed to criterion (e.g. a benchmark name filter).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Write the JSON Schemas generated from the contract types to spec/schemas/.
    Schemas {
        /// Fail if the committed files differ from a regeneration, write nothing.
        #[arg(long)]
        check: bool,
    },
}

/// `cargo bench` over the crates with benchmarks.
fn bench(quick: bool, args: &[String]) -> anyhow::Result<std::process::ExitCode> {
    let mut command = cargo::cargo([
        "bench",
        "-p",
        "convert-engine",
        "-p",
        "convert-regex",
        "-p",
        "convert-sdk",
        "--",
    ]);
    if quick {
        command.args(["--warm-up-time", "1", "--measurement-time", "2"]);
    }
    command.args(args);
    cargo::run_ok(&mut command)?;
    Ok(std::process::ExitCode::SUCCESS)
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Parity { args } => parity::run(&args),
        Task::Test => test::run(),
        Task::Fuzz { args } => {
            cargo::build_runner_release().and_then(|runner| fuzz::run(&runner, &args))
        }
        Task::Bench { quick, args } => bench(quick, &args),
        Task::Vectors { check } => vectors::run(check).map(|()| std::process::ExitCode::SUCCESS),
        Task::Schemas { check } => schemas::run(check).map(|()| std::process::ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
