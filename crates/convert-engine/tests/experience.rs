//! `run_experience` against decisions observed on the published JS SDK 4.4.3.
//!
//! Every expected `(variation id, reason)` below was observed by running the
//! same input through `adapters/js/adapter.js` (the JS SDK 4.4.3 driven through
//! `createContext(visitorId, visitorAttributes).runExperience(key,
//! {locationProperties})`, reason read from the SDK's gate log lines) with
//! node 20. Cases marked "divergence" are where JavaScript throws (the adapter
//! reports `errored`) or returns `null` without a gate; there the expected
//! value is the engine's documented behaviour (spec/experience.md).

use convert_engine::Engine;
use convert_engine::config::ProjectConfig;
use convert_engine::diagnostics::Reason;
use convert_engine::experience::{Decision, LocationAttributes, RunOptions};
use convert_engine::visitor::Visitor;
use serde_json::{Map, Value, json};

fn item(key: &str, match_type: &str, value: Value) -> Value {
    json!({"rule_type": "generic_key_value", "key": key, "value": value,
           "matching": {"match_type": match_type, "negated": false}})
}

fn rule_set(item: Value) -> Value {
    json!({"OR": [{"AND": [{"OR_WHEN": [item]}]}]})
}

/// One experience `300`/`exp-1` (v11, 301/302 at 50/50, audience 500 `plan
/// equals pro`, location 600 `url contains shop`), a second audience 501
/// `country equals us`, a segment 800. Visitor `visitor-123` has bucket value
/// 8107 in experience 300, so it lands in 302.
fn base() -> Value {
    json!({
        "account_id": "100", "project": {"id": "200"},
        "experiences": [{
            "id": "300", "key": "exp-1", "name": "Experience 1", "version": 11, "environment": "staging",
            "settings": {"matching_options": {"audiences": "any"}},
            "audiences": ["500"], "locations": ["600"],
            "variations": [
                {"id": "301", "key": "control", "traffic_allocation": 50, "status": "running"},
                {"id": "302", "key": "variation-1", "traffic_allocation": 50, "status": "running"}
            ]
        }],
        "audiences": [
            {"id": "500", "key": "pro", "type": "transient", "rules": rule_set(item("plan", "equals", json!("pro")))},
            {"id": "501", "key": "us", "type": "transient", "rules": rule_set(item("country", "equals", json!("us")))}
        ],
        "locations": [{"id": "600", "key": "shop", "rules": rule_set(item("url", "contains", json!("shop")))}],
        "segments": [{"id": "800", "key": "seg", "rules": rule_set(item("x", "equals", json!("y")))}],
        "archived_experiences": ["999"]
    })
}

/// `base()` with fields of the experience replaced (`null` removes a field).
fn with_experience(changes: Value) -> Value {
    let mut config = base();
    if let (Some(experience), Value::Object(changes)) =
        (config["experiences"][0].as_object_mut(), changes)
    {
        for (key, value) in changes {
            if value.is_null() {
                experience.remove(&key);
            } else {
                experience.insert(key, value);
            }
        }
    }
    config
}

fn with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut config = base();
    edit(&mut config);
    config
}

struct Call {
    visitor: &'static str,
    attributes: Value,
    location: Option<Value>,
    environment: Option<&'static str>,
    key: &'static str,
}

impl Default for Call {
    fn default() -> Self {
        Call {
            visitor: "visitor-123",
            attributes: json!({"plan": "pro"}),
            location: Some(json!({"url": "/shop"})),
            environment: None,
            key: "exp-1",
        }
    }
}

fn object(value: &Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

fn run(config: &Value, call: &Call) -> Decision {
    let config = ProjectConfig::from_value(config).expect("config is an object");
    let visitor = Visitor::new(call.visitor, &object(&call.attributes));
    let location = call.location.as_ref().map(object);
    let options = RunOptions {
        location: location
            .as_ref()
            .map_or(LocationAttributes::Absent, LocationAttributes::Properties),
        visitor_properties: None,
        environment: call.environment,
        ..RunOptions::default()
    };
    Engine::default().run_experience(&config, &visitor, call.key, &options)
}

#[track_caller]
fn check(config: Value, call: Call, want_variation: Option<(&str, &str)>, want_reason: Reason) {
    let decision = run(&config, &call);
    let got = decision
        .variation
        .as_ref()
        .map(|v| (v.id.as_str(), v.key_string().unwrap_or_default()));
    assert_eq!(
        got,
        want_variation.map(|(id, key)| (id, key.to_owned())),
        "variation; diagnostics: {:?}",
        decision.diagnostics
    );
    assert_eq!(
        decision.reason, want_reason,
        "reason; diagnostics: {:?}",
        decision.diagnostics
    );
}

const RESOLVED_302: Option<(&str, &str)> = Some(("302", "variation-1"));

#[test]
fn resolved() {
    check(base(), Call::default(), RESOLVED_302, Reason::Resolved);
    let decision = run(&base(), &Call::default());
    assert_eq!(decision.bucket_value, Some(8107));
    assert_eq!(decision.experience_id.as_deref(), Some("300"));
}

#[test]
fn lookup_and_visitor_id() {
    check(
        base(),
        Call {
            key: "nope",
            ..Call::default()
        },
        None,
        Reason::ExperienceNotFound,
    );
    check(
        base(),
        Call {
            visitor: "",
            ..Call::default()
        },
        None,
        Reason::VisitorIdMissing,
    );
    check(
        with_experience(json!({"key": 123})),
        Call {
            key: "123",
            ..Call::default()
        },
        RESOLVED_302,
        Reason::Resolved,
    );
    check(
        with_experience(json!({"key": null})),
        Call {
            key: "undefined",
            ..Call::default()
        },
        RESOLVED_302,
        Reason::Resolved,
    );
    // The first experience with the key wins (and its id is hashed).
    let duplicate = with(|c| {
        let mut first = c["experiences"][0].clone();
        first["id"] = json!("310");
        first["variations"] = json!([{"id": "311", "key": "dup", "traffic_allocation": 100}]);
        if let Some(list) = c["experiences"].as_array_mut() {
            list.insert(0, first);
        }
    });
    check(
        duplicate,
        Call::default(),
        Some(("311", "dup")),
        Reason::Resolved,
    );
}

#[test]
fn archived() {
    check(
        with(|c| c["archived_experiences"] = json!(["300"])),
        Call::default(),
        None,
        Reason::ExperienceArchived,
    );
    check(
        with(|c| c["archived_experiences"] = json!([300])),
        Call::default(),
        None,
        Reason::ExperienceArchived,
    );
    // JS returns null without an "archived" log line: `find` returned the
    // falsy 0 first, so the experience is not archived; the falsy id then
    // stops `_retrieveBucketing` (variation_not_found in the engine).
    let falsy = with(|c| {
        c["experiences"][0]["id"] = json!(0);
        c["archived_experiences"] = json!([0, "0"]);
    });
    check(falsy, Call::default(), None, Reason::VariationNotFound);
}

#[test]
fn environment() {
    check(
        base(),
        Call {
            environment: Some("production"),
            ..Call::default()
        },
        None,
        Reason::EnvironmentMismatch,
    );
    check(
        with_experience(json!({"environment": "Staging"})),
        Call::default(),
        None,
        Reason::EnvironmentMismatch,
    );
    check(
        with_experience(json!({"environment": null})),
        Call {
            environment: Some("production"),
            ..Call::default()
        },
        RESOLVED_302,
        Reason::Resolved,
    );
}

#[test]
fn locations_and_site_area() {
    check(
        base(),
        Call {
            location: None,
            ..Call::default()
        },
        None,
        Reason::LocationMismatch,
    );
    check(
        base(),
        Call {
            location: Some(json!({"url": "/home"})),
            ..Call::default()
        },
        None,
        Reason::LocationMismatch,
    );
    check(
        with_experience(json!({"locations": ["601"]})),
        Call::default(),
        None,
        Reason::LocationMismatch,
    );
    check(
        with_experience(json!({"locations": [600]})),
        Call::default(),
        None,
        Reason::LocationMismatch,
    );
    let site_area = rule_set(item("url", "contains", json!("shop")));
    check(
        with_experience(json!({"locations": [], "site_area": site_area})),
        Call::default(),
        RESOLVED_302,
        Reason::Resolved,
    );
    check(
        with_experience(json!({"locations": null, "site_area": site_area})),
        Call {
            location: Some(json!({"url": "/home"})),
            ..Call::default()
        },
        None,
        Reason::LocationMismatch,
    );
    check(
        with_experience(json!({"locations": null})),
        Call {
            location: Some(json!({})),
            ..Call::default()
        },
        RESOLVED_302,
        Reason::Resolved,
    );
}

#[test]
fn ignored_locations_pass() {
    let config = ProjectConfig::from_value(&base()).unwrap();
    let visitor = Visitor::new("visitor-123", &object(&json!({"plan": "pro"})));
    let options = RunOptions {
        location: LocationAttributes::Ignore,
        ..RunOptions::default()
    };
    let decision = Engine::default().run_experience(&config, &visitor, "exp-1", &options);
    assert_eq!(decision.reason, Reason::Resolved);
}

#[test]
fn audiences() {
    check(
        base(),
        Call {
            attributes: json!({"plan": "free"}),
            ..Call::default()
        },
        None,
        Reason::AudienceMismatch,
    );
    check(
        base(),
        Call {
            attributes: json!({}),
            ..Call::default()
        },
        None,
        Reason::AudienceMismatch,
    );
    // Unresolvable audience ids are ignored: the gate passes.
    check(
        with_experience(json!({"audiences": ["599"]})),
        Call {
            attributes: json!({"plan": "free"}),
            ..Call::default()
        },
        RESOLVED_302,
        Reason::Resolved,
    );
    let two = |mode: &str| {
        with_experience(
            json!({"audiences": ["500", "501"], "settings": {"matching_options": {"audiences": mode}}}),
        )
    };
    let pro_fr = || Call {
        attributes: json!({"plan": "pro", "country": "FR"}),
        ..Call::default()
    };
    check(two("any"), pro_fr(), RESOLVED_302, Reason::Resolved);
    check(two("all"), pro_fr(), None, Reason::AudienceMismatch);
    check(two("ALL"), pro_fr(), RESOLVED_302, Reason::Resolved);
    check(
        two("all"),
        Call {
            attributes: json!({"plan": "pro", "country": "US"}),
            ..Call::default()
        },
        RESOLVED_302,
        Reason::Resolved,
    );
    // `country` is a report key: stored as a segment, merged back for rules.
    check(
        with_experience(json!({"audiences": ["501"]})),
        Call {
            attributes: json!({"country": "US"}),
            ..Call::default()
        },
        RESOLVED_302,
        Reason::Resolved,
    );
    check(
        with(|c| c["audiences"][0]["rules"] = Value::Null),
        Call::default(),
        None,
        Reason::AudienceMismatch,
    );
    let regex = rule_set(item("plan", "regexMatches", json!("^PR")));
    check(
        with(|c| c["audiences"][0]["rules"] = regex),
        Call::default(),
        RESOLVED_302,
        Reason::Resolved,
    );
    // A fresh visitor is never bucketed, so permanent audiences are checked.
    check(
        with(|c| c["audiences"][0]["type"] = json!("permanent")),
        Call {
            attributes: json!({"plan": "free"}),
            ..Call::default()
        },
        None,
        Reason::AudienceMismatch,
    );
}

#[test]
fn segments() {
    let seg = || with_experience(json!({"audiences": ["800"]}));
    check(seg(), Call::default(), None, Reason::SegmentMismatch);
    check(
        seg(),
        Call {
            attributes: json!({"customSegments": ["800"]}),
            ..Call::default()
        },
        RESOLVED_302,
        Reason::Resolved,
    );
    // String.prototype.includes: a substring test.
    check(
        seg(),
        Call {
            attributes: json!({"customSegments": "seg-800-x"}),
            ..Call::default()
        },
        RESOLVED_302,
        Reason::Resolved,
    );
    let numeric = with(|c| {
        c["segments"][0]["id"] = json!(800);
        c["experiences"][0]["audiences"] = json!([800]);
    });
    check(
        numeric,
        Call {
            attributes: json!({"customSegments": ["800"]}),
            ..Call::default()
        },
        None,
        Reason::SegmentMismatch,
    );
    let both = || with_experience(json!({"audiences": ["500", "800"]}));
    check(
        both(),
        Call {
            attributes: json!({"plan": "pro", "customSegments": ["800"]}),
            ..Call::default()
        },
        RESOLVED_302,
        Reason::Resolved,
    );
    check(
        both(),
        Call {
            attributes: json!({"plan": "free", "customSegments": ["800"]}),
            ..Call::default()
        },
        None,
        Reason::AudienceMismatch,
    );
    check(both(), Call::default(), None, Reason::SegmentMismatch);
}

#[test]
fn variations_and_bucketing() {
    check(
        with_experience(json!({"variations": []})),
        Call::default(),
        None,
        Reason::NoVariations,
    );
    check(
        with_experience(json!({"variations": null})),
        Call::default(),
        None,
        Reason::NoVariations,
    );
    let stopped = json!([{"id": "301", "key": "control", "traffic_allocation": 50, "status": "stopped"},
                         {"id": "302", "key": "v", "traffic_allocation": 50, "status": "stopped"}]);
    check(
        with_experience(json!({"variations": stopped})),
        Call::default(),
        None,
        Reason::VariationNotDecided,
    );
    let gap = json!([{"id": "301", "key": "control", "traffic_allocation": 40}, {"id": "302", "key": "v", "traffic_allocation": 40}]);
    check(
        with_experience(json!({"variations": gap})),
        Call::default(),
        None,
        Reason::VariationNotDecided,
    );
    // A stopped arm shrinks the packed map: 302 alone covers [0, 5000).
    let one_stopped = json!([{"id": "301", "key": "control", "traffic_allocation": 50, "status": "stopped"},
                             {"id": "302", "key": "v", "traffic_allocation": 50}]);
    check(
        with_experience(json!({"variations": one_stopped})),
        Call::default(),
        None,
        Reason::VariationNotDecided,
    );
    let numeric = json!([{"id": 301, "key": "control", "traffic_allocation": 50}, {"id": 302, "key": "v", "traffic_allocation": 50}]);
    check(
        with_experience(json!({"variations": numeric})),
        Call::default(),
        None,
        Reason::VariationNotFound,
    );
    // Object.keys order: "1003142550" is walked first although it is second
    // in config, so 8107 lands in "1003142551".
    let index_ids = json!([{"id": "1003142551", "key": "first-in-config", "traffic_allocation": 50},
                           {"id": "1003142550", "key": "second-in-config", "traffic_allocation": 50}]);
    check(
        with_experience(json!({"variations": index_ids})),
        Call::default(),
        Some(("1003142551", "first-in-config")),
        Reason::Resolved,
    );
    let strings = json!([{"id": "301", "key": "control", "traffic_allocation": "90"}, {"id": "302", "key": "v", "traffic_allocation": "10"}]);
    check(
        with_experience(json!({"variations": strings})),
        Call::default(),
        Some(("301", "control")),
        Reason::Resolved,
    );
    let missing = json!([{"id": "301", "key": "control"}, {"id": "302", "key": "v"}]);
    check(
        with_experience(json!({"variations": missing})),
        Call::default(),
        Some(("301", "control")),
        Reason::Resolved,
    );
    check(
        with_experience(json!({"version": "11"})),
        Call::default(),
        RESOLVED_302,
        Reason::Resolved,
    );
    // JS returns null from `_retrieveBucketing` for a falsy id.
    check(
        with_experience(json!({"id": ""})),
        Call::default(),
        None,
        Reason::VariationNotFound,
    );
}

#[test]
fn non_boolean_rule_results_follow_each_gate() {
    let passthrough = || rule_set(item("url", "_returnNegationCheck", json!(0)));
    // Audiences and locations count any result other than `false`.
    check(
        with(|c| {
            c["audiences"][0]["rules"] = rule_set(item("plan", "_returnNegationCheck", json!(0)))
        }),
        Call {
            attributes: json!({"plan": 0}),
            ..Call::default()
        },
        RESOLVED_302,
        Reason::Resolved,
    );
    check(
        with(|c| c["locations"][0]["rules"] = passthrough()),
        Call {
            location: Some(json!({"url": 0})),
            ..Call::default()
        },
        RESOLVED_302,
        Reason::Resolved,
    );
    // site_area uses truthiness.
    let site_area = || with_experience(json!({"locations": null, "site_area": passthrough()}));
    check(
        site_area(),
        Call {
            location: Some(json!({"url": 0})),
            ..Call::default()
        },
        None,
        Reason::LocationMismatch,
    );
    check(
        site_area(),
        Call {
            location: Some(json!({"url": "x"})),
            ..Call::default()
        },
        RESOLVED_302,
        Reason::Resolved,
    );
}

// Divergences: JavaScript throws or returns a RuleError string; the engine's
// documented behaviour is checked instead.

#[test]
fn divergence_missing_matching_options_is_any() {
    // JS: TypeError reading `settings.matching_options.audiences`.
    let config = with_experience(json!({"settings": null}));
    let decision = run(&config, &Call::default());
    assert_eq!(decision.reason, Reason::Resolved);
    assert!(
        decision
            .diagnostics
            .iter()
            .any(|d| d.code() == "js_would_throw")
    );
    let config = with_experience(json!({"settings": {}}));
    let decision = run(
        &config,
        &Call {
            attributes: json!({"plan": "free"}),
            ..Call::default()
        },
    );
    assert_eq!(decision.reason, Reason::AudienceMismatch);
}

#[test]
fn divergence_rule_error_is_the_gate_mismatch() {
    // JS: runExperience returns "convert.com_no_data_found".
    let rules = rule_set(item("plan", "_returnNegationCheck", json!(0)));
    let config = with(|c| c["audiences"][0]["rules"] = rules);
    let decision = run(
        &config,
        &Call {
            attributes: json!({"plan": "convert.com_no_data_found"}),
            ..Call::default()
        },
    );
    assert_eq!(decision.reason, Reason::AudienceMismatch);
    assert!(
        decision
            .diagnostics
            .iter()
            .any(|d| d.code() == "rule_error"),
        "{:?}",
        decision.diagnostics
    );
}

#[test]
fn divergence_null_experience_id() {
    // JS: TypeError at `experience.id.toString()`; the engine runs the gates
    // and then returns no variation.
    let decision = run(&with_experience(json!({"id": null})), &Call::default());
    assert_eq!(decision.reason, Reason::VariationNotFound);
    assert!(
        decision
            .diagnostics
            .iter()
            .any(|d| d.code() == "js_would_throw")
    );
    let decision = run(
        &with_experience(json!({"id": null})),
        &Call {
            location: None,
            ..Call::default()
        },
    );
    assert_eq!(decision.reason, Reason::LocationMismatch);
}

#[test]
fn divergence_variations_not_a_list() {
    // JS: `experience.variations.filter` is not a function.
    let decision = run(
        &with_experience(json!({"variations": "abc"})),
        &Call::default(),
    );
    assert_eq!(decision.reason, Reason::NoVariations);
    assert!(
        decision
            .diagnostics
            .iter()
            .any(|d| d.code() == "js_would_throw")
    );
}

#[test]
fn call_properties_merge_over_context_properties() {
    let config = ProjectConfig::from_value(&base()).unwrap();
    let visitor = Visitor::new("visitor-123", &object(&json!({"plan": "free"})));
    let shop = object(&json!({"url": "/shop"}));
    let call = object(&json!({"plan": "pro"}));
    let options = RunOptions {
        location: LocationAttributes::Properties(&shop),
        visitor_properties: Some(&call),
        environment: None,
        ..RunOptions::default()
    };
    assert_eq!(
        Engine::default()
            .run_experience(&config, &visitor, "exp-1", &options)
            .reason,
        Reason::Resolved
    );
}

#[test]
fn a_taken_variation_key_is_the_key_as_a_string() {
    use convert_engine::experience::SelectedVariation;
    use std::sync::Arc;
    let keys = [
        None,
        Some(Value::Null),
        Some(json!("variation-1")),
        Some(json!("")),
        Some(json!(12)),
        Some(json!(1.5)),
        Some(json!(false)),
        Some(json!(["a", "b"])),
        Some(json!({"k": 1})),
    ];
    for key in keys {
        let mut variation = SelectedVariation {
            id: "301".into(),
            key: key.clone(),
            raw: Arc::new(Value::Null),
        };
        let expected = variation.key_string();
        assert_eq!(variation.take_key_string(), expected, "{key:?}");
        assert_eq!(variation.key, None, "the key is taken: {key:?}");
    }
}
