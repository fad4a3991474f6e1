//! The anchored layout (contract 12): each variation's band starts at its
//! cumulative weight.

use super::{Arm, MAX_TRAFFIC};
use crate::js;

/// One anchored band `[anchor, anchor + width)`.
#[derive(Clone, Debug, PartialEq)]
pub struct AnchoredRange {
    /// `String(variation.id)`.
    pub id: String,
    /// `(cumulative weight before this variation / total weight) × 10000`.
    pub anchor: f64,
    /// `allocation × 100` for an active variation, 0 otherwise.
    pub width: f64,
}

/// The anchored ranges of an experience, in config order.
///
/// Built as the JavaScript repository's HEAD does (`_buildVariationAllocations`
/// and `getBucketRanges`; the published 4.4.3 has no contract 12):
/// - every variation with a truthy id takes part, in config order (no
///   `Object.keys` reordering);
/// - `allocation = isNaN(ta) ? 100 : Number(ta)`;
/// - `active = (status ? status === "running" : true) && (ta > 0 || isNaN(ta))`;
/// - inactive variations keep their weight, so stopping one never moves
///   another's anchor;
/// - the total weight is summed left to right in f64; a total `<= 0` gives no
///   ranges;
/// - `anchor = (cumulative / total) × 10000` (the constant, not the configured
///   bucket space), division first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnchoredRanges {
    ranges: Vec<AnchoredRange>,
    total_weight: f64,
}

impl AnchoredRanges {
    /// Builds the ranges from the experience's variations, in config order.
    pub fn build(arms: &[Arm<'_>]) -> AnchoredRanges {
        let allocations: Vec<(String, f64, bool)> = arms
            .iter()
            .filter(|arm| js::truthy(arm.id))
            .map(|arm| {
                let n = arm.allocation_number();
                let allocation = if n.is_nan() { 100.0 } else { n };
                let active = arm.is_running() && arm.has_traffic();
                (js::to_string(arm.id).into_owned(), allocation, active)
            })
            .collect();
        let total_weight = allocations.iter().fold(0.0_f64, |sum, (_, a, _)| sum + a);
        if total_weight <= 0.0 {
            return AnchoredRanges {
                ranges: Vec::new(),
                total_weight,
            };
        }
        let mut cumulative = 0.0_f64;
        let ranges = allocations
            .into_iter()
            .map(|(id, allocation, active)| {
                let anchor = (cumulative / total_weight) * f64::from(MAX_TRAFFIC);
                let width = if active { allocation * 100.0 } else { 0.0 };
                cumulative += crate::mutant!(
                    "anchored.inactive-weight",
                    allocation,
                    if active { allocation } else { 0.0 }
                );
                AnchoredRange { id, anchor, width }
            })
            .collect();
        AnchoredRanges {
            ranges,
            total_weight,
        }
    }

    /// The ranges, in config order.
    pub fn ranges(&self) -> &[AnchoredRange] {
        &self.ranges
    }

    /// The sum of all allocations, active or not.
    pub fn total_weight(&self) -> f64 {
        self.total_weight
    }

    /// `selectBucketAnchored`: the first range in config order with
    /// `anchor <= value < anchor + width` (ranges may overlap; the earlier one
    /// wins).
    pub fn select(&self, value: u32) -> Option<&str> {
        let value = f64::from(value);
        self.ranges
            .iter()
            .find(|r| {
                crate::mutant!("anchored.band-edge", value >= r.anchor, value > r.anchor)
                    && value < r.anchor + r.width
            })
            .map(|r| r.id.as_str())
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
    fn worked_example_from_the_gate_tests() {
        // data-manager-anchored-gate.tests.ts (digest §2.3): O=2, V1=47, V2=1.
        let v = json!([
            {"id": "O", "traffic_allocation": 2},
            {"id": "V1", "traffic_allocation": 47},
            {"id": "V2", "traffic_allocation": 1}
        ]);
        let ranges = AnchoredRanges::build(&arms(&v));
        let bands: Vec<(f64, f64)> = ranges
            .ranges()
            .iter()
            .map(|r| (r.anchor, r.anchor + r.width))
            .collect();
        assert_eq!(bands, [(0.0, 200.0), (400.0, 5100.0), (9800.0, 9900.0)]);
        assert_eq!(ranges.select(4957), Some("V1"));
        assert_eq!(ranges.select(300), None);
        assert_eq!(ranges.select(9900), None);
    }

    #[test]
    fn an_anchor_that_rounds_up_leaves_its_integer_in_no_band() {
        // 31 + 50 + 19 = 100, every arm active: the packed bands are
        // [0, 3100), [3100, 8100), [8100, 10000). Anchored, V2's anchor is
        // (81 / 100) × 10000, which is 8100.000000000001 in doubles (node
        // prints the same), so value 8100 is past V1's band and before V2's.
        let v = json!([
            {"id": "O", "traffic_allocation": 31},
            {"id": "V1", "traffic_allocation": 50},
            {"id": "V2", "traffic_allocation": 19}
        ]);
        let ranges = AnchoredRanges::build(&arms(&v));
        assert_eq!(ranges.ranges()[2].anchor, 8100.000000000001);
        assert_eq!(ranges.select(8099), Some("V1"));
        assert_eq!(ranges.select(8100), None);
        assert_eq!(ranges.select(8101), Some("V2"));
        let packed = super::super::PackedBuckets::build(&arms(&v));
        assert_eq!(packed.select(8100), Some("V2"));
    }

    #[test]
    fn inactive_arms_keep_their_weight() {
        let running =
            json!([{"id": "A", "traffic_allocation": 50}, {"id": "B", "traffic_allocation": 50}]);
        let stopped = json!([{"id": "A", "traffic_allocation": 50, "status": "stopped"}, {"id": "B", "traffic_allocation": 50}]);
        let a = AnchoredRanges::build(&arms(&running));
        let b = AnchoredRanges::build(&arms(&stopped));
        assert_eq!(a.ranges()[1], b.ranges()[1]);
        assert_eq!(b.ranges()[0].width, 0.0);
        assert_eq!(b.select(100), None);
    }

    #[test]
    fn non_positive_total_has_no_ranges() {
        let v =
            json!([{"id": "A", "traffic_allocation": 0}, {"id": "B", "traffic_allocation": null}]);
        let ranges = AnchoredRanges::build(&arms(&v));
        assert!(ranges.ranges().is_empty());
        assert_eq!(ranges.select(0), None);
    }

    #[test]
    fn nan_allocation_defaults_to_100_and_is_active() {
        let v = json!([{"id": "A", "traffic_allocation": "abc"}, {"id": "B"}]);
        let ranges = AnchoredRanges::build(&arms(&v));
        assert_eq!(ranges.total_weight(), 200.0);
        // A: anchor 0, width 10000; B: anchor 5000 — overlapping, A wins.
        assert_eq!(ranges.select(7000), Some("A"));
    }
}
