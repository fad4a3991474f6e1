//! `cargo xtask`: the project's automation, in Rust so that it needs nothing
//! but cargo (the pattern of rust-analyzer's and cargo's own xtasks).
//!
//! - `cargo xtask parity` — install missing adapters, run the full matrix,
//!   write reports under `target/parity/`.
//! - `cargo xtask test` — everything CI checks.
//! - `cargo xtask schemas [--check]` — write (or check) `spec/schemas/`.
//! - `cargo xtask vectors [--check]` — regenerate (or check) `vectors/v1/`.

mod schemas;
mod util;

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
        Task::Schemas { check } => schemas::run(check),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
