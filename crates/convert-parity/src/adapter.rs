//! The subprocess adapter client: one persistent adapter process per target,
//! spoken to in protocol v1 (`spec/protocol.md`), pipelined, with a per-case
//! timeout, a line-length cap, a bounded stderr tail, and restart with the
//! handshake replayed after any fault.
//!
//! ```no_run
//! use std::path::PathBuf;
//! use convert_parity::adapter::{Adapter, AdapterConfig};
//! use convert_parity::target::{CaseInput, Target};
//! use convert_spec::Family;
//!
//! let config = AdapterConfig::new("js", vec!["node".into(), "adapter.js".into()], PathBuf::from("adapters/js"));
//! let mut adapter = Adapter::start(config)?;
//! let answers = adapter.run(&[CaseInput::new(
//!     Family::Hash,
//!     "hash/example",
//!     serde_json::json!({"value": "hello", "seed": 9999}),
//! )]);
//! println!("{:?}", answers[0]);
//! # Ok::<(), convert_parity::adapter::StartError>(())
//! ```

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use convert_spec::capability::features;
use convert_spec::protocol::{
    CaseRequest, Implementation, ReadyResponse, Request, RunResponse, StartRequest, TimeRequest,
    TimeResponse, Timing, TimingScope,
};
use convert_spec::{Capabilities, PROTOCOL_VERSION};
use serde_json::Value;

use crate::define::Definitions;
use crate::outcome::Answer;
use crate::target::{CaseInput, Target};
use crate::validate::ProtocolValidator;

/// How to start and talk to an adapter.
#[derive(Clone, Debug)]
pub struct AdapterConfig {
    /// The target's name in reports (`js`, `python`, `cmd:…`).
    pub name: String,
    /// Program and arguments. A relative program path containing `/` is
    /// resolved against `cwd`.
    pub argv: Vec<String>,
    /// Working directory of the adapter process.
    pub cwd: PathBuf,
    /// How long one case may take (from when it is sent or the previous
    /// answer arrived, whichever is later).
    pub timeout: Duration,
    /// How long the handshake may take (runtimes start slowly).
    pub start_timeout: Duration,
    /// Longest accepted response line, in bytes.
    pub max_line: usize,
    /// Restarts after faults before the target is abandoned.
    pub max_restarts: u32,
    /// Requests in flight at once.
    pub window: usize,
    /// Validate every message against the protocol schemas.
    pub validator: Option<Arc<ProtocolValidator>>,
}

impl AdapterConfig {
    /// A configuration with the documented defaults: 10 s per case, 60 s for
    /// the handshake, 16 MiB lines, 5 restarts, 32 requests in flight.
    pub fn new(name: impl Into<String>, argv: Vec<String>, cwd: PathBuf) -> AdapterConfig {
        AdapterConfig {
            name: name.into(),
            argv,
            cwd,
            timeout: Duration::from_secs(10),
            start_timeout: Duration::from_secs(60),
            max_line: 16 * 1024 * 1024,
            max_restarts: 5,
            window: 32,
            validator: None,
        }
    }
}

/// Why an adapter could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration has no program.
    #[error("adapter `{0}` has an empty command")]
    EmptyCommand(String),
    /// The process could not be spawned.
    #[error("adapter `{name}`: could not start `{program}`: {source}")]
    Spawn {
        /// The target name.
        name: String,
        /// The program.
        program: String,
        /// The error.
        source: std::io::Error,
    },
    /// The handshake failed.
    #[error("adapter `{name}`: handshake failed: {message}{}", tail_suffix(.stderr))]
    Handshake {
        /// The target name.
        name: String,
        /// What went wrong.
        message: String,
        /// The adapter's stderr tail.
        stderr: String,
    },
}

fn tail_suffix(stderr: &str) -> String {
    if stderr.trim().is_empty() {
        String::new()
    } else {
        format!("\n--- adapter stderr (tail) ---\n{}", stderr.trim_end())
    }
}

enum LineEvent {
    Line(String),
    NotUtf8,
    TooLong(usize),
    Eof,
}

/// The stderr tail kept per process.
const STDERR_TAIL: usize = 64 * 1024;

struct Process {
    child: Child,
    requests: Option<Sender<Vec<u8>>>,
    lines: Receiver<LineEvent>,
    stderr: Arc<Mutex<Vec<u8>>>,
    threads: Vec<JoinHandle<()>>,
    /// What this process was sent with `define` (feature `define` only).
    definitions: Definitions,
}

impl Process {
    fn spawn(config: &AdapterConfig) -> Result<Process, StartError> {
        let Some(program) = config.argv.first() else {
            return Err(StartError::EmptyCommand(config.name.clone()));
        };
        let program_path = if program.contains('/') && Path::new(program).is_relative() {
            config.cwd.join(program)
        } else {
            PathBuf::from(program)
        };
        let mut command = Command::new(&program_path);
        command
            .args(&config.argv[1..])
            .current_dir(&config.cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Its own process group, so that killing the adapter also kills what
        // it started (a wrapper script's interpreter, an SDK's helpers).
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn().map_err(|source| StartError::Spawn {
            name: config.name.clone(),
            program: program.clone(),
            source,
        })?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr_pipe = child.stderr.take();
        let (req_tx, req_rx) = mpsc::channel::<Vec<u8>>();
        let (line_tx, line_rx) = mpsc::channel();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut threads = Vec::new();
        if let Some(stdin) = stdin {
            threads.push(std::thread::spawn(move || write_requests(stdin, req_rx)));
        }
        if let Some(stdout) = stdout {
            let max = config.max_line;
            threads.push(std::thread::spawn(move || read_lines(stdout, line_tx, max)));
        }
        if let Some(pipe) = stderr_pipe {
            let tail = Arc::clone(&stderr);
            threads.push(std::thread::spawn(move || keep_tail(pipe, tail)));
        }
        Ok(Process {
            child,
            requests: Some(req_tx),
            lines: line_rx,
            stderr,
            threads,
            definitions: Definitions::default(),
        })
    }

    fn send(&self, request: &Request) {
        if let Ok(mut line) = serde_json::to_vec(request) {
            line.push(b'\n');
            self.send_line(line);
        }
    }

    /// Sends the line `line_of(refs)` for `input`: with `define`, the
    /// members worth referring go by reference (their `define` lines first);
    /// without it, `refs` is empty and the input goes whole.
    fn send_case(
        &mut self,
        define: bool,
        input: &Value,
        members: &convert_spec::identity::Members,
        line_of: impl FnOnce(&[(&str, &str)]) -> Vec<u8>,
    ) {
        if !define {
            self.send_line(line_of(&[]));
            return;
        }
        let mut defines = Vec::new();
        let refs = self.definitions.refer(input, members, &mut defines);
        for line in defines {
            self.send_line(line);
        }
        let refs: Vec<(&str, &str)> = refs.iter().map(|(m, d)| (*m, d.as_str())).collect();
        self.send_line(line_of(&refs));
    }

    fn send_line(&self, line: Vec<u8>) {
        if let Some(tx) = &self.requests {
            let _ = tx.send(line);
        }
    }

    fn stderr_tail(&self) -> String {
        let bytes = self.stderr.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn exit_status(&mut self, wait: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + wait;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                _ => return None,
            }
        }
    }

    /// Kills the adapter's process group (the adapter and everything it
    /// started that is still in the group).
    fn kill_group(&mut self) {
        #[cfg(unix)]
        {
            let group = rustix::process::Pid::from_child(&self.child);
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
        let _ = self.child.kill();
    }

    /// Kills and reaps the process and joins its threads.
    fn kill(mut self) -> String {
        self.requests = None;
        self.kill_group();
        let _ = self.child.wait();
        // The pipe threads end at end of file; they are not joined, so a
        // grandchild holding a pipe open cannot hang the runner.
        self.threads.clear();
        // Give the stderr thread a moment to drain what the process wrote.
        std::thread::sleep(Duration::from_millis(20));
        self.stderr_tail()
    }

    /// Asks the adapter to stop, then kills it after a grace period.
    fn stop(mut self, grace: Duration) -> Option<ExitStatus> {
        self.send(&Request::Stop);
        self.requests = None; // closes stdin once the queue is written
        let status = self.exit_status(grace);
        // Also when it exited by itself: nothing it started may outlive it.
        self.kill_group();
        let status = status.or_else(|| self.child.wait().ok());
        self.threads.clear();
        status
    }
}

fn write_requests(mut stdin: ChildStdin, requests: Receiver<Vec<u8>>) {
    for line in requests {
        if stdin.write_all(&line).and_then(|()| stdin.flush()).is_err() {
            return;
        }
    }
}

fn read_lines(stdout: impl Read, tx: Sender<LineEvent>, max_line: usize) {
    let mut reader = BufReader::with_capacity(64 * 1024, stdout);
    let mut line = Vec::new();
    let mut overflow = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(_) => {
                let _ = tx.send(LineEvent::Eof);
                return;
            }
        };
        if available.is_empty() {
            let _ = tx.send(LineEvent::Eof);
            return;
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        if !overflow {
            if line.len() + chunk.len() > max_line {
                overflow = true;
                let _ = tx.send(LineEvent::TooLong(max_line));
                line = Vec::new();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let consumed = done.unwrap_or(available.len());
        reader.consume(consumed);
        if done.is_some() {
            if !overflow {
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                let event = match String::from_utf8(std::mem::take(&mut line)) {
                    Ok(text) => LineEvent::Line(text),
                    Err(_) => LineEvent::NotUtf8,
                };
                if tx.send(event).is_err() {
                    return;
                }
            }
            overflow = false;
            line.clear();
        }
    }
}

fn keep_tail(mut pipe: impl Read, tail: Arc<Mutex<Vec<u8>>>) {
    let mut buf = [0u8; 8192];
    loop {
        match pipe.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if let Ok(mut t) = tail.lock() {
                    t.extend_from_slice(&buf[..n]);
                    if t.len() > STDERR_TAIL {
                        let cut = t.len() - STDERR_TAIL;
                        t.drain(..cut);
                    }
                }
            }
        }
    }
}

/// A running adapter: the target for one external SDK.
pub struct Adapter {
    config: AdapterConfig,
    process: Option<Process>,
    implementation: Implementation,
    capabilities: Capabilities,
    next_seq: u64,
    restarts: u32,
    abandoned: Option<String>,
    faults: Vec<String>,
}

impl Adapter {
    /// Starts the adapter and performs the handshake.
    pub fn start(config: AdapterConfig) -> Result<Adapter, StartError> {
        let (process, ready) = handshake(&config)?;
        let (implementation, capabilities) = identity(ready);
        Ok(Adapter {
            config,
            process: Some(process),
            implementation,
            capabilities,
            next_seq: 1,
            restarts: 0,
            abandoned: None,
            faults: Vec::new(),
        })
    }

    /// The faults seen so far (crashes, hangs, protocol violations), each
    /// with the adapter's stderr tail.
    pub fn faults(&self) -> &[String] {
        &self.faults
    }

    /// How often the adapter was restarted.
    pub fn restarts(&self) -> u32 {
        self.restarts
    }

    /// Stops the adapter (`stop`, then a kill after a grace period) and
    /// returns its exit status if it exited by itself.
    pub fn stop(mut self) -> Option<ExitStatus> {
        self.process
            .take()
            .and_then(|p| p.stop(Duration::from_secs(3)))
    }

    fn fault(&mut self, message: String) -> String {
        let tail = self.process.take().map(Process::kill).unwrap_or_default();
        let full = format!("{message}{}", tail_suffix(&tail));
        self.faults.push(full.clone());
        self.restarts += 1;
        if self.restarts > self.config.max_restarts {
            self.abandoned = Some(format!(
                "adapter abandoned after {} restarts",
                self.config.max_restarts
            ));
        }
        full
    }

    fn ensure_running(&mut self) -> Result<(), String> {
        if self.process.is_some() {
            return Ok(());
        }
        while self.abandoned.is_none() {
            match handshake(&self.config) {
                Ok((process, _ready)) => {
                    self.process = Some(process);
                    return Ok(());
                }
                Err(err) => {
                    self.faults.push(format!("restart failed: {err}"));
                    self.restarts += 1;
                    if self.restarts > self.config.max_restarts {
                        self.abandoned = Some(format!(
                            "adapter abandoned after {} restarts (last: {err})",
                            self.config.max_restarts
                        ));
                    }
                }
            }
        }
        Err(self.abandoned.clone().unwrap_or_default())
    }

    fn parse_response(&self, line: &str, seq: u64) -> Result<Answer, String> {
        if let Some(validator) = &self.config.validator {
            let value: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| format!("protocol violation: not JSON: {e}: {}", clip(line)))?;
            validator
                .check_run_response(&value)
                .map_err(|e| format!("protocol violation: {e}: {}", clip(line)))?;
        }
        let response = RunResponse::parse_line(line)
            .map_err(|e| format!("protocol violation: {e}: {}", clip(line)))?;
        if response.seq() != seq {
            return Err(format!(
                "protocol violation: answered seq {} where seq {seq} was expected",
                response.seq()
            ));
        }
        Ok(match response {
            RunResponse::Result(r) => Answer::Result(r.result),
            RunResponse::Skipped(s) => Answer::Skipped(s.skipped.reason),
            RunResponse::Errored(e) => Answer::Errored(match e.errored.traceback {
                Some(tb) => format!("{}\n{tb}", e.errored.message),
                None => e.errored.message,
            }),
        })
    }
}

/// Why a `time` request measured nothing.
#[derive(Debug, thiserror::Error)]
pub enum TimeError {
    /// The adapter does not declare the `timing` feature, so it is never
    /// sent a `time` request.
    #[error("adapter `{0}` does not declare the `timing` feature")]
    NotDeclared(String),
    /// The adapter skipped the request.
    #[error("skipped: {0}")]
    Skipped(String),
    /// The adapter caught an error while evaluating.
    #[error("errored: {0}")]
    Errored(String),
    /// A fault: a crash, a timeout or a protocol violation (the adapter is
    /// restarted before its next request, as after a `run` fault).
    #[error("{0}")]
    Fault(String),
}

impl Adapter {
    /// Asks the adapter to time `iterations` evaluations of `case` inside its
    /// own runtime (`spec/protocol.md`, "time"), waiting at most `timeout`
    /// for the answer. Only adapters that declare the `timing` feature are
    /// asked.
    pub fn time(
        &mut self,
        case: &CaseInput,
        iterations: u64,
        scope: TimingScope,
        timeout: Duration,
    ) -> Result<Timing, TimeError> {
        if !self.capabilities.has_feature(features::TIMING) {
            return Err(TimeError::NotDeclared(self.config.name.clone()));
        }
        self.ensure_running().map_err(TimeError::Fault)?;
        let seq = self.next_seq;
        self.next_seq += 1;
        let define = self.capabilities.has_feature(features::DEFINE);
        let Some(process) = self.process.as_mut() else {
            return Err(TimeError::Fault("the adapter is not running".into()));
        };
        let request = TimeRequest {
            seq,
            family: case.family.as_str().to_owned(),
            case: CaseRequest {
                id: case.id.clone(),
                input: Value::clone(&case.input),
                refs: None,
            },
            iterations,
            scope,
        };
        process.send_case(define, &case.input, &case.members, |refs| {
            convert_spec::protocol::time_request_line(&request, refs)
        });
        let Some(process) = &self.process else {
            return Err(TimeError::Fault("the adapter is not running".into()));
        };
        let fault = match process.lines.recv_timeout(timeout) {
            Ok(LineEvent::Line(line)) => match self.parse_time_response(&line, seq, iterations) {
                Ok(TimeResponse::Timing(timing)) => return Ok(timing.timing),
                Ok(TimeResponse::Skipped(s)) => return Err(TimeError::Skipped(s.skipped.reason)),
                Ok(TimeResponse::Errored(e)) => {
                    return Err(TimeError::Errored(e.errored.message));
                }
                Err(violation) => violation,
            },
            Ok(LineEvent::NotUtf8) => "protocol violation: a response line is not UTF-8".into(),
            Ok(LineEvent::TooLong(max)) => {
                format!("protocol violation: a response line is longer than {max} bytes")
            }
            Ok(LineEvent::Eof) | Err(RecvTimeoutError::Disconnected) => {
                "the adapter exited before answering".into()
            }
            Err(RecvTimeoutError::Timeout) => format!("no answer within {timeout:?}"),
        };
        Err(TimeError::Fault(
            self.fault(format!("time `{}`: {fault}", case.id)),
        ))
    }

    fn parse_time_response(
        &self,
        line: &str,
        seq: u64,
        iterations: u64,
    ) -> Result<TimeResponse, String> {
        if let Some(validator) = &self.config.validator {
            let value: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| format!("protocol violation: not JSON: {e}: {}", clip(line)))?;
            validator
                .check_time_response(&value)
                .map_err(|e| format!("protocol violation: {e}: {}", clip(line)))?;
        }
        let response = TimeResponse::parse_line(line)
            .map_err(|e| format!("protocol violation: {e}: {}", clip(line)))?;
        if response.seq() != seq {
            return Err(format!(
                "protocol violation: answered seq {} where seq {seq} was expected",
                response.seq()
            ));
        }
        if let TimeResponse::Timing(timing) = &response
            && timing.timing.iterations != iterations
        {
            return Err(format!(
                "protocol violation: timed {} iterations where {iterations} were asked for",
                timing.timing.iterations
            ));
        }
        Ok(response)
    }
}

fn clip(line: &str) -> String {
    if line.len() <= 200 {
        line.to_owned()
    } else {
        let mut end = 200;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}… ({} bytes)", &line[..end], line.len())
    }
}

fn identity(ready: ReadyResponse) -> (Implementation, Capabilities) {
    (
        ready.implementation.unwrap_or(Implementation {
            name: "unknown".into(),
            version: "unknown".into(),
            language: "unknown".into(),
            runtime: None,
        }),
        ready.capabilities.unwrap_or_default(),
    )
}

fn handshake(config: &AdapterConfig) -> Result<(Process, ReadyResponse), StartError> {
    let process = Process::spawn(config)?;
    let fail = |process: Process, message: String| {
        let stderr = process.kill();
        StartError::Handshake {
            name: config.name.clone(),
            message,
            stderr,
        }
    };
    process.send(&Request::Start(StartRequest {
        protocol: PROTOCOL_VERSION,
    }));
    let line = match process.lines.recv_timeout(config.start_timeout) {
        Ok(LineEvent::Line(line)) => line,
        Ok(LineEvent::NotUtf8) => {
            return Err(fail(process, "the answer to `start` is not UTF-8".into()));
        }
        Ok(LineEvent::TooLong(max)) => {
            return Err(fail(
                process,
                format!("the answer to `start` is longer than {max} bytes"),
            ));
        }
        Ok(LineEvent::Eof) | Err(RecvTimeoutError::Disconnected) => {
            return Err(fail(
                process,
                "the adapter exited before answering `start`".into(),
            ));
        }
        Err(RecvTimeoutError::Timeout) => {
            return Err(fail(
                process,
                format!("no answer to `start` within {:?}", config.start_timeout),
            ));
        }
    };
    if let Some(validator) = &config.validator {
        let checked = serde_json::from_str::<serde_json::Value>(&line)
            .map_err(|e| e.to_string())
            .and_then(|v| validator.check_ready(&v));
        if let Err(e) = checked {
            return Err(fail(
                process,
                format!("protocol violation in `ready`: {e}: {}", clip(&line)),
            ));
        }
    }
    let ready = match ReadyResponse::parse_line(&line) {
        Ok(ready) => ready,
        Err(e) => return Err(fail(process, format!("{e}: {}", clip(&line)))),
    };
    if !ready.ready {
        let message = ready
            .message
            .unwrap_or_else(|| "the adapter is not ready".into());
        return Err(fail(
            process,
            format!("the adapter does not speak protocol {PROTOCOL_VERSION}: {message}"),
        ));
    }
    Ok((process, ready))
}

impl Target for Adapter {
    fn as_adapter(&mut self) -> Option<&mut Adapter> {
        Some(self)
    }

    fn implementation(&self) -> &Implementation {
        &self.implementation
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    fn run(&mut self, cases: &[CaseInput]) -> Vec<Answer> {
        let mut answers: Vec<Option<Answer>> = vec![None; cases.len()];
        let mut next = 0usize;
        let mut pending: VecDeque<(u64, usize, Instant)> = VecDeque::new();
        let mut last_progress = Instant::now();
        loop {
            if pending.is_empty() && next >= cases.len() {
                break;
            }
            if let Err(abandoned) = self.ensure_running() {
                for answer in answers.iter_mut().filter(|a| a.is_none()) {
                    *answer = Some(Answer::Crashed(abandoned.clone()));
                }
                break;
            }
            let define = self.capabilities.has_feature(features::DEFINE);
            let Some(process) = self.process.as_mut() else {
                break;
            };
            while pending.len() < self.config.window.max(1) && next < cases.len() {
                let case = &cases[next];
                let seq = self.next_seq;
                self.next_seq += 1;
                process.send_case(define, &case.input, &case.members, |refs| {
                    convert_spec::protocol::run_request_line_with_refs(
                        seq,
                        case.family.as_str(),
                        &case.id,
                        &case.input,
                        refs,
                    )
                });
                pending.push_back((seq, next, Instant::now()));
                next += 1;
            }
            let Some(process) = &self.process else { break };
            let Some(&(seq, index, sent)) = pending.front() else {
                continue;
            };
            let deadline = sent.max(last_progress) + self.config.timeout;
            let wait = deadline.saturating_duration_since(Instant::now());
            let event = process.lines.recv_timeout(wait);
            let fault = match event {
                Ok(LineEvent::Line(line)) => match self.parse_response(&line, seq) {
                    Ok(answer) => {
                        answers[index] = Some(answer);
                        pending.pop_front();
                        last_progress = Instant::now();
                        continue;
                    }
                    Err(violation) => Answer::Crashed(violation),
                },
                Ok(LineEvent::NotUtf8) => {
                    Answer::Crashed("protocol violation: a response line is not UTF-8".into())
                }
                Ok(LineEvent::TooLong(max)) => Answer::Crashed(format!(
                    "protocol violation: a response line is longer than {max} bytes"
                )),
                Ok(LineEvent::Eof) | Err(RecvTimeoutError::Disconnected) => {
                    let status = self
                        .process
                        .as_mut()
                        .and_then(|p| p.exit_status(Duration::from_millis(500)))
                        .map_or_else(|| "without exit status".to_owned(), |s| s.to_string());
                    Answer::Crashed(format!("the adapter exited ({status}) before answering"))
                }
                Err(RecvTimeoutError::Timeout) => {
                    Answer::Timeout(format!("no answer within {:?}", self.config.timeout))
                }
            };
            let message = match &fault {
                Answer::Crashed(m) | Answer::Timeout(m) => m.clone(),
                _ => String::new(),
            };
            let full = self.fault(format!("case `{}`: {message}", cases[index].id));
            answers[index] = Some(match fault {
                Answer::Timeout(_) => Answer::Timeout(full),
                _ => Answer::Crashed(full),
            });
            // Everything sent after the faulty case is sent again to a fresh process.
            pending.clear();
            next = index + 1;
            last_progress = Instant::now();
        }
        answers
            .into_iter()
            .map(|a| a.unwrap_or_else(|| Answer::Crashed("no answer".into())))
            .collect()
    }
}

impl Drop for Adapter {
    fn drop(&mut self) {
        if let Some(process) = self.process.take() {
            let _ = process.stop(Duration::from_secs(3));
        }
    }
}
