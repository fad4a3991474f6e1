//! `rule`: one rule object (`OR` → `AND` → `OR_WHEN`) matched against one
//! data object.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::FamilySpec;
use crate::Family;

/// The `rule` family.
pub enum Rule {}

impl FamilySpec for Rule {
    const FAMILY: Family = Family::Rule;
    type Input = RuleInput;
    type Result = RuleResult;
}

/// `{"rule": <rule object as in config>, "data": {…}}`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    /// The rule object, exactly as it appears in a project config.
    pub rule: Value,
    /// The data the rule is matched against (visitor or location attributes).
    /// Key order is significant where JavaScript's `Object.keys` order is.
    pub data: Value,
}

/// `{"matched": bool}`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleResult {
    /// Whether the rule matched.
    pub matched: bool,
}
