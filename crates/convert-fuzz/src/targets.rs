//! The fuzz targets. Each takes raw bytes, feeds them to one input surface
//! of the project and checks what must hold for *any* input: no panic, no
//! hang, and a few invariants (determinism, round trips, well-formed
//! answers). A violated invariant panics, so both drivers (libFuzzer and
//! the proptest driver) report it like a crash.

use std::io::BufRead;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use arbitrary::Unstructured;
use convert_engine::config::{ProjectConfig, validate_contract};
use convert_engine::experience::{LocationAttributes, RunOptions};
use convert_engine::feature::FeatureQuery;
use convert_engine::rule::{RuleOutcome, evaluate};
use convert_engine::visitor::Visitor;
use convert_engine::{Engine, limits};
use convert_parity::validate::ProtocolValidator;
use convert_sdk::transport::RecordingTransport;
use convert_sdk::{ConversionOptions, Core, RunAttributes, SdkConfig};
use convert_spec::Family;
use convert_spec::config::ConfigData;
use convert_spec::protocol::{ReadyResponse, Request, RunResponse};
use convert_spec::vector::VectorFile;
use serde_json::{Map, Value, json};

use crate::generate;

/// A fuzz target: a name (as `cargo xtask fuzz-inputs --target` takes it)
/// and the function.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// The name.
    pub name: &'static str,
    /// What it feeds.
    pub what: &'static str,
    /// The function.
    pub run: fn(&[u8]),
}

/// Every target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "config",
        what: "config text: strict model, contract, lenient engine view, every decision, the Rust SDK",
        run: config,
    },
    Target {
        name: "rule",
        what: "generated rule trees and data: evaluation, the reference `rule` family, audience gates",
        run: rule,
    },
    Target {
        name: "protocol",
        what: "protocol lines: response/ready/request decoders, schema validation, the reference adapter's serve loop",
        run: protocol,
    },
    Target {
        name: "vectors",
        what: "vector file text: loading and checking, the serialization round trip, evaluation of every case",
        run: vectors,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Config text through every reader, then through the engine and the SDK.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = ConfigData::from_json_str(&text);
    let Ok(value) = serde_json::from_str::<Value>(&text) else {
        return;
    };
    config_value(value);
}

/// A config value through every reader, the engine and the SDK.
pub fn config_value(value: Value) {
    let _ = ConfigData::parse(&value);
    let contract = validate_contract(&value);
    let Ok(config) = ProjectConfig::from_value(&value) else {
        return;
    };
    let engine = Engine::default();
    for location in [LocationAttributes::Ignore, LocationAttributes::Absent] {
        let options = RunOptions {
            location,
            ..RunOptions::default()
        };
        let mut visitor = Visitor::new("fuzz-visitor", &Map::new());
        let first = engine.run_experiences(&config, &mut visitor, &options);
        let mut again = Visitor::new("fuzz-visitor", &Map::new());
        assert_eq!(
            first,
            engine.run_experiences(&config, &mut again, &options),
            "decisions are deterministic"
        );
        let _ = engine.run_features(&config, &mut visitor, &FeatureQuery::default(), &options);
        for experience in config.experiences.iter().take(4) {
            let key = convert_engine::js::to_string(experience.key.as_ref()).into_owned();
            let _ = engine.diagnose_experience(&config, &visitor, &key, &options);
        }
    }
    if contract.is_err() {
        return;
    }
    let transport = Arc::new(RecordingTransport::new());
    let mut options = SdkConfig::with_data(value);
    options.transport = Some(transport.clone());
    let Ok(core) = Core::initialize(options) else {
        return;
    };
    let context = core.create_context("fuzz-visitor", &Map::new());
    let run = RunAttributes {
        ignore_location: true,
        ..RunAttributes::default()
    };
    let _ = context.run_experiences(&run);
    let _ = context.run_features(&run);
    let goals: Vec<String> = config
        .entities("goals")
        .iter()
        .take(4)
        .filter_map(|g| g.get("key").and_then(Value::as_str).map(str::to_owned))
        .collect();
    for goal in goals {
        let _ = context.track_conversion(&goal, &ConversionOptions::default());
    }
    core.close();
    for request in transport.requests() {
        let body: Value = serde_json::from_str(request.body.as_deref().unwrap_or("null"))
            .expect("every tracking body the SDK sends is JSON");
        assert!(body["visitors"].is_array(), "{body}");
    }
}

/// A generated rule set and data through the evaluator, the reference
/// `rule` family and an audience gate.
pub fn rule(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let rule_set = generate::rule_set(&mut u);
    let rule_data = generate::rule_data(&mut u);
    let evaluation = evaluate(&rule_set, &rule_data);
    assert!(
        !matches!(evaluation.outcome, RuleOutcome::Value(Value::Bool(_))),
        "a boolean outcome is Matched or NotMatched"
    );
    assert_eq!(
        evaluation,
        Engine::default().evaluate_rule(&rule_set, &rule_data),
        "evaluation is deterministic"
    );
    let too_deep = limits::exceeds_depth(&rule_set, limits::MAX_DEPTH)
        || limits::exceeds_depth(&rule_data, limits::MAX_DEPTH);
    if too_deep {
        assert!(
            !evaluation.outcome.is_true(),
            "a rule set or data beyond the depth limit never matches"
        );
        return;
    }
    let input = json!({"rule": rule_set, "data": rule_data});
    if let Ok(result) = convert_reference::evaluate(Family::Rule, &input) {
        assert_eq!(
            result["matched"],
            json!(evaluation.outcome.is_true()),
            "the reference answers what the engine evaluates"
        );
    }
    let Value::Object(attributes) = &input["data"] else {
        return;
    };
    let config = json!({
        "account_id": "1", "project": {"id": "2"},
        "audiences": [{"id": "10", "rules": input["rule"]}],
        "locations": [{"id": "20", "rules": input["rule"]}],
        "experiences": [{"id": "30", "key": "e", "version": 11, "audiences": ["10"],
            "locations": ["20"],
            "settings": {"matching_options": {"audiences": "all", "locations": "any"}},
            "variations": [{"id": "31", "key": "a", "traffic_allocation": 100}]}]
    });
    let Ok(config) = ProjectConfig::from_value(&config) else {
        return;
    };
    let visitor = Visitor::new("fuzz-visitor", attributes);
    let options = RunOptions {
        location: LocationAttributes::Properties(attributes),
        ..RunOptions::default()
    };
    let _ = Engine::default().run_experience(&config, &visitor, "e", &options);
}

fn validator() -> &'static ProtocolValidator {
    static VALIDATOR: OnceLock<ProtocolValidator> = OnceLock::new();
    VALIDATOR.get_or_init(|| ProtocolValidator::new().expect("the protocol schemas compile"))
}

/// Protocol lines through every decoder, then the whole input as a session
/// of the reference adapter, whose every answer must be a valid message.
pub fn protocol(data: &[u8]) {
    for line in data.split(|&b| b == b'\n') {
        let Ok(text) = std::str::from_utf8(line) else {
            continue;
        };
        let _ = RunResponse::parse_line(text);
        let _ = ReadyResponse::parse_line(text);
        if let Ok(request) = serde_json::from_str::<Request>(text) {
            let again = serde_json::to_string(&request).expect("a request serializes");
            let reparsed: Request =
                serde_json::from_str(&again).expect("a serialized request parses");
            assert_eq!(request, reparsed, "requests round-trip");
        }
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            let _ = validator().check_run_response(&value);
            let _ = validator().check_ready(&value);
        }
    }
    let mut output = Vec::new();
    let mut log = Vec::new();
    convert_parity::serve::serve(data, &mut output, &mut log)
        .expect("the serve loop survives any input");
    for line in output.lines() {
        let line = line.expect("answers are UTF-8");
        let value: Value = serde_json::from_str(&line).expect("answers are JSON");
        let valid = if value.get("ready").is_some() {
            validator().check_ready(&value).and_then(|()| {
                ReadyResponse::parse_line(&line)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
        } else {
            validator().check_run_response(&value).and_then(|()| {
                RunResponse::parse_line(&line)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
        };
        assert!(valid.is_ok(), "invalid answer {line}: {valid:?}");
    }
}

/// Vector file text through the loader; a file that loads survives a
/// serialization round trip, and every case evaluates and compares.
pub fn vectors(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let path = Path::new("fuzz/vector.json");
    let Ok(file) = VectorFile::parse(path, &text) else {
        return;
    };
    let again = serde_json::to_string(&file).expect("a vector file serializes");
    let reparsed = VectorFile::parse(path, &again)
        .unwrap_or_else(|e| panic!("a loaded file loads again after serialization: {e}"));
    assert_eq!(file, reparsed, "vector files round-trip");
    let caps = convert_reference::capabilities();
    for case in file.cases.iter().take(16) {
        if let Ok(actual) = convert_reference::evaluate(file.family, &case.input) {
            let _ = convert_spec::compare::compare(file.family, &case.expected, &actual, &caps);
        }
    }
}
