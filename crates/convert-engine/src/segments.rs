//! Segments: the visitor's report segments (`set_segments`) and custom
//! segments (`run_custom_segments`), the JS SDK's `SegmentsManager`
//! (`spec/segments.md`).
//!
//! - [`set_segments`] stores the report-segment keys of what it is given
//!   (`country`, `browser`, …, `customSegments`; see
//!   [`REPORT_SEGMENT_KEYS`](crate::visitor::REPORT_SEGMENT_KEYS)) and drops
//!   the rest (`segments.default`);
//! - [`run_custom_segments`] evaluates the named segments (config order) with
//!   the visitor's properties merged with the rule data; from the first one
//!   that matches, it and every later one are added to the stored
//!   `customSegments` (ids as strings, never twice) — `segments.custom`,
//!   `segments.latch`.
//!
//! Sources: `packages/segments/src/segments-manager.ts`,
//! `packages/js-sdk/src/context.ts` (`runCustomSegments`,
//! `setDefaultSegments`).

use serde_json::{Map, Value};

use crate::config::ProjectConfig;
use crate::diagnostics::{Diagnostic, JsThrowSite};
use crate::js;
use crate::rule::{RuleError, RuleEvaluator, RuleOptions, RuleOutcome};
use crate::visitor::{Visitor, split_report_segments};

/// `setDefaultSegments(segments)`: stores the report-segment keys of
/// `segments` (deep-merged into the stored segments); returns whether
/// anything was stored.
pub fn set_segments(visitor: &mut Visitor, segments: &Map<String, Value>) -> bool {
    let (report, _) = split_report_segments(segments);
    if report.is_empty() {
        return false;
    }
    visitor.state_mut().put_segments_owned(report);
    true
}

/// The outcome of [`run_custom_segments`].
#[derive(Clone, Debug, PartialEq)]
pub struct CustomSegmentsRun {
    /// The segment ids added to the stored `customSegments`, in order.
    pub added: Vec<String>,
    /// The `RuleError` a segment's rules evaluated to; the SDK returns it
    /// and stores nothing.
    pub rule_error: Option<RuleError>,
    /// What was observed on the way.
    pub diagnostics: Vec<Diagnostic>,
}

/// `runCustomSegments(segmentKeys, {ruleData})` for `visitor`.
pub fn run_custom_segments(
    config: &ProjectConfig,
    visitor: &mut Visitor,
    segment_keys: &[String],
    rule_data: Option<&Map<String, Value>>,
    rules: RuleOptions,
) -> CustomSegmentsRun {
    let mut run = CustomSegmentsRun {
        added: Vec::new(),
        rule_error: None,
        diagnostics: Vec::new(),
    };
    if visitor.id().is_empty() {
        return run;
    }
    let data = Value::Object(visitor.merged_properties(rule_data));
    // What `customSegments.includes(id)` and `[...customSegments]` see: an
    // array as is; a string is searched as text and spreads into its
    // characters (`segments.custom-string`); anything else throws.
    let (stored, stored_text): (Vec<Value>, Option<String>) =
        match visitor.state().custom_segments() {
            None => (Vec::new(), None),
            Some(Value::Array(ids)) => (ids.clone(), None),
            Some(Value::String(text)) => (
                text.chars().map(|c| Value::String(c.to_string())).collect(),
                Some(text.clone()),
            ),
            Some(_) => {
                run.diagnostics.push(Diagnostic::JsWouldThrow {
                    site: JsThrowSite::CustomSegmentsNotList,
                    path: "visitor.segments.customSegments".into(),
                });
                return run;
            }
        };
    let mut evaluator = RuleEvaluator::new(rules);
    let mut matched = false;
    let segments = crate::mutant!(
        "segments.caller-order",
        config.entities_by_keys("segments", segment_keys),
        segment_keys
            .iter()
            .flat_map(|k| config.entities_by_keys("segments", std::slice::from_ref(k)))
            .collect()
    );
    for segment in segments {
        if crate::mutant!("segments.latch", !matched, true) {
            let id = js::to_string(js::get(Some(segment), "id"));
            let path = format!("segments[id={id}].rules");
            let rule_set = js::get(Some(segment), "rules").unwrap_or(&Value::Null);
            let outcome = evaluator.evaluate(rule_set, &data, &path, &mut run.diagnostics);
            if let Some(error) = outcome.rule_error() {
                // Nothing is added before the first match, so nothing to undo.
                run.rule_error = Some(error);
                return run;
            }
            matched = match outcome {
                RuleOutcome::Matched => true,
                RuleOutcome::NotMatched | RuleOutcome::Threw(_) => false,
                RuleOutcome::Value(v) => js::truthy(Some(&v)),
            };
        }
        if matched {
            let Some(id) = js::get(Some(segment), "id").filter(|id| !js::is_nullish(Some(id)))
            else {
                continue;
            };
            let id = js::to_string(Some(id)).into_owned();
            let known = match &stored_text {
                Some(text) => text.contains(id.as_str()),
                None => stored
                    .iter()
                    .any(|s| matches!(s, Value::String(s) if *s == id)),
            } || run.added.contains(&id);
            if !known {
                run.added.push(id);
            }
        }
    }
    if !run.added.is_empty() {
        let mut all = stored;
        all.extend(run.added.iter().cloned().map(Value::String));
        let mut segments = visitor.state().segments.to_map();
        segments.insert("customSegments".into(), Value::Array(all));
        set_segments(visitor, &segments);
    }
    run
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config() -> ProjectConfig {
        let rule = |key: &str| {
            json!({"OR": [{"AND": [{"OR_WHEN": [{"rule_type": "generic_key_value", "key": key,
                "value": "yes", "matching": {"match_type": "equals", "negated": false}}]}]}]})
        };
        ProjectConfig::from_value(
            &json!({"account_id": "1", "project": {"id": "2"}, "segments": [
                {"id": "800", "key": "vip", "rules": rule("vip")},
                {"id": 801, "key": "new", "rules": rule("new")},
            ]}),
        )
        .unwrap()
    }

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn the_first_match_latches_every_later_segment() {
        let mut visitor = Visitor::new("v", &Map::new());
        let keys = ["vip".to_owned(), "new".to_owned()];
        let data = map(json!({"vip": "yes"}));
        let run = run_custom_segments(
            &config(),
            &mut visitor,
            &keys,
            Some(&data),
            RuleOptions::default(),
        );
        assert_eq!(run.added, ["800", "801"]);
        assert_eq!(
            visitor.state().custom_segments(),
            Some(&json!(["800", "801"]))
        );
        // Nothing twice.
        let run = run_custom_segments(
            &config(),
            &mut visitor,
            &keys,
            Some(&data),
            RuleOptions::default(),
        );
        assert!(run.added.is_empty());
    }

    #[test]
    fn no_match_stores_nothing_and_set_segments_keeps_report_keys() {
        let mut visitor = Visitor::new("v", &Map::new());
        let run = run_custom_segments(
            &config(),
            &mut visitor,
            &["vip".to_owned()],
            None,
            RuleOptions::default(),
        );
        assert!(run.added.is_empty());
        assert_eq!(visitor.state().custom_segments(), None);
        assert!(set_segments(
            &mut visitor,
            &map(json!({"country": "US", "plan": "pro"}))
        ));
        assert_eq!(
            Value::Object(visitor.state().segments.to_map()),
            json!({"country": "US"})
        );
        assert!(!set_segments(&mut visitor, &map(json!({"plan": "pro"}))));
    }
}
