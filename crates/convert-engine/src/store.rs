//! Where visitor state lives between calls: the [`VisitorStore`] trait and
//! the in-memory [`MemoryStore`] (`spec/sticky.md`).
//!
//! The JS SDK keeps one record per visitor under the key
//! `${account_id}-${project_id}-${visitor_id}` ([`store_key`]) in an
//! in-memory map (capped at 10,000 visitors, oldest dropped first), optionally
//! mirrored to a user-supplied data store. The engine itself is pure: it reads
//! a [`VisitorState`] and reports what to store; an SDK loads the state from a
//! store before a call and saves it after.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use foldhash::fast::RandomState;

use serde_json::Value;

use crate::js;
use crate::visitor::VisitorState;

/// The SDK's visitor-record key: `String(account_id)-String(project_id)-visitor_id`
/// (an absent id reads `undefined`, as in the JS template string).
pub fn store_key(
    account_id: Option<&Value>,
    project_id: Option<&Value>,
    visitor_id: &str,
) -> String {
    let (first, second) = crate::mutant!(
        "store.key",
        (account_id, project_id),
        (project_id, account_id)
    );
    format!(
        "{}-{}-{}",
        js::to_string(first),
        js::to_string(second),
        visitor_id
    )
}

/// A place visitor records are kept, by [`store_key`].
pub trait VisitorStore {
    /// The record stored under `key`, if any.
    fn load(&self, key: &str) -> Option<VisitorState>;
    /// Stores `state` under `key`, replacing what was there.
    fn save(&mut self, key: &str, state: VisitorState);
}

/// The JS SDK's default capacity of its in-memory store.
pub const DEFAULT_MEMORY_CAPACITY: usize = 10_000;

/// An in-memory [`VisitorStore`] with a capacity: when a new visitor would
/// exceed it, the visitor stored first is dropped (the JS SDK's
/// `_localStoreLimit` behaviour).
#[derive(Clone, Debug)]
pub struct MemoryStore {
    /// foldhash, seeded per process: visitor ids come from outside, and
    /// SipHash cost more than the rest of a lookup.
    /// Each key is one allocation, shared by the record and its place in
    /// the eviction order.
    records: HashMap<Arc<str>, VisitorState, RandomState>,
    order: VecDeque<Arc<str>>,
    capacity: usize,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::with_capacity(DEFAULT_MEMORY_CAPACITY)
    }
}

impl MemoryStore {
    /// An empty store holding at most `capacity` visitors (at least one).
    pub fn with_capacity(capacity: usize) -> MemoryStore {
        MemoryStore {
            records: HashMap::default(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    /// How many visitors are stored.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no visitor is stored.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The record stored under `key`, moved out instead of copied: the
    /// visitor keeps their place (and their position in the eviction order)
    /// with an empty record until [`VisitorStore::save`] or
    /// [`MemoryStore::restore`] puts one back. For a caller that holds the
    /// visitor's record for one call and always puts it back (the SDK does,
    /// under the visitor's lock).
    pub fn take(&mut self, key: &str) -> Option<VisitorState> {
        self.records.get_mut(key).map(std::mem::take)
    }

    /// Changes the record stored under `key` in place, storing an empty one
    /// first for a visitor not stored (as [`VisitorStore::save`] would, with
    /// its eviction): one lookup instead of a load and a save.
    ///
    /// A visitor not stored yet gets an entry that shares `key` (as
    /// [`MemoryStore::save_shared`]).
    pub fn update(&mut self, key: &Arc<str>, change: impl FnOnce(&mut VisitorState)) {
        match self.records.get_mut(&**key) {
            Some(record) => change(record),
            None => {
                let mut state = VisitorState::default();
                change(&mut state);
                self.insert_new(Arc::clone(key), state);
            }
        }
    }

    /// [`VisitorStore::save`] with a key the caller already holds in an
    /// `Arc`: a visitor not stored yet gets an entry that shares it instead
    /// of a copy (the SDK's context keeps its visitor's key this way).
    pub fn save_shared(&mut self, key: &Arc<str>, state: VisitorState) {
        if let Some(record) = self.records.get_mut(&**key) {
            *record = state;
        } else {
            self.insert_new(Arc::clone(key), state);
        }
    }

    /// Stores a visitor not stored yet, dropping the oldest ones beyond the
    /// capacity.
    fn insert_new(&mut self, key: Arc<str>, state: VisitorState) {
        self.records.insert(Arc::clone(&key), state);
        self.order.push_back(key);
        while self.records.len() > self.capacity {
            match self.order.pop_front() {
                Some(oldest) => {
                    self.records.remove(&oldest);
                }
                None => break,
            }
        }
    }

    /// Puts back a record [taken](MemoryStore::take) and not changed: like
    /// [`VisitorStore::save`], except that a visitor who was evicted in the
    /// meantime is not stored again.
    pub fn restore(&mut self, key: &str, state: VisitorState) {
        if let Some(record) = self.records.get_mut(key) {
            *record = state;
        }
    }
}

impl VisitorStore for MemoryStore {
    fn load(&self, key: &str) -> Option<VisitorState> {
        self.records.get(key).cloned()
    }

    fn save(&mut self, key: &str, state: VisitorState) {
        if let Some(record) = self.records.get_mut(key) {
            *record = state;
        } else {
            self.insert_new(Arc::from(key), state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_follow_the_js_template() {
        assert_eq!(
            store_key(Some(&json!("100")), Some(&json!(200)), "v-1"),
            "100-200-v-1"
        );
        assert_eq!(store_key(None, Some(&json!(null)), "v"), "undefined-null-v");
    }

    #[test]
    fn the_oldest_visitor_leaves_first() {
        let mut store = MemoryStore::with_capacity(2);
        let mut state = VisitorState::new();
        state.put_bucketing("300", "301");
        store.save("a", state.clone());
        store.save("b", VisitorState::new());
        store.save("a", state.clone()); // an update does not reorder
        store.save("c", VisitorState::new());
        assert_eq!(store.len(), 2);
        assert!(store.load("a").is_none());
        assert!(store.load("b").is_some() && store.load("c").is_some());
    }

    #[test]
    fn a_shared_key_is_stored_without_a_copy_and_evicts_in_order() {
        let mut store = MemoryStore::with_capacity(2);
        let a: Arc<str> = Arc::from("a");
        store.update(&a, |state| state.put_bucketing("300", "301"));
        assert_eq!(
            Arc::strong_count(&a),
            3,
            "the record and the eviction order share it"
        );
        let mut changed = VisitorState::new();
        changed.put_bucketing("300", "302");
        store.save_shared(&a, changed.clone());
        assert_eq!(Arc::strong_count(&a), 3, "an update keeps the entry it has");
        assert_eq!(store.load("a"), Some(changed));
        store.save_shared(&Arc::from("b"), VisitorState::new());
        store.update(&Arc::from("c"), |_| {});
        assert_eq!(store.len(), 2);
        assert!(store.load("a").is_none(), "the oldest left first");
        assert_eq!(Arc::strong_count(&a), 1);
    }

    #[test]
    fn a_taken_record_keeps_its_place_until_it_is_put_back() {
        let mut store = MemoryStore::with_capacity(2);
        let mut state = VisitorState::new();
        state.put_bucketing("300", "301");
        store.save("a", state.clone());
        assert_eq!(store.take("a"), Some(state.clone()));
        assert_eq!(store.load("a"), Some(VisitorState::new()));
        assert_eq!(store.take("absent"), None);
        store.restore("a", state.clone());
        assert_eq!(store.load("a"), Some(state.clone()));
        // Still the oldest: the next two visitors evict it.
        store.save("b", VisitorState::new());
        store.save("c", VisitorState::new());
        assert!(store.load("a").is_none());
        // An evicted visitor is not restored, only saved.
        store.restore("a", state.clone());
        assert!(store.load("a").is_none());
        store.save("a", state.clone());
        assert_eq!(store.load("a"), Some(state));
    }
}
