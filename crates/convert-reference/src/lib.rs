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

/// The engine's seeded faults (`cargo xtask mutants`).
#[cfg(feature = "mutants")]
pub use convert_engine::mutants;

use convert_engine::config::{ProjectConfig, validate_contract};
use convert_engine::diagnostics::Reason;
use convert_engine::experience::{LocationAttributes, Preview, RunOptions};
use convert_engine::feature::FeatureQuery;
use convert_engine::visitor::{Visitor, VisitorState};
use convert_engine::{Engine, Settings, bucketing, diagnose, hash, js, segments, store};
use convert_sdk::transport::{HttpRequest, RecordingTransport};
use convert_sdk::{
    Context, ConversionOptions, Core, FeatureResult as SdkFeatureResult, RunAttributes, SdkConfig,
};
use convert_spec::capability::{CONTRACT_ANCHORED, CONTRACT_PACKED, features};
use convert_spec::families::bucketing::{BucketingInput, BucketingResult};
use convert_spec::families::config_validation::{
    ConfigFault, ConfigValidationInput, ConfigValidationResult,
};
use convert_spec::families::diagnostics::{Diagnose, DiagnosticsInput, DiagnosticsResult};
use convert_spec::families::experience::{ExperienceInput, ExperienceResult};
use convert_spec::families::experiences::{
    Decision as ExperiencesDecision, ExperiencesInput, ExperiencesResult,
};
use convert_spec::families::feature::{FeatureCall, FeatureEntry, FeatureInput, FeatureResult};
use convert_spec::families::hash::{HashInput, HashResult};
use convert_spec::families::rule::{RuleInput, RuleResult};
use convert_spec::families::scenario::{
    HttpRequest as ScenarioRequest, Operation, ScenarioInput, ScenarioResult,
};
use convert_spec::families::segments::{SegmentsInput, SegmentsResult};
use convert_spec::families::visitor::VisitorState as SpecVisitorState;
use convert_spec::identity::Shared;
use convert_spec::protocol::Implementation;
use convert_spec::{Capabilities, Family};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde::de::value::MapDeserializer;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;

mod configs;
pub mod timing;

pub use configs::ConfigCache;

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

/// The families the reference answers: all of them. `scenario` (sessions on
/// one SDK instance, with their HTTP traffic) is answered by the Rust SDK,
/// `convert-sdk`, over a recording transport.
pub const REFERENCE_FAMILIES: &[Family] = Family::ALL;

/// What the reference engine answers.
pub fn capabilities() -> Capabilities {
    Capabilities {
        families: REFERENCE_FAMILIES
            .iter()
            .map(|f| f.as_str().to_owned())
            .collect(),
        contract_versions: vec![CONTRACT_PACKED, CONTRACT_ANCHORED],
        features: [
            features::DIAGNOSTICS,
            features::VISITOR_STATE,
            features::STORE_KEY,
            features::MUTUAL_EXCLUSION,
            features::PREVIEW,
            features::TIMING,
        ]
        .iter()
        .map(|f| (*f).to_owned())
        .collect(),
    }
}

/// Evaluates one case input of `family` and returns the family's result.
///
/// Each call reads the case's project config afresh; to answer many cases,
/// [`Evaluator`] shares the reading of identical configs between them.
pub fn evaluate(family: Family, input: &Value) -> Result<Value, ReferenceError> {
    Evaluator::new().evaluate(family, input)
}

/// Answers cases like [`evaluate`], keeping the configs it read
/// ([`ConfigCache`]): a case whose config is identical to a recent case's
/// (same JSON, key order and number representations included) reuses that
/// reading and what the engine derived from it. Answers are the same as
/// [`evaluate`]'s for every input: decisions only read the config.
#[derive(Debug, Default)]
pub struct Evaluator {
    configs: ConfigCache,
}

impl Evaluator {
    /// An evaluator that has read no config yet.
    pub fn new() -> Evaluator {
        Evaluator::default()
    }

    /// Evaluates one case input of `family` and returns the family's result.
    pub fn evaluate(&mut self, family: Family, input: &Value) -> Result<Value, ReferenceError> {
        self.evaluate_shared(family, input, None)
    }

    /// [`Evaluator::evaluate`] for an input whose `config` member has an
    /// interned handle ([`convert_spec::identity::Interner`]): a config read
    /// for an earlier case with the same handle is reused without comparing
    /// the two. `config` must be the handle of `input`'s `config` member.
    pub fn evaluate_shared(
        &mut self,
        family: Family,
        input: &Value,
        config: Option<&Arc<Shared>>,
    ) -> Result<Value, ReferenceError> {
        let configs = &mut Shelf {
            cache: &mut self.configs,
            shared: config,
        };
        match family {
            Family::Hash => answer(family, evaluate_hash(parse(family, input)?)),
            Family::Bucketing => answer(
                family,
                evaluate_bucketing(&parse(family, input)?, configs.cache),
            ),
            Family::Rule => match rule_members(input) {
                Some((rule, data)) => answer(family, match_rule(rule, data)),
                None => {
                    let parsed: RuleInput = parse(family, input)?;
                    answer(family, match_rule(&parsed.rule, &parsed.data))
                }
            },
            Family::Experience => {
                let (parsed, config) = parse_with_config(configs, family, input)?;
                answer(family, evaluate_experience(&parsed, config))
            }
            Family::Experiences => {
                let (parsed, config) = parse_with_config(configs, family, input)?;
                answer(family, evaluate_experiences(&parsed, config))
            }
            Family::Feature => {
                let (parsed, config) = parse_with_config(configs, family, input)?;
                answer(family, evaluate_feature(family, &parsed, config)?)
            }
            Family::Segments => {
                let (parsed, config) = parse_with_config(configs, family, input)?;
                answer(family, evaluate_segments(&parsed, config))
            }
            Family::Diagnostics => {
                let (parsed, config) = parse_with_config(configs, family, input)?;
                answer(family, evaluate_diagnostics(family, &parsed, config)?)
            }
            Family::ConfigValidation => {
                let (_, config) = parse_beside_config::<ConfigValidationInput>(family, input)?;
                answer(family, evaluate_config_validation(config))
            }
            Family::Scenario => {
                let (parsed, config) = parse_beside_config(family, input)?;
                // A config the cache reads is given to the SDK read (shared
                // with earlier cases); one it refuses is given as data, so
                // that the SDK reports it as it would any config.
                let options = match configs.cache.read_shared(config, configs.shared) {
                    Ok(read) => SdkConfig::with_config(read),
                    Err(_) => SdkConfig::with_data(config.clone()),
                };
                answer(family, evaluate_scenario(family, &parsed, options)?)
            }
        }
    }
}

fn parse<T: DeserializeOwned>(family: Family, input: &Value) -> Result<T, ReferenceError> {
    // The plain deserializer first: tracking the path costs more than the
    // evaluation, and is only needed to explain a failure.
    T::deserialize(input).or_else(|_| {
        serde_path_to_error::deserialize(input).map_err(|e| ReferenceError::InvalidInput {
            family,
            message: format!("{}: {}", e.path(), e.inner()),
        })
    })
}

/// [`parse`] for an input with a `config` field, without copying the config:
/// the typed input is read with `config` set to `null` (every family types
/// it as any JSON value, so this changes nothing else), and the config is
/// returned as it is in `input`. Errors are [`parse`]'s, from the input as
/// given.
fn parse_beside_config<T: DeserializeOwned>(
    family: Family,
    input: &Value,
) -> Result<(T, &Value), ReferenceError> {
    static ABSENT: Value = Value::Null;
    let parsed = match input {
        Value::Object(fields) if fields.contains_key("config") => {
            // The members as borrowed (name, value) pairs, `config` read as
            // `null`: the typed input copies what it keeps, nothing else is.
            let members = fields.iter().map(|(key, value)| {
                let value = if key == "config" { &ABSENT } else { value };
                (key.as_str(), value)
            });
            T::deserialize(MapDeserializer::<_, serde_json::Error>::new(members)).ok()
        }
        _ => None,
    };
    match parsed {
        Some(parsed) => Ok((parsed, input.get("config").unwrap_or(&ABSENT))),
        None => parse(family, input).map(|parsed| (parsed, input.get("config").unwrap_or(&ABSENT))),
    }
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

/// The case's variations as one experience of a minimal project config,
/// decided by the engine. Cases with the same experience and variations
/// build the same config, so it is read once through `configs`.
fn evaluate_bucketing(input: &BucketingInput, configs: &mut ConfigCache) -> BucketingResult {
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
    let variation_id = configs.read(&project).ok().and_then(|config| {
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

/// A `rule` input's two members, borrowed, when the input is exactly
/// `{"rule": …, "data": …}` (what [`RuleInput`] accepts: both members
/// required, any JSON value, nothing else); `None` for anything else, which
/// [`parse`] then refuses with its message. Reading the typed input would
/// copy both values only to borrow them.
fn rule_members(input: &Value) -> Option<(&Value, &Value)> {
    let Value::Object(members) = input else {
        return None;
    };
    match (members.len(), members.get("rule"), members.get("data")) {
        (2, Some(rule), Some(data)) => Some((rule, data)),
        _ => None,
    }
}

fn match_rule(rule: &Value, data: &Value) -> RuleResult {
    RuleResult {
        matched: Engine::default()
            .evaluate_rule(rule, data)
            .outcome
            .is_true(),
    }
}

/// A visitor-scoped case, set up the way the adapters set up the SDK: the
/// prior `visitor_state` is in the store before the context is created.
struct Setup {
    config: Arc<ProjectConfig>,
    engine: Engine,
    visitor: Visitor,
    location: Option<Map<String, Value>>,
    /// Whether the input gave a visitor state (the result then reports the
    /// stored decisions).
    has_state: bool,
}

/// The fields every visitor-scoped family input shares.
struct VisitorInput<'a> {
    environment: Option<&'a String>,
    visitor_id: &'a str,
    visitor_attributes: Option<&'a Map<String, Value>>,
    location_attributes: Option<&'a Map<String, Value>>,
    visitor_state: Option<&'a SpecVisitorState>,
}

/// The [`VisitorInput`] of a family input that has every visitor field
/// (`experience`, `experiences`, `feature`, `diagnostics`).
macro_rules! visitor_input {
    ($input:expr) => {
        VisitorInput {
            environment: $input.environment.as_ref(),
            visitor_id: &$input.visitor_id,
            visitor_attributes: $input.visitor_attributes.as_ref(),
            location_attributes: $input.location_attributes.as_ref(),
            visitor_state: $input.visitor_state.as_ref(),
        }
    };
}

impl Setup {
    fn new(config: Arc<ProjectConfig>, input: &VisitorInput<'_>) -> Setup {
        let mut settings = Settings::default();
        if let Some(environment) = input.environment {
            settings.environment.clone_from(environment);
        }
        let mut state = VisitorState::new();
        if let Some(prior) = input.visitor_state {
            if let Some(bucketing) = &prior.bucketing {
                state.bucketing = bucketing.clone().into();
            }
            if let Some(segments) = &prior.segments {
                state.segments = segments.clone().into();
            }
        }
        let attributes = input.visitor_attributes.cloned().unwrap_or_default();
        Setup {
            visitor: Visitor::with_state(input.visitor_id, &attributes, state),
            config,
            engine: Engine::new(settings),
            location: input.location_attributes.cloned(),
            has_state: input.visitor_state.is_some(),
        }
    }

    fn options<'a>(&'a self, preview: Option<&'a Preview>) -> RunOptions<'a> {
        RunOptions {
            location: self
                .location
                .as_ref()
                .map_or(LocationAttributes::Absent, LocationAttributes::Properties),
            preview,
            ..RunOptions::default()
        }
    }

    /// `${account_id}-${project.id}-${visitorId}`, with JavaScript's
    /// `String()` of each part.
    fn store_key(&self) -> String {
        store::store_key(
            self.config.account_id.as_ref(),
            self.config.project_id.as_ref(),
            self.visitor.id(),
        )
    }
}

/// The config cache and the handle of the case's config, if it has one.
struct Shelf<'a> {
    cache: &'a mut ConfigCache,
    shared: Option<&'a Arc<Shared>>,
}

/// The typed input and its config, read through `configs` (shared with
/// earlier cases whose config is identical).
fn parse_with_config<T: DeserializeOwned>(
    configs: &mut Shelf<'_>,
    family: Family,
    input: &Value,
) -> Result<(T, Arc<ProjectConfig>), ReferenceError> {
    let (parsed, config) = parse_beside_config(family, input)?;
    let config = configs
        .cache
        .read_shared(config, configs.shared)
        .map_err(|e| ReferenceError::InvalidInput {
            family,
            message: format!("config: {e}"),
        })?;
    Ok((parsed, config))
}

fn engine_preview(preview: Option<&convert_spec::families::visitor::Preview>) -> Option<Preview> {
    preview.map(|p| Preview {
        experience_id: p.experience_id.clone(),
        variation_id: p.variation_id.clone(),
    })
}

fn evaluate_experience(input: &ExperienceInput, config: Arc<ProjectConfig>) -> ExperienceResult {
    let mut setup = Setup::new(config, &visitor_input!(input));
    let preview = engine_preview(input.preview.as_ref());
    let mut options = setup.options(preview.as_ref());
    options.force_variation_id = input.force_variation_id.as_deref();
    let decision = setup.engine.run_experience(
        &setup.config,
        &setup.visitor,
        &input.experience_key,
        &options,
    );
    setup.visitor.remember(&decision);
    let (variation_id, variation_key) = match decision.variation {
        Some(mut variation) => {
            let key = variation.take_key_string();
            (Some(variation.id), key)
        }
        None => (None, None),
    };
    let (stored_bucketing, store_key) = if setup.has_state {
        (
            Some(setup.visitor.state().bucketing.to_map()),
            Some(setup.store_key()),
        )
    } else {
        (None, None)
    };
    ExperienceResult {
        variation_id,
        variation_key,
        reason: Some(decision.reason.as_str().to_owned()),
        stored_bucketing,
        store_key,
    }
}

fn evaluate_experiences(input: &ExperiencesInput, config: Arc<ProjectConfig>) -> ExperiencesResult {
    let setup = Setup::new(config, &visitor_input!(input));
    let preview = engine_preview(input.preview.as_ref());
    let options = setup.options(preview.as_ref());
    let mut visitor = setup.visitor.clone();
    let decisions = setup
        .engine
        .run_experiences(&setup.config, &mut visitor, &options);
    ExperiencesResult {
        decisions: decisions
            .iter()
            .filter_map(|d| {
                let variation = d.variation.as_ref()?;
                Some(ExperiencesDecision {
                    experience_id: d
                        .experience_id
                        .clone()
                        .unwrap_or_else(|| "undefined".into()),
                    experience_key: js::to_string(d.experience_key.as_ref()).into_owned(),
                    variation_id: variation.id.clone(),
                    variation_key: variation.key_string(),
                })
            })
            .collect(),
    }
}

fn evaluate_feature(
    family: Family,
    input: &FeatureInput,
    config: Arc<ProjectConfig>,
) -> Result<FeatureResult, ReferenceError> {
    let setup = Setup::new(config, &visitor_input!(input));
    // `Context.runFeatures` passes no filter to the feature manager, so
    // `experience_keys` narrows `run_feature` only (`feature.filter`).
    let experiences = match input.call {
        FeatureCall::RunFeature => input.experience_keys.as_deref(),
        FeatureCall::RunFeatures => None,
    };
    let query = FeatureQuery {
        features: None,
        experiences,
        type_casting: input.type_casting.unwrap_or(true),
    };
    let options = setup.options(None);
    let mut visitor = setup.visitor.clone();
    let run = match input.call {
        FeatureCall::RunFeatures => {
            setup
                .engine
                .run_features(&setup.config, &mut visitor, &query, &options)
        }
        FeatureCall::RunFeature => {
            let key = input
                .feature_key
                .as_deref()
                .ok_or_else(|| ReferenceError::InvalidInput {
                    family,
                    message: "run_feature needs feature_key".into(),
                })?;
            setup
                .engine
                .run_feature(&setup.config, &mut visitor, key, &query, &options)
        }
    };
    Ok(FeatureResult {
        features: run
            .entries
            .iter()
            .map(|entry| sdk_feature_entry(&SdkFeatureResult::from(entry)))
            .collect(),
    })
}

fn custom_segments_of(visitor: &Visitor) -> Vec<String> {
    match visitor.state().custom_segments() {
        Some(Value::Array(ids)) => ids
            .iter()
            .map(|id| js::to_string(Some(id)).into_owned())
            .collect(),
        _ => Vec::new(),
    }
}

fn entity_ids<'a>(entities: impl IntoIterator<Item = &'a Value>) -> Vec<String> {
    entities
        .into_iter()
        .filter(|e| e.is_object())
        .map(|e| js::to_string(js::get(Some(e), "id")).into_owned())
        .collect()
}

fn evaluate_segments(input: &SegmentsInput, config: Arc<ProjectConfig>) -> SegmentsResult {
    let empty = SegmentsResult {
        added: None,
        custom_segments: None,
        stored_segments: None,
        ids: None,
    };
    match input {
        SegmentsInput::RunCustomSegments {
            config: _,
            visitor_id,
            visitor_attributes,
            visitor_state,
            segment_keys,
            rule_data,
        } => {
            let mut setup = Setup::new(
                config,
                &VisitorInput {
                    environment: None,
                    visitor_id,
                    visitor_attributes: visitor_attributes.as_ref(),
                    location_attributes: None,
                    visitor_state: visitor_state.as_ref(),
                },
            );
            let before = custom_segments_of(&setup.visitor);
            segments::run_custom_segments(
                &setup.config,
                &mut setup.visitor,
                segment_keys,
                rule_data.as_ref(),
                setup.engine.settings().rules,
            );
            let after = custom_segments_of(&setup.visitor);
            SegmentsResult {
                added: Some(
                    after
                        .iter()
                        .filter(|id| !before.contains(id))
                        .cloned()
                        .collect(),
                ),
                custom_segments: Some(after),
                ..empty
            }
        }
        SegmentsInput::SetSegments {
            config: _,
            visitor_id,
            visitor_attributes,
            visitor_state,
            segments: given,
        } => {
            let mut setup = Setup::new(
                config,
                &VisitorInput {
                    environment: None,
                    visitor_id,
                    visitor_attributes: visitor_attributes.as_ref(),
                    location_attributes: None,
                    visitor_state: visitor_state.as_ref(),
                },
            );
            segments::set_segments(&mut setup.visitor, given);
            SegmentsResult {
                stored_segments: Some(setup.visitor.state().segments.to_map()),
                ..empty
            }
        }
        SegmentsInput::GetEntity {
            config: _,
            entity_type,
            key,
        } => SegmentsResult {
            ids: Some(entity_ids(config.config_entity(entity_type, key))),
            ..empty
        },
        SegmentsInput::GetEntityById {
            config: _,
            entity_type,
            id,
        } => SegmentsResult {
            ids: Some(entity_ids(config.config_entity_by_id(entity_type, id))),
            ..empty
        },
        SegmentsInput::GetEntities {
            config: _,
            entity_type,
            keys,
        } => SegmentsResult {
            ids: Some(entity_ids(config.entities_by_keys(entity_type, keys))),
            ..empty
        },
    }
}

fn evaluate_diagnostics(
    family: Family,
    input: &DiagnosticsInput,
    config: Arc<ProjectConfig>,
) -> Result<DiagnosticsResult, ReferenceError> {
    let diagnosis = |reason: Reason, bucket_value: Option<u32>, variation_key: Option<String>| {
        DiagnosticsResult {
            reason: reason.as_str().to_owned(),
            bucket_value,
            variation_key,
            visitor_ref: diagnose::visitor_ref(&input.visitor_id),
        }
    };
    match input.diagnose {
        Diagnose::Experience | Diagnose::Feature => {
            let setup = Setup::new(config, &visitor_input!(input));
            let options = setup.options(None);
            Ok(if input.diagnose == Diagnose::Experience {
                let found = setup.engine.diagnose_experience(
                    &setup.config,
                    &setup.visitor,
                    &input.key,
                    &options,
                );
                diagnosis(found.reason, found.bucket_value, found.variation_key)
            } else {
                let reason = setup.engine.diagnose_feature(
                    &setup.config,
                    &setup.visitor,
                    &input.key,
                    &options,
                );
                diagnosis(reason, None, None)
            })
        }
        Diagnose::Goal => Ok(diagnosis(
            if config.config_entity("goals", &input.key).is_some() {
                Reason::Resolved
            } else {
                Reason::GoalNotFound
            },
            None,
            None,
        )),
        Diagnose::Entity => {
            let entity_type =
                input
                    .entity_type
                    .as_deref()
                    .ok_or_else(|| ReferenceError::InvalidInput {
                        family,
                        message: "diagnose entity needs entity_type".into(),
                    })?;
            Ok(diagnosis(
                if config.config_entity(entity_type, &input.key).is_some() {
                    Reason::Resolved
                } else {
                    Reason::EntityNotFound
                },
                None,
                None,
            ))
        }
    }
}

/// A request as the scenario family records it.
fn recorded_request(request: &HttpRequest) -> ScenarioRequest {
    let rest = request
        .url
        .split_once("://")
        .map_or(request.url.as_str(), |(_, rest)| rest);
    let (host, path_and_query) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (path, query_text) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let query = query_text
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k.to_owned(), Value::String(v.to_owned()))
        })
        .collect();
    let body = request.body.as_deref().map_or(Value::Null, |text| {
        serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
    });
    ScenarioRequest {
        method: request.method.clone(),
        host: host.to_owned(),
        path: if path.is_empty() {
            "/".into()
        } else {
            path.to_owned()
        },
        query,
        body,
    }
}

fn sdk_feature_entry(entry: &SdkFeatureResult) -> FeatureEntry {
    let enabled = entry.is_enabled();
    FeatureEntry {
        feature_id: entry.feature_id.clone(),
        feature_key: entry.feature_key.clone(),
        status: entry.status.as_str().to_owned(),
        experience_id: if enabled {
            entry.experience_id.clone()
        } else {
            None
        },
        experience_key: if enabled {
            entry.experience_key.clone()
        } else {
            None
        },
        variables: enabled.then(|| entry.variables.clone()),
    }
}

fn run_attributes(
    location_attributes: Option<&Map<String, Value>>,
    attributes: Option<&Map<String, Value>>,
    enable_tracking: Option<bool>,
) -> RunAttributes {
    RunAttributes {
        location_attributes: location_attributes.cloned(),
        attributes: attributes.cloned(),
        enable_tracking: enable_tracking.unwrap_or(true),
        ..RunAttributes::default()
    }
}

/// A scenario on one Rust SDK instance with a recording transport: every
/// operation's outcome and every request, in order. The release interval is
/// off (releases happen by size and on flush), as in the adapters.
fn evaluate_scenario(
    family: Family,
    input: &ScenarioInput,
    mut options: SdkConfig,
) -> Result<ScenarioResult, ReferenceError> {
    let invalid = |message: String| ReferenceError::InvalidInput { family, message };
    let transport = Arc::new(RecordingTransport::new());
    options.transport = Some(transport.clone());
    if let Some(environment) = &input.sdk.environment {
        options.environment.clone_from(environment);
    }
    if let Some(batch_size) = input.sdk.batch_size {
        options.batch_size = usize::try_from(batch_size).unwrap_or(usize::MAX);
    }
    let core = Core::initialize(options).map_err(|e| invalid(format!("config: {e}")))?;
    let mut contexts: HashMap<&str, Context> = HashMap::new();
    let mut outcomes = Vec::new();
    for (i, operation) in input.operations.iter().enumerate() {
        let context_of = |name: &str| {
            contexts.get(name).cloned().ok_or_else(|| {
                invalid(format!(
                    "operations[{i}]: no context named `{name}` was created"
                ))
            })
        };
        let outcome = match operation {
            Operation::CreateContext {
                context,
                visitor_id,
                attributes,
            } => {
                let created =
                    core.create_context(visitor_id, &attributes.clone().unwrap_or_default());
                contexts.insert(context, created);
                Value::Null
            }
            Operation::RunExperience {
                context,
                key,
                location_attributes,
                attributes,
                enable_tracking,
            } => {
                let options = run_attributes(
                    location_attributes.as_ref(),
                    attributes.as_ref(),
                    *enable_tracking,
                );
                match context_of(context)?.run_experience(key, &options) {
                    Some(result) => {
                        json!({"variation_id": result.variation_id, "variation_key": result.variation_key})
                    }
                    None => Value::Null,
                }
            }
            Operation::RunExperiences {
                context,
                location_attributes,
                enable_tracking,
            } => {
                let options = run_attributes(location_attributes.as_ref(), None, *enable_tracking);
                let decisions: Vec<ExperiencesDecision> = context_of(context)?
                    .run_experiences(&options)
                    .into_iter()
                    .map(|r| ExperiencesDecision {
                        experience_id: r.experience_id,
                        experience_key: r.experience_key,
                        variation_id: r.variation_id,
                        variation_key: r.variation_key,
                    })
                    .collect();
                json!({"decisions": decisions})
            }
            Operation::RunFeature {
                context,
                key,
                location_attributes,
            } => {
                let options = run_attributes(location_attributes.as_ref(), None, None);
                let features: Vec<FeatureEntry> = context_of(context)?
                    .run_feature(key, &options)
                    .iter()
                    .map(sdk_feature_entry)
                    .collect();
                json!({"features": features})
            }
            Operation::TrackConversion {
                context,
                goal_key,
                goal_data,
                force_multiple,
                rule_data,
            } => {
                let options = ConversionOptions {
                    goal_data: goal_data.clone(),
                    rule_data: rule_data.clone(),
                    force_multiple: force_multiple.unwrap_or(false),
                    ..ConversionOptions::default()
                };
                context_of(context)?.track_conversion(goal_key, &options);
                Value::Null
            }
            Operation::SetSegments { context, segments } => {
                context_of(context)?.set_segments(segments);
                Value::Null
            }
            Operation::RunCustomSegments {
                context,
                segment_keys,
                rule_data,
            } => {
                context_of(context)?.run_custom_segments(segment_keys, rule_data.as_ref());
                Value::Null
            }
            Operation::Flush => {
                core.flush();
                Value::Null
            }
        };
        outcomes.push(outcome);
    }
    // Read before the core closes: closing would release what is left, which
    // a scenario does not observe.
    let requests = transport.requests().iter().map(recorded_request).collect();
    Ok(ScenarioResult { outcomes, requests })
}

fn evaluate_config_validation(config: &Value) -> ConfigValidationResult {
    match validate_contract(config) {
        Ok(()) => ConfigValidationResult {
            valid: true,
            error: None,
        },
        Err(violation) => ConfigValidationResult {
            valid: false,
            error: Some(ConfigFault {
                kind: violation.kind.as_str().to_owned(),
                path: violation.path,
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values observed by running the same inputs through
    // adapters/js/adapter.js (published JS SDK 4.4.3, node 20).

    #[test]
    fn a_rule_input_is_borrowed_exactly_when_it_reads_as_one() {
        let inputs = [
            json!({"rule": {"OR": []}, "data": {"a": 1}}),
            json!({"data": null, "rule": 3}),
            json!({"rule": {"OR": []}}),
            json!({"data": {}}),
            json!({"rule": {}, "data": {}, "extra": 1}),
            json!({"rule": {}, "date": {}}),
            json!([{"rule": {}, "data": {}}]),
            json!(null),
        ];
        for input in &inputs {
            let parsed: Result<RuleInput, _> = parse(Family::Rule, input);
            match (rule_members(input), parsed) {
                (Some((rule, data)), Ok(parsed)) => {
                    assert_eq!((rule, data), (&parsed.rule, &parsed.data), "{input}");
                }
                (None, Err(_)) => {}
                (borrowed, parsed) => {
                    panic!("{input}: borrowed {borrowed:?}, parsed {parsed:?}")
                }
            }
        }
    }

    #[test]
    fn an_input_beside_its_config_reads_as_the_whole_input_does() {
        let config = json!({"account_id": "1", "project": {"id": "2"}});
        let valid = json!({"config": config, "visitor_id": "v", "experience_key": "e",
                           "visitor_attributes": {"b": [1, {"c": null}], "a": "x"}});
        let (parsed, beside) =
            parse_beside_config::<ExperienceInput>(Family::Experience, &valid).unwrap();
        let whole: ExperienceInput = parse(Family::Experience, &valid).unwrap();
        assert_eq!(beside, &config);
        assert_eq!(parsed.config, Value::Null);
        assert_eq!(
            ExperienceInput {
                config: config.clone(),
                ..parsed
            },
            whole
        );
        // Key order of kept maps survives (JavaScript observes it).
        let (parsed, _) =
            parse_beside_config::<ExperienceInput>(Family::Experience, &valid).unwrap();
        let keys: Vec<&String> = parsed.visitor_attributes.as_ref().unwrap().keys().collect();
        assert_eq!(keys, ["b", "a"]);
        // Refused inputs carry the path message of the whole input.
        for refused in [
            json!({"config": config, "visitor_id": 1, "experience_key": "e"}),
            json!({"config": config, "visitor_id": "v", "experience_key": "e", "extra": 1}),
            json!({"config": config, "visitor_id": "v"}),
        ] {
            let beside = parse_beside_config::<ExperienceInput>(Family::Experience, &refused);
            let whole = parse::<ExperienceInput>(Family::Experience, &refused);
            assert_eq!(
                beside.err().map(|e| e.to_string()),
                whole.err().map(|e| e.to_string()),
                "{refused}"
            );
        }
    }

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
            assert!(caps.has_family(*family), "{family}");
            // Every family parses its input, and so refuses `{}`.
            match evaluate(*family, &json!({})) {
                Err(ReferenceError::InvalidInput { family: f, .. }) => assert_eq!(f, *family),
                other => panic!("{family} answered {{}} with {other:?}"),
            }
        }
        assert!(caps.has_feature("diagnostics"));
        assert_eq!(implementation().name, "convert-engine");
    }
}
