//! Seed inputs taken from the project's own vectors (`vectors/v1`), so that
//! mutation starts from inputs that reach deep into each surface: real
//! configs, real vector files (cut to a few cases), real protocol sessions.

use std::path::Path;

use convert_spec::vector::VectorSet;
use serde_json::json;

/// At most this many seeds per target (the biggest inputs are dropped
/// first: small seeds mutate faster).
const MAX_SEEDS: usize = 256;

/// The seeds of the target `name`, from the vectors under `root/vectors/v1`.
/// An unreadable vector set gives no seeds (the random inputs still run).
pub fn seeds(root: &Path, name: &str) -> Vec<Vec<u8>> {
    let Ok(set) = VectorSet::load(&root.join("vectors/v1")) else {
        return Vec::new();
    };
    let mut seeds: Vec<Vec<u8>> = match name {
        "config" => set
            .cases()
            .filter_map(|(_, _, case)| case.input.get("config"))
            .map(|config| config.to_string().into_bytes())
            .collect(),
        "vectors" => set
            .files
            .iter()
            .map(|(_, file)| {
                let mut file = file.clone();
                file.cases.truncate(2);
                serde_json::to_vec(&file).unwrap_or_default()
            })
            .collect(),
        "protocol" => set
            .files
            .iter()
            .map(|(_, file)| {
                let mut session = vec![json!({"cmd": "start", "protocol": 1}).to_string()];
                for (seq, case) in file.cases.iter().take(2).enumerate() {
                    session.push(
                        json!({"cmd": "run", "seq": seq + 1, "family": file.family.as_str(),
                               "case": {"id": case.id, "input": case.input}})
                        .to_string(),
                    );
                    session.push(json!({"seq": seq + 1, "result": case.expected}).to_string());
                }
                session.push(r#"{"cmd":"stop"}"#.to_owned());
                session.join("\n").into_bytes()
            })
            .collect(),
        _ => Vec::new(),
    };
    seeds.sort();
    seeds.dedup();
    seeds.sort_by_key(Vec::len);
    seeds.truncate(MAX_SEEDS);
    seeds
}
