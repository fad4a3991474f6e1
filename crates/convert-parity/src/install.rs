//! Adapters described by `adapters/<name>/adapter.json`: discovery, install
//! state and installation. An adapter is *installed* when its stamp file
//! (`.install-stamp`) holds the digest of its declared install inputs
//! (lockfiles), so a changed lockfile means a reinstall.

use std::path::{Path, PathBuf};
use std::process::Command;

use convert_spec::divergence::DivergenceFile;
use convert_spec::manifest::AdapterManifest;

/// The stamp file written after a successful install.
pub const STAMP: &str = ".install-stamp";

/// An adapter folder and its manifest.
#[derive(Clone, Debug)]
pub struct AdapterDir {
    /// The folder.
    pub dir: PathBuf,
    /// The manifest.
    pub manifest: AdapterManifest,
}

/// Why an adapter cannot be used or installed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// A manifest or file could not be read.
    #[error("{path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// No adapter has that name.
    #[error("no adapter named `{0}` under adapters/ (known: {1})")]
    Unknown(String, String),
    /// A tool the adapter needs is not on PATH.
    #[error("adapter `{adapter}` needs `{tool}` on PATH to install")]
    MissingTool {
        /// The adapter.
        adapter: String,
        /// The tool.
        tool: String,
    },
    /// An install command failed.
    #[error("adapter `{adapter}`: install command `{command}` failed ({status})")]
    CommandFailed {
        /// The adapter.
        adapter: String,
        /// The command.
        command: String,
        /// Its exit status or spawn error.
        status: String,
    },
}

impl AdapterDir {
    /// Reads `dir/adapter.json`.
    pub fn load(dir: &Path) -> Result<AdapterDir, InstallError> {
        let path = dir.join("adapter.json");
        let text = std::fs::read_to_string(&path).map_err(|e| InstallError::Read {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let mut de = serde_json::Deserializer::from_str(&text);
        let manifest: AdapterManifest =
            serde_path_to_error(&mut de).map_err(|message| InstallError::Read {
                path: path.clone(),
                message,
            })?;
        Ok(AdapterDir {
            dir: dir.to_owned(),
            manifest,
        })
    }

    /// The adapter's name.
    pub fn name(&self) -> &str {
        &self.manifest.name
    }

    /// The digest of the declared install inputs.
    pub fn inputs_digest(&self) -> Result<String, InstallError> {
        let mut bytes = Vec::new();
        for input in &self.manifest.install.inputs {
            let path = self.dir.join(input);
            let content = std::fs::read(&path).map_err(|e| InstallError::Read {
                path: path.clone(),
                message: e.to_string(),
            })?;
            bytes.extend_from_slice(input.as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(&content);
            bytes.push(0);
        }
        // The install commands are part of what was installed.
        bytes.extend_from_slice(
            serde_json::to_string(&self.manifest.install.commands)
                .unwrap_or_default()
                .as_bytes(),
        );
        Ok(convert_spec::digest::sha256_hex(&bytes))
    }

    /// Whether the stamp matches the current inputs.
    pub fn is_installed(&self) -> bool {
        let stamp = std::fs::read_to_string(self.dir.join(STAMP)).unwrap_or_default();
        self.inputs_digest().is_ok_and(|d| stamp.trim() == d)
    }

    /// Runs the install commands unless already installed; returns whether it
    /// installed anything.
    pub fn install(&self) -> Result<bool, InstallError> {
        if self.is_installed() {
            return Ok(false);
        }
        for tool in &self.manifest.requires_tools {
            if which(tool).is_none() {
                return Err(InstallError::MissingTool {
                    adapter: self.name().to_owned(),
                    tool: tool.clone(),
                });
            }
        }
        let _ = std::fs::remove_file(self.dir.join(STAMP));
        for command in &self.manifest.install.commands {
            self.run_command(&command.argv)?;
        }
        let digest = self.inputs_digest()?;
        std::fs::write(self.dir.join(STAMP), format!("{digest}\n")).map_err(|e| {
            InstallError::Read {
                path: self.dir.join(STAMP),
                message: e.to_string(),
            }
        })?;
        Ok(true)
    }

    /// Runs the adapter's own test command, if it declares one.
    pub fn self_test(&self) -> Result<bool, InstallError> {
        match &self.manifest.test {
            Some(command) => self.run_command(&command.argv).map(|()| true),
            None => Ok(false),
        }
    }

    fn run_command(&self, argv: &[String]) -> Result<(), InstallError> {
        let shown = argv.join(" ");
        let failed = |status: String| InstallError::CommandFailed {
            adapter: self.name().to_owned(),
            command: shown.clone(),
            status,
        };
        let Some(program) = argv.first() else {
            return Err(failed("empty command".into()));
        };
        let program = resolve_program(program, &self.dir);
        let status = Command::new(&program)
            .args(&argv[1..])
            .current_dir(&self.dir)
            .status()
            .map_err(|e| failed(e.to_string()))?;
        if status.success() {
            Ok(())
        } else {
            Err(failed(status.to_string()))
        }
    }

    /// The start command, with a relative program path resolved.
    pub fn start_argv(&self) -> Vec<String> {
        self.manifest.start.argv.clone()
    }

    /// Reads the adapter's divergence file (absent means none).
    pub fn divergences(&self) -> Result<DivergenceFile, InstallError> {
        let path = self.dir.join(&self.manifest.divergences);
        crate::divergence::read_file(&path).map_err(|message| InstallError::Read { path, message })
    }
}

fn serde_path_to_error<'de, T: serde::Deserialize<'de>>(
    de: &mut serde_json::Deserializer<serde_json::de::StrRead<'de>>,
) -> Result<T, String> {
    T::deserialize(de).map_err(|e| e.to_string())
}

/// A program name: relative paths with a `/` are taken from the adapter
/// folder, bare names from PATH.
pub fn resolve_program(program: &str, dir: &Path) -> PathBuf {
    if program.contains('/') && Path::new(program).is_relative() {
        dir.join(program)
    } else {
        PathBuf::from(program)
    }
}

/// Where `tool` is on PATH, if anywhere.
pub fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(tool))
            .find(|candidate| candidate.is_file())
    })
}

/// Every adapter under `root/adapters/`, sorted by name.
pub fn discover(root: &Path) -> Result<Vec<AdapterDir>, InstallError> {
    let dir = root.join("adapters");
    let mut adapters = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(_) => return Ok(adapters),
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("adapter.json").is_file())
        .collect();
    dirs.sort();
    for d in dirs {
        adapters.push(AdapterDir::load(&d)?);
    }
    adapters.sort_by(|a, b| a.name().cmp(b.name()));
    Ok(adapters)
}

/// The adapter called `name`.
pub fn find(root: &Path, name: &str) -> Result<AdapterDir, InstallError> {
    let all = discover(root)?;
    let known = all
        .iter()
        .map(|a| a.name().to_owned())
        .collect::<Vec<_>>()
        .join(", ");
    all.into_iter()
        .find(|a| a.name() == name)
        .ok_or_else(|| InstallError::Unknown(name.to_owned(), known))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adapter_dir(dir: &Path) -> AdapterDir {
        std::fs::write(dir.join("lock.txt"), "v1").unwrap();
        let manifest = serde_json::json!({
            "name": "t", "description": "test", "sdk": {"name": "x", "version": "1", "registry": "none"},
            "install": {"commands": [{"argv": ["python3", "-c", "open('count','a').write('x')"]}], "inputs": ["lock.txt"]},
            "start": {"argv": ["true"]}
        });
        std::fs::write(dir.join("adapter.json"), manifest.to_string()).unwrap();
        AdapterDir::load(dir).unwrap()
    }

    #[test]
    fn install_runs_once_per_lockfile_content() {
        let tmp = tempfile::tempdir().unwrap();
        let adapter = adapter_dir(tmp.path());
        let runs = || {
            std::fs::read_to_string(tmp.path().join("count"))
                .unwrap_or_default()
                .len()
        };
        assert!(!adapter.is_installed());
        assert!(adapter.install().unwrap());
        assert!(adapter.is_installed());
        assert!(!adapter.install().unwrap(), "nothing changed: a no-op");
        assert_eq!(runs(), 1);
        std::fs::write(tmp.path().join("lock.txt"), "v2").unwrap();
        assert!(
            !adapter.is_installed(),
            "a changed lockfile means reinstall"
        );
        assert!(adapter.install().unwrap());
        assert_eq!(runs(), 2);
    }

    #[test]
    fn a_failing_install_command_is_an_error_and_leaves_no_stamp() {
        let tmp = tempfile::tempdir().unwrap();
        let mut adapter = adapter_dir(tmp.path());
        adapter.manifest.install.commands[0].argv =
            vec!["python3".into(), "-c".into(), "raise SystemExit(4)".into()];
        let err = adapter.install().unwrap_err();
        assert!(err.to_string().contains("failed"), "{err}");
        assert!(!adapter.is_installed());
    }
}
