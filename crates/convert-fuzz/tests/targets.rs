//! Every fuzz target on a small, fixed budget (what `cargo xtask test`
//! runs; `cargo xtask fuzz-inputs` runs the large ones), and every saved
//! input under `regressions/` replayed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use convert_fuzz::driver::{self, Budget};
use convert_fuzz::{seeds, targets};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Cases per target in CI; `CONVERT_FUZZ_CASES` overrides it.
fn cases(default: u64) -> u64 {
    std::env::var("CONVERT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn fuzz(name: &str, default_cases: u64) {
    let target = targets::target(name).unwrap();
    let seeds = seeds::seeds(&root(), name);
    if name != "rule" {
        assert!(!seeds.is_empty(), "{name}: seeds come from vectors/v1");
    }
    let out = tempfile::tempdir().unwrap();
    let budget = Budget {
        cases: cases(default_cases),
        time: None,
        // Far above any case (the slowest take milliseconds): only a real
        // hang reaches it.
        hang_limit: Duration::from_secs(120),
    };
    let report = driver::run(target, seeds, budget, 20_261_201, out.path()).unwrap();
    assert_eq!(report.failure, None, "{name}");
    assert_eq!(report.cases, budget.cases);
    assert!(report.execs >= report.cases);
}

#[test]
fn config_target_small_budget() {
    fuzz("config", 400);
}

#[test]
fn rule_target_small_budget() {
    fuzz("rule", 3_000);
}

#[test]
fn protocol_target_small_budget() {
    fuzz("protocol", 400);
}

#[test]
fn vectors_target_small_budget() {
    fuzz("vectors", 400);
}

/// Inputs that once failed (or that pin a bound) stay fixed.
#[test]
fn saved_regressions_replay() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut replayed = 0;
    for target in targets::TARGETS {
        let Ok(entries) = std::fs::read_dir(dir.join(target.name)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (target.run)(&bytes);
            replayed += 1;
        }
    }
    assert!(
        replayed > 0,
        "no regression inputs found under {}",
        dir.display()
    );
}
