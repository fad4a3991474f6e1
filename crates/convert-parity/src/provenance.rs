//! Provenance: everything a report needs to be a reproducible release
//! artefact — which runner (version, commit, toolchain, host), which
//! contract (digests of `spec/`, `vectors/`, imported peer files), which
//! implementations (each target's SDK as pinned and as it described itself,
//! its runtime, capabilities, the digests of its adapter files, lockfiles and
//! divergence file) — and a cache key over all of it: two runs with the same
//! key checked the same implementations against the same contract.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use convert_spec::Capabilities;
use convert_spec::digest::sha256_hex;
use convert_spec::manifest::SdkPin;
use convert_spec::protocol::Implementation;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::install::AdapterDir;
use crate::report::{Problem, Report, Severity};

/// The provenance section of a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Provenance {
    /// The runner build.
    pub runner: RunnerBuild,
    /// The machine the run happened on.
    pub host: Host,
    /// SHA-256 over the `spec/` tree (paths and contents).
    pub spec_digest: Option<String>,
    /// SHA-256 over the `vectors/` tree (paths and contents).
    pub vectors_digest: Option<String>,
    /// Imported peer vector files: path → SHA-256 of the file.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub peer_files: BTreeMap<String, String>,
    /// The families selected (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub families: Vec<String>,
    /// The command line of the run.
    pub command: Vec<String>,
    /// One entry per target.
    pub targets: Vec<TargetProvenance>,
    /// SHA-256 over everything above that decides the outcome (not the
    /// command line, not timings): equal keys mean the same implementations
    /// were checked against the same contract by the same runner.
    pub cache_key: String,
}

/// The runner build.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunnerBuild {
    /// The runner version.
    pub version: String,
    /// The project's git commit, when the project is a git checkout.
    pub git_commit: Option<String>,
    /// Whether tracked files differ from that commit.
    pub git_dirty: Option<bool>,
    /// The compiler that built the runner (`rustc 1.9x.y (…)`).
    pub rustc: Option<String>,
    /// The target triple the runner was built for.
    pub build_target: Option<String>,
    /// `debug` or `release`.
    pub profile: String,
}

/// The machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Host {
    /// `linux`, `macos`, `windows`, …
    pub os: String,
    /// `x86_64`, `aarch64`, …
    pub arch: String,
    /// `unix` or `windows`.
    pub family: String,
}

impl Host {
    /// This machine.
    pub fn current() -> Host {
        Host {
            os: std::env::consts::OS.into(),
            arch: std::env::consts::ARCH.into(),
            family: std::env::consts::FAMILY.into(),
        }
    }
}

/// One target's provenance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TargetProvenance {
    /// The target name, as in `targets[].name`.
    pub name: String,
    /// `reference`, `adapter` (an adapter folder under `adapters/`) or
    /// `command` (`--adapter-cmd`).
    pub kind: String,
    /// The SDK as its adapter manifest pins it (installed adapters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<SdkPin>,
    /// The implementation as it described itself at the handshake (name,
    /// version, language, runtime).
    pub implementation: Option<Implementation>,
    /// Its declared capabilities.
    pub capabilities: Option<Capabilities>,
    /// The command that started it (adapters).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// Files that make up the adapter (manifest, scripts named by its start
    /// command), each with its SHA-256, relative to the adapter folder.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
    /// The adapter's lockfiles (its manifest's install inputs) with their
    /// SHA-256: what was installed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lockfiles: BTreeMap<String, String>,
    /// SHA-256 of the divergence file applied to this target, if any.
    pub divergences_digest: Option<String>,
}

/// Where a target came from, for its provenance.
#[derive(Clone, Debug)]
pub enum TargetOrigin {
    /// The reference engine, with its divergence file.
    Reference {
        /// The divergence file.
        divergences: PathBuf,
    },
    /// An adapter folder.
    Installed(AdapterDir),
    /// An adapter started by a command.
    Command {
        /// The target name (`cmd:…`).
        name: String,
        /// The command.
        argv: Vec<String>,
        /// Its working directory.
        cwd: PathBuf,
        /// The divergence file given with it.
        divergences: Option<PathBuf>,
    },
}

impl TargetOrigin {
    /// The target name this origin produces.
    pub fn name(&self) -> String {
        match self {
            TargetOrigin::Reference { .. } => "reference".into(),
            TargetOrigin::Installed(dir) => dir.name().to_owned(),
            TargetOrigin::Command { name, .. } => name.clone(),
        }
    }
}

fn file_digest(path: &Path) -> Option<String> {
    std::fs::read(path).ok().map(|bytes| sha256_hex(&bytes))
}

/// The files among `argv[1..]` that exist relative to `cwd` (the scripts an
/// interpreter is started with), with their digests.
fn script_digests(argv: &[String], cwd: &Path) -> BTreeMap<String, String> {
    argv.iter()
        .skip(1)
        .filter_map(|arg| {
            let path = cwd.join(arg);
            path.is_file()
                .then(|| file_digest(&path).map(|d| (arg.clone(), d)))
                .flatten()
        })
        .collect()
}

fn target_provenance(origin: &TargetOrigin, report: &Report, root: &Path) -> TargetProvenance {
    let name = origin.name();
    let reported = report.targets.iter().find(|t| t.name == name);
    let mut out = TargetProvenance {
        name,
        kind: String::new(),
        pinned: None,
        implementation: reported.and_then(|t| t.implementation.clone()),
        capabilities: reported.and_then(|t| t.capabilities.clone()),
        command: Vec::new(),
        files: BTreeMap::new(),
        lockfiles: BTreeMap::new(),
        divergences_digest: None,
    };
    match origin {
        TargetOrigin::Reference { divergences } => {
            out.kind = "reference".into();
            out.divergences_digest = file_digest(&root.join(divergences));
        }
        TargetOrigin::Installed(dir) => {
            out.kind = "adapter".into();
            out.pinned = Some(dir.manifest.sdk.clone());
            out.command = dir.start_argv();
            out.files = script_digests(&out.command, &dir.dir);
            if let Some(d) = file_digest(&dir.dir.join("adapter.json")) {
                out.files.insert("adapter.json".into(), d);
            }
            out.lockfiles = dir
                .manifest
                .install
                .inputs
                .iter()
                .filter_map(|input| file_digest(&dir.dir.join(input)).map(|d| (input.clone(), d)))
                .collect();
            out.divergences_digest = file_digest(&dir.dir.join(&dir.manifest.divergences));
        }
        TargetOrigin::Command {
            argv,
            cwd,
            divergences,
            ..
        } => {
            out.kind = "command".into();
            out.command = argv.clone();
            out.files = script_digests(argv, cwd);
            out.divergences_digest = divergences.as_deref().and_then(file_digest);
        }
    }
    out
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let output = std::process::Command::new("git")
        .args(args)
        .current_dir(root)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The runner build, with the project's git state under `root`.
pub fn runner_build(root: &Path) -> RunnerBuild {
    let git_commit = git(root, &["rev-parse", "HEAD"]).filter(|c| !c.is_empty());
    let git_dirty = git_commit.as_ref().and_then(|_| {
        git(root, &["status", "--porcelain", "--untracked-files=no"]).map(|s| !s.is_empty())
    });
    RunnerBuild {
        version: env!("CARGO_PKG_VERSION").into(),
        git_commit,
        git_dirty,
        rustc: option_env!("CONVERT_PARITY_RUSTC")
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        build_target: option_env!("CONVERT_PARITY_TARGET")
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        profile: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
        .into(),
    }
}

/// Collects the provenance of a finished run.
pub fn collect(
    root: &Path,
    report: &Report,
    origins: &[TargetOrigin],
    command: Vec<String>,
) -> Provenance {
    let peer_files = report
        .imports
        .iter()
        .filter_map(|i| file_digest(Path::new(&i.source)).map(|d| (i.source.clone(), d)))
        .collect();
    let mut provenance = Provenance {
        runner: runner_build(root),
        host: Host::current(),
        spec_digest: report.vectors.spec_digest.clone(),
        vectors_digest: report.vectors.vectors_digest.clone(),
        peer_files,
        families: report.vectors.families.clone(),
        command,
        targets: origins
            .iter()
            .map(|o| target_provenance(o, report, root))
            .collect(),
        cache_key: String::new(),
    };
    provenance.cache_key = cache_key(&provenance);
    provenance
}

/// The cache key: SHA-256 over the provenance without the command line (an
/// output path does not change what was checked), without where the peer
/// files are (only their contents count) and without the key itself.
pub fn cache_key(provenance: &Provenance) -> String {
    let mut keyed = provenance.clone();
    keyed.command.clear();
    keyed.cache_key.clear();
    let mut peers: Vec<String> = keyed.peer_files.values().cloned().collect();
    peers.sort();
    keyed.peer_files = peers
        .into_iter()
        .enumerate()
        .map(|(i, digest)| (i.to_string(), digest))
        .collect();
    sha256_hex(serde_json::to_string(&keyed).unwrap_or_default().as_bytes())
}

/// Problems the provenance reveals: an installed adapter whose SDK, as it
/// describes itself, is not the one its manifest pins (a stale or wrong
/// install would otherwise be reported as the pinned version).
pub fn problems(provenance: &Provenance) -> Vec<Problem> {
    provenance
        .targets
        .iter()
        .filter_map(|t| {
            let (pinned, actual) = (t.pinned.as_ref()?, t.implementation.as_ref()?);
            (pinned.name != actual.name || pinned.version != actual.version).then(|| Problem {
                target: Some(t.name.clone()),
                severity: Severity::Infrastructure,
                message: format!(
                    "the adapter manifest pins {} {}, but the adapter reports {} {}: reinstall it (`convert-parity install {}`)",
                    pinned.name, pinned.version, actual.name, actual.version, t.name
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provenance() -> Provenance {
        Provenance {
            runner: runner_build(Path::new(env!("CARGO_MANIFEST_DIR"))),
            host: Host::current(),
            spec_digest: Some("s".into()),
            vectors_digest: Some("v".into()),
            peer_files: BTreeMap::new(),
            families: Vec::new(),
            command: vec!["convert-parity".into(), "run".into()],
            targets: vec![TargetProvenance {
                name: "js".into(),
                kind: "adapter".into(),
                pinned: Some(SdkPin {
                    name: "@convertcom/js-sdk".into(),
                    version: "4.4.3".into(),
                    registry: "npm".into(),
                }),
                implementation: Some(Implementation {
                    name: "@convertcom/js-sdk".into(),
                    version: "4.4.3".into(),
                    language: "javascript".into(),
                    runtime: Some("node v20".into()),
                }),
                capabilities: None,
                command: vec!["node".into(), "adapter.js".into()],
                files: BTreeMap::new(),
                lockfiles: BTreeMap::from([("package-lock.json".into(), "abc".into())]),
                divergences_digest: Some("d".into()),
            }],
            cache_key: String::new(),
        }
    }

    #[test]
    fn the_cache_key_follows_what_decides_the_outcome() {
        let base = provenance();
        let key = cache_key(&base);
        assert_eq!(key.len(), 64);
        let mut other_command = base.clone();
        other_command.command.push("--report-json=x".into());
        assert_eq!(
            cache_key(&other_command),
            key,
            "the command line is not keyed"
        );
        let mut lock = base.clone();
        lock.targets[0]
            .lockfiles
            .insert("package-lock.json".into(), "abd".into());
        assert_ne!(cache_key(&lock), key, "a lockfile change is a new key");
        let mut runtime = base.clone();
        runtime.targets[0].implementation.as_mut().unwrap().runtime = Some("node v22".into());
        assert_ne!(cache_key(&runtime), key, "a runtime change is a new key");
        let mut vectors = base.clone();
        vectors.vectors_digest = Some("w".into());
        assert_ne!(cache_key(&vectors), key);
        let mut here = base.clone();
        here.peer_files
            .insert("/home/a/peers/x.json".into(), "f1".into());
        let mut there = base;
        there
            .peer_files
            .insert("/ci/peers/x.json".into(), "f1".into());
        assert_eq!(
            cache_key(&here),
            cache_key(&there),
            "only peer contents are keyed"
        );
        there
            .peer_files
            .insert("/ci/peers/x.json".into(), "f2".into());
        assert_ne!(cache_key(&here), cache_key(&there));
    }

    #[test]
    fn a_wrong_install_is_a_problem() {
        let mut p = provenance();
        assert!(problems(&p).is_empty());
        p.targets[0].implementation.as_mut().unwrap().version = "4.4.2".into();
        let found = problems(&p);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("pins @convertcom/js-sdk 4.4.3"),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].severity, Severity::Infrastructure);
    }

    #[test]
    fn the_runner_build_is_described() {
        let build = runner_build(Path::new(env!("CARGO_MANIFEST_DIR")));
        assert_eq!(build.version, env!("CARGO_PKG_VERSION"));
        assert!(
            build
                .rustc
                .as_deref()
                .is_some_and(|r| r.starts_with("rustc ")),
            "{build:?}"
        );
        assert!(build.build_target.is_some());
        let host = Host::current();
        assert!(!host.os.is_empty() && !host.arch.is_empty());
    }
}
