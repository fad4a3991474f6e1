//! The comparison operators: every own function property of the JS SDK's
//! `Comparisons` class, which is what `match_type` may name.
//!
//! Each family lives in its own module: [`equality`] (`equals` and its
//! aliases), [`ordering`] (`less`, `lessEqual`), [`text`] (`contains`,
//! `startsWith`, `endsWith`), [`set`] (`isIn`), [`pattern`]
//! (`regexMatches`), [`existence`] (`exists`, `not_exists`/`doesNotExist`)
//! and [`passthrough`] (`_returnNegationCheck`).
//!
//! Every comparison receives `(value, test, negated)`: the visitor's value
//! (`undefined` only for the existence fallback), the rule's `value`, and
//! `matching.negated`. Negation is a final `!` applied inside the comparison,
//! except where a comparison returns early (see [`ordering`]).

pub mod equality;
pub mod existence;
pub mod ordering;
pub mod passthrough;
pub mod pattern;
pub mod set;
pub mod text;

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use super::RuleEvaluator;
use crate::diagnostics::Diagnostic;
#[cfg(feature = "mutants")]
use crate::js;

/// A comparison operator, named by `matching.match_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `equals`.
    Equals,
    /// `equalsNumber`, an alias of `equals` (still string equality).
    EqualsNumber,
    /// `matches`, an alias of `equals`.
    Matches,
    /// `less`.
    Less,
    /// `lessEqual`.
    LessEqual,
    /// `contains`.
    Contains,
    /// `isIn`.
    IsIn,
    /// `startsWith`.
    StartsWith,
    /// `endsWith`.
    EndsWith,
    /// `regexMatches`.
    RegexMatches,
    /// `exists`.
    Exists,
    /// `not_exists`.
    NotExists,
    /// `doesNotExist`, an alias of `not_exists`.
    DoesNotExist,
    /// `_returnNegationCheck`: the SDK's negation helper, callable as an
    /// operator because it is a static method of `Comparisons`.
    ReturnNegationCheck,
}

impl Operator {
    /// Every operator, in the order `Object.getOwnPropertyNames(Comparisons)`
    /// lists them (verified on 4.4.3 with node).
    pub const ALL: &'static [Operator] = &[
        Operator::Equals,
        Operator::Less,
        Operator::LessEqual,
        Operator::Contains,
        Operator::IsIn,
        Operator::StartsWith,
        Operator::EndsWith,
        Operator::RegexMatches,
        Operator::Exists,
        Operator::NotExists,
        Operator::ReturnNegationCheck,
        Operator::EqualsNumber,
        Operator::Matches,
        Operator::DoesNotExist,
    ];

    /// The `match_type` string.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Equals => "equals",
            Operator::EqualsNumber => "equalsNumber",
            Operator::Matches => "matches",
            Operator::Less => "less",
            Operator::LessEqual => "lessEqual",
            Operator::Contains => "contains",
            Operator::IsIn => "isIn",
            Operator::StartsWith => "startsWith",
            Operator::EndsWith => "endsWith",
            Operator::RegexMatches => "regexMatches",
            Operator::Exists => "exists",
            Operator::NotExists => "not_exists",
            Operator::DoesNotExist => "doesNotExist",
            Operator::ReturnNegationCheck => "_returnNegationCheck",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `match_type` that is not an operator (the SDK warns and answers false).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unsupported match_type `{0}`")]
pub struct UnknownOperator(pub String);

impl FromStr for Operator {
    type Err = UnknownOperator;

    /// Exact, case-sensitive names only (`"Equals"` is unknown).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Operator::ALL
            .iter()
            .copied()
            .find(|op| op.as_str() == s)
            .ok_or_else(|| UnknownOperator(s.to_owned()))
    }
}

/// What a comparison returned.
#[derive(Clone, Debug, PartialEq)]
pub enum Compared<'v> {
    /// A boolean.
    Bool(bool),
    /// The visitor's raw value (only `_returnNegationCheck` returns one).
    Raw(&'v Value),
}

/// An exception inside a comparison: the SDK catches it and the item is
/// `false`, whatever `negated` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exception {
    /// `new RegExp(pattern, 'i')` threw a `SyntaxError`.
    InvalidPattern {
        /// The pattern.
        pattern: String,
        /// The syntax error.
        message: String,
    },
    /// The match exceeded its work budget (a divergence: JavaScript would keep
    /// going; see `rule.regex-budget`).
    OverBudget {
        /// The pattern.
        pattern: String,
        /// The budget, in steps.
        budget: u64,
    },
}

impl Exception {
    /// The diagnostic that reports this exception for the rule item at
    /// `path`.
    pub fn into_diagnostic(self, path: String) -> Diagnostic {
        match self {
            Exception::InvalidPattern { pattern, message } => Diagnostic::RegexInvalid {
                pattern,
                message,
                path,
            },
            Exception::OverBudget { pattern, budget } => Diagnostic::RegexOverBudget {
                pattern,
                budget,
                path,
            },
        }
    }
}

/// `_returnNegationCheck(result, negated)` as the comparisons use it.
pub(crate) fn negate(result: bool, negated: bool) -> bool {
    crate::mutant!("rule.negation", result != negated, result)
}

/// Calls the comparison `operator` with `(value, test, negated)`.
pub(super) fn apply<'v>(
    evaluator: &mut RuleEvaluator,
    operator: Operator,
    value: Option<&'v Value>,
    test: Option<&Value>,
    negated: bool,
) -> Result<Compared<'v>, Exception> {
    let b = match operator {
        Operator::Equals | Operator::EqualsNumber | Operator::Matches => crate::mutant!(
            "rule.equals-case",
            equality::equals(value, test, negated),
            match value {
                Some(Value::String(_)) =>
                    negate(js::to_string(value) == js::to_string(test), negated),
                _ => equality::equals(value, test, negated),
            }
        ),
        Operator::Less => ordering::less(value, test, negated),
        Operator::LessEqual => ordering::less_equal(value, test, negated),
        Operator::Contains => text::contains(value, test, negated),
        Operator::StartsWith => text::starts_with(value, test, negated),
        Operator::EndsWith => crate::mutant!(
            "rule.ends-with",
            text::ends_with(value, test, negated),
            text::contains(value, test, negated)
        ),
        Operator::IsIn => crate::mutant!(
            "rule.is-in-case",
            set::is_in(value, test, negated),
            set::is_in(
                Some(&Value::String(js::to_lower_case(&js::to_string(value)))),
                test,
                negated
            )
        ),
        Operator::RegexMatches => pattern::regex_matches(evaluator, value, test, negated)?,
        Operator::Exists => existence::exists(value, negated),
        Operator::NotExists | Operator::DoesNotExist => existence::not_exists(value, negated),
        Operator::ReturnNegationCheck => {
            return Ok(match value {
                Some(value) => passthrough::return_negation_check(value, test),
                // Unreachable through rule items: only the match types
                // `exists` and `doesNotExist` compare a missing key.
                None => Compared::Bool(false),
            });
        }
    };
    Ok(Compared::Bool(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_names_round_trip() {
        for op in Operator::ALL {
            assert_eq!(op.as_str().parse::<Operator>(), Ok(*op));
        }
        assert!("Equals".parse::<Operator>().is_err());
        assert!("not_exists ".parse::<Operator>().is_err());
    }

    #[test]
    fn exceptions_become_diagnostics() {
        let over = Exception::OverBudget {
            pattern: "(a+)+$".into(),
            budget: 10,
        };
        let diagnostic = over.into_diagnostic("OR[0].AND[0].OR_WHEN[0]".into());
        assert_eq!(diagnostic.code(), "regex_over_budget");
        assert_eq!(
            diagnostic.to_string(),
            "OR[0].AND[0].OR_WHEN[0]: regular expression \"(a+)+$\" exceeded its budget of 10 steps; treated as no match"
        );
        let invalid = Exception::InvalidPattern {
            pattern: "(".into(),
            message: "unbalanced".into(),
        };
        assert_eq!(
            invalid.into_diagnostic(String::new()).code(),
            "regex_invalid"
        );
    }
}
