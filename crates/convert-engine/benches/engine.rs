//! The engine's building blocks: the bucket value, variation selection in
//! both layouts, and rule evaluation for each operator family. The full
//! decision (with the SDK around it) is in `convert-sdk/benches/decisions.rs`.
//!
//! Run: `cargo bench -p convert-engine --bench engine` (or `cargo xtask bench`).

use std::hint::black_box;
use std::sync::Arc;

use convert_engine::bucketing::{Arm, Bands, Layout, bucket_value, select_variation};
use convert_engine::rule::{Patterns, RuleData, RuleEvaluator, RuleOptions};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

fn bucketing(c: &mut Criterion) {
    let mut group = c.benchmark_group("bucketing");
    // Real Convert ids are 8-10 digit numbers; visitor ids are often UUIDs.
    group.bench_function("bucket_value", |b| {
        b.iter(|| {
            bucket_value(
                black_box("100234560"),
                black_box("4f6c2a2e-8a43-4d7e-9b4e-5e8f4f1a2b3c"),
            )
        })
    });
    let variations = json!([
        {"id": "1002345601", "traffic_allocation": 34, "status": "running"},
        {"id": "1002345602", "traffic_allocation": 33, "status": "running"},
        {"id": "1002345603", "traffic_allocation": 33, "status": "running"}
    ]);
    let arms: Vec<Arm<'_>> = variations
        .as_array()
        .map(|v| v.iter().map(Arm::from_variation).collect())
        .unwrap_or_default();
    for layout in [Layout::Packed, Layout::Anchored] {
        let name = match layout {
            Layout::Packed => "packed",
            Layout::Anchored => "anchored",
        };
        // What a decision does: select in the bands the config built once.
        let bands = Bands::build(layout, &arms);
        group.bench_function(BenchmarkId::new("select", name), |b| {
            b.iter(|| bands.select(black_box(6_500)))
        });
        // Building the bands from the variations and selecting (the
        // one-off path, `select_variation`).
        group.bench_function(BenchmarkId::new("build_and_select", name), |b| {
            b.iter(|| select_variation(layout, black_box(&arms), black_box(6_500)))
        });
    }
    group.finish();
}

fn item(key: &str, match_type: &str, value: Value) -> Value {
    json!({"OR": [{"AND": [{"OR_WHEN": [{
        "rule_type": "generic_key_value", "key": key, "value": value,
        "matching": {"match_type": match_type, "negated": false}
    }]}]}]})
}

fn rules(c: &mut Criterion) {
    let data = json!({
        "country": "US", "visits": 7, "plan": "pro", "language": "en-US",
        "url": "https://shop.example.com/products/running-shoes?ref=newsletter",
        "cart_id": "c-123", "score": "42"
    });
    // One rule per operator family (`rule::ops`), each matching `data`.
    let families = [
        ("equality", item("country", "equals", json!("us"))),
        ("ordering", item("visits", "less", json!(10))),
        ("text", item("url", "contains", json!("/products/"))),
        ("set", item("plan", "isIn", json!("free|pro|business"))),
        (
            "pattern",
            item("url", "regexMatches", json!("/products/[a-z-]+")),
        ),
        ("existence", item("cart_id", "exists", json!(""))),
        (
            "passthrough",
            item("score", "_returnNegationCheck", json!(false)),
        ),
    ];
    let all: Vec<&Value> = families.iter().map(|(_, rule)| rule).collect();
    let patterns = Arc::new(Patterns::collect(all.iter().copied()));
    let Value::Object(data) = &data else {
        return;
    };
    let mut group = c.benchmark_group("rule");
    for (family, rule) in &families {
        group.bench_function(*family, |b| {
            let mut evaluator =
                RuleEvaluator::with_patterns(RuleOptions::default(), Arc::clone(&patterns));
            let mut diagnostics = Vec::new();
            b.iter(|| {
                evaluator.evaluate_data(
                    black_box(rule),
                    RuleData::Object(black_box(data)),
                    &"",
                    &mut diagnostics,
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bucketing, rules);
criterion_main!(benches);
