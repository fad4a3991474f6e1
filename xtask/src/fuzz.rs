//! `cargo xtask fuzz`: the differential fuzzer (`convert-parity fuzz`) over
//! the reference engine and the real SDKs, with the adapters installed and
//! the findings written under `target/parity/fuzz/`.

use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::Result;

use crate::cargo::{run_ok, run_status};
use crate::parity::exit_code_of;
use crate::util::project_root;

/// The seed and case count `cargo xtask test` fuzzes with: small enough for
/// every CI run, fixed so that a failure replays.
pub const CI_SEED: u64 = 1;
/// Cases per family in `cargo xtask test`.
pub const CI_CASES: u64 = 300;

/// Installs the adapters, then fuzzes JS (the oracle) and Python against the
/// reference with `runner`; `extra` goes to `convert-parity fuzz` as is.
pub fn run(runner: &Path, extra: &[String]) -> Result<ExitCode> {
    let root = project_root();
    run_ok(Command::new(runner).arg("install").current_dir(&root))?;
    let out = root.join("target/parity/fuzz");
    let status = run_status(
        Command::new(runner)
            .args(["fuzz", "--adapter", "js", "--adapter", "python"])
            .arg("--out")
            .arg(out.join("findings"))
            .arg("--report-json")
            .arg(out.join("fuzz.json"))
            .args(extra)
            .current_dir(&root),
    )?;
    eprintln!("fuzz report: {}", out.join("fuzz.json").display());
    Ok(exit_code_of(status))
}
