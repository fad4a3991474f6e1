//! The Convert FullStack SDK for Rust.
//!
//! A [`Core`] holds one project's config, the visitors' stored decisions and
//! the tracking queue; a [`Context`] is one visitor's view of it. Decisions
//! are the reference engine's (`convert-engine`), so they are the JavaScript
//! SDK's; what the SDK sends is the JavaScript SDK's batch body
//! (`spec/tracking.md`), checked by the conformance runner's `scenario`
//! family.
//!
//! ```
//! use convert_sdk::{Core, RunAttributes, SdkConfig, ConversionOptions, ConversionResult};
//! use convert_sdk::transport::RecordingTransport;
//! use serde_json::{json, Map};
//! use std::sync::Arc;
//!
//! let transport = Arc::new(RecordingTransport::new());
//! let mut config = SdkConfig::with_data(json!({
//!     "account_id": "100", "project": {"id": "200"},
//!     "experiences": [{"id": "300", "key": "exp-1", "version": 11,
//!         "variations": [{"id": "301", "key": "control", "traffic_allocation": 50},
//!                        {"id": "302", "key": "variation-1", "traffic_allocation": 50}]}],
//!     "goals": [{"id": "900", "key": "purchase"}]
//! }));
//! config.transport = Some(transport.clone());
//! let core = Core::initialize(config)?;
//! let context = core.create_context("visitor-123", &Map::new());
//! let result = context.run_experience("exp-1", &RunAttributes::at(Map::new())).unwrap();
//! assert_eq!(result.variation_key.as_deref(), Some("variation-1"));
//! assert_eq!(context.track_conversion("purchase", &ConversionOptions::default()), ConversionResult::Queued);
//! core.flush();
//! assert_eq!(transport.requests().len(), 1);
//! # Ok::<(), convert_sdk::SdkError>(())
//! ```

/// The code of `docs/migrating-from-js.md`, compiled (and run where it can
/// be) as doc tests, so the guide cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/migrating-from-js.md")]
pub struct MigratingFromJsGuide;

mod context;
mod core;
mod error;
pub mod events;
mod options;
pub mod queue;
pub mod transport;

pub use crate::context::{
    Context, ConversionOptions, ConversionResult, CustomSegmentsResult, Diagnosis,
    ExperienceResult, FeatureResult, FeatureStatus, RunAttributes, visitor_ref,
};
pub use crate::core::Core;
pub use crate::error::SdkError;
pub use crate::events::{DropReason, EventPayload, LifecycleEvent, ReleaseReason};
pub use crate::options::{
    ConfigSource, DEFAULT_BATCH_SIZE, DEFAULT_CONFIG_ENDPOINT, DEFAULT_MAX_QUEUED_EVENTS,
    DEFAULT_TRACK_ENDPOINT, RefreshConfig, SdkConfig,
};
