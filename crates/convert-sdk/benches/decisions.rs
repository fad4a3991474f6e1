//! Decision throughput of the SDK: `run_experience` on a context (stored
//! state lookup, engine decision, store write), fresh and sticky.

use std::hint::black_box;
use std::sync::Arc;

use convert_sdk::transport::RecordingTransport;
use convert_sdk::{Core, RunAttributes, SdkConfig};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Map, json};

fn core() -> Core {
    let experiences: Vec<_> = (0..20)
        .map(|i| {
            json!({"id": format!("{}", 300 + i), "key": format!("exp-{i}"), "version": 11,
                "settings": {"matching_options": {"audiences": "any", "locations": "any"}},
                "audiences": ["500"],
                "variations": [{"id": format!("{}1", 300 + i), "key": "a", "traffic_allocation": 50},
                               {"id": format!("{}2", 300 + i), "key": "b", "traffic_allocation": 50}]})
        })
        .collect();
    let mut config = SdkConfig::with_data(json!({
        "account_id": "100", "project": {"id": "200"}, "experiences": experiences,
        "audiences": [{"id": "500", "key": "us", "type": "transient", "rules": {"OR": [{"AND": [{"OR_WHEN": [
            {"rule_type": "generic_key_value", "key": "country", "value": "US",
             "matching": {"match_type": "equals", "negated": false}}]}]}]}}]
    }));
    config.transport = Some(Arc::new(RecordingTransport::new()));
    config.tracking = false;
    Core::initialize(config).expect("a valid config")
}

fn decisions(c: &mut Criterion) {
    let core = core();
    let mut attributes = Map::new();
    attributes.insert("country".into(), json!("US"));
    let run = RunAttributes {
        enable_tracking: false,
        ..RunAttributes::at(Map::new())
    };
    let mut n = 0u64;
    c.bench_function("sdk/run_experience/fresh-visitor", |b| {
        b.iter(|| {
            n += 1;
            let context = core.create_context(&format!("visitor-{n}"), &attributes);
            black_box(context.run_experience("exp-7", &run))
        })
    });
    let context = core.create_context("sticky-visitor", &attributes);
    c.bench_function("sdk/run_experience/sticky", |b| {
        b.iter(|| black_box(context.run_experience("exp-7", &run)))
    });
    c.bench_function("sdk/run_experiences/20", |b| {
        b.iter(|| black_box(context.run_experiences(&run)))
    });
}

criterion_group!(benches, decisions);
criterion_main!(benches);
