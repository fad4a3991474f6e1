//! Identity of JSON values as texts: the same JSON up to whitespace, key
//! order and number representations included. `serde_json`'s `==` is not
//! that: with `preserve_order` it ignores key order (which JavaScript's
//! `Object.keys` observes), and it equates `0.0` with `-0.0`. The runner
//! shares work between inputs only when they are identical in this sense
//! (a config read once, a value sent once by reference).
//!
//! Finding that two values are identical costs a walk of each. An
//! [`Interner`] does it once for the members of many inputs and hands out
//! [`Shared`] handles: two members are identical exactly when their handles
//! are the same `Arc`. The runner interns a suite's case inputs when it
//! loads them, so the targets that answer the cases (and each lane of a
//! target) recognise a config by its handle instead of by a walk.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

/// Whether `a` and `b` are the same JSON text up to whitespace: key order,
/// strings and number representations included. Iterative (an explicit
/// stack), so no depth of value can overflow the call stack.
pub fn identical(a: &Value, b: &Value) -> bool {
    all_identical(vec![(a, b)])
}

/// [`identical`] for two objects given as maps.
pub fn identical_maps(a: &Map<String, Value>, b: &Map<String, Value>) -> bool {
    let mut pending = Vec::with_capacity(a.len());
    same_keys_in_order(a, b, &mut pending) && all_identical(pending)
}

/// Whether `a` and `b` have the same keys in the same order; their values,
/// paired, are pushed onto `pending` to be compared.
fn same_keys_in_order<'a>(
    a: &'a Map<String, Value>,
    b: &'a Map<String, Value>,
    pending: &mut Vec<(&'a Value, &'a Value)>,
) -> bool {
    if a.len() != b.len() {
        return false;
    }
    for ((ka, va), (kb, vb)) in a.iter().zip(b) {
        if ka != kb {
            return false;
        }
        pending.push((va, vb));
    }
    true
}

/// Whether every pair of `pending` is [`identical`].
fn all_identical<'a>(mut pending: Vec<(&'a Value, &'a Value)>) -> bool {
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
            (Value::Object(x), Value::Object(y)) => {
                if !same_keys_in_order(x, y, &mut pending) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

/// A structural hash of `value` (key order included) and an estimate of its
/// compact JSON size, in one iterative walk (no recursion per level). The
/// hash is fast, not strong: identical values hash alike, so a collision
/// only costs an [`identical`] comparison.
pub fn fingerprint(value: &Value) -> (u64, usize) {
    let mut hash = Mix(0);
    let mut size = 0usize;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Null => {
                hash.word(0);
                size += 4;
            }
            Value::Bool(b) => {
                hash.word(1 + u64::from(*b));
                size += 5;
            }
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    hash.word(3);
                    hash.word(u);
                } else if let Some(i) = n.as_i64() {
                    hash.word(4);
                    hash.word(i.cast_unsigned());
                } else {
                    hash.word(5);
                    hash.word(n.as_f64().unwrap_or_default().to_bits());
                }
                size += 8;
            }
            Value::String(s) => {
                hash.word(6);
                hash.bytes(s.as_bytes());
                size += s.len() + 2;
            }
            Value::Array(items) => {
                hash.word(7);
                hash.word(items.len() as u64);
                size += 2 + items.len();
                stack.extend(items.iter().rev());
            }
            Value::Object(members) => {
                hash.word(8);
                hash.word(members.len() as u64);
                size += 2;
                for key in members.keys() {
                    hash.bytes(key.as_bytes());
                    size += key.len() + 4;
                }
                stack.extend(members.values().rev());
            }
        }
    }
    (hash.0, size)
}

/// One JSON text, as found by an [`Interner`]: every member the interner
/// found identical to it holds this same `Arc`, and no other member does.
/// Compare handles with [`same_handle`]. Only an interner makes them.
#[derive(Debug)]
pub struct Shared {
    hash: u64,
    size: usize,
}

impl Shared {
    /// The value's [`fingerprint`] hash.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// The value's [`fingerprint`] size estimate (bytes of compact JSON).
    pub fn size(&self) -> usize {
        self.size
    }
}

/// Whether `a` and `b` are both handles and the same one: for values from
/// one [`Interner`], exactly when the values are identical. `false` when
/// either is missing (the values must then be compared).
pub fn same_handle(a: Option<&Arc<Shared>>, b: Option<&Arc<Shared>>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if Arc::ptr_eq(a, b))
}

/// The [`Shared`] handles of one input object's members, by member name (a
/// member without one has no handle: not interned, or not an object or
/// array). Cheap to clone. Two lists are equal when they hold the same
/// handles under the same names.
#[derive(Clone, Debug, Default)]
pub struct Members(Arc<[(String, Arc<Shared>)]>);

impl Members {
    /// The handle of member `name`, if it has one.
    pub fn get(&self, name: &str) -> Option<&Arc<Shared>> {
        self.0
            .iter()
            .find(|(member, _)| member == name)
            .map(|(_, shared)| shared)
    }

    /// Whether no member has a handle.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl PartialEq for Members {
    fn eq(&self, other: &Members) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(other.0.iter())
                .all(|((a, x), (b, y))| a == b && Arc::ptr_eq(x, y))
    }
}

/// Finds identical members across input objects: each object- or
/// array-valued member of an interned input gets the [`Shared`] handle of
/// the first identical member seen (one [`fingerprint`] per member, one
/// [`identical`] comparison per member whose hash was seen). It keeps the
/// inputs that first held each value.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    known: HashMap<u64, Vec<Known>>,
}

/// An interned value: where it was first seen, and its handle.
#[derive(Clone, Debug)]
struct Known {
    input: Arc<Value>,
    member: String,
    shared: Arc<Shared>,
}

impl Known {
    fn value(&self) -> Option<&Value> {
        self.input.get(&self.member)
    }
}

impl Interner {
    /// An interner that has seen nothing.
    pub fn new() -> Interner {
        Interner::default()
    }

    /// The handles of `input`'s object- and array-valued members (none when
    /// `input` is not an object).
    pub fn members(&mut self, input: &Arc<Value>) -> Members {
        let Value::Object(fields) = input.as_ref() else {
            return Members::default();
        };
        let mut members = Vec::new();
        for (name, value) in fields {
            if !matches!(value, Value::Object(_) | Value::Array(_)) {
                continue;
            }
            let (hash, size) = fingerprint(value);
            let candidates = self.known.entry(hash).or_default();
            let shared = match candidates
                .iter()
                .find(|known| known.value().is_some_and(|kept| identical(kept, value)))
            {
                Some(known) => Arc::clone(&known.shared),
                None => {
                    let shared = Arc::new(Shared { hash, size });
                    candidates.push(Known {
                        input: Arc::clone(input),
                        member: name.clone(),
                        shared: Arc::clone(&shared),
                    });
                    shared
                }
            };
            members.push((name.clone(), shared));
        }
        Members(members.into())
    }
}

/// A multiply–rotate hash over 64-bit words (the FxHash step).
struct Mix(u64);

impl Mix {
    fn word(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn bytes(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.word(u64::from_le_bytes(
                <[u8; 8]>::try_from(chunk).unwrap_or_default(),
            ));
        }
        let rest = chunks.remainder();
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        self.word(u64::from_le_bytes(last));
        self.word(bytes.len() as u64);
    }
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
        let (Value::Object(x), Value::Object(y)) = (&ab, &ba) else {
            unreachable!()
        };
        assert!(identical_maps(x, x) && !identical_maps(x, y));
    }

    #[test]
    fn identical_values_have_one_fingerprint() {
        let text = r#"{"a": [1, 2.5, "xyz", null, true], "b": {"c": -3}}"#;
        let (hash, size) = fingerprint(&parsed(text));
        assert_eq!(fingerprint(&parsed(text)), (hash, size));
        // The size is an estimate of the compact text's length (within 2×).
        let compact = serde_json::to_string(&parsed(text)).unwrap().len();
        assert!(
            compact / 2 <= size && size <= compact * 2,
            "{size} vs {compact}"
        );
        // What `identical` tells apart, these hash apart.
        for other in [
            r#"{"b": {"c": -3}, "a": [1, 2.5, "xyz", null, true]}"#,
            r#"{"a": [1, 2.5, "xyz", null, true], "b": {"c": -3.0}}"#,
            r#"{"a": [1, 2.5, "xyz", null, false], "b": {"c": -3}}"#,
            r#"{"a": [1, 2.5, "xyZ", null, true], "b": {"c": -3}}"#,
        ] {
            assert_ne!(fingerprint(&parsed(other)).0, hash, "{other}");
        }
    }

    #[test]
    fn interned_members_share_a_handle_exactly_when_identical() {
        let mut interner = Interner::new();
        let inputs = [
            r#"{"config": {"a": [1, 2]}, "visitor_id": "v1", "attributes": {}}"#,
            r#"{"config": {"a": [1, 2]}, "visitor_id": "v2", "attributes": []}"#,
            r#"{"attributes": {}, "config": {"a": [1, 2.0]}}"#,
            r#"{"config": {"a": [1, 2]}}"#,
            r#"[{"a": [1, 2]}]"#,
        ]
        .map(|text| Arc::new(parsed(text)));
        let members: Vec<Members> = inputs.iter().map(|i| interner.members(i)).collect();
        let handle = |i: usize, name: &str| members[i].get(name).cloned();
        // Scalars get no handle, nor does a member of a non-object.
        assert!(handle(0, "visitor_id").is_none());
        assert!(members[4].is_empty());
        // The same config text: one handle; another number form: another.
        let config = handle(0, "config").unwrap();
        assert!(Arc::ptr_eq(&config, &handle(1, "config").unwrap()));
        assert!(Arc::ptr_eq(&config, &handle(3, "config").unwrap()));
        assert!(!Arc::ptr_eq(&config, &handle(2, "config").unwrap()));
        assert!(same_handle(Some(&config), handle(1, "config").as_ref()));
        assert!(!same_handle(Some(&config), handle(2, "config").as_ref()));
        assert!(!same_handle(Some(&config), None) && !same_handle(None, None));
        // `{}` and `[]` are different texts; `{}` under another name is the same.
        assert!(!Arc::ptr_eq(
            &handle(0, "attributes").unwrap(),
            &handle(1, "attributes").unwrap()
        ));
        assert!(Arc::ptr_eq(
            &handle(0, "attributes").unwrap(),
            &handle(2, "attributes").unwrap()
        ));
        assert_eq!(config.hash(), fingerprint(&inputs[0]["config"]).0);
        assert_eq!(config.size(), fingerprint(&inputs[0]["config"]).1);
        // Lists compare by handle.
        assert_eq!(members[0], members[0].clone());
        assert_ne!(members[0], members[1]);
        // The same text in another interner: another handle.
        let other = Interner::new().members(&inputs[0]);
        assert_ne!(members[0], other);
    }

    #[test]
    fn identical_survives_any_depth() {
        let deep = |n: usize| (0..n).fold(json!([]), |inner, _| Value::Array(vec![inner]));
        let (a, b) = (deep(100_000), deep(100_000));
        assert!(identical(&a, &b));
        let shallower = deep(99_999);
        assert!(!identical(&a, &shallower));
        // Dropped without recursion, one level at a time.
        for value in [a, b, shallower] {
            let mut stack = vec![value];
            while let Some(value) = stack.pop() {
                if let Value::Array(items) = value {
                    stack.extend(items);
                }
            }
        }
    }
}
