//! `cargo xtask bench [--quick] [--peers]`: the criterion benches, the memory
//! figures and (with `--peers`) the same decision workload through the
//! published JS and Python SDKs, printed as one table (also written to
//! `target/bench/table.md`). `docs/performance.md` records a run.
//!
//! - criterion: `cargo bench` on convert-engine (hash, bucketing, rules),
//!   convert-regex, convert-sdk (decisions) and convert-parity (runner
//!   throughput); the table reads each benchmark's `new/estimates.json`;
//! - memory: the `memory` example of convert-sdk (a counting allocator);
//! - peers: every target gets the protocol's `time` request (scope
//!   `decision`) for the workload `crates/convert-sdk/benches/workload.json`
//!   with the same visitors, inside its own runtime: the Rust SDK behind
//!   `convert-parity adapter` (release build), and the JS and Python adapters
//!   in their installed environments. The adapter overhead is a `time` of
//!   scope `case` against the same cases sent as `run` requests.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};
use convert_parity::adapter::{Adapter, AdapterConfig};
use convert_parity::target::{CaseInput, Target};
use convert_spec::Family;
use convert_spec::protocol::{Timing, TimingScope};
use serde_json::Value;

use crate::cargo::{cargo, run_ok};
use crate::util::project_root;

/// Where the workload lives (an `experience` family input).
const WORKLOAD: &str = "crates/convert-sdk/benches/workload.json";

/// How a run is sized.
struct Plan {
    quick: bool,
    /// Decisions per `time` request (the same visitors for every SDK).
    decisions: u64,
    /// Rounds per target; the median is reported.
    rounds: usize,
    /// Cases for the adapter-overhead comparison.
    cases: usize,
    /// Paired rounds (a `time` of the case, then the same cases as `run`s)
    /// for the adapter overhead; the median of the rounds' overheads is
    /// reported, so that a round the machine slowed down in moves it little.
    overhead_rounds: usize,
}

impl Plan {
    fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                quick,
                decisions: 2_000,
                rounds: 1,
                cases: 50,
                overhead_rounds: 3,
            }
        } else {
            Plan {
                quick,
                decisions: 20_000,
                rounds: 3,
                cases: 300,
                overhead_rounds: 9,
            }
        }
    }
}

/// Runs the whole benchmark and prints the table.
pub fn run(quick: bool, peers: bool, criterion_args: &[String]) -> Result<ExitCode> {
    let root = project_root();
    let plan = Plan::new(quick);
    let started = SystemTime::now();
    let out = target_dir().join("bench");
    std::fs::create_dir_all(&out)?;

    let log = out.join("criterion.log");
    eprintln!("running the criterion benches (output: {})", log.display());
    let mut command = cargo([
        "bench",
        "-p",
        "convert-engine",
        "-p",
        "convert-regex",
        "-p",
        "convert-sdk",
        "-p",
        "convert-parity",
        "--",
    ]);
    if quick {
        command.args(["--warm-up-time", "1", "--measurement-time", "2"]);
    }
    command.args(criterion_args);
    command.stdout(std::fs::File::create(&log)?);
    run_ok(&mut command)?;
    let benches = criterion_results(&target_dir().join("criterion"), started)?;

    eprintln!("measuring memory (convert-sdk example `memory`)");
    let memory = memory_figures()?;

    let peer_rows = if peers {
        Some(peer_results(&root, &plan)?)
    } else {
        None
    };

    let table = render(&plan, &benches, &memory, peer_rows.as_ref());
    print!("{table}");
    std::fs::write(out.join("table.md"), &table)?;
    eprintln!("table written to {}", out.join("table.md").display());
    Ok(ExitCode::SUCCESS)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("target"))
}

/// One criterion benchmark of this run.
struct Bench {
    /// `group/function/value`.
    id: String,
    /// Median, nanoseconds per iteration.
    median_ns: f64,
    /// `Bytes` or `Elements` per iteration, if declared.
    throughput: Option<(String, f64)>,
}

/// Every benchmark under `dir` measured since `since`.
fn criterion_results(dir: &Path, since: SystemTime) -> Result<Vec<Bench>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_dir() {
                continue;
            }
            let estimates = path.join("new/estimates.json");
            let fresh = std::fs::metadata(&estimates)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= since);
            if fresh {
                found.push(read_bench(&path)?);
            } else if path.file_name().is_some_and(|n| n != "new" && n != "base") {
                stack.push(path);
            }
        }
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(found)
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn read_bench(dir: &Path) -> Result<Bench> {
    let benchmark = read_json(&dir.join("new/benchmark.json"))?;
    let estimates = read_json(&dir.join("new/estimates.json"))?;
    let throughput = benchmark["throughput"].as_object().and_then(|t| {
        let (kind, amount) = t.iter().next()?;
        Some((kind.clone(), amount.as_f64()?))
    });
    Ok(Bench {
        id: benchmark["full_id"].as_str().unwrap_or("?").to_owned(),
        median_ns: estimates["median"]["point_estimate"]
            .as_f64()
            .unwrap_or(f64::NAN),
        throughput,
    })
}

fn memory_figures() -> Result<Value> {
    let output = cargo([
        "run",
        "--release",
        "--quiet",
        "-p",
        "convert-sdk",
        "--example",
        "memory",
        "--",
        "--json",
    ])
    .output()
    .context("running the memory example")?;
    if !output.status.success() {
        bail!(
            "the memory example failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(text.trim()).context("the memory example's JSON line")
}

/// The measurements of one SDK.
struct Peer {
    name: String,
    implementation: String,
    /// Median nanoseconds per decision (scope `decision`).
    decision_ns: f64,
    /// Decisions per variation id (the same for every SDK when they agree).
    variations: BTreeMap<String, u64>,
    /// Nanoseconds per case inside the runtime (scope `case`) and over the
    /// protocol (`run` requests, pipelined).
    case_ns: f64,
    protocol_ns: f64,
    /// The median over paired rounds of `(protocol - case) / case`, in %.
    overhead_percent: f64,
}

fn peer_results(root: &Path, plan: &Plan) -> Result<Vec<Peer>> {
    let workload = read_json(&root.join(WORKLOAD))?;
    // Our side: the Rust SDK behind `convert-parity adapter`, release build.
    run_ok(&mut cargo([
        "build",
        "--release",
        "--quiet",
        "-p",
        "convert-parity",
        "--bin",
        "convert-parity",
    ]))?;
    let runner = target_dir()
        .join("release")
        .join(format!("convert-parity{}", std::env::consts::EXE_SUFFIX));
    run_ok(Command::new(&runner).arg("install").current_dir(root))?;
    let mut configs = vec![AdapterConfig::new(
        "rust",
        vec![runner.display().to_string(), "adapter".into()],
        root.to_path_buf(),
    )];
    for name in ["js", "python"] {
        let dir = convert_parity::install::find(root, name)?;
        configs.push(AdapterConfig::new(
            dir.name(),
            dir.start_argv(),
            dir.dir.clone(),
        ));
    }
    // Interned as a loaded suite interns its cases, so the `run`s below are
    // referred the way the runner refers a suite's cases.
    let mut case = CaseInput::new(Family::Experience, "bench/decision", workload);
    case.members = convert_spec::identity::Interner::new().members(&case.input);
    let mut peers = Vec::new();
    for config in configs {
        let name = config.name.clone();
        eprintln!("timing {name}");
        let mut adapter =
            Adapter::start(config).with_context(|| format!("starting the {name} adapter"))?;
        let implementation = adapter.implementation().name_version_runtime();
        peers.push(measure(&mut adapter, name, implementation, &case, plan)?);
        adapter.stop();
    }
    Ok(peers)
}

fn time(
    adapter: &mut Adapter,
    case: &CaseInput,
    iterations: u64,
    scope: TimingScope,
) -> Result<Timing> {
    adapter
        .time(case, iterations, scope, Duration::from_secs(600))
        .map_err(|e| anyhow::anyhow!("time request: {e}"))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn measure(
    adapter: &mut Adapter,
    name: String,
    implementation: String,
    case: &CaseInput,
    plan: &Plan,
) -> Result<Peer> {
    // Warm-up (JIT runtimes), then the measured rounds.
    time(
        adapter,
        case,
        plan.decisions.min(2_000),
        TimingScope::Decision,
    )?;
    let mut per_decision = Vec::new();
    let mut variations = BTreeMap::new();
    for _ in 0..plan.rounds {
        let timing = time(adapter, case, plan.decisions, TimingScope::Decision)?;
        per_decision.push(timing.ns_per_iteration());
        variations = timing.variations.unwrap_or_default();
    }
    // Adapter overhead: the case timed inside the runtime vs sent as `run`s.
    let cases = vec![case.clone(); plan.cases];
    time(adapter, case, 10, TimingScope::Case)?;
    let _ = adapter.run(&cases[..plan.cases.min(20)]);
    let mut inside = Vec::new();
    let mut outside = Vec::new();
    let mut overheads = Vec::new();
    for _ in 0..plan.overhead_rounds {
        let timing = time(adapter, case, plan.cases as u64, TimingScope::Case)?;
        inside.push(timing.ns_per_iteration());
        let start = Instant::now();
        let answers = adapter.run(&cases);
        let elapsed = start.elapsed();
        if answers
            .iter()
            .any(|a| !matches!(a, convert_parity::outcome::Answer::Result(_)))
        {
            bail!("{name}: a `run` of the workload case did not answer a result");
        }
        let protocol = elapsed.as_nanos() as f64 / plan.cases as f64;
        let case = timing.ns_per_iteration();
        overheads.push((protocol - case) / case * 100.0);
        outside.push(protocol);
    }
    Ok(Peer {
        name,
        implementation,
        decision_ns: median(per_decision),
        variations,
        case_ns: median(inside),
        protocol_ns: median(outside),
        overhead_percent: median(overheads),
    })
}

fn duration(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{:.2} ms", ns / 1_000_000.0)
    }
}

fn bytes(n: f64) -> String {
    if n < 10_240.0 {
        format!("{n:.0} B")
    } else if n < 10_485_760.0 {
        format!("{:.1} KiB", n / 1024.0)
    } else {
        format!("{:.1} MiB", n / 1_048_576.0)
    }
}

/// A target from the issue, and whether this run met it.
fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = Command::new("rustc")
        .arg("-V")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {rustc}")
}

fn render(plan: &Plan, benches: &[Bench], memory: &Value, peers: Option<&Vec<Peer>>) -> String {
    let mut rows: Vec<[String; 4]> = Vec::new();
    let find = |id: &str| benches.iter().find(|b| b.id == id);
    for bench in benches {
        let mut result = duration(bench.median_ns);
        match &bench.throughput {
            Some((kind, amount)) if kind == "Bytes" => {
                let gbps = amount / bench.median_ns;
                let _ = write!(result, " ({gbps:.2} GB/s)");
            }
            Some((kind, amount)) if kind == "Elements" => {
                let per_second = amount / (bench.median_ns / 1e9);
                let _ = write!(result, " ({per_second:.0} /s)");
            }
            _ => {}
        }
        let target = match bench.id.as_str() {
            "murmur3_x86_32/engine/32" => format!("≤ 15 ns: {}", verdict(bench.median_ns <= 15.0)),
            "murmur3_x86_32/engine/65536" => {
                let gbps = bench
                    .throughput
                    .as_ref()
                    .map_or(0.0, |(_, a)| a / bench.median_ns);
                format!("≥ 2 GB/s: {}", verdict(gbps >= 2.0))
            }
            "sdk/decision/fresh-visitor" | "sdk/decision/fresh-visitor-owned-attributes" => {
                format!("≤ 0.5 µs: {}", verdict(bench.median_ns <= 500.0))
            }
            "runner/reference-in-process/v1" => {
                let per_second = bench
                    .throughput
                    .as_ref()
                    .map_or(0.0, |(_, a)| a / (bench.median_ns / 1e9));
                format!("≥ 100,000 /s: {}", verdict(per_second >= 100_000.0))
            }
            _ => String::new(),
        };
        rows.push([bench.id.clone(), result, target, String::new()]);
    }
    let seen: Vec<f64> = ["10000", "100000", "1000000"]
        .iter()
        .filter_map(|n| find(&format!("sdk/decision/visitors-seen/{n}")).map(|b| b.median_ns))
        .collect();
    if seen.len() == 3 {
        let (low, high) = (
            seen.iter().copied().fold(f64::INFINITY, f64::min),
            seen.iter().copied().fold(0.0, f64::max),
        );
        rows.push([
            "sdk/decision/visitors-seen: 1M vs 10k".into(),
            format!("{:+.0}%", (seen[2] / seen[0] - 1.0) * 100.0),
            format!("flat (spread ≤ 25%): {}", verdict(high / low <= 1.25)),
            String::new(),
        ]);
    }
    let figure = |name: &str| memory[name].as_f64().unwrap_or(f64::NAN);
    rows.push([
        format!(
            "memory: loaded config ({} of JSON)",
            bytes(figure("config_json_bytes"))
        ),
        bytes(figure("config_bytes")),
        String::new(),
        String::new(),
    ]);
    rows.push([
        "memory: per Context".into(),
        bytes(figure("context_bytes")),
        String::new(),
        String::new(),
    ]);
    rows.push([
        "memory: per decided visitor in the store".into(),
        bytes(figure("visitor_record_bytes")),
        String::new(),
        String::new(),
    ]);
    rows.push([
        "allocations per fresh decision (create context + run_experience)".into(),
        format!(
            "{} ({})",
            figure("allocations_per_decision"),
            bytes(figure("bytes_allocated_per_decision"))
        ),
        String::new(),
        String::new(),
    ]);
    rows.push([
        "allocations per fresh decision, attributes given up (create_context_owned)".into(),
        format!("{}", figure("allocations_per_owned_decision")),
        String::new(),
        String::new(),
    ]);
    rows.push([
        "allocations per sticky decision".into(),
        format!("{}", figure("allocations_per_sticky_decision")),
        String::new(),
        String::new(),
    ]);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "\nconvert-parity benchmarks ({}) — {}\n",
        if plan.quick { "quick" } else { "full" },
        machine()
    );
    table(&mut text, ["benchmark", "median", "target", ""], &rows);
    if let Some(peers) = peers {
        let ours = peers.iter().find(|p| p.name == "rust");
        let mut peer_rows = Vec::new();
        for peer in peers {
            let ratio = ours.map_or(f64::NAN, |o| peer.decision_ns / o.decision_ns);
            let overhead = peer.overhead_percent;
            let agrees = ours.is_none_or(|o| o.variations == peer.variations);
            peer_rows.push([
                format!("{} — {}", peer.name, peer.implementation),
                duration(peer.decision_ns),
                if peer.name == "rust" {
                    "1× (ours)".into()
                } else {
                    format!("{ratio:.1}× ours (≥ 100×: {})", verdict(ratio >= 100.0))
                },
                format!(
                    "{} in runtime, {} over the protocol (medians): {overhead:+.1}% \
                     (median of paired rounds; ≤ 10%: {}){}",
                    duration(peer.case_ns),
                    duration(peer.protocol_ns),
                    verdict(overhead <= 10.0),
                    if agrees {
                        String::new()
                    } else {
                        "; DECISIONS DIFFER from ours".into()
                    }
                ),
            ]);
        }
        let _ = writeln!(
            text,
            "\nthe same decision workload in each SDK's runtime ({} decisions per round, median of {}; \
             `time` scope `decision`), and the adapter overhead for one `experience` case \
             ({} cases, {} paired rounds):\n",
            plan.decisions, plan.rounds, plan.cases, plan.overhead_rounds
        );
        table(
            &mut text,
            [
                "SDK",
                "per decision",
                "ratio",
                "one case: in runtime vs over the protocol",
            ],
            &peer_rows,
        );
        if let Some(o) = ours {
            let _ = writeln!(
                text,
                "\ndecisions per variation (every SDK): {:?}",
                o.variations
            );
        }
    }
    text
}

fn table(text: &mut String, header: [&str; 4], rows: &[[String; 4]]) {
    let _ = writeln!(text, "| {} |", header.join(" | "));
    let _ = writeln!(text, "|{}", "---|".repeat(4));
    for row in rows {
        let _ = writeln!(text, "| {} |", row.join(" | "));
    }
}
