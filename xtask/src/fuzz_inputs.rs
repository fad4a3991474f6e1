//! `cargo xtask fuzz-inputs`: the fuzz targets of `crates/convert-fuzz`
//! with a budget.
//!
//! - `--engine proptest` (the default): the deterministic proptest driver,
//!   built in release mode; needs nothing but cargo.
//! - `--engine libfuzzer`: coverage-guided libFuzzer through `cargo fuzz`
//!   (installed from crates.io when missing). cargo-fuzz needs nightly
//!   compiler flags; on a stable toolchain it runs with
//!   `RUSTC_BOOTSTRAP=1`. The corpus starts from the project's vectors
//!   (`fuzz/corpus/<target>/`); findings go to `fuzz/artifacts/<target>/`.
//!
//! Each target's executions are printed in a table, to record in
//! `docs/robustness.md`. `cargo xtask test` runs a small fixed budget
//! through the tests of `convert-fuzz` instead.

use std::process::{Command, ExitCode};

use anyhow::{Context as _, Result, bail};

use crate::cargo::{cargo, run_ok};
use crate::util::project_root;

/// The fuzz targets (as `crates/convert-fuzz` names them).
const TARGETS: &[&str] = &["config", "rule", "protocol", "vectors"];

/// Which fuzzing engine to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// The deterministic proptest driver (stable Rust, no extra tools).
    Proptest,
    /// libFuzzer through `cargo fuzz` (coverage-guided).
    Libfuzzer,
}

/// The budget and selection.
pub struct Options {
    /// The engine.
    pub engine: Engine,
    /// Cases (proptest) or runs (libFuzzer) per target.
    pub cases: u64,
    /// Seconds per target, if set.
    pub time: Option<u64>,
    /// Targets (empty: all).
    pub targets: Vec<String>,
    /// The proptest seed.
    pub seed: u64,
}

/// Runs the chosen targets with the budget.
pub fn run(options: &Options) -> Result<ExitCode> {
    let targets: Vec<&str> = if options.targets.is_empty() {
        TARGETS.to_vec()
    } else {
        for t in &options.targets {
            if !TARGETS.contains(&t.as_str()) {
                bail!("no fuzz target `{t}` (targets: {})", TARGETS.join(", "));
            }
        }
        options.targets.iter().map(String::as_str).collect()
    };
    match options.engine {
        Engine::Proptest => proptest(options, &targets),
        Engine::Libfuzzer => libfuzzer(options, &targets),
    }
}

fn proptest(options: &Options, targets: &[&str]) -> Result<ExitCode> {
    let root = project_root();
    let mut command = cargo([
        "run",
        "--release",
        "--quiet",
        "-p",
        "convert-fuzz",
        "--",
        "run",
        "--cases",
        &options.cases.to_string(),
        "--seed",
        &options.seed.to_string(),
        "--out",
    ]);
    command.arg(root.join("target/fuzz-inputs"));
    command.arg("--root").arg(&root);
    if let Some(time) = options.time {
        command.args(["--time", &time.to_string()]);
    }
    for t in targets {
        command.args(["--target", t]);
    }
    run_ok(&mut command)?;
    Ok(ExitCode::SUCCESS)
}

fn has_cargo_fuzz() -> bool {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn libfuzzer(options: &Options, targets: &[&str]) -> Result<ExitCode> {
    let root = project_root();
    if !has_cargo_fuzz() {
        eprintln!("== installing cargo-fuzz from crates.io");
        run_ok(&mut cargo(["install", "cargo-fuzz", "--locked"]))?;
    }
    let fuzz_dir = root.join("fuzz");
    let corpus = fuzz_dir.join("corpus");
    let mut seeds = cargo(["run", "--quiet", "-p", "convert-fuzz", "--", "seeds"]);
    seeds.arg("--root").arg(&root).arg("--out").arg(&corpus);
    run_ok(&mut seeds)?;
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for t in targets {
        eprintln!("== libFuzzer: {t}");
        let mut command = cargo(["fuzz", "run", "--sanitizer", "none", "--fuzz-dir"]);
        command
            .arg(&fuzz_dir)
            .arg(t)
            .arg(corpus.join(t))
            .arg("--")
            .arg(format!("-runs={}", options.cases))
            .arg("-timeout=60")
            .arg("-rss_limit_mb=4096")
            .arg(format!("-max_len={}", max_len(t)))
            .arg(format!(
                "-artifact_prefix={}/",
                fuzz_dir.join("artifacts").join(t).display()
            ));
        if let Some(time) = options.time {
            command.arg(format!("-max_total_time={time}"));
        }
        std::fs::create_dir_all(fuzz_dir.join("artifacts").join(t))?;
        // cargo-fuzz passes nightly-only flags; the stable toolchain accepts
        // them under RUSTC_BOOTSTRAP.
        command.env("RUSTC_BOOTSTRAP", "1").current_dir(&root);
        let log_path = root.join(format!("target/fuzz-inputs/libfuzzer-{t}.log"));
        std::fs::create_dir_all(root.join("target/fuzz-inputs"))?;
        eprintln!("   (libFuzzer's output: {})", log_path.display());
        command.stderr(std::fs::File::create(&log_path)?);
        let status = command
            .status()
            .with_context(|| format!("running cargo fuzz for {t}"))?;
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        let runs = done_runs(&log);
        if !status.success() {
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
            failed.push(*t);
        }
        rows.push((*t, runs, status.success()));
    }
    println!("target     execs        result");
    for (t, runs, ok) in &rows {
        let runs = runs.map_or_else(|| "?".to_owned(), |r| r.to_string());
        let result = if *ok {
            "ok: 0 crashes, 0 timeouts".to_owned()
        } else {
            format!("FAILED (see fuzz/artifacts/{t}/)")
        };
        println!("{t:<10} {runs:<12} {result}");
    }
    if !failed.is_empty() {
        bail!("libFuzzer found failures in: {}", failed.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

/// The longest input libFuzzer generates for a target: whole vector files
/// and configs need room; a protocol session runs every request through the
/// reference, so shorter sessions fuzz faster.
fn max_len(target: &str) -> usize {
    match target {
        "protocol" | "rule" => 4096,
        _ => 65_536,
    }
}

/// The run count of libFuzzer's closing line (`Done 1000000 runs in 42
/// second(s)`), or the last status line's `#N`.
fn done_runs(log: &str) -> Option<u64> {
    if let Some(line) = log.lines().rev().find(|l| l.starts_with("Done ")) {
        return line.split_whitespace().nth(1)?.parse().ok();
    }
    log.lines()
        .rev()
        .find_map(|l| l.strip_prefix('#'))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_run_count_of_libfuzzer() {
        let log = "#524288\tpulse  cov: 1 ft: 2\n#1000000\tDONE   cov: 1\nDone 1000000 runs in 42 second(s)\n";
        assert_eq!(done_runs(log), Some(1_000_000));
        assert_eq!(done_runs("#77\tNEW cov: 3\n==1== ERROR"), Some(77));
        assert_eq!(done_runs("nothing"), None);
    }
}
