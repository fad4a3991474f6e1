//! The convert-parity contract, as Rust types.
//!
//! Everything another SDK's maintainer codes against lives here, and nothing
//! else does:
//!
//! - [`protocol`]: the newline-delimited JSON messages an adapter exchanges
//!   with the runner (`start`, `run`, `stop` and their answers);
//! - [`family`] and [`families`]: the evaluation families (`hash`,
//!   `bucketing`, `rule`, `experience`, …), each with its input and result
//!   shapes and the capabilities a case of that family may require;
//! - [`vector`]: the versioned vector files under `vectors/v1/`;
//! - [`compare`]: how an implementation's result is compared with a case's
//!   expected value, identically for every target;
//! - [`manifest`] and [`divergence`]: the files an adapter folder carries;
//! - [`config`]: the project config as a typed model, read strictly;
//! - [`schema`]: the JSON Schemas of all of the above, generated from these
//!   types (`cargo xtask schemas` writes them to `spec/schemas/`).
//!
//! **Architecture invariant:** this crate does no evaluation and no process
//! management. It only describes and validates data.

pub mod capability;
pub mod compare;
pub mod config;
pub mod digest;
pub mod divergence;
pub mod families;
pub mod family;
pub mod identity;
pub mod js_number;
pub mod manifest;
pub mod protocol;
pub mod schema;
pub mod vector;

pub use capability::{Capabilities, Requirements};
pub use family::Family;

/// The adapter protocol version this crate speaks (`{"cmd":"start","protocol":1}`).
pub const PROTOCOL_VERSION: u32 = 1;

/// The vector set version: vector files live under `vectors/v{VECTOR_SET_VERSION}/`.
pub const VECTOR_SET_VERSION: u32 = 1;
