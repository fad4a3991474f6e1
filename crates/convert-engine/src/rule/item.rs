//! One rule item (`_processRuleItem`): validity, how the data value is found,
//! and the call into the comparison.

use serde_json::Value;

use super::ops::{self, Operator};
use super::{ItemPath, Level, RuleData, RuleEvaluator, RuleOutcome};
use crate::diagnostics::{Diagnostic, JsThrowSite};
use crate::js;

/// `Object.getOwnPropertyNames(Object.prototype)` in V8 (node 20), the method
/// list the custom-interface mode walks for a plain data object.
const OBJECT_PROTOTYPE_NAMES: &[&str] = &[
    "constructor",
    "__defineGetter__",
    "__defineSetter__",
    "hasOwnProperty",
    "__lookupGetter__",
    "__lookupSetter__",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toString",
    "valueOf",
    "__proto__",
    "toLocaleString",
];

/// Why a rule item is invalid or throws, from `isValidRule`.
pub(super) enum Validity<'r> {
    Valid {
        operator_name: &'r str,
        negated: bool,
        /// `rule.value` (`undefined` when not an own property).
        test: Option<&'r Value>,
    },
    Invalid,
    Throws(JsThrowSite),
}

/// `isValidRule(rule)`: `matching` must be an own object property with an own
/// string `match_type` and an own boolean `negated`; an own `value` is needed
/// unless the match type is `exists` or `doesNotExist`.
pub(super) fn validity(rule: &Value) -> Validity<'_> {
    if rule.is_null() {
        return Validity::Throws(JsThrowSite::RuleNullish);
    }
    let matching = match js::own(rule, "matching") {
        None => return Validity::Invalid,
        Some(Value::Null) => return Validity::Throws(JsThrowSite::MatchingNull),
        Some(matching @ (Value::Object(_) | Value::Array(_))) => Some(matching),
        Some(_) => return Validity::Invalid,
    };
    let (Some(Value::String(operator_name)), Some(Value::Bool(negated))) = (
        js::get(matching, "match_type"),
        js::get(matching, "negated"),
    ) else {
        return Validity::Invalid;
    };
    let test = js::own(rule, "value");
    if operator_name != "exists" && operator_name != "doesNotExist" && test.is_none() {
        return Validity::Invalid;
    }
    Validity::Valid {
        operator_name,
        negated: *negated,
        test,
    }
}

/// How the data is read, as `_processRuleItem` decides.
pub(super) enum DataMode {
    /// The data is not an object (or is `null`): nothing is compared.
    NotAnObject,
    /// `{name: "RuleData", …}`: the custom `RuleData` interface mode.
    CustomInterface,
    /// A plain object or array, looked up by `rule.key`.
    Plain,
}

pub(super) fn data_mode(data: RuleData<'_>) -> DataMode {
    let is_rule_data = |map: &serde_json::Map<String, Value>| {
        js::lookup(map, "name").and_then(Value::as_str) == Some("RuleData")
    };
    match data {
        RuleData::Value(Value::Object(map)) | RuleData::Object(map)
            if !map.is_empty() && is_rule_data(map) =>
        {
            DataMode::CustomInterface
        }
        // A merged object with a `name` is never empty.
        RuleData::Properties(view)
            if view.get("name").as_deref().and_then(Value::as_str) == Some("RuleData") =>
        {
            DataMode::CustomInterface
        }
        RuleData::Value(Value::Object(_) | Value::Array(_))
        | RuleData::Object(_)
        | RuleData::Properties(_) => DataMode::Plain,
        RuleData::Value(_) => DataMode::NotAnObject,
    }
}

/// What the custom-interface walk does with plain JSON data: either it throws
/// (caught by the SDK → `false`) or it finds no method and falls through to the
/// existence fallback. A JSON value is never callable, so a name match throws.
fn custom_interface_throws(data: RuleData<'_>, rule: &Value) -> bool {
    let rule_type = js::get(Some(rule), "rule_type");
    if !js::truthy(rule_type) {
        return false;
    }
    // data.constructor.prototype: Object.prototype unless `constructor` is an
    // own key; Object.getOwnPropertyNames throws for null/undefined.
    let constructor = data.get("constructor");
    let names: Vec<String> = match constructor.as_deref() {
        None => OBJECT_PROTOTYPE_NAMES
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        Some(Value::Object(ctor)) => match ctor.get("prototype") {
            None | Some(Value::Null) => return true,
            Some(prototype @ Value::Object(_)) => js::own_keys(prototype)
                .into_iter()
                .map(Into::into)
                .collect(),
            Some(prototype @ (Value::Array(_) | Value::String(_))) => js::own_keys(prototype)
                .into_iter()
                .map(Into::into)
                .chain(std::iter::once("length".to_owned()))
                .collect(),
            Some(Value::Number(_) | Value::Bool(_)) => Vec::new(),
        },
        // `.prototype` of null throws; of a primitive or array it is undefined,
        // and getOwnPropertyNames(undefined) throws.
        Some(_) => return true,
    };
    let mapper = data.get("mapper");
    let mapper = mapper.as_deref();
    for name in names.iter().filter(|n| *n != "constructor") {
        let Some(Value::String(rule_type)) = rule_type else {
            // `rule.rule_type.replace` is not a function.
            return true;
        };
        let method = js::camel_case(&format!("get {}", rule_type.replace('_', " ")));
        if *name == method {
            // data[method](rule): a JSON value (or undefined) is not callable.
            return true;
        }
        if !js::is_nullish(mapper) {
            // data.mapper.call(...): JSON values have no callable `call`.
            return true;
        }
    }
    false
}

/// Whether a key the data does not have is compared as `undefined`: only
/// for the match types `exists` and `doesNotExist` (by name; not the
/// `not_exists` spelling). Operator names parse exactly, so the operator
/// says which name the rule used.
pub(super) fn compares_missing_key(operator: Operator) -> bool {
    crate::mutant!(
        "rule.missing-key",
        matches!(operator, Operator::Exists | Operator::DoesNotExist),
        matches!(
            operator,
            Operator::Exists | Operator::DoesNotExist | Operator::NotExists
        )
    )
}

impl RuleEvaluator {
    /// `_processRuleItem(data, rule)`.
    pub(super) fn item(
        &mut self,
        rule: &Value,
        data: RuleData<'_>,
        at: ItemPath<'_>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Level {
        let (operator_name, negated, test) = match validity(rule) {
            Validity::Valid {
                operator_name,
                negated,
                test,
            } => (operator_name, negated, test),
            Validity::Invalid => {
                diagnostics.push(Diagnostic::InvalidRule {
                    path: at.to_string(),
                });
                return Ok(RuleOutcome::NotMatched);
            }
            Validity::Throws(site) => return Err((site, at.to_string())),
        };
        let Ok(operator) = operator_name.parse::<Operator>() else {
            diagnostics.push(Diagnostic::UnknownOperator {
                match_type: operator_name.to_owned(),
                path: at.to_string(),
            });
            return Ok(RuleOutcome::NotMatched);
        };
        match data_mode(data) {
            DataMode::NotAnObject => return Ok(RuleOutcome::NotMatched),
            DataMode::CustomInterface => {
                if custom_interface_throws(data, rule) {
                    return Ok(RuleOutcome::NotMatched);
                }
            }
            DataMode::Plain => {
                if let Some(Value::String(key)) = js::get(Some(rule), "key")
                    && let Some(value) = data.get(key)
                {
                    return Ok(self.compare(
                        operator,
                        Some(&value),
                        test,
                        negated,
                        at,
                        diagnostics,
                    ));
                }
            }
        }
        if compares_missing_key(operator) {
            return Ok(self.compare(operator, None, test, negated, at, diagnostics));
        }
        Ok(RuleOutcome::NotMatched)
    }

    pub(super) fn compare(
        &mut self,
        operator: Operator,
        value: Option<&Value>,
        test: Option<&Value>,
        negated: bool,
        at: ItemPath<'_>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> RuleOutcome {
        match ops::apply(self, operator, value, test, negated) {
            Ok(ops::Compared::Bool(b)) => RuleOutcome::from_bool(b),
            Ok(ops::Compared::Raw(v)) => RuleOutcome::from_value(v),
            Err(exception) => {
                diagnostics.push(exception.into_diagnostic(at.to_string()));
                RuleOutcome::NotMatched
            }
        }
    }
}
