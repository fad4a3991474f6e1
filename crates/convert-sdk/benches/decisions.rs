//! Decisions through the SDK's public API on the benchmark workload
//! (`benches/workload.json`: a 20-experience project config, and the
//! experience `checkout-redesign` with an audience and a `site_area` rule):
//!
//! - `sdk/decision/fresh-visitor`: `create_context` + `run_experience` for a
//!   visitor never seen (the full decision, and the workload
//!   `cargo xtask bench --peers` runs through the JS and Python SDKs);
//! - `sdk/decision/fresh-visitor-owned-attributes`: the same through
//!   `create_context_owned` (the attributes moved into the context, their
//!   copy made outside the timing);
//! - `sdk/decision/sticky`: the same visitor again (the stored decision);
//! - `sdk/decision/visitors-seen/N`: a fresh decision after N other visitors
//!   were decided on the same instance (the cost must stay flat);
//! - `sdk/run_experiences/20` and `sdk/run_features/100-experiences`.
//!
//! Tracking is off, as in the peer workload. Run: `cargo bench -p convert-sdk`
//! (or `cargo xtask bench`).

use std::hint::black_box;
use std::sync::Arc;

use convert_sdk::transport::RecordingTransport;
use convert_sdk::{Core, RunAttributes, SdkConfig};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use serde_json::{Map, Value, json};

/// The workload: an `experience` family input.
fn workload() -> Value {
    serde_json::from_str(include_str!("workload.json")).expect("the workload is JSON")
}

fn core(config: Value) -> Core {
    let mut options = SdkConfig::with_data(config);
    options.transport = Some(Arc::new(RecordingTransport::new()));
    options.tracking = false;
    Core::initialize(options).expect("a valid config")
}

fn object(value: &Value, field: &str) -> Map<String, Value> {
    value[field].as_object().cloned().unwrap_or_default()
}

/// The workload's config with its experiences repeated to `count` (ids and
/// keys made unique), for `run_features`.
fn config_with_experiences(workload: &Value, count: usize) -> Value {
    let mut config = workload["config"].clone();
    let template = config["experiences"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let experiences: Vec<Value> = (0..count)
        .map(|i| {
            let mut experience = template[i % template.len()].clone();
            experience["id"] = json!(format!("20{i:06}"));
            experience["key"] = json!(format!("experience-{i}"));
            if let Some(variations) = experience["variations"].as_array_mut() {
                for (v, variation) in variations.iter_mut().enumerate() {
                    variation["id"] = json!(format!("20{i:06}{v}"));
                }
            }
            experience
        })
        .collect();
    config["experiences"] = Value::Array(experiences);
    config
}

fn decisions(c: &mut Criterion) {
    let workload = workload();
    let attributes = object(&workload, "visitor_attributes");
    let run = RunAttributes {
        enable_tracking: false,
        ..RunAttributes::at(object(&workload, "location_attributes"))
    };
    let key = workload["experience_key"].as_str().unwrap_or_default();
    let core = core(workload["config"].clone());
    assert!(
        core.create_context("visitor-0", &attributes)
            .run_experience(key, &run)
            .is_some(),
        "the workload's visitor sees a variation"
    );

    let mut group = c.benchmark_group("sdk/decision");
    let mut n = 0u64;
    group.bench_function("fresh-visitor", |b| {
        b.iter(|| {
            n += 1;
            let context = core.create_context(&format!("visitor-{n}"), &attributes);
            black_box(context.run_experience(key, &run))
        })
    });
    // The same with attributes the caller gives up: their copy is made in
    // the untimed setup (a service builds them per request anyway); the
    // context and result are dropped inside the timing, as above.
    group.bench_function("fresh-visitor-owned-attributes", |b| {
        b.iter_batched(
            || {
                n += 1;
                (format!("visitor-{n}"), attributes.clone())
            },
            |(id, attributes)| {
                let context = core.create_context_owned(&id, attributes);
                black_box(context.run_experience(key, &run)).is_some()
            },
            BatchSize::SmallInput,
        )
    });
    let sticky = core.create_context("sticky-visitor", &attributes);
    group.bench_function("sticky", |b| {
        b.iter(|| black_box(sticky.run_experience(key, &run)))
    });
    for seen in [10_000u64, 100_000, 1_000_000] {
        let warm = self::core(workload["config"].clone());
        for i in 0..seen {
            warm.create_context(&format!("seen-{i}"), &attributes)
                .run_experience(key, &run);
        }
        let mut n = 0u64;
        group.bench_function(BenchmarkId::new("visitors-seen", seen), |b| {
            b.iter(|| {
                n += 1;
                let context = warm.create_context(&format!("visitor-{n}"), &attributes);
                black_box(context.run_experience(key, &run))
            })
        });
    }
    group.finish();

    let context = core.create_context("all-experiences", &attributes);
    c.bench_function("sdk/run_experiences/20", |b| {
        b.iter(|| black_box(context.run_experiences(&run)))
    });
    let hundred = self::core(config_with_experiences(&workload, 100));
    let context = hundred.create_context("all-features", &attributes);
    c.bench_function("sdk/run_features/100-experiences", |b| {
        b.iter(|| black_box(context.run_features(&run)))
    });
}

criterion_group!(benches, decisions);
criterion_main!(benches);
