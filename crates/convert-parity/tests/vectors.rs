//! The gate as plain `cargo test` / `cargo nextest run`: one test per vector
//! file under `vectors/v1/`, run against the reference engine in-process and,
//! when an environment variable names one, against an adapter too:
//!
//! - `CONVERT_PARITY_ADAPTER=js` — an installed adapter under `adapters/`,
//!   with its divergence file;
//! - `CONVERT_PARITY_ADAPTER_CMD="my-sdk-adapter --flag"` — any command
//!   speaking the adapter protocol (divergences from
//!   `CONVERT_PARITY_DIVERGENCES`, if set).
//!
//! An SDK team gets per-file results in its CI's test tab this way.

use std::path::{Path, PathBuf};

use convert_parity::adapter::AdapterConfig;
use convert_parity::report;
use convert_parity::run::{Suite, TargetSpec, execute};
use datatest_stable::Utf8Path;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn adapter_target() -> anyhow::Result<Option<TargetSpec>> {
    if let Ok(name) = std::env::var("CONVERT_PARITY_ADAPTER") {
        let dir = convert_parity::install::find(&root(), &name)?;
        anyhow::ensure!(
            dir.is_installed(),
            "adapter `{name}` is not installed: run `cargo run -p convert-parity -- install {name}`"
        );
        let config = AdapterConfig::new(dir.name(), dir.start_argv(), dir.dir.clone());
        return Ok(Some(TargetSpec::Adapter {
            config,
            divergences: dir.divergences().map_err(|e| e.to_string()),
        }));
    }
    if let Ok(command) = std::env::var("CONVERT_PARITY_ADAPTER_CMD") {
        let argv = shell_words::split(&command)?;
        let config = AdapterConfig::new("cmd", argv, std::env::current_dir()?);
        let divergences = match std::env::var("CONVERT_PARITY_DIVERGENCES") {
            Ok(path) => convert_parity::divergence::read_file(Path::new(&path)),
            Err(_) => Ok(Default::default()),
        };
        return Ok(Some(TargetSpec::Adapter {
            config,
            divergences,
        }));
    }
    Ok(None)
}

fn check(path: &Path) -> anyhow::Result<()> {
    let path = path.canonicalize()?;
    let mut suite = Suite::load(&root().join("vectors/v1"))?;
    suite.retain_files(|f| {
        Path::new(&f.source).canonicalize().ok().as_deref() == Some(path.as_path())
    });
    let family = suite
        .files
        .first()
        .map(|f| f.file.family)
        .ok_or_else(|| anyhow::anyhow!("{} is not part of the vector set", path.display()))?;
    suite.families.insert(family);
    // One file is a deliberately narrowed run: a file every case of which a
    // target skips for a capability (e.g. contract 12 on JS 4.4.3) is not a
    // vacuous run. The whole-run check lives in `convert-parity run`.
    suite.check_vacuous = false;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut targets = vec![TargetSpec::reference(&root)];
    targets.extend(adapter_target()?);
    let (report, _) = execute(&suite, targets);
    anyhow::ensure!(
        report.exit_code == 0,
        "{}\n{}\n{}",
        report::render_failures(&report, 10),
        report::render_summary(&report),
        report::render_totals(&report)
    );
    Ok(())
}

fn vector_file(path: &Utf8Path) -> datatest_stable::Result<()> {
    Ok(check(path.as_std_path())?)
}

datatest_stable::harness! {
    { test = vector_file, root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/v1"), pattern = r"\.json$" },
}
