//! ECMAScript regular expressions with a bounded amount of work per match.
//!
//! PLACEHOLDER: this skeleton delegates to `regress` and does not bound work
//! yet. The real implementation replaces it behind the same API.

use std::fmt;

/// Flags a pattern is compiled with. Matching is always in non-unicode mode
/// (no `u` flag), as `new RegExp(pattern, 'i')` is in the JavaScript SDK.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// The `i` flag: case-insensitive matching (ECMAScript `Canonicalize`).
    pub ignore_case: bool,
}

/// The most work one match may do, in backtracking steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Maximum number of steps.
    pub steps: u64,
}

impl Budget {
    /// The default budget.
    pub const DEFAULT: Budget = Budget { steps: 1_000_000 };
}

impl Default for Budget {
    fn default() -> Self {
        Budget::DEFAULT
    }
}

/// The pattern is not a valid ECMAScript pattern (JavaScript would throw a
/// `SyntaxError` from `new RegExp`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid regular expression: {message}")]
pub struct SyntaxError {
    /// What is wrong with the pattern.
    pub message: String,
}

/// A match ran out of budget before it could decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("regular expression match exceeded its budget of {budget} steps")]
pub struct BudgetExceeded {
    /// The budget that was exceeded.
    pub budget: u64,
}

/// A compiled pattern.
pub struct Regex {
    inner: regress::Regex,
}

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Regex").finish_non_exhaustive()
    }
}

impl Regex {
    /// Compiles `pattern` with `flags`.
    pub fn new(pattern: &str, flags: Flags) -> Result<Regex, SyntaxError> {
        let flags = if flags.ignore_case { "i" } else { "" };
        regress::Regex::with_flags(pattern, flags)
            .map(|inner| Regex { inner })
            .map_err(|e| SyntaxError {
                message: e.to_string(),
            })
    }

    /// `RegExp.prototype.test(subject)`: whether the pattern matches anywhere
    /// in `subject`, deciding within `budget`.
    pub fn is_match(&self, subject: &str, budget: Budget) -> Result<bool, BudgetExceeded> {
        let _ = budget;
        Ok(self.inner.find(subject).is_some())
    }
}
