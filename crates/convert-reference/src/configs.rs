//! Project configs read once and shared: many cases of a vector file carry
//! the same config, and reading one (`ProjectConfig::from_value`) plus what
//! the engine derives from it on first use (bucket bands, the experience
//! index, compiled `regexMatches` patterns) costs more than the decision.
//!
//! A config is reused only for an *identical* JSON value: same key order,
//! same strings, numbers with the same representation (`1` is not `1.0`,
//! `-0.0` is not `0.0`). `serde_json`'s own equality is not used: with
//! `preserve_order` it ignores key order, which the engine observes
//! (`Object.keys` order).

use std::sync::Arc;

use convert_engine::config::{ConfigError, ProjectConfig};
use convert_spec::identity::{Shared, fingerprint, identical_maps, same_handle};
use serde_json::Value;

/// How many distinct configs are kept (most recently used first). Cases
/// sharing a config sit together in a vector file, so a handful suffices.
pub const CAPACITY: usize = 8;

/// The most recently read configs, each with the structural hash
/// ([`fingerprint`]) of the value it was read from. The value itself is the
/// config's `raw` object, kept once.
#[derive(Debug, Default)]
pub struct ConfigCache {
    recent: Vec<Kept>,
}

#[derive(Debug)]
struct Kept {
    hash: u64,
    /// The interned handle of the value it was read from, if it had one.
    shared: Option<Arc<Shared>>,
    config: Arc<ProjectConfig>,
}

impl ConfigCache {
    /// The config read from `value`: a shared earlier reading of an
    /// identical value, or a new one (kept for the next cases). A value the
    /// engine refuses is an error every time, and never kept.
    pub fn read(&mut self, value: &Value) -> Result<Arc<ProjectConfig>, ConfigError> {
        self.read_shared(value, None)
    }

    /// [`ConfigCache::read`] for a value with its interned handle
    /// ([`convert_spec::identity::Interner`]), if it has one: a kept config
    /// read from a value with the same handle is shared without walking
    /// either value. `shared` must be the handle of `value`.
    pub fn read_shared(
        &mut self,
        value: &Value,
        shared: Option<&Arc<Shared>>,
    ) -> Result<Arc<ProjectConfig>, ConfigError> {
        // Without a handle, one walk hashes the value; only a kept value with
        // the same hash is compared in full (configs of one vector file often
        // differ deep inside, so comparing with each kept value costs nearly
        // a walk). Handles from one interner are equal exactly when the
        // values are identical; other handles are compared in full.
        let hash = shared.map_or_else(|| fingerprint(value).0, |shared| shared.hash());
        if let Some(position) = self.recent.iter().position(|kept| {
            kept.hash == hash
                && (same_handle(kept.shared.as_ref(), shared)
                    || matches!(value, Value::Object(root) if identical_maps(&kept.config.raw, root)))
        }) {
            let kept = self.recent.remove(position);
            let config = Arc::clone(&kept.config);
            self.recent.insert(0, kept);
            return Ok(config);
        }
        // Refused values (not an object, nested too deep) are not kept.
        let config = Arc::new(ProjectConfig::from_value(value)?);
        self.recent.insert(
            0,
            Kept {
                hash,
                shared: shared.cloned(),
                config: Arc::clone(&config),
            },
        );
        self.recent.truncate(CAPACITY);
        Ok(config)
    }

    /// How many configs are kept.
    #[cfg(test)]
    fn kept(&self) -> usize {
        self.recent.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_config_is_shared_only_with_identical_values() {
        let mut cache = ConfigCache::default();
        let one = json!({"account_id": "1", "project": {"id": "2"}});
        let first = cache.read(&one).unwrap();
        let again = cache.read(&one.clone()).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        let reordered = json!({"project": {"id": "2"}, "account_id": "1"});
        assert!(!Arc::ptr_eq(&first, &cache.read(&reordered).unwrap()));
        assert_eq!(cache.kept(), 2);
        assert!(cache.read(&json!([])).is_err());
        assert_eq!(cache.kept(), 2, "a refused config is not kept");
        for i in 0..2 * CAPACITY {
            cache.read(&json!({"account_id": i})).unwrap();
        }
        assert_eq!(cache.kept(), CAPACITY);
    }

    #[test]
    fn an_interned_config_is_recognised_by_its_handle() {
        use convert_spec::identity::Interner;
        let mut interner = Interner::new();
        let input = |account: &str| {
            Arc::new(json!({"config": {"account_id": account, "project": {"id": "2"}}}))
        };
        let (a, a_again, b) = (input("1"), input("1"), input("3"));
        let handle = |interner: &mut Interner, input: &Arc<Value>| {
            interner.members(input).get("config").cloned().unwrap()
        };
        let (ha, ha_again, hb) = (
            handle(&mut interner, &a),
            handle(&mut interner, &a_again),
            handle(&mut interner, &b),
        );
        let mut cache = ConfigCache::default();
        let first = cache.read_shared(&a["config"], Some(&ha)).unwrap();
        let again = cache
            .read_shared(&a_again["config"], Some(&ha_again))
            .unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        // Without a handle, or with another interner's, the value is compared.
        assert!(Arc::ptr_eq(
            &first,
            &cache.read(&a_again["config"]).unwrap()
        ));
        let foreign = handle(&mut Interner::new(), &a_again);
        let read = cache
            .read_shared(&a_again["config"], Some(&foreign))
            .unwrap();
        assert!(Arc::ptr_eq(&first, &read));
        let other = cache.read_shared(&b["config"], Some(&hb)).unwrap();
        assert!(!Arc::ptr_eq(&first, &other));
        assert_eq!(other.account_id, Some(json!("3")));
    }
}
