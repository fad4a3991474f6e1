//! A loop of full decisions on the benchmark workload, for profilers:
//! `create_context` + `run_experience` for `N` fresh visitors (default
//! 20,000), tracking off — the same work as `sdk/decision/fresh-visitor`.
//!
//! ```text
//! cargo build --release -p convert-sdk --example decide
//! valgrind --tool=callgrind target/release/examples/decide 2000
//! ```

use std::hint::black_box;
use std::sync::Arc;

use convert_sdk::transport::RecordingTransport;
use convert_sdk::{Core, RunAttributes, SdkConfig};
use serde_json::{Map, Value};

fn object(value: &Value, field: &str) -> Map<String, Value> {
    value[field].as_object().cloned().unwrap_or_default()
}

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let workload: Value = serde_json::from_str(include_str!("../benches/workload.json"))
        .expect("the workload is JSON");
    let attributes = object(&workload, "visitor_attributes");
    let run = RunAttributes {
        enable_tracking: false,
        ..RunAttributes::at(object(&workload, "location_attributes"))
    };
    let key = workload["experience_key"].as_str().unwrap_or_default();
    let mut options = SdkConfig::with_data(workload["config"].clone());
    options.transport = Some(Arc::new(RecordingTransport::new()));
    options.tracking = false;
    let core = Core::initialize(options).expect("a valid config");
    let started = std::time::Instant::now();
    let mut seen = 0usize;
    for n in 0..count {
        let context = core.create_context(&format!("visitor-{n}"), &attributes);
        seen += usize::from(black_box(context.run_experience(key, &run)).is_some());
    }
    let elapsed = started.elapsed();
    println!(
        "{count} decisions ({seen} bucketed): {:.3} µs per decision",
        elapsed.as_secs_f64() * 1e6 / count as f64
    );
}
