//! The packed layout (contract 11): a cumulative walk over a bucket map.

use super::Arm;
use crate::js;

/// One entry of the packed bucket map: a variation id (as a JS property key)
/// and its weight in percent.
#[derive(Clone, Debug, PartialEq)]
pub struct PackedBucket {
    /// The property key: `String(variation.id)`.
    pub id: String,
    /// `Number(traffic_allocation || 100)`; NaN for a non-numeric allocation,
    /// which poisons the rest of the walk exactly as in JavaScript.
    pub weight: f64,
}

/// The packed bucket map, in the order the walk visits it.
///
/// Built as the JS SDK builds `buckets` in `_retrieveBucketing`:
/// 1. drop variations whose `status` is truthy and not `"running"`;
/// 2. keep those with `traffic_allocation > 0` or `isNaN(traffic_allocation)`
///    (an absent allocation counts as 100 %);
/// 3. skip falsy ids; `map[String(id)] = traffic_allocation || 100` — a
///    repeated id keeps its first position and takes the last weight, and the
///    key `"__proto__"` is never stored (it hits the prototype setter).
///
/// The walk then visits the keys in `Object.keys` order: array-index keys
/// (such as real Convert ids, `"1003142550"`) ascending first, then the rest in
/// config order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PackedBuckets {
    buckets: Vec<PackedBucket>,
}

impl PackedBuckets {
    /// Builds the map from the experience's variations, in config order.
    pub fn build(arms: &[Arm<'_>]) -> PackedBuckets {
        let mut inserted: Vec<PackedBucket> = Vec::new();
        for arm in arms {
            if !arm.is_running() || !arm.has_traffic() || !js::truthy(arm.id) {
                continue;
            }
            let key = js::to_string(arm.id);
            if key == "__proto__" {
                continue;
            }
            let weight = if js::truthy(arm.traffic_allocation) {
                arm.allocation_number()
            } else {
                100.0
            };
            match inserted.iter_mut().find(|b| b.id == key) {
                Some(existing) => {
                    crate::mutant!("packed.duplicate-id", existing.weight = weight, ())
                }
                None => inserted.push(PackedBucket {
                    id: key.into_owned(),
                    weight,
                }),
            }
        }
        // Object.keys order: a stable sort that moves array-index keys to the
        // front in ascending numeric order and keeps the others in place.
        let walk_order = |b: &PackedBucket| {
            if js::is_array_index(&b.id) {
                (0, b.id.parse::<u64>().unwrap_or(u64::MAX))
            } else {
                (1, 0)
            }
        };
        crate::mutant!("packed.key-order", inserted.sort_by_key(walk_order), ());
        PackedBuckets { buckets: inserted }
    }

    /// The buckets in walk order.
    pub fn buckets(&self) -> &[PackedBucket] {
        &self.buckets
    }

    /// `selectBucket(buckets, value)`: walks the buckets accumulating
    /// `weight × 100` in f64 from 0.0 and returns the first id with
    /// `value < running total` (half-open bands `[start, end)`).
    pub fn select(&self, value: u32) -> Option<&str> {
        let value = f64::from(value);
        let mut total = 0.0_f64;
        for bucket in &self.buckets {
            total += bucket.weight * crate::mutant!("packed.allocation-scale", 100.0, 1.0);
            if crate::mutant!("packed.band-edge", value < total, value <= total) {
                return Some(&bucket.id);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn arms(variations: &Value) -> Vec<Arm<'_>> {
        variations
            .as_array()
            .map(|list| list.iter().map(Arm::from_variation).collect())
            .unwrap_or_default()
    }

    #[test]
    fn walk_uses_object_keys_order() {
        // Config order b, a, 1003142551, 1003142550 → walk order
        // 1003142550, 1003142551, b, a (digest §2.2).
        let v = json!([
            {"id": "b", "traffic_allocation": 10},
            {"id": "a", "traffic_allocation": 10},
            {"id": "1003142551", "traffic_allocation": 10},
            {"id": "1003142550", "traffic_allocation": 10}
        ]);
        let buckets = PackedBuckets::build(&arms(&v));
        let order: Vec<&str> = buckets.buckets().iter().map(|b| b.id.as_str()).collect();
        assert_eq!(order, ["1003142550", "1003142551", "b", "a"]);
        assert_eq!(buckets.select(0), Some("1003142550"));
        assert_eq!(buckets.select(999), Some("1003142550"));
        assert_eq!(buckets.select(1000), Some("1003142551"));
        assert_eq!(buckets.select(3999), Some("a"));
        assert_eq!(buckets.select(4000), None);
    }

    #[test]
    fn probe_experience_selects_the_second_arm() {
        // Digest §12: experience 300, variations 301/302 at 50/50, visitor
        // "visitor-123" has value 8107 → 302.
        let v = json!([{"id": "301", "traffic_allocation": 50}, {"id": "302", "traffic_allocation": 50}]);
        assert_eq!(PackedBuckets::build(&arms(&v)).select(8107), Some("302"));
    }

    #[test]
    fn coercions_of_the_bucket_map() {
        let v = json!([
            {"id": "stopped", "status": "stopped", "traffic_allocation": 10},
            {"id": "zero", "traffic_allocation": 0},
            {"id": "null", "traffic_allocation": null},
            {"id": "", "traffic_allocation": 10},
            {"id": 0, "traffic_allocation": 10},
            {"id": "__proto__", "traffic_allocation": 10},
            {"id": "str", "traffic_allocation": "20"},
            {"id": "missing"},
            {"id": "dup", "traffic_allocation": 1},
            {"id": "x", "traffic_allocation": 1},
            {"id": "dup", "traffic_allocation": 5}
        ]);
        let buckets = PackedBuckets::build(&arms(&v));
        let got: Vec<(&str, f64)> = buckets
            .buckets()
            .iter()
            .map(|b| (b.id.as_str(), b.weight))
            .collect();
        assert_eq!(
            got,
            [("str", 20.0), ("missing", 100.0), ("dup", 5.0), ("x", 1.0)]
        );
    }

    #[test]
    fn non_numeric_allocation_poisons_the_walk() {
        let v = json!([{"id": "a", "traffic_allocation": "abc"}, {"id": "b", "traffic_allocation": 50}]);
        let buckets = PackedBuckets::build(&arms(&v));
        assert_eq!(buckets.buckets().len(), 2);
        assert_eq!(buckets.select(0), None);
    }

    #[test]
    fn bands_are_half_open_and_partial_totals_leave_a_gap() {
        let v =
            json!([{"id": "a", "traffic_allocation": 25}, {"id": "b", "traffic_allocation": 25}]);
        let buckets = PackedBuckets::build(&arms(&v));
        assert_eq!(buckets.select(2499), Some("a"));
        assert_eq!(buckets.select(2500), Some("b"));
        assert_eq!(buckets.select(4999), Some("b"));
        assert_eq!(buckets.select(5000), None);
    }
}
