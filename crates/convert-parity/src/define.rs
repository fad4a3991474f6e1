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
//! JSON texts are identical.

use std::collections::HashMap;

use convert_spec::identity::{fingerprint, identical};
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
    digest: String,
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
    /// `\n`) they need first are appended to `defines`.
    pub fn refer<'a>(
        &mut self,
        input: &'a Value,
        defines: &mut Vec<Vec<u8>>,
    ) -> Vec<(&'a str, String)> {
        let mut refs = Vec::new();
        let Value::Object(members) = input else {
            return refs;
        };
        for (name, value) in members {
            let (hash, size) = fingerprint(value);
            if size < MIN_BYTES {
                continue;
            }
            if let Some(found) = self
                .defined
                .get(&hash)
                .and_then(|list| list.iter().find(|d| identical(&d.value, value)))
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

    fn big(extra: Value) -> Value {
        json!({"padding": "x".repeat(MIN_BYTES), "extra": extra})
    }

    #[test]
    fn a_large_member_is_defined_on_second_use_then_referred() {
        let mut definitions = Definitions::default();
        let input = json!({"config": big(json!(1)), "visitor_id": "v"});
        let mut defines = Vec::new();
        assert!(
            definitions.refer(&input, &mut defines).is_empty(),
            "first use: inline"
        );
        assert!(defines.is_empty());
        let refs = definitions.refer(&input, &mut defines);
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
        assert_eq!(definitions.refer(&other, &mut defines), refs);
        assert!(defines.is_empty());
    }

    #[test]
    fn small_members_scalars_and_other_key_orders_stay_inline() {
        let mut definitions = Definitions::default();
        let mut defines = Vec::new();
        let small = json!({"rule": {"a": 1}, "data": "d"});
        for _ in 0..3 {
            assert!(definitions.refer(&small, &mut defines).is_empty());
            assert!(
                definitions
                    .refer(&json!("not an object"), &mut defines)
                    .is_empty()
            );
        }
        let ab = json!({"config": {"a": "x".repeat(MIN_BYTES), "b": 1}});
        let ba = json!({"config": {"b": 1, "a": "x".repeat(MIN_BYTES)}});
        definitions.refer(&ab, &mut defines);
        assert_eq!(definitions.refer(&ab, &mut defines).len(), 1);
        assert!(
            definitions.refer(&ba, &mut defines).is_empty(),
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
