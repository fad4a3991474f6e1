//! Pathological inputs through the Rust SDK (`docs/robustness.md`): a
//! 100 MB config (as data and over HTTP), configs and attributes 10,000
//! levels deep, a 1 MB visitor id, an endpoint that answers more than the
//! transport reads. Each ends in a result or a typed error; none depends on
//! timing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

use convert_sdk::transport::{RecordingTransport, UreqTransport};
use convert_sdk::{ConversionOptions, ConversionResult, Core, RunAttributes, SdkConfig, SdkError};
use serde_json::{Map, Value, json};

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow, no panic")
}

fn nested_array(levels: usize) -> Value {
    let mut v = json!(1);
    for _ in 0..levels {
        v = Value::Array(vec![v]);
    }
    v
}

fn project() -> Value {
    json!({"account_id": "100", "project": {"id": "200"},
        "audiences": [{"id": "10", "rules": {"OR": [{"AND": [{"OR_WHEN": [{
            "rule_type": "generic_key_value", "key": "plan", "value": "pro",
            "matching": {"match_type": "equals", "negated": false}}]}]}]}}],
        "experiences": [{"id": "300", "key": "exp-1", "version": 11, "audiences": ["10"],
            "settings": {"matching_options": {"audiences": "any"}},
            "variations": [{"id": "301", "key": "a", "traffic_allocation": 100}]}],
        "goals": [{"id": "900", "key": "buy", "rules": {"OR": [{"AND": [{"OR_WHEN": [{
            "rule_type": "generic_key_value", "key": "plan", "value": "pro",
            "matching": {"match_type": "equals", "negated": false}}]}]}]}}]})
}

fn run() -> RunAttributes {
    RunAttributes {
        ignore_location: true,
        ..RunAttributes::default()
    }
}

#[test]
fn a_config_10000_deep_is_refused_at_initialize() {
    on_small_stack(|| {
        let mut config = project();
        config["extra"] = nested_array(10_000);
        let error = Core::initialize(SdkConfig::with_data(config)).unwrap_err();
        assert!(
            matches!(&error, SdkError::ConfigInvalid(m) if m.contains("128 levels deep")),
            "{error}"
        );
    });
}

#[test]
fn deep_attributes_and_conversion_data_are_bounded() {
    on_small_stack(|| {
        let transport = Arc::new(RecordingTransport::new());
        let mut options = SdkConfig::with_data(project());
        options.transport = Some(transport.clone());
        let core = Core::initialize(options).unwrap();
        let mut attributes = Map::new();
        attributes.insert("plan".into(), json!("pro"));
        attributes.insert("deep".into(), nested_array(10_000));
        let mut context = core.create_context("v", &attributes);
        context.set_attributes(&attributes);
        let decided = context.run_experience(
            "exp-1",
            &RunAttributes {
                attributes: Some(attributes.clone_shallow()),
                ..run()
            },
        );
        assert_eq!(decided.map(|r| r.variation_id), Some("301".to_owned()));
        // Rule data too deep to evaluate: the goal's rules do not match.
        let mut rule_data = Map::new();
        rule_data.insert("plan".into(), json!("pro"));
        rule_data.insert("deep".into(), nested_array(10_000));
        let mut deep_rules = ConversionOptions {
            rule_data: Some(rule_data),
            ..ConversionOptions::default()
        };
        let refused = context.track_conversion("buy", &deep_rules);
        assert_eq!(refused, ConversionResult::RuleNotMatched);
        // The test's own deep values are dismantled, not dropped recursively.
        dismantle(deep_rules.rule_data.take().map(Value::Object));
        // Conversion data: the deep entry is left out, the others are sent.
        let mut deep_data = ConversionOptions {
            goal_data: Some(vec![
                json!({"key": "productsCount", "value": 2}),
                nested_array(10_000),
            ]),
            ..ConversionOptions::default()
        };
        let converted = context.track_conversion("buy", &deep_data);
        assert_eq!(converted, ConversionResult::Queued);
        dismantle(deep_data.goal_data.take().map(Value::Array));
        core.flush();
        let body: Value =
            serde_json::from_str(transport.requests()[0].body.as_deref().unwrap()).unwrap();
        let events = &body["visitors"][0]["events"];
        assert_eq!(events.as_array().map(Vec::len), Some(3), "{events}");
        assert_eq!(
            events[2]["data"]["goalData"],
            json!([{"key": "productsCount", "value": 2}])
        );
        dismantle(Some(Value::Object(attributes)));
    });
}

fn dismantle(value: Option<Value>) {
    if let Some(value) = value {
        convert_engine::limits::dismantle(value);
    }
}

/// `Map::clone` of the shallow part only (the test must not clone the deep
/// value itself on a small stack).
trait CloneShallow {
    fn clone_shallow(&self) -> Map<String, Value>;
}

impl CloneShallow for Map<String, Value> {
    fn clone_shallow(&self) -> Map<String, Value> {
        convert_engine::limits::within_depth(self)
    }
}

fn hundred_mb_config() -> Value {
    let mut config = project();
    let padding = "p".repeat(5_000);
    let mut experiences = vec![config["experiences"][0].clone()];
    for i in 0..20_000 {
        experiences.push(json!({"id": format!("x{i}"), "key": format!("exp-x{i}"),
            "version": 11, "description": padding,
            "variations": [{"id": format!("x{i}-a"), "key": "a", "traffic_allocation": 100}]}));
    }
    config["experiences"] = Value::Array(experiences);
    config
}

#[test]
fn a_100_mb_config_as_data_initializes_and_decides() {
    let config = hundred_mb_config();
    assert!(config.to_string().len() > 100_000_000);
    let mut options = SdkConfig::with_data(config);
    options.transport = Some(Arc::new(RecordingTransport::new()));
    let core = Core::initialize(options).unwrap();
    let context = core.create_context("v", &Map::new());
    let last = context.run_experience("exp-x19999", &run());
    assert_eq!(last.map(|r| r.variation_id), Some("x19999-a".to_owned()));
}

/// Serves `body` to every GET, `requests` times.
fn serve_config(body: String, requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(body.as_bytes());
            let mut rest = Vec::new();
            let _ = stream.read_to_end(&mut rest);
        }
    });
    base
}

#[test]
fn a_100_mb_config_over_http_is_fetched_within_the_transport_bound() {
    let body = hundred_mb_config().to_string();
    let size = body.len() as u64;
    assert!(size > 100_000_000 && size < convert_sdk::transport::DEFAULT_MAX_RESPONSE_BYTES);
    let base = serve_config(body, 1);
    let mut options = SdkConfig::with_sdk_key("100/200");
    options.config_endpoint = format!("{base}/api/v1/");
    options.timeout = std::time::Duration::from_secs(300);
    let core = Core::initialize(options).unwrap();
    let context = core.create_context("v", &Map::new());
    assert!(context.run_experience("exp-x0", &run()).is_some());
}

#[test]
fn a_response_longer_than_the_transport_bound_is_a_typed_error() {
    let body = project().to_string();
    let base = serve_config(body.clone(), 1);
    let mut options = SdkConfig::with_sdk_key("100/200");
    options.config_endpoint = format!("{base}/api/v1/");
    options.transport = Some(Arc::new(UreqTransport::with_max_response_bytes(
        body.len() as u64 / 2,
    )));
    let error = Core::initialize(options).unwrap_err();
    assert!(matches!(error, SdkError::ConfigFetch(_)), "{error}");
}

#[test]
fn a_1_mb_visitor_id_is_decided_and_tracked() {
    let transport = Arc::new(RecordingTransport::new());
    let mut options = SdkConfig::with_data(project());
    options.transport = Some(transport.clone());
    let core = Core::initialize(options).unwrap();
    let id = "v".repeat(1024 * 1024);
    let mut attributes = Map::new();
    attributes.insert("plan".into(), json!("pro"));
    let context = core.create_context(&id, &attributes);
    assert!(context.run_experience("exp-1", &run()).is_some());
    core.flush();
    let body: Value =
        serde_json::from_str(transport.requests()[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body["visitors"][0]["visitorId"].as_str().map(str::len),
        Some(1024 * 1024)
    );
}
