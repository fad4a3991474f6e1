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
use serde_json::Value;

/// How many distinct configs are kept (most recently used first). Cases
/// sharing a config sit together in a vector file, so a handful suffices.
pub const CAPACITY: usize = 8;

/// The most recently read configs, each with the exact value it was read
/// from.
#[derive(Debug, Default)]
pub struct ConfigCache {
    recent: Vec<(Value, Arc<ProjectConfig>)>,
}

impl ConfigCache {
    /// The config read from `value`: a shared earlier reading of an
    /// identical value, or a new one (kept for the next cases). A value the
    /// engine refuses is an error every time, and never kept.
    pub fn read(&mut self, value: &Value) -> Result<Arc<ProjectConfig>, ConfigError> {
        if let Some(position) = self
            .recent
            .iter()
            .position(|(seen, _)| identical(seen, value))
        {
            let entry = self.recent.remove(position);
            let config = Arc::clone(&entry.1);
            self.recent.insert(0, entry);
            return Ok(config);
        }
        // Refused values (not an object, nested too deep) are not kept, so
        // nothing deeper than the engine accepts is ever cloned here.
        let config = Arc::new(ProjectConfig::from_value(value)?);
        self.recent.insert(0, (value.clone(), Arc::clone(&config)));
        self.recent.truncate(CAPACITY);
        Ok(config)
    }

    /// How many configs are kept.
    #[cfg(test)]
    fn kept(&self) -> usize {
        self.recent.len()
    }
}

/// Whether `a` and `b` are the same JSON text up to whitespace: key order,
/// strings and number representations included. Iterative (an explicit
/// stack), so no depth of value can overflow the call stack.
pub fn identical(a: &Value, b: &Value) -> bool {
    let mut pending = vec![(a, b)];
    while let Some((a, b)) = pending.pop() {
        match (a, b) {
            (Value::Null, Value::Null) => {}
            (Value::Bool(x), Value::Bool(y)) if x == y => {}
            (Value::String(x), Value::String(y)) if x == y => {}
            (Value::Number(x), Value::Number(y))
                if x == y
                    && x.is_f64() == y.is_f64()
                    && x.as_f64().map(f64::to_bits) == y.as_f64().map(f64::to_bits) => {}
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                pending.extend(x.iter().zip(y));
            }
            (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
                for ((kx, vx), (ky, vy)) in x.iter().zip(y) {
                    if kx != ky {
                        return false;
                    }
                    pending.push((vx, vy));
                }
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn identical_is_exact_json_identity() {
        assert!(identical(
            &parsed(r#"{"a": [1, 2.5, "x", null, true], "b": {}}"#),
            &parsed(r#"{"a":[1,2.5,"x",null,true],"b":{}}"#)
        ));
        // Key order matters (serde_json's `==` would say equal).
        let (ab, ba) = (parsed(r#"{"a": 1, "b": 2}"#), parsed(r#"{"b": 2, "a": 1}"#));
        assert_eq!(ab, ba);
        assert!(!identical(&ab, &ba));
        // Number representations matter.
        assert!(!identical(&parsed("1"), &parsed("1.0")));
        assert!(!identical(&parsed("0.0"), &parsed("-0.0")));
        assert!(!identical(&parsed("[1]"), &parsed("[1, 1]")));
        assert!(!identical(&json!({"a": null}), &json!({"b": null})));
        assert!(!identical(&json!("1"), &json!(1)));
    }

    #[test]
    fn identical_survives_any_depth() {
        let deep = |n: usize| (0..n).fold(json!([]), |inner, _| Value::Array(vec![inner]));
        let (a, b) = (deep(100_000), deep(100_000));
        assert!(identical(&a, &b));
        let shallower = deep(99_999);
        assert!(!identical(&a, &shallower));
        convert_engine::limits::dismantle(shallower);
        convert_engine::limits::dismantle(a);
        convert_engine::limits::dismantle(b);
    }

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
}
