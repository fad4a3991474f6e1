//! What a [`Core`](crate::Core) is configured with (`SDKConfig`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use convert_engine::config::ProjectConfig;
use serde_json::Value;

use crate::transport::Transport;

/// The JS SDK's config endpoint.
pub const DEFAULT_CONFIG_ENDPOINT: &str = "https://cdn-4.convertexperiments.com/api/v1/";
/// The JS SDK's tracking endpoint (`[project_id]` is replaced).
pub const DEFAULT_TRACK_ENDPOINT: &str = "https://[project_id].metrics.convertexperiments.com/v1/";
/// Events per batch (`events.batch_size`).
pub const DEFAULT_BATCH_SIZE: usize = 10;
/// At most this many events wait in the queue; beyond it the oldest are
/// dropped and reported as `api.queue.dropped`
/// ([`LifecycleEvent::EventsDropped`](crate::LifecycleEvent::EventsDropped)).
pub const DEFAULT_MAX_QUEUED_EVENTS: usize = 10_000;

/// Where the project config comes from.
#[derive(Clone, PartialEq)]
pub enum ConfigSource {
    /// Fetched with the SDK key (`accountId/projectId`-shaped or opaque).
    SdkKey(String),
    /// Given directly: no network at initialization.
    Data(Value),
    /// Given already read: no network, and the reading (and what the engine
    /// derives from it: bucket bands, the experience index, compiled
    /// patterns) is shared with whoever else holds it, such as other
    /// cores serving the same project. Checked against the contract at
    /// initialization like [`ConfigSource::Data`]; otherwise the same.
    Read(Arc<ProjectConfig>),
}

impl fmt::Debug for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigSource::SdkKey(_) => f.write_str("SdkKey([redacted])"),
            ConfigSource::Data(_) => f.write_str("Data(..)"),
            ConfigSource::Read(_) => f.write_str("Read(..)"),
        }
    }
}

/// Opt-in background refresh of the config (SDK-key mode only).
#[derive(Clone, Debug, PartialEq)]
pub struct RefreshConfig {
    /// Time between fetches.
    pub interval: Duration,
    /// Up to this much is added to each wait, at random.
    pub jitter: Duration,
    /// After a failed fetch the wait is multiplied by this factor...
    pub backoff_factor: f64,
    /// ... up to this wait.
    pub backoff_max: Duration,
}

impl Default for RefreshConfig {
    fn default() -> Self {
        RefreshConfig {
            interval: Duration::from_secs(300),
            jitter: Duration::from_secs(30),
            backoff_factor: 2.0,
            backoff_max: Duration::from_secs(600),
        }
    }
}

/// The SDK configuration.
#[derive(Clone)]
pub struct SdkConfig {
    /// Where the config comes from.
    pub source: ConfigSource,
    /// `sdkKeySecret`: sent as `Authorization: Bearer …` when set.
    pub sdk_key_secret: Option<String>,
    /// The environment experiences must match (default `staging`).
    pub environment: String,
    /// The config endpoint.
    pub config_endpoint: String,
    /// The tracking endpoint (`[project_id]` is replaced by the project id).
    pub track_endpoint: String,
    /// Release the queue when this many events are queued (default 10).
    /// As in the JS SDK the first event of an empty queue never releases it,
    /// so a size of 1 releases only on flush, interval or close.
    pub batch_size: usize,
    /// Release the queue at this interval, when set.
    pub release_interval: Option<Duration>,
    /// Send tracking at all (`network.tracking`); when false events are
    /// queued but only [`Core::flush`](crate::Core::flush) sends them.
    pub tracking: bool,
    /// The `source` field of tracking bodies.
    pub tracking_source: String,
    /// Bound on queued events (see [`DEFAULT_MAX_QUEUED_EVENTS`]).
    pub max_queued_events: usize,
    /// Background config refresh (SDK-key mode), off by default.
    pub refresh: Option<RefreshConfig>,
    /// Timeout of each HTTP request.
    pub timeout: Duration,
    /// The HTTP transport; `None` uses [`UreqTransport`](crate::transport::UreqTransport).
    pub transport: Option<Arc<dyn Transport>>,
}

impl SdkConfig {
    /// A config fetched with `sdk_key`.
    pub fn with_sdk_key(sdk_key: impl Into<String>) -> SdkConfig {
        SdkConfig::new(ConfigSource::SdkKey(sdk_key.into()))
    }

    /// A config given as data (no network at initialization).
    pub fn with_data(data: Value) -> SdkConfig {
        SdkConfig::new(ConfigSource::Data(data))
    }

    /// A config given already read ([`ConfigSource::Read`]).
    pub fn with_config(config: Arc<ProjectConfig>) -> SdkConfig {
        SdkConfig::new(ConfigSource::Read(config))
    }

    fn new(source: ConfigSource) -> SdkConfig {
        SdkConfig {
            source,
            sdk_key_secret: None,
            environment: convert_engine::DEFAULT_ENVIRONMENT.to_owned(),
            config_endpoint: DEFAULT_CONFIG_ENDPOINT.to_owned(),
            track_endpoint: DEFAULT_TRACK_ENDPOINT.to_owned(),
            batch_size: DEFAULT_BATCH_SIZE,
            release_interval: None,
            tracking: true,
            tracking_source: format!("rust{}", env!("CARGO_PKG_VERSION")),
            max_queued_events: DEFAULT_MAX_QUEUED_EVENTS,
            refresh: None,
            timeout: Duration::from_secs(10),
            transport: None,
        }
    }
}

impl fmt::Debug for SdkConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkConfig")
            .field("source", &self.source)
            .field(
                "sdk_key_secret",
                &self.sdk_key_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("environment", &self.environment)
            .field("config_endpoint", &self.config_endpoint)
            .field("track_endpoint", &self.track_endpoint)
            .field("batch_size", &self.batch_size)
            .field("release_interval", &self.release_interval)
            .field("tracking", &self.tracking)
            .field("tracking_source", &self.tracking_source)
            .field("max_queued_events", &self.max_queued_events)
            .field("refresh", &self.refresh)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
