//! `convert-parity`: the conformance gate's command line.

// The runner moves many JSON trees (generated inputs, protocol messages,
// answers) between threads; mimalloc allocates them at about half the cost
// of the system allocator (measured on `convert-parity fuzz`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use convert_import::PeerKind;
use convert_parity::adapter::{Adapter, AdapterConfig};
use convert_parity::finish;
use convert_parity::install::{self, AdapterDir};
use convert_parity::outcome::Answer;
use convert_parity::provenance::TargetOrigin;
use convert_parity::report::{self, Report};
use convert_parity::run::{self, Suite, TargetSpec};
use convert_parity::target::{CaseInput, Target};
use convert_parity::validate::ProtocolValidator;
use convert_spec::Family;
use serde_json::json;

const EXIT_CODES: &str = "Exit codes:
  0  every case passed, was skipped, or is a declared divergence
  1  a conformance failure: a case failed or errored, a divergence entry is stale
     or names no case, or a declared family ran no case
  2  an infrastructure or protocol error: an adapter crashed, hung, broke the
     protocol or could not start or install; invalid vector or divergence files";

/// The Convert SDK conformance gate: checks the reference engine and SDK
/// adapters against the convert-parity vectors.
#[derive(Parser)]
#[command(name = "convert-parity", version, after_help = EXIT_CODES)]
struct Cli {
    /// The project root (the folder with `vectors/` and `adapters/`); found by
    /// walking up from the current directory when not given.
    #[arg(long, global = true)]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the vectors against the reference engine and the adapters.
    #[command(after_help = EXIT_CODES)]
    Run(Box<RunArgs>),
    /// Check an adapter's handshake and one trivial case per declared family,
    /// validating every message against the protocol schemas.
    #[command(after_help = EXIT_CODES)]
    Smoke(AdapterChoice),
    /// Install adapters from their manifests (all when none is named); a
    /// no-op for adapters whose lockfiles did not change.
    Install {
        /// Adapter names.
        names: Vec<String>,
        /// Also run each adapter's own test suite (manifest `test`).
        #[arg(long)]
        self_test: bool,
    },
    /// Serve the adapter protocol on stdin/stdout with the reference engine.
    Adapter,
    /// Bucket many synthetic visitors through each target and test the
    /// observed shares against the allocation (chi-square), and each target's
    /// assignments against the reference's.
    #[command(
        after_help = "Exit codes: 0 every distribution fits and agrees with the reference; 1 a target is flagged; 2 an adapter could not start."
    )]
    Stats(StatsArgs),
    /// Differential fuzzing: generate random but valid inputs for every
    /// family, run them on the adapters and the reference engine, and shrink
    /// every undeclared disagreement with the oracle (the first adapter) to a
    /// ready-to-commit vector case.
    #[command(after_help = FUZZ_EXIT_CODES)]
    Fuzz(FuzzArgs),
    /// List families, case counts and adapters.
    List,
    /// Compare two JSON reports case by case: newly failing, removed, newly
    /// skipped, newly diverged, newly passing, added, per target.
    #[command(
        after_help = "Exit codes: 0 no regressions; 1 a case is newly failing or removed (with --strict: also newly skipped or newly diverged); 2 a report cannot be read."
    )]
    Diff(DiffArgs),
    /// Replay one failing case from its reproducer file (written by `run`)
    /// against its target alone, judged as in the run.
    #[command(
        after_help = "Exit codes: 0 the case passes (or diverges as declared) now; 1 it still fails or errors; 2 the target could not start, crashed or hung, or the file is unusable."
    )]
    Replay(ReplayArgs),
    /// Show the spec-clause × target matrix of a JSON report (clauses no
    /// vector covers included).
    Trace(TraceArgs),
}

#[derive(Args)]
struct DiffArgs {
    /// The older report (e.g. the last release's).
    old: PathBuf,
    /// The newer report.
    new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also write the Markdown rendering here (e.g. "$GITHUB_STEP_SUMMARY").
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Count newly skipped and newly diverged cases as regressions too.
    #[arg(long)]
    strict: bool,
    /// List at most this many changes per kind that are not regressions.
    #[arg(long, default_value_t = 50)]
    limit: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

#[derive(Args)]
struct ReplayArgs {
    /// The reproducer file (`target/parity/repro/<target>/<case>.json`).
    file: PathBuf,
    /// Replay against the adapter this command starts instead of the one
    /// the file names (e.g. a patched build).
    #[arg(long)]
    adapter_cmd: Option<String>,
    /// Per-case timeout, in seconds.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
}

#[derive(Args)]
struct TraceArgs {
    /// The JSON report (default: target/parity/report.json).
    report: Option<PathBuf>,
    /// Output format (text or markdown).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Only the clauses no vector covers.
    #[arg(long)]
    uncovered: bool,
}

const FUZZ_EXIT_CODES: &str =
    "The oracle of a case is the first target that can run it: the adapters in the
order given, then the reference engine. Declared divergences (entries with a
`matches` schema in a target's divergence file) are counted, not reported.

Exit codes:
  0  no target disagreed with the oracle (declared divergences aside)
  1  a target disagreed: each disagreement is printed, shrunk, as a vector case
  2  an adapter could not start, crashed or timed out";

#[derive(Args)]
struct FuzzArgs {
    /// Fuzz through this installed adapter (repeatable; the first one given is
    /// the oracle).
    #[arg(long = "adapter")]
    adapters: Vec<String>,
    /// Fuzz through the adapter this command starts (repeatable; after the
    /// `--adapter` ones in the oracle chain).
    #[arg(long = "adapter-cmd")]
    adapter_cmds: Vec<String>,
    /// The divergence file for the `--adapter-cmd` adapters.
    #[arg(long, requires = "adapter_cmds")]
    divergences: Option<PathBuf>,
    /// Leave the reference engine out.
    #[arg(long)]
    no_reference: bool,
    /// The seed: the same seed and case count replay the same run.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Cases per family.
    #[arg(long, default_value_t = 1_000)]
    cases: u64,
    /// Stop after this long (e.g. `90s`, `10m`), whatever the case count.
    #[arg(long, value_parser = humantime::parse_duration)]
    time: Option<Duration>,
    /// Only these families (repeatable).
    #[arg(long = "family")]
    families: Vec<String>,
    /// Cases per family sent to the targets at once.
    #[arg(long, default_value_t = 256)]
    batch: usize,
    /// Evaluations spent shrinking one disagreement, at most.
    #[arg(long, default_value_t = 2_000)]
    max_shrink_steps: u32,
    /// Write each finding here as a vector source file
    /// (`<dir>/<family>/<id>.json`, ready for `vectors/src/<family>/`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write the whole fuzz report (counts and findings) here as JSON.
    #[arg(long)]
    report_json: Option<PathBuf>,
    /// Per-case timeout, in seconds.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
}

#[derive(Args)]
struct AdapterChoice {
    /// An adapter under adapters/, by name.
    #[arg(long, conflicts_with = "adapter_cmd")]
    adapter: Option<String>,
    /// A command that starts an adapter (split like a shell would).
    #[arg(long)]
    adapter_cmd: Option<String>,
    /// Per-case timeout, in seconds.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
}

#[derive(Args)]
struct StatsArgs {
    /// Traffic allocation per variation, in percent (e.g. `50,50` or
    /// `33,33,34`).
    #[arg(long, value_delimiter = ',', default_value = "50,50")]
    allocation: Vec<f64>,
    /// How many synthetic visitors (`stats-0` …).
    #[arg(long, default_value_t = 1_000_000)]
    visitors: usize,
    /// The experience id (part of the hash input).
    #[arg(long, default_value = "300")]
    experience_id: String,
    /// The contract version: 11 (packed) or 12 (anchored).
    #[arg(long, default_value_t = 11)]
    contract: u32,
    /// Also bucket through these installed adapters (repeatable).
    #[arg(long = "adapter")]
    adapters: Vec<String>,
    /// Per-case timeout, in seconds.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
}

#[derive(Args)]
struct RunArgs {
    /// The vector folder.
    #[arg(long)]
    vectors: Option<PathBuf>,
    /// Run this installed adapter (repeatable); by default every installed
    /// adapter runs.
    #[arg(long = "adapter")]
    adapters: Vec<String>,
    /// Run the adapter this command starts (repeatable; split like a shell).
    #[arg(long = "adapter-cmd")]
    adapter_cmds: Vec<String>,
    /// The divergence file for the `--adapter-cmd` adapters.
    #[arg(long, requires = "adapter_cmds")]
    divergences: Option<PathBuf>,
    /// Run no adapter, only the reference engine.
    #[arg(long, conflicts_with_all = ["adapters", "adapter_cmds"])]
    no_adapters: bool,
    /// Do not run the reference engine.
    #[arg(long)]
    no_reference: bool,
    /// Only these families (repeatable).
    #[arg(long = "family")]
    families: Vec<String>,
    /// Import a peer vector file: `KIND=PATH`, or a path whose file name
    /// identifies the kind (repeatable).
    #[arg(long = "import")]
    imports: Vec<String>,
    /// Import every recognised peer vector file under this folder.
    #[arg(long)]
    peer_vectors: Option<PathBuf>,
    /// Peer findings (default: vectors/peer-findings.json when peers are imported).
    #[arg(long)]
    peer_findings: Option<PathBuf>,
    /// Per-case timeout, in seconds.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Validate every adapter message against the protocol schemas.
    #[arg(long)]
    validate_protocol: bool,
    /// Write the JSON report here.
    #[arg(long)]
    report_json: Option<PathBuf>,
    /// Write JUnit XML here.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Write the HTML report here: one self-contained page (matrix, every
    /// failing and diverged case with its diff, implementations,
    /// provenance) that opens offline in any browser.
    #[arg(long)]
    html: Option<PathBuf>,
    /// Draft a divergence file from the current failures of the (single)
    /// adapter; its reasons are TODO until written.
    #[arg(long)]
    record_divergences: Option<PathBuf>,
    /// Show at most this many failing cases per target.
    #[arg(long, default_value_t = 20)]
    show_failures: usize,
    /// Determinism and isolation probe: after the run, run a seeded sample
    /// of each target's cases again in shuffled order, on a fresh target and
    /// on the reused one; any changed answer fails the run.
    #[arg(long)]
    shuffle: bool,
    /// The probe's seed (default: from the clock; the report records it).
    #[arg(long, requires = "shuffle")]
    seed: Option<u64>,
    /// Cases per target the probe runs again (0: all).
    #[arg(long, default_value_t = 500, requires = "shuffle")]
    shuffle_sample: usize,
    /// Where reproducers of failing cases go (default: `repro/` next to the
    /// --report-json file; none without one).
    #[arg(long, conflicts_with = "no_repro")]
    repro_dir: Option<PathBuf>,
    /// Write no reproducers.
    #[arg(long)]
    no_repro: bool,
    /// Compare this run with an earlier report (e.g. the last release's):
    /// newly failing or removed cases fail the run.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// With --baseline: newly skipped and newly diverged cases fail too.
    #[arg(long, requires = "baseline")]
    baseline_strict: bool,
    /// Write a Markdown summary here (totals, the baseline diff if any, the
    /// uncovered spec clauses), e.g. "$GITHUB_STEP_SUMMARY".
    #[arg(long)]
    summary_md: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    if let Command::Diff(args) = &cli.command {
        return diff_command(args);
    }
    if let Command::Replay(args) = &cli.command {
        return replay_command(args);
    }
    if let Command::Adapter = cli.command {
        let stdin = std::io::stdin();
        let stdout = std::io::stdout();
        convert_parity::serve::serve(stdin.lock(), stdout.lock(), std::io::stderr())?;
        return Ok(ExitCode::SUCCESS);
    }
    let root = match cli.root {
        Some(root) => root,
        None => find_root()?,
    };
    match cli.command {
        Command::Run(args) => run_command(&root, *args),
        Command::Smoke(choice) => smoke(&root, choice),
        Command::Install { names, self_test } => install_command(&root, &names, self_test),
        Command::List => list(&root),
        Command::Adapter => Ok(ExitCode::SUCCESS),
        Command::Stats(args) => stats_command(&root, &args),
        Command::Fuzz(args) => fuzz_command(&root, &args),
        Command::Diff(args) => diff_command(&args),
        Command::Replay(args) => replay_command(&args),
        Command::Trace(args) => trace_command(&root, &args),
    }
}

fn find_root() -> Result<PathBuf> {
    let cwd = std::env::current_dir()?;
    cwd.ancestors()
        .find(|d| d.join("vectors").is_dir() && d.join("adapters").is_dir())
        .map(Path::to_path_buf)
        .with_context(|| {
            format!(
                "no project root (a folder with vectors/ and adapters/) above {}; pass --root",
                cwd.display()
            )
        })
}

fn validator() -> Result<Arc<ProtocolValidator>> {
    Ok(Arc::new(ProtocolValidator::new()?))
}

fn timeout(seconds: f64) -> Result<Duration> {
    Duration::try_from_secs_f64(seconds).context("--timeout must be a positive number of seconds")
}

/// The adapter `name`, or `None` after saying it is not installed.
fn installed_adapter(root: &Path, name: &str) -> Result<Option<AdapterDir>> {
    let dir = install::find(root, name)?;
    if dir.is_installed() {
        return Ok(Some(dir));
    }
    eprintln!(
        "error: adapter `{name}` is not installed (or its lockfile changed): run `convert-parity install {name}`"
    );
    Ok(None)
}

fn adapter_config(dir: &AdapterDir, timeout: Duration) -> AdapterConfig {
    let mut config = AdapterConfig::new(dir.name(), dir.start_argv(), dir.dir.clone());
    config.timeout = timeout;
    config
}

fn command_config(command: &str, timeout: Duration) -> Result<AdapterConfig> {
    let argv = shell_words::split(command).with_context(|| format!("cannot split `{command}`"))?;
    let Some(program) = argv.first() else {
        bail!("--adapter-cmd is empty");
    };
    let stem = Path::new(program)
        .file_name()
        .map_or_else(|| program.clone(), |s| s.to_string_lossy().into_owned());
    let mut config = AdapterConfig::new(format!("cmd:{stem}"), argv, std::env::current_dir()?);
    config.timeout = timeout;
    Ok(config)
}

fn run_command(root: &Path, args: RunArgs) -> Result<ExitCode> {
    let vectors = args
        .vectors
        .clone()
        .unwrap_or_else(|| root.join("vectors/v1"));
    let mut suite = match Suite::load(&vectors) {
        Ok(suite) => suite,
        Err(err) => {
            eprintln!("error: the vectors cannot be used: {err}");
            return Ok(ExitCode::from(2));
        }
    };
    for family in &args.families {
        suite.families.insert(family.parse::<Family>()?);
    }
    let mut peer_error = None;
    for import in &args.imports {
        let (kind, path) = match import.split_once('=') {
            Some((kind, path)) if kind.parse::<PeerKind>().is_ok() => {
                (kind.parse::<PeerKind>()?, PathBuf::from(path))
            }
            _ => {
                let path = PathBuf::from(import);
                let kind = PeerKind::detect(&path).with_context(|| {
                    format!("cannot tell the kind of {import}; write KIND=PATH")
                })?;
                (kind, path)
            }
        };
        if let Err(e) = suite.import(kind, &path) {
            peer_error = Some(e.to_string());
        }
    }
    if let Some(Err(e)) = args.peer_vectors.as_ref().map(|dir| suite.import_dir(dir)) {
        peer_error = Some(e.to_string());
    }
    if let Some(message) = peer_error {
        eprintln!("error: a peer vector file cannot be imported: {message}");
        return Ok(ExitCode::from(2));
    }
    if suite.peers_loaded() {
        let findings = args
            .peer_findings
            .clone()
            .unwrap_or_else(|| root.join("vectors/peer-findings.json"));
        if let Err(e) = suite.apply_findings(&findings) {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    }

    let timeout = timeout(args.timeout)?;
    let validator = if args.validate_protocol {
        Some(validator()?)
    } else {
        None
    };
    let mut targets = Vec::new();
    let mut origins = Vec::new();
    if !args.no_reference {
        targets.push(TargetSpec::reference(root));
        origins.push(TargetOrigin::Reference {
            divergences: PathBuf::from(run::REFERENCE_DIVERGENCES),
        });
    }
    let chosen: Vec<AdapterDir> = if !args.adapters.is_empty() {
        let mut chosen = Vec::new();
        for name in &args.adapters {
            let Some(dir) = installed_adapter(root, name)? else {
                return Ok(ExitCode::from(2));
            };
            chosen.push(dir);
        }
        chosen
    } else if args.no_adapters || !args.adapter_cmds.is_empty() {
        Vec::new()
    } else {
        install::discover(root)?
            .into_iter()
            .filter(AdapterDir::is_installed)
            .collect()
    };
    for dir in &chosen {
        let mut config = adapter_config(dir, timeout);
        config.validator = validator.clone();
        targets.push(TargetSpec::Adapter {
            config,
            divergences: dir.divergences().map_err(|e| e.to_string()),
        });
        origins.push(TargetOrigin::Installed(dir.clone()));
    }
    for command in &args.adapter_cmds {
        let mut config = command_config(command, timeout)?;
        config.validator = validator.clone();
        let divergences = match &args.divergences {
            Some(path) => convert_parity::divergence::read_file(path),
            None => Ok(Default::default()),
        };
        origins.push(TargetOrigin::Command {
            name: config.name.clone(),
            argv: config.argv.clone(),
            cwd: config.cwd.clone(),
            divergences: args.divergences.clone(),
        });
        targets.push(TargetSpec::Adapter {
            config,
            divergences,
        });
    }
    if targets.is_empty() {
        bail!("nothing to run: no reference and no adapter");
    }
    let adapter_count = targets
        .iter()
        .filter(|t| matches!(t, TargetSpec::Adapter { .. }))
        .count();
    if args.record_divergences.is_some() && adapter_count != 1 {
        bail!("--record-divergences needs exactly one adapter target (there are {adapter_count})");
    }

    if args.shuffle {
        let seed = args.seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
        suite.probe = Some(convert_parity::probe::ProbeSettings {
            seed,
            sample: args.shuffle_sample,
        });
    }
    let bars = convert_parity::progress::Bars::new(stderr_has_color());
    let (mut report, failing) = run::execute_with_progress(&suite, targets, &bars);
    bars.finish();
    report.vectors.spec_digest = convert_parity::tree_digest(&root.join("spec"));
    report.vectors.vectors_digest = convert_parity::tree_digest(&root.join("vectors"));
    finish::finish(
        root,
        &suite,
        &mut report,
        &origins,
        &finish::FinishOptions {
            repro_dir: if args.no_repro {
                None
            } else {
                args.repro_dir.clone().or_else(|| {
                    args.report_json
                        .as_ref()
                        .map(|r| r.parent().unwrap_or(Path::new(".")).join("repro"))
                })
            },
            baseline: args.baseline.clone(),
            baseline_strict: args.baseline_strict,
        },
    )?;
    print_report(&report, args.show_failures);
    if let Some(path) = &args.summary_md {
        write(path, &finish::summary_markdown(&report))?;
    }
    if let Some(path) = &args.report_json {
        write(path, &(serde_json::to_string_pretty(&report)? + "\n"))?;
    }
    if let Some(path) = &args.junit {
        write(path, &report::junit(&report))?;
    }
    if let Some(path) = &args.html {
        write(path, &convert_parity::html::render(&report))?;
    }
    let adapter_failures = failing.iter().find(|(name, _)| name != "reference");
    if let (Some(path), Some((name, cases))) = (&args.record_divergences, adapter_failures) {
        let draft = convert_parity::divergence::draft(name, cases);
        write(path, &(serde_json::to_string_pretty(&draft)? + "\n"))?;
        eprintln!(
            "drafted {} divergence entries for `{name}` in {} (replace every TODO reason before committing)",
            cases.len(),
            path.display()
        );
    }
    Ok(ExitCode::from(u8::try_from(report.exit_code).unwrap_or(2)))
}

/// Prints the failures, faults, summary table, extras (reproducers,
/// baseline) and totals; styled on a
/// terminal, plain when piped or with `NO_COLOR` (anstream decides).
fn print_report(report: &Report, show_failures: usize) {
    use convert_parity::terminal;
    let failures = terminal::failures(report, show_failures);
    if !failures.is_empty() {
        anstream::println!("{failures}");
    }
    for target in &report.targets {
        for fault in &target.faults {
            anstream::eprintln!("[{}] adapter fault: {fault}", target.name);
        }
    }
    anstream::print!("{}", terminal::summary(report));
    // The reproducer paths and baseline notes come before the totals, which
    // stay the last line (CI logs and scripts read it).
    anstream::print!("{}", finish::render_extras(report));
    anstream::println!("{}", terminal::totals(report));
}

/// Whether styles written to stderr would be kept (a terminal, no
/// `NO_COLOR`), for the progress bars.
fn stderr_has_color() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// A trivial, valid input per family, for `smoke`.
fn trivial_case(family: Family) -> serde_json::Value {
    match family {
        Family::Hash => json!({"value": "", "seed": 9999}),
        Family::Bucketing => {
            json!({"contract_version": 11, "experience_id": "100", "visitor_id": "visitor-1",
            "variations": [{"id": "a", "traffic_allocation": 100}]})
        }
        Family::Rule => {
            json!({"rule": {"OR": [{"AND": [{"OR_WHEN": [{"rule_type": "generic_key_value",
            "key": "k", "value": "v", "matching": {"match_type": "equals", "negated": false}}]}]}]},
            "data": {"k": "v"}})
        }
        Family::Experience => json!({"config": {"account_id": "1", "project": {"id": "2"},
            "experiences": [{"id": "10", "key": "e", "variations": [{"id": "11", "key": "v", "traffic_allocation": 100}]}]},
            "visitor_id": "visitor-1", "location_attributes": {}, "experience_key": "e"}),
        Family::Experiences => {
            json!({"config": smoke_config(), "visitor_id": "visitor-1", "location_attributes": {}})
        }
        Family::Feature => {
            json!({"config": smoke_config(), "visitor_id": "visitor-1", "location_attributes": {},
            "call": "run_features"})
        }
        Family::Segments => {
            json!({"op": "get_entity", "config": smoke_config(), "entity_type": "experiences", "key": "e"})
        }
        Family::Diagnostics => {
            json!({"config": smoke_config(), "visitor_id": "visitor-1", "location_attributes": {},
            "diagnose": "experience", "key": "e"})
        }
        Family::ConfigValidation => json!({"config": smoke_config()}),
        Family::Scenario => json!({"config": smoke_config(), "operations": [
            {"op": "create_context", "context": "c", "visitor_id": "visitor-1"},
            {"op": "run_experience", "context": "c", "key": "e", "location_attributes": {}},
            {"op": "flush"}]}),
    }
}

fn stats_command(root: &Path, args: &StatsArgs) -> Result<ExitCode> {
    use convert_parity::stats::{self, P_THRESHOLD, StatsPlan};
    if args.allocation.is_empty() || args.allocation.iter().any(|a| !a.is_finite() || *a < 0.0) {
        bail!("--allocation needs non-negative percentages, e.g. 50,50");
    }
    let plan = StatsPlan {
        allocations: args.allocation.clone(),
        visitors: args.visitors,
        experience_id: args.experience_id.clone(),
        contract_version: args.contract,
    };
    let timeout = timeout(args.timeout)?;
    let started = std::time::Instant::now();
    let mut reference = convert_parity::inprocess::Reference::new();
    let mut results = vec![stats::distribution(&plan, &mut reference, "reference")];
    eprintln!("reference: {:.1} s", started.elapsed().as_secs_f64());
    for name in &args.adapters {
        let Some(dir) = installed_adapter(root, name)? else {
            return Ok(ExitCode::from(2));
        };
        let mut adapter = match Adapter::start(adapter_config(&dir, timeout)) {
            Ok(adapter) => adapter,
            Err(e) => {
                eprintln!("stats [{name}]: {e}");
                return Ok(ExitCode::from(2));
            }
        };
        let started = std::time::Instant::now();
        results.push(stats::distribution(&plan, &mut adapter, name));
        eprintln!("{name}: {:.1} s", started.elapsed().as_secs_f64());
        adapter.stop();
    }
    let ids = plan.variation_ids();
    println!(
        "{} visitors, experience {}, contract {}, allocation {}",
        plan.visitors,
        plan.experience_id,
        plan.contract_version,
        args.allocation
            .iter()
            .map(|a| format!("{a}%"))
            .collect::<Vec<_>>()
            .join(" / ")
    );
    let mut header = format!("{:<10}", "target");
    for id in ids.iter().chain(std::iter::once(&"none".to_owned())) {
        header.push_str(&format!(" {id:>8}"));
    }
    header.push_str(&format!(
        " {:>10} {:>3} {:>9} {:>9} verdict",
        "chi²", "df", "p", "≠ ref"
    ));
    println!("{header}");
    let mut flagged = false;
    #[allow(clippy::cast_precision_loss)]
    let total = plan.visitors.max(1) as f64;
    for result in &results {
        let differ = stats::differing_assignments(&results[0], result);
        let bad = result.p_value < P_THRESHOLD || differ > 0 || result.unanswered > 0;
        flagged |= bad;
        let mut line = format!("{:<10}", result.target);
        for count in &result.counts {
            #[allow(clippy::cast_precision_loss)]
            let share = *count as f64 / total * 100.0;
            line.push_str(&format!(" {share:>7.3}%"));
        }
        line.push_str(&format!(
            " {:>10.3} {:>3} {:>9.4} {:>9} {}",
            result.chi_square,
            result.degrees_of_freedom,
            result.p_value,
            differ,
            if bad { "FLAGGED" } else { "ok" }
        ));
        if result.unanswered > 0 {
            line.push_str(&format!(" ({} unanswered)", result.unanswered));
        }
        println!("{line}");
    }
    Ok(if flagged {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn fuzz_command(root: &Path, args: &FuzzArgs) -> Result<ExitCode> {
    use convert_parity::divergence::Patterns;
    use convert_parity::fuzz::{self, FuzzConfig, FuzzTarget};
    let timeout = timeout(args.timeout)?;
    let mut config = FuzzConfig::new(args.seed);
    config.cases = args.cases;
    config.time = args.time;
    config.batch = args.batch;
    config.max_shrink_steps = args.max_shrink_steps;
    if !args.families.is_empty() {
        config.families = args
            .families
            .iter()
            .map(|f| f.parse::<Family>())
            .collect::<Result<_, _>>()?;
    }
    let patterns = |file: Result<convert_spec::divergence::DivergenceFile, String>,
                    who: &str|
     -> Result<Patterns> {
        let file = file.map_err(|e| anyhow::anyhow!("[{who}] unusable divergence file: {e}"))?;
        Patterns::new(&file).map_err(|e| anyhow::anyhow!("[{who}] {e}"))
    };
    let mut targets = Vec::new();
    let start = |config: AdapterConfig| -> Result<Option<Adapter>> {
        let name = config.name.clone();
        match Adapter::start(config) {
            Ok(adapter) => Ok(Some(adapter)),
            Err(e) => {
                eprintln!("fuzz [{name}]: {e}");
                Ok(None)
            }
        }
    };
    for name in &args.adapters {
        let Some(dir) = installed_adapter(root, name)? else {
            return Ok(ExitCode::from(2));
        };
        let divergences = patterns(dir.divergences().map_err(|e| e.to_string()), name)?;
        let Some(adapter) = start(adapter_config(&dir, timeout))? else {
            return Ok(ExitCode::from(2));
        };
        targets.push(FuzzTarget {
            name: name.clone(),
            target: Box::new(adapter),
            patterns: divergences,
        });
    }
    for command in &args.adapter_cmds {
        let config = command_config(command, timeout)?;
        let name = config.name.clone();
        let divergences = match &args.divergences {
            Some(path) => patterns(convert_parity::divergence::read_file(path), &name)?,
            None => Patterns::default(),
        };
        let Some(adapter) = start(config)? else {
            return Ok(ExitCode::from(2));
        };
        targets.push(FuzzTarget {
            name,
            target: Box::new(adapter),
            patterns: divergences,
        });
    }
    if !args.no_reference {
        let file = convert_parity::divergence::read_file(&root.join(run::REFERENCE_DIVERGENCES));
        targets.push(FuzzTarget {
            name: "reference".into(),
            target: Box::new(convert_parity::inprocess::Reference::new()),
            patterns: patterns(file, "reference")?,
        });
    }
    if targets.len() < 2 {
        bail!(
            "fuzzing needs at least two targets to compare (an adapter and the reference, or two adapters)"
        );
    }
    let chain: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
    eprintln!(
        "fuzz: seed {}, {} cases per family{}, oracle chain: {}",
        config.seed,
        config.cases,
        config
            .time
            .map(|t| format!(" (at most {})", humantime::format_duration(t)))
            .unwrap_or_default(),
        chain.join(" → ")
    );
    let out = args.out.clone();
    let mut written = 0usize;
    let report = fuzz::run(
        &config,
        targets,
        |finding| {
            print!("{}", fuzz::render_finding(finding));
            if let Some(dir) = &out {
                let path = dir
                    .join(finding.family.as_str())
                    .join(format!("{}.json", finding.case_id.replace('/', "_")));
                let text = serde_json::to_string_pretty(&finding.source_file()).unwrap_or_default();
                match write(&path, &(text + "\n")) {
                    Ok(()) => written += 1,
                    Err(e) => eprintln!("fuzz: {e:#}"),
                }
            }
        },
        |family, done| eprintln!("fuzz: {family}: {done} cases"),
    );
    print!("{}", fuzz::render_summary(&report));
    if let Some(dir) = &out {
        eprintln!("fuzz: {written} finding(s) written under {}", dir.display());
    }
    if let Some(path) = &args.report_json {
        write(path, &(serde_json::to_string_pretty(&report)? + "\n"))?;
    }
    Ok(ExitCode::from(
        u8::try_from(report.exit_code()).unwrap_or(2),
    ))
}

fn smoke_config() -> serde_json::Value {
    json!({"account_id": "1", "project": {"id": "2"},
        "experiences": [{"id": "10", "key": "e", "variations": [{"id": "11", "key": "v", "traffic_allocation": 100}]}]})
}

fn smoke(root: &Path, choice: AdapterChoice) -> Result<ExitCode> {
    let timeout = timeout(choice.timeout)?;
    let mut config = match (&choice.adapter, &choice.adapter_cmd) {
        (Some(name), None) => {
            let Some(dir) = installed_adapter(root, name)? else {
                return Ok(ExitCode::from(2));
            };
            adapter_config(&dir, timeout)
        }
        (None, Some(command)) => command_config(command, timeout)?,
        _ => bail!("give --adapter NAME or --adapter-cmd COMMAND"),
    };
    config.validator = Some(validator()?);
    let name = config.name.clone();
    let mut adapter = match Adapter::start(config) {
        Ok(adapter) => adapter,
        Err(e) => {
            eprintln!("smoke [{name}]: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    println!("smoke [{name}]: handshake ok: {}", adapter.implementation());
    let capabilities = adapter.capabilities().clone();
    let families: Vec<Family> = Family::ALL
        .iter()
        .copied()
        .filter(|f| capabilities.has_family(*f))
        .collect();
    let unknown: Vec<&String> = capabilities
        .families
        .iter()
        .filter(|f| f.parse::<Family>().is_err())
        .collect();
    let mut ok = true;
    if families.is_empty() {
        println!("smoke [{name}]: declares no family this runner knows");
        ok = false;
    }
    if !unknown.is_empty() {
        println!("smoke [{name}]: note: declares families unknown to this runner: {unknown:?}");
    }
    let cases: Vec<CaseInput> = families
        .iter()
        .map(|&family| CaseInput::new(family, format!("smoke/{family}"), trivial_case(family)))
        .collect();
    let answers = adapter.run(&cases);
    for (case, answer) in cases.iter().zip(answers) {
        match answer {
            Answer::Result(result) => {
                match convert_spec::families::check_result(case.family, &result) {
                    Ok(()) => println!("smoke [{name}]: {}: result {result}", case.family),
                    Err(e) => {
                        println!(
                            "smoke [{name}]: {}: the result has the wrong shape: {e}",
                            case.family
                        );
                        ok = false;
                    }
                }
            }
            other => {
                println!("smoke [{name}]: {}: {other:?}", case.family);
                ok = false;
            }
        }
    }
    let faults = adapter.faults().len();
    match adapter.stop() {
        Some(status) if status.success() => println!("smoke [{name}]: stop: exited 0"),
        Some(status) => {
            println!("smoke [{name}]: stop: exited with {status} (expected 0)");
            ok = false;
        }
        None => {
            println!("smoke [{name}]: stop: did not exit within the grace period");
            ok = false;
        }
    }
    if faults > 0 {
        ok = false;
    }
    Ok(if ok {
        println!("smoke [{name}]: ok");
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn install_command(root: &Path, names: &[String], self_test: bool) -> Result<ExitCode> {
    let adapters = if names.is_empty() {
        install::discover(root)?
    } else {
        names
            .iter()
            .map(|n| install::find(root, n))
            .collect::<Result<Vec<_>, _>>()?
    };
    let mut failed = false;
    for adapter in &adapters {
        match adapter.install() {
            Ok(true) => println!("install [{}]: installed", adapter.name()),
            Ok(false) => println!("install [{}]: up to date", adapter.name()),
            Err(e) => {
                eprintln!("install [{}]: {e}", adapter.name());
                failed = true;
                continue;
            }
        }
        if self_test {
            match adapter.self_test() {
                Ok(true) => println!("install [{}]: self-test passed", adapter.name()),
                Ok(false) => println!("install [{}]: no self-test declared", adapter.name()),
                Err(e) => {
                    eprintln!("install [{}]: {e}", adapter.name());
                    failed = true;
                }
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn list(root: &Path) -> Result<ExitCode> {
    let suite = Suite::load(&root.join("vectors/v1"))?;
    println!("families:");
    for family in Family::ALL {
        let files: Vec<_> = suite
            .files
            .iter()
            .filter(|f| f.file.family == *family)
            .collect();
        let cases: usize = files.iter().map(|f| f.file.cases.len()).sum();
        println!("  {family:<12} {cases:>5} cases in {} files", files.len());
    }
    println!("adapters:");
    for adapter in install::discover(root)? {
        println!(
            "  {:<12} {} {} ({})",
            adapter.name(),
            adapter.manifest.sdk.name,
            adapter.manifest.sdk.version,
            if adapter.is_installed() {
                "installed"
            } else {
                "not installed: convert-parity install"
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn read_report(path: &Path) -> Result<Report> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a convert-parity JSON report", path.display()))
}

fn diff_command(args: &DiffArgs) -> Result<ExitCode> {
    let (old, new) = match (read_report(&args.old), read_report(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let diff = convert_parity::diff::diff(&old, &new);
    match args.format {
        Format::Text => print!(
            "{}",
            convert_parity::diff::render_text(&diff, args.strict, args.limit)
        ),
        Format::Markdown => print!(
            "{}",
            convert_parity::diff::render_markdown(&diff, args.strict, args.limit)
        ),
        Format::Json => println!("{}", serde_json::to_string_pretty(&diff)?),
    }
    if let Some(path) = &args.markdown {
        write(
            path,
            &convert_parity::diff::render_markdown(&diff, args.strict, args.limit),
        )?;
    }
    Ok(if diff.regressions(args.strict) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn replay_command(args: &ReplayArgs) -> Result<ExitCode> {
    use convert_parity::outcome::OutcomeKind;
    let file = match convert_parity::repro::ReproFile::load(&args.file) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let timeout = timeout(args.timeout)?;
    let config = args
        .adapter_cmd
        .as_deref()
        .map(|c| command_config(c, timeout))
        .transpose()?;
    println!(
        "replay [{}] {} ({}); in the run: {}",
        file.target_name, file.case.id, file.family, file.outcome
    );
    println!("request:  {}", serde_json::to_string(&file.request)?);
    let replayed = match convert_parity::replay::replay(&file, config, timeout) {
        Ok(replayed) => replayed,
        Err(e) => {
            eprintln!("replay: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    println!("target:   {}", replayed.implementation);
    match &replayed.answer {
        Answer::Result(result) => println!("answer:   {result}"),
        Answer::Skipped(m) => println!("answer:   skipped: {m}"),
        Answer::Errored(m) => println!("answer:   errored: {m}"),
        Answer::Timeout(m) => println!("answer:   timeout: {m}"),
        Answer::Crashed(m) => println!("answer:   crashed: {m}"),
    }
    println!("expected: {}", file.expected);
    let outcome = &replayed.outcome;
    for difference in &outcome.differences {
        println!("  {difference}");
    }
    let verdict = match outcome.kind {
        OutcomeKind::Pass => {
            "the case does not reproduce (fixed, or it fails only after other cases: try `run --shuffle`)"
        }
        OutcomeKind::Skipped => "the target does not evaluate this case",
        _ => "the case still does not pass",
    };
    println!("outcome:  {}: {verdict}", outcome.kind);
    if let Some(message) = &outcome.message
        && matches!(outcome.kind, OutcomeKind::Fail | OutcomeKind::Skipped)
    {
        println!("message:  {message}");
    }
    Ok(ExitCode::from(match outcome.kind {
        OutcomeKind::Pass | OutcomeKind::Skipped | OutcomeKind::Diverged => 0,
        OutcomeKind::Fail | OutcomeKind::Errored => 1,
        OutcomeKind::Timeout | OutcomeKind::Crashed => 2,
    }))
}

fn trace_command(root: &Path, args: &TraceArgs) -> Result<ExitCode> {
    let path = args
        .report
        .clone()
        .unwrap_or_else(|| root.join("target/parity/report.json"));
    let report = read_report(&path)?;
    let trace = match &report.traceability {
        Some(trace) => trace.clone(),
        None => {
            let clauses = convert_parity::trace::clauses(&root.join("spec"))?;
            convert_parity::trace::build(&report, &clauses)
        }
    };
    let mut shown = trace.clone();
    if args.uncovered {
        shown.clauses.retain(|c| c.cases == 0);
    }
    let targets: Vec<String> = report.targets.iter().map(|t| t.name.clone()).collect();
    match args.format {
        Format::Markdown => print!(
            "{}",
            convert_parity::trace::render_markdown(&shown, &targets)
        ),
        Format::Json => println!("{}", serde_json::to_string_pretty(&shown)?),
        Format::Text => print!("{}", convert_parity::trace::render_text(&shown, &targets)),
    }
    Ok(ExitCode::SUCCESS)
}
