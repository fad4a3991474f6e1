//! Objects: the order of `Object.keys`.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// Whether `key` is an *array index*: the canonical decimal form (no sign, no
/// leading zeros except `"0"` itself) of an integer in `0..=4294967294`.
/// JavaScript lists such keys first, in ascending numeric order.
pub fn is_array_index(key: &str) -> bool {
    if key.is_empty() || key.len() > 10 || !key.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if key.len() > 1 && key.starts_with('0') {
        return false;
    }
    key.parse::<u64>().is_ok_and(|n| n <= 4_294_967_294)
}

/// `Object.keys(map)` in JavaScript order: array-index keys first in
/// ascending numeric order, then every other key in insertion order.
///
/// `map` must preserve insertion order (serde_json's `preserve_order`, which
/// this workspace enables); `JSON.parse` inserts keys in document order, and a
/// duplicated key keeps its first position and its last value in both.
pub fn object_keys(map: &Map<String, Value>) -> Vec<&str> {
    let mut indices: Vec<(u64, &str)> = Vec::new();
    let mut others: Vec<&str> = Vec::new();
    for key in map.keys() {
        if is_array_index(key) {
            indices.push((key.parse().unwrap_or(u64::MAX), key));
        } else {
            others.push(key);
        }
    }
    indices.sort_unstable_by_key(|(n, _)| *n);
    indices.into_iter().map(|(_, k)| k).chain(others).collect()
}

/// The entries of `map` in `Object.keys` order (see [`object_keys`]),
/// without a lookup per key; nothing is collected or sorted unless some key
/// is an array index.
pub fn object_entries(map: &Map<String, Value>) -> Entries<'_> {
    if !map.keys().any(|k| is_array_index(k)) {
        return Entries::Insertion(map.iter());
    }
    let mut entries: Vec<(&str, &Value)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
    // A stable sort: array indices first, ascending; the rest in place.
    entries.sort_by_key(|(k, _)| {
        if is_array_index(k) {
            (0, k.parse::<u64>().unwrap_or(u64::MAX))
        } else {
            (1, 0)
        }
    });
    Entries::Sorted(entries.into_iter())
}

/// The iterator [`object_entries`] returns.
#[derive(Debug)]
pub enum Entries<'m> {
    /// No array-index key: insertion order is `Object.keys` order.
    Insertion(serde_json::map::Iter<'m>),
    /// Array-index keys first, then the rest in insertion order.
    Sorted(std::vec::IntoIter<(&'m str, &'m Value)>),
}

impl<'m> Iterator for Entries<'m> {
    type Item = (&'m str, &'m Value);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Entries::Insertion(entries) => entries.next().map(|(k, v)| (k.as_str(), v)),
            Entries::Sorted(entries) => entries.next(),
        }
    }
}

/// `Object.keys(value)` for any JSON value: an object's keys in JavaScript
/// order, an array's indices, a string's code-unit indices; nothing for
/// other values.
pub fn own_keys(value: &Value) -> Vec<Cow<'_, str>> {
    match value {
        Value::Object(map) => object_keys(map).into_iter().map(Cow::Borrowed).collect(),
        Value::Array(items) => (0..items.len())
            .map(|i| Cow::Owned(i.to_string()))
            .collect(),
        Value::String(s) => (0..s.encode_utf16().count())
            .map(|i| Cow::Owned(i.to_string()))
            .collect(),
        Value::Null | Value::Bool(_) | Value::Number(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn array_index_keys() {
        for k in ["0", "1", "1003142550", "4294967294"] {
            assert!(is_array_index(k), "{k}");
        }
        for k in [
            "",
            "01",
            "-1",
            "1.0",
            "4294967295",
            "5000000000",
            "a",
            " 1",
            "+1",
        ] {
            assert!(!is_array_index(k), "{k}");
        }
    }

    #[test]
    fn entries_follow_keys_order() {
        let value = json!({"b": 1, "10": 2, "a": 3, "2": 4});
        let Value::Object(map) = &value else {
            unreachable!()
        };
        let keys: Vec<&str> = object_entries(map).map(|(k, _)| k).collect();
        assert_eq!(keys, object_keys(map));
        assert_eq!(object_entries(map).next().map(|(_, v)| v), Some(&json!(4)));
    }

    #[test]
    fn keys_order_matches_v8() {
        // Verified with node 20 (digest §2.2):
        // Object.keys({'1003142551':1,'1003142550':1,b:1,a:1,'5000000000':1,'01':1})
        let value =
            json!({"1003142551": 1, "1003142550": 1, "b": 1, "a": 1, "5000000000": 1, "01": 1});
        let Value::Object(map) = &value else {
            unreachable!()
        };
        assert_eq!(
            object_keys(map),
            ["1003142550", "1003142551", "b", "a", "5000000000", "01"]
        );
    }
}
