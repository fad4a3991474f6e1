//! Importers for the Convert SDK family's own cross-SDK vector files.
//!
//! Each SDK repository carries its own parity fixtures, in its own format.
//! These importers read them where they are (they are never copied into this
//! project) and turn them into ordinary [`VectorFile`]s, so every target runs
//! them exactly like the project's own vectors. A field an importer cannot
//! map is an error naming it (peer structs reject unknown fields), never
//! dropped; a file whose surface has no family yet is reported as not
//! imported, with the reason.
//!
//! | kind | file (in its repository) | family |
//! |---|---|---|
//! | `python-hash` | python-sdk `tests/parity/fixtures/bucketing_vectors.json` | `hash` |
//! | `python-rule` | python-sdk `tests/parity/fixtures/rule_vectors.json` | `rule` |
//! | `js-anchored` | javascript-sdk `packages/bucketing/tests/cross-sdk-bucketing-vectors.json` (= python-sdk `anchored_bucketing_vectors.json`) | `experience` |
//! | `ruby-hash` | ruby-sdk `spec/fixtures/cross_sdk/test-vectors.json` | `hash` |
//! | `php-rule` | php-sdk `tests/CrossSdk/rule-test-vectors.json` | `rule` |
//! | `python-state` | python-sdk `tests/parity/fixtures/state_vectors.json` | `segments` |
//! | `python-feature` | python-sdk `feature_vectors.json` | not imported: it asserts `variation_key`, which the `feature` family does not carry |
//! | `python-bucketing-event` | python-sdk `bucketing_event_vectors.json` | no: its cases assert an event object alone; `scenario` vectors (JS oracle) cover the shape in whole requests |

mod anchored;
mod kind;
mod php;
mod python;
mod ruby;

use std::path::{Path, PathBuf};

use convert_spec::vector::{Case, Oracle, Provenance, VectorError, VectorFile};
use convert_spec::{Family, Requirements};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use kind::PeerKind;

/// What importing one peer file produced.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The format it was read as.
    pub kind: PeerKind,
    /// The file read.
    pub source: PathBuf,
    /// The cases, as a vector file of one family; `None` when the file's
    /// surface has no family yet (see `not_imported`).
    pub file: Option<VectorFile>,
    /// Why the file was not imported, when it was not.
    pub not_imported: Option<String>,
}

/// Why a peer file cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file does not have the format of its kind (including a field the
    /// importer does not know how to map).
    #[error("{path}: not a {kind} file: at {at}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// The kind it was read as.
        kind: PeerKind,
        /// JSON path of the fault.
        at: String,
        /// What is wrong.
        message: String,
    },
    /// The imported cases do not form a valid vector file.
    #[error("{path}: imported cases are invalid: {source}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The vector error.
        source: Box<VectorError>,
    },
    /// No importer recognises the file name.
    #[error("{path}: no importer recognises this file name; name the kind explicitly")]
    UnknownKind {
        /// The file.
        path: PathBuf,
    },
}

/// Imports one file as `kind`.
pub fn import(kind: PeerKind, path: &Path) -> Result<Imported, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ImportError::Io {
        path: path.to_owned(),
        source,
    })?;
    let built = match kind {
        PeerKind::PythonHash => python::hash(kind, path, &text)?,
        PeerKind::PythonRule => python::rule(kind, path, &text)?,
        PeerKind::JsAnchored => anchored::import(kind, path, &text)?,
        PeerKind::RubyHash => ruby::hash(kind, path, &text)?,
        PeerKind::PhpRule => php::rule(kind, path, &text)?,
        PeerKind::PythonState => python::state(kind, path, &text)?,
        PeerKind::PythonFeature => {
            let reason = python::feature(kind, path, &text)?
                .unwrap_or_else(|| kind.pending_reason().to_owned());
            return Ok(Imported {
                kind,
                source: path.to_owned(),
                file: None,
                not_imported: Some(reason),
            });
        }
        PeerKind::PythonBucketingEvent => {
            return Ok(Imported {
                kind,
                source: path.to_owned(),
                file: None,
                not_imported: Some(kind.pending_reason().to_owned()),
            });
        }
    };
    let file = validate(path, built)?;
    Ok(Imported {
        kind,
        source: path.to_owned(),
        file: Some(file),
        not_imported: None,
    })
}

/// Imports every file of a folder tree whose name an importer recognises
/// (e.g. the SDK family's `peer-vectors/` copies), sorted by path. Files no
/// importer recognises are an error: nothing is skipped silently.
pub fn import_dir(dir: &Path) -> Result<Vec<Imported>, ImportError> {
    let mut paths = Vec::new();
    collect_json(dir, &mut paths).map_err(|source| ImportError::Io {
        path: dir.to_owned(),
        source,
    })?;
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let kind = PeerKind::detect(path)
                .ok_or_else(|| ImportError::UnknownKind { path: path.clone() })?;
            import(kind, path)
        })
        .collect()
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_json(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// Deserializes a peer file strictly, naming the JSON path of any fault.
pub(crate) fn parse<T: DeserializeOwned>(
    kind: PeerKind,
    path: &Path,
    text: &str,
) -> Result<T, ImportError> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| ImportError::Format {
        path: path.to_owned(),
        kind,
        at: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// A vector file under construction by an importer.
pub(crate) struct Built {
    pub family: Family,
    pub description: String,
    pub notes: Vec<String>,
    pub cases: Vec<Case>,
}

impl Built {
    pub fn new(family: Family, description: impl Into<String>) -> Built {
        Built {
            family,
            description: description.into(),
            notes: Vec::new(),
            cases: Vec::new(),
        }
    }

    /// Adds a case; requirements derived from the input are filled in by
    /// validation.
    pub fn case(&mut self, id: String, description: String, input: Value, expected: Value) {
        self.cases.push(Case {
            id,
            description,
            spec_refs: Vec::new(),
            requires: Requirements::default(),
            compare: Default::default(),
            input: input.into(),
            expected,
        });
    }
}

fn validate(path: &Path, built: Built) -> Result<VectorFile, ImportError> {
    let mut cases = built.cases;
    for case in &mut cases {
        if let Ok(derived) = convert_spec::families::check_input(built.family, &case.input) {
            case.requires = case.requires.union(&derived);
        }
    }
    let file = VectorFile {
        family: built.family,
        description: built.description,
        provenance: Provenance {
            oracle: Oracle {
                name: "the peer file's own expected values".into(),
                version: "as published".into(),
                language: "json".into(),
                adapter: "none".into(),
            },
            generator: "convert-import".into(),
            source: path.display().to_string(),
            notes: built.notes,
        },
        spec_refs: Vec::new(),
        compare: Default::default(),
        cases,
    };
    // Round-trip through the vector file checks: shapes, ids, requirements.
    let text = serde_json::to_string(&file).unwrap_or_default();
    VectorFile::parse(path, &text).map_err(|source| ImportError::Invalid {
        path: path.to_owned(),
        source: Box::new(source),
    })
}

/// Summarises a peer file's own provenance block as notes.
pub(crate) fn provenance_notes(generated_from: &serde_json::Map<String, Value>) -> Vec<String> {
    generated_from
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!("peer provenance {k}: {s}"),
            other => format!("peer provenance {k}: {other}"),
        })
        .collect()
}

/// A rule object with a single comparison, as a config would hold it.
pub(crate) fn single_rule(key: &str, match_type: &str, negated: bool, value: Value) -> Value {
    serde_json::json!({"OR": [{"AND": [{"OR_WHEN": [{
        "rule_type": "generic_key_value",
        "key": key,
        "value": value,
        "matching": {"match_type": match_type, "negated": negated}
    }]}]}]})
}

/// The environment variable naming the folder of the SDK family's peer
/// vector files.
pub const PEER_VECTORS_ENV: &str = "CONVERT_PARITY_PEER_VECTORS";

/// Where the SDK family's peer vector files are: `$CONVERT_PARITY_PEER_VECTORS`
/// if set, else `../shared/peer-vectors` next to the project root (the
/// workplace layout). The folder is not part of this project.
pub fn peer_vectors_dir(project_root: &Path) -> PathBuf {
    std::env::var_os(PEER_VECTORS_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root.join("../shared/peer-vectors"))
}
