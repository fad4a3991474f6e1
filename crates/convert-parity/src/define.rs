//! The runner's side of the protocol's `define` extension
//! (`spec/protocol.md`, "define"): which members of a case input an adapter
//! that declares the `define` feature gets by reference, and the `define`
//! lines to send before the case.
//!
//! A member is sent by reference when its JSON is large
//! ([`MIN_BYTES`] or more) and it was seen before in this process's session
//! (a value used once is sent inline, as without the extension). A
//! definition is sent once per adapter process (a restarted process starts
//! with none), and at most [`MAX_BYTES`] of definitions per process; beyond
//! that, values go inline. Values are recognised by a structural hash and
//! confirmed by an order-sensitive comparison (key order is significant to
//! JavaScript semantics), so two inputs share a definition only when their
//! JSON texts are identical. A member with an interned handle (a suite's
//! cases have them, [`convert_spec::identity::Interner`]) is recognised by
//! the handle instead: no walk at all.

use std::collections::HashMap;

use std::sync::Arc;

use convert_spec::identity::{Members, Shared, fingerprint, identical, same_handle};
use serde_json::Value;

/// The smallest value (estimated JSON size, bytes) sent by reference.
pub const MIN_BYTES: usize = 1024;

/// The most bytes of definitions sent to one adapter process.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// How many once-seen values are remembered (then forgotten all at once).
const MAX_SEEN: usize = 4096;

/// A defined value and its digest.
#[derive(Debug)]
struct Defined {
    value: Value,
    /// The handle of the value it was defined from, if it had one.
    shared: Option<Arc<Shared>>,
    digest: String,
}

impl Defined {
    /// Whether `value`, with handle `shared`, is this definition's value.
    fn is(&self, value: &Value, shared: Option<&Arc<Shared>>) -> bool {
        same_handle(self.shared.as_ref(), shared) || identical(&self.value, value)
    }
}

/// What one adapter process has been sent.
#[derive(Debug, Default)]
pub struct Definitions {
    defined: HashMap<u64, Vec<Defined>>,
    seen: HashMap<u64, ()>,
    bytes: usize,
}

impl Definitions {
    /// The members of `input` (an object) to send by reference, as
    /// `(member, digest)`, in input order; the `define` lines (JSON and
    /// `\n`) they need first are appended to `defines`. `handles` are the
    /// interned handles of `input`'s members (may be empty).
    pub fn refer<'a>(
        &mut self,
        input: &'a Value,
        handles: &Members,
        defines: &mut Vec<Vec<u8>>,
    ) -> Vec<(&'a str, String)> {
        let mut refs = Vec::new();
        let Value::Object(members) = input else {
            return refs;
        };
        for (name, value) in members {
            let shared = handles.get(name);
            let (hash, size) = match shared {
                Some(shared) => (shared.hash(), shared.size()),
                None if matches!(value, Value::Object(_) | Value::Array(_)) => fingerprint(value),
                // A scalar: only a long string could be large enough.
                None => match value {
                    Value::String(text) if text.len() + 2 >= MIN_BYTES => fingerprint(value),
                    _ => continue,
                },
            };
            if size < MIN_BYTES {
                continue;
            }
            if let Some(found) = self
                .defined
                .get(&hash)
                .and_then(|list| list.iter().find(|d| d.is(value, shared)))
            {
                refs.push((name.as_str(), found.digest.clone()));
                continue;
            }
            if self.seen.remove(&hash).is_none() {
                if self.seen.len() >= MAX_SEEN {
                    self.seen.clear();
                }
                self.seen.insert(hash, ());
                continue;
            }
            let Ok(text) = serde_json::to_vec(value) else {
                continue;
            };
            if self.bytes + text.len() > MAX_BYTES {
                continue;
            }
            let digest = format!("sha256:{}", convert_spec::digest::sha256_hex(&text));
            let mut line = Vec::with_capacity(text.len() + digest.len() + 40);
            line.extend_from_slice(b"{\"cmd\":\"define\",\"digest\":\"");
            line.extend_from_slice(digest.as_bytes());
            line.extend_from_slice(b"\",\"value\":");
            line.extend_from_slice(&text);
            line.extend_from_slice(b"}\n");
            defines.push(line);
            self.bytes += text.len();
            self.defined.entry(hash).or_default().push(Defined {
                value: value.clone(),
                shared: shared.cloned(),
                digest: digest.clone(),
            });
            refs.push((name.as_str(), digest));
        }
        refs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn none() -> Members {
        Members::default()
    }

    fn big(extra: Value) -> Value {
        json!({"padding": "x".repeat(MIN_BYTES), "extra": extra})
    }

    #[test]
    fn a_large_member_is_defined_on_second_use_then_referred() {
        let mut definitions = Definitions::default();
        let input = json!({"config": big(json!(1)), "visitor_id": "v"});
        let mut defines = Vec::new();
        assert!(
            definitions.refer(&input, &none(), &mut defines).is_empty(),
            "first use: inline"
        );
        assert!(defines.is_empty());
        let refs = definitions.refer(&input, &none(), &mut defines);
        assert_eq!(defines.len(), 1);
        let define: convert_spec::protocol::Request = serde_json::from_slice(&defines[0]).unwrap();
        let expected =
            convert_spec::protocol::Request::Define(convert_spec::protocol::DefineRequest {
                digest: convert_spec::protocol::define_digest(&input["config"]),
                value: input["config"].clone(),
            });
        assert_eq!(define, expected);
        assert_eq!(
            refs,
            vec![(
                "config",
                convert_spec::protocol::define_digest(&input["config"])
            )]
        );
        // A third use (an equal value elsewhere) is referred without a new definition.
        let other = json!({"visitor_id": "w", "config": big(json!(1))});
        defines.clear();
        assert_eq!(definitions.refer(&other, &none(), &mut defines), refs);
        assert!(defines.is_empty());
    }

    #[test]
    fn interned_members_are_referred_by_handle_as_without_one() {
        use convert_spec::identity::Interner;
        let mut interner = Interner::new();
        let inputs: Vec<Arc<Value>> = (0..3)
            .map(|i| Arc::new(json!({"config": big(json!(1)), "visitor_id": i})))
            .chain([Arc::new(json!({"config": big(json!(2))}))])
            .collect();
        let mut by_handle = Definitions::default();
        let mut by_value = Definitions::default();
        let mut shape = Vec::new();
        for input in &inputs {
            let handles = interner.members(input);
            assert!(handles.get("config").is_some());
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let refs = by_handle.refer(input, &handles, &mut a);
            assert_eq!(refs, by_value.refer(input, &none(), &mut b));
            assert_eq!(a, b);
            shape.push((refs.len(), a.len()));
        }
        // Inline, defined and referred, referred; the other config: inline.
        assert_eq!(shape, [(0, 0), (1, 1), (1, 0), (0, 0)]);
    }

    #[test]
    fn small_members_scalars_and_other_key_orders_stay_inline() {
        let mut definitions = Definitions::default();
        let mut defines = Vec::new();
        let small = json!({"rule": {"a": 1}, "data": "d"});
        for _ in 0..3 {
            assert!(definitions.refer(&small, &none(), &mut defines).is_empty());
            assert!(
                definitions
                    .refer(&json!("not an object"), &none(), &mut defines)
                    .is_empty()
            );
        }
        let ab = json!({"config": {"a": "x".repeat(MIN_BYTES), "b": 1}});
        let ba = json!({"config": {"b": 1, "a": "x".repeat(MIN_BYTES)}});
        definitions.refer(&ab, &none(), &mut defines);
        assert_eq!(definitions.refer(&ab, &none(), &mut defines).len(), 1);
        assert!(
            definitions.refer(&ba, &none(), &mut defines).is_empty(),
            "another key order is another value"
        );
        assert!(!identical(&ab, &ba));
        assert!(!identical(&json!([1]), &json!([1.0])));
        assert!(identical(
            &json!({"a": [1, {"b": null}]}),
            &json!({"a": [1, {"b": null}]})
        ));
    }
}
