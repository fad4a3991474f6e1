//! MurmurHash3 x86 32-bit, the hash behind every bucketing decision.
//!
//! The JS SDK hashes with the npm package `murmurhash` 2.0.1 (`v3`), which
//! encodes the string as UTF-8 with `TextEncoder` (a lone UTF-16 surrogate
//! becomes U+FFFD) and runs standard MurmurHash3_x86_32 over the bytes. The
//! result is an unsigned 32-bit integer. See `spec/hash.md`.
//!
//! The implementation works on a byte slice. The `murmur3` crate computes the
//! same function through `std::io::Read` and is several times slower on short
//! keys; it is kept as the test oracle and in the benchmark
//! (`benches/hash.rs`, numbers in `spec/hash.md`).

/// The seed the SDKs use unless configured otherwise (`bucketing.hash_seed`).
pub const DEFAULT_SEED: u32 = 9999;

const C1: u32 = 0xcc9e_2d51;
const C2: u32 = 0x1b87_3593;

#[inline]
fn mix_block(k: u32) -> u32 {
    k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2)
}

/// MurmurHash3_x86_32 of `data` with `seed`.
///
/// ```
/// use convert_engine::hash::murmur3_x86_32;
/// assert_eq!(murmur3_x86_32(b"hello", 9999), 198_804_431);
/// assert_eq!(murmur3_x86_32(b"", 0), 0);
/// ```
pub fn murmur3_x86_32(data: &[u8], seed: u32) -> u32 {
    let mut h = crate::mutant!("hash.seed-ignored", seed, DEFAULT_SEED);
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        h ^= mix_block(u32::from_le_bytes([block[0], block[1], block[2], block[3]]));
        h = crate::mutant!("hash.rotation", h.rotate_left(13), h.rotate_left(12))
            .wrapping_mul(5)
            .wrapping_add(0xe654_6b64);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let k = tail.iter().enumerate().fold(0u32, |k, (i, byte)| {
            let shift = crate::mutant!("hash.tail-order", 8 * i, 8 * (tail.len() - 1 - i));
            k | (u32::from(*byte) << shift)
        });
        h ^= mix_block(k);
    }
    // The length enters modulo 2^32, as in the reference implementation.
    #[allow(clippy::cast_possible_truncation)]
    let len = data.len() as u32;
    fmix32(crate::mutant!("hash.length", h ^ len, h))
}

#[inline]
fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// The hash of a string's UTF-8 bytes: what `generateHash(value, seed)` in the
/// JS SDK computes for a string without lone surrogates.
pub fn hash_str(value: &str, seed: u32) -> u32 {
    crate::mutant!(
        "hash.case-fold",
        crate::mutant!(
            "hash.latin1",
            murmur3_x86_32(value.as_bytes(), seed),
            murmur3_x86_32(&value.chars().map(|c| c as u8).collect::<Vec<u8>>(), seed)
        ),
        murmur3_x86_32(value.to_lowercase().as_bytes(), seed)
    )
}

/// The hash of a JavaScript string given as UTF-16 code units, encoded the
/// way `TextEncoder` does: each lone surrogate becomes U+FFFD (`EF BF BD`).
/// Rust strings cannot hold lone surrogates; this is for callers that carry
/// raw JS strings.
pub fn hash_utf16(units: &[u16], seed: u32) -> u32 {
    hash_str(&String::from_utf16_lossy(units), seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The digest's verified table (js-sdk-behaviour.md §2.1): the published
    // 4.4.3 bundle's murmurhash v3 run under node.
    #[test]
    fn matches_the_js_sdk_table() {
        let cases: &[(&str, u32, u32)] = &[
            ("", 0, 0),
            ("", 1, 1_364_076_727),
            ("hello", 0, 613_153_351),
            ("hello", 9999, 198_804_431),
            ("abc", 9999, 3_277_137_089),
            ("abcd", 9999, 347_024_488),
            ("abcde", 9999, 80_561_883),
            ("300visitor-123", 9999, 3_482_310_444),
            ("é", 9999, 3_298_638_250),
            ("😀", 9999, 689_720_682),
        ];
        for (input, seed, want) in cases {
            assert_eq!(hash_str(input, *seed), *want, "murmur3({input:?}, {seed})");
        }
    }

    #[test]
    fn lone_surrogate_hashes_as_replacement_character() {
        assert_eq!(hash_utf16(&[0xD800], 9999), 4_211_015_195);
        assert_eq!(hash_utf16(&[0xD800], 9999), hash_str("\u{FFFD}", 9999));
        // A valid pair is the same as the UTF-8 string.
        let units: Vec<u16> = "😀".encode_utf16().collect();
        assert_eq!(hash_utf16(&units, 9999), 689_720_682);
    }

    // rust-notes §2, cross-checked there against npm murmurhash 2.0.1.
    #[test]
    fn matches_rust_notes_vectors() {
        assert_eq!(hash_str("test_visitor", 9999), 2_397_688_595);
        assert_eq!(hash_str("", 9999), 3_523_940_263);
        assert_eq!(hash_str("用户123", 9999), 3_859_151_469);
        assert_eq!(hash_str("hello world", 0), 0x5e92_8f0f);
    }
}
