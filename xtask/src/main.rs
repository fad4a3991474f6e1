//! `cargo xtask`: the project's automation, in Rust so that it needs nothing
//! but cargo (the pattern of rust-analyzer's and cargo's own xtasks).
//!
//! - `cargo xtask parity` — install missing adapters, run the full matrix,
//!   write reports under `target/parity/`.
//! - `cargo xtask test` — everything CI checks.
//! - `cargo xtask mutants [--check]` — the mutation score of the vectors
//!   (`docs/mutants.md`).
//! - `cargo xtask schemas [--check]` — write (or check) `spec/schemas/`.
//! - `cargo xtask vectors [--check]` — regenerate (or check) `vectors/v1/`.
//! - `cargo xtask fuzz [ARGS]` — differential fuzzing of the reference and
//!   both SDKs (a release build of the runner; findings under
//!   `target/parity/fuzz/`).
//! - `cargo xtask fuzz-inputs [--cases N] [--time SECS]` — fuzz every input
//!   surface with a budget.
//! - `cargo xtask docs [--check]` — write (or check) the generated sections
//!   of the docs (spec pages' vector and schema links, the report fields).
//! - `cargo xtask bench [--quick] [--peers]` — the benchmarks, as one table.

mod bench;
mod cargo;
mod docs;
mod fuzz;
mod fuzz_inputs;
mod mutants;
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
    /// Everything CI checks: fmt, clippy, tests, drift checks, the parity run,
    /// the mutation score.
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
    /// Fuzz every input surface (config, rule, protocol, vectors) with a
    /// budget; prints the executions per target.
    FuzzInputs {
        /// Cases (proptest) or runs (libFuzzer) per target.
        #[arg(long, default_value_t = 100_000)]
        cases: u64,
        /// Stop each target after this many seconds.
        #[arg(long)]
        time: Option<u64>,
        /// Only these targets (repeatable): config, rule, protocol, vectors.
        #[arg(long = "target")]
        targets: Vec<String>,
        /// The fuzzing engine.
        #[arg(long, value_enum, default_value = "proptest")]
        engine: fuzz_inputs::Engine,
        /// Seed of the proptest driver.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// Write the JSON Schemas generated from the contract types to spec/schemas/.
    Schemas {
        /// Fail if the committed files differ from a regeneration, write nothing.
        #[arg(long)]
        check: bool,
    },
    /// Write the generated sections of the docs: each spec page's links to
    /// its vectors and schemas, the report fields table in docs/reports.md.
    Docs {
        /// Fail if a generated section would change, write nothing.
        #[arg(long)]
        check: bool,
    },
    /// The mutation score of the vectors: the reference engine with each
    /// seeded fault against every vector; writes docs/mutants.md. Fails when a
    /// mutant survives or no vector reaches it.
    Mutants {
        /// Fail if docs/mutants.md would change, write nothing.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Parity { args } => parity::run(&args),
        Task::Test => test::run(),
        Task::Fuzz { args } => {
            cargo::build_runner_release().and_then(|runner| fuzz::run(&runner, &args))
        }
        Task::Bench { quick, peers, args } => bench::run(quick, peers, &args),
        Task::Vectors { check } => vectors::run(check).map(|()| std::process::ExitCode::SUCCESS),
        Task::Schemas { check } => schemas::run(check).map(|()| std::process::ExitCode::SUCCESS),
        Task::FuzzInputs {
            cases,
            time,
            targets,
            engine,
            seed,
        } => fuzz_inputs::run(&fuzz_inputs::Options {
            engine,
            cases,
            time,
            targets,
            seed,
        }),
        Task::Docs { check } => docs::run(check).map(|()| std::process::ExitCode::SUCCESS),
        Task::Mutants { check } => mutants::run(check).map(|()| std::process::ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

    use super::Cli;

    /// `README.md`, `docs/*.md` and `spec/*.md`.
    fn doc_files() -> Vec<std::path::PathBuf> {
        let root = crate::util::project_root();
        let mut files = vec![root.join("README.md")];
        for dir in ["docs", "spec"] {
            files.extend(crate::util::files_with_extension(&root.join(dir), "md").unwrap());
        }
        files
    }

    /// Every `cargo xtask …` command in the docs' shell blocks is one these
    /// definitions accept (`crates/convert-parity/tests/docs.rs` checks the
    /// rest of each block, and the runner arguments after `parity`).
    #[test]
    fn documented_xtask_commands_parse() {
        let mut checked = 0;
        for file in doc_files() {
            let text = std::fs::read_to_string(&file).unwrap();
            let mut in_shell = false;
            for event in Parser::new(&text) {
                match event {
                    Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                        in_shell = info.split_whitespace().next() == Some("sh");
                    }
                    Event::End(TagEnd::CodeBlock) => in_shell = false,
                    Event::Text(code) if in_shell => {
                        for line in code.lines() {
                            let line = line.split(" #").next().unwrap_or(line);
                            let words: Vec<&str> = line.split_whitespace().collect();
                            if let ["cargo", "xtask", rest @ ..] = words.as_slice() {
                                let argv =
                                    std::iter::once("cargo xtask").chain(rest.iter().copied());
                                if let Err(e) = Cli::try_parse_from(argv) {
                                    panic!(
                                        "{}: `{line}` is not a valid xtask command:\n{e}",
                                        file.display()
                                    );
                                }
                                checked += 1;
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        assert!(
            checked >= 4,
            "only {checked} `cargo xtask` commands found in the docs"
        );
    }
}
