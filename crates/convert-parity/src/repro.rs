//! Reproducers: for every case a target failed (fail, errored, timeout,
//! crashed), the runner writes
//!
//! - `<dir>/<target>/<case id>.json` — a [`ReproFile`]: how to start the
//!   target, the case, the expected value and comparison rules, what the
//!   target answered, and the exact protocol message;
//! - `<dir>/<target>/<case id>.ndjson` — the whole protocol session (`start`,
//!   that `run`, `stop`), to pipe into the adapter without the runner;
//!
//! and names both in the report with a one-line command: `convert-parity
//! replay <file>.json` runs the case against that target alone and judges
//! it as the run did.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use convert_spec::Family;
use convert_spec::compare::Comparisons;
use convert_spec::protocol::{CaseRequest, Request, RunRequest, StartRequest};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::outcome::OutcomeKind;
use crate::provenance::TargetOrigin;
use crate::report::Report;

/// The reproducer file format version.
pub const REPRO_VERSION: u32 = 1;

/// The marker file that makes a folder a reproducer folder the runner may
/// clear.
pub const MARKER: &str = ".convert-parity-repro";

/// How `replay` starts the target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReplayTarget {
    /// The reference engine, in-process.
    Reference,
    /// An adapter folder's start command.
    Adapter {
        /// The adapter's name.
        name: String,
        /// Its folder.
        dir: String,
        /// Its start command.
        argv: Vec<String>,
    },
    /// An adapter started by a command (`--adapter-cmd`).
    Command {
        /// The target name.
        name: String,
        /// The command.
        argv: Vec<String>,
        /// Its working directory.
        cwd: String,
    },
}

impl ReplayTarget {
    /// The replay target of a run's target.
    pub fn of(origin: &TargetOrigin) -> ReplayTarget {
        match origin {
            TargetOrigin::Reference { .. } => ReplayTarget::Reference,
            TargetOrigin::Installed(dir) => ReplayTarget::Adapter {
                name: dir.name().to_owned(),
                dir: dir.dir.display().to_string(),
                argv: dir.start_argv(),
            },
            TargetOrigin::Command {
                name, argv, cwd, ..
            } => ReplayTarget::Command {
                name: name.clone(),
                argv: argv.clone(),
                cwd: cwd.display().to_string(),
            },
        }
    }

    /// A shell command that pipes a session file into the target.
    pub fn pipe(&self, session: &str, runner: &str) -> String {
        match self {
            ReplayTarget::Reference => {
                format!("{} adapter < {}", quote(runner), quote(session))
            }
            ReplayTarget::Adapter { dir, argv, .. }
            | ReplayTarget::Command { cwd: dir, argv, .. } => {
                format!(
                    "(cd {} && {}) < {}",
                    quote(dir),
                    shell_words::join(argv),
                    quote(session)
                )
            }
        }
    }
}

fn quote(text: &str) -> String {
    shell_words::quote(text).into_owned()
}

/// One reproducer file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReproFile {
    /// The format version ([`REPRO_VERSION`]).
    pub repro_version: u32,
    /// The target's name in the run.
    pub target_name: String,
    /// How to start it.
    pub target: ReplayTarget,
    /// The case's family.
    pub family: Family,
    /// The case, as the target sees it.
    pub case: CaseRequest,
    /// The expected result.
    pub expected: Value,
    /// The case's comparison rules (its vector file's and its own).
    #[serde(default, skip_serializing_if = "Comparisons::is_empty")]
    pub compare: Comparisons,
    /// The outcome in the run.
    pub outcome: OutcomeKind,
    /// The message in the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The answer in the run, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<Value>,
    /// The exact protocol message that evaluates the case (as the first
    /// request after `start`).
    pub request: Request,
}

impl ReproFile {
    /// Reads a reproducer file.
    pub fn load(path: &Path) -> Result<ReproFile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a reproducer file: {e}", path.display()))
    }

    /// The protocol session: `start`, the case's `run`, `stop`, one per line.
    pub fn session(&self) -> String {
        let lines = [
            Request::Start(StartRequest {
                protocol: convert_spec::PROTOCOL_VERSION,
            }),
            self.request.clone(),
            Request::Stop,
        ];
        lines
            .iter()
            .map(|r| serde_json::to_string(r).unwrap_or_default() + "\n")
            .collect()
    }
}

/// Where a report names a case's reproducer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Reproducer {
    /// The reproducer file.
    pub path: String,
    /// The protocol session file.
    pub session: String,
    /// The one-line command that replays the case against this target
    /// alone, judged as in the run.
    pub command: String,
    /// The same session piped straight into the adapter, without the runner.
    pub pipe: String,
}

/// Why reproducers cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum ReproError {
    /// The folder holds something else.
    #[error("{0} exists and is not a reproducer folder (no {MARKER}); choose another --repro-dir")]
    NotOurs(PathBuf),
    /// Writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// A path segment safe on every file system, for a target name or one
/// segment of a case id.
fn segment(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() || clean.chars().all(|c| c == '.') {
        "_".into()
    } else {
        clean
    }
}

/// The file stem of a case's reproducer, relative to its target folder: the
/// id's segments as folders (`rule/equals/x` → `rule/equals/x`), with a
/// digest suffix when the id had to be changed to be a safe path.
pub fn case_stem(id: &str) -> PathBuf {
    let segments: Vec<String> = id.split('/').map(segment).collect();
    let mut stem: PathBuf = segments.iter().collect();
    if segments.join("/") != id {
        let digest = convert_spec::digest::sha256_hex(id.as_bytes());
        let last = format!(
            "{}~{}",
            stem.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            &digest[..8]
        );
        stem.set_file_name(last);
    }
    stem
}

/// What the writer needs to know beyond the report.
pub struct ReproContext<'a> {
    /// The reproducer folder.
    pub dir: &'a Path,
    /// How to start each target, by name.
    pub targets: &'a BTreeMap<String, ReplayTarget>,
    /// Each case's comparison rules, by id.
    pub comparisons: &'a BTreeMap<String, Comparisons>,
    /// The runner as the user should type it in the replay command.
    pub runner: &'a str,
    /// How a written path is shown in commands (e.g. relative to the
    /// current folder).
    pub show: &'a dyn Fn(&Path) -> String,
}

/// Writes a reproducer for every failing case of every target in `report`
/// (clearing the target folders of an earlier run) and names each in its
/// case. Returns how many were written.
pub fn write_all(report: &mut Report, ctx: &ReproContext<'_>) -> Result<usize, ReproError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ReproError::Io { path, source }
    };
    if ctx.dir.exists()
        && !ctx.dir.join(MARKER).exists()
        && std::fs::read_dir(ctx.dir)
            .map_err(io(ctx.dir))?
            .next()
            .is_some()
    {
        return Err(ReproError::NotOurs(ctx.dir.to_owned()));
    }
    std::fs::create_dir_all(ctx.dir).map_err(io(ctx.dir))?;
    std::fs::write(
        ctx.dir.join(MARKER),
        "reproducers written by convert-parity run; cleared on every run\n",
    )
    .map_err(io(ctx.dir))?;
    let mut written = 0;
    for target in &mut report.targets {
        let folder = ctx.dir.join(segment(&target.name));
        if folder.exists() {
            std::fs::remove_dir_all(&folder).map_err(io(&folder))?;
        }
        let Some(how) = ctx.targets.get(&target.name) else {
            continue;
        };
        for case in &mut target.cases {
            if !matches!(
                case.outcome,
                OutcomeKind::Fail
                    | OutcomeKind::Errored
                    | OutcomeKind::Timeout
                    | OutcomeKind::Crashed
            ) {
                continue;
            }
            let (Ok(family), Some(input), Some(expected)) = (
                case.family.parse::<Family>(),
                case.input.clone(),
                case.expected.clone(),
            ) else {
                continue;
            };
            let request_case = CaseRequest {
                id: case.id.clone(),
                input,
                refs: None,
            };
            let file = ReproFile {
                repro_version: REPRO_VERSION,
                target_name: target.name.clone(),
                target: how.clone(),
                family,
                case: request_case.clone(),
                expected,
                compare: ctx.comparisons.get(&case.id).cloned().unwrap_or_default(),
                outcome: case.outcome,
                message: case.message.clone(),
                actual: case.actual.clone(),
                request: Request::Run(RunRequest {
                    seq: 1,
                    family: family.as_str().to_owned(),
                    case: request_case,
                }),
            };
            let stem = folder.join(case_stem(&case.id));
            let json_path = stem.with_extension("json");
            let session_path = stem.with_extension("ndjson");
            if let Some(parent) = json_path.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            let text = serde_json::to_string_pretty(&file).unwrap_or_default() + "\n";
            std::fs::write(&json_path, text).map_err(io(&json_path))?;
            std::fs::write(&session_path, file.session()).map_err(io(&session_path))?;
            let (shown, session) = ((ctx.show)(&json_path), (ctx.show)(&session_path));
            case.reproducer = Some(Reproducer {
                command: format!("{} replay {}", quote(ctx.runner), quote(&shown)),
                pipe: how.pipe(&session, ctx.runner),
                path: shown,
                session,
            });
            written += 1;
        }
    }
    Ok(written)
}

/// A path shown relative to `base` when it lies below it.
pub fn relative_to(base: &Path) -> impl Fn(&Path) -> String + '_ {
    move |path: &Path| {
        path.strip_prefix(base)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_ids_become_safe_paths() {
        assert_eq!(
            case_stem("rule/equals/x-1.a_b"),
            PathBuf::from("rule/equals/x-1.a_b")
        );
        let odd = case_stem("peer/../a:b");
        let text = odd.display().to_string();
        assert!(text.starts_with("peer/_/a_b~"), "{text}");
        assert_ne!(
            case_stem("peer/a:b"),
            case_stem("peer/a;b"),
            "a digest keeps them apart"
        );
        assert_eq!(segment("cmd:python3"), "cmd_python3");
    }

    #[test]
    fn the_session_is_start_run_stop() {
        let file = ReproFile {
            repro_version: REPRO_VERSION,
            target_name: "js".into(),
            target: ReplayTarget::Reference,
            family: Family::Hash,
            case: CaseRequest {
                id: "hash/a".into(),
                input: serde_json::json!({"value": "a", "seed": 1}),
                refs: None,
            },
            expected: serde_json::json!({"hash": 1}),
            compare: Comparisons::new(),
            outcome: OutcomeKind::Fail,
            message: None,
            actual: None,
            request: Request::Run(RunRequest {
                seq: 1,
                family: "hash".into(),
                case: CaseRequest {
                    id: "hash/a".into(),
                    input: serde_json::json!({"value": "a", "seed": 1}),
                    refs: None,
                },
            }),
        };
        let lines: Vec<Value> = file
            .session()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0], serde_json::json!({"cmd": "start", "protocol": 1}));
        assert_eq!(lines[1]["cmd"], "run");
        assert_eq!(lines[1]["case"]["id"], "hash/a");
        assert_eq!(lines[2], serde_json::json!({"cmd": "stop"}));
        let adapter = ReplayTarget::Adapter {
            name: "js".into(),
            dir: "adapters/js".into(),
            argv: vec!["node".into(), "adapter.js".into()],
        };
        assert_eq!(
            adapter.pipe("repro/js/a b.ndjson", "convert-parity"),
            "(cd adapters/js && node adapter.js) < 'repro/js/a b.ndjson'"
        );
    }
}
