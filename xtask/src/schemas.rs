//! `cargo xtask schemas [--check]`: the JSON Schemas in `spec/schemas/` are
//! generated from the contract types in `convert-spec` (and the report types
//! of `convert-parity`); `--check` fails when the committed files drift.

use std::collections::BTreeSet;

use anyhow::{Result, bail};

use crate::util::{FileStatus, ensure_file, files_with_extension, project_root};

/// Every generated schema as (path relative to `spec/schemas/`, text).
pub fn generated() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = convert_spec::schema::all_schemas()
        .into_iter()
        .map(|(path, schema)| (path, convert_spec::schema::render(&schema)))
        .collect();
    all.push((
        "report.schema.json".to_owned(),
        convert_spec::schema::render(&convert_parity::report::schema()),
    ));
    all.sort();
    all
}

/// Writes or checks `spec/schemas/`.
pub fn run(check: bool) -> Result<()> {
    let dir = project_root().join("spec/schemas");
    let schemas = generated();
    let mut drifted = Vec::new();
    for (relative, text) in &schemas {
        if ensure_file(&dir.join(relative), text, check)? == FileStatus::Changed {
            drifted.push(relative.clone());
        }
    }
    let expected: BTreeSet<_> = schemas.iter().map(|(p, _)| dir.join(p)).collect();
    let stale: Vec<_> = files_with_extension(&dir, "json")?
        .into_iter()
        .filter(|p| !expected.contains(p))
        .collect();
    if check {
        if !drifted.is_empty() || !stale.is_empty() {
            let mut msg = String::from("spec/schemas/ is out of date with the contract types:\n");
            for p in &drifted {
                msg.push_str(&format!("  would change: spec/schemas/{p}\n"));
            }
            for p in &stale {
                msg.push_str(&format!("  not generated (remove it): {}\n", p.display()));
            }
            msg.push_str("run `cargo xtask schemas` and commit the result");
            bail!(msg);
        }
        println!("spec/schemas/: {} schemas up to date", schemas.len());
    } else {
        for p in &stale {
            std::fs::remove_file(p)?;
        }
        println!(
            "spec/schemas/: {} schemas, {} written, {} stale removed",
            schemas.len(),
            drifted.len(),
            stale.len()
        );
    }
    Ok(())
}
