//! `cargo xtask test`: everything CI checks, in the order that fails fastest.

use std::process::{Command, ExitCode};

use anyhow::{Result, bail};

use crate::cargo::{cargo, run_ok};

/// Runs every check; stops at the first failing step.
pub fn run() -> Result<ExitCode> {
    step("formatting", || {
        run_ok(&mut cargo(["fmt", "--all", "--", "--check"]))
    })?;
    step("clippy", || {
        run_ok(&mut cargo([
            "clippy",
            "--workspace",
            "--all-targets",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    step("schemas are generated from the contract types", || {
        crate::schemas::run(true)
    })?;
    step(
        "docs: generated sections (spec links, report fields) are current",
        || crate::docs::run(true),
    )?;
    step(
        "system packages the tests use (chromium, xmllint)",
        system_packages,
    )?;
    let runner = crate::cargo::build_runner()?;
    let root = crate::util::project_root();
    step(
        "adapters: install from their lockfiles and run their own tests",
        || {
            run_ok(
                Command::new(&runner)
                    .args(["install", "--self-test"])
                    .current_dir(&root),
            )
        },
    )?;
    step(
        "adapters: smoke (handshake and one case per family, schema-validated)",
        || {
            for name in ["js", "python"] {
                run_ok(
                    Command::new(&runner)
                        .args(["smoke", "--adapter", name])
                        .current_dir(&root),
                )?;
            }
            let me = runner.display().to_string();
            run_ok(
                Command::new(&runner)
                    .args(["smoke", "--adapter-cmd", &format!("{me} adapter")])
                    .current_dir(&root),
            )
        },
    )?;
    step(
        "vectors and peer findings are what the oracles answer",
        || crate::vectors::run(true),
    )?;
    step("tests", || {
        if has_nextest() {
            run_ok(&mut cargo([
                "nextest",
                "run",
                "--workspace",
                "--no-fail-fast",
            ]))?;
            run_ok(&mut cargo(["test", "--workspace", "--doc", "--quiet"]))
        } else {
            run_ok(&mut cargo([
                "test",
                "--workspace",
                "--quiet",
                "--no-fail-fast",
            ]))
        }
    })?;
    step("examples run offline", || {
        for example in ["quickstart", "lifecycle"] {
            run_ok(&mut cargo([
                "run",
                "--quiet",
                "-p",
                "convert-sdk",
                "--example",
                example,
            ]))?;
        }
        Ok(())
    })?;
    eprintln!("== parity: the full matrix against the real SDKs");
    let code = crate::parity::run(&[])?;
    if code != ExitCode::SUCCESS {
        bail!("the parity run failed (see the table above and target/parity/)");
    }
    step(
        "mutation score: every seeded fault of the engine is killed by a vector",
        || {
            crate::mutants::clippy()?;
            crate::mutants::run(true)
        },
    )?;
    eprintln!(
        "== differential fuzzing: the reference and both SDKs, seed {}, {} cases per family",
        crate::fuzz::CI_SEED,
        crate::fuzz::CI_CASES
    );
    let code = crate::fuzz::run(
        &runner,
        &[
            "--seed".into(),
            crate::fuzz::CI_SEED.to_string(),
            "--cases".into(),
            crate::fuzz::CI_CASES.to_string(),
        ],
    )?;
    if code != ExitCode::SUCCESS {
        bail!(
            "the fuzzer found disagreements (see above and target/parity/fuzz/): fix them, or declare them with a reason and a vector"
        );
    }
    eprintln!("== all checks passed");
    Ok(ExitCode::SUCCESS)
}

/// Headless Chromium (the HTML report test) and xmllint (the JUnit schema
/// test) are system packages: installed by `.ci/install-system-packages`
/// when missing and this machine can (root or sudo, apt-get); otherwise the
/// step fails saying how to install them.
fn system_packages() -> Result<()> {
    let have = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if have("chromium") && have("xmllint") {
        return Ok(());
    }
    let script = crate::util::project_root().join(".ci/install-system-packages");
    run_ok(Command::new("bash").arg(&script)).map_err(|e| {
        anyhow::anyhow!(
            "{e}\nthe tests need chromium and xmllint: run `sudo {}` (Debian/Ubuntu), or install them with your package manager",
            script.display()
        )
    })
}

fn step(name: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    eprintln!("== {name}");
    f()
}

fn has_nextest() -> bool {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}
