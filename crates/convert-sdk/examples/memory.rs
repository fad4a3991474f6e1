//! Memory and allocations of the SDK on the benchmark workload
//! (`benches/workload.json`): bytes held per loaded config, per `Context`
//! and per visitor record in the store, and the heap allocations of one full
//! decision (create context + `run_experience`).
//!
//! A counting global allocator (`stats_alloc`) lives in this example only,
//! never in the library. `cargo xtask bench` runs it in release mode:
//!
//! ```text
//! cargo run --release -p convert-sdk --example memory           # a table
//! cargo run --release -p convert-sdk --example memory -- --json # one JSON line
//! ```

use std::alloc::System;
use std::hint::black_box;
use std::sync::Arc;

use convert_sdk::transport::RecordingTransport;
use convert_sdk::{Context, Core, RunAttributes, SdkConfig};
use serde_json::{Map, Value};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, Stats, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// How many contexts and decisions the averages are taken over (twice this
/// stays under the store's 10,000-visitor cap, so nothing is evicted).
const VISITORS: usize = 4_000;

/// Bytes still allocated: what was allocated minus what was freed.
fn live_bytes(stats: &Stats) -> i64 {
    let allocated = i64::try_from(stats.bytes_allocated).unwrap_or(i64::MAX);
    let freed = i64::try_from(stats.bytes_deallocated).unwrap_or(i64::MAX);
    allocated - freed + i64::try_from(stats.bytes_reallocated).unwrap_or(0)
}

fn per(total: i64, count: usize) -> i64 {
    total / i64::try_from(count).unwrap_or(1)
}

fn object(value: &Value, field: &str) -> Map<String, Value> {
    value[field].as_object().cloned().unwrap_or_default()
}

fn main() {
    let json = std::env::args().any(|a| a == "--json");
    let text = include_str!("../benches/workload.json");
    let workload: Value = serde_json::from_str(text).expect("the workload is JSON");
    let attributes = object(&workload, "visitor_attributes");
    let run = RunAttributes {
        enable_tracking: false,
        ..RunAttributes::at(object(&workload, "location_attributes"))
    };
    let key = workload["experience_key"].as_str().unwrap_or_default();
    let visitors: Vec<String> = (0..VISITORS).map(|i| format!("visitor-{i}")).collect();
    let transport = Arc::new(RecordingTransport::new());

    // A loaded config: everything `Core::initialize` keeps (the parsed JSON
    // handed to it is counted as part of it, as a service would parse it).
    let region = Region::new(GLOBAL);
    let parsed: Value = serde_json::from_str(text).expect("the workload is JSON");
    let mut options = SdkConfig::with_data(parsed["config"].clone());
    drop(parsed);
    options.transport = Some(transport.clone());
    options.tracking = false;
    let core = Core::initialize(options).expect("a valid config");
    let config_bytes = live_bytes(&region.change());

    // Contexts, kept alive, and the visitor records their creation stores
    // (`country` is a report segment, stored per visitor).
    let region = Region::new(GLOBAL);
    let contexts: Vec<Context> = visitors
        .iter()
        .map(|v| core.create_context(v, &attributes))
        .collect();
    let with_contexts = live_bytes(&region.change());
    drop(contexts);
    let records_after_create = live_bytes(&region.change());
    let context_bytes = per(with_contexts - records_after_create, VISITORS);

    // Full decisions for fresh visitors: allocations per decision, and what
    // each decided visitor adds to the store (the record with its decision).
    let fresh: Vec<String> = (0..VISITORS).map(|i| format!("fresh-{i}")).collect();
    let region = Region::new(GLOBAL);
    for visitor in &fresh {
        let context = core.create_context(visitor, &attributes);
        black_box(context.run_experience(key, &run));
    }
    let decisions = region.change();
    let record_bytes = per(live_bytes(&decisions), VISITORS);
    let allocations = per(
        i64::try_from(decisions.allocations + decisions.reallocations).unwrap_or(i64::MAX),
        VISITORS,
    );
    let allocated = per(
        i64::try_from(decisions.bytes_allocated).unwrap_or(i64::MAX),
        VISITORS,
    );

    // The same with attributes given up (`create_context_owned`): the
    // caller's copy is made before the region, as a service builds its
    // attributes per request anyway.
    let owned_fresh: Vec<(String, Map<String, Value>)> = (0..VISITORS)
        .map(|i| (format!("owned-{i}"), attributes.clone()))
        .collect();
    let region = Region::new(GLOBAL);
    for (visitor, attributes) in owned_fresh {
        let context = core.create_context_owned(&visitor, attributes);
        black_box(context.run_experience(key, &run));
    }
    let owned_stats = region.change();
    let owned_allocations = per(
        i64::try_from(owned_stats.allocations + owned_stats.reallocations).unwrap_or(i64::MAX),
        VISITORS,
    );

    // A sticky visitor: the decision is read back from the store.
    let sticky = core.create_context("sticky", &attributes);
    black_box(sticky.run_experience(key, &run));
    let region = Region::new(GLOBAL);
    for _ in 0..VISITORS {
        black_box(sticky.run_experience(key, &run));
    }
    let sticky_stats = region.change();
    let sticky_allocations = per(
        i64::try_from(sticky_stats.allocations + sticky_stats.reallocations).unwrap_or(i64::MAX),
        VISITORS,
    );

    let config_json_bytes = serde_json::to_string(&workload["config"])
        .map(|s| s.len())
        .unwrap_or(0);
    if json {
        println!(
            "{}",
            serde_json::json!({
                "config_json_bytes": config_json_bytes,
                "config_bytes": config_bytes,
                "context_bytes": context_bytes,
                "visitor_record_bytes": record_bytes,
                "allocations_per_decision": allocations,
                "bytes_allocated_per_decision": allocated,
                "allocations_per_sticky_decision": sticky_allocations,
                "allocations_per_owned_decision": owned_allocations,
            })
        );
    } else {
        println!("workload config: {config_json_bytes} bytes of JSON");
        println!("loaded config (Core::initialize):       {config_bytes:>9} bytes");
        println!("per Context:                            {context_bytes:>9} bytes");
        println!("per decided visitor in the store:       {record_bytes:>9} bytes");
        println!("allocations per fresh decision:         {allocations:>9} ({allocated} bytes)");
        println!("allocations per sticky decision:        {sticky_allocations:>9}");
        println!("allocations per fresh decision, owned:  {owned_allocations:>9}");
    }
    drop(core);
}
