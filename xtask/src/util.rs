//! Small helpers shared by the tasks.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The repository root (the parent of the xtask crate).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The outcome of writing or checking one generated file.
#[derive(Debug, PartialEq, Eq)]
pub enum FileStatus {
    /// The file already had this content.
    Unchanged,
    /// The file was written (or, in check mode, would be).
    Changed,
}

/// Writes `contents` to `path` unless it already holds exactly that; in check
/// mode writes nothing and reports whether it would change.
pub fn ensure_file(path: &Path, contents: &str, check: bool) -> Result<FileStatus> {
    let current = std::fs::read_to_string(path).ok();
    if current.as_deref() == Some(contents) {
        return Ok(FileStatus::Unchanged);
    }
    if !check {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(FileStatus::Changed)
}

/// Every file under `dir` (recursively) with the given extension, sorted.
pub fn files_with_extension(dir: &Path, extension: &str) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == extension) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}
