//! `convert-parity stats`: bucket many synthetic visitors through each target
//! and test the observed shares against the configured allocation.
//!
//! Every target answers `bucketing` cases for the same visitors
//! (`stats-0`, `stats-1`, …) of one experience. For each target the report
//! gives the share per variation, a chi-square goodness-of-fit test against
//! the allocation (unallocated traffic is a category of its own), and how many
//! visitors it assigned differently from the reference. A target is flagged
//! when p < [`P_THRESHOLD`] or when any assignment differs.

use convert_spec::Family;
use serde_json::{Value, json};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::outcome::Answer;
use crate::target::{CaseInput, Target};

/// Below this p-value a distribution is flagged.
pub const P_THRESHOLD: f64 = 0.001;

/// Cases sent to a target at a time.
const CHUNK: usize = 5_000;

/// What to bucket.
#[derive(Clone, Debug, PartialEq)]
pub struct StatsPlan {
    /// Traffic allocation per variation, in percent.
    pub allocations: Vec<f64>,
    /// How many visitors.
    pub visitors: usize,
    /// The experience id (part of the hash input).
    pub experience_id: String,
    /// The contract version (11 packed, 12 anchored).
    pub contract_version: u32,
}

impl StatsPlan {
    /// The variation ids: `v0`, `v1`, …
    pub fn variation_ids(&self) -> Vec<String> {
        (0..self.allocations.len())
            .map(|i| format!("v{i}"))
            .collect()
    }

    fn case(&self, visitor: usize) -> CaseInput {
        let variations: Vec<Value> = self
            .variation_ids()
            .iter()
            .zip(&self.allocations)
            .map(|(id, allocation)| json!({"id": id, "traffic_allocation": allocation}))
            .collect();
        CaseInput::new(
            Family::Bucketing,
            format!("stats/{visitor}"),
            json!({
                "contract_version": self.contract_version,
                "experience_id": self.experience_id,
                "visitor_id": format!("stats-{visitor}"),
                "variations": variations,
            }),
        )
    }
}

/// One target's distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct Distribution {
    /// The target.
    pub target: String,
    /// Visitors per variation, then visitors in no variation (last).
    pub counts: Vec<u64>,
    /// Each visitor's category (variation index, or `counts.len() - 1` for
    /// none); `u16::MAX` when the target did not answer.
    pub assignments: Vec<u16>,
    /// Cases the target did not answer with a result.
    pub unanswered: u64,
    /// The chi-square statistic.
    pub chi_square: f64,
    /// Its degrees of freedom.
    pub degrees_of_freedom: u32,
    /// The p-value.
    pub p_value: f64,
}

/// Buckets the plan's visitors through `target`.
pub fn distribution(plan: &StatsPlan, target: &mut dyn Target, name: &str) -> Distribution {
    let ids = plan.variation_ids();
    let none = ids.len();
    let mut counts = vec![0u64; ids.len() + 1];
    let mut assignments = Vec::with_capacity(plan.visitors);
    let mut unanswered = 0;
    let mut start = 0;
    while start < plan.visitors {
        let end = (start + CHUNK).min(plan.visitors);
        let cases: Vec<CaseInput> = (start..end).map(|v| plan.case(v)).collect();
        for answer in target.run(&cases) {
            let category = match answer {
                Answer::Result(result) => match result.get("variation_id") {
                    Some(Value::String(id)) => ids.iter().position(|v| v == id),
                    Some(Value::Null) => Some(none),
                    _ => None,
                },
                _ => None,
            };
            match category {
                Some(index) => {
                    counts[index] += 1;
                    assignments.push(u16::try_from(index).unwrap_or(u16::MAX));
                }
                None => {
                    unanswered += 1;
                    assignments.push(u16::MAX);
                }
            }
        }
        start = end;
    }
    let (chi_square, degrees_of_freedom, p_value) = chi_square_test(&counts, &plan.allocations);
    Distribution {
        target: name.to_owned(),
        counts,
        assignments,
        unanswered,
        chi_square,
        degrees_of_freedom,
        p_value,
    }
}

/// Pearson's chi-square test of `counts` (variations, then none) against
/// the allocations (percent; the rest of 100 % is "none").
pub fn chi_square_test(counts: &[u64], allocations: &[f64]) -> (f64, u32, f64) {
    #[allow(clippy::cast_precision_loss)]
    let total = counts.iter().sum::<u64>() as f64;
    let allocated: f64 = allocations.iter().sum();
    let mut shares: Vec<f64> = allocations.iter().map(|a| a / 100.0).collect();
    shares.push((1.0 - allocated / 100.0).max(0.0));
    let mut statistic = 0.0;
    let mut categories = 0u32;
    for (count, share) in counts.iter().zip(&shares) {
        let expected = total * share;
        #[allow(clippy::cast_precision_loss)]
        let observed = *count as f64;
        if expected > 0.0 {
            statistic += (observed - expected).powi(2) / expected;
            categories += 1;
        } else if observed > 0.0 {
            // Traffic where none is allocated: impossible under the plan.
            return (f64::INFINITY, categories.max(1), 0.0);
        }
    }
    let df = categories.saturating_sub(1).max(1);
    let p = ChiSquared::new(f64::from(df)).map_or(0.0, |d| d.sf(statistic));
    (statistic, df, p)
}

/// How many visitors `a` and `b` assigned differently.
pub fn differing_assignments(a: &Distribution, b: &Distribution) -> usize {
    a.assignments
        .iter()
        .zip(&b.assignments)
        .filter(|(x, y)| x != y)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fair_split_passes_and_a_skewed_one_fails() {
        let (_, df, p) = chi_square_test(&[50_100, 49_900, 0], &[50.0, 50.0]);
        assert_eq!(df, 1);
        assert!(p > 0.3, "{p}");
        let (_, _, p) = chi_square_test(&[51_000, 49_000, 0], &[50.0, 50.0]);
        assert!(p < P_THRESHOLD, "{p}");
        // Unallocated traffic is its own category.
        let (_, df, p) = chi_square_test(&[25_000, 25_000, 50_000], &[25.0, 25.0]);
        assert_eq!(df, 2);
        assert!(p > 0.9, "{p}");
        let (_, _, p) = chi_square_test(&[0, 10, 5], &[100.0, 0.0]);
        assert!(p.abs() < f64::EPSILON);
    }
}
