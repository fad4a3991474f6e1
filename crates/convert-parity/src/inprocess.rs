//! The reference engine as an in-process target.

use convert_spec::Capabilities;
use convert_spec::protocol::Implementation;

use crate::outcome::Answer;
use crate::target::{CaseInput, Target};

/// `convert-reference`, called directly (no process, no JSON framing).
pub struct Reference {
    implementation: Implementation,
    capabilities: Capabilities,
}

impl Reference {
    /// The reference target.
    pub fn new() -> Reference {
        Reference {
            implementation: convert_reference::implementation(),
            capabilities: convert_reference::capabilities(),
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
                |case| match convert_reference::evaluate(case.family, &case.input) {
                    Ok(result) => Answer::Result(result),
                    Err(err) => Answer::Errored(err.to_string()),
                },
            )
            .collect()
    }
}
