//! Why a decision came out the way it did: the shared reason vocabulary
//! (`spec/vocabulary.md`) and the engine's diagnostics.
//!
//! A [`Reason`] is the one public code a decision carries (`resolved`,
//! `location_mismatch`, …). [`Diagnostic`]s are extra observations made along
//! the way: a regular expression that ran out of budget, a rule the SDK would
//! ignore as invalid, a config shape on which the JavaScript SDK would throw
//! and the engine deliberately continued.

use std::fmt;
use std::str::FromStr;

/// A decision reason from the shared diagnostic vocabulary. The wire strings
/// are public contracts: codes are added, never renamed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Reason {
    /// A variation was selected (fresh, forced or sticky).
    Resolved,
    /// The visitor id is empty.
    VisitorIdMissing,
    /// No experience has this key.
    ExperienceNotFound,
    /// The experience id is in `archived_experiences`.
    ExperienceArchived,
    /// The experience names an environment other than the SDK's.
    EnvironmentMismatch,
    /// No location matched, `site_area` did not match, or location attributes
    /// were not given.
    LocationMismatch,
    /// The audience gate failed (ANY/ALL per `matching_options.audiences`).
    AudienceMismatch,
    /// The audiences passed but none of the attached segments is in the
    /// visitor's custom segments.
    SegmentMismatch,
    /// The experience has no variations.
    NoVariations,
    /// The bucket value falls outside every variation's band.
    VariationNotDecided,
    /// The selected variation cannot be looked up (e.g. a numeric id in
    /// config).
    VariationNotFound,
    /// No feature has this key.
    FeatureNotFound,
    /// The feature exists but no selected variation carries it.
    FeatureNotInSelectedVariations,
    /// No goal has this key.
    GoalNotFound,
    /// No entity of that type has this key.
    EntityNotFound,
    /// The config has no project id.
    ProjectMappingRequired,
}

impl Reason {
    /// Every reason, in vocabulary order.
    pub const ALL: &'static [Reason] = &[
        Reason::Resolved,
        Reason::VisitorIdMissing,
        Reason::ExperienceNotFound,
        Reason::ExperienceArchived,
        Reason::EnvironmentMismatch,
        Reason::LocationMismatch,
        Reason::AudienceMismatch,
        Reason::SegmentMismatch,
        Reason::NoVariations,
        Reason::VariationNotDecided,
        Reason::VariationNotFound,
        Reason::FeatureNotFound,
        Reason::FeatureNotInSelectedVariations,
        Reason::GoalNotFound,
        Reason::EntityNotFound,
        Reason::ProjectMappingRequired,
    ];

    /// The wire string (`"resolved"`, `"location_mismatch"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Resolved => "resolved",
            Reason::VisitorIdMissing => "visitor_id_missing",
            Reason::ExperienceNotFound => "experience_not_found",
            Reason::ExperienceArchived => "experience_archived",
            Reason::EnvironmentMismatch => "environment_mismatch",
            Reason::LocationMismatch => "location_mismatch",
            Reason::AudienceMismatch => "audience_mismatch",
            Reason::SegmentMismatch => "segment_mismatch",
            Reason::NoVariations => "no_variations",
            Reason::VariationNotDecided => "variation_not_decided",
            Reason::VariationNotFound => "variation_not_found",
            Reason::FeatureNotFound => "feature_not_found",
            Reason::FeatureNotInSelectedVariations => "feature_not_in_selected_variations",
            Reason::GoalNotFound => "goal_not_found",
            Reason::EntityNotFound => "entity_not_found",
            Reason::ProjectMappingRequired => "project_mapping_required",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A wire string that is not a known [`Reason`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown reason `{0}`")]
pub struct UnknownReason(pub String);

impl FromStr for Reason {
    type Err = UnknownReason;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reason::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownReason(s.to_owned()))
    }
}

/// Where the JavaScript SDK would throw a `TypeError` and the engine instead
/// continued with a documented behaviour (a deliberate divergence; see the
/// spec page named in each variant).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsThrowSite {
    /// A rule set, `OR`/`AND` block or rule item is `null` (or the rule set is
    /// absent): `hasOwnProperty.call(null, …)` throws in `isRuleMatched`. The
    /// engine treats the whole rule set as not matched (`spec/rule.md`,
    /// `rule.grammar`).
    RuleNullish,
    /// A rule item's `matching` is `null`: `isValidRule` throws. Same
    /// treatment as [`JsThrowSite::RuleNullish`].
    MatchingNull,
    /// An experience's `id` is `null` or absent: `experience.id.toString()`
    /// throws. The engine runs the gates and then returns no variation
    /// (`spec/experience.md`, `experience.variations`).
    ExperienceIdNullish,
    /// An audience was checked on an experience without
    /// `settings.matching_options`: the engine treats it as ANY
    /// (`experience.audience`).
    MatchingOptionsMissing,
    /// `archived_experiences` is truthy but not an array: the engine treats it
    /// as empty (`experience.archived`).
    ArchivedNotArray,
    /// The stored `customSegments` is neither an array nor a string (or is
    /// `null`): the engine treats it as empty (`experience.segment`).
    CustomSegmentsNotList,
    /// `experience.variations` is not an array but has a truthy `length`: the
    /// engine treats it as having no variations (`experience.variations`).
    VariationsNotArray,
    /// The variation lookup (`getSubItem`) walks a `null` variation entry or
    /// an experience whose `variations` is not a list: the engine skips it
    /// (`experience.variations`).
    VariationLookup,
}

impl JsThrowSite {
    /// A short description of what JavaScript does.
    pub fn describe(self) -> &'static str {
        match self {
            JsThrowSite::RuleNullish => "a rule set, block or rule item is null or undefined",
            JsThrowSite::MatchingNull => "a rule item's `matching` is null",
            JsThrowSite::ExperienceIdNullish => "the experience id is null or undefined",
            JsThrowSite::MatchingOptionsMissing => {
                "audiences were checked but `settings.matching_options` is missing"
            }
            JsThrowSite::ArchivedNotArray => "`archived_experiences` is not an array",
            JsThrowSite::CustomSegmentsNotList => "the stored `customSegments` is not a list",
            JsThrowSite::VariationsNotArray => "`variations` is not an array",
            JsThrowSite::VariationLookup => "the variation lookup met a null entry or a non-list",
        }
    }
}

/// An observation made while evaluating. Diagnostics never change a decision;
/// they explain it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Diagnostic {
    /// A `regexMatches` pattern ran out of its work budget; the comparison
    /// answered false (`rule.regex-budget`).
    RegexOverBudget {
        /// The pattern (`String(rule.value)`).
        pattern: String,
        /// The budget, in steps.
        budget: u64,
        /// Where the rule item is, e.g. `OR[0].AND[1].OR_WHEN[0]`.
        path: String,
    },
    /// A `regexMatches` pattern is not a valid ECMAScript pattern; JavaScript
    /// throws, the SDK catches it and the comparison answers false.
    RegexInvalid {
        /// The pattern.
        pattern: String,
        /// Why it is invalid.
        message: String,
        /// Where the rule item is.
        path: String,
    },
    /// A rule item is invalid (`isValidRule` is false) and counts as false.
    InvalidRule {
        /// Where the rule item is.
        path: String,
    },
    /// A rule item's `match_type` is not an operator of the SDK's
    /// `Comparisons` class; it counts as false.
    UnknownOperator {
        /// The `match_type`.
        match_type: String,
        /// Where the rule item is.
        path: String,
    },
    /// A rule set evaluated to a value that is neither `true` nor `false`
    /// (only `_returnNegationCheck` can produce one); each gate interprets it
    /// as the SDK does.
    NonBooleanRuleResult {
        /// The value, as JSON text.
        value: String,
        /// Which rule set, e.g. `audiences[0].rules`.
        path: String,
    },
    /// A rule set evaluated to an SDK `RuleError` string; the JavaScript SDK
    /// returns that string from `runExperience`, the engine reports the gate's
    /// mismatch reason.
    RuleError {
        /// The error string (`convert.com_no_data_found` or
        /// `convert.com_need_more_data`).
        error: String,
        /// Which rule set.
        path: String,
    },
    /// JavaScript would throw here; the engine continued as documented.
    JsWouldThrow {
        /// What would throw.
        site: JsThrowSite,
        /// Where, as a JSON path into the config or the rule.
        path: String,
    },
    /// A `bucketed_into_experience_key` rule names an experience key the
    /// config does not have; the visitor counts as not bucketed into it
    /// (`exclusion.unknown-target`).
    UnknownExclusionTarget {
        /// The key, as `String(value)`.
        key: String,
        /// Which rule set.
        path: String,
    },
    /// The config has a value of an unexpected shape, read leniently.
    ConfigShape {
        /// JSON path of the value, e.g. `experiences[2].variations`.
        path: String,
        /// What is unexpected about it.
        message: String,
    },
    /// A rule set or the data it is matched against nests arrays and objects
    /// deeper than [`crate::limits::MAX_DEPTH`]; the rule set does not match
    /// (`docs/robustness.md`).
    TooDeep {
        /// `"rule set"` or `"data"`.
        what: &'static str,
        /// Which rule set (empty for a bare rule).
        path: String,
        /// The limit.
        limit: usize,
    },
}

impl Diagnostic {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Diagnostic::RegexOverBudget { .. } => "regex_over_budget",
            Diagnostic::RegexInvalid { .. } => "regex_invalid",
            Diagnostic::InvalidRule { .. } => "invalid_rule",
            Diagnostic::UnknownOperator { .. } => "unknown_operator",
            Diagnostic::NonBooleanRuleResult { .. } => "non_boolean_rule_result",
            Diagnostic::RuleError { .. } => "rule_error",
            Diagnostic::JsWouldThrow { .. } => "js_would_throw",
            Diagnostic::UnknownExclusionTarget { .. } => "unknown_exclusion_target",
            Diagnostic::ConfigShape { .. } => "config_shape",
            Diagnostic::TooDeep { .. } => "too_deep",
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Diagnostic::RegexOverBudget {
                pattern,
                budget,
                path,
            } => write!(
                f,
                "{path}: regular expression {pattern:?} exceeded its budget of {budget} steps; treated as no match"
            ),
            Diagnostic::RegexInvalid {
                pattern,
                message,
                path,
            } => {
                write!(
                    f,
                    "{path}: invalid regular expression {pattern:?} ({message}); treated as no match"
                )
            }
            Diagnostic::InvalidRule { path } => {
                write!(f, "{path}: invalid rule item; treated as false")
            }
            Diagnostic::UnknownOperator { match_type, path } => {
                write!(
                    f,
                    "{path}: unsupported match_type {match_type:?}; treated as false"
                )
            }
            Diagnostic::NonBooleanRuleResult { value, path } => {
                write!(f, "{path}: rule evaluated to the non-boolean value {value}")
            }
            Diagnostic::RuleError { error, path } => write!(f, "{path}: rule evaluated to {error}"),
            Diagnostic::JsWouldThrow { site, path } => {
                write!(f, "{path}: JavaScript would throw ({})", site.describe())
            }
            Diagnostic::UnknownExclusionTarget { key, path } => write!(
                f,
                "{path}: bucketed_into_experience_key names `{key}`, which no experience has"
            ),
            Diagnostic::ConfigShape { path, message } => write!(f, "{path}: {message}"),
            Diagnostic::TooDeep { what, path, limit } => write!(
                f,
                "{}: the {what} nests arrays and objects more than {limit} levels deep; treated as no match",
                if path.is_empty() { "." } else { path }
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_round_trip_their_wire_strings() {
        for reason in Reason::ALL {
            assert_eq!(reason.as_str().parse::<Reason>(), Ok(*reason));
        }
        assert_eq!(Reason::ALL.len(), 16);
        assert!("audience".parse::<Reason>().is_err());
    }

    #[test]
    fn vocabulary_strings_are_the_documented_ones() {
        // spec/vocabulary.md, experience decisions table, in gate order.
        let experience: Vec<&str> = Reason::ALL[..11].iter().map(|r| r.as_str()).collect();
        assert_eq!(
            experience,
            [
                "resolved",
                "visitor_id_missing",
                "experience_not_found",
                "experience_archived",
                "environment_mismatch",
                "location_mismatch",
                "audience_mismatch",
                "segment_mismatch",
                "no_variations",
                "variation_not_decided",
                "variation_not_found"
            ]
        );
    }
}
