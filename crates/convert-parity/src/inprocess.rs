//! The reference engine as an in-process target.

use convert_spec::Capabilities;
use convert_spec::protocol::Implementation;

use crate::outcome::Answer;
use crate::target::{CaseInput, Target};

/// `convert-reference`, called directly (no process, no JSON framing). One
/// [`convert_reference::Evaluator`] answers every case handed to the
/// target, so the cases of a vector file that share a project config read
/// it once.
pub struct Reference {
    implementation: Implementation,
    capabilities: Capabilities,
    evaluator: convert_reference::Evaluator,
}

impl Reference {
    /// The reference target.
    pub fn new() -> Reference {
        Reference {
            implementation: convert_reference::implementation(),
            capabilities: convert_reference::capabilities(),
            evaluator: convert_reference::Evaluator::new(),
        }
    }
}

impl Default for Reference {
    fn default() -> Self {
        Reference::new()
    }
}

impl Target for Reference {
    fn implementation(&self) -> &Implementation {
        &self.implementation
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    fn run(&mut self, cases: &[CaseInput]) -> Vec<Answer> {
        cases
            .iter()
            .map(
                |case| match self.evaluator.evaluate(case.family, &case.input) {
                    Ok(result) => Answer::Result(result),
                    Err(err) => Answer::Errored(err.to_string()),
                },
            )
            .collect()
    }
}
