//! Input and result shapes of every family, and what a case of each family
//! requires from an implementation.
//!
//! Each family has a module with an `Input` and a `Result` type. Field names
//! are public contracts: they are extended (new optional fields), never
//! renamed.

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{Family, Requirements};

pub mod bucketing;
pub mod config_validation;
pub mod diagnostics;
pub mod experience;
pub mod experiences;
pub mod feature;
pub mod hash;
pub mod rule;
pub mod scenario;
pub mod segments;
pub mod visitor;

/// The static description of one family.
pub trait FamilySpec {
    /// Which family this is.
    const FAMILY: Family;
    /// The shape of `case.input`.
    type Input: Serialize + DeserializeOwned + JsonSchema;
    /// The shape of a `result` (and of a case's `expected`).
    type Result: Serialize + DeserializeOwned + JsonSchema;

    /// Requirements that follow from the input itself (e.g. the bucketing
    /// contract of the experience under test). A vector case carries the
    /// union of these and whatever its author declared.
    fn derived_requirements(_input: &Self::Input) -> Requirements {
        Requirements::default()
    }
}

/// Calls `$body` with `$spec` bound to the family's [`FamilySpec`] type.
#[macro_export]
macro_rules! with_family_spec {
    ($family:expr, $spec:ident => $body:expr) => {
        match $family {
            $crate::Family::Hash => {
                type $spec = $crate::families::hash::Hash;
                $body
            }
            $crate::Family::Bucketing => {
                type $spec = $crate::families::bucketing::Bucketing;
                $body
            }
            $crate::Family::Rule => {
                type $spec = $crate::families::rule::Rule;
                $body
            }
            $crate::Family::Experience => {
                type $spec = $crate::families::experience::Experience;
                $body
            }
            $crate::Family::Experiences => {
                type $spec = $crate::families::experiences::Experiences;
                $body
            }
            $crate::Family::Feature => {
                type $spec = $crate::families::feature::Feature;
                $body
            }
            $crate::Family::Segments => {
                type $spec = $crate::families::segments::Segments;
                $body
            }
            $crate::Family::Diagnostics => {
                type $spec = $crate::families::diagnostics::Diagnostics;
                $body
            }
            $crate::Family::ConfigValidation => {
                type $spec = $crate::families::config_validation::ConfigValidation;
                $body
            }
            $crate::Family::Scenario => {
                type $spec = $crate::families::scenario::Scenario;
                $body
            }
        }
    };
}

/// A value that does not have its family's input or result shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ShapeError {
    /// JSON path of the offending value (e.g. `variations[0].id`), or `.`.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

fn parse_as<T: DeserializeOwned>(value: &Value) -> Result<T, ShapeError> {
    // The plain deserializer first; the path is tracked only to explain a
    // failure (tracking it costs more than the check).
    T::deserialize(value).or_else(|_| {
        serde_path_to_error::deserialize(value).map_err(|e| ShapeError {
            path: e.path().to_string(),
            message: e.inner().to_string(),
        })
    })
}

/// Checks that `input` has the family's input shape and returns the
/// requirements derived from it.
pub fn check_input(family: Family, input: &Value) -> Result<Requirements, ShapeError> {
    with_family_spec!(family, F => {
        let typed: <F as FamilySpec>::Input = parse_as(input)?;
        Ok(F::derived_requirements(&typed))
    })
}

/// Checks that `result` has the family's result shape.
pub fn check_result(family: Family, result: &Value) -> Result<(), ShapeError> {
    with_family_spec!(family, F => {
        parse_as::<<F as FamilySpec>::Result>(result).map(|_| ())
    })
}

/// Deserialize helper: an absent field is `None`, a present one (even `null`)
/// is `Some(value)`. Used where JavaScript tells `undefined` from `null`.
pub(crate) fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    <Value as serde::Deserialize>::deserialize(d).map(Some)
}
