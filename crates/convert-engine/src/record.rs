//! [`RecordMap`]: the small maps of a stored visitor record (`segments`,
//! `bucketing`, `goals`).
//!
//! A visitor record's `segments` (report segments such as `country`),
//! `bucketing` (experience id → variation id) and `goals` (goal key →
//! `true`) hold a handful of entries, and a fresh visitor's first decision
//! stores one in two of them: in a `serde_json::Map` each cost a hash table,
//! an entry buffer and a SipHash of the key. A `RecordMap` keeps the entries in one
//! vector, in insertion order (as the JS object and `serde_json`'s
//! order-preserving `Map` keep them), and finds a key by scanning, which for
//! a few short keys is also faster than hashing.

use serde_json::{Map, Value};
use vecmap::VecMap;

/// An insertion-ordered map of few entries, looked up by scanning: the
/// `segments`, `bucketing` and `goals` of a
/// [`VisitorState`](crate::visitor::VisitorState).
///
/// Equality is a map's: the same keys with equal values, in any order (as
/// `serde_json::Map` compares).
#[derive(Clone, Debug, Default)]
pub struct RecordMap {
    entries: VecMap<String, Value>,
}

impl RecordMap {
    /// An empty map (no allocation until the first entry).
    pub fn new() -> RecordMap {
        RecordMap::default()
    }

    /// How many entries the map holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.get(key)
    }

    /// Stores `value` under `key`: an existing key keeps its place and its
    /// old value is returned, a new key goes last.
    ///
    /// The first entry gets room for itself alone: most records hold one
    /// (a fresh visitor's decision, their `country`), and records are what
    /// the store keeps, 10,000 of them; later entries grow the vector as
    /// usual.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        if self.entries.capacity() == 0 {
            self.entries.reserve_exact(1);
        }
        self.entries.insert(key, value)
    }

    /// The keys, in insertion order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.keys()
    }

    /// The entries, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.entries.iter()
    }

    /// The map as a JSON object, in insertion order (for a record or a
    /// payload).
    pub fn to_map(&self) -> Map<String, Value> {
        self.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

impl PartialEq for RecordMap {
    fn eq(&self, other: &RecordMap) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(key, value)| other.get(key) == Some(value))
    }
}

impl From<Map<String, Value>> for RecordMap {
    /// The object's entries, in its order.
    fn from(map: Map<String, Value>) -> RecordMap {
        map.into_iter().collect()
    }
}

impl FromIterator<(String, Value)> for RecordMap {
    /// The entries in order; a repeated key keeps its first place and its
    /// last value, as inserting them one by one does.
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(entries: I) -> RecordMap {
        let mut map = RecordMap::new();
        for (key, value) in entries {
            map.insert(key, value);
        }
        map
    }
}

impl From<RecordMap> for Map<String, Value> {
    /// The entries as a JSON object, in insertion order.
    fn from(map: RecordMap) -> Map<String, Value> {
        map.entries.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn equality_ignores_order_like_a_json_object() {
        let forward = RecordMap::from(object(json!({"300": "301", "400": "401"})));
        let backward = RecordMap::from(object(json!({"400": "401", "300": "301"})));
        assert_eq!(forward, backward);
        let other = RecordMap::from(object(json!({"300": "301", "400": "402"})));
        assert_ne!(forward, other);
        let fewer = RecordMap::from(object(json!({"300": "301"})));
        assert_ne!(forward, fewer);
        assert_ne!(fewer, forward);
    }

    /// Keys from a small alphabet, so that sequences repeat keys.
    fn operations() -> impl Strategy<Value = Vec<(String, i64)>> {
        proptest::collection::vec(("[a-d]{1,2}", any::<i64>()), 0..24)
    }

    proptest! {
        /// Inserting the same entries into a `RecordMap` and a
        /// `serde_json::Map` gives the same entries in the same order, the
        /// same old values, and the same lookups.
        #[test]
        fn behaves_as_an_order_preserving_json_object(ops in operations()) {
            let mut record = RecordMap::new();
            let mut map = Map::new();
            for (key, n) in &ops {
                let old = record.insert(key.clone(), json!(n));
                prop_assert_eq!(old, map.insert(key.clone(), json!(n)));
            }
            prop_assert_eq!(record.len(), map.len());
            prop_assert_eq!(record.is_empty(), map.is_empty());
            let entries: Vec<_> = record.iter().collect();
            let expected: Vec<_> = map.iter().collect();
            prop_assert_eq!(entries, expected);
            for key in ["a", "b", "cd", "zz"] {
                prop_assert_eq!(record.get(key), map.get(key));
            }
            prop_assert_eq!(&record.to_map(), &map);
            prop_assert_eq!(&RecordMap::from(map.clone()), &record);
            prop_assert_eq!(Map::from(record), map);
        }
    }
}
