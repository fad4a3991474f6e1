//! An [`Evaluator`] shares the reading of identical configs between cases;
//! its answers must be exactly those of [`evaluate`] run case by case.

use std::path::Path;

use convert_reference::{Evaluator, evaluate};
use convert_spec::Family;
use convert_spec::vector::VectorSet;
use serde_json::{Value, json};

fn experience(config: &Value, visitor_id: &str) -> Value {
    json!({"config": config, "visitor_id": visitor_id, "experience_key": "exp-1",
           "location_attributes": {}})
}

fn config(control: u32, variation: u32) -> Value {
    json!({"account_id": "100", "project": {"id": "200"}, "experiences": [{
        "id": "300", "key": "exp-1", "version": 11,
        "variations": [{"id": "301", "key": "control", "traffic_allocation": control},
                       {"id": "302", "key": "variation-1", "traffic_allocation": variation}]}]})
}

#[test]
fn cases_sharing_a_config_answer_as_if_evaluated_alone() {
    let shared = config(50, 50);
    let mut evaluator = Evaluator::new();
    let mut variations = Vec::new();
    for visitor in [
        "visitor-123",
        "visitor-1",
        "visitor-2",
        "visitor-3",
        "visitor-123",
    ] {
        let input = experience(&shared, visitor);
        let answer = evaluator.evaluate(Family::Experience, &input).unwrap();
        assert_eq!(
            answer,
            evaluate(Family::Experience, &input).unwrap(),
            "{visitor}"
        );
        variations.push(answer["variation_id"].clone());
    }
    assert_eq!(variations[0], json!("302"));
    assert!(variations.contains(&json!("301")), "{variations:?}");
}

#[test]
fn cases_with_different_configs_are_not_shared() {
    // visitor-123 buckets into 302 at 50/50, into 301 at 100/0; the configs
    // differ only in those two numbers.
    let mut evaluator = Evaluator::new();
    for (config, expected) in [
        (config(50, 50), "302"),
        (config(100, 0), "301"),
        (config(50, 50), "302"),
    ] {
        let input = experience(&config, "visitor-123");
        let answer = evaluator.evaluate(Family::Experience, &input).unwrap();
        assert_eq!(answer["variation_id"], json!(expected));
        assert_eq!(answer, evaluate(Family::Experience, &input).unwrap());
    }
    // A config the engine refuses is refused every time, and does not
    // disturb the cases after it.
    let refused = experience(&json!([]), "visitor-123");
    for _ in 0..2 {
        let shared = evaluator
            .evaluate(Family::Experience, &refused)
            .unwrap_err();
        let alone = evaluate(Family::Experience, &refused).unwrap_err();
        assert_eq!(shared.to_string(), alone.to_string());
    }
    let input = experience(&config(100, 0), "visitor-123");
    assert_eq!(
        evaluator.evaluate(Family::Experience, &input).unwrap(),
        evaluate(Family::Experience, &input).unwrap()
    );
}

#[test]
fn the_vector_set_answers_the_same_through_one_evaluator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors/v1");
    let set = VectorSet::load(&root).unwrap();
    let mut evaluator = Evaluator::new();
    let mut cases = 0;
    for (path, file) in &set.files {
        for case in &file.cases {
            let shared = evaluator
                .evaluate(file.family, &case.input)
                .map_err(|e| e.to_string());
            let alone = evaluate(file.family, &case.input).map_err(|e| e.to_string());
            assert_eq!(shared, alone, "{}: {}", path.display(), case.id);
            cases += 1;
        }
    }
    assert!(cases > 1_000, "only {cases} cases");
}
