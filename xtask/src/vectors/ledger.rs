//! `vectors/ids.lock`: every case id ever issued, with the digest of its
//! input. An id is never reused for a different input: changing a case's
//! input means giving it a new id. Retired ids stay in the ledger.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// The id ledger.
pub struct Ledger {
    path: PathBuf,
    entries: BTreeMap<String, String>,
    changed: bool,
}

impl Ledger {
    /// Loads the ledger (an absent file is an empty ledger).
    pub fn load(path: &Path) -> Result<Ledger> {
        let entries = match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).with_context(|| {
                format!("{} is not a JSON object of id → digest", path.display())
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        Ok(Ledger {
            path: path.to_owned(),
            entries,
            changed: false,
        })
    }

    /// Records `id` for `input`; an id already issued for another input is an
    /// error.
    pub fn record(&mut self, id: &str, input: &Value) -> Result<()> {
        let digest = convert_spec::digest::input_digest(input);
        match self.entries.get(id) {
            Some(known) if *known == digest => Ok(()),
            Some(_) => bail!(
                "case id `{id}` was issued for a different input (vectors/ids.lock); ids are never reused: give the changed case a new id"
            ),
            None => {
                self.entries.insert(id.to_owned(), digest);
                self.changed = true;
                Ok(())
            }
        }
    }

    /// Writes the ledger if it gained ids (unless checking); returns whether
    /// it gained any.
    pub fn save(&self, check: bool) -> Result<bool> {
        if self.changed && !check {
            let mut text = serde_json::to_string_pretty(&self.entries)?;
            text.push('\n');
            std::fs::write(&self.path, text)
                .with_context(|| format!("writing {}", self.path.display()))?;
        }
        Ok(self.changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_id_cannot_change_its_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ids.lock");
        let mut ledger = Ledger::load(&path).unwrap();
        ledger
            .record("hash/a", &json!({"value": "a", "seed": 1}))
            .unwrap();
        assert!(ledger.save(false).unwrap());
        let mut again = Ledger::load(&path).unwrap();
        again
            .record("hash/a", &json!({"value": "a", "seed": 1}))
            .unwrap();
        assert!(!again.save(true).unwrap(), "nothing new");
        let err = again
            .record("hash/a", &json!({"value": "b", "seed": 1}))
            .unwrap_err();
        assert!(err.to_string().contains("never reused"));
    }
}
