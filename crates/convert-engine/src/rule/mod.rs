//! Rules: a rule set (`OR` → `AND` → `OR_WHEN` → rule items) matched against
//! a data object, exactly as the JS SDK's `RuleManager.isRuleMatched` does.
//!
//! ```
//! use convert_engine::rule::evaluate;
//! use serde_json::json;
//!
//! let rule = json!({"OR": [{"AND": [{"OR_WHEN": [{
//!     "rule_type": "generic_text_key_value", "key": "plan", "value": "PRO",
//!     "matching": {"match_type": "equals", "negated": false}
//! }]}]}]});
//! assert!(evaluate(&rule, &json!({"plan": "pro"})).outcome.is_true());
//! ```
//!
//! The result of a rule set is a JavaScript value, not always a boolean: the
//! comparison `_returnNegationCheck` (an internal helper the SDK exposes as an
//! operator by accident) can return the visitor's raw value, and the SDK's
//! `RuleError` strings travel the same way. [`RuleOutcome`] keeps that value so
//! each caller can interpret it the way the SDK does (`=== true` for the
//! `rule` family and for locations, "not `false`" for audiences, truthiness
//! for `site_area`).
//!
//! Sources: `packages/rules/src/rule-manager.ts` and
//! `packages/utils/src/comparisons.ts` in convertcom/javascript-sdk. See
//! `spec/rule.md`.

mod compiled;
mod item;
pub mod numeric;
pub mod ops;
mod patterns;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use convert_regex::{Budget, Regex};
use serde_json::{Map, Value};

pub use compiled::RuleSet;
pub use patterns::Patterns;

pub use ops::{Operator, UnknownOperator};

use crate::diagnostics::{Diagnostic, JsThrowSite};
use crate::js;
use crate::visitor::PropertiesView;

/// The SDK's `RuleError` values (`packages/enums/src/rule-error.ts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleError {
    /// `"convert.com_no_data_found"`.
    NoDataFound,
    /// `"convert.com_need_more_data"`.
    NeedMoreData,
}

impl RuleError {
    /// The string value.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleError::NoDataFound => "convert.com_no_data_found",
            RuleError::NeedMoreData => "convert.com_need_more_data",
        }
    }

    /// The `RuleError` a string is, if any.
    pub fn from_value(value: &Value) -> Option<RuleError> {
        match value.as_str()? {
            "convert.com_no_data_found" => Some(RuleError::NoDataFound),
            "convert.com_need_more_data" => Some(RuleError::NeedMoreData),
            _ => None,
        }
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule set (or one level of it) evaluates to.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleOutcome {
    /// `true`.
    Matched,
    /// `false`.
    NotMatched,
    /// Any other JavaScript value: a raw visitor value returned by
    /// `_returnNegationCheck` (possibly a `RuleError` string). Never a JSON
    /// boolean (those are [`RuleOutcome::Matched`] / [`RuleOutcome::NotMatched`]).
    Value(Value),
    /// JavaScript would throw a `TypeError` (a `null` rule set, block, item or
    /// `matching`). Every caller treats this as not matched; see
    /// [`JsThrowSite`].
    Threw(JsThrowSite),
}

impl RuleOutcome {
    fn from_bool(b: bool) -> RuleOutcome {
        if b {
            RuleOutcome::Matched
        } else {
            RuleOutcome::NotMatched
        }
    }

    fn from_value(value: &Value) -> RuleOutcome {
        match value {
            Value::Bool(b) => RuleOutcome::from_bool(*b),
            other => RuleOutcome::Value(other.clone()),
        }
    }

    /// `result === true`: what the `rule` family reports as `matched`, and
    /// what a location needs to count as activated.
    pub fn is_true(&self) -> bool {
        matches!(self, RuleOutcome::Matched)
    }

    /// `result === false`.
    pub fn is_false(&self) -> bool {
        matches!(self, RuleOutcome::NotMatched)
    }

    /// JavaScript truthiness of the result (`site_area` uses it). A throw is
    /// not truthy.
    pub fn is_truthy(&self) -> bool {
        match self {
            RuleOutcome::Matched => true,
            RuleOutcome::NotMatched | RuleOutcome::Threw(_) => false,
            RuleOutcome::Value(v) => js::truthy(Some(v)),
        }
    }

    /// The `RuleError` the result is, if it is one.
    pub fn rule_error(&self) -> Option<RuleError> {
        match self {
            RuleOutcome::Value(v) => RuleError::from_value(v),
            _ => None,
        }
    }
}

/// Settings for rule evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RuleOptions {
    /// The work budget of one `regexMatches` match.
    pub regex_budget: Budget,
}

/// A rule set's outcome and what was observed while evaluating it.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleEvaluation {
    /// The outcome.
    pub outcome: RuleOutcome,
    /// Diagnostics (invalid items, unknown operators, regex trouble, throws).
    pub diagnostics: Vec<Diagnostic>,
}

/// Evaluates `rule_set` against `data` with default options.
pub fn evaluate(rule_set: &Value, data: &Value) -> RuleEvaluation {
    let mut evaluator = RuleEvaluator::new(RuleOptions::default());
    let mut diagnostics = Vec::new();
    let outcome = evaluator.evaluate(rule_set, data, "", &mut diagnostics);
    RuleEvaluation {
        outcome,
        diagnostics,
    }
}

/// What a rule set is matched against: any JSON value, an object borrowed
/// as a map, or the visitor's merged properties read through their view (so
/// that no caller copies its data into a `Value` first). All read the same
/// way.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RuleData<'a> {
    /// Any JSON value (the `rule` family's `data`, conversion rule data).
    Value(&'a Value),
    /// A JSON object (location attributes).
    Object(&'a Map<String, Value>),
    /// The visitor properties audience rules see.
    Properties(PropertiesView<'a>),
}

impl<'a> From<&'a Value> for RuleData<'a> {
    fn from(value: &'a Value) -> Self {
        RuleData::Value(value)
    }
}

impl<'a> From<&'a Map<String, Value>> for RuleData<'a> {
    fn from(map: &'a Map<String, Value>) -> Self {
        RuleData::Object(map)
    }
}

impl<'a> RuleData<'a> {
    /// `data[key]` ([`js::get`]).
    fn get(self, key: &str) -> Option<Cow<'a, Value>> {
        match self {
            RuleData::Value(value) => js::get(Some(value), key).map(Cow::Borrowed),
            RuleData::Object(map) => js::lookup(map, key).map(Cow::Borrowed),
            RuleData::Properties(view) => view.get(key),
        }
    }
}

/// Evaluates rule sets, caching compiled regular expressions by pattern for
/// its own lifetime (create one per decision, or keep one per thread). An
/// evaluator made [`with_patterns`](RuleEvaluator::with_patterns) reads the
/// patterns a config compiled once before compiling any itself.
#[derive(Debug, Default)]
pub struct RuleEvaluator {
    options: RuleOptions,
    shared: Option<Arc<Patterns>>,
    regexes: HashMap<String, Result<Regex, String>>,
}

/// Where a rule item sits in its rule set, for diagnostics. The base path is
/// only formatted when a diagnostic is written.
#[derive(Clone, Copy)]
struct ItemPath<'p> {
    base: &'p dyn fmt::Display,
    or: usize,
    and: usize,
    or_when: usize,
}

impl fmt::Display for ItemPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = self.base.to_string();
        if !base.is_empty() {
            write!(f, "{base}.")?;
        }
        write!(
            f,
            "OR[{}].AND[{}].OR_WHEN[{}]",
            self.or, self.and, self.or_when
        )
    }
}

/// The result of one level: a JS value, or "JavaScript threw" (which ends the
/// whole rule set, as the exception leaves `isRuleMatched`).
type Level = Result<RuleOutcome, (JsThrowSite, String)>;

impl RuleEvaluator {
    /// An evaluator with `options`.
    pub fn new(options: RuleOptions) -> RuleEvaluator {
        RuleEvaluator {
            options,
            shared: None,
            regexes: HashMap::new(),
        }
    }

    /// An evaluator with `options` that finds compiled patterns in
    /// `patterns` first (see [`Patterns`]).
    pub fn with_patterns(options: RuleOptions, patterns: Arc<Patterns>) -> RuleEvaluator {
        RuleEvaluator {
            options,
            shared: Some(patterns),
            regexes: HashMap::new(),
        }
    }

    /// The options.
    pub fn options(&self) -> &RuleOptions {
        &self.options
    }

    /// `isRuleMatched(data, ruleSet)`. `path` names the rule set in
    /// diagnostics (e.g. `audiences[0].rules`; empty for a bare rule). A rule
    /// set or data nested deeper than [`crate::limits::MAX_DEPTH`] does not
    /// match ([`Diagnostic::TooDeep`]).
    pub fn evaluate(
        &mut self,
        rule_set: &Value,
        data: &Value,
        path: &str,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> RuleOutcome {
        self.evaluate_data(rule_set, RuleData::Value(data), &path, diagnostics)
    }

    /// [`RuleEvaluator::evaluate`] on any [`RuleData`], with a path that is
    /// formatted only if a diagnostic needs it.
    pub fn evaluate_data(
        &mut self,
        rule_set: &Value,
        data: RuleData<'_>,
        path: &dyn fmt::Display,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> RuleOutcome {
        let limit = crate::limits::MAX_DEPTH;
        if crate::limits::exceeds_depth(rule_set, limit) {
            diagnostics.push(Diagnostic::TooDeep {
                what: "rule set",
                path: path.to_string(),
                limit,
            });
            return RuleOutcome::NotMatched;
        }
        self.evaluate_config_rules(rule_set, data, path, diagnostics)
    }

    /// [`RuleEvaluator::evaluate_data`] for a rule set read from a
    /// [`ProjectConfig`](crate::config::ProjectConfig): a config deeper than
    /// [`crate::limits::MAX_DEPTH`] is refused when it is read, so the rule
    /// set's depth is not checked again on every evaluation (the data's is).
    pub fn evaluate_config_rules(
        &mut self,
        rule_set: &Value,
        data: RuleData<'_>,
        path: &dyn fmt::Display,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> RuleOutcome {
        if self.data_too_deep(data, path, diagnostics) {
            return RuleOutcome::NotMatched;
        }
        match self.rule_set(rule_set, data, path, diagnostics) {
            Ok(outcome) => outcome,
            Err((site, at)) => {
                diagnostics.push(Diagnostic::JsWouldThrow { site, path: at });
                RuleOutcome::Threw(site)
            }
        }
    }

    /// Whether `data` is nested deeper than [`crate::limits::MAX_DEPTH`]
    /// (then no rule set matches it: [`Diagnostic::TooDeep`] is written).
    fn data_too_deep(
        &self,
        data: RuleData<'_>,
        path: &dyn fmt::Display,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> bool {
        let limit = crate::limits::MAX_DEPTH;
        let too_deep = match data {
            RuleData::Value(value) => crate::limits::exceeds_depth(value, limit),
            RuleData::Object(map) => crate::limits::map_exceeds_depth(map, limit),
            // Its deep values are ignored, key by key (`PropertiesView::get`).
            RuleData::Properties(_) => false,
        };
        if too_deep {
            diagnostics.push(Diagnostic::TooDeep {
                what: "data",
                path: path.to_string(),
                limit,
            });
        }
        too_deep
    }

    /// Top level: the first `AND` block that is `true` wins; otherwise the
    /// last block's result unless it is `false`.
    fn rule_set(
        &mut self,
        rule_set: &Value,
        data: RuleData<'_>,
        path: &dyn fmt::Display,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Level {
        let blocks = match own_list(rule_set, "OR") {
            Ok(Some(blocks)) => blocks,
            Ok(None) => return Ok(RuleOutcome::NotMatched),
            Err(()) => return Err((JsThrowSite::RuleNullish, non_empty(&path.to_string()))),
        };
        let mut last = RuleOutcome::NotMatched;
        for (or, block) in blocks.iter().enumerate() {
            last = self.and_block(block, data, path, or, diagnostics)?;
            if last.is_true() {
                return Ok(last);
            }
        }
        Ok(if last.is_false() {
            RuleOutcome::NotMatched
        } else {
            last
        })
    }

    /// `AND`: every `OR_WHEN` must be `true`; the first other result is
    /// returned as is.
    fn and_block(
        &mut self,
        block: &Value,
        data: RuleData<'_>,
        path: &dyn fmt::Display,
        or: usize,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Level {
        let groups = match own_list(block, "AND") {
            Ok(Some(groups)) => groups,
            Ok(None) => return Ok(RuleOutcome::NotMatched),
            Err(()) => {
                return Err((
                    JsThrowSite::RuleNullish,
                    join(&path.to_string(), &format!("OR[{or}]")),
                ));
            }
        };
        for (and, group) in groups.iter().enumerate() {
            let result = self.or_when_block(group, data, path, or, and, diagnostics)?;
            if !result.is_true() {
                return Ok(result);
            }
        }
        Ok(RuleOutcome::Matched)
    }

    /// `OR_WHEN`: the first `true` item wins; otherwise the last item's result
    /// unless it is `false`.
    fn or_when_block(
        &mut self,
        group: &Value,
        data: RuleData<'_>,
        path: &dyn fmt::Display,
        or: usize,
        and: usize,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Level {
        let items = match own_list(group, "OR_WHEN") {
            Ok(Some(items)) => items,
            Ok(None) => return Ok(RuleOutcome::NotMatched),
            Err(()) => {
                return Err((
                    JsThrowSite::RuleNullish,
                    join(&path.to_string(), &format!("OR[{or}].AND[{and}]")),
                ));
            }
        };
        let mut last = RuleOutcome::NotMatched;
        for (or_when, rule) in items.iter().enumerate() {
            let at = ItemPath {
                base: path,
                or,
                and,
                or_when,
            };
            last = self.item(rule, data, at, diagnostics)?;
            if last.is_true() {
                return Ok(last);
            }
        }
        Ok(if last.is_false() {
            RuleOutcome::NotMatched
        } else {
            last
        })
    }

    /// `new RegExp(pattern, 'i')`: the shared compiled patterns first, then
    /// this evaluator's own cache.
    fn regex(&mut self, pattern: &str) -> &Result<Regex, String> {
        if let Some(shared) = &self.shared
            && let Some(compiled) = shared.get(pattern)
        {
            return compiled;
        }
        self.regexes
            .entry(pattern.to_owned())
            .or_insert_with(|| patterns::compile(pattern))
    }
}

/// `hasOwnProperty.call(value, key) && arrayNotEmpty(value[key])`: `Ok(Some)`
/// with the list, `Ok(None)` when absent, empty or not an array, `Err` when
/// `value` is `null` (JavaScript throws).
fn own_list<'v>(value: &'v Value, key: &str) -> Result<Option<&'v Vec<Value>>, ()> {
    if value.is_null() {
        return Err(());
    }
    match js::own(value, key) {
        Some(Value::Array(items)) if !items.is_empty() => Ok(Some(items)),
        _ => Ok(None),
    }
}

fn join(base: &str, tail: &str) -> String {
    if base.is_empty() {
        tail.to_owned()
    } else {
        format!("{base}.{tail}")
    }
}

fn non_empty(path: &str) -> String {
    if path.is_empty() {
        ".".to_owned()
    } else {
        path.to_owned()
    }
}

#[cfg(test)]
mod tests;
