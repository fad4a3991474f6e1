//! The reference engine as an in-process target.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use convert_reference::Evaluator;
use convert_spec::Capabilities;
use convert_spec::protocol::Implementation;

use crate::outcome::Answer;
use crate::target::{CaseInput, Target};

/// The fewest cases a lane is given: below this, handing cases to another
/// thread costs more than it saves.
pub const MIN_CASES_PER_LANE: usize = 16;

/// The most lanes a reference target uses.
pub const MAX_LANES: usize = 8;

/// `convert-reference`, called directly (no process, no JSON framing).
///
/// A batch of cases is split into contiguous runs, one per *lane*: the
/// first is answered on the calling thread, the others each on a worker
/// thread of its own, started on first use and kept until the target is
/// dropped. There are as many lanes as the machine has cores (at most
/// [`MAX_LANES`]). Each lane keeps its own [`Evaluator`], so neighbouring
/// cases of a vector file that share a project config read it once per
/// lane. Answers do not depend on the lanes: each case is evaluated on its
/// own, and the answers come back in the order of the cases.
pub struct Reference {
    implementation: Implementation,
    capabilities: Capabilities,
    local: Evaluator,
    lanes: usize,
    workers: Vec<Worker>,
}

/// A lane on a thread of its own: cases in, answers out.
struct Worker {
    cases: Option<Sender<Vec<CaseInput>>>,
    answers: Receiver<Vec<Answer>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    fn start() -> Worker {
        let (cases, inbox) = mpsc::channel::<Vec<CaseInput>>();
        let (outbox, answers) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("reference-lane".into())
            .spawn(move || {
                let mut evaluator = Evaluator::new();
                for batch in inbox {
                    if outbox.send(answer_all(&mut evaluator, &batch)).is_err() {
                        break;
                    }
                }
            })
            .ok();
        Worker {
            cases: Some(cases),
            answers,
            thread,
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the worker's loop.
        self.cases = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Reference {
    /// The reference target, with one lane per available core.
    pub fn new() -> Reference {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Reference::with_lanes(cores)
    }

    /// The reference target with `lanes` lanes (at least 1, at most
    /// [`MAX_LANES`]); with one lane, every case is answered on the calling
    /// thread.
    pub fn with_lanes(lanes: usize) -> Reference {
        Reference {
            implementation: convert_reference::implementation(),
            capabilities: convert_reference::capabilities(),
            local: Evaluator::new(),
            lanes: lanes.clamp(1, MAX_LANES),
            workers: Vec::new(),
        }
    }

    /// How many lanes the target has.
    pub fn lanes(&self) -> usize {
        self.lanes
    }
}

fn answer_all(evaluator: &mut Evaluator, cases: &[CaseInput]) -> Vec<Answer> {
    cases
        .iter()
        .map(|case| match evaluator.evaluate(case.family, &case.input) {
            Ok(result) => Answer::Result(result),
            Err(err) => Answer::Errored(err.to_string()),
        })
        .collect()
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
        let lanes = (cases.len() / MIN_CASES_PER_LANE).clamp(1, self.lanes);
        if lanes == 1 {
            return answer_all(&mut self.local, cases);
        }
        while self.workers.len() < lanes - 1 {
            self.workers.push(Worker::start());
        }
        let mut runs = cases.chunks(cases.len().div_ceil(lanes));
        let head = runs.next().unwrap_or_default();
        // Hand each worker its run (the inputs are shared, not copied),
        // answer the first run here meanwhile, then collect in order.
        let handed: Vec<(usize, bool)> = self
            .workers
            .iter()
            .zip(runs)
            .map(|(worker, run)| {
                let sent = worker
                    .cases
                    .as_ref()
                    .is_some_and(|cases| cases.send(run.to_vec()).is_ok());
                (run.len(), sent)
            })
            .collect();
        let mut answers = Vec::with_capacity(cases.len());
        answers.extend(answer_all(&mut self.local, head));
        let mut offset = head.len();
        for (worker, (len, sent)) in self.workers.iter().zip(handed) {
            let run = &cases[offset..offset + len];
            offset += len;
            if !sent {
                // The worker is not running (its thread could not start, or
                // the engine panicked on an earlier case): answer here.
                answers.extend(answer_all(&mut self.local, run));
                continue;
            }
            match worker.answers.recv() {
                Ok(lane) => answers.extend(lane),
                // The engine panicked on one of these cases.
                Err(_) => answers.extend(
                    (0..len).map(|_| Answer::Crashed("the reference engine panicked".into())),
                ),
            }
        }
        answers
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use convert_spec::Family;
    use serde_json::json;

    fn cases(count: usize) -> Vec<CaseInput> {
        (0..count)
            .map(|i| CaseInput {
                family: if i % 7 == 3 {
                    Family::Rule
                } else {
                    Family::Hash
                },
                id: format!("c{i}"),
                // Every 7th case is malformed (a rule case without its
                // fields), so errors must stay in their places too.
                input: json!({"value": format!("visitor-{i}"), "seed": i % 5}).into(),
            })
            .collect()
    }

    #[test]
    fn lanes_change_nothing_but_the_threads() {
        let cases = cases(200);
        let one = Reference::with_lanes(1).run(&cases);
        assert!(one.iter().any(|a| matches!(a, Answer::Errored(_))));
        assert!(one.iter().any(|a| matches!(a, Answer::Result(_))));
        for lanes in [2, 3, MAX_LANES, 100] {
            let mut target = Reference::with_lanes(lanes);
            assert_eq!(target.lanes(), lanes.min(MAX_LANES));
            // Twice: the workers are reused across batches.
            assert_eq!(target.run(&cases), one, "{lanes} lanes");
            assert_eq!(target.run(&cases[..50]), one[..50], "{lanes} lanes");
        }
    }

    #[test]
    fn small_batches_stay_on_the_calling_thread() {
        let mut target = Reference::with_lanes(4);
        target.run(&cases(MIN_CASES_PER_LANE * 2 - 1));
        assert!(target.workers.is_empty());
        target.run(&cases(MIN_CASES_PER_LANE * 4));
        assert_eq!(target.workers.len(), 3);
    }
}
