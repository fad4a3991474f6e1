//! Features: `run_features` and `run_feature`, the JS SDK's `FeatureManager`
//! (`spec/feature.md`).
//!
//! A feature is enabled for a visitor through the variations they are
//! bucketed into: every `fullStackFeature` change of a selected variation
//! names a `feature_id` and carries `variables_data`, whose values are cast by
//! the feature's declared variable types ([`cast_variable`]).
//!
//! `run_features` decides every experience (or the experiences named by
//! key) for the visitor, storing each fresh decision as `run_experience`
//! does, and lists one enabled entry per (variation, feature change), in
//! experience order; without a feature filter it then lists every declared
//! feature that no entry enabled as disabled. `run_feature(key)` is
//! `run_features` filtered to that key: the entries it enables, else one
//! disabled entry.
//!
//! Sources: `packages/js-sdk/src/feature-manager.ts` (`runFeatures`,
//! `runFeature`), `packages/utils/src/types-utils.ts` (`castType`).

use serde_json::{Map, Number, Value};

use crate::config::ProjectConfig;
use crate::engine::Settings;
use crate::experience::{self, Decision, RunOptions};
use crate::js;
use crate::visitor::Visitor;

/// The variation change type that carries a feature.
pub const FEATURE_CHANGE_TYPE: &str = "fullStackFeature";

/// Whether a feature entry is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeatureStatus {
    /// The visitor is in a variation that carries the feature.
    Enabled,
    /// Declared but not carried by any of the visitor's variations (or not
    /// declared at all).
    Disabled,
}

impl FeatureStatus {
    /// The SDK's status string.
    pub fn as_str(self) -> &'static str {
        match self {
            FeatureStatus::Enabled => "enabled",
            FeatureStatus::Disabled => "disabled",
        }
    }
}

/// One entry of a feature answer.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureEntry {
    /// The feature id: `String(feature_id)` of the change for an enabled
    /// entry, the declared `id` as in config for a disabled one, `None` for
    /// an undeclared key.
    pub id: Option<Value>,
    /// The declared feature's `key` (`None` when the change names an
    /// undeclared feature id).
    pub key: Option<Value>,
    /// On or off.
    pub status: FeatureStatus,
    /// `String(id)` of the experience of the variation (enabled entries).
    pub experience_id: Option<Value>,
    /// The experience's key (enabled entries).
    pub experience_key: Option<Value>,
    /// The change's `variables_data`, cast (enabled entries; `None` when the
    /// change has none).
    pub variables: Option<Value>,
}

impl FeatureEntry {
    fn disabled(id: Option<Value>, key: Option<Value>) -> FeatureEntry {
        FeatureEntry {
            id,
            key,
            status: FeatureStatus::Disabled,
            experience_id: None,
            experience_key: None,
            variables: None,
        }
    }
}

/// What a feature call selects (`filter` and `typeCasting`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FeatureQuery<'a> {
    /// Only these feature keys (strict `===`); `None` lists every feature.
    pub features: Option<&'a [String]>,
    /// Only these experience keys (strict `===`, config order); `None` or
    /// empty decides every experience.
    pub experiences: Option<&'a [String]>,
    /// Cast variable values by their declared types (default `true`).
    pub type_casting: bool,
}

impl Default for FeatureQuery<'_> {
    fn default() -> Self {
        FeatureQuery {
            features: None,
            experiences: None,
            type_casting: true,
        }
    }
}

/// The answer of a feature call, with the experience decisions made on the
/// way (each already stored on the visitor; fresh ones are tracked).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeatureRun {
    /// The entries, in the SDK's order.
    pub entries: Vec<FeatureEntry>,
    /// Every decision taken, resolved or not, in experience order.
    pub decisions: Vec<Decision>,
}

/// `runFeatures(visitorId, attributes, filter)`.
pub fn run_features(
    settings: &Settings,
    config: &ProjectConfig,
    visitor: &mut Visitor,
    query: &FeatureQuery<'_>,
    options: &RunOptions<'_>,
) -> FeatureRun {
    // `Context.runFeatures`: no visitor id, no answer (`feature.no-visitor`).
    if visitor.id().is_empty() {
        return FeatureRun::default();
    }
    let declared = declared_features(config);
    let experiences: Vec<&Value> = match query.experiences {
        Some(keys) if !keys.is_empty() => config.entities_by_keys("experiences", keys),
        _ => config.entities("experiences").iter().collect(),
    };
    let mut decisions = Vec::new();
    for experience in experiences {
        let key = js::to_string(js::get(Some(experience), "key")).into_owned();
        let decision = experience::run_experience(settings, config, visitor, &key, options);
        visitor.remember(&decision);
        decisions.push(decision);
    }
    let mut entries = Vec::new();
    for decision in &decisions {
        let Some(variation) = &decision.variation else {
            continue;
        };
        let changes = js::get(Some(variation.raw.as_ref()), "changes");
        for index in changes.map(js::own_keys).unwrap_or_default() {
            let change = js::get(changes, &index);
            if !matches!(js::get(change, "type"), Some(Value::String(t)) if t == FEATURE_CHANGE_TYPE)
            {
                continue;
            }
            let data = js::get(change, "data");
            let feature_id = js::get(data, "feature_id");
            if !js::truthy(feature_id) {
                continue;
            }
            let feature_id = js::to_string(feature_id).into_owned();
            let feature = declared
                .iter()
                .find(|(id, _)| *id == feature_id)
                .map(|(_, f)| *f);
            let feature_key = js::get(feature, "key");
            let wanted = match query.features {
                // An empty filter list is truthy in JS yet selects nothing.
                Some(keys) => matches!(feature_key, Some(Value::String(k)) if keys.contains(k)),
                None => true,
            };
            if !wanted {
                continue;
            }
            let mut variables = js::get(data, "variables_data").cloned();
            if query.type_casting
                && let Some(Value::Object(values)) = variables.as_mut()
            {
                cast_variables(values, js::get(feature, "variables"));
            }
            entries.push(FeatureEntry {
                id: Some(Value::String(feature_id)),
                key: feature_key.cloned(),
                status: FeatureStatus::Enabled,
                experience_id: decision.experience_id.clone().map(Value::String),
                experience_key: decision.experience_key.clone(),
                variables,
            });
        }
    }
    if crate::mutant!("feature.disabled", query.features.is_none(), false) {
        for (_, feature) in &declared {
            let id = js::get(Some(feature), "id");
            let enabled = entries.iter().any(|e| js::strict_equals(e.id.as_ref(), id));
            if !enabled {
                entries.push(FeatureEntry::disabled(
                    id.cloned(),
                    js::get(Some(feature), "key").cloned(),
                ));
            }
        }
    }
    FeatureRun { entries, decisions }
}

/// `runFeature(visitorId, key, attributes, experienceKeys)`.
pub fn run_feature(
    settings: &Settings,
    config: &ProjectConfig,
    visitor: &mut Visitor,
    key: &str,
    query: &FeatureQuery<'_>,
    options: &RunOptions<'_>,
) -> FeatureRun {
    // `Context.runFeature`: no visitor id, no answer (`feature.no-visitor`).
    if visitor.id().is_empty() {
        return FeatureRun::default();
    }
    let Some(declared) = config.entity_by_field("features", "key", key) else {
        return FeatureRun {
            entries: vec![FeatureEntry::disabled(
                None,
                Some(Value::String(key.to_owned())),
            )],
            decisions: Vec::new(),
        };
    };
    let keys = [key.to_owned()];
    let filtered = FeatureQuery {
        features: Some(&keys),
        ..*query
    };
    let mut run = run_features(settings, config, visitor, &filtered, options);
    if run.entries.is_empty() {
        run.entries.push(FeatureEntry::disabled(
            js::get(Some(declared), "id").cloned(),
            Some(Value::String(key.to_owned())),
        ));
    }
    run
}

/// `getListAsObject('id')`: the declared features keyed by `String(id)`, in
/// the order of an object's keys (array-index keys ascending first); a later
/// feature with the same id replaces an earlier one in its place.
fn declared_features(config: &ProjectConfig) -> Vec<(String, &Value)> {
    let mut features: Vec<(String, &Value)> = Vec::new();
    for feature in config.entities("features") {
        let id = js::to_string(js::get(Some(feature), "id")).into_owned();
        match features.iter_mut().find(|(k, _)| *k == id) {
            Some(slot) => slot.1 = feature,
            None => features.push((id, feature)),
        }
    }
    // A stable sort keeps the other keys in insertion order.
    let key_order = |(id, _): &(String, &Value)| {
        if js::is_array_index(id) {
            (0, id.parse::<u64>().unwrap_or(u64::MAX))
        } else {
            (1, 0)
        }
    };
    crate::mutant!(
        "feature.declared-order",
        features.sort_by_key(key_order),
        ()
    );
    features
}

/// Casts each value whose variable the feature declares with a type.
fn cast_variables(values: &mut Map<String, Value>, definitions: Option<&Value>) {
    let Some(Value::Array(definitions)) = definitions else {
        return;
    };
    for (name, value) in values.iter_mut() {
        let definition = definitions
            .iter()
            .find(|d| matches!(js::get(Some(d), "key"), Some(Value::String(k)) if k == name));
        let kind = js::get(definition, "type");
        if js::truthy(kind) {
            *value = cast_variable(value, &js::to_string(kind));
        }
    }
}

/// `castType(value, type)`: `boolean` (`"true"`/`"false"`, else
/// truthiness), `float` (`parseFloat`, booleans as 1/0), `integer`
/// (`parseInt` without a radix, booleans as 1/0), `string` (`String()`),
/// `json` (objects, arrays and `null` as they are, otherwise `JSON.parse`,
/// or `String()` when that throws); any other type leaves the value as is.
///
/// Numbers JSON cannot carry (NaN, ±Infinity) come back in the conformance
/// protocol's form, `{"$number": "NaN" | "Infinity" | "-Infinity"}`.
pub fn cast_variable(value: &Value, kind: &str) -> Value {
    match kind {
        "boolean" => Value::Bool(match value {
            Value::String(s) if s == "true" => true,
            Value::String(s) if s == "false" => crate::mutant!("feature.cast-false", false, true),
            other => js::truthy(Some(other)),
        }),
        "float" | "integer" => {
            let number = match value {
                Value::Bool(b) => {
                    crate::mutant!(
                        "feature.cast-bool-number",
                        f64::from(u8::from(*b)),
                        f64::NAN
                    )
                }
                other if kind == "float" => js::parse_float(&js::to_string(Some(other))),
                other => crate::mutant!(
                    "feature.cast-radix",
                    js::parse_int_auto(&js::to_string(Some(other))),
                    js::parse_int(&js::to_string(Some(other)))
                ),
            };
            number_value(number)
        }
        "string" => Value::String(js::to_string(Some(value)).into_owned()),
        "json" => match value {
            Value::Object(_) | Value::Array(_) | Value::Null => value.clone(),
            other => {
                let text = js::to_string(Some(other));
                serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.into_owned()))
            }
        },
        _ => value.clone(),
    }
}

/// A JS number as JSON (integral values as integers).
pub fn number_value(n: f64) -> Value {
    if n.is_nan() {
        return non_finite("NaN");
    }
    if n.is_infinite() {
        return non_finite(if n > 0.0 { "Infinity" } else { "-Infinity" });
    }
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        // Exact: |n| < 2^53.
        #[allow(clippy::cast_possible_truncation)]
        return Value::Number(Number::from(n as i64));
    }
    Number::from_f64(n).map_or(Value::Null, Value::Number)
}

fn non_finite(name: &str) -> Value {
    let mut map = Map::new();
    map.insert("$number".into(), Value::String(name.into()));
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Expected values: node 20 running the SDK's castType (4.4.3).

    #[test]
    fn casts_follow_cast_type() {
        assert_eq!(cast_variable(&json!("true"), "boolean"), json!(true));
        assert_eq!(cast_variable(&json!("no"), "boolean"), json!(true));
        assert_eq!(cast_variable(&json!(""), "boolean"), json!(false));
        assert_eq!(cast_variable(&json!("1.5e1x"), "float"), json!(15));
        assert_eq!(cast_variable(&json!(true), "float"), json!(1));
        assert_eq!(cast_variable(&json!("0x1A"), "integer"), json!(26));
        assert_eq!(cast_variable(&json!("12.9"), "integer"), json!(12));
        assert_eq!(
            cast_variable(&json!("abc"), "integer"),
            json!({"$number": "NaN"})
        );
        assert_eq!(cast_variable(&json!([1, 2]), "string"), json!("1,2"));
        assert_eq!(cast_variable(&json!("{\"a\":1}"), "json"), json!({"a": 1}));
        assert_eq!(cast_variable(&json!("{oops"), "json"), json!("{oops"));
        assert_eq!(cast_variable(&json!(5), "json"), json!(5));
        assert_eq!(cast_variable(&json!("x"), "color"), json!("x"));
    }
}
