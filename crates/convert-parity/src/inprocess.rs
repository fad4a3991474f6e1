//! The reference engine as an in-process target.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// How many neighbouring cases a lane takes at a time. Small enough that
/// the lanes finish a batch together however its cases' costs vary (a
/// `scenario` case costs ten `rule` cases); large enough that the cases of
/// a vector file sharing a config mostly stay on one lane and read it once.
pub const CASES_PER_TAKE: usize = 8;

/// `convert-reference`, called directly (no process, no JSON framing).
///
/// The cases of a batch are taken by *lanes*, [`CASES_PER_TAKE`]
/// neighbouring cases at a time, in order, until none are left: one lane is
/// the calling thread, the others each a worker thread of its own, started
/// on first use and kept until the target is dropped. There are as many
/// lanes as the machine has cores (at most [`MAX_LANES`]). Each lane keeps
/// its own [`Evaluator`], so neighbouring cases of a vector file that share
/// a project config read it once per lane. Answers do not depend on the
/// lanes: each case is evaluated on its own, and the answers come back in
/// the order of the cases.
pub struct Reference {
    implementation: Implementation,
    capabilities: Capabilities,
    local: Evaluator,
    lanes: usize,
    workers: Vec<Worker>,
}

/// One batch, shared by the lanes answering it.
struct Batch {
    cases: Arc<[CaseInput]>,
    /// The next take to answer (take `i` is cases `i * CASES_PER_TAKE ..`).
    next: AtomicUsize,
}

impl Batch {
    fn takes(&self) -> usize {
        self.cases.len().div_ceil(CASES_PER_TAKE)
    }

    /// Answers takes until none are left, handing each to `done` with its
    /// index.
    fn answer(&self, evaluator: &mut Evaluator, mut done: impl FnMut(usize, Vec<Answer>) -> bool) {
        loop {
            let take = self.next.fetch_add(1, Ordering::Relaxed);
            let start = take.saturating_mul(CASES_PER_TAKE);
            if start >= self.cases.len() {
                return;
            }
            let end = (start + CASES_PER_TAKE).min(self.cases.len());
            if !done(take, answer_all(evaluator, &self.cases[start..end])) {
                return;
            }
        }
    }
}

/// A lane on a thread of its own: batches in, answered takes out.
struct Worker {
    batches: Option<Sender<Arc<Batch>>>,
    answers: Receiver<(usize, Vec<Answer>)>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    fn start() -> Worker {
        let (batches, inbox) = mpsc::channel::<Arc<Batch>>();
        let (outbox, answers) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("reference-lane".into())
            .spawn(move || {
                let mut evaluator = Evaluator::new();
                for batch in inbox {
                    let mut open = true;
                    batch.answer(&mut evaluator, |take, answers| {
                        open = outbox.send((take, answers)).is_ok();
                        open
                    });
                    // The end of this lane's share of the batch.
                    if !open || outbox.send((usize::MAX, Vec::new())).is_err() {
                        break;
                    }
                }
            })
            .ok();
        Worker {
            batches: Some(batches),
            answers,
            thread,
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the worker's loop.
        self.batches = None;
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
        .map(|case| {
            let config = case.members.get("config");
            evaluator.evaluate_shared(case.family, &case.input, config)
        })
        .map(|answer| match answer {
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
        // The inputs are shared with the workers, not copied.
        let batch = Arc::new(Batch {
            cases: cases.into(),
            next: AtomicUsize::new(0),
        });
        let mut takes: Vec<Option<Vec<Answer>>> = (0..batch.takes()).map(|_| None).collect();
        let handed: Vec<bool> = self.workers[..lanes - 1]
            .iter()
            .map(|worker| {
                worker
                    .batches
                    .as_ref()
                    .is_some_and(|batches| batches.send(Arc::clone(&batch)).is_ok())
            })
            .collect();
        batch.answer(&mut self.local, |take, answers| {
            takes[take] = Some(answers);
            true
        });
        for (worker, handed) in self.workers.iter().zip(handed) {
            if !handed {
                continue;
            }
            // Until the worker's end of the batch, or its thread ended (the
            // engine panicked on a case of its current take).
            while let Ok((take, answers)) = worker.answers.recv() {
                match takes.get_mut(take) {
                    Some(slot) => *slot = Some(answers),
                    None => break,
                }
            }
        }
        let mut answers = Vec::with_capacity(cases.len());
        for (take, answered) in takes.into_iter().enumerate() {
            let len = CASES_PER_TAKE.min(cases.len() - take * CASES_PER_TAKE);
            match answered {
                Some(take) => answers.extend(take),
                None => answers.extend(
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
            .map(|i| {
                // Every 7th case is malformed (a rule case without its
                // fields), so errors must stay in their places too.
                let family = if i % 7 == 3 {
                    Family::Rule
                } else {
                    Family::Hash
                };
                let input = json!({"value": format!("visitor-{i}"), "seed": i % 5});
                CaseInput::new(family, format!("c{i}"), input)
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
            // Batches that end inside a take, or are one take long.
            for len in [MIN_CASES_PER_LANE * 2, 33, 129, 199] {
                assert_eq!(
                    target.run(&cases[..len]),
                    one[..len],
                    "{lanes} lanes, {len}"
                );
            }
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
