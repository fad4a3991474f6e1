//! The JavaScript repository's 59 cross-SDK bucketing vectors (19 at contract
//! 11, 40 at contract 12), as shipped by the Python SDK 2.1.0
//! (`tests/parity/fixtures/anchored_bucketing_vectors.json`, a verbatim copy of
//! `packages/bucketing/tests/cross-sdk-bucketing-vectors.json`; the JS
//! repository's HEAD passes 59/59).
//!
//! The file is read at test time from the shared peer-vector folder (it is
//! not copied into this repository). Each vector goes through the bucketing
//! layouts directly and through `run_experience` with the experience object
//! the JS runners build.

use std::path::Path;

use convert_engine::Engine;
use convert_engine::bucketing::{self, Arm, BucketingOptions, Layout};
use convert_engine::config::ProjectConfig;
use convert_engine::diagnostics::Reason;
use convert_engine::experience::{LocationAttributes, RunOptions};
use convert_engine::visitor::Visitor;
use serde_json::{Value, json};

const VECTORS: &str = "/work/shared/peer-vectors/python-sdk/anchored_bucketing_vectors.json";

fn load() -> Vec<Value> {
    let path = Path::new(VECTORS);
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Array(vectors)) => vectors,
        other => panic!("{}: expected a JSON array, got {other:?}", path.display()),
    }
}

/// The bucket value a description quotes ("… value 293 …"), if any.
fn quoted_value(description: &str) -> Option<u32> {
    let rest = &description[description.find("value ")? + "value ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[test]
fn all_59_vectors_select_the_expected_variation() {
    let vectors = load();
    assert_eq!(vectors.len(), 59, "the peer file has 59 vectors");
    let (mut packed, mut anchored, mut nulls) = (0, 0, 0);
    let mut packed_only_passes = 0;
    let mut failures = Vec::new();
    for (i, vector) in vectors.iter().enumerate() {
        let description = vector["description"].as_str().unwrap_or_default();
        let experience_id = vector["experienceId"].as_str().expect("experienceId");
        let visitor_id = vector["visitorId"].as_str().expect("visitorId");
        let expected = vector["expected"].as_str();
        let variations = vector["variations"].as_array().expect("variations");
        let layout = Layout::for_version(vector.get("version"));
        match layout {
            Layout::Packed => packed += 1,
            Layout::Anchored => anchored += 1,
        }
        if expected.is_none() {
            nulls += 1;
        }

        let arms: Vec<Arm<'_>> = variations.iter().map(Arm::from_variation).collect();
        let selection = bucketing::bucket(
            experience_id,
            visitor_id,
            &arms,
            layout,
            &BucketingOptions::default(),
        );
        if let Some(quoted) = quoted_value(description)
            && quoted != selection.value
        {
            failures.push(format!(
                "#{i} {description}: bucket value {} (description says {quoted})",
                selection.value
            ));
        }
        // What the published 4.4.3 (packed only, whatever the version) picks.
        if bucketing::select_variation(Layout::Packed, &arms, selection.value).as_deref()
            == expected
        {
            packed_only_passes += 1;
        }
        if selection.variation_id.as_deref() != expected {
            failures.push(format!(
                "#{i} {description}: bucketing selected {:?}, expected {expected:?}",
                selection.variation_id
            ));
        }

        // The experience the JS runners build, run through every gate.
        let config = ProjectConfig::from_value(&json!({
            "account_id": "1", "project": {"id": "2"},
            "experiences": [{
                "id": experience_id, "name": "vector", "key": "vector", "type": "a/b_fullstack",
                "audiences": [], "goals": [], "variations": variations, "version": vector["version"]
            }]
        }))
        .expect("config");
        let options = RunOptions {
            location: LocationAttributes::Ignore,
            ..RunOptions::default()
        };
        let decision = Engine::default().run_experience(
            &config,
            &Visitor::new(visitor_id, &Default::default()),
            "vector",
            &options,
        );
        let got = decision.variation.as_ref().map(|v| v.id.as_str());
        let want_reason = if expected.is_some() {
            Reason::Resolved
        } else {
            Reason::VariationNotDecided
        };
        if got != expected || decision.reason != want_reason {
            failures.push(format!(
                "#{i} {description}: run_experience gave {got:?} ({}), expected {expected:?}",
                decision.reason
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The composition the JS repository documents (digest §10).
    assert_eq!((packed, anchored, nulls), (19, 40, 16));
    // Digest §10, verified: the published 4.4.3 passes 47 of the 59.
    assert_eq!(packed_only_passes, 47);
}
