//! A peer file the importers cannot map is an error naming the field, never
//! silently dropped data.

use convert_import::{ImportError, PeerKind, import};

fn write(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn an_unknown_field_is_named() {
    let (_d, path) = write(
        "rule_vectors.json",
        r#"{"generated_from":{},"vectors":[{"id":"a","data":{},"rule":{},"expected":true,"weight":3}]}"#,
    );
    let err = import(PeerKind::PythonRule, &path).unwrap_err();
    assert!(matches!(err, ImportError::Format { .. }));
    let text = err.to_string();
    assert!(text.contains("weight"), "{text}");
    assert!(text.contains("vectors[0]"), "{text}");
}

#[test]
fn an_unknown_variation_field_is_named() {
    let (_d, path) = write(
        "anchored_bucketing_vectors.json",
        r#"[{"description":"d","experienceId":"1","visitorId":"v","version":11,"variations":[{"id":"A","weight":5}],"expected":null}]"#,
    );
    let text = import(PeerKind::JsAnchored, &path).unwrap_err().to_string();
    assert!(text.contains("[0].variations[0].weight"), "{text}");
}

#[test]
fn a_wrong_type_is_an_error_not_a_panic() {
    let (_d, path) = write(
        "test-vectors.json",
        r#"[{"category":"x","input":5,"seed":1,"expected":2}]"#,
    );
    let text = import(PeerKind::RubyHash, &path).unwrap_err().to_string();
    assert!(text.contains("[0].input"), "{text}");
}

#[test]
fn kinds_are_detected_by_file_name() {
    use std::path::Path;
    assert_eq!(
        PeerKind::detect(Path::new("x/rule-test-vectors.json")),
        Some(PeerKind::PhpRule)
    );
    assert_eq!(
        PeerKind::detect(Path::new("cross-sdk-bucketing-vectors.json")),
        Some(PeerKind::JsAnchored)
    );
    assert_eq!(PeerKind::detect(Path::new("other.json")), None);
    assert_eq!("php-rule".parse::<PeerKind>().unwrap(), PeerKind::PhpRule);
    assert!("nope".parse::<PeerKind>().is_err());
}
