//! Seeded faults, for the mutation score of the vectors (`cargo xtask
//! mutants`, `docs/mutants.md`).
//!
//! A mutation point is one expression written `mutant!("id", original,
//! mutated)`. Without the `mutants` cargo feature the macro *is* the
//! original expression: the mutated one is parsed but never compiled into
//! the engine, nothing is recorded, and the engine keeps its invariants (no
//! globals, no I/O). With the feature, each point asks a process-wide switch
//! whether its mutant is the active one ([`activate`]) and records that it
//! was reached ([`take_reached`]), so one build runs every mutant in-process
//! and can tell a mutant no vector reaches from one no vector kills.
//!
//! [`CATALOGUE`] lists every mutant with the fault it seeds; the runner
//! (`convert-parity mutants`) fails on a catalogued mutant that is never
//! reached and on a reached point that is not catalogued.

/// A mutation point: `mutant!("id", original, mutated)` is `original`
/// (without the `mutants` feature, always).
#[cfg(not(feature = "mutants"))]
#[macro_export]
macro_rules! mutant {
    ($id:literal, $original:expr, $mutated:expr $(,)?) => {
        $original
    };
}

/// A mutation point: `mutant!("id", original, mutated)` is `mutated` while
/// mutant `id` is active, `original` otherwise; either way the point is
/// recorded as reached.
#[cfg(feature = "mutants")]
#[macro_export]
macro_rules! mutant {
    ($id:literal, $original:expr, $mutated:expr $(,)?) => {
        if $crate::mutants::reached($id) {
            $mutated
        } else {
            $original
        }
    };
}

#[cfg(feature = "mutants")]
pub use switch::*;

#[cfg(feature = "mutants")]
mod switch {
    use std::collections::BTreeSet;
    use std::sync::Mutex;

    /// One seeded fault.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Mutant {
        /// The id its `mutant!` point names.
        pub id: &'static str,
        /// The surface it belongs to (hashing, bucketing, rules, …).
        pub area: &'static str,
        /// The fault, in a sentence.
        pub fault: &'static str,
    }

    const fn m(id: &'static str, area: &'static str, fault: &'static str) -> Mutant {
        Mutant { id, area, fault }
    }

    /// Every mutant, grouped by area.
    pub const CATALOGUE: &[Mutant] = &[
        // Hashing.
        m(
            "hash.seed-ignored",
            "hashing",
            "MurmurHash3 ignores the seed it is given and uses 9999",
        ),
        m(
            "hash.default-seed",
            "hashing",
            "the default bucketing seed is 9998 instead of 9999",
        ),
        m(
            "hash.rotation",
            "hashing",
            "the block mix rotates the hash by 12 bits instead of 13",
        ),
        m(
            "hash.tail-order",
            "hashing",
            "the tail bytes are folded in big-endian order",
        ),
        m(
            "hash.length",
            "hashing",
            "the input length is not mixed into the final hash",
        ),
        m(
            "hash.case-fold",
            "hashing",
            "the hashed string is lower-cased first (a case-folding slip)",
        ),
        m(
            "hash.latin1",
            "hashing",
            "each character is hashed as one byte (its code point truncated) instead of UTF-8",
        ),
        // Bucketing.
        m(
            "bucketing.percent-scale",
            "bucketing",
            "the bucket value is scaled to 0..100 (percent) instead of 0..10000 (basis points)",
        ),
        m(
            "bucketing.rounding",
            "bucketing",
            "the scaled bucket value is rounded to nearest instead of truncated",
        ),
        m(
            "bucketing.experience-prefix",
            "bucketing",
            "the visitor id is hashed without the experience id prefix",
        ),
        m(
            "bucketing.version-gate",
            "bucketing",
            "contract 12 (anchored) is selected from version 11 (`>=` for `>`)",
        ),
        m(
            "bucketing.status",
            "bucketing",
            "a variation's status is ignored (stopped variations take traffic)",
        ),
        m(
            "bucketing.zero-traffic",
            "bucketing",
            "a variation with traffic_allocation 0 counts as having traffic (`>=` for `>`)",
        ),
        m(
            "packed.band-edge",
            "bucketing (packed)",
            "a bucket value equal to a band's end falls in that band (`<=` for `<`)",
        ),
        m(
            "packed.allocation-scale",
            "bucketing (packed)",
            "traffic allocations are read as basis points (×1) instead of percent (×100)",
        ),
        m(
            "packed.key-order",
            "bucketing (packed)",
            "the walk visits variations in config order instead of JavaScript `Object.keys` order",
        ),
        m(
            "packed.duplicate-id",
            "bucketing (packed)",
            "a repeated variation id keeps its first weight instead of the last",
        ),
        m(
            "anchored.band-edge",
            "bucketing (anchored)",
            "a bucket value equal to a band's anchor falls outside it (`>` for `>=`)",
        ),
        m(
            "anchored.inactive-weight",
            "bucketing (anchored)",
            "inactive variations give up their weight, moving later anchors",
        ),
        // Rules.
        m(
            "rule.negation",
            "rules",
            "`negated` is ignored (a dropped negation)",
        ),
        m(
            "rule.equals-case",
            "rules (equals)",
            "equals compares case-sensitively (a case-folding slip)",
        ),
        m(
            "rule.equals-array",
            "rules (equals)",
            "an array value must have every element equal to the test (`all` for `any`)",
        ),
        m(
            "rule.less-equal",
            "rules (ordering)",
            "lessEqual is strict (`<` for `<=`)",
        ),
        m(
            "rule.typeof-mismatch",
            "rules (ordering)",
            "a typeof mismatch is negated instead of false whatever `negated` says",
        ),
        m(
            "rule.numeric-comma",
            "rules (ordering)",
            "a leading `0,` is read as thousands instead of a decimal comma",
        ),
        m(
            "rule.contains-empty",
            "rules (text)",
            "an empty or blank contains test is false instead of true",
        ),
        m(
            "rule.ends-with",
            "rules (text)",
            "endsWith tests containment anywhere instead of a suffix",
        ),
        m(
            "rule.is-in-case",
            "rules (set)",
            "isIn lower-cases the visitor's value too (it compares it as is)",
        ),
        m(
            "rule.regex-subject",
            "rules (regex)",
            "regexMatches tests the value as is instead of lower-cased",
        ),
        m(
            "rule.exists-empty",
            "rules (existence)",
            "an empty string counts as existing",
        ),
        m(
            "rule.missing-key",
            "rules (existence)",
            "a missing key is compared for `not_exists` too (only `exists` and `doesNotExist` are)",
        ),
        m(
            "rule.passthrough",
            "rules (passthrough)",
            "_returnNegationCheck with a truthy rule value returns the value's truthiness instead of its negation",
        ),
        // Experience gates.
        m(
            "experience.archived",
            "experience gates",
            "archived experiences are run",
        ),
        m(
            "experience.environment",
            "experience gates",
            "the environment gate always passes",
        ),
        m(
            "experience.location-absent",
            "experience gates",
            "absent location attributes pass the location gate",
        ),
        m(
            "experience.audience-all",
            "experience gates",
            "ALL audience matching behaves as ANY",
        ),
        m(
            "experience.segment-gate",
            "experience gates",
            "the segment gate always passes",
        ),
        // Sticky, forced, preview, exclusion.
        m(
            "sticky.stored-ignored",
            "sticky decisions",
            "stored decisions are ignored: the visitor is bucketed again",
        ),
        m(
            "sticky.permanent-audience",
            "sticky decisions",
            "a bucketed visitor's permanent audiences are checked again",
        ),
        m(
            "forced.ignored",
            "forced variations",
            "forceVariationId is ignored",
        ),
        m("preview.ignored", "preview", "an active preview is ignored"),
        m(
            "preview.stores",
            "preview",
            "decisions are stored while a preview is active",
        ),
        m(
            "exclusion.negation",
            "mutual exclusion",
            "a negated exclusion rule is not negated",
        ),
        // Features and casting.
        m(
            "feature.cast-false",
            "features (casting)",
            "a boolean variable holding \"false\" casts to true (truthiness)",
        ),
        m(
            "feature.cast-radix",
            "features (casting)",
            "integer casting reads decimal only (no `0x` auto-radix)",
        ),
        m(
            "feature.cast-bool-number",
            "features (casting)",
            "booleans cast to NaN instead of 1/0 as numbers",
        ),
        m(
            "feature.disabled",
            "features",
            "run_features lists no disabled features",
        ),
        m(
            "feature.declared-order",
            "features",
            "declared features keep config order instead of JavaScript key order",
        ),
        // Segments and store.
        m(
            "segments.latch",
            "segments",
            "custom segments after the first match are evaluated one by one instead of latched",
        ),
        m(
            "segments.caller-order",
            "segments",
            "custom segments are evaluated in the caller's key order instead of config order",
        ),
        m(
            "store.key",
            "visitor store",
            "the store key puts the project before the account",
        ),
        m(
            "diagnostics.visitor-ref",
            "diagnostics",
            "the visitor reference keeps 7 bytes of the digest instead of 8",
        ),
        // Tracking payloads.
        m(
            "tracking.size-release",
            "tracking",
            "a batch releases once the count reaches at least batch_size (`>=` for `==`)",
        ),
        m(
            "tracking.enrich",
            "tracking",
            "the batch body says enrichData: false",
        ),
        m(
            "tracking.goal-data",
            "tracking",
            "a conversion's goalData is left out of the payload",
        ),
        m(
            "tracking.bucketing-data",
            "tracking",
            "a conversion's bucketingData is left out of the payload",
        ),
        m(
            "tracking.empty-segments",
            "tracking",
            "a visitor entry carries an empty segments object instead of none",
        ),
    ];

    static ACTIVE: Mutex<Option<&'static str>> = Mutex::new(None);
    static REACHED: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());

    /// Makes `id` the active mutant (`None`: the original engine).
    pub fn activate(id: Option<&'static str>) {
        if let Ok(mut active) = ACTIVE.lock() {
            *active = id;
        }
    }

    /// Records that point `id` was reached and says whether its mutant is
    /// active (used by `mutant!`).
    pub fn reached(id: &'static str) -> bool {
        if let Ok(mut reached) = REACHED.lock() {
            reached.insert(id);
        }
        ACTIVE.lock().is_ok_and(|active| *active == Some(id))
    }

    /// The points reached since the last call, emptied.
    pub fn take_reached() -> BTreeSet<&'static str> {
        REACHED
            .lock()
            .map(|mut r| std::mem::take(&mut *r))
            .unwrap_or_default()
    }

    /// The catalogued mutant `id`, if any.
    pub fn find(id: &str) -> Option<&'static Mutant> {
        CATALOGUE.iter().find(|m| m.id == id)
    }
}
