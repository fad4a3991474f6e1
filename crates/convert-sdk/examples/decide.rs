//! A loop of full decisions on the benchmark workload, for profilers:
//! `create_context` + `run_experience` for `N` fresh visitors (default
//! 20,000), tracking off — the same work as `sdk/decision/fresh-visitor`.
//!
//! ```text
//! cargo build --release -p convert-sdk --example decide
//! valgrind --tool=callgrind target/release/examples/decide 2000
//! valgrind --tool=callgrind --toggle-collect='decide::decide*' \
//!     target/release/examples/decide 2000 owned
//! ```
//!
//! `decide N owned` decides through `create_context_owned`, the attributes'
//! copies made before the clock starts.

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
    // `owned`: the attributes given up (`create_context_owned`), their copies
    // made before the clock starts.
    let owned = std::env::args().nth(2).as_deref() == Some("owned");
    let given: Vec<_> = (0..if owned { count } else { 0 })
        .map(|n| (format!("visitor-{n}"), attributes.clone()))
        .collect();
    let started = std::time::Instant::now();
    let mut seen = 0usize;
    if owned {
        for (id, attributes) in given {
            seen += usize::from(decide_owned(&core, &id, attributes, key, &run));
        }
    } else {
        for n in 0..count {
            seen += usize::from(decide(
                &core,
                &format!("visitor-{n}"),
                &attributes,
                key,
                &run,
            ));
        }
    }
    let elapsed = started.elapsed();
    println!(
        "{count} decisions ({seen} bucketed{}): {:.3} µs per decision",
        if owned { ", attributes given up" } else { "" },
        elapsed.as_secs_f64() * 1e6 / count as f64
    );
}

/// One full decision (a function of its own, for `--toggle-collect`).
#[inline(never)]
fn decide(
    core: &Core,
    id: &str,
    attributes: &Map<String, Value>,
    key: &str,
    run: &RunAttributes,
) -> bool {
    let context = core.create_context(id, attributes);
    black_box(context.run_experience(key, run)).is_some()
}

/// [`decide`] through `create_context_owned`.
#[inline(never)]
fn decide_owned(
    core: &Core,
    id: &str,
    attributes: Map<String, Value>,
    key: &str,
    run: &RunAttributes,
) -> bool {
    let context = core.create_context_owned(id, attributes);
    black_box(context.run_experience(key, run)).is_some()
}
