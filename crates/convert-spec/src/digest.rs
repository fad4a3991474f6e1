//! Content digests: of a case input (to prove an id is never reused for a
//! different input) and of whole trees (for report provenance).

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The digest of a case input: SHA-256 of its compact JSON text, key order as
/// written (key order can be significant to JavaScript semantics).
pub fn input_digest(input: &Value) -> String {
    sha256_hex(input.to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn digest_is_stable_and_order_sensitive() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(
            input_digest(&json!({"a":1,"b":2})),
            input_digest(&json!({"b":2,"a":1}))
        );
    }
}
