//! The oracle: a real SDK, reached through its adapter, whose answers become
//! the expected values.

use std::fmt;
use std::path::Path;

use anyhow::Result;
use convert_spec::protocol::Implementation;
use convert_spec::{Capabilities, Family};
use serde_json::Value;

/// What an oracle said about one case.
#[derive(Clone, Debug)]
pub enum Answer {
    /// The family result.
    Result(Value),
    /// The adapter skipped the case.
    Skipped(String),
    /// The adapter reported an error.
    Errored(String),
    /// The adapter failed (crash, timeout, protocol violation).
    Failed(String),
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Result(v) => write!(f, "result {v}"),
            Answer::Skipped(r) => write!(f, "skipped: {r}"),
            Answer::Errored(m) => write!(f, "errored: {m}"),
            Answer::Failed(m) => write!(f, "adapter failure: {m}"),
        }
    }
}

/// An implementation that answers cases.
pub trait Oracle {
    /// Who answers.
    fn implementation(&self) -> &Implementation;
    /// What it can answer.
    fn capabilities(&self) -> &Capabilities;
    /// Answers the `(id, input)` cases of one family, in order.
    fn answer(&mut self, family: Family, cases: &[(String, Value)]) -> Result<Vec<Answer>>;
}

/// An SDK behind its adapter process.
struct AdapterOracle {
    adapter: convert_parity::adapter::Adapter,
}

impl Oracle for AdapterOracle {
    fn implementation(&self) -> &Implementation {
        convert_parity::target::Target::implementation(&self.adapter)
    }

    fn capabilities(&self) -> &Capabilities {
        convert_parity::target::Target::capabilities(&self.adapter)
    }

    fn answer(&mut self, family: Family, cases: &[(String, Value)]) -> Result<Vec<Answer>> {
        use convert_parity::outcome::Answer as A;
        // Interned, so that the adapter's `define` path recognises a repeated
        // config by its handle.
        let mut interner = convert_spec::identity::Interner::new();
        let inputs: Vec<convert_parity::target::CaseInput> = cases
            .iter()
            .map(|(id, input)| {
                let input = std::sync::Arc::new(input.clone());
                convert_parity::target::CaseInput {
                    family,
                    id: id.clone(),
                    members: interner.members(&input),
                    input,
                }
            })
            .collect();
        let answers = convert_parity::target::Target::run(&mut self.adapter, &inputs);
        Ok(answers
            .into_iter()
            .map(|a| match a {
                A::Result(v) => Answer::Result(v),
                A::Skipped(r) => Answer::Skipped(r),
                A::Errored(m) => Answer::Errored(m),
                A::Timeout(m) | A::Crashed(m) => Answer::Failed(m),
            })
            .collect())
    }
}

/// Starts the named adapter (`adapters/<name>`, installed first if needed)
/// as an oracle, validating every message it writes.
pub fn connect(root: &Path, name: &str) -> Result<Box<dyn Oracle>> {
    let dir = convert_parity::install::find(root, name)?;
    if dir.install()? {
        eprintln!("installed adapter `{name}`");
    }
    let mut config =
        convert_parity::adapter::AdapterConfig::new(dir.name(), dir.start_argv(), dir.dir.clone());
    config.timeout = std::time::Duration::from_secs(30);
    config.max_restarts = 0;
    config.validator = Some(std::sync::Arc::new(
        convert_parity::validate::ProtocolValidator::new()?,
    ));
    let adapter =
        convert_parity::adapter::Adapter::start(config).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Box::new(AdapterOracle { adapter }))
}
