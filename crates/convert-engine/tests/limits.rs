//! Pathological inputs through the engine API, each ending in a result or a
//! typed error (`docs/robustness.md`): a 100 MB config, rule trees and data
//! 10,000 levels deep, a 1 MB visitor id, catastrophic regular expressions.
//! No test measures time: each bound is proven by what it returns (and, for
//! depth, by running on a thread whose stack any per-level recursion would
//! overflow).

use convert_engine::config::{ConfigError, ProjectConfig};
use convert_engine::diagnostics::{Diagnostic, Reason};
use convert_engine::experience::{LocationAttributes, RunOptions};
use convert_engine::limits::{self, MAX_DEPTH};
use convert_engine::rule::{RuleOutcome, evaluate};
use convert_engine::visitor::Visitor;
use convert_engine::{Engine, bucketing, hash};
use serde_json::{Map, Value, json};

/// Runs `f` on a thread with a 512 KiB stack: far more than any bounded
/// evaluation needs, far less than recursion over 10,000 levels would.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow, no panic")
}

/// `{"OR":[{"AND":[{"OR_WHEN":[ … ]}]}]}` nested `levels` times around a
/// valid rule item, built without recursion.
fn deep_rule_tree(levels: usize) -> Value {
    // Not `json!({…: [node]})`: the macro serializes an interpolated value,
    // which recurses over it.
    let wrap = |key: &str, inner: Value| {
        let mut map = Map::new();
        map.insert(key.to_owned(), Value::Array(vec![inner]));
        Value::Object(map)
    };
    let mut node = item("equals", json!("pro"));
    for _ in 0..levels {
        node = wrap("OR", wrap("AND", wrap("OR_WHEN", node)));
    }
    node
}

fn item(match_type: &str, value: Value) -> Value {
    json!({"rule_type": "generic_key_value", "key": "plan", "value": value,
           "matching": {"match_type": match_type, "negated": false}})
}

fn rule_of(item: Value) -> Value {
    json!({"OR": [{"AND": [{"OR_WHEN": [item]}]}]})
}

fn nested_array(levels: usize, inner: Value) -> Value {
    let mut v = inner;
    for _ in 0..levels {
        v = Value::Array(vec![v]);
    }
    v
}

fn too_deep(diagnostics: &[Diagnostic]) -> bool {
    diagnostics
        .iter()
        .any(|d| matches!(d, Diagnostic::TooDeep { limit, .. } if *limit == MAX_DEPTH))
}

#[test]
fn a_rule_tree_10000_deep_does_not_match_and_says_why() {
    on_small_stack(|| {
        let rule = deep_rule_tree(10_000);
        let evaluation = evaluate(&rule, &json!({"plan": "pro"}));
        assert_eq!(evaluation.outcome, RuleOutcome::NotMatched);
        assert!(
            too_deep(&evaluation.diagnostics),
            "{:?}",
            evaluation.diagnostics
        );
        let engine = Engine::default().evaluate_rule(&rule, &json!({"plan": "pro"}));
        assert_eq!(engine, evaluation);
        limits::dismantle(rule);
    });
}

#[test]
fn data_10000_deep_does_not_match_and_says_why() {
    on_small_stack(|| {
        let mut data = Map::new();
        data.insert("plan".into(), json!("pro"));
        data.insert("deep".into(), nested_array(10_000, json!("x")));
        let data = Value::Object(data);
        let evaluation = evaluate(&rule_of(item("equals", json!("pro"))), &data);
        assert_eq!(evaluation.outcome, RuleOutcome::NotMatched);
        assert!(too_deep(&evaluation.diagnostics));
        limits::dismantle(data);
    });
}

#[test]
fn values_within_the_limit_evaluate_as_javascript_does() {
    on_small_stack(|| {
        // String([[[…["pro"]…]]]) is "pro" in JavaScript: the rule value
        // nested 120 levels deep still equals the visitor's "pro".
        let rule = rule_of(item("equals", nested_array(120, json!("pro"))));
        let evaluation = evaluate(&rule, &json!({"plan": "pro"}));
        assert_eq!(evaluation.outcome, RuleOutcome::Matched);
        assert!(evaluation.diagnostics.is_empty());
    });
}

#[test]
fn a_config_10000_deep_is_a_typed_error() {
    on_small_stack(|| {
        let mut config = json!({"account_id": "1", "project": {"id": "2"}});
        config["extra"] = nested_array(10_000, json!(1));
        let error = ProjectConfig::from_value(&config).unwrap_err();
        assert!(
            matches!(error, ConfigError::TooDeep { limit: MAX_DEPTH }),
            "{error}"
        );
        limits::dismantle(config);
        // As text, serde_json's own recursion limit refuses it first.
        let text = format!(
            r#"{{"account_id":"1","project":{{"id":"2"}},"x":{}1{}}}"#,
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let error = ProjectConfig::from_json_str(&text).unwrap_err();
        assert!(matches!(error, ConfigError::Json(_)), "{error}");
        assert!(error.to_string().contains("recursion limit"), "{error}");
    });
}

#[test]
fn visitor_attributes_10000_deep_are_ignored() {
    on_small_stack(|| {
        let config = ProjectConfig::from_value(&json!({
            "account_id": "1", "project": {"id": "2"},
            "audiences": [{"id": "10", "rules": rule_of(item("equals", json!("pro")))}],
            "experiences": [{"id": "30", "key": "e", "version": 11, "audiences": ["10"],
                "settings": {"matching_options": {"audiences": "any"}},
                "variations": [{"id": "31", "key": "a", "traffic_allocation": 100}]}]
        }))
        .unwrap();
        let mut attributes = Map::new();
        attributes.insert("plan".into(), json!("pro"));
        attributes.insert("deep".into(), nested_array(10_000, json!(1)));
        let visitor = Visitor::new("v", &attributes);
        assert_eq!(
            visitor.properties().len(),
            1,
            "the deep attribute is left out"
        );
        let options = RunOptions {
            location: LocationAttributes::Ignore,
            visitor_properties: Some(&attributes),
            ..RunOptions::default()
        };
        let decision = Engine::default().run_experience(&config, &visitor, "e", &options);
        assert_eq!(
            decision.reason,
            Reason::Resolved,
            "the shallow attribute still counts"
        );
        limits::dismantle(Value::Object(attributes));
    });
}

#[test]
fn a_100_mb_config_is_read_and_decided() {
    // 20,000 experiences of about 5 KB each.
    let padding = "p".repeat(5_000);
    let experiences: Vec<Value> = (0..20_000)
        .map(|i| {
            json!({"id": format!("{i}"), "key": format!("exp-{i}"), "version": 11,
                "description": padding,
                "variations": [{"id": format!("{i}-a"), "key": "a", "traffic_allocation": 50},
                               {"id": format!("{i}-b"), "key": "b", "traffic_allocation": 50}]})
        })
        .collect();
    let text =
        json!({"account_id": "1", "project": {"id": "2"}, "experiences": experiences}).to_string();
    drop(experiences);
    assert!(text.len() > 100_000_000, "{} bytes", text.len());
    let config = ProjectConfig::from_json_str(&text).unwrap();
    drop(text);
    let visitor = Visitor::new("visitor-1", &Map::new());
    let options = RunOptions {
        location: LocationAttributes::Ignore,
        ..RunOptions::default()
    };
    let decision = Engine::default().run_experience(&config, &visitor, "exp-19999", &options);
    assert_eq!(decision.reason, Reason::Resolved);
}

#[test]
fn a_1_mb_visitor_id_is_hashed_and_bucketed() {
    let id = "v".repeat(1024 * 1024);
    let config = ProjectConfig::from_value(&json!({
        "account_id": "1", "project": {"id": "2"},
        "experiences": [{"id": "30", "key": "e", "version": 11,
            "variations": [{"id": "31", "key": "a", "traffic_allocation": 50},
                           {"id": "32", "key": "b", "traffic_allocation": 50}]}]
    }))
    .unwrap();
    let visitor = Visitor::new(id.clone(), &Map::new());
    let options = RunOptions {
        location: LocationAttributes::Ignore,
        ..RunOptions::default()
    };
    let decision = Engine::default().run_experience(&config, &visitor, "e", &options);
    assert_eq!(decision.reason, Reason::Resolved);
    // The packed layout buckets on "{experience id}{visitor id}", all of it
    // (spec/bucketing.md): the variation is the one the full 1 MB id gives.
    let bucket = bucketing::scale_hash(hash::murmur3_x86_32(format!("30{id}").as_bytes(), 9999));
    assert_eq!(bucket, bucketing::bucket_value("30", &id));
    let expected = if bucket < 5_000 { "31" } else { "32" };
    let variation = decision.variation.as_ref().map(|v| v.id.as_str());
    assert_eq!(variation, Some(expected));
}

#[test]
fn catastrophic_patterns_stop_at_the_budget() {
    // Each is exponential in a backtracking engine on this subject.
    let subject = format!("{}!", "a".repeat(40));
    for pattern in ["(a+)+$", "(a|a)*$", "(a|aa)+$", "^(a*)*$", "(?:a+){2,}b"] {
        let rule = rule_of(json!({"rule_type": "generic_key_value", "key": "plan",
            "value": pattern, "matching": {"match_type": "regexMatches", "negated": false}}));
        let evaluation = evaluate(&rule, &json!({"plan": subject}));
        assert_eq!(evaluation.outcome, RuleOutcome::NotMatched, "{pattern}");
        assert!(
            evaluation
                .diagnostics
                .iter()
                .any(|d| matches!(d, Diagnostic::RegexOverBudget { .. })),
            "{pattern}: {:?}",
            evaluation.diagnostics
        );
    }
}
