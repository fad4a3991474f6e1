//! `cargo xtask vectors [--check]`: writes `vectors/v1/` from the case sources
//! in `vectors/src/`, asking each source file's oracle (a real SDK's adapter)
//! for the expected values. `--check` writes nothing and fails when a
//! regeneration would change any file.
//!
//! `vectors/ids.lock` records every case id ever issued with the digest of its
//! input, so an id can never be reused for a different input.

pub mod ledger;
pub mod oracle;
pub mod peers;
pub mod source;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use convert_spec::vector::{Case, Oracle as OracleInfo, Provenance, VectorFile};

use crate::util::{FileStatus, ensure_file, files_with_extension, project_root};
use oracle::{Answer, Oracle};
use source::Expanded;

/// Regenerates (or checks) the vector files, asking oracles through `connect`.
pub fn run(check: bool) -> Result<()> {
    let root = project_root();
    generate(&root, check, &mut |name| oracle::connect(&root, name))?;
    let mut js = oracle::connect(&root, "js")?;
    let dir = convert_import::peer_vectors_dir(&root);
    let findings = peers::findings(&dir, js.as_mut())?;
    let path = root.join("vectors/peer-findings.json");
    let text = peers::render(&findings)?;
    if ensure_file(&path, &text, check)? == FileStatus::Changed {
        if check {
            bail!(
                "vectors/peer-findings.json is out of date: run `cargo xtask vectors` and commit the result"
            );
        }
        println!("vectors/peer-findings.json: written");
    }
    println!(
        "vectors/peer-findings.json: {} finding(s) against peer files",
        findings.findings.len()
    );
    Ok(())
}

/// The generator, with the way to reach an oracle passed in (tests use fakes).
pub fn generate(
    root: &Path,
    check: bool,
    connect: &mut dyn FnMut(&str) -> Result<Box<dyn Oracle>>,
) -> Result<()> {
    let sources = source::load_all(root, &root.join("vectors/src"))?;
    if sources.is_empty() {
        bail!("no case sources under vectors/src/");
    }
    let mut by_oracle: BTreeMap<&str, Vec<&Expanded>> = BTreeMap::new();
    for s in &sources {
        by_oracle.entry(s.file.oracle.as_str()).or_default().push(s);
    }
    let mut outputs: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut ledger = ledger::Ledger::load(&root.join("vectors/ids.lock"))?;
    for (name, files) in by_oracle {
        let mut oracle = connect(name).with_context(|| format!("starting oracle `{name}`"))?;
        for source in files {
            let file = answer_file(name, oracle.as_mut(), source)?;
            let text = render(&file);
            let out = root
                .join("vectors/v1")
                .join(source.file.family.as_str())
                .join(format!("{}.json", source.stem));
            VectorFile::parse(&out, &text)
                .with_context(|| format!("the generated {} is invalid", out.display()))?;
            for case in &file.cases {
                ledger.record(&case.id, &case.input)?;
            }
            outputs.insert(out, text);
        }
    }

    let mut changed = Vec::new();
    for (path, text) in &outputs {
        if ensure_file(path, text, check)? == FileStatus::Changed {
            changed.push(path.clone());
        }
    }
    let produced: BTreeSet<&PathBuf> = outputs.keys().collect();
    let stale: Vec<PathBuf> = files_with_extension(&root.join("vectors/v1"), "json")?
        .into_iter()
        .filter(|p| !produced.contains(p))
        .collect();
    let ledger_changed = ledger.save(check)?;
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let cases: usize = sources.iter().map(|s| s.cases.len()).sum();
    if check {
        if !changed.is_empty() || !stale.is_empty() || ledger_changed {
            let mut msg =
                String::from("vectors/ are out of date with their sources and oracles:\n");
            for p in &changed {
                msg.push_str(&format!("  would change: {}\n", rel(p)));
            }
            for p in &stale {
                msg.push_str(&format!("  has no source (remove it): {}\n", rel(p)));
            }
            if ledger_changed {
                msg.push_str("  vectors/ids.lock lacks new case ids\n");
            }
            msg.push_str("run `cargo xtask vectors` and commit the result");
            bail!(msg);
        }
        println!(
            "vectors/v1/: {} files, {cases} cases up to date",
            outputs.len()
        );
    } else {
        for p in &stale {
            std::fs::remove_file(p).with_context(|| format!("removing {}", p.display()))?;
        }
        println!(
            "vectors/v1/: {} files, {cases} cases; {} written, {} stale removed",
            outputs.len(),
            changed.len(),
            stale.len()
        );
    }
    Ok(())
}

fn answer_file(name: &str, oracle: &mut dyn Oracle, source: &Expanded) -> Result<VectorFile> {
    let family = source.file.family;
    let mut cases = Vec::with_capacity(source.cases.len());
    let mut requests = Vec::with_capacity(source.cases.len());
    for case in &source.cases {
        let derived = convert_spec::families::check_input(family, &case.input).map_err(|e| {
            anyhow::anyhow!("{}: case `{}`: input {e}", source.source.display(), case.id)
        })?;
        let requires = case.requires.union(&derived);
        if let Some(missing) = oracle.capabilities().missing(family, &requires) {
            bail!(
                "{}: case `{}` cannot be answered by oracle `{name}`: {missing}; move it to a source file whose oracle declares it",
                source.source.display(),
                case.id
            );
        }
        requests.push((case.id.clone(), case.input.clone()));
        cases.push((case, requires));
    }
    let answers = oracle.answer(family, &requests)?;
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(cases.len());
    for ((case, requires), answer) in cases.into_iter().zip(answers) {
        match answer {
            Answer::Result(expected) => out.push(Case {
                id: case.id.clone(),
                description: case.description.clone(),
                spec_refs: case.spec_refs.clone(),
                requires,
                compare: case.compare.clone(),
                input: case.input.clone().into(),
                expected: authoritative_part(name, family, expected),
            }),
            other => problems.push(format!("  {}: {other}", case.id)),
        }
    }
    if !problems.is_empty() {
        bail!(
            "{}: oracle `{name}` did not answer every case (a case the oracle cannot answer has no expected value and does not belong in this file):\n{}",
            source.source.display(),
            problems.join("\n")
        );
    }
    let implementation = oracle.implementation();
    Ok(VectorFile {
        family,
        description: source.file.description.clone(),
        provenance: Provenance {
            oracle: OracleInfo {
                name: implementation.name.clone(),
                version: implementation.version.clone(),
                language: implementation.language.clone(),
                adapter: format!("adapters/{name}"),
            },
            generator: "cargo xtask vectors".into(),
            source: source.source.display().to_string().replace('\\', "/"),
            notes: source.file.notes.clone(),
        },
        spec_refs: source.file.spec_refs.clone(),
        compare: source.file.compare.clone(),
        cases: out,
    })
}

/// Removes what an oracle is not authoritative for from its answer. The
/// Python SDK 2.1.0 reports `audience_mismatch` for every experience miss but
/// an unknown key (location, environment, traffic, …) and its diagnostics
/// ignore an active preview, so it is never the oracle for decision reasons:
/// they are left out of Python-oracle vectors (not asserted there). Nor is
/// it the oracle for the store key: its `state:["<visitor>"]` key is its own
/// format, where the family's contract is the JS SDK's
/// `<account>-<project>-<visitor>`.
fn authoritative_part(
    oracle: &str,
    family: convert_spec::Family,
    mut expected: serde_json::Value,
) -> serde_json::Value {
    use convert_spec::Family;
    if let (true, Some(map)) = (
        oracle == "python" && matches!(family, Family::Experience),
        expected.as_object_mut(),
    ) {
        map.remove("reason");
        map.remove("store_key");
    }
    expected
}

/// A vector file as committed: pretty JSON and a final newline.
pub fn render(file: &VectorFile) -> String {
    let mut text = serde_json::to_string_pretty(file).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use convert_spec::protocol::Implementation;
    use convert_spec::{Capabilities, Family};
    use oracle::Answer;
    use serde_json::{Value, json};

    /// A stand-in oracle: "hashes" a value to its length plus a shift, so a
    /// test can change the answers and watch `--check` notice.
    struct Fake {
        implementation: Implementation,
        capabilities: Capabilities,
        shift: u32,
    }

    impl Oracle for Fake {
        fn implementation(&self) -> &Implementation {
            &self.implementation
        }
        fn capabilities(&self) -> &Capabilities {
            &self.capabilities
        }
        fn answer(&mut self, _: Family, cases: &[(String, Value)]) -> Result<Vec<Answer>> {
            Ok(cases
                .iter()
                .map(|(_, input)| {
                    let n = input["value"].as_str().map_or(0, str::len) as u32;
                    Answer::Result(json!({"hash": n + self.shift}))
                })
                .collect())
        }
    }

    impl Fake {
        fn new(shift: u32) -> Fake {
            Fake {
                implementation: Implementation {
                    name: "fake".into(),
                    version: "1".into(),
                    language: "test".into(),
                    runtime: None,
                },
                capabilities: Capabilities {
                    families: vec!["hash".into()],
                    contract_versions: vec![11],
                    features: vec![],
                },
                shift,
            }
        }
    }

    fn fake(shift: u32) -> Box<dyn Oracle> {
        Box::new(Fake::new(shift))
    }

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("vectors/src/hash");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(
            src.join("basic.json"),
            json!({
                "family": "hash", "description": "d", "spec_refs": ["hash.murmur3"],
                "cases": [
                    {"id": "hash/basic/{s}", "description": "value {s}",
                     "matrix": {"s": {"a": "a", "bb": "bb"}},
                     "input": {"value": "{{s}}", "seed": 1}}
                ]
            })
            .to_string(),
        )
        .unwrap();
        dir
    }

    #[test]
    fn generation_writes_files_and_check_detects_drift() {
        let dir = project();
        let root = dir.path();
        generate(root, false, &mut |_| Ok(fake(0))).unwrap();
        let written = VectorFile::load(&root.join("vectors/v1/hash/basic.json")).unwrap();
        assert_eq!(written.cases.len(), 2);
        assert_eq!(written.cases[1].expected, json!({"hash": 2}));
        assert_eq!(written.provenance.oracle.adapter, "adapters/js");
        assert_eq!(written.provenance.source, "vectors/src/hash/basic.json");
        // Same answers: clean.
        generate(root, true, &mut |_| Ok(fake(0))).unwrap();
        // Different answers: drift.
        let err = generate(root, true, &mut |_| Ok(fake(1))).unwrap_err();
        assert!(err.to_string().contains("would change"), "{err}");
        // A vector file without a source is stale.
        std::fs::write(root.join("vectors/v1/hash/orphan.json"), "{}").unwrap();
        let err = generate(root, true, &mut |_| Ok(fake(0))).unwrap_err();
        assert!(err.to_string().contains("orphan.json"), "{err}");
    }

    #[test]
    fn a_changed_input_under_an_old_id_is_refused() {
        let dir = project();
        let root = dir.path();
        generate(root, false, &mut |_| Ok(fake(0))).unwrap();
        let src = root.join("vectors/src/hash/basic.json");
        let text = std::fs::read_to_string(&src)
            .unwrap()
            .replace("\"seed\":1", "\"seed\":2");
        std::fs::write(&src, text).unwrap();
        let err = generate(root, false, &mut |_| Ok(fake(0))).unwrap_err();
        assert!(format!("{err:#}").contains("never reused"), "{err:#}");
    }

    #[test]
    fn an_oracle_lacking_a_capability_is_named() {
        let dir = project();
        let err = generate(dir.path(), false, &mut |_| {
            let mut oracle = Fake::new(0);
            oracle.capabilities.families = vec!["rule".into()];
            Ok(Box::new(oracle) as Box<dyn Oracle>)
        })
        .unwrap_err();
        assert!(err.to_string().contains("cannot be answered"), "{err}");
    }
}
