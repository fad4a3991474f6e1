//! Bucketing: a visitor's bucket value for an experience, and the variation
//! that value selects.
//!
//! - The **bucket value** is `floor(murmur3(experienceId + visitorId) / 2^32 ×
//!   10000)`, an integer in `0..10000` ([`bucket_value`]).
//! - The **layout** turns the experience's variations into bands of bucket
//!   values. Contract 11 ([`Layout::Packed`], every experience whose
//!   `Number(version)` is at most 11) packs the running variations' bands one
//!   after the other in JavaScript `Object.keys` order ([`PackedBuckets`]).
//!   Contract 12 ([`Layout::Anchored`]) anchors each variation's band at its
//!   cumulative weight, so changing one variation never moves another's band
//!   ([`AnchoredRanges`]).
//!
//! Sources: `packages/bucketing/src/bucketing-manager.ts` and
//! `packages/data/src/data-manager.ts` (`_retrieveBucketing`,
//! `_buildPackedBuckets`, `_buildVariationAllocations`) in
//! convertcom/javascript-sdk. See `spec/bucketing.md`.

mod anchored;
mod packed;

use std::num::NonZeroU32;

use serde_json::Value;

pub use anchored::{AnchoredRange, AnchoredRanges};
pub use packed::{PackedBucket, PackedBuckets};

use crate::hash::{self, DEFAULT_SEED};
use crate::js;

/// The bucket space: bucket values are in `0..MAX_TRAFFIC` with the SDK
/// defaults, and a traffic allocation of `p` percent covers `p × 100` values.
pub const MAX_TRAFFIC: u32 = 10_000;

/// The bucketing settings of an SDK instance (`bucketing.*` in the JS SDK
/// config).
///
/// The JS SDK reads them as `hash_seed || 9999` and `max_traffic || 10000`, so
/// a configured 0 means the default; callers that read a JS-style config
/// should apply the same rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BucketingOptions {
    /// The MurmurHash3 seed (default [`DEFAULT_SEED`], 9999).
    pub hash_seed: u32,
    /// The size of the bucket space (default [`MAX_TRAFFIC`]). Only the bucket
    /// value scales with it; traffic allocations are always percent × 100.
    pub max_traffic: NonZeroU32,
    /// Hash the visitor id alone instead of `experienceId + visitorId`
    /// (`bucketing.excludeExperienceIdHash`, default false).
    pub exclude_experience_id_hash: bool,
}

impl Default for BucketingOptions {
    fn default() -> Self {
        BucketingOptions {
            hash_seed: crate::mutant!("hash.default-seed", DEFAULT_SEED, DEFAULT_SEED - 1),
            max_traffic: NonZeroU32::new(MAX_TRAFFIC).unwrap_or(NonZeroU32::MIN),
            exclude_experience_id_hash: false,
        }
    }
}

impl BucketingOptions {
    /// The bucket value of `visitor_id` in the experience `experience_id`
    /// (the experience id as `experience.id.toString()` gives it).
    pub fn bucket_value(&self, experience_id: &str, visitor_id: &str) -> u32 {
        let prefix = if crate::mutant!(
            "bucketing.experience-prefix",
            self.exclude_experience_id_hash,
            true
        ) {
            ""
        } else {
            experience_id
        };
        let h = hash_concatenation(prefix.as_bytes(), visitor_id.as_bytes(), self.hash_seed);
        if self.max_traffic.get() == MAX_TRAFFIC {
            scale_hash(h)
        } else {
            scale_hash_js(h, self.max_traffic)
        }
    }
}

/// MurmurHash3 of `first` followed by `second`, without allocating for the
/// usual key sizes (ids up to 256 bytes together are joined on the stack).
fn hash_concatenation(first: &[u8], second: &[u8], seed: u32) -> u32 {
    const STACK: usize = 256;
    let len = first.len() + second.len();
    if len <= STACK {
        let mut joined = [0u8; STACK];
        joined[..first.len()].copy_from_slice(first);
        joined[first.len()..len].copy_from_slice(second);
        hash::murmur3_x86_32(&joined[..len], seed)
    } else {
        hash::murmur3_x86_32(&[first, second].concat(), seed)
    }
}

/// The bucket value of `visitor_id` in `experience_id` with the SDK defaults
/// (seed 9999, 10000 buckets).
///
/// ```
/// use convert_engine::bucketing::bucket_value;
/// assert_eq!(bucket_value("300", "visitor-123"), 8107);
/// assert_eq!(bucket_value("", ""), 8204);
/// ```
pub fn bucket_value(experience_id: &str, visitor_id: &str) -> u32 {
    BucketingOptions::default().bucket_value(experience_id, visitor_id)
}

/// `hash / 2^32 × 10000`, truncated, in exact integer arithmetic.
///
/// Equal to the JavaScript formula ([`scale_hash_js`] with 10000) for every
/// hash: `hash × 10000 < 2^46`, so every step of the JS computation is exact
/// in f64, and the quotient is never small enough for `String()` to switch to
/// exponent notation unless it is 0.
pub fn scale_hash(hash: u32) -> u32 {
    let scale = crate::mutant!("bucketing.percent-scale", MAX_TRAFFIC, 100);
    let scaled = crate::mutant!(
        "bucketing.rounding",
        (u64::from(hash) * u64::from(scale)) >> 32,
        (u64::from(hash) * u64::from(scale) + (1 << 31)) >> 32
    );
    // scaled < 10000.
    u32::try_from(scaled).unwrap_or(MAX_TRAFFIC - 1)
}

/// The JavaScript formula, for any bucket space: `parseInt(String(hash /
/// 4294967296 × max_traffic), 10)`.
///
/// It keeps the SDK's quirk: a non-zero quotient below 1e-6 prints in
/// exponent notation (`"2.3283064365386963e-10"`) and `parseInt` then reads
/// its leading digit (2). With 10000 buckets this cannot happen.
pub fn scale_hash_js(hash: u32, max_traffic: NonZeroU32) -> u32 {
    let val = (f64::from(hash) / 4_294_967_296.0) * f64::from(max_traffic.get());
    let parsed = js::parse_int(&js::number_to_string(val));
    // `val` is finite, non-negative and below `max_traffic`, so `parsed` is a
    // non-negative integer that fits; `as` saturates otherwise.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let value = parsed as u32;
    value
}

/// The bucketing contract of an experience: which layout maps bucket values
/// to variations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    /// Contract 11: the packed cumulative walk.
    Packed,
    /// Contract 12: anchored ranges.
    Anchored,
}

impl Layout {
    /// The layout an experience's `version` selects: anchored iff
    /// `Number(version) > 11` (so `12`, `"12"` and `11.5` are anchored;
    /// `11`, absent, `null`, `"abc"` and `true` are packed).
    pub fn for_version(version: Option<&Value>) -> Layout {
        let n = js::to_number(version);
        if crate::mutant!("bucketing.version-gate", n > 11.0, n >= 11.0) {
            Layout::Anchored
        } else {
            Layout::Packed
        }
    }

    /// The contract number (11 or 12).
    pub fn contract(self) -> u32 {
        match self {
            Layout::Packed => 11,
            Layout::Anchored => 12,
        }
    }
}

/// One variation as the layouts see it: its raw `id`, `traffic_allocation`
/// and `status` JSON values (`None` when absent). The layouts apply the
/// JavaScript coercions themselves.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Arm<'a> {
    /// `variation.id`.
    pub id: Option<&'a Value>,
    /// `variation.traffic_allocation`, in percent.
    pub traffic_allocation: Option<&'a Value>,
    /// `variation.status`.
    pub status: Option<&'a Value>,
}

impl<'a> Arm<'a> {
    /// Reads the fields of a variation object. Any other JSON value (as JS
    /// reads properties of a primitive) has none of them.
    pub fn from_variation(variation: &'a Value) -> Arm<'a> {
        let field = |name: &str| js::get(Some(variation), name).filter(|_| variation.is_object());
        Arm {
            id: field("id"),
            traffic_allocation: field("traffic_allocation"),
            status: field("status"),
        }
    }

    /// `variation.status ? variation.status === 'running' : true`: a missing
    /// or falsy status means running.
    pub fn is_running(&self) -> bool {
        crate::mutant!(
            "bucketing.status",
            !js::truthy(self.status)
                || matches!(self.status, Some(Value::String(s)) if s == "running"),
            true
        )
    }

    /// `Number(traffic_allocation)` (NaN when absent).
    pub fn allocation_number(&self) -> f64 {
        js::to_number(self.traffic_allocation)
    }

    /// `traffic_allocation > 0 || isNaN(traffic_allocation)`: the arm has
    /// traffic (an absent or non-numeric allocation counts as 100 %).
    pub fn has_traffic(&self) -> bool {
        let n = self.allocation_number();
        crate::mutant!("bucketing.zero-traffic", n > 0.0, n >= 0.0) || n.is_nan()
    }
}

/// An experience's variations as bands of bucket values under one layout:
/// what a bucket value is looked up in. Depends only on the config, so a
/// config builds it once per experience
/// ([`Experience::bands`](crate::config::Experience::bands)).
#[derive(Clone, Debug, PartialEq)]
pub enum Bands {
    /// Contract 11.
    Packed(PackedBuckets),
    /// Contract 12.
    Anchored(AnchoredRanges),
}

impl Bands {
    /// The bands of `arms` under `layout`.
    pub fn build(layout: Layout, arms: &[Arm<'_>]) -> Bands {
        match layout {
            Layout::Packed => Bands::Packed(PackedBuckets::build(arms)),
            Layout::Anchored => Bands::Anchored(AnchoredRanges::build(arms)),
        }
    }

    /// The layout.
    pub fn layout(&self) -> Layout {
        match self {
            Bands::Packed(_) => Layout::Packed,
            Bands::Anchored(_) => Layout::Anchored,
        }
    }

    /// The variation id (`String(variation.id)`) the bucket value selects,
    /// or `None` when it falls outside every band.
    pub fn select(&self, value: u32) -> Option<&str> {
        match self {
            Bands::Packed(buckets) => buckets.select(value),
            Bands::Anchored(ranges) => ranges.select(value),
        }
    }
}

/// The variation a bucket value selects under `layout`, as the string the
/// SDK then looks up (`String(variationId)`), or `None` when the value falls
/// outside every band.
pub fn select_variation(layout: Layout, arms: &[Arm<'_>], value: u32) -> Option<String> {
    Bands::build(layout, arms).select(value).map(str::to_owned)
}

/// A bucketing decision: the bucket value and the variation it selects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// The visitor's bucket value.
    pub value: u32,
    /// The selected variation id, or `None` (the SDK's
    /// `convert.com_variation_not_decided`).
    pub variation_id: Option<String>,
    /// The layout that was used.
    pub layout: Layout,
}

/// Buckets `visitor_id` into one of `arms` of the experience `experience_id`.
pub fn bucket(
    experience_id: &str,
    visitor_id: &str,
    arms: &[Arm<'_>],
    layout: Layout,
    options: &BucketingOptions,
) -> Selection {
    let value = options.bucket_value(experience_id, visitor_id);
    Selection {
        value,
        variation_id: select_variation(layout, arms, value),
        layout,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // The digest's verified bucket values (js-sdk-behaviour.md §2.1, published
    // 4.4.3 bundle, `getValueVisitorBased`).
    #[test]
    fn bucket_values_match_the_js_sdk() {
        let cases: &[(&str, &str, u32)] = &[
            ("", "visitor", 9457),
            ("100", "visitor-1", 5819),
            ("300", "visitor-123", 8107),
            ("100334665", "user-1", 7890),
            ("", "", 8204),
            ("", "é", 7680),
            ("", "日本", 6208),
            ("", "😀", 1605),
            ("900000001", "thirds-core-O-1", 293),
        ];
        for (experience, visitor, want) in cases {
            assert_eq!(
                bucket_value(experience, visitor),
                *want,
                "({experience:?}, {visitor:?})"
            );
        }
    }

    #[test]
    fn lone_surrogate_bucket_value() {
        // ("1", "\uD800") → 2476 in the digest: "1" + U+FFFD.
        let h = hash::hash_utf16(&[u16::from(b'1'), 0xD800], DEFAULT_SEED);
        assert_eq!(scale_hash(h), 2476);
    }

    #[test]
    fn exclude_experience_id_hash_hashes_the_visitor_alone() {
        let options = BucketingOptions {
            exclude_experience_id_hash: true,
            ..BucketingOptions::default()
        };
        assert_eq!(options.bucket_value("300", "visitor-123"), 2632);
    }

    #[test]
    fn js_formula_keeps_the_exponent_quirk() {
        // node: parseInt(String(1 / 4294967296 * 1), 10) === 2
        assert_eq!(scale_hash_js(1, NonZeroU32::MIN), 2);
        assert_eq!(scale_hash_js(0, NonZeroU32::MIN), 0);
        assert_eq!(
            scale_hash_js(u32::MAX, NonZeroU32::new(MAX_TRAFFIC).unwrap()),
            9999
        );
    }

    #[test]
    fn version_gate_is_number_greater_than_11() {
        // js-sdk-behaviour.md §1.6 (data-manager-anchored-gate.tests.ts).
        for v in [json!(12), json!(42), json!("12"), json!(11.5)] {
            assert_eq!(Layout::for_version(Some(&v)), Layout::Anchored, "{v}");
        }
        for v in [json!(11), json!(8), json!(null), json!("abc"), json!(true)] {
            assert_eq!(Layout::for_version(Some(&v)), Layout::Packed, "{v}");
        }
        assert_eq!(Layout::for_version(None), Layout::Packed);
    }

    #[test]
    fn arm_coercions() {
        let v = json!({"id": "1", "status": "stopped", "traffic_allocation": "50"});
        let arm = Arm::from_variation(&v);
        assert!(!arm.is_running());
        assert!(arm.has_traffic());
        assert_eq!(arm.allocation_number(), 50.0);
        let missing = Arm::default();
        assert!(missing.is_running() && missing.has_traffic());
        assert!(Arm::from_variation(&json!("id")).id.is_none());
        for (ta, has) in [
            (json!(null), false),
            (json!(""), false),
            (json!("abc"), true),
            (json!(0), false),
        ] {
            let v = json!({"id": "1", "traffic_allocation": ta});
            assert_eq!(Arm::from_variation(&v).has_traffic(), has, "{ta}");
        }
    }
}
