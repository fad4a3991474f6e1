//! Tracking never loses events (`spec/tracking.md`, `tracking.delivery`).
//!
//! 16 threads evaluate and track on one `Core` whose tracking endpoint is a
//! loopback server (plain `std::net`) that, request by request, answers,
//! fails with an error status, resets the connection before or after
//! reading the batch, stalls past the client's timeout, answers garbage or
//! cuts its answer short — chosen by a seeded generator, so every run sees
//! the same schedule of faults. Events are counted end to end:
//!
//! - every event the SDK queued reaches the server with a success answer
//!   exactly once, or is reported dropped on the event bus
//!   (`api.queue.dropped`) by the bounded-queue policy;
//! - nothing arrives that was not sent, and nothing is sent again once the
//!   server acknowledged it;
//! - an event may arrive more than once only when the server took a batch
//!   in but its answer never reached the SDK (a reset, a stall, a cut
//!   answer): delivery is at least once, and these copies are counted.
//!
//! "Acknowledged" means what the SDK saw, not what the server meant: a
//! transport wrapper numbers every request (an `x-test-request` header) and
//! records whether the SDK got a success answer for it, so a slow machine
//! can only turn an answer into a lost answer, never break an invariant.
//! Nothing here depends on timing: a stall holds the connection until the
//! client gives up, and the end is a bounded flush loop.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use convert_sdk::transport::{HttpRequest, HttpResponse, Transport, UreqTransport};
use convert_sdk::{
    ConversionOptions, ConversionResult, Core, DropReason, EventPayload, LifecycleEvent,
    RunAttributes, SdkConfig,
};
use serde_json::{Map, Value, json};

/// What the server does with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Action {
    /// Takes the batch in and answers 200.
    Accept,
    /// Answers an error status without taking the batch.
    ErrorStatus,
    /// Closes the connection before reading the body (a reset).
    ResetBeforeBody,
    /// Takes the batch in, then closes without answering.
    ResetAfterBody,
    /// Takes the batch in and never answers (holds the connection until the
    /// client gives up).
    StallAfterBody,
    /// Never reads the batch (holds the connection until the client gives
    /// up).
    StallBeforeBody,
    /// Answers bytes that are not HTTP.
    Garbage,
    /// Takes the batch in and answers 200 with a body shorter than announced.
    CutAnswer,
}

impl Action {
    const ALL: [Action; 8] = [
        Action::Accept,
        Action::ErrorStatus,
        Action::ResetBeforeBody,
        Action::ResetAfterBody,
        Action::StallAfterBody,
        Action::StallBeforeBody,
        Action::Garbage,
        Action::CutAnswer,
    ];

    /// Whether the server took the batch in (counted as received).
    fn takes_batch(self) -> bool {
        matches!(
            self,
            Action::Accept | Action::ResetAfterBody | Action::StallAfterBody | Action::CutAnswer
        )
    }

    /// The request with index `i`: every action once, then a seeded draw
    /// (half of the requests accepted).
    fn for_request(seed: u64, i: u64) -> Action {
        if let Some(action) = Action::ALL.get(i as usize) {
            return *action;
        }
        let draw = splitmix(seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15)) % 100;
        match draw {
            0..50 => Action::Accept,
            50..64 => Action::ErrorStatus,
            64..72 => Action::ResetBeforeBody,
            72..80 => Action::ResetAfterBody,
            80..84 => Action::StallAfterBody,
            84..87 => Action::StallBeforeBody,
            87..94 => Action::Garbage,
            _ => Action::CutAnswer,
        }
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// An event as the server saw it: the visitor and the event, in a canonical
/// text form.
type Tuple = (String, String);

/// Sorts object keys, so that equal events have equal text.
fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let ordered: BTreeMap<&String, Value> =
                    map.iter().map(|(k, v)| (k, sorted(v))).collect();
                Value::Object(ordered.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

/// What the server recorded.
#[derive(Default)]
struct Log {
    requests: u64,
    actions: BTreeMap<Action, u64>,
    /// Per event, the requests (by number) of the batches the server took
    /// it in with, in arrival order.
    deliveries: HashMap<Tuple, Vec<u64>>,
}

/// The SDK's real HTTP transport, numbering each request and recording
/// whether the SDK saw it succeed.
#[derive(Default)]
struct Numbered {
    inner: UreqTransport,
    next: AtomicU64,
    succeeded: Mutex<HashMap<u64, bool>>,
}

impl Transport for Numbered {
    fn send(&self, request: &HttpRequest, timeout: Duration) -> Result<HttpResponse, String> {
        let number = self.next.fetch_add(1, Ordering::SeqCst);
        let mut request = request.clone();
        request
            .headers
            .push(("x-test-request".into(), number.to_string()));
        let result = self.inner.send(&request, timeout);
        let ok = matches!(&result, Ok(response) if (200..300).contains(&response.status));
        self.succeeded.lock().unwrap().insert(number, ok);
        result
    }
}

struct ChaosServer {
    base: String,
    log: Arc<Mutex<Log>>,
    stop: Arc<AtomicBool>,
    address: std::net::SocketAddr,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl ChaosServer {
    fn start(seed: u64) -> ChaosServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let address = listener.local_addr().expect("address");
        let log = Arc::new(Mutex::new(Log::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let log = Arc::clone(&log);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let Ok(stream) = stream else { continue };
                    let log = Arc::clone(&log);
                    std::thread::spawn(move || handle(stream, seed, &log));
                }
            })
        };
        ChaosServer {
            base: format!("http://{address}"),
            log,
            stop,
            address,
            accept: Some(accept),
        }
    }
}

impl Drop for ChaosServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.address);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Holds the connection until the client closes it (bounded, so the server
/// always stops by itself).
fn hold_until_closed(stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    let mut buf = [0u8; 4096];
    while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
}

fn handle(stream: TcpStream, seed: u64, log: &Mutex<Log>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut length = 0usize;
    let mut number = None;
    let mut request_line = true;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        if std::mem::take(&mut request_line) {
            continue;
        }
        if let Some((name, value)) = header.trim_end().split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            } else if name.eq_ignore_ascii_case("x-test-request") {
                number = value.trim().parse::<u64>().ok();
            }
        }
    }
    // Connections without a number (the server's own wake-up) are ignored.
    let Some(number) = number else { return };
    let action = Action::for_request(seed, number);
    {
        let mut log = log.lock().unwrap();
        log.requests += 1;
        *log.actions.entry(action).or_default() += 1;
    }
    let mut stream = stream;
    match action {
        // Unread data in the socket: closing it sends a reset.
        Action::ResetBeforeBody => return,
        Action::StallBeforeBody => {
            hold_until_closed(&mut stream);
            return;
        }
        _ => {}
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    if action.takes_batch() {
        let body: Value = serde_json::from_slice(&body).expect("tracking bodies are JSON");
        let mut log = log.lock().unwrap();
        for visitor in body["visitors"].as_array().expect("visitors") {
            let id = visitor["visitorId"].as_str().expect("visitorId").to_owned();
            for event in visitor["events"].as_array().expect("events") {
                log.deliveries
                    .entry((id.clone(), canonical(event)))
                    .or_default()
                    .push(number);
            }
        }
    }
    let _ = match action {
        Action::Accept => write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
        ),
        Action::ErrorStatus => write!(
            stream,
            "HTTP/1.1 503 Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Action::StallAfterBody => {
            hold_until_closed(&mut stream);
            Ok(())
        }
        Action::Garbage => write!(stream, "this is not HTTP at all\r\n\r\n"),
        Action::CutAnswer => write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nok"
        ),
        Action::ResetAfterBody | Action::ResetBeforeBody | Action::StallBeforeBody => Ok(()),
    };
}

fn project() -> Value {
    json!({"account_id": "100", "project": {"id": "200"},
        "experiences": [{"id": "300", "key": "exp-1", "version": 11,
            "variations": [{"id": "301", "key": "a", "traffic_allocation": 50},
                           {"id": "302", "key": "b", "traffic_allocation": 50}]}],
        "goals": [{"id": "900", "key": "buy"}]})
}

/// The events the SDK must send for one visitor that saw `variation` and
/// bought once for 12.5: the bucketing event, the conversion, and its
/// transaction event.
fn expected_events(visitor: &str, variation: &str) -> Vec<Tuple> {
    let bucketing = json!({"300": variation});
    [
        json!({"eventType": "bucketing", "data": {"experienceId": "300", "variationId": variation}}),
        json!({"eventType": "conversion", "data": {"goalId": "900", "bucketingData": bucketing}}),
        json!({"eventType": "conversion", "data": {"goalId": "900",
            "goalData": [{"key": "amount", "value": 12.5}], "bucketingData": bucketing}}),
    ]
    .iter()
    .map(|e| (visitor.to_owned(), canonical(e)))
    .collect()
}

const THREADS: usize = 16;
const VISITORS_PER_THREAD: usize = 20;
/// Visitors every thread works on at once: each must still be tracked once.
const SHARED_VISITORS: usize = 6;

/// What one chaos run produced.
struct Figures {
    sent: usize,
    requests: u64,
    actions: BTreeMap<Action, u64>,
    acknowledged: usize,
    /// Copies received beyond the first, all from batches whose answer the
    /// server broke.
    duplicates: usize,
    dropped: usize,
    dropped_after_arriving: usize,
}

/// Runs the workload against a chaos server; checks every invariant and
/// returns the figures.
fn chaos_run(seed: u64, max_queued_events: usize) -> Figures {
    let server = ChaosServer::start(seed);
    let transport = Arc::new(Numbered::default());
    let mut options = SdkConfig::with_data(project());
    options.track_endpoint = format!("{}/v1/", server.base);
    options.batch_size = 8;
    options.timeout = Duration::from_millis(300);
    options.max_queued_events = max_queued_events;
    options.transport = Some(transport.clone());
    let core = Arc::new(Core::initialize(options).expect("valid config"));
    let dropped: Arc<Mutex<Vec<(DropReason, Tuple)>>> = Arc::default();
    {
        let dropped = Arc::clone(&dropped);
        core.on(LifecycleEvent::EventsDropped, move |payload, error| {
            assert!(error.is_some(), "a drop is reported as an error");
            if let EventPayload::EventsDropped { reason, visitors } = payload {
                let mut dropped = dropped.lock().unwrap();
                for visitor in visitors {
                    for event in &visitor.events {
                        dropped.push((
                            *reason,
                            (visitor.visitor_id.clone(), canonical(&event.to_json())),
                        ));
                    }
                }
            }
        });
    }
    let purchase = ConversionOptions {
        revenue: Some(12.5),
        ..ConversionOptions::default()
    };
    let run = RunAttributes {
        ignore_location: true,
        ..RunAttributes::default()
    };
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let core = Arc::clone(&core);
            let purchase = purchase.clone();
            let run = run.clone();
            std::thread::spawn(move || {
                let mut expected = Vec::new();
                for v in 0..VISITORS_PER_THREAD + SHARED_VISITORS {
                    let id = if v < VISITORS_PER_THREAD {
                        format!("visitor-{t}-{v}")
                    } else {
                        format!("shared-{}", v - VISITORS_PER_THREAD)
                    };
                    let context = core.create_context(&id, &Map::new());
                    let first = context.run_experience("exp-1", &run).expect("bucketed");
                    let again = context.run_experience("exp-1", &run).expect("sticky");
                    assert_eq!(first.variation_id, again.variation_id);
                    let converted = context.track_conversion("buy", &purchase);
                    let repeated = context.track_conversion("buy", &purchase);
                    assert_eq!(repeated, ConversionResult::Deduplicated);
                    if v < VISITORS_PER_THREAD {
                        assert_eq!(converted, ConversionResult::Queued);
                    }
                    expected.extend(expected_events(&id, &first.variation_id));
                }
                expected
            })
        })
        .collect();
    let mut sent: HashMap<Tuple, usize> = HashMap::new();
    for worker in workers {
        for tuple in worker.join().expect("no panic in a worker") {
            *sent.entry(tuple).or_default() += 1;
        }
    }
    // Shared visitors were expected by every thread: one set of events each.
    let sent: Vec<Tuple> = sent.into_keys().collect();
    assert_eq!(
        sent.len(),
        (THREADS * VISITORS_PER_THREAD + SHARED_VISITORS) * 3
    );
    // Graceful shutdown: flush until the queue is empty (bounded), then close.
    let mut flushes = 0;
    while core.queued_events() > 0 {
        core.flush();
        flushes += 1;
        assert!(flushes < 10_000, "the queue never drained");
    }
    core.close();
    drop(core);

    let log = server.log.lock().unwrap();
    let succeeded = transport.succeeded.lock().unwrap().clone();
    let dropped = dropped.lock().unwrap().clone();
    let dropped_set: HashMap<&Tuple, DropReason> = dropped.iter().map(|(r, t)| (t, *r)).collect();
    assert_eq!(
        dropped_set.len(),
        dropped.len(),
        "an event is dropped at most once"
    );
    let mut acknowledged = 0;
    let mut duplicates = 0;
    let mut dropped_after_arriving = 0;
    for tuple in &sent {
        let deliveries = log.deliveries.get(tuple).map_or(&[][..], Vec::as_slice);
        let acked: Vec<bool> = deliveries
            .iter()
            .map(|n| succeeded.get(n).copied().unwrap_or(false))
            .collect();
        let acks = acked.iter().filter(|ok| **ok).count();
        assert!(acks <= 1, "{tuple:?} acknowledged {acks} times");
        if acks == 1 {
            assert_eq!(
                acked.last(),
                Some(&true),
                "{tuple:?} was sent again after the SDK saw it acknowledged: {deliveries:?}"
            );
            assert!(
                !dropped_set.contains_key(tuple),
                "{tuple:?} was acknowledged and reported dropped"
            );
            acknowledged += 1;
            duplicates += deliveries.len() - 1;
        } else {
            let reason = dropped_set.get(tuple);
            assert!(
                reason.is_some(),
                "{tuple:?} was neither acknowledged nor reported dropped (deliveries {deliveries:?})"
            );
            if !deliveries.is_empty() {
                dropped_after_arriving += 1;
            }
        }
    }
    for tuple in log.deliveries.keys() {
        assert!(
            sent.contains(tuple),
            "the server received an event never sent: {tuple:?}"
        );
    }
    for (_, tuple) in &dropped {
        assert!(
            sent.contains(tuple),
            "dropped an event never sent: {tuple:?}"
        );
    }
    for action in Action::ALL {
        assert!(
            log.actions.get(&action).copied().unwrap_or(0) > 0,
            "the schedule never used {action:?}"
        );
    }
    Figures {
        sent: sent.len(),
        requests: log.requests,
        actions: log.actions.clone(),
        acknowledged,
        duplicates,
        dropped: dropped.len(),
        dropped_after_arriving,
    }
}

impl Figures {
    fn add(&mut self, other: &Figures) {
        self.sent += other.sent;
        self.requests += other.requests;
        for (action, n) in &other.actions {
            *self.actions.entry(*action).or_default() += n;
        }
        self.acknowledged += other.acknowledged;
        self.duplicates += other.duplicates;
        self.dropped += other.dropped;
        self.dropped_after_arriving += other.dropped_after_arriving;
    }

    fn print(&self, name: &str) {
        eprintln!(
            "{name}: {} events sent over {} requests {:?}: {} acknowledged once, {} duplicate \
             copies (from batches whose answer was lost), {} reported dropped ({} of them had \
             arrived)",
            self.sent,
            self.requests,
            self.actions,
            self.acknowledged,
            self.duplicates,
            self.dropped,
            self.dropped_after_arriving
        );
    }
}

/// Runs the workload once per seed, checking every run; the sum of the
/// figures.
fn chaos_runs(seeds: std::ops::RangeInclusive<u64>, max_queued_events: usize) -> Figures {
    let mut total = Figures {
        sent: 0,
        requests: 0,
        actions: BTreeMap::new(),
        acknowledged: 0,
        duplicates: 0,
        dropped: 0,
        dropped_after_arriving: 0,
    };
    for seed in seeds {
        let figures = chaos_run(0x5EED_0000 + seed, max_queued_events);
        assert_eq!(
            figures.acknowledged + figures.dropped,
            figures.sent,
            "seed {seed}: every event acknowledged once or reported dropped"
        );
        total.add(&figures);
    }
    total
}

#[test]
fn no_event_is_lost_when_the_queue_has_room() {
    let figures = chaos_runs(1..=6, 1_000_000);
    figures.print("6 runs, queue bound 1,000,000");
    assert_eq!(figures.dropped, 0, "nothing needed dropping");
    assert_eq!(
        figures.acknowledged, figures.sent,
        "every event acknowledged once"
    );
}

#[test]
fn a_full_queue_drops_the_oldest_and_says_so() {
    let figures = chaos_runs(11..=16, 200);
    figures.print("6 runs, queue bound 200");
    assert!(figures.dropped > 0, "the bound was reached");
}

#[test]
fn close_reports_what_it_could_not_send() {
    // A server that refuses every batch: close tries a bounded number of
    // times, then reports each event as dropped, none lost silently.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten().take(64) {
            let mut stream = stream;
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream
                .write_all(b"HTTP/1.1 500 No\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    let mut options = SdkConfig::with_data(project());
    options.track_endpoint = format!("{base}/v1/");
    options.timeout = Duration::from_secs(10);
    let core = Core::initialize(options).expect("valid config");
    let dropped: Arc<Mutex<Vec<(DropReason, usize)>>> = Arc::default();
    {
        let dropped = Arc::clone(&dropped);
        core.on(LifecycleEvent::EventsDropped, move |payload, _| {
            if let EventPayload::EventsDropped { reason, visitors } = payload {
                let n = visitors.iter().map(|v| v.events.len()).sum();
                dropped.lock().unwrap().push((*reason, n));
            }
        });
    }
    let run = RunAttributes {
        ignore_location: true,
        ..RunAttributes::default()
    };
    for v in 0..3 {
        let context = core.create_context(&format!("v{v}"), &Map::new());
        context.run_experience("exp-1", &run).expect("bucketed");
    }
    assert_eq!(core.queued_events(), 3);
    core.close();
    assert_eq!(*dropped.lock().unwrap(), vec![(DropReason::Closed, 3)]);
    assert_eq!(core.queued_events(), 0);
}
