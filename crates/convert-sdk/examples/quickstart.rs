//! Offline quick start: a config given as data, a visitor, an experience, a
//! feature, a conversion, and the batch the SDK would send (captured by a
//! recording transport instead of the network).
//!
//! Run with `cargo run -p convert-sdk --example quickstart`.

use std::sync::Arc;

use convert_sdk::transport::RecordingTransport;
use convert_sdk::{ConversionOptions, Core, RunAttributes, SdkConfig, SdkError};
use serde_json::{Map, json};

fn main() -> Result<(), SdkError> {
    let config = json!({
        "account_id": "100", "project": {"id": "200"},
        "experiences": [{
            "id": "300", "key": "checkout", "version": 11,
            "settings": {"matching_options": {"audiences": "any", "locations": "any"}},
            "variations": [
                {"id": "301", "key": "control", "traffic_allocation": 50, "changes": []},
                {"id": "302", "key": "one-page", "traffic_allocation": 50, "changes": [
                    {"type": "fullStackFeature",
                     "data": {"feature_id": "700", "variables_data": {"steps": "1", "color": "green"}}}]}
            ]
        }],
        "features": [{"id": "700", "key": "checkout-flow",
                      "variables": [{"key": "steps", "type": "integer"}, {"key": "color", "type": "string"}]}],
        "goals": [{"id": "900", "key": "purchase"}]
    });
    let transport = Arc::new(RecordingTransport::new());
    let mut options = SdkConfig::with_data(config);
    options.transport = Some(transport.clone());
    let core = Core::initialize(options)?;

    let mut attributes = Map::new();
    attributes.insert("country".into(), json!("US"));
    let context = core.create_context("visitor-123", &attributes);
    let here = RunAttributes::at(Map::new());

    match context.run_experience("checkout", &here) {
        Some(result) => println!("checkout → {:?}", result.variation_key),
        None => println!("checkout → no variation"),
    }
    for feature in context.run_feature("checkout-flow", &here) {
        println!(
            "checkout-flow: {:?}, variables {}",
            feature.status,
            serde_json::Value::Object(feature.variables)
        );
    }
    let revenue = ConversionOptions {
        goal_data: Some(vec![json!({"key": "amount", "value": 42.5})]),
        ..ConversionOptions::default()
    };
    println!(
        "purchase → {:?}",
        context.track_conversion("purchase", &revenue)
    );
    println!(
        "purchase again → {:?}",
        context.track_conversion("purchase", &revenue)
    );

    core.flush();
    for request in transport.requests() {
        println!(
            "{} {}\n{}",
            request.method,
            request.url,
            request.body.unwrap_or_default()
        );
    }
    Ok(())
}
