//! One `Core` shared by many threads: every fresh decision is tracked once,
//! nothing is lost, and batches are released by size.

use std::sync::Arc;

use convert_sdk::transport::RecordingTransport;
use convert_sdk::{Context, Core, RunAttributes, SdkConfig};
use serde_json::{Map, Value, json};

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn core_and_context_are_send_and_sync() {
    assert_send_sync::<Core>();
    assert_send_sync::<Context>();
}

#[test]
fn concurrent_visitors_are_each_tracked_once() {
    let transport = Arc::new(RecordingTransport::new());
    let mut options = SdkConfig::with_data(json!({
        "account_id": "100", "project": {"id": "200"},
        "experiences": [{"id": "300", "key": "exp-1", "version": 11,
            "variations": [{"id": "301", "key": "a", "traffic_allocation": 50},
                           {"id": "302", "key": "b", "traffic_allocation": 50}]}]
    }));
    options.transport = Some(transport.clone());
    options.batch_size = 7;
    let core = Arc::new(Core::initialize(options).expect("valid config"));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let core = Arc::clone(&core);
            std::thread::spawn(move || {
                for v in 0..50 {
                    let context = core.create_context(&format!("visitor-{t}-{v}"), &Map::new());
                    let run = RunAttributes::at(Map::new());
                    let first = context.run_experience("exp-1", &run);
                    // Sticky: the second call is the same and is not tracked.
                    assert_eq!(first, context.run_experience("exp-1", &run));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no panic");
    }
    core.flush();
    let events: usize = transport
        .requests()
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_str(r.body.as_deref().unwrap_or("null")).unwrap();
            body["visitors"].as_array().map_or(0, |v| {
                v.iter()
                    .map(|v| v["events"].as_array().map_or(0, Vec::len))
                    .sum()
            })
        })
        .sum();
    assert_eq!(
        events, 400,
        "8 threads × 50 visitors, one bucketing event each"
    );
    assert!(transport.requests().len() > 1, "size releases happened");
}

#[test]
fn revenue_leads_the_conversion_data_and_dedup_is_by_goal_key() {
    use convert_sdk::{ConversionOptions, ConversionResult};
    let transport = Arc::new(RecordingTransport::new());
    let mut options = SdkConfig::with_data(json!({
        "account_id": "100", "project": {"id": "200"},
        "goals": [{"id": "900", "key": "buy"}]
    }));
    options.transport = Some(transport.clone());
    let core = Core::initialize(options).expect("valid config");
    let context = core.create_context("v", &Map::new());
    let purchase = ConversionOptions {
        revenue: Some(10.5),
        goal_data: Some(vec![json!({"key": "productsCount", "value": 2})]),
        ..ConversionOptions::default()
    };
    assert_eq!(
        context.track_conversion("buy", &purchase),
        ConversionResult::Queued
    );
    assert_eq!(
        context.track_conversion("buy", &purchase),
        ConversionResult::Deduplicated
    );
    assert_eq!(
        context.track_conversion("nope", &purchase),
        ConversionResult::GoalNotFound
    );
    core.flush();
    let body: Value =
        serde_json::from_str(transport.requests()[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body["visitors"][0]["events"],
        json!([
            {"eventType": "conversion", "data": {"goalId": "900"}},
            {"eventType": "conversion", "data": {"goalId": "900", "goalData": [
                {"key": "amount", "value": 10.5}, {"key": "productsCount", "value": 2}]}}
        ])
    );
}
