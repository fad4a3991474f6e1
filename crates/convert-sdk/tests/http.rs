//! The SDK against a real HTTP server on loopback: config fetch (success,
//! 4xx, 5xx, timeout, invalid JSON), tracking (success, failure then retry)
//! and refresh with backoff. The server is a few lines of `std::net`; `ureq`
//! is exercised for real.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use convert_sdk::{
    ConversionOptions, Core, EventPayload, LifecycleEvent, RefreshConfig, RunAttributes, SdkConfig,
    SdkError,
};
use serde_json::{Map, Value, json};

/// One scripted answer.
#[derive(Clone)]
struct Answer {
    status: u16,
    body: String,
    delay: Duration,
}

fn answer(status: u16, body: &str) -> Answer {
    Answer {
        status,
        body: body.to_owned(),
        delay: Duration::ZERO,
    }
}

/// A request the server saw.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

/// A loopback server answering from a script (the last answer repeats).
struct Server {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start(script: Vec<Answer>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&seen);
        let next = AtomicUsize::new(0);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let i = next.fetch_add(1, Ordering::SeqCst);
                let reply = script[i.min(script.len() - 1)].clone();
                let recorded = Arc::clone(&recorded);
                std::thread::spawn(move || serve(stream, &reply, &recorded));
            }
        });
        Server { base, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, reply: &Answer, seen: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.trim_end().split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    seen.lock().unwrap().push(Seen {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    std::thread::sleep(reply.delay);
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        reply.status,
        reply.body.len(),
        reply.body
    );
}

fn project(variation_b: u32) -> Value {
    json!({"account_id": "100", "project": {"id": "200"},
        "experiences": [{"id": "300", "key": "exp-1", "version": 11,
            "variations": [{"id": "301", "key": "a", "traffic_allocation": 100 - variation_b},
                           {"id": "302", "key": "b", "traffic_allocation": variation_b}]}],
        "goals": [{"id": "900", "key": "buy"}]})
}

fn options(server: &Server, key: &str) -> SdkConfig {
    let mut options = SdkConfig::with_sdk_key(key);
    options.config_endpoint = format!("{}/api/v1/", server.base);
    options.track_endpoint = format!("{}/track-[project_id]/v1/", server.base);
    options.timeout = Duration::from_millis(500);
    options
}

#[test]
fn the_config_is_fetched_with_the_js_url_and_tracking_posts_the_batch_body() {
    let config = project(50).to_string();
    let server = Server::start(vec![answer(200, &config), answer(200, "")]);
    let mut options = options(&server, "100/200");
    options.sdk_key_secret = Some("s3cret".into());
    let core = Core::initialize(options).expect("fetched");
    let context = core.create_context("visitor-123", &Map::new());
    let decided = context.run_experience("exp-1", &RunAttributes::at(Map::new()));
    assert_eq!(decided.map(|r| r.variation_id), Some("302".to_owned()));
    core.flush();
    let seen = server.seen();
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].path, "/api/v1/config/100/200?environment=staging");
    assert_eq!(seen[1].method, "POST");
    assert_eq!(seen[1].path, "/track-200/v1/track/100/200");
    assert!(
        seen[1]
            .headers
            .contains(&("authorization".into(), "Bearer s3cret".into()))
    );
    let body: Value = serde_json::from_str(&seen[1].body).expect("JSON body");
    assert_eq!(
        body["visitors"],
        json!([{"visitorId": "visitor-123", "events": [
            {"eventType": "bucketing", "data": {"experienceId": "300", "variationId": "302"}}]}])
    );
    let keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        ["enrichData", "accountId", "projectId", "visitors", "source"]
    );
}

#[test]
fn fetch_failures_are_typed_errors_at_initialize_and_never_show_the_key() {
    let key = "secret-account/secret-project";
    for (script, check) in [
        (answer(404, "{}"), SdkError::ConfigStatus(404)),
        (answer(503, "{}"), SdkError::ConfigStatus(503)),
    ] {
        let server = Server::start(vec![script]);
        let err = Core::initialize(options(&server, key)).unwrap_err();
        assert_eq!(err, check);
    }
    let server = Server::start(vec![answer(200, "{not json")]);
    let err = Core::initialize(options(&server, key)).unwrap_err();
    assert!(matches!(err, SdkError::ConfigInvalid(_)), "{err}");
    let server = Server::start(vec![answer(200, r#"{"account_id": "1"}"#)]);
    let err = Core::initialize(options(&server, key)).unwrap_err();
    assert!(err.to_string().contains("$.project"), "{err}");
    let server = Server::start(vec![Answer {
        delay: Duration::from_secs(3),
        ..answer(200, "{}")
    }]);
    let started = Instant::now();
    let err = Core::initialize(options(&server, key)).unwrap_err();
    assert!(matches!(err, SdkError::ConfigFetch(_)), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the timeout applies"
    );
    assert!(!err.to_string().contains("secret"), "{err}");
    // Nothing listening: connection refused.
    let mut closed = options(&server, key);
    closed.config_endpoint = "http://127.0.0.1:9/api/v1/".into();
    let err = Core::initialize(closed).unwrap_err();
    assert!(matches!(err, SdkError::ConfigFetch(_)), "{err}");
    assert!(!err.to_string().contains("secret"), "{err}");
}

#[test]
fn a_failed_release_keeps_its_events_for_the_next_one() {
    let config = project(50).to_string();
    let server = Server::start(vec![answer(200, &config), answer(500, ""), answer(200, "")]);
    let core = Core::initialize(options(&server, "100/200")).expect("fetched");
    let errors = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&errors);
    core.on(LifecycleEvent::ApiQueueReleased, move |payload, error| {
        if let EventPayload::ApiQueueReleased { status, .. } = payload {
            sink.lock().unwrap().push((*status, error.cloned()));
        }
    });
    let context = core.create_context("visitor-1", &Map::new());
    context.track_conversion("buy", &ConversionOptions::default());
    core.flush();
    assert_eq!(core.queued_events(), 1, "kept after the 500");
    core.flush();
    assert_eq!(core.queued_events(), 0);
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[1].body, seen[2].body, "the same batch is sent again");
    let errors = errors.lock().unwrap();
    assert_eq!(errors[0].0, Some(500));
    assert!(matches!(errors[0].1, Some(SdkError::Tracking(_))));
    assert_eq!(errors[1], (Some(200), None));
}

#[test]
fn refresh_backs_off_and_fires_config_updated_only_on_change() {
    let first = project(50).to_string();
    let changed = project(0).to_string();
    // initialize, then: same config, failure, changed config, same again.
    let server = Server::start(vec![
        answer(200, &first),
        answer(200, &first),
        answer(500, ""),
        answer(200, &changed),
        answer(200, &changed),
    ]);
    let mut options = options(&server, "100/200");
    options.refresh = Some(RefreshConfig {
        interval: Duration::from_millis(100),
        jitter: Duration::ZERO,
        backoff_factor: 3.0,
        backoff_max: Duration::from_millis(300),
    });
    let core = Core::initialize(options).expect("fetched");
    let updates = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&updates);
    core.on(LifecycleEvent::ConfigUpdated, move |_, _| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.seen().len() < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    core.close();
    let seen = server.seen();
    assert!(seen.len() >= 5, "refreshes happened: {}", seen.len());
    assert_eq!(updates.load(Ordering::SeqCst), 1, "one change, one event");
    assert_eq!(core.config(), project(0));
    // Now every visitor gets `a` (b has 0 %).
    let context = core.create_context("visitor-123", &Map::new());
    let decided = context.run_experience("exp-1", &RunAttributes::at(Map::new()));
    assert_eq!(decided.map(|r| r.variation_key), Some(Some("a".to_owned())));
}

#[test]
fn a_context_made_before_a_refresh_to_another_project_stores_under_the_new_key() {
    // The visitor's record key is `{account_id}-{project_id}-{visitor_id}`
    // under the config in use at each call, as in the JS SDK: a context
    // keeps the key it was made with only while the config's prefix is the
    // same.
    let first = project(50);
    let mut moved = project(50);
    moved["project"]["id"] = json!("201");
    let server = Server::start(vec![
        answer(200, &first.to_string()),
        answer(200, &moved.to_string()),
    ]);
    let mut options = options(&server, "100/200");
    options.tracking = false;
    let core = Core::initialize(options).expect("fetched");
    let before = core.create_context("visitor-123", &Map::new());
    core.refresh().expect("refreshed");
    assert_eq!(core.config(), moved);
    let decided = before
        .run_experience("exp-1", &RunAttributes::at(Map::new()))
        .expect("decided");
    let after = core.create_context("visitor-123", &Map::new());
    let stored = after.stored_state();
    assert_eq!(
        stored.bucketing.get("300"),
        Some(&Value::String(decided.variation_id.clone())),
        "the decision is stored under the new project's key: {stored:?}"
    );
    assert_eq!(before.stored_state(), stored);
    core.close();
}
