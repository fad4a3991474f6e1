//! The reference engine as a conformance target.
//!
//! [`evaluate`] answers one case of a family the way an adapter would: it
//! parses the family's input (the `convert-spec` types), calls
//! `convert-engine`, and builds the family's result. Each family is reached
//! through the same public surface the JavaScript adapter drives, so edge
//! cases decide the same way:
//!
//! - `hash`: MurmurHash3 of the value's UTF-8 bytes with the seed;
//! - `bucketing`: the bucket value of `experience_id + visitor_id`, and the
//!   variation `run_experience` selects for a one-experience project built
//!   from the input (`version` = `contract_version`, locations ignored), as
//!   the adapters do — so an empty experience or visitor id selects nothing;
//! - `rule`: `matched` is `isRuleMatched(data, rule) === true`;
//! - `experience`: `run_experience` with the visitor attributes given to the
//!   visitor's context and the location attributes (absent ones fail the
//!   location gate); the result always carries `reason`.

use convert_engine::bucketing;
use convert_engine::config::ProjectConfig;
use convert_engine::experience::{LocationAttributes, RunOptions};
use convert_engine::visitor::Visitor;
use convert_engine::{Engine, Settings, hash};
use convert_spec::families::bucketing::{BucketingInput, BucketingResult};
use convert_spec::families::experience::{ExperienceInput, ExperienceResult};
use convert_spec::families::hash::{HashInput, HashResult};
use convert_spec::families::rule::{RuleInput, RuleResult};
use convert_spec::protocol::Implementation;
use convert_spec::{Capabilities, Family};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// Why the reference engine could not answer a case.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// The input does not have the family's input shape.
    #[error("invalid {family} input: {message}")]
    InvalidInput {
        /// The family.
        family: Family,
        /// What is wrong.
        message: String,
    },
    /// The family is not implemented by the reference engine (every family of
    /// this contract version is; kept for families added later).
    #[error("family `{0}` is not implemented by the reference engine")]
    NotImplemented(Family),
}

/// How the reference engine describes itself in reports and `start` replies.
pub fn implementation() -> Implementation {
    Implementation {
        name: "convert-engine".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        language: "rust".into(),
        runtime: None,
    }
}

/// What the reference engine answers.
pub fn capabilities() -> Capabilities {
    Capabilities {
        families: [
            Family::Hash,
            Family::Bucketing,
            Family::Rule,
            Family::Experience,
        ]
        .iter()
        .map(|f| f.as_str().to_owned())
        .collect(),
        contract_versions: vec![11, 12],
        features: vec!["diagnostics".into()],
    }
}

/// Evaluates one case input of `family` and returns the family's result.
pub fn evaluate(family: Family, input: &Value) -> Result<Value, ReferenceError> {
    match family {
        Family::Hash => answer(family, evaluate_hash(parse(family, input)?)),
        Family::Bucketing => answer(family, evaluate_bucketing(&parse(family, input)?)),
        Family::Rule => answer(family, evaluate_rule(&parse(family, input)?)),
        Family::Experience => answer(family, evaluate_experience(family, &parse(family, input)?)?),
        Family::Experiences
        | Family::Feature
        | Family::Segments
        | Family::Diagnostics
        | Family::ConfigValidation
        | Family::Scenario => Err(ReferenceError::NotImplemented(family)),
    }
}

fn parse<T: DeserializeOwned>(family: Family, input: &Value) -> Result<T, ReferenceError> {
    serde_path_to_error::deserialize(input).map_err(|e| ReferenceError::InvalidInput {
        family,
        message: format!("{}: {}", e.path(), e.inner()),
    })
}

fn answer<T: Serialize>(family: Family, result: T) -> Result<Value, ReferenceError> {
    // Serialising these plain result structs cannot fail; the error arm keeps
    // the function total anyway.
    serde_json::to_value(result).map_err(|e| ReferenceError::InvalidInput {
        family,
        message: format!("result not serialisable: {e}"),
    })
}

fn evaluate_hash(input: HashInput) -> HashResult {
    HashResult {
        hash: hash::hash_str(&input.value, input.seed),
    }
}

const BUCKETING_EXPERIENCE_KEY: &str = "parity-bucketing-experience";

fn evaluate_bucketing(input: &BucketingInput) -> BucketingResult {
    let variations: Vec<Value> = input
        .variations
        .iter()
        .map(|v| {
            let mut variation = Map::new();
            variation.insert("id".into(), Value::String(v.id.clone()));
            variation.insert("key".into(), Value::String(v.id.clone()));
            if let Some(allocation) = &v.traffic_allocation {
                variation.insert("traffic_allocation".into(), allocation.clone());
            }
            if let Some(status) = &v.status {
                variation.insert("status".into(), Value::String(status.clone()));
            }
            Value::Object(variation)
        })
        .collect();
    let project = json!({
        "account_id": "0", "project": {"id": "0"},
        "experiences": [{
            "id": input.experience_id, "key": BUCKETING_EXPERIENCE_KEY, "name": "parity bucketing experience",
            "version": input.contract_version, "variations": variations
        }]
    });
    let variation_id = ProjectConfig::from_value(&project).ok().and_then(|config| {
        let visitor = Visitor::new(input.visitor_id.clone(), &Map::new());
        let options = RunOptions {
            location: LocationAttributes::Ignore,
            ..RunOptions::default()
        };
        Engine::default()
            .run_experience(&config, &visitor, BUCKETING_EXPERIENCE_KEY, &options)
            .variation
            .map(|v| v.id)
    });
    BucketingResult {
        bucket_value: bucketing::bucket_value(&input.experience_id, &input.visitor_id),
        variation_id,
    }
}

fn evaluate_rule(input: &RuleInput) -> RuleResult {
    RuleResult {
        matched: Engine::default()
            .evaluate_rule(&input.rule, &input.data)
            .outcome
            .is_true(),
    }
}

fn evaluate_experience(
    family: Family,
    input: &ExperienceInput,
) -> Result<ExperienceResult, ReferenceError> {
    let config =
        ProjectConfig::from_value(&input.config).map_err(|e| ReferenceError::InvalidInput {
            family,
            message: format!("config: {e}"),
        })?;
    let mut settings = Settings::default();
    if let Some(environment) = &input.environment {
        settings.environment.clone_from(environment);
    }
    let attributes = input.visitor_attributes.clone().unwrap_or_default();
    let visitor = Visitor::new(input.visitor_id.clone(), &attributes);
    let options = RunOptions {
        location: input
            .location_attributes
            .as_ref()
            .map_or(LocationAttributes::Absent, LocationAttributes::Properties),
        ..RunOptions::default()
    };
    let decision =
        Engine::new(settings).run_experience(&config, &visitor, &input.experience_key, &options);
    let (variation_id, variation_key) = match &decision.variation {
        Some(variation) => (Some(variation.id.clone()), variation.key_string()),
        None => (None, None),
    };
    Ok(ExperienceResult {
        variation_id,
        variation_key,
        reason: Some(decision.reason.as_str().to_owned()),
        stored_bucketing: None,
        store_key: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values observed by running the same inputs through
    // adapters/js/adapter.js (published JS SDK 4.4.3, node 20).

    #[test]
    fn hash_family() {
        let result = evaluate(Family::Hash, &json!({"value": "hello", "seed": 9999})).unwrap();
        assert_eq!(result, json!({"hash": 198_804_431}));
    }

    #[test]
    fn bucketing_family_goes_through_the_experience_pipeline() {
        let variations = json!([{"id": "a", "traffic_allocation": 100}]);
        let input = json!({"contract_version": 11, "experience_id": "", "visitor_id": "visitor", "variations": variations});
        // JS: value 9457, but an empty experience id selects nothing.
        assert_eq!(
            evaluate(Family::Bucketing, &input).unwrap(),
            json!({"bucket_value": 9457, "variation_id": null})
        );
        let input = json!({"contract_version": 11, "experience_id": "300", "visitor_id": "visitor-123",
                           "variations": [{"id": "301", "traffic_allocation": 50}, {"id": "302", "traffic_allocation": 50}]});
        assert_eq!(
            evaluate(Family::Bucketing, &input).unwrap(),
            json!({"bucket_value": 8107, "variation_id": "302"})
        );
        // Absent allocations count as 100 %; a stopped arm is left out.
        let input = json!({"contract_version": 11, "experience_id": "300", "visitor_id": "visitor-123",
                           "variations": [{"id": "301", "status": "stopped"}, {"id": "302"}]});
        assert_eq!(
            evaluate(Family::Bucketing, &input).unwrap(),
            json!({"bucket_value": 8107, "variation_id": "302"})
        );
    }

    #[test]
    fn bucketing_contract_12_is_anchored() {
        // The worked example O=2, V1=47, V2=1 (digest §2.3): packed bands
        // O [0,200) V1 [200,4900) V2 [4900,5000); anchored O [0,200)
        // V1 [400,5100) V2 [9800,9900). Bucket values observed with node
        // (`getValueVisitorBased(id, {experienceId: '300'})` on 4.4.3):
        // v-218 → 5056, v-12 → 248.
        let input = |contract: i64, visitor: &str| {
            json!({"contract_version": contract, "experience_id": "300", "visitor_id": visitor,
                   "variations": [{"id": "O", "traffic_allocation": 2}, {"id": "V1", "traffic_allocation": 47},
                                  {"id": "V2", "traffic_allocation": 1}]})
        };
        let run =
            |contract, visitor| evaluate(Family::Bucketing, &input(contract, visitor)).unwrap();
        assert_eq!(
            run(11, "v-218"),
            json!({"bucket_value": 5056, "variation_id": null})
        );
        assert_eq!(
            run(12, "v-218"),
            json!({"bucket_value": 5056, "variation_id": "V1"})
        );
        assert_eq!(
            run(11, "v-12"),
            json!({"bucket_value": 248, "variation_id": "V1"})
        );
        assert_eq!(
            run(12, "v-12"),
            json!({"bucket_value": 248, "variation_id": null})
        );
    }

    #[test]
    fn rule_family() {
        let rule = json!({"OR": [{"AND": [{"OR_WHEN": [{"key": "plan", "value": "PRO",
            "matching": {"match_type": "equals", "negated": false}}]}]}]});
        assert_eq!(
            evaluate(
                Family::Rule,
                &json!({"rule": rule, "data": {"plan": "pro"}})
            )
            .unwrap(),
            json!({"matched": true})
        );
        assert_eq!(
            evaluate(
                Family::Rule,
                &json!({"rule": rule, "data": {"plan": "free"}})
            )
            .unwrap(),
            json!({"matched": false})
        );
    }

    #[test]
    fn experience_family_always_reports_a_reason() {
        let config = json!({"account_id": "100", "project": {"id": "200"}, "experiences": [{
            "id": "300", "key": "exp-1", "version": 11,
            "variations": [{"id": "301", "key": "control", "traffic_allocation": 50},
                           {"id": "302", "key": "variation-1", "traffic_allocation": 50}]}]});
        let input = json!({"config": config, "visitor_id": "visitor-123", "experience_key": "exp-1", "location_attributes": {}});
        assert_eq!(
            evaluate(Family::Experience, &input).unwrap(),
            json!({"variation_id": "302", "variation_key": "variation-1", "reason": "resolved"})
        );
        let input =
            json!({"config": config, "visitor_id": "visitor-123", "experience_key": "exp-1"});
        assert_eq!(
            evaluate(Family::Experience, &input).unwrap(),
            json!({"variation_id": null, "variation_key": null, "reason": "location_mismatch"})
        );
        let input = json!({"config": config, "visitor_id": "visitor-123", "experience_key": "exp-1",
                           "location_attributes": {}, "environment": "production"});
        assert_eq!(
            evaluate(Family::Experience, &input).unwrap()["reason"],
            json!("resolved"),
            "an experience without environment runs anywhere"
        );
    }

    #[test]
    fn invalid_inputs_are_errors_naming_the_field() {
        let err = evaluate(Family::Hash, &json!({"value": 5, "seed": 1})).unwrap_err();
        assert!(err.to_string().contains("value"), "{err}");
        let err = evaluate(Family::Bucketing, &json!({"contract_version": 11})).unwrap_err();
        assert!(matches!(
            err,
            ReferenceError::InvalidInput {
                family: Family::Bucketing,
                ..
            }
        ));
        let err = evaluate(
            Family::Experience,
            &json!({"config": [], "visitor_id": "v", "experience_key": "k"}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("config"), "{err}");
    }

    #[test]
    fn capabilities_cover_every_family() {
        let caps = capabilities();
        for family in Family::ALL {
            assert!(caps.has_family(*family));
        }
        assert!(caps.has_feature("diagnostics"));
        assert_eq!(implementation().name, "convert-engine");
    }
}
