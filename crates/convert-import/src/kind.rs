//! The peer file formats the importers know.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// A peer vector file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeerKind {
    /// python-sdk `bucketing_vectors.json`: murmur hashes.
    PythonHash,
    /// python-sdk `rule_vectors.json`: rule sets against data.
    PythonRule,
    /// python-sdk `feature_vectors.json`: feature resolution.
    PythonFeature,
    /// python-sdk `state_vectors.json`: entity lookups and custom segments.
    PythonState,
    /// python-sdk `bucketing_event_vectors.json`: the bucketing event wire shape.
    PythonBucketingEvent,
    /// javascript-sdk `cross-sdk-bucketing-vectors.json` (imported verbatim by
    /// python-sdk as `anchored_bucketing_vectors.json`): packed and anchored
    /// variation selection.
    JsAnchored,
    /// ruby-sdk `test-vectors.json`: murmur hashes.
    RubyHash,
    /// php-sdk `rule-test-vectors.json`: comparison operators and rule sets.
    PhpRule,
}

impl PeerKind {
    /// Every kind.
    pub const ALL: &'static [PeerKind] = &[
        PeerKind::PythonHash,
        PeerKind::PythonRule,
        PeerKind::PythonFeature,
        PeerKind::PythonState,
        PeerKind::PythonBucketingEvent,
        PeerKind::JsAnchored,
        PeerKind::RubyHash,
        PeerKind::PhpRule,
    ];

    /// The name used on the command line (`--import python-rule=PATH`).
    pub fn as_str(self) -> &'static str {
        match self {
            PeerKind::PythonHash => "python-hash",
            PeerKind::PythonRule => "python-rule",
            PeerKind::PythonFeature => "python-feature",
            PeerKind::PythonState => "python-state",
            PeerKind::PythonBucketingEvent => "python-bucketing-event",
            PeerKind::JsAnchored => "js-anchored",
            PeerKind::RubyHash => "ruby-hash",
            PeerKind::PhpRule => "php-rule",
        }
    }

    /// The file names this kind is published under.
    pub fn file_names(self) -> &'static [&'static str] {
        match self {
            PeerKind::PythonHash => &["bucketing_vectors.json"],
            PeerKind::PythonRule => &["rule_vectors.json"],
            PeerKind::PythonFeature => &["feature_vectors.json"],
            PeerKind::PythonState => &["state_vectors.json"],
            PeerKind::PythonBucketingEvent => &["bucketing_event_vectors.json"],
            PeerKind::JsAnchored => &[
                "anchored_bucketing_vectors.json",
                "cross-sdk-bucketing-vectors.json",
            ],
            PeerKind::RubyHash => &["test-vectors.json"],
            PeerKind::PhpRule => &["rule-test-vectors.json"],
        }
    }

    /// The kind a file's name identifies, if any.
    pub fn detect(path: &Path) -> Option<PeerKind> {
        let name = path.file_name()?.to_str()?;
        PeerKind::ALL
            .iter()
            .copied()
            .find(|k| k.file_names().contains(&name))
    }

    /// Why a kind whose surface has no family yet is not imported.
    pub fn pending_reason(self) -> &'static str {
        match self {
            PeerKind::PythonFeature => {
                "the file asserts fields the `feature` family does not carry"
            }
            PeerKind::PythonBucketingEvent => {
                "its cases assert a bucketing event object alone (hand-written, no oracle); the `scenario` family compares whole requests, and its JS-oracle vectors cover that event shape"
            }
            _ => "",
        }
    }
}

impl fmt::Display for PeerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An import kind name that is not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown import kind `{0}` (known: python-hash, python-rule, python-feature, python-state, python-bucketing-event, js-anchored, ruby-hash, php-rule)"
)]
pub struct UnknownKind(pub String);

impl FromStr for PeerKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PeerKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }
}
