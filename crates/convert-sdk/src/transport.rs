//! HTTP: the [`Transport`] trait the SDK sends through, the default
//! [`UreqTransport`], and [`RecordingTransport`] for offline use (tests,
//! examples and the conformance runner's scenarios).

use std::sync::Mutex;
use std::time::Duration;

/// An HTTP request the SDK makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body (`POST`).
    pub body: Option<String>,
}

/// What came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The body text.
    pub body: String,
}

/// Sends HTTP requests. Implementations must be usable from many threads.
pub trait Transport: Send + Sync {
    /// Sends `request`; `Err` only when no response arrived (connection
    /// refused, timeout, …). Error statuses are `Ok` responses.
    fn send(&self, request: &HttpRequest, timeout: Duration) -> Result<HttpResponse, String>;
}

/// The longest response body [`UreqTransport`] reads by default (128 MiB):
/// room for the largest configs, a bound on what a broken endpoint can make
/// the SDK hold in memory (`docs/robustness.md`).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 128 * 1024 * 1024;

/// The default transport: a blocking `ureq` agent.
#[derive(Debug)]
pub struct UreqTransport {
    agent: ureq::Agent,
    max_response_bytes: u64,
}

impl Default for UreqTransport {
    fn default() -> Self {
        UreqTransport::with_max_response_bytes(DEFAULT_MAX_RESPONSE_BYTES)
    }
}

impl UreqTransport {
    /// A transport that fails any response whose body is longer than
    /// `max_response_bytes` (after reading at most that much).
    pub fn with_max_response_bytes(max_response_bytes: u64) -> UreqTransport {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        UreqTransport {
            agent,
            max_response_bytes,
        }
    }
}

impl Transport for UreqTransport {
    fn send(&self, request: &HttpRequest, timeout: Duration) -> Result<HttpResponse, String> {
        let result = if request.method == "POST" {
            let mut builder = self.agent.post(&request.url);
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            builder
                .config()
                .timeout_global(Some(timeout))
                .build()
                .send(request.body.as_deref().unwrap_or(""))
        } else {
            let mut builder = self.agent.get(&request.url);
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            builder
                .config()
                .timeout_global(Some(timeout))
                .build()
                .call()
        };
        let mut response = result.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_response_bytes)
            .read_to_string()
            .map_err(|e| e.to_string())?;
        Ok(HttpResponse { status, body })
    }
}

/// Records every request and answers each with a fixed status (200 by
/// default) and an empty body; nothing leaves the process.
#[derive(Debug, Default)]
pub struct RecordingTransport {
    requests: Mutex<Vec<HttpRequest>>,
    status: Mutex<Option<u16>>,
}

impl RecordingTransport {
    /// A transport answering 200.
    pub fn new() -> RecordingTransport {
        RecordingTransport::default()
    }

    /// Answer later requests with `status`.
    pub fn answer_with(&self, status: u16) {
        *self.status.lock().unwrap_or_else(|e| e.into_inner()) = Some(status);
    }

    /// The requests so far, in order.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Transport for RecordingTransport {
    fn send(&self, request: &HttpRequest, _timeout: Duration) -> Result<HttpResponse, String> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(request.clone());
        let status = self
            .status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or(200);
        Ok(HttpResponse {
            status,
            body: String::new(),
        })
    }
}
