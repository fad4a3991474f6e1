//! [`Core`]: one SDK instance — the config snapshot, the visitor store, the
//! tracking queue, lifecycle events and the background workers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use convert_engine::config::{ProjectConfig, validate_contract, validate_contract_object};
use convert_engine::record::RecordMap;
use convert_engine::store::{MemoryStore, store_key};
use convert_engine::visitor::{VisitorState, split_report_segments, split_report_segments_owned};
use convert_engine::{Engine, Settings, js};
use serde_json::{Map, Value};

use crate::context::Context;
use crate::error::{SdkError, redact};
use crate::events::{DropReason, EventBus, EventPayload, Handler, LifecycleEvent, ReleaseReason};
use crate::options::{ConfigSource, RefreshConfig, SdkConfig};
use crate::queue::{AfterEnqueue, TrackingEvent, TrackingQueue, VisitorEvents, batch_body};
use crate::transport::{HttpRequest, Transport, UreqTransport};

/// The config an instance evaluates against.
/// The longest record key [`Snapshot::store_key`] assembles on the stack
/// (account and project ids and a visitor id are far shorter in practice).
const STACK_KEY_BYTES: usize = 128;

#[derive(Debug)]
pub(crate) struct Snapshot {
    /// The config read, with the served JSON as `config.raw` (kept once;
    /// shared when it was given read).
    pub(crate) config: Arc<ProjectConfig>,
    /// `{account_id}-{project_id}-`: the visitor-record key without the
    /// visitor id ([`store_key`]).
    key_prefix: String,
}

impl Snapshot {
    fn read(raw: Value) -> Result<Snapshot, SdkError> {
        validate_contract(&raw).map_err(|v| SdkError::ConfigInvalid(v.to_string()))?;
        let config =
            ProjectConfig::from_json(raw).map_err(|e| SdkError::ConfigInvalid(e.to_string()))?;
        Ok(Snapshot::of(Arc::new(config)))
    }

    /// The snapshot of a config given already read.
    fn shared(config: Arc<ProjectConfig>) -> Result<Snapshot, SdkError> {
        validate_contract_object(&config.raw)
            .map_err(|v| SdkError::ConfigInvalid(v.to_string()))?;
        Ok(Snapshot::of(config))
    }

    fn of(config: Arc<ProjectConfig>) -> Snapshot {
        let key_prefix = store_key(config.account_id.as_ref(), config.project_id.as_ref(), "");
        Snapshot { config, key_prefix }
    }

    /// The visitor's record key in the store ([`store_key`]), shared by the
    /// context and the store's entry. Built in one allocation: a key of up to
    /// [`STACK_KEY_BYTES`] is put together on the stack and copied once into
    /// the `Arc`.
    pub(crate) fn store_key(&self, visitor_id: &str) -> Arc<str> {
        let (prefix, id) = (self.key_prefix.as_bytes(), visitor_id.as_bytes());
        let len = prefix.len() + id.len();
        if len <= STACK_KEY_BYTES {
            let mut buffer = [0u8; STACK_KEY_BYTES];
            buffer[..prefix.len()].copy_from_slice(prefix);
            buffer[prefix.len()..len].copy_from_slice(id);
            // Two `str`s one after the other are UTF-8: this always succeeds.
            if let Ok(key) = std::str::from_utf8(&buffer[..len]) {
                return Arc::from(key);
            }
        }
        let mut key = String::with_capacity(len);
        key.push_str(&self.key_prefix);
        key.push_str(visitor_id);
        Arc::from(key)
    }

    /// [`Snapshot::store_key`], sharing `known` when it is that key (a key
    /// computed earlier, under a config with the same prefix).
    pub(crate) fn store_key_as(&self, visitor_id: &str, known: &Arc<str>) -> Arc<str> {
        let same = known.len() == self.key_prefix.len() + visitor_id.len()
            && known.starts_with(self.key_prefix.as_str())
            && known.ends_with(visitor_id);
        if same {
            Arc::clone(known)
        } else {
            self.store_key(visitor_id)
        }
    }
}

/// Everything an instance and its contexts share.
pub(crate) struct Shared {
    pub(crate) options: SdkConfig,
    transport: Arc<dyn Transport>,
    pub(crate) engine: Engine,
    snapshot: RwLock<Arc<Snapshot>>,
    store: Mutex<MemoryStore>,
    queue: Mutex<TrackingQueue>,
    release_lock: Mutex<()>,
    /// Striped locks that make each visitor's load–decide–save atomic, so
    /// that concurrent calls for one visitor cannot both see a fresh
    /// decision (and track it twice).
    visitor_locks: Vec<Mutex<()>>,
    /// Picks a visitor's lock stripe (foldhash, seeded per instance).
    lock_hasher: foldhash::fast::RandomState,
    pub(crate) events: EventBus,
    stop: Mutex<bool>,
    wake: Condvar,
    closed: AtomicBool,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub(crate) fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.snapshot.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Holds the lock of the visitor stored under `key` (one of
    /// [`VISITOR_LOCK_STRIPES`], chosen by hash).
    pub(crate) fn lock_visitor(&self, key: &str) -> std::sync::MutexGuard<'_, ()> {
        use std::hash::BuildHasher;
        let hash = self.lock_hasher.hash_one(key);
        let stripe = usize::try_from(hash % self.visitor_locks.len() as u64).unwrap_or(0);
        lock(&self.visitor_locks[stripe])
    }

    /// The visitor's record, moved out of the store for one call
    /// ([`MemoryStore::take`]); `None` for a visitor not stored. The caller
    /// holds the visitor's lock and puts the record back with
    /// [`Shared::save_state`] or [`Shared::restore_state`].
    pub(crate) fn take_state(&self, key: &str) -> Option<VisitorState> {
        lock(&self.store).take(key)
    }

    /// Puts back a taken record that the call did not change.
    pub(crate) fn restore_state(&self, key: &str, state: VisitorState) {
        lock(&self.store).restore(key, state);
    }

    /// Saves the visitor's record; a visitor not stored yet gets an entry
    /// that shares `key` (no copy of it).
    pub(crate) fn save_state(&self, key: &Arc<str>, state: VisitorState) {
        lock(&self.store).save_shared(key, state);
    }

    /// Queues an event; releases by size when the JS rule says so (or to
    /// retry after a failed release). A full queue drops its oldest events
    /// and reports them (`api.queue.dropped`).
    pub(crate) fn enqueue(
        &self,
        visitor_id: &str,
        event: TrackingEvent,
        segments: Option<Map<String, Value>>,
    ) {
        let (after, dropped) = {
            let mut queue = lock(&self.queue);
            let after = queue.push(visitor_id, event, segments, self.options.batch_size);
            (after, queue.shed(self.options.max_queued_events))
        };
        self.report_dropped(DropReason::QueueFull, dropped);
        if after == AfterEnqueue::Release && self.options.tracking {
            self.release(ReleaseReason::Size);
        }
    }

    /// Fires `api.queue.dropped` for `dropped`, if there are any.
    fn report_dropped(&self, reason: DropReason, dropped: Vec<VisitorEvents>) {
        let count: usize = dropped.iter().map(|v| v.events.len()).sum();
        if count == 0 {
            return;
        }
        let error = match reason {
            DropReason::QueueFull => SdkError::QueueOverflow { dropped: count },
            DropReason::Closed => SdkError::Closed,
        };
        self.events.fire(
            &EventPayload::EventsDropped {
                reason,
                visitors: dropped,
            },
            Some(&error),
        );
    }

    /// Sends everything queued as one batch. A failed send puts the batch
    /// back (bounded by `max_queued_events`) for the next release. Returns
    /// whether the queue was sent (or empty).
    pub(crate) fn release(&self, reason: ReleaseReason) -> bool {
        let _serial = lock(&self.release_lock);
        let batch = lock(&self.queue).take();
        if batch.is_empty() {
            return true;
        }
        let snapshot = self.snapshot();
        let account_id = snapshot
            .config
            .raw
            .get("account_id")
            .cloned()
            .unwrap_or(Value::Null);
        let project_id = js::get(snapshot.config.raw.get("project"), "id")
            .cloned()
            .unwrap_or(Value::Null);
        let route_key = match &self.options.source {
            ConfigSource::SdkKey(key) => key.clone(),
            ConfigSource::Data(_) | ConfigSource::Read(_) => format!(
                "{}/{}",
                js::to_string(Some(&account_id)),
                js::to_string(Some(&project_id))
            ),
        };
        let base = self
            .options
            .track_endpoint
            .replace("[project_id]", &js::to_string(Some(&project_id)));
        let url = format!("{}/track/{route_key}", base.trim_end_matches('/'));
        let body = batch_body(
            &account_id,
            &project_id,
            &batch,
            &self.options.tracking_source,
        );
        let request = HttpRequest {
            method: "POST".into(),
            url,
            headers: headers(&self.options),
            body: Some(body.to_string()),
        };
        let visitor_count = batch.len();
        let event_count = batch.iter().map(|v| v.events.len()).sum();
        let outcome = self.transport.send(&request, self.options.timeout);
        let (status, error) = match outcome {
            Ok(response) if (200..300).contains(&response.status) => (Some(response.status), None),
            Ok(response) => (
                Some(response.status),
                Some(SdkError::Tracking(format!(
                    "HTTP status {}",
                    response.status
                ))),
            ),
            Err(message) => (
                None,
                Some(SdkError::Tracking(redact(
                    &message,
                    &secrets(&self.options),
                ))),
            ),
        };
        let sent = error.is_none();
        if !sent {
            let dropped = lock(&self.queue).restore_failed(
                batch,
                self.options.max_queued_events,
                self.options.batch_size,
            );
            self.report_dropped(DropReason::QueueFull, dropped);
        }
        self.events.fire(
            &EventPayload::ApiQueueReleased {
                reason,
                visitor_count,
                event_count,
                status,
            },
            error.as_ref(),
        );
        sent
    }

    /// Waits up to `timeout` or until stopped; returns whether to stop.
    fn wait(&self, timeout: Duration) -> bool {
        let stopped = lock(&self.stop);
        if *stopped {
            return true;
        }
        let (stopped, _) = self
            .wake
            .wait_timeout(stopped, timeout)
            .unwrap_or_else(|e| e.into_inner());
        *stopped
    }

    fn refresh_once(&self) -> Result<(), SdkError> {
        let ConfigSource::SdkKey(key) = &self.options.source else {
            return Ok(());
        };
        let raw = fetch_config(&self.options, self.transport.as_ref(), key)?;
        if matches!(&raw, Value::Object(served) if *served == self.snapshot().config.raw) {
            return Ok(());
        }
        let snapshot = Snapshot::read(raw)?;
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(snapshot);
        self.events.fire(&EventPayload::ConfigUpdated, None);
        Ok(())
    }
}

/// The headers of every request: JSON, and the bearer secret when set (the
/// JS SDK sends `Content-Type` on GET too).
fn headers(options: &SdkConfig) -> Vec<(String, String)> {
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    if let Some(secret) = &options.sdk_key_secret {
        headers.push(("Authorization".to_owned(), format!("Bearer {secret}")));
    }
    headers
}

/// What must never appear in an error: the SDK key and its secret.
fn secrets(options: &SdkConfig) -> Vec<&str> {
    let key = match &options.source {
        ConfigSource::SdkKey(key) => Some(key.as_str()),
        ConfigSource::Data(_) | ConfigSource::Read(_) => None,
    };
    [key, options.sdk_key_secret.as_deref()]
        .into_iter()
        .flatten()
        .collect()
}

/// `encodeURIComponent`.
fn encode_uri_component(s: &str) -> String {
    let mut out = String::new();
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The config URL: `{endpoint}/config/{sdk_key}?environment={env}`.
pub(crate) fn config_url(options: &SdkConfig, sdk_key: &str) -> String {
    format!(
        "{}/config/{sdk_key}?environment={}",
        options.config_endpoint.trim_end_matches('/'),
        encode_uri_component(&options.environment)
    )
}

/// Fetches and checks the config.
pub(crate) fn fetch_config(
    options: &SdkConfig,
    transport: &dyn Transport,
    sdk_key: &str,
) -> Result<Value, SdkError> {
    let request = HttpRequest {
        method: "GET".into(),
        url: config_url(options, sdk_key),
        headers: headers(options),
        body: None,
    };
    let mut secrets = secrets(options);
    secrets.push(sdk_key);
    let response = transport
        .send(&request, options.timeout)
        .map_err(|e| SdkError::ConfigFetch(redact(&e, &secrets)))?;
    if !(200..300).contains(&response.status) {
        return Err(SdkError::ConfigStatus(response.status));
    }
    let raw: Value = serde_json::from_str(&response.body)
        .map_err(|e| SdkError::ConfigInvalid(format!("not JSON: {e}")))?;
    if let Some(error) = raw.get("error").filter(|e| js::truthy(Some(e))) {
        return Err(SdkError::ConfigRejected(redact(
            &js::to_string(Some(error)),
            &secrets,
        )));
    }
    Ok(raw)
}

/// Picks a jitter in `[0, max]` from the standard library's random hasher
/// keys (no extra dependency; quality is ample for spreading refreshes).
fn jitter(max: Duration) -> Duration {
    use std::hash::{BuildHasher, RandomState};
    if max.is_zero() {
        return Duration::ZERO;
    }
    let random = RandomState::new().hash_one(std::time::SystemTime::now());
    #[allow(clippy::cast_precision_loss)]
    let fraction = (random >> 11) as f64 / (1u64 << 53) as f64;
    max.mul_f64(fraction)
}

/// The wait after `failures` consecutive failed refreshes.
pub(crate) fn refresh_wait(refresh: &RefreshConfig, failures: u32) -> Duration {
    if failures == 0 {
        return refresh.interval;
    }
    let factor = refresh
        .backoff_factor
        .max(1.0)
        .powi(i32::try_from(failures).unwrap_or(i32::MAX));
    let backed_off = refresh.interval.as_secs_f64() * factor;
    Duration::from_secs_f64(backed_off.min(refresh.backoff_max.as_secs_f64()))
}

/// How many times [`Core::close`] tries to send what is queued.
pub const CLOSE_ATTEMPTS: usize = 3;

/// Stripes of the per-visitor lock.
const VISITOR_LOCK_STRIPES: usize = 64;

/// One SDK instance. Create contexts with [`Core::create_context`]; they
/// share its config, visitor store and tracking queue. `Core` is `Send +
/// Sync`; closing (or dropping) it stops the background workers and sends
/// what is queued.
pub struct Core {
    shared: Arc<Shared>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("options", &self.shared.options)
            .finish_non_exhaustive()
    }
}

impl Core {
    /// Loads the config (fetching it in SDK-key mode) and starts the
    /// configured workers. A config that cannot be fetched or breaks the
    /// config contract is an error here, never later.
    pub fn initialize(mut options: SdkConfig) -> Result<Core, SdkError> {
        let transport: Arc<dyn Transport> = match &options.transport {
            Some(transport) => Arc::clone(transport),
            None => Arc::new(UreqTransport::default()),
        };
        let snapshot = match options.source {
            ConfigSource::Data(ref data)
                if convert_engine::limits::exceeds_depth(
                    data,
                    convert_engine::limits::MAX_DEPTH,
                ) =>
            {
                // Neither cloned nor dropped recursively: either would
                // overflow the stack on a deep enough value.
                if let ConfigSource::Data(data) =
                    std::mem::replace(&mut options.source, ConfigSource::Data(Value::Null))
                {
                    convert_engine::limits::dismantle(data);
                }
                return Err(SdkError::ConfigInvalid(
                    convert_engine::config::ConfigError::TooDeep {
                        limit: convert_engine::limits::MAX_DEPTH,
                    }
                    .to_string(),
                ));
            }
            // Moved, not copied: the snapshot keeps the config, and nothing
            // reads the given data again.
            ConfigSource::Data(ref mut data) => Snapshot::read(std::mem::take(data))?,
            ConfigSource::Read(ref config) => Snapshot::shared(Arc::clone(config))?,
            ConfigSource::SdkKey(ref key) => {
                Snapshot::read(fetch_config(&options, transport.as_ref(), key)?)?
            }
        };
        let settings = Settings {
            environment: options.environment.clone(),
            ..Settings::default()
        };
        let shared = Arc::new(Shared {
            transport,
            engine: Engine::new(settings),
            snapshot: RwLock::new(Arc::new(snapshot)),
            store: Mutex::new(MemoryStore::default()),
            queue: Mutex::new(TrackingQueue::default()),
            release_lock: Mutex::new(()),
            visitor_locks: (0..VISITOR_LOCK_STRIPES).map(|_| Mutex::new(())).collect(),
            lock_hasher: foldhash::fast::RandomState::default(),
            events: EventBus::default(),
            stop: Mutex::new(false),
            wake: Condvar::new(),
            closed: AtomicBool::new(false),
            options,
        });
        let mut workers = Vec::new();
        if let Some(interval) = shared.options.release_interval {
            let worker = Arc::clone(&shared);
            workers.push(std::thread::spawn(move || {
                while !worker.wait(interval) {
                    if worker.options.tracking {
                        worker.release(ReleaseReason::Interval);
                    }
                }
            }));
        }
        if let (Some(refresh), ConfigSource::SdkKey(_)) =
            (shared.options.refresh.clone(), &shared.options.source)
        {
            let worker = Arc::clone(&shared);
            workers.push(std::thread::spawn(move || {
                let mut failures = 0;
                loop {
                    let wait = refresh_wait(&refresh, failures) + jitter(refresh.jitter);
                    if worker.wait(wait) {
                        break;
                    }
                    match worker.refresh_once() {
                        Ok(()) => failures = 0,
                        Err(_) => failures = failures.saturating_add(1),
                    }
                }
            }));
        }
        shared.events.fire(&EventPayload::Ready, None);
        Ok(Core {
            shared,
            workers: Mutex::new(workers),
        })
    }

    /// Registers a handler. Registering for [`LifecycleEvent::Ready`] on a
    /// ready instance calls the handler at once.
    pub fn on(
        &self,
        event: LifecycleEvent,
        handler: impl Fn(&EventPayload, Option<&SdkError>) + Send + Sync + 'static,
    ) {
        let handler: Handler = Arc::new(handler);
        if event == LifecycleEvent::Ready {
            handler(&EventPayload::Ready, None);
        }
        self.shared.events.on(event, handler);
    }

    /// A context for `visitor_id`. The report-segment keys of `attributes`
    /// (`country`, `browser`, `devices`, `source`, `campaign`,
    /// `visitorType`, `customSegments`) are stored as the visitor's segments;
    /// the rest are the context's attributes.
    pub fn create_context(&self, visitor_id: &str, attributes: &Map<String, Value>) -> Context {
        self.context_of(visitor_id, split_report_segments(attributes))
    }

    /// [`Core::create_context`] with attributes the caller gives up: they
    /// become the context's, moved rather than copied (for a service that
    /// builds the attributes per request and has no use for them after).
    pub fn create_context_owned(
        &self,
        visitor_id: &str,
        attributes: Map<String, Value>,
    ) -> Context {
        self.context_of(visitor_id, split_report_segments_owned(attributes))
    }

    /// The context of attributes split into (report segments, properties):
    /// the segments are stored.
    fn context_of(
        &self,
        visitor_id: &str,
        (segments, properties): (RecordMap, Map<String, Value>),
    ) -> Context {
        let key = self.shared.snapshot().store_key(visitor_id);
        if !segments.is_empty() {
            let _visitor = self.shared.lock_visitor(&key);
            lock(&self.shared.store).update(&key, |state| state.put_segments_owned(segments));
        }
        Context::new(Arc::clone(&self.shared), visitor_id, key, properties)
    }

    /// Sends what is queued now; returns whether it was sent (or nothing was
    /// queued). A failed send keeps the events queued for the next release.
    pub fn flush(&self) -> bool {
        self.shared.release(ReleaseReason::Flush)
    }

    /// Fetches the config now (SDK-key mode); `config.updated` fires if it
    /// differs from the current one.
    pub fn refresh(&self) -> Result<(), SdkError> {
        self.shared.refresh_once()
    }

    /// How many events wait in the queue.
    pub fn queued_events(&self) -> usize {
        lock(&self.shared.queue).len()
    }

    /// The project config in use, as served.
    pub fn config(&self) -> Value {
        Value::Object(self.shared.snapshot().config.raw.clone())
    }

    /// Stops the workers and sends what is queued, trying up to
    /// [`CLOSE_ATTEMPTS`] times; events that still could not be sent are
    /// reported as dropped (`api.queue.dropped`, reason `closed`).
    /// Idempotent.
    pub fn close(&self) {
        if self.shared.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        *lock(&self.shared.stop) = true;
        self.shared.wake.notify_all();
        for worker in lock(&self.workers).drain(..) {
            let _ = worker.join();
        }
        for _ in 0..CLOSE_ATTEMPTS {
            if self.shared.release(ReleaseReason::Close) {
                break;
            }
        }
        let unsent = lock(&self.shared.queue).take();
        self.shared.report_dropped(DropReason::Closed, unsent);
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_keys_are_the_js_template_on_the_stack_and_off_it() {
        let config = ProjectConfig::from_value(&serde_json::json!({
            "account_id": "100", "project": {"id": 200}
        }))
        .expect("a config");
        let snapshot = Snapshot::of(Arc::new(config));
        let long = "v".repeat(STACK_KEY_BYTES);
        for visitor in ["v-1", "日本", "", long.as_str()] {
            let expected = store_key(Some(&"100".into()), Some(&200.into()), visitor);
            let key = snapshot.store_key(visitor);
            assert_eq!(&*key, expected);
            // A key made under the same prefix is shared, not rebuilt.
            assert!(Arc::ptr_eq(&snapshot.store_key_as(visitor, &key), &key));
        }
        let other = Arc::from("1-2-v-1");
        assert_eq!(&*snapshot.store_key_as("v-1", &other), "100-200-v-1");
    }

    #[test]
    fn the_config_url_follows_the_js_sdk() {
        let mut options = SdkConfig::with_sdk_key("100/200");
        options.environment = "prod env".into();
        assert_eq!(
            config_url(&options, "100/200"),
            "https://cdn-4.convertexperiments.com/api/v1/config/100/200?environment=prod%20env"
        );
    }

    #[test]
    fn backoff_grows_to_its_cap() {
        let refresh = RefreshConfig {
            interval: Duration::from_secs(10),
            jitter: Duration::ZERO,
            backoff_factor: 2.0,
            backoff_max: Duration::from_secs(35),
        };
        assert_eq!(refresh_wait(&refresh, 0), Duration::from_secs(10));
        assert_eq!(refresh_wait(&refresh, 1), Duration::from_secs(20));
        assert_eq!(refresh_wait(&refresh, 2), Duration::from_secs(35));
        assert!(jitter(Duration::from_secs(1)) <= Duration::from_secs(1));
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let mut options = SdkConfig::with_sdk_key("secret-key-123");
        options.sdk_key_secret = Some("very-secret".into());
        let text = format!("{options:?}");
        assert!(
            !text.contains("secret-key-123") && !text.contains("very-secret"),
            "{text}"
        );
    }

    #[test]
    fn a_config_given_read_is_shared_and_decides_as_data() {
        use crate::RunAttributes;
        use crate::transport::RecordingTransport;
        let json = serde_json::json!({
            "account_id": "10", "project": {"id": "20"},
            "experiences": [{
                "id": "1", "key": "e", "type": "a/b_fullstack", "status": "active",
                "variations": [
                    {"id": "a", "key": "a", "traffic_allocation": 5000},
                    {"id": "b", "key": "b", "traffic_allocation": 5000}
                ]
            }]
        });
        let core = |options: SdkConfig| {
            let mut options = options;
            options.transport = Some(Arc::new(RecordingTransport::new()));
            options.tracking = false;
            Core::initialize(options).unwrap()
        };
        let read = Arc::new(ProjectConfig::from_value(&json).unwrap());
        let (given, shared, again) = (
            core(SdkConfig::with_data(json.clone())),
            core(SdkConfig::with_config(Arc::clone(&read))),
            core(SdkConfig::with_config(Arc::clone(&read))),
        );
        // Each core holds the one reading twice (its options and its
        // snapshot); nothing was read again.
        assert_eq!(Arc::strong_count(&read), 5);
        assert_eq!(shared.config(), json);
        let run = RunAttributes::at(Map::new());
        for n in 0..50 {
            let visitor = format!("visitor-{n}");
            let decide = |core: &Core| {
                core.create_context(&visitor, &Map::new())
                    .run_experience("e", &run)
                    .map(|result| result.variation_id)
            };
            let expected = decide(&given);
            assert!(expected.is_some());
            assert_eq!(decide(&shared), expected, "{visitor}");
            assert_eq!(decide(&again), expected, "{visitor}");
        }
        // Read or not, a config outside the contract is refused the same way.
        let outside = serde_json::json!({"account_id": "", "project": {"id": "20"}});
        let from_data = Core::initialize(SdkConfig::with_data(outside.clone()))
            .err()
            .unwrap();
        let config = Arc::new(ProjectConfig::from_value(&outside).unwrap());
        let from_read = Core::initialize(SdkConfig::with_config(config))
            .err()
            .unwrap();
        assert!(
            matches!(&from_read, SdkError::ConfigInvalid(_)),
            "{from_read}"
        );
        assert_eq!(from_read.to_string(), from_data.to_string());
        assert!(format!("{:?}", SdkConfig::with_config(read).source).contains("Read(..)"));
    }
}
