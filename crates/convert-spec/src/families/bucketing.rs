//! `bucketing`: the bucket value of a visitor for an experience, and the
//! variation it selects under the packed (contract ≤ 11) or anchored
//! (contract 12) layout.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::FamilySpec;
use crate::capability::{CONTRACT_ANCHORED, CONTRACT_PACKED};
use crate::{Family, Requirements};

/// The `bucketing` family.
pub enum Bucketing {}

impl FamilySpec for Bucketing {
    const FAMILY: Family = Family::Bucketing;
    type Input = BucketingInput;
    type Result = BucketingResult;

    fn derived_requirements(input: &BucketingInput) -> Requirements {
        let contract = if input.contract_version > i64::from(CONTRACT_PACKED) {
            CONTRACT_ANCHORED
        } else {
            CONTRACT_PACKED
        };
        Requirements {
            contract_versions: vec![contract],
            features: vec![],
        }
    }
}

/// `{"contract_version", "experience_id", "visitor_id", "variations"}`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketingInput {
    /// The experience's `version`: above 11 selects the anchored layout.
    pub contract_version: i64,
    /// The experience id (the first part of the hashed string).
    pub experience_id: String,
    /// The visitor id (the second part of the hashed string).
    pub visitor_id: String,
    /// The experience's variations, in config order.
    pub variations: Vec<BucketingVariation>,
}

/// One variation as the bucketing layouts see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketingVariation {
    /// Variation id.
    pub id: String,
    /// Share of traffic in percent (0–100, decimals allowed). Absent means
    /// "not a number", which the SDKs treat as 100; `null`, strings and other
    /// JSON values are coerced the way JavaScript coerces them.
    #[serde(
        default,
        deserialize_with = "super::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Value")]
    pub traffic_allocation: Option<Value>,
    /// `running` (or absent) takes part; any other non-empty status does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// `{"bucket_value": int, "variation_id": str|null}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketingResult {
    /// The visitor's bucket value in `[0, 10000)`.
    pub bucket_value: u32,
    /// The selected variation, or `null` when the value falls outside every
    /// variation's band.
    pub variation_id: Option<String>,
}
