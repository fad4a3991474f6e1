//! ECMAScript regular expressions with a bounded amount of work per match.
//!
//! The Convert JavaScript SDK evaluates the `regexMatches` rule operator as
//! `new RegExp(pattern, 'i').test(value)`: ECMAScript syntax in non-unicode
//! mode, with the Annex B (web compatibility) grammar. This crate implements
//! exactly that — [`Regex::new`] and [`Regex::is_match`] — with one
//! difference that is the point of the crate: **no pattern can hang the
//! caller**. Every match runs within a [`Budget`] of steps; a match that
//! needs more returns [`BudgetExceeded`] instead of running on (V8 would run
//! a catastrophic pattern such as `(a+)+$` against `"aaaa…!"` for minutes).
//!
//! # Semantics
//!
//! - Patterns and subjects are sequences of UTF-16 code units, as in
//!   JavaScript's non-unicode mode: `.` matches one code unit, so an astral
//!   character such as 😀 is two "characters", and a class `[😀]` holds its
//!   two surrogate halves.
//! - `i` compares code units by ECMAScript `Canonicalize` for non-unicode
//!   mode: the single code unit `toUpperCase` gives, unless the upper case is
//!   longer than one unit or would map a non-ASCII unit to ASCII (so `ſ` does
//!   not match `/s/i`, and `ß` only matches itself).
//! - `\d`, `\w`, `\b` are ASCII; `\s` is JavaScript white space and line
//!   terminators; `.` excludes line terminators (no `s` flag); `^`/`$` are
//!   the input's ends (no `m` flag).
//! - Annex B: `{` and `]` are literals when they do not form a quantifier or
//!   close a class; `\N` is a backreference only if there are at least N
//!   capturing groups, otherwise a legacy octal escape (or the digit itself
//!   for 8 and 9); `\c` without a control letter is a literal backslash;
//!   `\k` is an identity escape when the pattern has no named groups;
//!   lookaheads may be quantified; a range with a class escape (`[\d-z]`) is
//!   a union.
//! - Matching follows the ECMAScript matcher semantics: ordered alternation,
//!   greedy and lazy counted repetition with the empty-iteration check and a
//!   reset of the repeated atom's captures at each iteration, atomic
//!   lookarounds, lookbehind evaluated right to left, backreferences to unset
//!   groups matching the empty string.
//!
//! The behaviour is checked against a corpus of 6,000+ answers produced by
//! Node.js itself (`tests/corpus/generate.js`, rerun it to refresh
//! `corpus.json`), and against the `regress` crate on random patterns.
//!
//! # The budget
//!
//! A *step* is one instruction of the backtracking machine or one undo of its
//! backtrack stack; both kinds of work are bounded by [`Budget::steps`], and
//! the backtrack stack by [`Limits::max_backtrack_entries`]. The default,
//! [`Budget::DEFAULT`] (10,000,000 steps), lets realistic audience patterns
//! run over subjects of many kilobytes (a URL pattern over a 200-character
//! URL takes a few thousand steps) and stops the worst ones quickly. Measured
//! with `cargo bench -p convert-regex` on the project's 2-core machine:
//! `^https?://` on an 80-character URL 0.16 µs, `/checkout/(step-)?\d+`
//! 0.9 µs, an e-mail pattern 0.75 µs, a scan without a match 1.3 µs, and
//! `(a+)+$` on `"a"×30 + "!"` stopped by the default budget after 18.7 ms.
//!
//! # Limits
//!
//! [`Limits::DEFAULT`]: patterns of at most 65,536 UTF-16 code units, groups
//! nested at most 1,000 deep, compiled programs of at most 1,000,000
//! instructions. Beyond them [`Regex::new`] returns
//! [`CompileError::TooComplex`] rather than risking the native stack.
//!
//! # Why not `regress`
//!
//! The `regress` crate parses and matches ECMAScript patterns well, but its
//! backtracking engines have no step limit (upstream issue #140) and its
//! executor internals are private, so a budget cannot be added from outside.
//! It is kept as a test oracle.

mod charset;
mod parse;
mod vm;

use std::fmt;

/// Flags a pattern is compiled with. Matching is always in non-unicode mode
/// (no `u` flag), as `new RegExp(pattern, 'i')` is in the JavaScript SDK.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// The `i` flag: case-insensitive matching (ECMAScript `Canonicalize`).
    pub ignore_case: bool,
}

/// The most work one match may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Maximum number of steps (machine instructions plus backtracks).
    pub steps: u64,
}

impl Budget {
    /// The default budget: 10,000,000 steps.
    pub const DEFAULT: Budget = Budget { steps: 10_000_000 };
}

impl Default for Budget {
    fn default() -> Self {
        Budget::DEFAULT
    }
}

/// Size limits applied when compiling and matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted pattern, in UTF-16 code units.
    pub max_pattern_units: usize,
    /// Deepest accepted group nesting.
    pub max_nesting: usize,
    /// Largest accepted compiled program, in instructions.
    pub max_instructions: usize,
    /// Most pending backtrack entries during one match (exceeding it is
    /// reported as [`BudgetExceeded`]).
    pub max_backtrack_entries: usize,
}

impl Limits {
    /// The default limits.
    pub const DEFAULT: Limits = Limits {
        max_pattern_units: 65_536,
        max_nesting: 1_000,
        max_instructions: 1_000_000,
        max_backtrack_entries: 1_000_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
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

/// The pattern is beyond the size [`Limits`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("regular expression too complex: {what}")]
pub struct TooComplex {
    /// Which limit was exceeded.
    pub what: String,
}

/// Why a pattern could not be compiled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// Invalid syntax.
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
    /// Valid perhaps, but beyond the limits.
    #[error(transparent)]
    TooComplex(#[from] TooComplex),
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
    program: vm::Program,
    limits: Limits,
}

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Regex").finish_non_exhaustive()
    }
}

impl Regex {
    /// Compiles `pattern` with `flags` under the default [`Limits`].
    pub fn new(pattern: &str, flags: Flags) -> Result<Regex, CompileError> {
        Regex::with_limits(pattern, flags, Limits::DEFAULT)
    }

    /// Compiles `pattern` with `flags` under `limits`.
    pub fn with_limits(pattern: &str, flags: Flags, limits: Limits) -> Result<Regex, CompileError> {
        let units: Vec<u16> = pattern.encode_utf16().collect();
        let parsed = parse::parse(&units, &limits)?;
        let program = vm::compile(
            &parsed.node,
            parsed.captures,
            flags.ignore_case,
            limits.max_instructions,
        )
        .map_err(|vm::ProgramTooLarge| TooComplex {
            what: format!(
                "the compiled program exceeds {} instructions",
                limits.max_instructions
            ),
        })?;
        Ok(Regex { program, limits })
    }

    /// `RegExp.prototype.test(subject)`: whether the pattern matches anywhere
    /// in `subject`, deciding within `budget`.
    pub fn is_match(&self, subject: &str, budget: Budget) -> Result<bool, BudgetExceeded> {
        self.is_match_with_steps(subject, budget)
            .map(|(found, _)| found)
    }

    /// Like [`Regex::is_match`], also returning the steps the match used.
    pub fn is_match_with_steps(
        &self,
        subject: &str,
        budget: Budget,
    ) -> Result<(bool, u64), BudgetExceeded> {
        let text: Vec<u16> = subject.encode_utf16().collect();
        let mut machine = vm::Machine::new(
            &self.program,
            &text,
            budget.steps,
            self.limits.max_backtrack_entries,
        );
        match machine.test() {
            Ok(found) => Ok((found, budget.steps - machine.steps_left())),
            Err(vm::OutOfSteps) => Err(BudgetExceeded {
                budget: budget.steps,
            }),
        }
    }
}
