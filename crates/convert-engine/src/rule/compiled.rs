//! Rule sets read once for the decisions made against a config: the
//! `OR → AND → OR_WHEN` tree with each item's operator, `negated`, `key` and
//! `value` looked up when the rule set is first evaluated, not on every
//! evaluation.
//!
//! Only a rule set of the ordinary shape is compiled: objects all the way
//! down, every list a non-empty array, every item valid (`matching` an object
//! with a string `match_type` naming an operator and a boolean `negated`,
//! and a `value` unless the match type is `exists` or `doesNotExist`).
//! Anything else — a `null` or empty level, an invalid item, an unknown
//! operator — is left to the interpreter ([`RuleEvaluator::evaluate_config_rules`]),
//! which reports it; so is data read through the custom `RuleData`
//! interface, or data that is not an object. A compiled rule set therefore
//! only meets the paths on which the interpreter neither throws nor writes a
//! diagnostic of its own, and evaluates to what the interpreter would, with
//! the same comparison diagnostics at the same item paths (the property test
//! in `rule/tests.rs` holds the two to that).

use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

use super::item::{DataMode, Validity, compares_missing_key, data_mode, validity};
use super::ops::Operator;
use super::{ItemPath, RuleData, RuleEvaluator, RuleOutcome, own_list};
use crate::diagnostics::Diagnostic;
use crate::js;

/// A rule set from a config: the JSON as read, and its compiled form, built
/// on first evaluation (`None` when the rule set is not of the ordinary
/// shape and is interpreted).
#[derive(Clone, Default)]
pub struct RuleSet {
    value: Value,
    compiled: OnceLock<Option<Compiled>>,
}

impl RuleSet {
    /// The rule set `value`, compiled when first evaluated.
    pub fn new(value: Value) -> RuleSet {
        RuleSet {
            value,
            compiled: OnceLock::new(),
        }
    }

    /// The rule set as read from the config.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// Whether the rule set is compiled (of the ordinary shape); compiles it
    /// if that was not done yet.
    pub fn is_compiled(&self) -> bool {
        self.compiled().is_some()
    }

    pub(super) fn compiled(&self) -> Option<&Compiled> {
        self.compiled
            .get_or_init(|| Compiled::read(&self.value))
            .as_ref()
    }
}

impl From<Value> for RuleSet {
    fn from(value: Value) -> RuleSet {
        RuleSet::new(value)
    }
}

impl PartialEq for RuleSet {
    /// Rule sets are equal when their JSON is.
    fn eq(&self, other: &RuleSet) -> bool {
        self.value == other.value
    }
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

/// The `OR` blocks of `AND` groups of `OR_WHEN` items.
#[derive(Clone, Debug)]
pub(super) struct Compiled {
    blocks: Vec<Vec<Vec<Item>>>,
}

/// One valid rule item, read.
#[derive(Clone, Debug)]
struct Item {
    operator: Operator,
    negated: bool,
    /// `rule.key` when it is a string (otherwise the data is never read).
    key: Option<Box<str>>,
    /// `rule.value` (absent only for `exists` and `doesNotExist`).
    test: Option<Value>,
}

impl Compiled {
    fn read(rule_set: &Value) -> Option<Compiled> {
        let blocks = list(rule_set, "OR")?
            .iter()
            .map(|block| {
                list(block, "AND")?
                    .iter()
                    .map(|group| list(group, "OR_WHEN")?.iter().map(Item::read).collect())
                    .collect()
            })
            .collect::<Option<_>>()?;
        Some(Compiled { blocks })
    }
}

/// `value[key]` when it is a non-empty array ([`own_list`]'s answer; `None`
/// also for a `null` value, which the interpreter throws on).
fn list<'v>(value: &'v Value, key: &str) -> Option<&'v [Value]> {
    own_list(value, key).ok().flatten().map(Vec::as_slice)
}

impl Item {
    /// The item when it is an object that the interpreter finds valid
    /// ([`validity`]) and whose match type names an operator.
    fn read(rule: &Value) -> Option<Item> {
        if !rule.is_object() {
            return None;
        }
        let Validity::Valid {
            operator_name,
            negated,
            test,
        } = validity(rule)
        else {
            return None;
        };
        Some(Item {
            operator: operator_name.parse().ok()?,
            negated,
            key: match js::get(Some(rule), "key") {
                Some(Value::String(key)) => Some(key.as_str().into()),
                _ => None,
            },
            test: test.cloned(),
        })
    }
}

impl RuleEvaluator {
    /// [`RuleEvaluator::evaluate_config_rules`] of a config's [`RuleSet`]:
    /// its compiled form when it has one and the data is a plain object,
    /// the interpreter otherwise. Same outcome, same diagnostics.
    pub fn evaluate_rule_set(
        &mut self,
        rule_set: &RuleSet,
        data: RuleData<'_>,
        path: &dyn fmt::Display,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> RuleOutcome {
        match rule_set.compiled() {
            // The data is read the same way for every item.
            Some(compiled) if matches!(data_mode(data), DataMode::Plain) => {
                if self.data_too_deep(data, path, diagnostics) {
                    return RuleOutcome::NotMatched;
                }
                self.compiled_rule_set(compiled, data, path, diagnostics)
            }
            _ => self.evaluate_config_rules(rule_set.value(), data, path, diagnostics),
        }
    }

    /// The first `AND` block that is `true` wins; otherwise the last block's
    /// result (as `rule_set`).
    fn compiled_rule_set(
        &mut self,
        compiled: &Compiled,
        data: RuleData<'_>,
        path: &dyn fmt::Display,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> RuleOutcome {
        let mut last = RuleOutcome::NotMatched;
        for (or, block) in compiled.blocks.iter().enumerate() {
            last = self.compiled_and(block, data, path, or, diagnostics);
            if last.is_true() {
                break;
            }
        }
        last
    }

    /// Every `OR_WHEN` (the first `true` item, otherwise the last item's
    /// result) must be `true`; the first other result is returned.
    fn compiled_and(
        &mut self,
        block: &[Vec<Item>],
        data: RuleData<'_>,
        path: &dyn fmt::Display,
        or: usize,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> RuleOutcome {
        for (and, items) in block.iter().enumerate() {
            let mut last = RuleOutcome::NotMatched;
            for (or_when, item) in items.iter().enumerate() {
                let at = ItemPath {
                    base: path,
                    or,
                    and,
                    or_when,
                };
                last = self.compiled_item(item, data, at, diagnostics);
                if last.is_true() {
                    break;
                }
            }
            if !last.is_true() {
                return last;
            }
        }
        RuleOutcome::Matched
    }

    /// `_processRuleItem` on plain data: the data's value at `key` compared,
    /// or `undefined` for the existence match types when it is missing.
    fn compiled_item(
        &mut self,
        item: &Item,
        data: RuleData<'_>,
        at: ItemPath<'_>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> RuleOutcome {
        if let Some(value) = item.key.as_deref().and_then(|key| data.get(key)) {
            return self.compare(
                item.operator,
                Some(&value),
                item.test.as_ref(),
                item.negated,
                at,
                diagnostics,
            );
        }
        if compares_missing_key(item.operator) {
            return self.compare(
                item.operator,
                None,
                item.test.as_ref(),
                item.negated,
                at,
                diagnostics,
            );
        }
        RuleOutcome::NotMatched
    }
}
