//! Every clause a vector cites (`spec_refs`) is a clause heading of the
//! spec (`### <id>: <title>` in `spec/*.md`), so a reader can always follow
//! a case to its prose.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use convert_spec::vector::VectorFile;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn clause_ids() -> BTreeSet<String> {
    convert_parity::trace::clauses(&root().join("spec"))
        .expect("spec/ is readable")
        .into_iter()
        .map(|c| c.id)
        .collect()
}

fn vector_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("vector folder exists") {
        let path = entry.expect("readable entry").path();
        if path.is_dir() {
            vector_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn every_cited_clause_exists() {
    let ids = clause_ids();
    assert!(ids.contains("experience.lookup"), "clause headings parse");
    let mut files = Vec::new();
    vector_files(&root().join("vectors/v1"), &mut files);
    assert!(files.len() > 10, "the vector set is found");
    let mut missing = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable vector file");
        let vectors: VectorFile = serde_json::from_str(&text).expect("a vector file");
        let cited = vectors
            .spec_refs
            .iter()
            .chain(vectors.cases.iter().flat_map(|c| c.spec_refs.iter()));
        for id in cited {
            if !ids.contains(id) {
                missing.insert(format!("{id} (cited in {})", file.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "clauses cited but not in spec/: {missing:#?}"
    );
}
