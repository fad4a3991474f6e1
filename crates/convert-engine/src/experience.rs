//! `run_experience` for one experience key: the JS SDK's gates in their order,
//! then bucketing, then the variation lookup, with the reason for the outcome.
//!
//! The pipeline (`spec/experience.md`; `Context.runExperience` →
//! `DataManager.matchRulesByField` → `_retrieveBucketing` in
//! convertcom/javascript-sdk):
//!
//! 1. empty visitor id → [`Reason::VisitorIdMissing`];
//! 2. experience by key (`String()` compare, first match) →
//!    [`Reason::ExperienceNotFound`];
//! 3. archived (`String()` compare) → [`Reason::ExperienceArchived`];
//! 4. environment (strict when the experience names one) →
//!    [`Reason::EnvironmentMismatch`];
//! 5. locations / `site_area` against the location attributes (absent
//!    attributes fail) → [`Reason::LocationMismatch`];
//! 6. audiences (ANY/ALL) against the merged visitor properties →
//!    [`Reason::AudienceMismatch`];
//! 7. segments attached through `audiences`, against the stored
//!    `customSegments` → [`Reason::SegmentMismatch`];
//! 8. no variations → [`Reason::NoVariations`];
//! 9. bucketing (packed or anchored per `Number(version) > 11`) →
//!    [`Reason::VariationNotDecided`];
//! 10. variation lookup by strict string id → [`Reason::VariationNotFound`];
//!     otherwise [`Reason::Resolved`].
//!
//! Stored visitor state enters through [`Visitor`]: its stored segments (the
//! segment gate, and the properties audience rules see) and its stored
//! decisions (`spec/sticky.md`): a visitor with a stored variation that still
//! exists skips permanent audiences, and gets the stored variation back even
//! if it has since stopped. [`RunOptions::force_variation_id`] forces a
//! variation that exists; [`RunOptions::preview`] shows one variation of one
//! experience while nothing is stored (`spec/preview.md`); audiences whose
//! rule is `bucketed_into_experience_key` match on the stored decisions
//! (`spec/exclusion.md`).
//!
//! The function is pure: a fresh decision says what to store in
//! [`Decision::store`] and the caller applies it with
//! [`Visitor::remember`](crate::visitor::Visitor::remember).

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::bucketing::Layout;
use crate::config::{
    ArchivedExperiences, AudienceMatching, Experience, ProjectConfig, Variation, Variations,
};
use crate::diagnostics::{Diagnostic, JsThrowSite, Reason};
use crate::engine::Settings;
use crate::js;
use crate::rule::{RuleData, RuleEvaluator, RuleOutcome, RuleSet};
use crate::visitor::Visitor;

/// The location attributes of a call.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum LocationAttributes<'a> {
    /// None given: the location gate fails for every experience, even one
    /// without location restrictions (as in the JS SDK).
    #[default]
    Absent,
    /// `ignoreLocationProperties: true`: the location gate passes.
    Ignore,
    /// `locationProperties`: matched by the experience's locations or
    /// `site_area`.
    Properties(&'a Map<String, Value>),
}

/// Per-call options (`BucketingAttributes`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RunOptions<'a> {
    /// Location attributes.
    pub location: LocationAttributes<'a>,
    /// `visitorProperties` of this call, merged over the context's.
    pub visitor_properties: Option<&'a Map<String, Value>>,
    /// `environment` of this call; `None` or empty means the SDK's.
    pub environment: Option<&'a str>,
    /// `forceVariationId`: the variation to select when the experience has
    /// one with this id and the visitor has no other stored decision.
    pub force_variation_id: Option<&'a str>,
    /// An active preview (`set_preview`): one variation of one experience,
    /// shown without any gate; while it is set nothing is stored.
    pub preview: Option<&'a Preview>,
}

/// A preview link's target: `convert_preview={experience_id}.{variation_id}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preview {
    /// The previewed experience's id (compared through `String()`).
    pub experience_id: String,
    /// The previewed variation's id (compared through `String()`).
    pub variation_id: String,
}

impl Preview {
    /// The experience and variation the preview names, when the config has
    /// both; a preview naming anything else is inactive (the SDKs warn and
    /// decide normally).
    pub fn resolve<'c>(
        &self,
        config: &'c ProjectConfig,
    ) -> Option<(&'c Experience, &'c Variation)> {
        if self.experience_id.is_empty() || self.variation_id.is_empty() {
            return None;
        }
        let experience = config.experience_by_id(&self.experience_id)?;
        let variation = experience.variations.as_slice().iter().find(|v| {
            !js::is_nullish(v.id.as_ref()) && js::to_string(v.id.as_ref()) == self.variation_id
        })?;
        Some((experience, variation))
    }
}

/// Where a decision's variation came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionSource {
    /// Bucketed (or forced) now: the SDK stores it and tracks it.
    Fresh,
    /// The visitor's stored decision: neither stored again nor tracked.
    Stored,
    /// The active preview: neither stored nor tracked.
    Preview,
}

/// What a fresh decision stores: `bucketing[experience_id] = variation_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDecision {
    /// `experience.id.toString()`.
    pub experience_id: String,
    /// The variation id as selected (a string).
    pub variation_id: String,
}

/// The variation a decision selected.
#[derive(Clone, Debug, PartialEq)]
pub struct SelectedVariation {
    /// The variation id.
    pub id: String,
    /// The variation's `key` as in config (`None` when absent).
    pub key: Option<Value>,
    /// The whole variation object from config (`changes`, extra fields),
    /// shared with the config.
    pub raw: Arc<Value>,
}

impl SelectedVariation {
    /// The key as a string: a JSON string as is, another non-null value
    /// through `String()`, `None` for `null` or absent.
    pub fn key_string(&self) -> Option<String> {
        match &self.key {
            None | Some(Value::Null) => None,
            Some(key) => Some(js::to_string(Some(key)).into_owned()),
        }
    }

    /// [`SelectedVariation::key_string`], taking the key (left `None`): a
    /// JSON string is moved out, not copied.
    pub fn take_key_string(&mut self) -> Option<String> {
        match self.key.take()? {
            Value::String(key) => Some(key),
            Value::Null => None,
            key => Some(js::to_string(Some(&key)).into_owned()),
        }
    }
}

/// The outcome of `run_experience`.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// Why: [`Reason::Resolved`], or the first gate that failed.
    pub reason: Reason,
    /// The selected variation (only when `reason` is `Resolved`).
    pub variation: Option<SelectedVariation>,
    /// `experience.id.toString()` of the experience the key found.
    pub experience_id: Option<String>,
    /// That experience's `key` as in config.
    pub experience_key: Option<Value>,
    /// The visitor's bucket value, when bucketing ran.
    pub bucket_value: Option<u32>,
    /// The layout bucketing used, when it ran.
    pub layout: Option<Layout>,
    /// Where the variation came from, when bucketing was reached.
    pub source: Option<DecisionSource>,
    /// What the SDK stores for the visitor: set for fresh decisions (even
    /// when the variation lookup then fails, as in the SDK), never during a
    /// preview.
    pub store: Option<StoredDecision>,
    /// What was observed on the way.
    pub diagnostics: Vec<Diagnostic>,
}

impl Decision {
    /// Whether the SDK enqueues a bucketing event for this decision (when
    /// tracking is enabled): a fresh decision that was stored.
    pub fn is_tracked(&self) -> bool {
        self.source == Some(DecisionSource::Fresh) && self.store.is_some()
    }
}

impl Decision {
    fn new(reason: Reason) -> Decision {
        Decision {
            reason,
            variation: None,
            experience_id: None,
            experience_key: None,
            bucket_value: None,
            layout: None,
            source: None,
            store: None,
            diagnostics: Vec::new(),
        }
    }
}

/// One run of the pipeline.
struct Run<'a> {
    config: &'a ProjectConfig,
    settings: &'a Settings,
    rules: RuleEvaluator,
    decision: Decision,
}

impl Run<'_> {
    fn finish(mut self, reason: Reason) -> Decision {
        self.decision.reason = reason;
        self.decision
    }

    fn diagnose(&mut self, diagnostic: Diagnostic) {
        self.decision.diagnostics.push(diagnostic);
    }

    fn evaluate(
        &mut self,
        rule_set: &RuleSet,
        data: RuleData<'_>,
        path: &dyn fmt::Display,
    ) -> RuleOutcome {
        let outcome =
            self.rules
                .evaluate_rule_set(rule_set, data, path, &mut self.decision.diagnostics);
        if let RuleOutcome::Value(value) = &outcome {
            let diagnostic = match outcome.rule_error() {
                Some(error) => Diagnostic::RuleError {
                    error: error.as_str().to_owned(),
                    path: path.to_string(),
                },
                None => Diagnostic::NonBooleanRuleResult {
                    value: value.to_string(),
                    path: path.to_string(),
                },
            };
            self.diagnose(diagnostic);
        }
        outcome
    }

    /// Step 5: `true` when the location gate passes.
    fn location_gate(&mut self, experience: &Experience, location: LocationAttributes<'_>) -> bool {
        let properties = match location {
            LocationAttributes::Ignore => return true,
            LocationAttributes::Absent => return false,
            LocationAttributes::Properties(properties) => RuleData::Object(properties),
        };
        if js::array_not_empty(experience.locations.as_ref()) {
            let locations = self.config.locations_by_ids(experience.locations.as_ref());
            if locations.is_empty() {
                return false;
            }
            let mut matched = 0usize;
            let mut rule_error = false;
            for location in locations {
                let Some(rules) = location
                    .rules
                    .as_ref()
                    .filter(|r| js::truthy(Some(r.value())))
                else {
                    continue;
                };
                let path = EntityRules("locations", location.id.as_ref());
                match self.evaluate(rules, properties, &path) {
                    RuleOutcome::Matched => matched += 1,
                    RuleOutcome::NotMatched | RuleOutcome::Threw(_) => {}
                    outcome @ RuleOutcome::Value(_) => {
                        // Any result other than `false` is collected; a
                        // RuleError among them is returned by the SDK.
                        rule_error |= outcome.rule_error().is_some();
                        matched += 1;
                    }
                }
            }
            return !rule_error && matched > 0;
        }
        if let Some(site_area) = experience
            .site_area
            .as_ref()
            .filter(|s| js::truthy(Some(s.value())))
        {
            let outcome = self.evaluate(site_area, properties, &"site_area");
            return outcome.rule_error().is_none() && outcome.is_truthy();
        }
        true
    }

    /// Step 6: `Some(true)` when the audience gate passes, `None` when an
    /// audience evaluated to a `RuleError` (the SDK returns it at once).
    /// The audience rules see the visitor's merged properties, through
    /// [`Visitor::properties_view`].
    fn audience_gate(
        &mut self,
        experience: &Experience,
        visitor: &Visitor,
        call_properties: Option<&Map<String, Value>>,
        is_bucketed: bool,
    ) -> Option<bool> {
        if !js::array_not_empty(experience.audiences.as_ref()) {
            return Some(true);
        }
        let to_check = self
            .config
            .audiences_with_ids(experience.audiences.as_ref())
            .filter(|audience| {
                !(is_bucketed
                    && crate::mutant!("sticky.permanent-audience", audience.is_permanent(), false))
            });
        let mut checked = 0usize;
        let mut matched = 0usize;
        let mut rule_error = false;
        let properties = RuleData::Properties(visitor.properties_view(call_properties));
        for audience in to_check {
            checked += 1;
            let Some(rules) = audience
                .rules
                .as_ref()
                .filter(|r| js::truthy(Some(r.value())))
            else {
                continue;
            };
            let path = EntityRules("audiences", audience.id.as_ref());
            if let Some(exclusion) = ExclusionRule::find(rules.value()) {
                matched += usize::from(self.exclusion_matches(&exclusion, visitor, &path));
                continue;
            }
            match self.evaluate(rules, properties, &path) {
                RuleOutcome::Matched => matched += 1,
                RuleOutcome::NotMatched | RuleOutcome::Threw(_) => {}
                outcome @ RuleOutcome::Value(_) => {
                    rule_error |= outcome.rule_error().is_some();
                    matched += 1;
                }
            }
        }
        if checked == 0 {
            return Some(true);
        }
        if rule_error {
            return None;
        }
        Some(match experience.audience_matching() {
            AudienceMatching::All => {
                crate::mutant!("experience.audience-all", matched == checked, matched > 0)
            }
            AudienceMatching::Any => matched > 0,
            AudienceMatching::Missing => {
                self.diagnose(Diagnostic::JsWouldThrow {
                    site: JsThrowSite::MatchingOptionsMissing,
                    path: "settings.matching_options".into(),
                });
                matched > 0
            }
        })
    }

    /// Mutual exclusion: whether the visitor's stored decisions satisfy the
    /// audience's `bucketed_into_experience_key` rule.
    fn exclusion_matches(
        &mut self,
        rule: &ExclusionRule<'_>,
        visitor: &Visitor,
        path: &dyn fmt::Display,
    ) -> bool {
        let key = js::to_string(rule.value);
        let bucketed = match self.config.experience_by_key(&key) {
            Some(target) => target
                .id_string()
                .is_some_and(|id| visitor.state().stored_variation(&id).is_some()),
            None => {
                self.diagnose(Diagnostic::UnknownExclusionTarget {
                    key: key.into_owned(),
                    path: path.to_string(),
                });
                false
            }
        };
        crate::mutant!("exclusion.negation", bucketed != rule.negated, bucketed)
    }

    /// Step 7: `true` when the segment gate passes.
    fn segment_gate(&mut self, experience: &Experience, visitor: &Visitor) -> bool {
        let segments = self.config.segments_by_ids(experience.audiences.as_ref());
        if segments.is_empty() {
            return true;
        }
        let stored = visitor.state().custom_segments();
        let contains = |id: &Value| -> Option<bool> {
            match stored {
                None => Some(false),
                Some(Value::Array(ids)) => {
                    Some(ids.iter().any(|s| js::same_value_zero(Some(s), Some(id))))
                }
                // String.prototype.includes: a substring test on String(id).
                Some(Value::String(s)) => Some(s.contains(js::to_string(Some(id)).as_ref())),
                Some(_) => None,
            }
        };
        let mut matched = false;
        for segment in segments {
            let Some(id) = segment.id.as_ref().filter(|id| js::truthy(Some(id))) else {
                continue;
            };
            match contains(id) {
                Some(found) => matched |= found,
                None => {
                    self.diagnose(Diagnostic::JsWouldThrow {
                        site: JsThrowSite::CustomSegmentsNotList,
                        path: "visitor.segments.customSegments".into(),
                    });
                    return false;
                }
            }
        }
        matched
    }

    /// Step 10: `retrieveVariation(experience.id, selected)` — the first
    /// experience whose `String(id)` equals this one's, then its first
    /// variation whose `id === selected`.
    fn lookup_variation(
        &mut self,
        experience: &Experience,
        selected: &str,
    ) -> Option<SelectedVariation> {
        let id = js::to_string(experience.id.as_ref());
        let owner = self.config.experience_by_id(&id)?;
        let variations = match &owner.variations {
            Variations::List(items) => items,
            _ => {
                self.diagnose(Diagnostic::JsWouldThrow {
                    site: JsThrowSite::VariationLookup,
                    path: "variations".into(),
                });
                return None;
            }
        };
        for (index, variation) in variations.iter().enumerate() {
            if variation.raw.is_null() {
                self.diagnose(Diagnostic::JsWouldThrow {
                    site: JsThrowSite::VariationLookup,
                    path: format!("variations[{index}]"),
                });
                return None;
            }
            if matches!(&variation.id, Some(Value::String(s)) if s == selected) {
                return Some(SelectedVariation {
                    id: selected.to_owned(),
                    key: variation.key.clone(),
                    raw: Arc::clone(&variation.raw),
                });
            }
        }
        None
    }
}

/// The diagnostic path of an entity's rules: `audiences[id=…].rules`,
/// formatted only when a diagnostic is written.
struct EntityRules<'a>(&'static str, Option<&'a Value>);

impl fmt::Display for EntityRules<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[id={}].rules", self.0, js::to_string(self.1))
    }
}

/// The rule type of mutual exclusion.
pub const EXCLUSION_RULE_TYPE: &str = "bucketed_into_experience_key";

/// An audience's mutual-exclusion rule: the first `OR_WHEN` item (walking
/// `OR[].AND[].OR_WHEN[]`) whose `rule_type` is
/// [`EXCLUSION_RULE_TYPE`]. When an audience has one, it alone decides the
/// audience (`exclusion.rule`).
#[derive(Clone, Copy, Debug, PartialEq)]
struct ExclusionRule<'r> {
    /// `value`: the target experience's key.
    value: Option<&'r Value>,
    /// `matching.negated`: match visitors *not* bucketed into the target.
    negated: bool,
}

impl<'r> ExclusionRule<'r> {
    fn find(rules: &'r Value) -> Option<ExclusionRule<'r>> {
        let items = |value: Option<&'r Value>, name: &str| -> &'r [Value] {
            match js::get(value, name) {
                Some(Value::Array(items)) => items,
                _ => &[],
            }
        };
        items(Some(rules), "OR")
            .iter()
            .flat_map(|or| items(Some(or), "AND"))
            .flat_map(|and| items(Some(and), "OR_WHEN"))
            .find(|item| {
                matches!(js::get(Some(item), "rule_type"), Some(Value::String(t)) if t == EXCLUSION_RULE_TYPE)
            })
            .map(|item| ExclusionRule {
                value: js::get(Some(item), "value"),
                negated: js::truthy(js::get(js::get(Some(item), "matching"), "negated")),
            })
    }
}

/// Runs the experience `key` for `visitor` under `settings`.
pub fn run_experience(
    settings: &Settings,
    config: &ProjectConfig,
    visitor: &Visitor,
    key: &str,
    options: &RunOptions<'_>,
) -> Decision {
    let mut run = Run {
        config,
        settings,
        rules: RuleEvaluator::with_patterns(settings.rules, Arc::clone(config.patterns())),
        decision: Decision::new(Reason::Resolved),
    };
    // 1. Context.runExperience: no visitor id.
    if visitor.id().is_empty() {
        return run.finish(Reason::VisitorIdMissing);
    }
    // Preview: the previewed experience shows the previewed variation,
    // whatever its gates, status or traffic (`preview.decision`).
    let active_preview = crate::mutant!(
        "preview.ignored",
        options.preview.and_then(|preview| preview.resolve(config)),
        None
    );
    if let Some((previewed, variation)) = active_preview
        && js::to_string(previewed.key.as_ref()) == key
    {
        run.decision.experience_id = previewed.id_string();
        run.decision.experience_key.clone_from(&previewed.key);
        run.decision.source = Some(DecisionSource::Preview);
        run.decision.variation = Some(SelectedVariation {
            id: js::to_string(variation.id.as_ref()).into_owned(),
            key: variation.key.clone(),
            raw: Arc::clone(&variation.raw),
        });
        return run.finish(Reason::Resolved);
    }
    // 2. Lookup by key.
    let Some(experience) = config.experience_by_key(key) else {
        return run.finish(Reason::ExperienceNotFound);
    };
    let experience_id = experience.id_string();
    run.decision.experience_id.clone_from(&experience_id);
    run.decision.experience_key.clone_from(&experience.key);
    // 3. Archived: the first String-equal archived id, if truthy.
    match &config.archived_experiences {
        ArchivedExperiences::List(ids) => {
            let id = js::to_string(experience.id.as_ref());
            let archived = ids
                .iter()
                .find(|archived| js::to_string(Some(archived)) == id)
                .is_some_and(|archived| js::truthy(Some(archived)));
            if crate::mutant!("experience.archived", archived, false) {
                return run.finish(Reason::ExperienceArchived);
            }
        }
        ArchivedExperiences::NotAList(_) => run.diagnose(Diagnostic::JsWouldThrow {
            site: JsThrowSite::ArchivedNotArray,
            path: "archived_experiences".into(),
        }),
    }
    // 4. Environment.
    let environment = options
        .environment
        .filter(|e| !e.is_empty())
        .unwrap_or(&run.settings.environment);
    if crate::mutant!(
        "experience.environment",
        !experience.runs_in(environment),
        false
    ) {
        return run.finish(Reason::EnvironmentMismatch);
    }
    // Sticky pre-check (`experience.id.toString()` throws on a nullish id):
    // a stored variation that still exists makes the visitor "bucketed".
    if experience_id.is_none() {
        run.diagnose(Diagnostic::JsWouldThrow {
            site: JsThrowSite::ExperienceIdNullish,
            path: "id".into(),
        });
    }
    let stored = experience_id
        .as_deref()
        .and_then(|id| {
            crate::mutant!(
                "sticky.stored-ignored",
                visitor.state().stored_variation(id),
                None
            )
        })
        .map(|v| js::to_string(Some(v)).into_owned())
        .and_then(|id| run.lookup_variation(experience, &id).map(|v| (id, v)));
    let is_bucketed = stored.is_some();
    // 5. Locations / site_area.
    let location = crate::mutant!(
        "experience.location-absent",
        options.location,
        match options.location {
            LocationAttributes::Absent => LocationAttributes::Ignore,
            given => given,
        }
    );
    if !run.location_gate(experience, location) {
        return run.finish(Reason::LocationMismatch);
    }
    // 6. Audiences, 7. segments.
    let Some(audiences_matched) =
        run.audience_gate(experience, visitor, options.visitor_properties, is_bucketed)
    else {
        return run.finish(Reason::AudienceMismatch);
    };
    let segments_matched = run.segment_gate(experience, visitor);
    if !audiences_matched {
        return run.finish(Reason::AudienceMismatch);
    }
    if crate::mutant!("experience.segment-gate", !segments_matched, false) {
        return run.finish(Reason::SegmentMismatch);
    }
    // 8. Variations.
    if !experience.variations.is_present_and_non_empty() {
        return run.finish(Reason::NoVariations);
    }
    if let Variations::NotAList(_) = experience.variations {
        run.diagnose(Diagnostic::JsWouldThrow {
            site: JsThrowSite::VariationsNotArray,
            path: "variations".into(),
        });
        return run.finish(Reason::NoVariations);
    }
    // _retrieveBucketing: a falsy id returns null.
    let Some(experience_id) = experience_id.filter(|_| js::truthy(experience.id.as_ref())) else {
        return run.finish(Reason::VariationNotFound);
    };
    // A forced variation that exists is the candidate; a stored decision
    // wins unless the forced one differs from it (`sticky.force`).
    let forced = crate::mutant!("forced.ignored", options.force_variation_id, None)
        .filter(|id| !id.is_empty() && run.lookup_variation(experience, id).is_some());
    if let Some((stored_id, variation)) = stored
        && forced.is_none_or(|id| id == stored_id)
    {
        run.decision.source = Some(DecisionSource::Stored);
        run.decision.variation = Some(variation);
        return run.finish(Reason::Resolved);
    }
    // 9. Bucketing (also when forced: the bucket value is computed anyway),
    // in the experience's bands (built once per config).
    let bands = experience.bands();
    let value = run
        .settings
        .bucketing
        .bucket_value(&experience_id, visitor.id());
    run.decision.bucket_value = Some(value);
    run.decision.layout = Some(bands.layout());
    let selected = match forced {
        Some(id) => id,
        None => match bands.select(value) {
            Some(selected) => selected,
            None => return run.finish(Reason::VariationNotDecided),
        },
    };
    run.decision.source = Some(DecisionSource::Fresh);
    if crate::mutant!("preview.stores", active_preview.is_none(), true) {
        run.decision.store = Some(StoredDecision {
            experience_id,
            variation_id: selected.to_owned(),
        });
    }
    // 10. Variation lookup.
    match run.lookup_variation(experience, selected) {
        Some(variation) => {
            run.decision.variation = Some(variation);
            run.finish(Reason::Resolved)
        }
        None => run.finish(Reason::VariationNotFound),
    }
}

/// Every experience of the config, in config order, run by its key
/// (`String(key)`) for `visitor`, each decision stored before the next runs
/// (`experiences.storage`). Returns every decision, resolved or not (an SDK
/// tracks the fresh ones).
pub fn decide_all(
    settings: &Settings,
    config: &ProjectConfig,
    visitor: &mut Visitor,
    options: &RunOptions<'_>,
) -> Vec<Decision> {
    config
        .experiences
        .iter()
        .map(|experience| {
            let key = js::to_string(experience.key.as_ref());
            let decision = run_experience(settings, config, visitor, &key, options);
            visitor.remember(&decision);
            decision
        })
        .collect()
}

/// `run_experiences`: [`decide_all`], keeping the resolved decisions.
pub fn run_experiences(
    settings: &Settings,
    config: &ProjectConfig,
    visitor: &mut Visitor,
    options: &RunOptions<'_>,
) -> Vec<Decision> {
    decide_all(settings, config, visitor, options)
        .into_iter()
        .filter(|d| d.variation.is_some())
        .collect()
}
