//! The regular expressions of a config's `regexMatches` rule items, compiled
//! at most once per config (on first use) instead of once per decision.

use std::collections::HashMap;
use std::sync::OnceLock;

use convert_regex::Regex;
use serde_json::Value;

use crate::js;

/// `new RegExp(pattern, 'i')`: ignore-case, non-unicode, compiled by
/// `convert-regex`; a syntax error is kept as its message.
pub(super) fn compile(pattern: &str) -> Result<Regex, String> {
    // The struct update keeps this compiling if `Flags` gains fields.
    #[allow(clippy::needless_update)]
    let flags = convert_regex::Flags {
        ignore_case: true,
        ..convert_regex::Flags::default()
    };
    Regex::new(pattern, flags).map_err(|e| e.to_string())
}

/// A config's patterns by their source text (`String(rule.value)`), each
/// compiled the first time a rule evaluates it (a one-off evaluation of a
/// config compiles only what it matches; a long-lived config compiles each
/// pattern once). Thread-safe: compiled patterns are read without locking.
#[derive(Debug, Default)]
pub struct Patterns {
    compiled: HashMap<String, OnceLock<Result<Regex, String>>>,
}

impl Patterns {
    /// Collects the pattern of every `regexMatches` rule item found anywhere
    /// under `roots` (for a config: its audiences, locations, segments,
    /// `site_area`s, goals). The walk uses an explicit stack, so nesting
    /// depth cannot overflow it.
    pub fn collect<'v>(roots: impl IntoIterator<Item = &'v Value>) -> Patterns {
        let mut compiled = HashMap::new();
        let mut stack: Vec<&Value> = roots.into_iter().collect();
        while let Some(value) = stack.pop() {
            match value {
                Value::Array(items) => stack.extend(items),
                Value::Object(map) => {
                    let is_regex_item = matches!(
                        js::get(js::lookup(map, "matching"), "match_type"),
                        Some(Value::String(t)) if t == "regexMatches"
                    );
                    if is_regex_item && let Some(pattern) = js::lookup(map, "value") {
                        let pattern = js::to_string(Some(pattern)).into_owned();
                        compiled.entry(pattern).or_insert_with(OnceLock::new);
                    }
                    stack.extend(map.values());
                }
                _ => {}
            }
        }
        Patterns { compiled }
    }

    /// The compiled `pattern` (compiling it now if this is its first use),
    /// if it was collected.
    pub fn get(&self, pattern: &str) -> Option<&Result<Regex, String>> {
        self.compiled
            .get(pattern)
            .map(|cell| cell.get_or_init(|| compile(pattern)))
    }

    /// How many distinct patterns were collected.
    pub fn len(&self) -> usize {
        self.compiled.len()
    }

    /// Whether no pattern was collected.
    pub fn is_empty(&self) -> bool {
        self.compiled.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_regex_item_is_collected_once() {
        let config = json!({
            "audiences": [{"rules": {"OR": [{"AND": [{"OR_WHEN": [
                {"key": "a", "value": "^x", "matching": {"match_type": "regexMatches", "negated": false}},
                {"key": "b", "value": "^x", "matching": {"match_type": "regexMatches", "negated": true}},
                {"key": "c", "value": "(", "matching": {"match_type": "regexMatches", "negated": false}},
                {"key": "d", "value": "^y", "matching": {"match_type": "equals", "negated": false}}
            ]}]}]}}],
            "experiences": [{"site_area": {"OR": [{"AND": [{"OR_WHEN": [
                {"key": "url", "value": 42, "matching": {"match_type": "regexMatches", "negated": false}}
            ]}]}]}}]
        });
        let patterns = Patterns::collect([&config]);
        assert_eq!(patterns.len(), 3);
        assert!(patterns.get("^x").is_some_and(Result::is_ok));
        assert!(patterns.get("(").is_some_and(Result::is_err));
        assert!(patterns.get("42").is_some_and(Result::is_ok));
        assert!(patterns.get("^y").is_none());
    }
}
