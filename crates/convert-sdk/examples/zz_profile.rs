//! Temporary profiling driver (not committed).
use convert_sdk::transport::RecordingTransport;
use convert_sdk::{Core, RunAttributes, SdkConfig};
use serde_json::Value;
use std::hint::black_box;
use std::sync::Arc;
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20000);
    let workload: Value = serde_json::from_str(include_str!("../benches/workload.json")).unwrap();
    let mut options = SdkConfig::with_data(workload["config"].clone());
    options.transport = Some(Arc::new(RecordingTransport::new()));
    options.tracking = false;
    let core = Core::initialize(options).unwrap();
    let attributes = workload["visitor_attributes"].as_object().cloned().unwrap();
    let run = RunAttributes {
        enable_tracking: false,
        ..RunAttributes::at(
            workload["location_attributes"]
                .as_object()
                .cloned()
                .unwrap(),
        )
    };
    let key = workload["experience_key"].as_str().unwrap();
    let visitors: Vec<String> = (0..n).map(|i| format!("visitor-{i}")).collect();
    let start = std::time::Instant::now();
    let mut hits = 0;
    for v in &visitors {
        let c = core.create_context(v, &attributes);
        if black_box(c.run_experience(key, &run)).is_some() {
            hits += 1;
        }
    }
    let el = start.elapsed();
    eprintln!(
        "{n} decisions, {hits} decided, {:.3} us/decision",
        el.as_secs_f64() * 1e6 / n as f64
    );
}
