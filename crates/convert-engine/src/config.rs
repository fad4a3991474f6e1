//! A lenient, typed view of a project config (`ConfigResponseData`).
//!
//! The JavaScript SDK does not validate the config: it reads fields where it
//! needs them and applies JavaScript coercions (ids compared through
//! `String()`, variation ids with `===`, `Number(version)`, string traffic
//! allocations, …). This model therefore keeps every field the evaluation
//! reads as the raw JSON value (`None` when absent, which JavaScript sees as
//! `undefined`) and offers the coercions as methods, so behaviour stays
//! identical for odd but tolerated configs.
//!
//! Reading never fails for an object root. Shapes the SDK would ignore or
//! trip over (an entity list that is not an array, a `null` entity) are kept
//! as [`ProjectConfig::issues`], each naming the JSON path, so that a strict
//! validation layer can be added on top without changing the model.
//!
//! Sources: `packages/types/src/config/types.gen.ts` and the lookups in
//! `packages/data/src/data-manager.ts` (`getEntitiesList`,
//! `_getEntityByField`, `getItemsByIds`, `getSubItem`).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use foldhash::fast::RandomState;
use serde_json::{Map, Value};

use crate::bucketing::{Arm, Bands, Layout};
use crate::diagnostics::Diagnostic;
use crate::js;
use crate::rule::{Patterns, RuleSet};

/// A value derived from the rest of its struct, computed on first use and
/// kept (an experience's bucket bands, a config's compiled patterns and
/// lookup index). It never takes part in equality: two configs with equal
/// data are equal whether or not their derived values were computed yet.
///
/// Derived values assume the struct is not changed after it was first
/// evaluated against; read a new config instead of editing one in place.
#[derive(Clone)]
pub struct Derived<T>(OnceLock<T>);

impl<T> Default for Derived<T> {
    fn default() -> Self {
        Derived(OnceLock::new())
    }
}

impl<T> Derived<T> {
    fn get_or_init(&self, init: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(init)
    }
}

impl<T> PartialEq for Derived<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> std::fmt::Debug for Derived<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "Derived(computed)"
        } else {
            "Derived(pending)"
        })
    }
}

/// A config that cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The text is not JSON.
    #[error("the project config is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The root is not a JSON object.
    #[error("the project config must be a JSON object, found {found}")]
    NotAnObject {
        /// The JSON type found (`"array"`, `"string"`, …).
        found: &'static str,
    },
    /// The config nests arrays and objects deeper than the engine accepts
    /// (`docs/robustness.md`).
    #[error("the project config nests arrays and objects more than {limit} levels deep")]
    TooDeep {
        /// The limit, [`crate::limits::MAX_DEPTH`].
        limit: usize,
    },
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn field(map: &Map<String, Value>, name: &str) -> Option<Value> {
    js::lookup(map, name).cloned()
}

/// The project config, as the evaluation reads it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProjectConfig {
    /// `account_id`.
    pub account_id: Option<Value>,
    /// `project.id`.
    pub project_id: Option<Value>,
    /// `experiences[]`, in config order (falsy entries, which no lookup can
    /// find, are left out).
    pub experiences: Vec<Experience>,
    /// `audiences[]` (object entries only: no id lookup can find another).
    pub audiences: Vec<Audience>,
    /// `segments[]` (object entries only).
    pub segments: Vec<Segment>,
    /// `locations[]` (object entries only).
    pub locations: Vec<Location>,
    /// `archived_experiences`.
    pub archived_experiences: ArchivedExperiences,
    /// What was read leniently ([`Diagnostic::ConfigShape`]).
    pub issues: Vec<Diagnostic>,
    /// The config object as given: entity lookups ([`ProjectConfig::entities`])
    /// and features read it directly.
    pub raw: Map<String, Value>,
    /// The `regexMatches` patterns of every rule, compiled on first use.
    patterns: Derived<Arc<Patterns>>,
    /// Experience positions by `String(key)` and `String(id)` (first
    /// occurrence), built on first use.
    index: Derived<ExperienceIndex>,
}

/// Where the first experience with a given `String(key)` / `String(id)` is.
#[derive(Clone, Debug, Default)]
struct ExperienceIndex {
    /// `experiences.len()` when the index was built (a changed list is
    /// searched linearly instead).
    len: usize,
    /// foldhash, seeded per process: a decision looks up its experience by
    /// key and by id, and SipHash was most of each lookup.
    by_key: HashMap<String, usize, RandomState>,
    by_id: HashMap<String, usize, RandomState>,
}

impl ExperienceIndex {
    fn build(experiences: &[Experience]) -> ExperienceIndex {
        let mut index = ExperienceIndex {
            len: experiences.len(),
            ..ExperienceIndex::default()
        };
        for (position, experience) in experiences.iter().enumerate() {
            let key = js::to_string(experience.key.as_ref()).into_owned();
            index.by_key.entry(key).or_insert(position);
            let id = js::to_string(experience.id.as_ref()).into_owned();
            index.by_id.entry(id).or_insert(position);
        }
        index
    }
}

/// The entity types the SDK's lookups serve (`DATA_ENTITIES`); any other
/// name finds nothing.
pub const ENTITY_TYPES: &[&str] = &[
    "events",
    "goals",
    "audiences",
    "locations",
    "segments",
    "experiences",
    "archived_experiences",
    "experiences.variations",
    "features",
    "features.variables",
];

/// The singular names the lookups also accept (`DATA_ENTITIES_MAP`).
pub const ENTITY_TYPE_ALIASES: &[(&str, &str)] = &[
    ("goal", "goals"),
    ("audience", "audiences"),
    ("location", "locations"),
    ("segment", "segments"),
    ("experience", "experiences"),
    ("variation", "experiences.variations"),
    ("feature", "features"),
];

/// `archived_experiences`: a list of experience ids (compared through
/// `String()`), or a truthy non-list on which the SDK would throw.
#[derive(Clone, Debug, PartialEq)]
pub enum ArchivedExperiences {
    /// A list (absent and falsy values read as an empty list).
    List(Vec<Value>),
    /// A truthy value that is not an array.
    NotAList(Value),
}

impl Default for ArchivedExperiences {
    fn default() -> Self {
        ArchivedExperiences::List(Vec::new())
    }
}

impl ProjectConfig {
    /// Parses config JSON text.
    pub fn from_json_str(text: &str) -> Result<ProjectConfig, ConfigError> {
        let value: Value = serde_json::from_str(text)?;
        ProjectConfig::from_json(value)
    }

    /// Reads a config value. Fails only when the root is not an object (or
    /// is nested deeper than [`crate::limits::MAX_DEPTH`]).
    pub fn from_value(value: &Value) -> Result<ProjectConfig, ConfigError> {
        let mut config = ProjectConfig::read_fields(value)?;
        if let Value::Object(root) = value {
            config.raw = root.clone();
        }
        Ok(config)
    }

    /// [`ProjectConfig::from_value`] for a value it may keep: the value
    /// becomes [`ProjectConfig::raw`] instead of being copied into it. A
    /// value refused for its depth is dropped without recursion.
    pub fn from_json(value: Value) -> Result<ProjectConfig, ConfigError> {
        match ProjectConfig::read_fields(&value) {
            Ok(mut config) => {
                if let Value::Object(root) = value {
                    config.raw = root;
                }
                Ok(config)
            }
            Err(err) => {
                crate::limits::dismantle(value);
                Err(err)
            }
        }
    }

    /// Everything [`ProjectConfig::from_value`] reads, but `raw` (left
    /// empty).
    fn read_fields(value: &Value) -> Result<ProjectConfig, ConfigError> {
        let Value::Object(root) = value else {
            return Err(ConfigError::NotAnObject {
                found: json_type(value),
            });
        };
        if crate::limits::exceeds_depth(value, crate::limits::MAX_DEPTH) {
            return Err(ConfigError::TooDeep {
                limit: crate::limits::MAX_DEPTH,
            });
        }
        let mut issues = Vec::new();
        let experiences = entity_list(root, "experiences", &mut issues)
            .into_iter()
            .filter(|(_, v)| js::truthy(Some(v)))
            .map(|(path, v)| Experience::read(v, &path, &mut issues))
            .collect();
        let audiences = object_entities(root, "audiences", &mut issues)
            .map(Audience::read)
            .collect();
        let segments = object_entities(root, "segments", &mut issues)
            .map(Segment::read)
            .collect();
        let locations = object_entities(root, "locations", &mut issues)
            .map(Location::read)
            .collect();
        let archived_experiences = match js::lookup(root, "archived_experiences") {
            Some(Value::Array(ids)) => ArchivedExperiences::List(ids.clone()),
            Some(other) if js::truthy(Some(other)) => {
                issues.push(Diagnostic::ConfigShape {
                    path: "archived_experiences".into(),
                    message: format!(
                        "expected an array of experience ids, found {}",
                        json_type(other)
                    ),
                });
                ArchivedExperiences::NotAList(other.clone())
            }
            _ => ArchivedExperiences::default(),
        };
        Ok(ProjectConfig {
            account_id: field(root, "account_id"),
            project_id: js::get(js::lookup(root, "project"), "id").cloned(),
            experiences,
            audiences,
            segments,
            locations,
            archived_experiences,
            issues,
            raw: Map::new(),
            patterns: Derived::default(),
            index: Derived::default(),
        })
    }

    /// The patterns of every `regexMatches` rule item in the config's rule
    /// sets — experiences' `site_area`s, the rules of audiences, segments,
    /// locations and goals (see [`Patterns::collect`]) — each compiled on
    /// first use and shared by the decisions made against the config. The
    /// rest of the config (variations, features, …) holds no rules and is
    /// not walked; a pattern found nowhere here is compiled by the
    /// evaluator that meets it.
    pub fn patterns(&self) -> &Arc<Patterns> {
        self.patterns.get_or_init(|| {
            let goals = match js::lookup(&self.raw, "goals") {
                Some(Value::Array(goals)) => goals.as_slice(),
                _ => &[],
            };
            let rule_sets = self
                .experiences
                .iter()
                .filter_map(|e| e.site_area.as_ref())
                .chain(self.audiences.iter().filter_map(|a| a.rules.as_ref()))
                .chain(self.segments.iter().filter_map(|s| s.rules.as_ref()))
                .chain(self.locations.iter().filter_map(|l| l.rules.as_ref()))
                .map(RuleSet::value)
                .chain(goals.iter().filter_map(|g| js::get(Some(g), "rules")));
            Arc::new(Patterns::collect(rule_sets))
        })
    }

    fn experience_index(&self) -> Option<&ExperienceIndex> {
        let index = self
            .index
            .get_or_init(|| ExperienceIndex::build(&self.experiences));
        (index.len == self.experiences.len()).then_some(index)
    }

    /// `getEntitiesList(entity_type)`: the singular aliases map to their
    /// list; a type outside [`ENTITY_TYPES`] finds nothing; a dotted type
    /// reads a path (`"experiences.variations"` finds nothing, as the list
    /// has no such property); a list that is not an array finds nothing.
    pub fn entities(&self, entity_type: &str) -> &[Value] {
        let mapped = ENTITY_TYPE_ALIASES
            .iter()
            .find(|(alias, _)| *alias == entity_type)
            .map_or(entity_type, |(_, list)| list);
        if !ENTITY_TYPES.contains(&mapped) {
            return &[];
        }
        let mut path = mapped.split('.');
        let first = path.next().and_then(|name| js::lookup(&self.raw, name));
        match path.fold(first, |value, name| js::get(value, name)) {
            Some(Value::Array(items)) => items,
            _ => &[],
        }
    }

    /// `_getEntityByField(identity, entity_type, field)`: the first truthy
    /// entity whose `String(entity[field])` is `identity`.
    pub fn entity_by_field(
        &self,
        entity_type: &str,
        field: &str,
        identity: &str,
    ) -> Option<&Value> {
        self.entities(entity_type).iter().find(|entity| {
            js::truthy(Some(entity)) && js::to_string(js::get(Some(entity), field)) == identity
        })
    }

    /// `getItemsByKeys(keys, entity_type)`: the entities whose `key` is a
    /// string `===` to one of `keys`, in config order.
    pub fn entities_by_keys(&self, entity_type: &str, keys: &[String]) -> Vec<&Value> {
        self.entities(entity_type)
            .iter()
            .filter(|entity| {
                matches!(js::get(Some(entity), "key"), Some(Value::String(k)) if keys.contains(k))
            })
            .collect()
    }

    /// `getConfigEntity(key, entity_type)`: for `"variation"`, the first
    /// variation (across experiences, by `key ===`) of any experience;
    /// otherwise [`ProjectConfig::entity_by_field`] on `key`.
    pub fn config_entity(&self, entity_type: &str, key: &str) -> Option<&Value> {
        if entity_type == "variation" {
            return self.variation_by_field("key", key);
        }
        self.entity_by_field(entity_type, "key", key)
    }

    /// `getConfigEntityById(id, entity_type)`, as [`ProjectConfig::config_entity`]
    /// with ids.
    pub fn config_entity_by_id(&self, entity_type: &str, id: &str) -> Option<&Value> {
        if entity_type == "variation" {
            return self.variation_by_field("id", id);
        }
        self.entity_by_field(entity_type, "id", id)
    }

    fn variation_by_field(&self, field: &str, identity: &str) -> Option<&Value> {
        self.entities("experiences").iter().find_map(|experience| {
            // getSubItem looks the experience up again by the same field.
            let owner = self.entity_by_field(
                "experiences",
                field,
                &js::to_string(js::get(Some(experience), field)),
            )?;
            match js::get(Some(owner), "variations") {
                Some(Value::Array(variations)) => variations.iter().find(
                    |v| matches!(js::get(Some(v), field), Some(Value::String(s)) if s == identity),
                ),
                _ => None,
            }
        })
    }

    /// The first experience whose `String(key)` is `key` (`getEntity`). An
    /// experience without a key is found by `"undefined"`, as in JavaScript.
    pub fn experience_by_key(&self, key: &str) -> Option<&Experience> {
        match self.experience_index() {
            Some(index) => index.by_key.get(key).and_then(|&i| self.experiences.get(i)),
            None => self
                .experiences
                .iter()
                .find(|e| js::to_string(e.key.as_ref()) == key),
        }
    }

    /// The first experience whose `String(id)` is `id` (`getEntityById`).
    pub fn experience_by_id(&self, id: &str) -> Option<&Experience> {
        match self.experience_index() {
            Some(index) => index.by_id.get(id).and_then(|&i| self.experiences.get(i)),
            None => self
                .experiences
                .iter()
                .find(|e| js::to_string(e.id.as_ref()) == id),
        }
    }

    /// `getItemsByIds(ids, 'audiences')`: the audiences whose `id` is `===` to
    /// an element of `ids`, in **config** order. Nothing unless `ids` is a
    /// non-empty array.
    pub fn audiences_by_ids(&self, ids: Option<&Value>) -> Vec<&Audience> {
        items_by_ids(&self.audiences, ids, |a| a.id.as_ref())
    }

    /// [`ProjectConfig::audiences_by_ids`], one by one (nothing collected).
    pub fn audiences_with_ids<'c>(
        &'c self,
        ids: Option<&'c Value>,
    ) -> impl Iterator<Item = &'c Audience> {
        items_with_ids(&self.audiences, ids, |a| a.id.as_ref())
    }

    /// `getItemsByIds(ids, 'segments')`.
    pub fn segments_by_ids(&self, ids: Option<&Value>) -> Vec<&Segment> {
        items_by_ids(&self.segments, ids, |s| s.id.as_ref())
    }

    /// `getItemsByIds(ids, 'locations')`.
    pub fn locations_by_ids(&self, ids: Option<&Value>) -> Vec<&Location> {
        items_by_ids(&self.locations, ids, |l| l.id.as_ref())
    }
}

/// Entries of a top-level entity list with their JSON paths. The SDK reads
/// `data[name] || []`; a truthy non-array finds nothing.
fn entity_list<'v>(
    root: &'v Map<String, Value>,
    name: &str,
    issues: &mut Vec<Diagnostic>,
) -> Vec<(String, &'v Value)> {
    match js::lookup(root, name) {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("{name}[{i}]"), v))
            .collect(),
        Some(other) if js::truthy(Some(other)) => {
            issues.push(Diagnostic::ConfigShape {
                path: name.to_owned(),
                message: format!(
                    "expected an array, found {}; read as empty",
                    json_type(other)
                ),
            });
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn object_entities<'v>(
    root: &'v Map<String, Value>,
    name: &str,
    issues: &mut Vec<Diagnostic>,
) -> impl Iterator<Item = &'v Map<String, Value>> {
    let mut objects = Vec::new();
    for (path, value) in entity_list(root, name, issues) {
        match value {
            Value::Object(map) => objects.push(map),
            other => issues.push(Diagnostic::ConfigShape {
                path,
                message: format!("expected an object, found {}; ignored", json_type(other)),
            }),
        }
    }
    objects.into_iter()
}

fn items_by_ids<'c, T>(
    items: &'c [T],
    ids: Option<&Value>,
    id: fn(&T) -> Option<&Value>,
) -> Vec<&'c T> {
    items_with_ids(items, ids, id).collect()
}

/// The items whose id is `===` to an element of `ids`, in `items` order:
/// none unless `ids` is an array.
fn items_with_ids<'c, T>(
    items: &'c [T],
    ids: Option<&Value>,
    id: fn(&T) -> Option<&Value>,
) -> impl Iterator<Item = &'c T> {
    let ids: &[Value] = match ids {
        Some(Value::Array(ids)) => ids,
        _ => &[],
    };
    let items = if ids.is_empty() { &[] } else { items };
    items.iter().filter(move |item| {
        ids.iter()
            .any(|wanted| js::strict_equals(Some(wanted), id(item)))
    })
}

/// `settings.matching_options.audiences` as the audience gate reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AudienceMatching {
    /// Exactly the string `"all"`: every checked audience must match.
    All,
    /// Anything else (`"any"`, absent, another value): one match suffices.
    Any,
    /// `settings` or `settings.matching_options` is `null`/absent: the SDK
    /// throws a `TypeError` when it checks audiences.
    Missing,
}

/// One experience (`ConfigExperience`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Experience {
    /// `id` (hashed as `id.toString()`, compared through `String()`).
    pub id: Option<Value>,
    /// `key` (the `run_experience` lookup key, compared through `String()`).
    pub key: Option<Value>,
    /// `name`.
    pub name: Option<Value>,
    /// `environment` (compared with `===` when truthy).
    pub environment: Option<Value>,
    /// `version` (`Number(version) > 11` selects the anchored layout).
    pub version: Option<Value>,
    /// `locations`: location ids (strict `===` against `locations[].id`).
    pub locations: Option<Value>,
    /// `site_area`: a rule set, used when `locations` is empty or absent.
    pub site_area: Option<RuleSet>,
    /// `audiences`: audience **and** segment ids.
    pub audiences: Option<Value>,
    /// `settings`.
    pub settings: Option<Value>,
    /// `variations`.
    pub variations: Variations,
    /// The bucket bands of `variations` under [`Experience::layout`], built
    /// on first use.
    bands: Derived<Bands>,
}

impl Experience {
    fn read(value: &Value, path: &str, issues: &mut Vec<Diagnostic>) -> Experience {
        let Value::Object(map) = value else {
            // A truthy primitive or array: every property reads undefined.
            issues.push(Diagnostic::ConfigShape {
                path: path.to_owned(),
                message: format!("expected an object, found {}", json_type(value)),
            });
            return Experience::default();
        };
        let variations = match js::lookup(map, "variations") {
            Some(Value::Array(items)) => Variations::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        if !v.is_object() {
                            issues.push(Diagnostic::ConfigShape {
                                path: format!("{path}.variations[{i}]"),
                                message: format!("expected an object, found {}", json_type(v)),
                            });
                        }
                        Variation::read(v)
                    })
                    .collect(),
            ),
            None => Variations::Absent,
            Some(other) => {
                issues.push(Diagnostic::ConfigShape {
                    path: format!("{path}.variations"),
                    message: format!("expected an array, found {}", json_type(other)),
                });
                Variations::NotAList(other.clone())
            }
        };
        Experience {
            id: field(map, "id"),
            key: field(map, "key"),
            name: field(map, "name"),
            environment: field(map, "environment"),
            version: field(map, "version"),
            locations: field(map, "locations"),
            site_area: field(map, "site_area").map(RuleSet::new),
            audiences: field(map, "audiences"),
            settings: field(map, "settings"),
            variations,
            bands: Derived::default(),
        }
    }

    /// The variations as bands of bucket values under [`Experience::layout`]
    /// (the packed map or the anchored ranges), built once per experience.
    pub fn bands(&self) -> &Bands {
        self.bands.get_or_init(|| {
            let arms: Vec<Arm<'_>> = self
                .variations
                .as_slice()
                .iter()
                .map(Variation::arm)
                .collect();
            Bands::build(self.layout(), &arms)
        })
    }

    /// `experience.id.toString()`: the hash prefix and store key. `None` when
    /// the id is `null` or absent (JavaScript throws there).
    pub fn id_string(&self) -> Option<String> {
        match &self.id {
            None | Some(Value::Null) => None,
            Some(id) => Some(js::to_string(Some(id)).into_owned()),
        }
    }

    /// The bucketing layout `version` selects.
    pub fn layout(&self) -> Layout {
        Layout::for_version(self.version.as_ref())
    }

    /// `settings.matching_options.audiences`.
    pub fn audience_matching(&self) -> AudienceMatching {
        let options = js::get(self.settings.as_ref(), "matching_options");
        if js::is_nullish(self.settings.as_ref()) || js::is_nullish(options) {
            return AudienceMatching::Missing;
        }
        match js::get(options, "audiences") {
            Some(Value::String(s)) if s == "all" => AudienceMatching::All,
            _ => AudienceMatching::Any,
        }
    }

    /// Whether `environment` lets the experience run in `environment`: a falsy
    /// `environment` always does; otherwise it must be the same string.
    pub fn runs_in(&self, environment: &str) -> bool {
        if !js::truthy(self.environment.as_ref()) {
            return true;
        }
        matches!(&self.environment, Some(Value::String(e)) if e == environment)
    }
}

/// `experience.variations`.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Variations {
    /// Absent.
    #[default]
    Absent,
    /// An array (each entry read as a [`Variation`], in config order).
    List(Vec<Variation>),
    /// Present but not an array (including `null`).
    NotAList(Value),
}

impl Variations {
    /// The entries (empty unless a list).
    pub fn as_slice(&self) -> &[Variation] {
        match self {
            Variations::List(items) => items,
            Variations::Absent | Variations::NotAList(_) => &[],
        }
    }

    /// `experience.variations && experience.variations.length`: whether the
    /// SDK goes on to bucket.
    pub fn is_present_and_non_empty(&self) -> bool {
        match self {
            Variations::Absent => false,
            Variations::List(items) => !items.is_empty(),
            Variations::NotAList(v) => {
                js::truthy(Some(v))
                    && match v {
                        Value::String(s) => !s.is_empty(),
                        other => js::truthy(js::get(Some(other), "length")),
                    }
            }
        }
    }
}

/// One variation (`ExperienceVariationConfig`), with the raw object kept for
/// what later stages read (`changes`, extra fields).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Variation {
    /// `id` (must be a JSON string to be found after bucketing).
    pub id: Option<Value>,
    /// `key`.
    pub key: Option<Value>,
    /// `name`.
    pub name: Option<Value>,
    /// `status` (`"running"`, `"stopped"`).
    pub status: Option<Value>,
    /// `traffic_allocation`, in percent.
    pub traffic_allocation: Option<Value>,
    /// The whole entry as it appears in the config (shared, not copied, by
    /// the decisions that select it).
    pub raw: Arc<Value>,
}

impl Variation {
    fn read(value: &Value) -> Variation {
        let get = |name: &str| {
            if value.is_object() {
                js::get(Some(value), name).cloned()
            } else {
                None
            }
        };
        Variation {
            id: get("id"),
            key: get("key"),
            name: get("name"),
            status: get("status"),
            traffic_allocation: get("traffic_allocation"),
            raw: Arc::new(value.clone()),
        }
    }

    /// The variation as the bucketing layouts see it.
    pub fn arm(&self) -> Arm<'_> {
        Arm {
            id: self.id.as_ref(),
            traffic_allocation: self.traffic_allocation.as_ref(),
            status: self.status.as_ref(),
        }
    }
}

/// One audience (`ConfigAudience`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Audience {
    /// `id`.
    pub id: Option<Value>,
    /// `key`.
    pub key: Option<Value>,
    /// `type`: `"permanent"` or `"transient"`.
    pub kind: Option<Value>,
    /// `rules`: a rule set (audiences with falsy rules never match).
    pub rules: Option<RuleSet>,
}

impl Audience {
    fn read(map: &Map<String, Value>) -> Audience {
        Audience {
            id: field(map, "id"),
            key: field(map, "key"),
            kind: field(map, "type"),
            rules: field(map, "rules").map(RuleSet::new),
        }
    }

    /// `type === 'permanent'`.
    pub fn is_permanent(&self) -> bool {
        matches!(&self.kind, Some(Value::String(s)) if s == "permanent")
    }
}

/// One segment (`ConfigSegment`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Segment {
    /// `id`.
    pub id: Option<Value>,
    /// `key`.
    pub key: Option<Value>,
    /// `rules`.
    pub rules: Option<RuleSet>,
}

impl Segment {
    fn read(map: &Map<String, Value>) -> Segment {
        Segment {
            id: field(map, "id"),
            key: field(map, "key"),
            rules: field(map, "rules").map(RuleSet::new),
        }
    }
}

/// One location (`ConfigLocation`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Location {
    /// `id`.
    pub id: Option<Value>,
    /// `key`.
    pub key: Option<Value>,
    /// `rules`: a rule set (locations with falsy rules never match).
    pub rules: Option<RuleSet>,
}

impl Location {
    fn read(map: &Map<String, Value>) -> Location {
        Location {
            id: field(map, "id"),
            key: field(map, "key"),
            rules: field(map, "rules").map(RuleSet::new),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patterns_are_collected_from_every_rule_set_and_nowhere_else() {
        let regex = |pattern: &str| {
            json!({"OR": [{"AND": [{"OR_WHEN": [{"rule_type": "url", "key": "url",
                "value": pattern, "matching": {"match_type": "regexMatches", "negated": false}}]}]}]})
        };
        let config = ProjectConfig::from_value(&json!({
            "experiences": [{"id": "1", "key": "e", "site_area": regex("^site")}],
            "audiences": [{"id": "2", "rules": regex("^audience")}],
            "segments": [{"id": "3", "rules": regex("^segment")}],
            "locations": [{"id": "4", "rules": regex("^location")}],
            "goals": [{"id": "5", "rules": regex("^goal")}, "not a goal"],
            // Not rule sets: never evaluated as rules.
            "features": [{"id": "6", "variables": [regex("^feature")]}],
            "project": {"id": "7", "rules": regex("^project")}
        }))
        .unwrap();
        let patterns = config.patterns();
        for found in ["^site", "^audience", "^segment", "^location", "^goal"] {
            assert!(patterns.get(found).is_some(), "{found}");
        }
        assert_eq!(patterns.len(), 5);
    }

    #[test]
    fn non_object_roots_are_errors() {
        assert!(matches!(
            ProjectConfig::from_value(&json!([])),
            Err(ConfigError::NotAnObject { found: "array" })
        ));
        assert!(matches!(
            ProjectConfig::from_json_str("{"),
            Err(ConfigError::Json(_))
        ));
        assert!(ProjectConfig::from_value(&json!({})).is_ok());
    }

    #[test]
    fn lookups_follow_js_comparisons() {
        let config = ProjectConfig::from_value(&json!({
            "experiences": [null, {"id": 7, "key": 123}, {"id": "8"}, {"id": "9", "key": "k"}],
            "audiences": [{"id": "1"}, {"id": 2}, null, {"id": "3"}]
        }))
        .unwrap();
        assert_eq!(config.experiences.len(), 3);
        assert_eq!(
            config.experience_by_key("123").and_then(|e| e.id.clone()),
            Some(json!(7))
        );
        assert_eq!(
            config
                .experience_by_key("undefined")
                .and_then(|e| e.id.clone()),
            Some(json!("8"))
        );
        assert_eq!(
            config.experience_by_id("7").and_then(|e| e.key.clone()),
            Some(json!(123))
        );
        // Strict id matching, config order.
        let ids = json!(["3", "2", "1"]);
        let found: Vec<_> = config
            .audiences_by_ids(Some(&ids))
            .iter()
            .map(|a| a.id.clone())
            .collect();
        assert_eq!(found, [Some(json!("1")), Some(json!("3"))]);
        assert!(config.audiences_by_ids(Some(&json!("1"))).is_empty());
        assert_eq!(config.issues.len(), 1, "{:?}", config.issues);
    }

    #[test]
    fn audience_matching_options() {
        let e = |settings: Value| Experience {
            settings: Some(settings),
            ..Experience::default()
        };
        assert_eq!(
            e(json!({"matching_options": {"audiences": "all"}})).audience_matching(),
            AudienceMatching::All
        );
        assert_eq!(
            e(json!({"matching_options": {"audiences": "ALL"}})).audience_matching(),
            AudienceMatching::Any
        );
        assert_eq!(
            e(json!({"matching_options": "x"})).audience_matching(),
            AudienceMatching::Any
        );
        assert_eq!(e(json!({})).audience_matching(), AudienceMatching::Missing);
        assert_eq!(
            e(json!(null)).audience_matching(),
            AudienceMatching::Missing
        );
        assert_eq!(e(json!("x")).audience_matching(), AudienceMatching::Missing);
        assert_eq!(
            Experience::default().audience_matching(),
            AudienceMatching::Missing
        );
    }

    #[test]
    fn environment_is_strict_when_truthy() {
        let e = |env: Option<Value>| Experience {
            environment: env,
            ..Experience::default()
        };
        assert!(e(None).runs_in("staging"));
        assert!(e(Some(json!(""))).runs_in("staging"));
        assert!(e(Some(json!("staging"))).runs_in("staging"));
        assert!(!e(Some(json!("Staging"))).runs_in("staging"));
        assert!(!e(Some(json!(5))).runs_in("5"));
    }

    #[test]
    fn variations_presence_follows_length_truthiness() {
        assert!(!Variations::Absent.is_present_and_non_empty());
        assert!(!Variations::List(vec![]).is_present_and_non_empty());
        assert!(Variations::NotAList(json!("abc")).is_present_and_non_empty());
        assert!(Variations::NotAList(json!({"length": 2})).is_present_and_non_empty());
        assert!(!Variations::NotAList(json!({"a": 1})).is_present_and_non_empty());
        assert!(!Variations::NotAList(json!(null)).is_present_and_non_empty());
    }
}

/// What is wrong with a config under the family's config contract
/// (`spec/config.md`, clause `config.contract`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at {path}")]
pub struct ContractViolation {
    /// The kind of fault.
    pub kind: ContractFault,
    /// A JSON path (`$`, `$.project.id`, `$.experiences`).
    pub path: String,
}

/// The kinds of [`ContractViolation`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContractFault {
    /// The config is not a JSON object.
    NotAnObject,
    /// A required field is absent, `null` or empty.
    MissingField,
    /// A field has the wrong JSON type.
    WrongType,
}

impl ContractFault {
    /// The contract's name for the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            ContractFault::NotAnObject => "not_an_object",
            ContractFault::MissingField => "missing_field",
            ContractFault::WrongType => "wrong_type",
        }
    }
}

impl std::fmt::Display for ContractFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The entity lists the contract checks, in the order it checks them.
pub const CONTRACT_LISTS: &[&str] = &["experiences", "features", "goals", "audiences", "segments"];

/// Checks `value` against the config contract, reporting the first fault in
/// the contract's order: the root is an object; `account_id` is present and
/// neither `null` nor `""`; `project` is present, not `null`, and an object;
/// `project.id` is present and neither `null` nor `""`; each of
/// [`CONTRACT_LISTS`], when present, is an array.
pub fn validate_contract(value: &Value) -> Result<(), ContractViolation> {
    let Value::Object(root) = value else {
        return Err(ContractViolation {
            kind: ContractFault::NotAnObject,
            path: "$".to_owned(),
        });
    };
    validate_contract_object(root)
}

/// [`validate_contract`] for a config given as its root object.
pub fn validate_contract_object(root: &Map<String, Value>) -> Result<(), ContractViolation> {
    let fault = |kind, path: &str| {
        Err(ContractViolation {
            kind,
            path: path.to_owned(),
        })
    };
    let missing = |v: Option<&Value>| match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => false,
    };
    if missing(root.get("account_id")) {
        return fault(ContractFault::MissingField, "$.account_id");
    }
    let project = match root.get("project") {
        None | Some(Value::Null) => return fault(ContractFault::MissingField, "$.project"),
        Some(Value::Object(project)) => project,
        Some(_) => return fault(ContractFault::WrongType, "$.project"),
    };
    if missing(project.get("id")) {
        return fault(ContractFault::MissingField, "$.project.id");
    }
    for list in CONTRACT_LISTS {
        if let Some(v) = root.get(*list)
            && !v.is_array()
        {
            return fault(ContractFault::WrongType, &format!("$.{list}"));
        }
    }
    Ok(())
}
