//! `create_context_owned` makes the context `create_context` makes: the same
//! attributes, stored segments and decisions, whether the attributes take
//! the fast path (moved) or the entry-by-entry copy (array-index keys,
//! `__proto__`, values nested too deep).

use std::sync::Arc;

use convert_sdk::transport::RecordingTransport;
use convert_sdk::{Core, RunAttributes, SdkConfig};
use serde_json::{Map, Value, json};

fn workload() -> Value {
    serde_json::from_str(include_str!("../benches/workload.json")).expect("the workload is JSON")
}

fn core(workload: &Value) -> Core {
    let mut options = SdkConfig::with_data(workload["config"].clone());
    options.transport = Some(Arc::new(RecordingTransport::new()));
    options.tracking = false;
    Core::initialize(options).expect("a valid config")
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

#[test]
fn an_owned_context_is_the_borrowed_one() {
    let workload = workload();
    let mut deep = json!("leaf");
    for _ in 0..convert_engine::limits::MAX_DEPTH {
        deep = json!([deep]);
    }
    let attribute_sets = [
        object(workload["visitor_attributes"].clone()),
        object(json!({"plan": "pro", "country": "US", "customSegments": ["800"], "visits": 3})),
        object(json!({"country": "US", "0": "index", "plan": "pro", "__proto__": {"a": 1}})),
        object(json!({"browser": "ff", "deep": deep, "country": "DE"})),
        Map::new(),
    ];
    let run = RunAttributes {
        enable_tracking: false,
        ..RunAttributes::at(object(workload["location_attributes"].clone()))
    };
    let key = workload["experience_key"].as_str().expect("a key");
    for (n, attributes) in attribute_sets.into_iter().enumerate() {
        let (borrowing, owning) = (core(&workload), core(&workload));
        let mut decided = 0;
        for visitor in 0..40 {
            let id = format!("visitor-{n}-{visitor}");
            let borrowed = borrowing.create_context(&id, &attributes);
            let owned = owning.create_context_owned(&id, attributes.clone());
            assert_eq!(owned.attributes(), borrowed.attributes(), "{attributes:?}");
            assert_eq!(
                owned.stored_state(),
                borrowed.stored_state(),
                "{attributes:?}"
            );
            let decision = borrowed.run_experience(key, &run);
            decided += usize::from(decision.is_some());
            assert_eq!(owned.run_experience(key, &run), decision, "{id}");
            assert_eq!(owned.stored_state(), borrowed.stored_state(), "{id}");
        }
        // The workload's visitors (US, on the checkout) are decided; the
        // others fail the audience, and still compare equal.
        if n <= 1 {
            assert_eq!(decided, 40, "{n}");
        }
    }
    // The segments were split off, not kept as attributes.
    let context =
        core(&workload).create_context_owned("v", object(json!({"country": "US", "plan": "pro"})));
    assert_eq!(context.attributes(), &object(json!({"plan": "pro"})));
    assert_eq!(
        context.stored_state().segments.to_map(),
        object(json!({"country": "US"}))
    );
}
