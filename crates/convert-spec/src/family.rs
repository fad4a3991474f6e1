//! The evaluation families: one name per evaluation surface.
//!
//! A family name is a public contract: adapters list the families they
//! answer in their `start` reply and receive it in every `run` request.
//! Families are only ever added, never renamed.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One evaluation surface of the SDK family, as named on the wire.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// MurmurHash3 x86 32-bit of a string's UTF-8 bytes with a seed.
    Hash,
    /// Bucket value and variation selection for one experience and visitor.
    Bucketing,
    /// One rule object evaluated against one data object.
    Rule,
    /// `run_experience` for one experience key of a project config.
    Experience,
    /// `run_experiences`: every experience of a config for one visitor.
    Experiences,
    /// `run_feature` / `run_features`: features and their cast variables.
    Feature,
    /// Stored segments, custom segments and entity lookup.
    Segments,
    /// `diagnose_*`: reasons from the shared vocabulary with details.
    Diagnostics,
    /// Whether a served config is usable, and the first fault's JSON path.
    ConfigValidation,
    /// A sequence of SDK operations and every HTTP request the SDK sends.
    Scenario,
}

impl Family {
    /// Every family, in the order reports list them.
    pub const ALL: &'static [Family] = &[
        Family::Hash,
        Family::Bucketing,
        Family::Rule,
        Family::Experience,
        Family::Experiences,
        Family::Feature,
        Family::Segments,
        Family::Diagnostics,
        Family::ConfigValidation,
        Family::Scenario,
    ];

    /// The wire name (`"hash"`, `"bucketing"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Hash => "hash",
            Family::Bucketing => "bucketing",
            Family::Rule => "rule",
            Family::Experience => "experience",
            Family::Experiences => "experiences",
            Family::Feature => "feature",
            Family::Segments => "segments",
            Family::Diagnostics => "diagnostics",
            Family::ConfigValidation => "config_validation",
            Family::Scenario => "scenario",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a family name this version of the contract does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown family `{0}`")]
pub struct UnknownFamily(pub String);

impl FromStr for Family {
    type Err = UnknownFamily;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Family::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| UnknownFamily(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for family in Family::ALL {
            let json = serde_json::to_string(family).unwrap();
            assert_eq!(json, format!("\"{}\"", family.as_str()));
            assert_eq!(family.as_str().parse::<Family>().unwrap(), *family);
        }
        assert!("nope".parse::<Family>().is_err());
    }
}
