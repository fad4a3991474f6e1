//! `hash`: MurmurHash3 x86 32-bit over the UTF-8 bytes of a string.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::FamilySpec;
use crate::Family;

/// The `hash` family.
pub enum Hash {}

impl FamilySpec for Hash {
    const FAMILY: Family = Family::Hash;
    type Input = HashInput;
    type Result = HashResult;
}

/// `{"value": str, "seed": u32}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HashInput {
    /// The string to hash (hashed as its UTF-8 bytes).
    pub value: String,
    /// The seed (the SDKs' default is 9999).
    pub seed: u32,
}

/// `{"hash": u32}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HashResult {
    /// The unsigned 32-bit hash.
    pub hash: u32,
}
