//! The visitor: id, attributes and stored state, as the JS SDK's `Context`
//! and its data store hold them.
//!
//! `createContext(visitorId, attributes)` splits the attributes: the *report
//! segment* keys ([`REPORT_SEGMENT_KEYS`]: `country`, `browser`, `devices`,
//! `source`, `campaign`, `visitorType`, `customSegments`) are written to the
//! visitor's stored segments, the others stay on the context. Each decision
//! then sees `deepMerge(storedSegments, deepMerge(contextProperties,
//! callProperties))` ([`Visitor::merged_properties`]), and the segment gate
//! reads the stored `customSegments`. So `customSegments` given as a visitor
//! attribute feeds the segment gate.
//!
//! Sources: `packages/js-sdk/src/context.ts` (constructor,
//! `getVisitorProperties`), `packages/segments/src/segments-manager.ts`
//! (`putSegments`), `packages/data/src/data-manager.ts`
//! (`filterReportSegments`, `putData`), `packages/utils/src/object-utils.ts`
//! (`objectDeepMerge`).

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::js;
use crate::record::RecordMap;

/// The attribute keys the SDK stores as report segments (`SegmentsKeys`).
pub const REPORT_SEGMENT_KEYS: &[&str] = &[
    "country",
    "browser",
    "devices",
    "source",
    "campaign",
    "visitorType",
    "customSegments",
];

/// Whether `key` is a report segment key.
pub fn is_report_segment_key(key: &str) -> bool {
    REPORT_SEGMENT_KEYS.contains(&key)
}

/// What the SDK stores per visitor (`StoreData`): the record sticky
/// bucketing, the segment gate, location activation and conversion
/// deduplication read.
///
/// The type is `#[non_exhaustive]` so that fields can be added without a
/// breaking change; build one with [`VisitorState::new`] and the `put_*`
/// methods, or read one from JSON with [`VisitorState::from_record`].
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct VisitorState {
    /// `segments`: report segments (and, via `updateVisitorProperties`, any
    /// other properties). The segment gate reads `segments.customSegments`.
    pub segments: RecordMap,
    /// `bucketing`: experience id → variation id, the sticky decisions.
    pub bucketing: RecordMap,
    /// `locations`: the keys of the locations the visitor is in.
    pub locations: Vec<String>,
    /// `goals`: goal key (as passed to `track_conversion`) → `true`, the
    /// goals already converted.
    pub goals: RecordMap,
}

impl VisitorState {
    /// An empty state (a visitor the SDK has not seen).
    pub fn new() -> VisitorState {
        VisitorState::default()
    }

    /// Reads a stored record (`{"bucketing": {…}, "segments": {…},
    /// "locations": […], "goals": {…}}`); fields of another shape are
    /// ignored.
    pub fn from_record(record: &Map<String, Value>) -> VisitorState {
        let object = |name: &str| match record.get(name) {
            Some(Value::Object(map)) => crate::limits::within_depth(map),
            _ => Map::new(),
        };
        let locations = match record.get("locations") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| js::to_string(Some(item)).into_owned())
                .collect(),
            _ => Vec::new(),
        };
        VisitorState {
            segments: object("segments").into(),
            bucketing: object("bucketing").into(),
            locations,
            goals: object("goals").into(),
        }
    }

    /// The record as JSON, in the SDK's field order.
    pub fn to_record(&self) -> Map<String, Value> {
        let mut record = Map::new();
        if !self.bucketing.is_empty() {
            record.insert("bucketing".into(), Value::Object(self.bucketing.to_map()));
        }
        if !self.locations.is_empty() {
            let locations = self.locations.iter().cloned().map(Value::String).collect();
            record.insert("locations".into(), Value::Array(locations));
        }
        if !self.segments.is_empty() {
            record.insert("segments".into(), Value::Object(self.segments.to_map()));
        }
        if !self.goals.is_empty() {
            record.insert("goals".into(), Value::Object(self.goals.to_map()));
        }
        record
    }

    /// `putData(visitorId, {segments})`: deep-merges `segments` into the
    /// stored segments.
    pub fn put_segments(&mut self, segments: &Map<String, Value>) {
        let bounded;
        let segments = if crate::limits::map_exceeds_depth(segments, crate::limits::MAX_DEPTH) {
            bounded = crate::limits::within_depth(segments);
            &bounded
        } else {
            segments
        };
        self.segments = if self.segments.is_empty() {
            // deepMerge({}, segments): the same entries in `Object.keys`
            // order, without `__proto__`.
            js::object_entries(segments)
                .filter(|(key, _)| *key != "__proto__")
                .map(|(key, value)| (key.to_owned(), value.clone()))
                .collect()
        } else {
            deep_merge_maps(&[&self.segments.to_map(), segments]).into()
        };
    }

    /// [`VisitorState::put_segments`] of segments the caller gives up: moved
    /// in, not copied, when nothing is stored yet and they need no
    /// reordering or bounding (as [`split_report_segments`] returns them).
    pub fn put_segments_owned(&mut self, segments: RecordMap) {
        if self.segments.is_empty() && is_plain(segments.iter(), crate::limits::MAX_DEPTH - 1) {
            self.segments = segments;
        } else {
            self.put_segments(&segments.into());
        }
    }

    /// `putData(visitorId, {bucketing: {[experienceId]: variationId}})`.
    pub fn put_bucketing(&mut self, experience_id: &str, variation_id: &str) {
        self.bucketing.insert(
            experience_id.to_owned(),
            Value::String(variation_id.to_owned()),
        );
    }

    /// [`VisitorState::put_bucketing`] of ids the caller gives up (no copy).
    pub fn put_bucketing_owned(&mut self, experience_id: String, variation_id: String) {
        self.bucketing
            .insert(experience_id, Value::String(variation_id));
    }

    /// `putData(visitorId, {goals: {[goalKey]: true}})`.
    pub fn put_goal(&mut self, goal_key: &str) {
        self.goals.insert(goal_key.to_owned(), Value::Bool(true));
    }

    /// Whether the goal key (as passed) was converted before: the stored
    /// flag is JS-truthy.
    pub fn goal_triggered(&self, goal_key: &str) -> bool {
        js::truthy(self.goals.get(goal_key))
    }

    /// The stored `segments.customSegments`, if any.
    pub fn custom_segments(&self) -> Option<&Value> {
        self.segments.get("customSegments")
    }

    /// The stored variation id for an experience id, when JS-truthy (the SDK
    /// reads `bucketing[experience.id.toString()]` and ignores a falsy one).
    pub fn stored_variation(&self, experience_id: &str) -> Option<&Value> {
        self.bucketing
            .get(experience_id)
            .filter(|v| js::truthy(Some(v)))
    }

    /// `getSegments`: the report segments of the stored segments, or `None`
    /// when there are none (what conversions are reported with).
    pub fn report_segments(&self) -> Option<Map<String, Value>> {
        let (segments, _) = split_report_segments(&self.segments.to_map());
        (!segments.is_empty()).then(|| segments.into())
    }
}

/// A visitor with the attributes their context was created with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Visitor {
    /// Shared with the context that holds it.
    id: Arc<str>,
    /// Shared with the context that holds them (a decision never changes
    /// them).
    properties: Arc<Map<String, Value>>,
    state: VisitorState,
}

impl Visitor {
    /// `createContext(id, attributes)` for a visitor with no stored state: the
    /// report segment keys go to the stored segments, the rest become the
    /// context's properties.
    pub fn new(id: impl Into<Arc<str>>, attributes: &Map<String, Value>) -> Visitor {
        Visitor::with_state(id, attributes, VisitorState::default())
    }

    /// `createContext(id, attributes)` for a visitor whose stored state is
    /// `state`.
    pub fn with_state(
        id: impl Into<Arc<str>>,
        attributes: &Map<String, Value>,
        mut state: VisitorState,
    ) -> Visitor {
        let (segments, properties) = split_report_segments(attributes);
        if !segments.is_empty() {
            state.put_segments_owned(segments);
        }
        Visitor::from_parts(id, Arc::new(properties), state)
    }

    /// A visitor from parts already split: `properties` are context
    /// properties (no report segment keys, which `state` holds), as a
    /// context keeps them after `createContext`.
    pub fn from_parts(
        id: impl Into<Arc<str>>,
        properties: Arc<Map<String, Value>>,
        state: VisitorState,
    ) -> Visitor {
        Visitor {
            id: id.into(),
            properties,
            state,
        }
    }

    /// The stored state, giving up the visitor (what an SDK saves after a
    /// call).
    pub fn into_state(self) -> VisitorState {
        self.state
    }

    /// The visitor id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The context's own (non-report) properties.
    pub fn properties(&self) -> &Map<String, Value> {
        &self.properties
    }

    /// The stored state.
    pub fn state(&self) -> &VisitorState {
        &self.state
    }

    /// The stored state, for updates.
    pub fn state_mut(&mut self) -> &mut VisitorState {
        &mut self.state
    }

    /// Applies what a decision stores (`putData(visitorId, {bucketing})`);
    /// returns whether anything was stored.
    pub fn remember(&mut self, decision: &crate::experience::Decision) -> bool {
        match &decision.store {
            Some(store) => {
                self.state
                    .put_bucketing(&store.experience_id, &store.variation_id);
                true
            }
            None => false,
        }
    }

    /// [`Visitor::remember`] for a decision's `store` that the caller gives
    /// up: the ids are moved into the record instead of copied.
    pub fn remember_owned(&mut self, store: crate::experience::StoredDecision) {
        self.state
            .put_bucketing_owned(store.experience_id, store.variation_id);
    }

    /// [`Visitor::merged_properties`] as a [`PropertiesView`]: the same
    /// values, read key by key without building the merged object.
    pub fn properties_view<'a>(
        &'a self,
        call_properties: Option<&'a Map<String, Value>>,
    ) -> PropertiesView<'a> {
        PropertiesView {
            segments: &self.state.segments,
            context: &self.properties,
            call: call_properties,
        }
    }

    /// `getVisitorProperties(callProperties)`: what audience rules are matched
    /// against — `deepMerge(storedSegments, deepMerge(contextProperties,
    /// callProperties))`, or with the context properties alone when the call
    /// gives none.
    pub fn merged_properties(
        &self,
        call_properties: Option<&Map<String, Value>>,
    ) -> Map<String, Value> {
        let merged_call;
        let own: &Map<String, Value> = match call_properties {
            Some(call) => {
                merged_call =
                    deep_merge_maps(&[&self.properties, &crate::limits::within_depth(call)]);
                &merged_call
            }
            None => &self.properties,
        };
        deep_merge_maps(&[&self.state.segments.to_map(), own])
    }
}

/// The properties audience rules see ([`Visitor::merged_properties`]), read
/// key by key: each key's value is the one the merged object would hold,
/// borrowed from the visitor unless two objects or arrays must be merged,
/// and no merged object is built.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PropertiesView<'a> {
    segments: &'a RecordMap,
    context: &'a Map<String, Value>,
    call: Option<&'a Map<String, Value>>,
}

impl<'a> PropertiesView<'a> {
    /// `merged[key]`.
    pub fn get(&self, key: &str) -> Option<Cow<'a, Value>> {
        if key == "__proto__" {
            // Never an own key of a deep-merged object.
            return None;
        }
        // deepMerge(segments, deepMerge(context, call)), for one key: the
        // later layer is the newer value.
        // A call property nested deeper than the limit is ignored, as
        // `merged_properties` leaves it out (the visitor's own properties
        // were bounded when they entered it).
        let call = self
            .call
            .and_then(|c| js::lookup(c, key))
            .filter(|v| !crate::limits::exceeds_depth(v, crate::limits::MAX_DEPTH - 1));
        let own = merged_value(js::lookup(self.context, key), call);
        merged_value_cow(self.segments.get(key), own)
    }
}

/// What `objectDeepMerge` makes of one key present as `old` then `new`.
fn merged_value<'a>(old: Option<&'a Value>, new: Option<&'a Value>) -> Option<Cow<'a, Value>> {
    merged_value_cow(old, new.map(Cow::Borrowed))
}

fn merged_value_cow<'a>(
    old: Option<&'a Value>,
    new: Option<Cow<'a, Value>>,
) -> Option<Cow<'a, Value>> {
    match (old, new) {
        (None, new) => new,
        (Some(old), None) => Some(Cow::Borrowed(old)),
        (Some(old), Some(new)) => Some(match (old, new.as_ref()) {
            (Value::Array(old), Value::Array(newer)) => Cow::Owned(Value::Array(union(newer, old))),
            (Value::Object(_) | Value::Array(_), Value::Object(_) | Value::Array(_)) => {
                Cow::Owned(Value::Object(deep_merge(&[old, new.as_ref()])))
            }
            _ => new,
        }),
    }
}

/// `filterReportSegments(attributes)`: `(report segments, other properties)`,
/// each in the attributes' key order, the segments as a record stores them.
/// An attribute nested deeper than [`crate::limits::MAX_DEPTH`] is left out
/// of both (`docs/robustness.md`).
pub fn split_report_segments(attributes: &Map<String, Value>) -> (RecordMap, Map<String, Value>) {
    if is_plain(attributes, crate::limits::MAX_DEPTH - 1) {
        // A copy keeps each key's hash, so nothing is hashed again.
        return split_plain(attributes.clone());
    }
    split_entry_by_entry(attributes)
}

/// [`split_report_segments`] of attributes the caller gives up: the report
/// entries are moved out of them and the rest are the properties, nothing
/// copied (unless they need the entry-by-entry copy: a key that is an array
/// index or `__proto__`, a value nested too deep).
pub fn split_report_segments_owned(
    attributes: Map<String, Value>,
) -> (RecordMap, Map<String, Value>) {
    if is_plain(&attributes, crate::limits::MAX_DEPTH - 1) {
        return split_plain(attributes);
    }
    split_entry_by_entry(&attributes)
}

/// The split of attributes that [`is_plain`] accepts: every entry keeps its
/// place, so the few report entries are moved out, in order, into the
/// segments and the rest stay as the properties.
fn split_plain(mut properties: Map<String, Value>) -> (RecordMap, Map<String, Value>) {
    // The report keys present, in the attributes' order (at most one of each).
    let mut present = [""; REPORT_SEGMENT_KEYS.len()];
    let mut count = 0;
    for key in properties.keys() {
        if let Some(report_key) = REPORT_SEGMENT_KEYS.iter().find(|k| **k == key) {
            present[count] = report_key;
            count += 1;
        }
    }
    let mut segments = RecordMap::new();
    for key in &present[..count] {
        if let Some((key, value)) = properties.shift_remove_entry(*key) {
            segments.insert(key, value);
        }
    }
    (segments, properties)
}

/// [`split_report_segments`] copied entry by entry in `Object.keys` order,
/// leaving out `__proto__` and the entries nested too deep: what its fast
/// path must equal.
fn split_entry_by_entry(attributes: &Map<String, Value>) -> (RecordMap, Map<String, Value>) {
    let report_keys = attributes
        .keys()
        .filter(|key| is_report_segment_key(key))
        .count();
    let mut segments = RecordMap::new();
    let mut properties = Map::with_capacity(attributes.len() - report_keys);
    for (key, value) in js::object_entries(attributes) {
        if key == "__proto__" {
            // `segments[key] = …` hits the prototype setter: never an own key.
            continue;
        }
        if crate::limits::exceeds_depth(value, crate::limits::MAX_DEPTH - 1) {
            continue;
        }
        if is_report_segment_key(key) {
            segments.insert(key.to_owned(), value.clone());
        } else {
            properties.insert(key.to_owned(), value.clone());
        }
    }
    (segments, properties)
}

/// Whether copying a map's `entries` one by one in `Object.keys` order,
/// leaving out `__proto__` and values nested deeper than `depth`, gives the
/// map itself: no key is an array index or `__proto__`, and no value is too
/// deep.
fn is_plain<'a>(entries: impl IntoIterator<Item = (&'a String, &'a Value)>, depth: usize) -> bool {
    entries.into_iter().all(|(key, value)| {
        key != "__proto__"
            && !js::is_array_index(key)
            && !crate::limits::exceeds_depth(value, depth)
    })
}

/// `objectDeepMerge(...objects)`: starting from `{}`, each object's keys (in
/// `Object.keys` order) are merged in; later objects win. Two arrays become
/// their union — the newer elements first, then the older, without duplicates
/// (`new Set`: equal primitives collapse, objects never do); two objects
/// (arrays included, when only one side is an array) merge recursively; any
/// other value is overwritten. A `"__proto__"` key is dropped (in JavaScript
/// the assignment sets the prototype instead of a property).
pub fn deep_merge(objects: &[&Value]) -> Map<String, Value> {
    let mut merged = Map::new();
    for object in objects {
        for key in js::own_keys(object) {
            if let Some(new) = js::get(Some(object), &key) {
                merge_entry(&mut merged, &key, new);
            }
        }
    }
    merged
}

/// [`deep_merge`] of objects given as maps (no copy into `Value`s first).
pub fn deep_merge_maps(objects: &[&Map<String, Value>]) -> Map<String, Value> {
    let mut merged = Map::with_capacity(objects.iter().map(|o| o.len()).sum());
    for object in objects {
        for (key, new) in js::object_entries(object) {
            merge_entry(&mut merged, key, new);
        }
    }
    merged
}

/// One step of `objectDeepMerge`: `merged[key]` becomes `new`, merged with
/// what is there when both are arrays or objects.
fn merge_entry(merged: &mut Map<String, Value>, key: &str, new: &Value) {
    if key == "__proto__" {
        // `prev[key] = …` hits the prototype setter: never an own key.
        return;
    }
    match merged.entry(key) {
        serde_json::map::Entry::Vacant(slot) => {
            slot.insert(new.clone());
        }
        serde_json::map::Entry::Occupied(mut slot) => {
            let value = match (slot.get(), new) {
                (Value::Array(old), Value::Array(newer)) => Value::Array(union(newer, old)),
                (
                    old @ (Value::Object(_) | Value::Array(_)),
                    Value::Object(_) | Value::Array(_),
                ) => Value::Object(deep_merge(&[old, new])),
                _ => new.clone(),
            };
            slot.insert(value);
        }
    }
}

/// `[...new Set([...first, ...second])]`.
fn union(first: &[Value], second: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(first.len() + second.len());
    for item in first.iter().chain(second) {
        let duplicate = match item {
            Value::Array(_) | Value::Object(_) => false,
            _ => out
                .iter()
                .any(|seen| js::same_value_zero(Some(seen), Some(item))),
        };
        if !duplicate {
            out.push(item.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    /// A JSON value for attribute maps: scalars, short arrays and objects,
    /// with keys drawn from report-segment keys, array indices, `__proto__`
    /// and others.
    fn attribute_key() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            proptest::sample::select(REPORT_SEGMENT_KEYS).prop_map(str::to_owned),
            proptest::sample::select(&["plan", "visits", "0", "7", "01", "__proto__"][..])
                .prop_map(str::to_owned),
            "[a-z]{1,6}",
        ]
    }

    fn attribute_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(|n| json!(n)),
            "[a-zA-Z ]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                proptest::collection::vec(("[a-z]{1,3}", inner), 0..3)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// The copy-and-remove fast path gives the same maps, in the same
        /// key order, as copying entry by entry.
        #[test]
        fn the_split_fast_path_equals_the_entry_by_entry_copy(
            entries in proptest::collection::vec((attribute_key(), attribute_value()), 0..8)
        ) {
            let attributes: Map<String, Value> = entries.into_iter().collect();
            let (segments, properties) = split_report_segments(&attributes);
            let (expected_segments, expected_properties) = split_entry_by_entry(&attributes);
            // Giving the attributes up splits them the same way.
            let (owned_segments, owned_properties) = split_report_segments_owned(attributes.clone());
            let keys = |m: &Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
            let record_keys = |m: &RecordMap| m.keys().cloned().collect::<Vec<_>>();
            proptest::prop_assert_eq!(record_keys(&owned_segments), record_keys(&expected_segments));
            proptest::prop_assert_eq!(keys(&owned_properties), keys(&expected_properties));
            proptest::prop_assert_eq!(&owned_segments, &expected_segments);
            proptest::prop_assert_eq!(&owned_properties, &expected_properties);
            proptest::prop_assert_eq!(record_keys(&segments), record_keys(&expected_segments));
            proptest::prop_assert_eq!(keys(&properties), keys(&expected_properties));
            proptest::prop_assert_eq!(&segments, &expected_segments);
            proptest::prop_assert_eq!(properties, expected_properties);
            // The segments are the attributes' report entries, in their order.
            let report: Vec<_> = attributes
                .iter()
                .filter(|(key, value)| {
                    is_report_segment_key(key)
                        && !crate::limits::exceeds_depth(value, crate::limits::MAX_DEPTH - 1)
                })
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect();
            let split: Vec<_> = segments.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            proptest::prop_assert_eq!(split, report);
            // Moving the segments in stores what copying them would.
            let mut moved = VisitorState::new();
            moved.put_segments_owned(segments.clone());
            let mut copied = VisitorState::new();
            copied.put_segments(&segments.to_map());
            proptest::prop_assert_eq!(record_keys(&moved.segments), record_keys(&copied.segments));
            proptest::prop_assert_eq!(moved, copied);
            // And any map, into an empty or a stored state, is stored as
            // copying it would (reordered, bounded, without `__proto__`).
            for stored in [RecordMap::new(), expected_segments] {
                let mut moved = VisitorState::new();
                moved.segments = stored.clone();
                moved.put_segments_owned(attributes.clone().into());
                let mut copied = VisitorState::new();
                copied.segments = stored;
                copied.put_segments(&attributes);
                proptest::prop_assert_eq!(record_keys(&moved.segments), record_keys(&copied.segments));
                proptest::prop_assert_eq!(moved, copied);
            }
        }
    }

    #[test]
    fn the_split_leaves_out_deep_values_and_proto_on_both_paths() {
        let mut deep = json!("leaf");
        for _ in 0..crate::limits::MAX_DEPTH {
            deep = json!([deep]);
        }
        let attributes = map(json!({"country": "US", "plan": "pro", "deep": deep, "__proto__": 1}));
        let (segments, properties) = split_report_segments(&attributes);
        assert_eq!(segments.to_map(), map(json!({"country": "US"})));
        assert_eq!(properties, map(json!({"plan": "pro"})));
        assert_eq!(
            split_report_segments_owned(attributes),
            (segments.clone(), properties.clone())
        );
        let plain = map(json!({"country": "US", "plan": "pro"}));
        assert_eq!(split_report_segments(&plain), (segments, properties));
    }

    #[test]
    fn create_context_splits_report_segments() {
        let attributes = map(json!({"plan": "pro", "country": "US", "customSegments": ["800"]}));
        let visitor = Visitor::new("v", &attributes);
        assert_eq!(visitor.properties(), &map(json!({"plan": "pro"})));
        assert_eq!(
            visitor.state().segments.to_map(),
            map(json!({"country": "US", "customSegments": ["800"]}))
        );
        assert_eq!(visitor.state().custom_segments(), Some(&json!(["800"])));
        // Merged back for rule matching: the same keys and values.
        let merged = visitor.merged_properties(None);
        assert_eq!(
            Value::Object(merged),
            json!({"country": "US", "customSegments": ["800"], "plan": "pro"})
        );
    }

    #[test]
    fn call_properties_merge_over_context_properties() {
        let visitor = Visitor::new(
            "v",
            &map(json!({"plan": "pro", "tags": ["a", "b"], "nested": {"x": 1}})),
        );
        let call = map(json!({"plan": "free", "tags": ["c", "a"], "nested": {"y": 2}}));
        let merged = visitor.merged_properties(Some(&call));
        assert_eq!(
            Value::Object(merged),
            json!({"plan": "free", "tags": ["c", "a", "b"], "nested": {"x": 1, "y": 2}})
        );
    }

    #[test]
    fn the_view_reads_what_the_merged_object_holds() {
        let attributes = map(json!({
            "country": "US", "customSegments": ["800"], "plan": "pro",
            "tags": ["a", "b"], "nested": {"x": 1}, "n": 1
        }));
        let mut state = VisitorState::new();
        state.put_segments(&map(
            json!({"tags": ["z"], "nested": {"w": 0}, "n": {"o": 1}}),
        ));
        let visitor = Visitor::with_state("v", &attributes, state);
        let call = map(json!({"plan": "free", "tags": ["c", "a"], "nested": {"y": 2}, "n": [5]}));
        for call in [None, Some(&call)] {
            let merged = visitor.merged_properties(call);
            let view = visitor.properties_view(call);
            for key in [
                "country",
                "customSegments",
                "plan",
                "tags",
                "nested",
                "n",
                "absent",
                "__proto__",
            ] {
                assert_eq!(
                    view.get(key).as_deref(),
                    merged.get(key),
                    "{key} with {call:?}"
                );
            }
        }
    }

    #[test]
    fn deep_merge_follows_object_deep_merge() {
        // node: objectDeepMerge({a:[1,2]}, {a:{k:1}}) → {a:{0:1,1:2,k:1}}
        let merged = deep_merge(&[&json!({"a": [1, 2]}), &json!({"a": {"k": 1}})]);
        assert_eq!(
            Value::Object(merged),
            json!({"a": {"0": 1, "1": 2, "k": 1}})
        );
        let merged = deep_merge(&[
            &json!({"a": [{"x": 1}, 1]}),
            &json!({"a": [{"x": 1}, 1, 1]}),
        ]);
        assert_eq!(Value::Object(merged), json!({"a": [{"x": 1}, 1, {"x": 1}]}));
        let merged = deep_merge(&[&json!({"a": 1}), &json!({"a": null})]);
        assert_eq!(Value::Object(merged), json!({"a": null}));
    }
}
