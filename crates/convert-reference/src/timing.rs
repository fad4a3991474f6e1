//! The reference's answers to the protocol's `time` request
//! (`spec/protocol.md`, "time"): repeated evaluations timed inside this
//! process, with no I/O and no JSON inside the measurement.
//!
//! - [`time_case`] (scope `case`): [`evaluate`](crate::evaluate) of the same
//!   input, `iterations` times — exactly what a `run` of the case does.
//! - [`time_decisions`] (scope `decision`): one Rust SDK [`Core`] from the
//!   case's config, then `create_context` + `run_experience` for the visitors
//!   `"{visitor_id}-{i}"` — the workload `cargo xtask bench --peers` runs
//!   through every SDK.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use convert_sdk::transport::RecordingTransport;
use convert_sdk::{Core, RunAttributes, SdkConfig};
use convert_spec::Family;
use convert_spec::families::experience::ExperienceInput;
use serde_json::Value;

use crate::{ReferenceError, parse};

/// Repeated evaluations and how long they took.
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    /// How many evaluations ran.
    pub iterations: u64,
    /// How long the loop took.
    pub elapsed: Duration,
    /// Scope `case`: the last evaluation's result.
    pub result: Option<Value>,
    /// Scope `decision`: decisions per selected variation id.
    pub variations: Option<BTreeMap<String, u64>>,
}

/// Times `iterations` evaluations of one case of `family`, each exactly what
/// [`evaluate`](crate::evaluate) does for it. An input the reference cannot
/// answer fails before anything is timed.
pub fn time_case(
    family: Family,
    input: &Value,
    iterations: u64,
) -> Result<Measured, ReferenceError> {
    let mut result = crate::evaluate(family, input)?;
    let start = Instant::now();
    for _ in 0..iterations {
        result = crate::evaluate(family, std::hint::black_box(input))?;
    }
    Ok(Measured {
        iterations,
        elapsed: start.elapsed(),
        result: Some(result),
        variations: None,
    })
}

/// Times `iterations` decisions through the Rust SDK's public API: one
/// [`Core`] from the `experience` input's config (tracking off) is set up
/// first; evaluation `i` is `create_context("{visitor_id}-{i}",
/// visitor_attributes)` then `run_experience(experience_key)` with the
/// input's location attributes. Inputs with a `visitor_state`,
/// `force_variation_id` or `preview` are refused: the decision scope is the
/// plain decision of a fresh visitor.
pub fn time_decisions(input: &Value, iterations: u64) -> Result<Measured, ReferenceError> {
    let family = Family::Experience;
    let input: ExperienceInput = parse(family, input)?;
    let invalid = |message: String| ReferenceError::InvalidInput { family, message };
    if input.visitor_state.is_some()
        || input.force_variation_id.is_some()
        || input.preview.is_some()
    {
        return Err(invalid(
            "the decision scope takes no visitor_state, force_variation_id or preview".into(),
        ));
    }
    let mut options = SdkConfig::with_data(input.config.clone());
    options.transport = Some(Arc::new(RecordingTransport::new()));
    options.tracking = false;
    if let Some(environment) = &input.environment {
        options.environment.clone_from(environment);
    }
    let core = Core::initialize(options).map_err(|e| invalid(format!("config: {e}")))?;
    let attributes = input.visitor_attributes.clone().unwrap_or_default();
    let run = RunAttributes {
        location_attributes: input.location_attributes.clone(),
        enable_tracking: false,
        ..RunAttributes::default()
    };
    let visitors: Vec<String> = (0..iterations)
        .map(|i| format!("{}-{i}", input.visitor_id))
        .collect();
    let mut variations: BTreeMap<String, u64> = BTreeMap::new();
    let start = Instant::now();
    for visitor in &visitors {
        let context = core.create_context(visitor, &attributes);
        if let Some(decided) = context.run_experience(&input.experience_key, &run) {
            *variations.entry(decided.variation_id).or_default() += 1;
        }
    }
    let elapsed = start.elapsed();
    Ok(Measured {
        iterations,
        elapsed,
        result: None,
        variations: Some(variations),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input() -> Value {
        // The digest's probe (js-sdk-behaviour.md §12): experience 300,
        // 301/302 at 50/50; visitor "visitor-123" has bucket 8107 → 302.
        json!({
            "config": {"account_id": "100", "project": {"id": "200"},
                "experiences": [{"id": "300", "key": "exp-1", "version": 11,
                    "variations": [{"id": "301", "key": "a", "traffic_allocation": 50},
                                   {"id": "302", "key": "b", "traffic_allocation": 50}]}]},
            "visitor_id": "visitor-123", "location_attributes": {}, "experience_key": "exp-1"
        })
    }

    #[test]
    fn the_case_scope_times_what_run_answers() {
        let measured = time_case(Family::Experience, &input(), 3).unwrap();
        assert_eq!(measured.iterations, 3);
        assert_eq!(measured.result.unwrap()["variation_id"], "302");
    }

    #[test]
    fn the_decision_scope_decides_every_visitor() {
        let measured = time_decisions(&input(), 8).unwrap();
        let variations = measured.variations.unwrap();
        // Each of the 8 visitors got exactly one of the two variations, and
        // each one the engine decides for it.
        assert_eq!(variations.values().sum::<u64>(), 8);
        let mut expected: BTreeMap<String, u64> = BTreeMap::new();
        for i in 0..8 {
            let mut one = input();
            one["visitor_id"] = json!(format!("visitor-123-{i}"));
            let answer = crate::evaluate(Family::Experience, &one).unwrap();
            *expected
                .entry(answer["variation_id"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        assert_eq!(variations, expected);
    }

    #[test]
    fn the_decision_scope_refuses_stateful_inputs() {
        let mut stateful = input();
        stateful["force_variation_id"] = json!("301");
        assert!(time_decisions(&stateful, 1).is_err());
        assert!(time_decisions(&json!({"config": {}}), 1).is_err());
    }
}
