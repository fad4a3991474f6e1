//! `convert-parity replay <reproducer>.json`: one failing case against its
//! target alone, judged exactly as the run judged it.

use std::path::PathBuf;
use std::time::Duration;

use crate::adapter::{Adapter, AdapterConfig, StartError};
use crate::inprocess::Reference;
use crate::outcome::{Answer, Outcome};
use crate::repro::{ReplayTarget, ReproFile};
use crate::target::{CaseInput, Target};

/// What a replay saw.
#[derive(Debug)]
pub struct Replayed {
    /// The implementation that answered, as it described itself.
    pub implementation: convert_spec::protocol::Implementation,
    /// The raw answer.
    pub answer: Answer,
    /// The judged outcome (with the differences).
    pub outcome: Outcome,
}

/// The adapter configuration a replay target starts with.
pub fn adapter_config(target: &ReplayTarget, timeout: Duration) -> Option<AdapterConfig> {
    let (name, argv, cwd) = match target {
        ReplayTarget::Reference => return None,
        ReplayTarget::Adapter { name, dir, argv } => (name, argv, dir),
        ReplayTarget::Command { name, argv, cwd } => (name, argv, cwd),
    };
    let mut config = AdapterConfig::new(name.clone(), argv.clone(), PathBuf::from(cwd));
    config.timeout = timeout;
    Some(config)
}

/// Replays the case: against `config` when given (another adapter, or the
/// same one started differently), else against the target the reproducer
/// names.
pub fn replay(
    file: &ReproFile,
    config: Option<AdapterConfig>,
    timeout: Duration,
) -> Result<Replayed, StartError> {
    let mut target: Box<dyn Target> = match config.or_else(|| adapter_config(&file.target, timeout))
    {
        Some(config) => Box::new(Adapter::start(config)?),
        None => Box::new(Reference::new()),
    };
    let case = CaseInput::new(file.family, file.case.id.clone(), file.case.input.clone());
    let answer = target
        .run(std::slice::from_ref(&case))
        .pop()
        .unwrap_or_else(|| Answer::Crashed("the target gave no answer".into()));
    let outcome = crate::run::judge_with(
        file.family,
        &file.expected,
        answer.clone(),
        target.capabilities(),
        &file.compare,
    );
    Ok(Replayed {
        implementation: target.implementation().clone(),
        answer,
        outcome,
    })
}
