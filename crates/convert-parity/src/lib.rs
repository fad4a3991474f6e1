//! The convert-parity conformance runner.
//!
//! It checks implementations of the Convert FullStack SDK family against the
//! vectors in `vectors/v1/`: the reference engine in-process
//! ([`inprocess::Reference`]) and any SDK run as a subprocess adapter
//! ([`adapter::Adapter`], protocol v1: `spec/protocol.md`).
//!
//! # Architecture
//!
//! - [`run::Suite`] assembles the cases: the vector set (checked on load),
//!   imported peer vector files ([`convert_import`]), and the findings that
//!   rebase peer expectations on the published JS SDK's answers.
//! - [`target::Target`] is anything that answers cases; [`run::execute`]
//!   runs every target on its own thread, skips cases needing capabilities a
//!   target does not declare, judges each answer with
//!   [`convert_spec::compare`], applies the target's declared divergences
//!   ([`divergence`]), and checks the gate's own rules (the divergence
//!   ratchet, no vacuous families).
//! - [`adapter`] owns the adapter processes: pipelining, per-case timeouts,
//!   line caps, stderr tails, restarts with the handshake replayed,
//!   abandonment; [`validate`] checks every message against the protocol
//!   schemas when asked.
//! - [`report`] renders the result: a versioned JSON report with its schema
//!   and JUnit XML; [`terminal`] the table, notes and failure diffs for a
//!   terminal (styled, printed through `anstream`); [`html`] one static,
//!   self-contained HTML page; [`progress`] reports a run's progress (bars
//!   on a terminal).
//! - [`fuzz`] is the differential fuzzer: generated inputs on every target,
//!   disagreements with the oracle shrunk to vector cases.
//! - [`install`] installs adapters from their manifests; [`serve`] puts the
//!   reference engine behind the protocol (`convert-parity adapter`).
//!
//! # Exit codes
//!
//! | code | meaning |
//! |---|---|
//! | 0 | every case passed, was skipped, or is a declared divergence |
//! | 1 | a conformance failure: a case failed or errored, a divergence entry is stale or names no case, a declared family ran no case |
//! | 2 | an infrastructure or protocol error: an adapter crashed, hung, broke the protocol or could not start; bad vector files; an unusable divergence file |
//!
//! 2 wins over 1.

pub mod adapter;
pub mod define;
pub mod diff;
pub mod divergence;
pub mod finish;
pub mod fuzz;
pub mod html;
pub mod inprocess;
pub mod install;
#[cfg(feature = "mutants")]
pub mod mutation;
pub mod outcome;
pub mod probe;
pub mod progress;
pub mod provenance;
pub mod replay;
pub mod report;
pub mod repro;
pub mod run;
pub mod serve;
pub mod stats;
pub mod target;
pub mod terminal;
pub mod trace;
pub mod validate;

/// The lowest-level digest helper: SHA-256 over a folder tree's relative
/// paths and contents (sorted), for report provenance.
pub fn tree_digest(dir: &std::path::Path) -> Option<String> {
    fn walk(
        base: &std::path::Path,
        dir: &std::path::Path,
        out: &mut Vec<(String, Vec<u8>)>,
    ) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(base, &path, out)?;
            } else {
                let rel = path
                    .strip_prefix(base)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&path)?));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files).ok()?;
    files.sort();
    let mut bytes = Vec::new();
    for (path, content) in files {
        bytes.extend_from_slice(path.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(&(content.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&content);
    }
    Some(convert_spec::digest::sha256_hex(&bytes))
}
