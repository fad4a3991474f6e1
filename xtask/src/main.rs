//! `cargo xtask`: the project's automation, in Rust so that it needs nothing
//! but cargo (the pattern of rust-analyzer's and cargo's own xtasks).
//!
//! - `cargo xtask parity` — install missing adapters, run the full matrix,
//!   write reports under `target/parity/`.
//! - `cargo xtask test` — everything CI checks.
//! - `cargo xtask schemas [--check]` — write (or check) `spec/schemas/`.
//! - `cargo xtask vectors [--check]` — regenerate (or check) `vectors/v1/`.
//! - `cargo xtask bench [--quick] [--peers]` — the benchmarks, as one table.

mod bench;
mod cargo;
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
    /// Run the benchmarks and print one table: the criterion benches (hashing,
    /// bucketing, rules, regex, SDK decisions, runner throughput) and the
    /// memory figures; with --peers, the same decision workload through the
    /// published JS and Python SDKs, timed inside their runtimes.
    Bench {
        /// Short warm-up and measurement (a quick look, not a baseline).
        #[arg(long)]
        quick: bool,
        /// Also time the workload in the JS and Python SDKs (installs missing
        /// adapters) and print µs/decision and the ratio to ours.
        #[arg(long)]
        peers: bool,
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

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Parity { args } => parity::run(&args),
        Task::Test => test::run(),
        Task::Bench { quick, peers, args } => bench::run(quick, peers, &args),
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
