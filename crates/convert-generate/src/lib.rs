//! Random but valid inputs for every family of the convert-parity contract.
//!
//! Each family has a [proptest](https://docs.rs/proptest) strategy
//! ([`input_strategy`]) whose values are case inputs of that family's shape
//! (`convert_spec::families::check_input` accepts every one of them). The
//! strategies shrink: a failing input can be reduced to a minimal
//! counterexample by walking its value tree (`convert-parity fuzz` does).
//!
//! The generators aim where SDKs differ, not where they trivially agree:
//!
//! - [`values`]: JSON values of every type, with the strings and numbers the
//!   SDKs coerce differently (`" 5"`, `"1e3"`, `"0x1f"`, `-0`, `1e21`, case
//!   variants, non-ASCII and astral characters), and visitor ids including
//!   non-ASCII ones;
//! - [`rules`]: rule trees (`OR` → `AND` → `OR_WHEN` → items) over every
//!   operator, with values drawn from the same pools as the data they are
//!   matched against, so rules match often enough to matter;
//! - [`config`]: project configs with random experiences, variations,
//!   allocations, audiences, locations, segments, features and goals, whose
//!   ids come from small pools so that references resolve (and sometimes do
//!   not), integer-like ids put JavaScript's `Object.keys` order to the
//!   test, and versions select both bucketing contracts;
//! - [`families`]: one strategy per family input, built from the above.
//!
//! **Architecture invariant:** generation only. No evaluation, no I/O, and
//! every value depends on nothing but the proptest RNG, so a seed replays a
//! run exactly.

pub mod config;
pub mod families;
pub mod rules;
pub mod values;

pub use families::input_strategy;
