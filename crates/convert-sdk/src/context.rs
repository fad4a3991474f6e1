//! [`Context`]: one visitor's view of a [`Core`](crate::Core).

use std::sync::Arc;

use convert_engine::config::ProjectConfig;
pub use convert_engine::diagnose::visitor_ref;
use convert_engine::diagnostics::Reason;
use convert_engine::experience::{self, Decision, LocationAttributes, RunOptions};
pub use convert_engine::feature::FeatureStatus;
use convert_engine::feature::{FeatureEntry, FeatureQuery, FeatureRun};
use convert_engine::rule::RuleError;
use convert_engine::visitor::{Visitor, deep_merge_maps};
use convert_engine::{js, limits, segments};
use serde_json::{Map, Value};

use crate::core::{Shared, Snapshot};
use crate::events::{EventPayload, LifecycleEvent};
use crate::queue::TrackingEvent;

/// Per-call options of `run_experience(s)` and `run_feature(s)`.
#[derive(Clone, Debug, PartialEq)]
pub struct RunAttributes {
    /// Location attributes matched by the experiences' locations. `None`
    /// (and `ignore_location` false) fails the location gate of every
    /// experience, as in the JS SDK.
    pub location_attributes: Option<Map<String, Value>>,
    /// Skip the location gate.
    pub ignore_location: bool,
    /// Visitor attributes for this call only, merged over the context's.
    pub attributes: Option<Map<String, Value>>,
    /// Queue a bucketing event for fresh decisions (default `true`).
    pub enable_tracking: bool,
    /// Force this variation when the experience has it
    /// (`run_experience` only).
    pub force_variation_id: Option<String>,
}

impl Default for RunAttributes {
    fn default() -> Self {
        RunAttributes {
            location_attributes: None,
            ignore_location: false,
            attributes: None,
            enable_tracking: true,
            force_variation_id: None,
        }
    }
}

impl RunAttributes {
    /// Options with these location attributes.
    pub fn at(location_attributes: Map<String, Value>) -> RunAttributes {
        RunAttributes {
            location_attributes: Some(location_attributes),
            ..RunAttributes::default()
        }
    }
}

/// A decided experience.
#[derive(Clone, Debug, PartialEq)]
pub struct ExperienceResult {
    /// The experience id.
    pub experience_id: String,
    /// The experience key.
    pub experience_key: String,
    /// The variation id.
    pub variation_id: String,
    /// The variation key, if any.
    pub variation_key: Option<String>,
    /// The variation as configured (`changes` and all), shared with the
    /// config snapshot.
    pub variation: Arc<Value>,
}

/// A feature entry.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureResult {
    /// The feature id (`None` for an undeclared key).
    pub feature_id: Option<String>,
    /// The feature key.
    pub feature_key: Option<String>,
    /// Enabled or disabled.
    pub status: FeatureStatus,
    /// The experience that enabled it.
    pub experience_id: Option<String>,
    /// That experience's key.
    pub experience_key: Option<String>,
    /// The variables, cast (empty when disabled).
    pub variables: Map<String, Value>,
}

impl From<&FeatureEntry> for FeatureResult {
    /// The SDK's view of an engine entry: ids and keys through `String()`,
    /// variables as an object (empty when there are none).
    fn from(entry: &FeatureEntry) -> FeatureResult {
        let text = |v: Option<&Value>| match v {
            None | Some(Value::Null) => None,
            Some(v) => Some(js::to_string(Some(v)).into_owned()),
        };
        FeatureResult {
            feature_id: text(entry.id.as_ref()),
            feature_key: text(entry.key.as_ref()),
            status: entry.status,
            experience_id: text(entry.experience_id.as_ref()),
            experience_key: text(entry.experience_key.as_ref()),
            variables: match &entry.variables {
                Some(Value::Object(map)) => map.clone(),
                _ => Map::new(),
            },
        }
    }
}

impl FeatureResult {
    /// Whether the feature is on.
    pub fn is_enabled(&self) -> bool {
        self.status == FeatureStatus::Enabled
    }
}

/// Options of `track_conversion`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConversionOptions {
    /// Revenue: shorthand for a `{"key": "amount", "value": revenue}` entry
    /// at the front of the conversion data.
    pub revenue: Option<f64>,
    /// Conversion data (`[{"key": "amount", "value": 10.5}, …]`; keys are the
    /// SDK's `GoalDataKey`s: `amount`, `productsCount`, `transactionId`,
    /// `customDimension1`…`5`): sent as a second, transaction event.
    pub goal_data: Option<Vec<Value>>,
    /// Data the goal's rules must match.
    pub rule_data: Option<Map<String, Value>>,
    /// Let a repeated conversion send its transaction event again.
    pub force_multiple: bool,
}

/// What `track_conversion` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConversionResult {
    /// Events were queued.
    Queued,
    /// The goal was converted before; nothing was queued.
    Deduplicated,
    /// No goal has the key.
    GoalNotFound,
    /// `rule_data` was given and the goal's rules did not match it (or the
    /// goal has no rules).
    RuleNotMatched,
    /// The context has no visitor id: nothing was queued (the JS SDK logs an
    /// error and returns).
    VisitorIdMissing,
}

/// What `run_custom_segments` did.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomSegmentsResult {
    /// Segment ids added to the visitor's `customSegments`.
    pub added: Vec<String>,
    /// The `RuleError` a segment's rules evaluated to (nothing was stored).
    pub rule_error: Option<RuleError>,
}

/// A diagnosis (`diagnose_experience`, `diagnose_feature`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    /// The reason code ([`Reason`]).
    pub reason: Reason,
    /// The visitor's bucket value (resolved experiences).
    pub bucket_value: Option<u32>,
    /// The selected variation's key (resolved experiences).
    pub variation_key: Option<String>,
    /// The environment the call ran in.
    pub environment: String,
    /// A non-reversible reference to the visitor ([`visitor_ref`]).
    pub visitor_ref: String,
}

/// One visitor's view of an SDK instance. Cheap to create; `Send + Sync`.
#[derive(Clone)]
pub struct Context {
    shared: Arc<Shared>,
    /// Shared with the [`Visitor`] of each call.
    visitor_id: Arc<str>,
    /// Shared with the visitor of each call (never copied per decision).
    properties: Arc<Map<String, Value>>,
    /// The visitor's record key when the context was created: shared by
    /// each call while the config's key prefix is unchanged, and by the
    /// store's entry for the visitor.
    store_key: Arc<str>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("visitor_id", &self.visitor_id)
            .field("properties", &self.properties)
            .finish_non_exhaustive()
    }
}

/// A call's bookkeeping: the config snapshot, the visitor's store key and
/// the visitor with their stored state. It holds the visitor's lock from
/// load to save (so concurrent calls for one visitor cannot both see a fresh
/// decision and track it twice), and queues its events only after the save,
/// once the lock is released (a size release sends HTTP).
///
/// The visitor's record is moved out of the store for the session, not
/// copied ([`MemoryStore::take`](convert_engine::store::MemoryStore::take)),
/// and goes back when the session ends: saved when the call stored
/// something ([`Context::save`]), restored unchanged otherwise (on drop).
struct Session<'s> {
    shared: &'s Shared,
    snapshot: Arc<Snapshot>,
    key: Arc<str>,
    visitor: Visitor,
    /// Whether the record was in the store (and must go back there).
    taken: bool,
    /// Whether the call changed the record (it is saved, stored anew if it
    /// was not there).
    changed: bool,
    events: Vec<(TrackingEvent, Option<Map<String, Value>>)>,
    _lock: std::sync::MutexGuard<'s, ()>,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        // Runs before the fields drop: the visitor's lock is still held.
        let state = std::mem::take(self.visitor.state_mut());
        if self.changed {
            self.shared.save_state(&self.key, state);
        } else if self.taken {
            self.shared.restore_state(&self.key, state);
        }
    }
}

impl Context {
    pub(crate) fn new(
        shared: Arc<Shared>,
        visitor_id: &str,
        store_key: Arc<str>,
        properties: Map<String, Value>,
    ) -> Context {
        Context {
            shared,
            visitor_id: Arc::from(visitor_id),
            properties: Arc::new(properties),
            store_key,
        }
    }

    /// The visitor id.
    pub fn visitor_id(&self) -> &str {
        &self.visitor_id
    }

    /// The context's attributes (never stored).
    pub fn attributes(&self) -> &Map<String, Value> {
        &self.properties
    }

    /// Merges `attributes` into the context's attributes (deep merge; the
    /// stored segments are not touched).
    pub fn set_attributes(&mut self, attributes: &Map<String, Value>) {
        self.properties = Arc::new(deep_merge_maps(&[
            &self.properties,
            &limits::within_depth(attributes),
        ]));
    }

    fn session(&self) -> Session<'_> {
        let snapshot = self.shared.snapshot();
        let key = snapshot.store_key_as(&self.visitor_id, &self.store_key);
        let lock = self.shared.lock_visitor(&key);
        let taken = self.shared.take_state(&key);
        let taken_flag = taken.is_some();
        Session {
            shared: &self.shared,
            visitor: Visitor::from_parts(
                Arc::clone(&self.visitor_id),
                Arc::clone(&self.properties),
                taken.unwrap_or_default(),
            ),
            taken: taken_flag,
            changed: false,
            snapshot,
            key,
            events: Vec::new(),
            _lock: lock,
        }
    }

    /// Saves the visitor's state, releases their lock, then queues the
    /// session's events (a session with events always stored something).
    fn save(&self, mut session: Session<'_>) {
        session.changed = true;
        let events = std::mem::take(&mut session.events);
        drop(session);
        for (event, segments) in events {
            self.shared.enqueue(&self.visitor_id, event, segments);
        }
    }

    fn options<'a>(attributes: &'a RunAttributes) -> RunOptions<'a> {
        RunOptions {
            location: if attributes.ignore_location {
                LocationAttributes::Ignore
            } else {
                attributes
                    .location_attributes
                    .as_ref()
                    .map_or(LocationAttributes::Absent, LocationAttributes::Properties)
            },
            visitor_properties: attributes.attributes.as_ref(),
            force_variation_id: attributes.force_variation_id.as_deref(),
            ..RunOptions::default()
        }
    }

    /// Queues (at the session's save) the bucketing event of a fresh
    /// decision, with the visitor's stored segments (which decisions never
    /// change).
    fn account(session: &mut Session<'_>, decision: &Decision, tracking: bool) {
        if tracking
            && decision.is_tracked()
            && let Some(store) = &decision.store
        {
            let segments = Some(session.visitor.state().segments.to_map());
            session.events.push((
                TrackingEvent::Bucketing {
                    experience_id: store.experience_id.clone(),
                    variation_id: store.variation_id.clone(),
                },
                segments,
            ));
        }
    }

    fn experience_result(&self, decision: Decision) -> Option<ExperienceResult> {
        let mut variation = decision.variation?;
        let result = ExperienceResult {
            experience_id: decision.experience_id.unwrap_or_default(),
            experience_key: match decision.experience_key {
                Some(Value::String(key)) => key,
                other => js::to_string(other.as_ref()).into_owned(),
            },
            variation_key: variation.take_key_string(),
            variation_id: variation.id,
            variation: variation.raw,
        };
        if self.shared.events.has_handlers(LifecycleEvent::Bucketing) {
            self.shared.events.fire(
                &EventPayload::Bucketing {
                    visitor_id: self.visitor_id.to_string(),
                    experience_key: result.experience_key.clone(),
                    variation_id: result.variation_id.clone(),
                    variation_key: result.variation_key.clone(),
                },
                None,
            );
        }
        Some(result)
    }

    /// Decides the experience `key` for the visitor: `None` when they see no
    /// variation (see `diagnose_experience` for why).
    pub fn run_experience(
        &self,
        key: &str,
        attributes: &RunAttributes,
    ) -> Option<ExperienceResult> {
        if self.visitor_id.is_empty() {
            return None;
        }
        let mut session = self.session();
        let mut decision = self.shared.engine.run_experience(
            &session.snapshot.config,
            &session.visitor,
            key,
            &Context::options(attributes),
        );
        // The event (if any) is queued from the decision first, then its
        // stored ids move into the record; nothing to save unless the
        // decision stored something.
        Context::account(&mut session, &decision, attributes.enable_tracking);
        if let Some(store) = decision.store.take() {
            session.visitor.remember_owned(store);
            self.save(session);
        }
        self.experience_result(decision)
    }

    /// Decides every experience, in config order; the decided ones.
    pub fn run_experiences(&self, attributes: &RunAttributes) -> Vec<ExperienceResult> {
        if self.visitor_id.is_empty() {
            return Vec::new();
        }
        let mut session = self.session();
        let snapshot = Arc::clone(&session.snapshot);
        let decisions = experience::decide_all(
            self.shared.engine.settings(),
            &snapshot.config,
            &mut session.visitor,
            &Context::options(attributes),
        );
        for decision in &decisions {
            Context::account(&mut session, decision, attributes.enable_tracking);
        }
        if decisions.iter().any(|d| d.store.is_some()) {
            self.save(session);
        }
        decisions
            .into_iter()
            .filter_map(|decision| self.experience_result(decision))
            .collect()
    }

    fn features(
        &self,
        call: impl FnOnce(&ProjectConfig, &mut Visitor) -> FeatureRun,
    ) -> Vec<FeatureResult> {
        if self.visitor_id.is_empty() {
            return Vec::new();
        }
        let mut session = self.session();
        let snapshot = Arc::clone(&session.snapshot);
        let run = call(&snapshot.config, &mut session.visitor);
        for decision in &run.decisions {
            Context::account(&mut session, decision, true);
        }
        if run.decisions.iter().any(|d| d.store.is_some()) {
            self.save(session);
        }
        run.entries.iter().map(FeatureResult::from).collect()
    }

    /// The feature `key` for the visitor: one entry per variation that
    /// enables it, or one disabled entry. Every experience looked at is
    /// decided, stored and tracked, as in the JS SDK.
    pub fn run_feature(&self, key: &str, attributes: &RunAttributes) -> Vec<FeatureResult> {
        self.run_feature_in(key, None, attributes)
    }

    /// [`Context::run_feature`] looking only at the experiences with these
    /// keys.
    pub fn run_feature_in(
        &self,
        key: &str,
        experience_keys: Option<&[String]>,
        attributes: &RunAttributes,
    ) -> Vec<FeatureResult> {
        let query = FeatureQuery {
            experiences: experience_keys,
            ..FeatureQuery::default()
        };
        self.features(|config, visitor| {
            self.shared.engine.run_feature(
                config,
                visitor,
                key,
                &query,
                &Context::options(attributes),
            )
        })
    }

    /// Every feature for the visitor: the enabled entries, then every other
    /// declared feature as disabled.
    pub fn run_features(&self, attributes: &RunAttributes) -> Vec<FeatureResult> {
        self.features(|config, visitor| {
            self.shared.engine.run_features(
                config,
                visitor,
                &FeatureQuery::default(),
                &Context::options(attributes),
            )
        })
    }

    /// Tracks a conversion of the goal `goal_key` (`spec/tracking.md`).
    pub fn track_conversion(
        &self,
        goal_key: &str,
        options: &ConversionOptions,
    ) -> ConversionResult {
        if self.visitor_id.is_empty() {
            return ConversionResult::VisitorIdMissing;
        }
        let mut session = self.session();
        let Some(goal) = session
            .snapshot
            .config
            .entity_by_field("goals", "key", goal_key)
            .filter(|g| js::truthy(js::get(Some(g), "id")))
        else {
            return ConversionResult::GoalNotFound;
        };
        let goal_id = js::get(Some(goal), "id").cloned().unwrap_or(Value::Null);
        if let Some(rule_data) = &options.rule_data {
            if limits::map_exceeds_depth(rule_data, limits::MAX_DEPTH) {
                return ConversionResult::RuleNotMatched;
            }
            let Some(rules) = js::get(Some(goal), "rules").filter(|r| js::truthy(Some(r))) else {
                return ConversionResult::RuleNotMatched;
            };
            let outcome = self
                .shared
                .engine
                .evaluate_rule(rules, &Value::Object(rule_data.clone()))
                .outcome;
            if outcome.rule_error().is_some() || !outcome.is_truthy() {
                return ConversionResult::RuleNotMatched;
            }
        }
        let state = session.visitor.state_mut();
        let triggered = state.goal_triggered(goal_key);
        if triggered && !options.force_multiple {
            return ConversionResult::Deduplicated;
        }
        let bucketing_data = (!state.bucketing.is_empty()).then(|| state.bucketing.to_map());
        let segments = state.report_segments();
        state.put_goal(goal_key);
        let mut queued = false;
        if !triggered {
            session.events.push((
                TrackingEvent::Conversion {
                    goal_id: goal_id.clone(),
                    goal_data: None,
                    bucketing_data: bucketing_data.clone(),
                },
                segments.clone(),
            ));
            queued = true;
        }
        let revenue = options
            .revenue
            .and_then(serde_json::Number::from_f64)
            .map(|amount| serde_json::json!({"key": "amount", "value": amount}));
        // Entries nested deeper than the engine's limit are left out: they
        // could not be copied or serialized without deep recursion.
        let shallow = |entries: &Vec<Value>| -> Vec<Value> {
            entries
                .iter()
                .filter(|v| !limits::exceeds_depth(v, limits::MAX_DEPTH))
                .cloned()
                .collect()
        };
        let goal_data: Option<Vec<Value>> = match (revenue, &options.goal_data) {
            (None, data) => data.as_ref().map(shallow),
            (Some(amount), data) => Some(
                std::iter::once(amount)
                    .chain(data.as_ref().map(shallow).into_iter().flatten())
                    .collect(),
            ),
        };
        if let Some(goal_data) = goal_data {
            session.events.push((
                TrackingEvent::Conversion {
                    goal_id,
                    goal_data: Some(goal_data),
                    bucketing_data,
                },
                segments,
            ));
            queued = true;
        }
        self.save(session);
        if !queued {
            return ConversionResult::Deduplicated;
        }
        self.shared.events.fire(
            &EventPayload::Conversion {
                visitor_id: self.visitor_id.to_string(),
                goal_key: goal_key.to_owned(),
            },
            None,
        );
        ConversionResult::Queued
    }

    /// Stores the report-segment keys of `segments` (`set_segments`).
    pub fn set_segments(&self, segments: &Map<String, Value>) {
        let mut session = self.session();
        segments::set_segments(&mut session.visitor, segments);
        self.save(session);
    }

    /// Evaluates the segments with these keys (`run_custom_segments`).
    pub fn run_custom_segments(
        &self,
        segment_keys: &[String],
        rule_data: Option<&Map<String, Value>>,
    ) -> CustomSegmentsResult {
        let mut session = self.session();
        let run = segments::run_custom_segments(
            &session.snapshot.config,
            &mut session.visitor,
            segment_keys,
            rule_data,
            self.shared.engine.settings().rules,
        );
        self.save(session);
        CustomSegmentsResult {
            added: run.added,
            rule_error: run.rule_error,
        }
    }

    /// The visitor's stored record (decisions, segments, goals).
    pub fn stored_state(&self) -> convert_engine::visitor::VisitorState {
        self.session().visitor.state().clone()
    }

    fn diagnosis(&self, key: &str, diagnosis: convert_engine::diagnose::Diagnosis) -> Diagnosis {
        self.shared.events.fire(
            &EventPayload::Diagnostic {
                visitor_id: self.visitor_id.to_string(),
                key: key.to_owned(),
                reason: diagnosis.reason.as_str().to_owned(),
            },
            None,
        );
        Diagnosis {
            reason: diagnosis.reason,
            bucket_value: diagnosis.bucket_value,
            variation_key: diagnosis.variation_key,
            environment: self.shared.engine.settings().environment.clone(),
            visitor_ref: visitor_ref(&self.visitor_id),
        }
    }

    /// Why the visitor does or does not see a variation of `key`; nothing is
    /// stored or tracked.
    pub fn diagnose_experience(&self, key: &str, attributes: &RunAttributes) -> Diagnosis {
        let session = self.session();
        let diagnosis = self.shared.engine.diagnose_experience(
            &session.snapshot.config,
            &session.visitor,
            key,
            &Context::options(attributes),
        );
        self.diagnosis(key, diagnosis)
    }

    /// Why the feature `key` is or is not enabled; nothing is stored or
    /// tracked.
    pub fn diagnose_feature(&self, key: &str, attributes: &RunAttributes) -> Diagnosis {
        let session = self.session();
        let reason = self.shared.engine.diagnose_feature(
            &session.snapshot.config,
            &session.visitor,
            key,
            &Context::options(attributes),
        );
        let diagnosis = convert_engine::diagnose::Diagnosis {
            reason,
            bucket_value: None,
            variation_key: None,
        };
        self.diagnosis(key, diagnosis)
    }
}
