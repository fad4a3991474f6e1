//! `cargo xtask mutants [--check]`: the mutation score of the vectors. Builds
//! the runner's `convert-parity-mutants` binary with the engine's seeded
//! faults (the `mutants` cargo feature, a build of its own), runs every
//! vector against each mutant, and writes `docs/mutants.md` (with
//! `--check`: fails when it would change), and every killer of every mutant
//! to `target/mutants.json`. Fails when a mutant survives, is
//! reached by no vector, or a `mutant!` point is not catalogued.

use std::process::Command;

use anyhow::Result;

use crate::cargo::{cargo, run_ok};
use crate::util::project_root;

/// Where the generated report lives.
pub const REPORT: &str = "docs/mutants.md";

/// Runs the mutation score.
pub fn run(check: bool) -> Result<()> {
    run_ok(&mut cargo([
        "build",
        "--quiet",
        "--package",
        "convert-parity",
        "--features",
        "mutants",
        "--bin",
        "convert-parity-mutants",
    ]))?;
    let root = project_root();
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let binary = target_dir.join("debug").join(format!(
        "convert-parity-mutants{}",
        std::env::consts::EXE_SUFFIX
    ));
    let mut command = Command::new(binary);
    command
        .args(["--vectors", "vectors/v1", "--markdown", REPORT])
        .args(["--sources", "crates/convert-engine/src"])
        .args(["--sources", "crates/convert-sdk/src"])
        .args(["--json", "target/mutants.json"])
        .current_dir(&root);
    if check {
        command.arg("--check");
    }
    run_ok(&mut command)
}

/// The lint of the code only the `mutants` feature compiles.
pub fn clippy() -> Result<()> {
    run_ok(&mut cargo([
        "clippy",
        "--quiet",
        "--package",
        "convert-engine",
        "--package",
        "convert-sdk",
        "--package",
        "convert-reference",
        "--package",
        "convert-parity",
        "--features",
        "convert-parity/mutants",
        "--lib",
        "--bins",
        "--",
        "-D",
        "warnings",
    ]))
}
