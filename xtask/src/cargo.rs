//! Running cargo and the runner binary from xtask.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, ExitStatus};

use anyhow::{Context, Result, bail};

use crate::util::project_root;

/// A `cargo` command (the one running this xtask) in the project root.
pub fn cargo<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(args).current_dir(project_root());
    cmd
}

/// Runs a command, echoing it first, and returns its exit status.
pub fn run_status(cmd: &mut Command) -> Result<ExitStatus> {
    eprintln!("$ {}", display(cmd));
    cmd.status()
        .with_context(|| format!("could not start `{}`", display(cmd)))
}

/// Runs a command and fails unless it exits 0.
pub fn run_ok(cmd: &mut Command) -> Result<()> {
    let status = run_status(cmd)?;
    if !status.success() {
        bail!("`{}` failed ({status})", display(cmd));
    }
    Ok(())
}

/// Builds the `convert-parity` binary (debug) and returns its path.
pub fn build_runner() -> Result<PathBuf> {
    build_runner_in("debug")
}

/// Builds the `convert-parity` binary with the release profile (for long
/// fuzz campaigns) and returns its path.
pub fn build_runner_release() -> Result<PathBuf> {
    build_runner_in("release")
}

fn build_runner_in(profile: &str) -> Result<PathBuf> {
    let mut args = vec![
        "build",
        "--quiet",
        "--package",
        "convert-parity",
        "--bin",
        "convert-parity",
    ];
    if profile == "release" {
        args.push("--release");
    }
    run_ok(&mut cargo(args))?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("target"));
    Ok(target_dir
        .join(profile)
        .join(format!("convert-parity{}", std::env::consts::EXE_SUFFIX)))
}

fn display(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
