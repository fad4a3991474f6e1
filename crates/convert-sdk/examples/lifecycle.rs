//! Lifecycle events: handlers for bucketing, conversions and queue releases,
//! and what a failing tracking endpoint looks like (the batch is kept).
//!
//! Run with `cargo run -p convert-sdk --example lifecycle`.

use std::sync::Arc;

use convert_sdk::transport::RecordingTransport;
use convert_sdk::{ConversionOptions, Core, LifecycleEvent, RunAttributes, SdkConfig, SdkError};
use serde_json::{Map, json};

fn main() -> Result<(), SdkError> {
    let transport = Arc::new(RecordingTransport::new());
    let mut options = SdkConfig::with_data(json!({
        "account_id": "100", "project": {"id": "200"},
        "experiences": [{"id": "300", "key": "banner", "version": 11,
            "variations": [{"id": "301", "key": "blue"}, {"id": "302", "key": "red"}]}],
        "goals": [{"id": "900", "key": "signup"}]
    }));
    options.transport = Some(transport.clone());
    options.batch_size = 3;
    let core = Core::initialize(options)?;
    for event in LifecycleEvent::ALL {
        core.on(*event, |payload, error| match error {
            None => println!("[{}] {payload:?}", payload.event().as_str()),
            Some(error) => println!("[{}] {payload:?} — {error}", payload.event().as_str()),
        });
    }

    transport.answer_with(503);
    for visitor in ["ada", "grace"] {
        let context = core.create_context(visitor, &Map::new());
        context.run_experience("banner", &RunAttributes::at(Map::new()));
        context.track_conversion("signup", &ConversionOptions::default());
    }
    println!(
        "queued after a failed size release: {}",
        core.queued_events()
    );
    transport.answer_with(200);
    core.flush();
    println!("queued after flush: {}", core.queued_events());
    Ok(())
}
