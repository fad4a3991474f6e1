//! The Convert FullStack reference engine.
//!
//! A pure library (no I/O, no global state, no panics on any input) that
//! decides what the Convert JavaScript SDK 4.4.3 decides, for the same
//! inputs:
//!
//! - [`hash`]: MurmurHash3 x86 32-bit over UTF-8 bytes;
//! - [`bucketing`]: bucket values and the packed (contract 11) and anchored
//!   (contract 12) layouts;
//! - [`rule`]: rule sets (`OR` → `AND` → `OR_WHEN`) and every comparison
//!   operator;
//! - [`experience`]: `run_experience` for one experience key, gate by gate,
//!   with the reason for the outcome;
//! - [`config`]: a lenient, typed view of a project config that keeps the
//!   JavaScript coercions;
//! - [`visitor`]: the visitor's attributes and stored state, as a `Context`
//!   holds them;
//! - [`diagnostics`]: the reason vocabulary and the engine's diagnostics;
//! - [`js`]: the JavaScript value semantics all of the above are written in.
//!
//! ```
//! use convert_engine::{Engine, config::ProjectConfig, visitor::Visitor};
//! use convert_engine::experience::{LocationAttributes, RunOptions};
//! use serde_json::json;
//!
//! let config = ProjectConfig::from_value(&json!({
//!     "account_id": "100", "project": {"id": "200"},
//!     "experiences": [{
//!         "id": "300", "key": "exp-1", "version": 11,
//!         "variations": [
//!             {"id": "301", "key": "control", "traffic_allocation": 50},
//!             {"id": "302", "key": "variation-1", "traffic_allocation": 50}
//!         ]
//!     }]
//! }))?;
//! let visitor = Visitor::new("visitor-123", &Default::default());
//! let options = RunOptions { location: LocationAttributes::Ignore, ..RunOptions::default() };
//! let decision = Engine::default().run_experience(&config, &visitor, "exp-1", &options);
//! assert_eq!(decision.variation.map(|v| v.id), Some("302".to_owned()));
//! assert_eq!(decision.bucket_value, Some(8107));
//! # Ok::<(), convert_engine::config::ConfigError>(())
//! ```
//!
//! Where the JavaScript SDK would throw on malformed input, the engine picks
//! a documented behaviour instead and reports a
//! [`Diagnostic`](diagnostics::Diagnostic); the spec pages under `spec/` list
//! every such divergence.

pub mod bucketing;
pub mod config;
pub mod diagnose;
pub mod diagnostics;
mod engine;
pub mod experience;
pub mod feature;
pub mod hash;
pub mod js;
pub mod limits;
pub mod mutants;
pub mod record;
pub mod rule;
pub mod segments;
pub mod store;
pub mod visitor;

pub use engine::{DEFAULT_ENVIRONMENT, Engine, Settings};
