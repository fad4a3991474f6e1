//! The adapter manifest: `adapters/<name>/adapter.json`.
//!
//! A manifest tells the runner how to install and start an adapter and where
//! its declared divergences are, so adding an SDK needs no change to the
//! runner's code. Commands are argument vectors (no shell), run with the
//! adapter folder as the working directory.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `adapters/<name>/adapter.json`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdapterManifest {
    /// Short name used on the command line (`--adapter js`).
    pub name: String,
    /// One line on what the adapter drives.
    pub description: String,
    /// The SDK package under test, as pinned by the adapter's lockfile.
    pub sdk: SdkPin,
    /// Tools that must be on `PATH` before installing (e.g. `node`, `npm`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires_tools: Vec<String>,
    /// How to install the adapter's dependencies.
    pub install: Install,
    /// How to start the adapter process.
    pub start: Command,
    /// The adapter's own test suite, run by `cargo xtask test` after install
    /// (optional; exit 0 means it passed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<Command>,
    /// The divergence file, relative to the adapter folder.
    #[serde(default = "default_divergences")]
    pub divergences: String,
}

fn default_divergences() -> String {
    "divergences.json".to_owned()
}

/// The pinned SDK.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SdkPin {
    /// Package name.
    pub name: String,
    /// Exact version.
    pub version: String,
    /// Registry it comes from (`npm`, `pypi`, …).
    pub registry: String,
}

/// How to install an adapter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Install {
    /// Commands run in order; the install fails at the first non-zero exit.
    pub commands: Vec<Command>,
    /// Files whose content pins the install (lockfiles); when their digest
    /// changes, the adapter is reinstalled.
    pub inputs: Vec<String>,
}

/// One command, as an argument vector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Command {
    /// Program and arguments. Relative program paths are resolved against the
    /// adapter folder.
    pub argv: Vec<String>,
}
