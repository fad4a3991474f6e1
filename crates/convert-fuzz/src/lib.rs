//! Fuzzing every input convert-parity reads.
//!
//! Four targets ([`targets::TARGETS`]) cover the surfaces that take
//! untrusted input: config text (`config`), rule trees and data (`rule`),
//! adapter protocol lines (`protocol`) and vector files (`vectors`). Each is
//! a plain `fn(&[u8])` that panics only when something is wrong, so it runs
//! under two engines:
//!
//! - **libFuzzer** through `cargo fuzz` (the crate in `fuzz/`, one
//!   `fuzz_target!` per target), coverage-guided;
//! - **proptest** through [`driver`], deterministic from a seed, with
//!   mutation of seeds taken from the project's vectors ([`seeds`]).
//!
//! `cargo xtask fuzz-inputs --cases N` (or `--time SECS`) runs them with a
//! budget; `cargo xtask test` runs a small fixed budget through this crate's
//! tests, which also replay every input under `regressions/`. See
//! `docs/robustness.md`.

pub mod driver;
pub mod generate;
pub mod seeds;
pub mod targets;
