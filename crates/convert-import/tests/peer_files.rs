//! Imports the SDK family's published peer vector files and checks what the
//! importers make of them. The files are read where they are
//! (`$CONVERT_PARITY_PEER_VECTORS`, else `../shared/peer-vectors` beside the
//! project root); a missing folder is a failure, not a skip.

use std::path::Path;

use convert_import::{PeerKind, import, import_dir, peer_vectors_dir};
use convert_spec::Family;

fn dir() -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = peer_vectors_dir(&root);
    assert!(
        dir.is_dir(),
        "peer vector folder {} not found: set {} to the SDK family's peer-vectors folder",
        dir.display(),
        convert_import::PEER_VECTORS_ENV
    );
    dir
}

#[test]
fn every_published_file_is_recognised_and_imported_or_explained() {
    let imported = import_dir(&dir()).expect("peer files import");
    let mut counts = std::collections::BTreeMap::new();
    for i in &imported {
        match (&i.file, &i.not_imported) {
            (Some(file), None) => {
                *counts.entry(i.kind).or_insert(0) += file.cases.len();
            }
            (None, Some(reason)) => assert!(!reason.is_empty(), "{}", i.source.display()),
            _ => panic!("{}: neither imported nor explained", i.source.display()),
        }
    }
    // The published files, as counted in the SDKs' own documentation.
    assert_eq!(counts.get(&PeerKind::PythonHash), Some(&80));
    assert_eq!(counts.get(&PeerKind::PythonRule), Some(&44));
    assert_eq!(counts.get(&PeerKind::JsAnchored), Some(&59));
    assert_eq!(counts.get(&PeerKind::RubyHash), Some(&75));
    assert_eq!(counts.get(&PeerKind::PhpRule), Some(&(65 + 12)));
    assert_eq!(counts.get(&PeerKind::PythonState), Some(&18));
    let feature = imported
        .iter()
        .find(|i| i.kind == PeerKind::PythonFeature)
        .unwrap();
    assert!(
        feature
            .not_imported
            .as_deref()
            .unwrap()
            .contains("variation_key")
    );
}

#[test]
fn anchored_vectors_become_experience_cases_with_their_contract() {
    let path = dir().join("python-sdk/anchored_bucketing_vectors.json");
    let imported = import(PeerKind::JsAnchored, &path).unwrap();
    let file = imported.file.unwrap();
    assert_eq!(file.family, Family::Experience);
    let anchored = file
        .cases
        .iter()
        .filter(|c| c.requires.contract_versions == [12])
        .count();
    let packed = file
        .cases
        .iter()
        .filter(|c| c.requires.contract_versions == [11])
        .count();
    // 19 vectors at version 11 and 40 at version 12 (js-sdk-behaviour §10).
    assert_eq!((packed, anchored), (19, 40));
    let nulls = file
        .cases
        .iter()
        .filter(|c| c.expected["variation_id"].is_null())
        .count();
    assert_eq!(nulls, 16);
}
