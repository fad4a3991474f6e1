//! `convert-parity fuzz`: differential fuzzing across implementations.
//!
//! Random but valid inputs for every family ([`convert_generate`]) run on every
//! target — the adapters and the reference engine — and every answer is
//! compared with the *oracle's*: the first target of the chain (the adapters
//! in the order given, then the reference) that can answer the case. The
//! first adapter is the behavioural source of truth (the JavaScript SDK);
//! where it lacks a capability the case needs (the anchored contract,
//! preview, …) the next one answers, as the vector files' oracles do. When
//! the oracle throws (`errored`), the case has no expected value and nothing
//! is compared.
//!
//! A disagreement that a target's divergence file declares (an entry whose
//! `matches` schema accepts the input and whose `fields` cover the
//! differences) is counted as *diverged* and not reported again. Any other
//! disagreement is shrunk to a minimal counterexample — proptest's value
//! trees, keeping only candidates on which the same target still disagrees
//! with the oracle at some of the same fields — and reported as a
//! ready-to-commit vector source case with the disagreeing outputs.
//! Disagreements with a signature already reported (target, family and the
//! differing fields, array indices generalised) are counted, not shrunk
//! again.
//!
//! Determinism: case `i` of family `f` is generated from a ChaCha RNG seeded
//! with `(seed, f, i)` alone, so a seed and a case count replay a run
//! exactly, whatever the batching (a `--time` limit only decides where the
//! run stops).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use convert_spec::compare::Difference;
use convert_spec::{Capabilities, Family, families};
use proptest::strategy::{BoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde::Serialize;
use serde_json::{Value, json};

use crate::divergence::{Patterns, covers};
use crate::outcome::Answer;
use crate::target::{CaseInput, Target};

/// What to run.
#[derive(Clone, Debug)]
pub struct FuzzConfig {
    /// The run's seed.
    pub seed: u64,
    /// Cases per family (the run stops earlier when `time` runs out).
    pub cases: u64,
    /// The time budget of the whole run.
    pub time: Option<Duration>,
    /// The families to fuzz, in order.
    pub families: Vec<Family>,
    /// Cases per family sent to the targets at once.
    pub batch: usize,
    /// Evaluations spent shrinking one disagreement, at most.
    pub max_shrink_steps: u32,
}

impl FuzzConfig {
    /// Every family, 1,000 cases each, batches of 256, seed 0.
    pub fn new(seed: u64) -> FuzzConfig {
        FuzzConfig {
            seed,
            cases: 1_000,
            time: None,
            families: Family::ALL.to_vec(),
            batch: 256,
            max_shrink_steps: 2_000,
        }
    }
}

/// One implementation under fuzz.
pub struct FuzzTarget {
    /// Its name in the output (`js`, `python`, `reference`).
    pub name: String,
    /// The implementation.
    pub target: Box<dyn Target + Send>,
    /// Its declared divergences that describe inputs.
    pub patterns: Patterns,
}

/// A disagreement, shrunk.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// The id of the vector case this finding becomes
    /// (`<family>/fuzz/<input digest>`).
    pub case_id: String,
    /// The family.
    pub family: Family,
    /// The target that disagrees.
    pub target: String,
    /// The oracle it disagrees with.
    pub oracle: String,
    /// The run's seed.
    pub seed: u64,
    /// The index of the generated case the disagreement was found on.
    pub case_index: u64,
    /// Shrink steps (evaluations) spent.
    pub shrink_steps: u32,
    /// The minimal input.
    pub input: Value,
    /// The oracle's answer to the minimal input.
    pub expected: Value,
    /// The target's answer to the minimal input (a result, or
    /// `{"errored": message}`).
    pub actual: Value,
    /// Where they differ.
    pub differences: Vec<Difference>,
    /// Other generated cases with the same signature (not shrunk).
    pub repeats: u64,
}

impl Finding {
    /// The id of the vector case a finding on `input` becomes.
    pub fn case_id_of(family: Family, input: &Value) -> String {
        let digest = convert_spec::digest::input_digest(input);
        format!("{family}/fuzz/{}", &digest[..12])
    }

    /// A vector source case (`vectors/src/<family>/*.json`; the expected
    /// value comes from the oracle when `cargo xtask vectors` runs).
    pub fn source_case(&self) -> Value {
        let at: Vec<&str> = self
            .differences
            .iter()
            .map(|d| d.pointer.as_str())
            .collect();
        json!({
            "id": self.case_id,
            "description": format!(
                "found by convert-parity fuzz (seed {}, case {}): `{}` differs from `{}` at {}",
                self.seed,
                self.case_index,
                self.target,
                self.oracle,
                if at.is_empty() { "the whole answer".to_owned() } else { at.join(", ") }
            ),
            "input": self.input,
        })
    }

    /// A whole vector source file holding just this case.
    pub fn source_file(&self) -> Value {
        json!({
            "family": self.family,
            "description": "Counterexamples found by the differential fuzzer (convert-parity fuzz)",
            "cases": [self.source_case()],
        })
    }
}

/// Counts for one target on one family.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TargetCounts {
    /// Cases whose answer was compared with the oracle's.
    pub compared: u64,
    /// Compared and equal.
    pub agreed: u64,
    /// Compared, different, and declared.
    pub diverged: u64,
    /// Compared, different, and not declared.
    pub disagreed: u64,
    /// Not run: the target lacks a capability or skipped the case.
    pub skipped: u64,
    /// The target was the oracle.
    pub oracle: u64,
    /// No oracle answered (the oracle threw, or nobody could run the case).
    pub no_oracle: u64,
    /// The target timed out or crashed.
    pub faults: u64,
}

/// What a fuzz run found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FuzzReport {
    /// The seed.
    pub seed: u64,
    /// Cases generated per family.
    pub generated: BTreeMap<Family, u64>,
    /// Counts per family and target.
    pub counts: BTreeMap<Family, BTreeMap<String, TargetCounts>>,
    /// Every undeclared disagreement, shrunk (one per signature).
    pub findings: Vec<Finding>,
    /// Adapter faults (timeouts, crashes, protocol violations).
    pub faults: Vec<String>,
    /// How long the run took, in milliseconds.
    pub duration_ms: u64,
    /// Whether the run stopped at its time budget.
    pub timed_out: bool,
}

impl FuzzReport {
    /// 0 when nothing disagreed; 1 when a target disagreed with the oracle
    /// undeclared; 2 when an adapter faulted.
    pub fn exit_code(&self) -> i32 {
        if !self.faults.is_empty() {
            2
        } else if !self.findings.is_empty() {
            1
        } else {
            0
        }
    }
}

/// The RNG of case `index` of `family`.
fn case_rng(seed: u64, family: Family, index: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let position = Family::ALL.iter().position(|f| *f == family).unwrap_or(0) as u64;
    bytes[8..16].copy_from_slice(&position.to_le_bytes());
    bytes[16..24].copy_from_slice(&index.to_le_bytes());
    bytes[24..].copy_from_slice(b"cvfuzz01");
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

/// Generates case `index` of `family`: its value tree (for shrinking).
pub fn generate(
    strategy: &BoxedStrategy<Value>,
    seed: u64,
    family: Family,
    index: u64,
) -> Result<Box<dyn ValueTree<Value = Value>>, String> {
    // No failure persistence: the runner is cloned for every lazily generated
    // branch, and the fuzzer records its findings itself.
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, case_rng(seed, family, index));
    strategy
        .new_tree(&mut runner)
        .map(|tree| Box::new(tree) as Box<dyn ValueTree<Value = Value>>)
        .map_err(|e| format!("generation of {family} case {index} failed: {e}"))
}

/// What became of one case on every target.
struct Judged {
    /// Index (in the chain) of the oracle, if one answered.
    oracle: Option<usize>,
    /// Per target: how its answer relates to the oracle's.
    verdicts: Vec<Verdict>,
}

#[derive(Clone, Debug)]
enum Verdict {
    Oracle,
    Skipped,
    NoOracle,
    Fault(String),
    Agreed,
    Diverged,
    Disagreed {
        differences: Vec<Difference>,
        actual: Value,
    },
}

/// Index of a case's oracle in the chain: the first target that can run it
/// and did not skip it.
fn oracle_of(requirements: &[Option<String>], answers: &[Option<&Answer>]) -> Option<usize> {
    (0..answers.len()).find(|&i| {
        requirements[i].is_none() && !matches!(answers[i], Some(Answer::Skipped(_)) | None)
    })
}

/// Judges the answers of every target to one input.
fn judge(
    family: Family,
    input: &Value,
    lanes: &[Lane],
    capabilities: &[Capabilities],
    missing: &[Option<String>],
    answers: &[Option<&Answer>],
) -> Judged {
    let oracle = oracle_of(missing, answers);
    let expected = oracle.and_then(|o| match answers[o] {
        Some(Answer::Result(value)) => Some(value),
        _ => None,
    });
    let verdicts = (0..lanes.len())
        .map(|i| {
            if Some(i) == oracle {
                return match answers[i] {
                    Some(Answer::Timeout(m) | Answer::Crashed(m)) => Verdict::Fault(m.clone()),
                    _ => Verdict::Oracle,
                };
            }
            let Some(answer) = answers[i] else {
                return Verdict::Skipped;
            };
            match answer {
                Answer::Skipped(_) => Verdict::Skipped,
                Answer::Timeout(m) | Answer::Crashed(m) => Verdict::Fault(m.clone()),
                _ if expected.is_none() => Verdict::NoOracle,
                Answer::Result(actual) => {
                    let expected = expected.unwrap_or(&Value::Null);
                    let differences = match families::check_result(family, actual) {
                        Ok(()) => convert_spec::compare::compare(
                            family,
                            expected,
                            actual,
                            &capabilities[i],
                        ),
                        Err(e) => vec![Difference {
                            pointer: String::new(),
                            expected: Some(expected.clone()),
                            actual: Some(json!({"wrong_shape": e.to_string()})),
                            rule: None,
                        }],
                    };
                    // Where the oracle itself declares a divergence on this
                    // input, its answer is not the truth: those fields are
                    // not held against anyone.
                    // (Its patterns see this target's answer as the
                    // expected value: the oracle's own answer is the one in
                    // doubt.)
                    let oracle_declared = match oracle {
                        Some(o) if !differences.is_empty() && !lanes[o].patterns.is_empty() => {
                            lanes[o]
                                .patterns
                                .matching(family, &Patterns::document(input, actual))
                        }
                        _ => Vec::new(),
                    };
                    let all = differences.len();
                    let differences: Vec<Difference> = differences
                        .into_iter()
                        .filter(|d| !oracle_declared.iter().any(|e| covers(e, &d.pointer)))
                        .collect();
                    if differences.is_empty() && all > 0 {
                        Verdict::Diverged
                    } else if differences.is_empty() {
                        Verdict::Agreed
                    } else if lanes[i]
                        .patterns
                        .excuse(family, &Patterns::document(input, expected), &differences)
                        .is_some()
                    {
                        Verdict::Diverged
                    } else {
                        Verdict::Disagreed {
                            differences,
                            actual: actual.clone(),
                        }
                    }
                }
                Answer::Errored(message) => {
                    let document = Patterns::document(input, expected.unwrap_or(&Value::Null));
                    if lanes[i].patterns.excuse(family, &document, &[]).is_some() {
                        Verdict::Diverged
                    } else {
                        Verdict::Disagreed {
                            differences: vec![Difference {
                                pointer: String::new(),
                                expected: expected.cloned(),
                                actual: Some(json!({"errored": message})),
                                rule: None,
                            }],
                            actual: json!({"errored": message}),
                        }
                    }
                }
            }
        })
        .collect();
    Judged { oracle, verdicts }
}

/// The signature of a disagreement: its differing fields with array indices
/// generalised (`/requests/3/path` → `/requests/*/path`).
fn signature(differences: &[Difference]) -> BTreeSet<String> {
    differences
        .iter()
        .map(|d| {
            d.pointer
                .split('/')
                .map(|t| {
                    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                        "*"
                    } else {
                        t
                    }
                })
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect()
}

/// A disagreement's signature: the target, the family and the differing
/// fields (generalised).
type Signature = (String, Family, BTreeSet<String>);

/// The finding a disagreement repeats: one of the same target and family
/// that differs in some of the same fields. Disagreements whose causes
/// co-occur are reported once; fixing or declaring the first cause lets the
/// next run report the others.
fn known(seen: &[(Signature, usize)], key: &Signature) -> Option<usize> {
    seen.iter()
        .find(|((target, family, fields), _)| {
            *target == key.0 && *family == key.1 && !fields.is_disjoint(&key.2)
        })
        .map(|(_, finding)| *finding)
}

/// One batch of generated cases of one family.
struct Batch {
    family: Family,
    /// The cases' indices and value trees.
    trees: Vec<(u64, Box<dyn ValueTree<Value = Value>>)>,
    cases: Arc<Vec<CaseInput>>,
    /// Per case, per target: the capability it lacks, if any.
    missing: Vec<Vec<Option<String>>>,
    /// Per target: the cases it can run.
    runnable: Vec<Vec<usize>>,
    /// Generation failures.
    faults: Vec<String>,
}

/// The batches of a run, round-robin over the families: `(family, first
/// index, end index)`.
fn batch_plan(config: &FuzzConfig) -> impl Iterator<Item = (Family, u64, u64)> + '_ {
    let batch = config.batch.max(1) as u64;
    let rounds = config.cases.div_ceil(batch);
    (0..rounds).flat_map(move |round| {
        config.families.iter().map(move |&family| {
            let start = round * batch;
            (family, start, (start + batch).min(config.cases))
        })
    })
}

fn make_batch(
    config: &FuzzConfig,
    strategy: &BoxedStrategy<Value>,
    capabilities: &[Capabilities],
    (family, start, end): (Family, u64, u64),
) -> Batch {
    let mut batch = Batch {
        family,
        trees: Vec::new(),
        cases: Arc::new(Vec::new()),
        missing: Vec::new(),
        runnable: vec![Vec::new(); capabilities.len()],
        faults: Vec::new(),
    };
    let mut cases = Vec::new();
    for index in start..end {
        match generate(strategy, config.seed, family, index) {
            Ok(tree) => {
                let input = tree.current();
                let derived = families::requirements_of(family, &input).unwrap_or_default();
                let missing: Vec<Option<String>> = capabilities
                    .iter()
                    .map(|caps| caps.missing(family, &derived))
                    .collect();
                for (t, m) in missing.iter().enumerate() {
                    if m.is_none() {
                        batch.runnable[t].push(cases.len());
                    }
                }
                batch.missing.push(missing);
                cases.push(CaseInput::new(
                    family,
                    format!("fuzz/{family}/{}/{index}", config.seed),
                    input,
                ));
                batch.trees.push((index, tree));
            }
            Err(message) => batch.faults.push(message),
        }
    }
    batch.cases = Arc::new(cases);
    batch
}

/// A target on a thread of its own, fed batches through a channel: the
/// adapters start on the next batch while the previous one is judged, so
/// their processes never wait for the runner.
struct Worker {
    jobs: Option<mpsc::Sender<Arc<Vec<CaseInput>>>>,
    answers: mpsc::Receiver<Vec<Answer>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Worker {
    fn spawn(mut target: Box<dyn Target + Send>) -> Worker {
        let (jobs, job_rx) = mpsc::channel::<Arc<Vec<CaseInput>>>();
        let (answer_tx, answers) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            for cases in job_rx {
                let mut answers = target.run(&cases);
                answers.resize_with(cases.len(), || {
                    Answer::Crashed("the target gave no answer".into())
                });
                if answer_tx.send(answers).is_err() {
                    break;
                }
            }
        });
        Worker {
            jobs: Some(jobs),
            answers,
            thread: Some(thread),
        }
    }

    /// Queues `cases` (answered in the order queued).
    fn submit(&self, cases: Arc<Vec<CaseInput>>) {
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(cases);
        }
    }

    /// The answers to the oldest queued job of `len` cases.
    fn collect(&self, len: usize) -> Vec<Answer> {
        self.answers
            .recv()
            .unwrap_or_else(|_| vec![Answer::Crashed("the target's thread ended".into()); len])
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the thread, which drops (stops) the target.
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One target of the run: its name, its declared patterns, its worker.
struct Lane {
    name: String,
    patterns: Patterns,
    worker: Worker,
}

/// Queues `batch` on every lane: the whole batch where a lane can run every
/// case (no copy), else the cases it can run.
fn submit_batch(lanes: &[Lane], batch: &Batch) {
    for (lane, which) in lanes.iter().zip(&batch.runnable) {
        let cases = if which.len() == batch.cases.len() {
            Arc::clone(&batch.cases)
        } else {
            Arc::new(which.iter().map(|&i| batch.cases[i].clone()).collect())
        };
        lane.worker.submit(cases);
    }
}

/// The answers to a submitted batch: `answers[t][k]` answers case
/// `batch.runnable[t][k]`.
fn collect_batch(lanes: &[Lane], batch: &Batch) -> Vec<Vec<Answer>> {
    lanes
        .iter()
        .zip(&batch.runnable)
        .map(|(lane, which)| lane.worker.collect(which.len()))
        .collect()
}

/// Runs the whole fuzz campaign. `on_finding` sees each finding as soon as
/// it is shrunk; `on_progress` sees `(family, cases generated so far)` after
/// every batch.
pub fn run(
    config: &FuzzConfig,
    targets: Vec<FuzzTarget>,
    mut on_finding: impl FnMut(&Finding),
    mut on_progress: impl FnMut(Family, u64),
) -> FuzzReport {
    let started = Instant::now();
    let capabilities: Vec<Capabilities> = targets
        .iter()
        .map(|t| t.target.capabilities().clone())
        .collect();
    let lanes: Vec<Lane> = targets
        .into_iter()
        .map(|t| Lane {
            name: t.name,
            patterns: t.patterns,
            worker: Worker::spawn(t.target),
        })
        .collect();
    let mut report = FuzzReport {
        seed: config.seed,
        ..FuzzReport::default()
    };
    let strategies: BTreeMap<Family, BoxedStrategy<Value>> = config
        .families
        .iter()
        .map(|&f| (f, convert_generate::input_strategy(f)))
        .collect();
    let make = |planned: (Family, u64, u64)| {
        make_batch(config, &strategies[&planned.0], &capabilities, planned)
    };
    let mut plan = batch_plan(config);
    let mut seen: Vec<(Signature, usize)> = Vec::new();
    // The pipeline: while the targets answer one batch, the next is
    // generated; it is queued as soon as the answers arrive, so the targets
    // work while this thread judges.
    let mut current = plan.next().map(make);
    if let Some(batch) = &current {
        submit_batch(&lanes, batch);
    }
    let mut prefetched: Option<Vec<Vec<Answer>>> = None;
    while let Some(mut batch) = current.take() {
        let out_of_time = config.time.is_some_and(|t| started.elapsed() >= t);
        report.timed_out |= out_of_time;
        let next = if out_of_time {
            None
        } else {
            plan.next().map(make)
        };
        let answers = prefetched
            .take()
            .unwrap_or_else(|| collect_batch(&lanes, &batch));
        if let Some(next) = &next {
            submit_batch(&lanes, next);
        }
        let family = batch.family;
        report.faults.append(&mut batch.faults);
        *report.generated.entry(family).or_default() += batch.cases.len() as u64;
        let mut by_case: Vec<Vec<Option<&Answer>>> =
            vec![vec![None; lanes.len()]; batch.cases.len()];
        for (t, list) in answers.iter().enumerate() {
            for (k, answer) in list.iter().enumerate() {
                if let Some(&c) = batch.runnable[t].get(k) {
                    by_case[c][t] = Some(answer);
                }
            }
        }
        let mut to_shrink = Vec::new();
        for (c, case) in batch.cases.iter().enumerate() {
            let judged = judge(
                family,
                &case.input,
                &lanes,
                &capabilities,
                &batch.missing[c],
                &by_case[c],
            );
            let counts = report.counts.entry(family).or_default();
            for (t, verdict) in judged.verdicts.iter().enumerate() {
                let entry = counts.entry(lanes[t].name.clone()).or_default();
                match verdict {
                    Verdict::Oracle => entry.oracle += 1,
                    Verdict::Skipped => entry.skipped += 1,
                    Verdict::NoOracle => entry.no_oracle += 1,
                    Verdict::Fault(message) => {
                        entry.faults += 1;
                        report
                            .faults
                            .push(format!("[{}] {}: {message}", lanes[t].name, case.id));
                    }
                    Verdict::Agreed => {
                        entry.compared += 1;
                        entry.agreed += 1;
                    }
                    Verdict::Diverged => {
                        entry.compared += 1;
                        entry.diverged += 1;
                    }
                    Verdict::Disagreed { differences, .. } => {
                        entry.compared += 1;
                        entry.disagreed += 1;
                        let key = (lanes[t].name.clone(), family, signature(differences));
                        match known(&seen, &key) {
                            Some(finding) => report.findings[finding].repeats += 1,
                            None => {
                                if let Some(oracle) = judged.oracle {
                                    to_shrink.push((c, t, oracle, key));
                                }
                            }
                        }
                    }
                }
            }
        }
        drop(by_case);
        drop(answers);
        if !to_shrink.is_empty()
            && let Some(next) = &next
        {
            // Shrinking needs the targets alone: take the next batch's
            // answers first.
            prefetched = Some(collect_batch(&lanes, next));
        }
        for (c, t, oracle, key) in to_shrink {
            if let Some(finding) = known(&seen, &key) {
                report.findings[finding].repeats += 1;
                continue;
            }
            let (index, tree) = &mut batch.trees[c];
            let finding = shrink(
                config,
                family,
                *index,
                tree.as_mut(),
                &lanes,
                &capabilities,
                t,
                oracle,
                &key.2,
            );
            on_finding(&finding);
            // The shrunk disagreement's own fields join the signature.
            let mut key = key;
            key.2.extend(signature(&finding.differences));
            seen.push((key, report.findings.len()));
            report.findings.push(finding);
        }
        on_progress(family, report.generated[&family]);
        current = next;
    }
    drop(lanes);
    report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    report
}

/// Evaluates one input on every target that can run it and judges it.
fn evaluate_one(
    family: Family,
    input: &Value,
    lanes: &[Lane],
    capabilities: &[Capabilities],
) -> (Judged, Vec<Option<Answer>>) {
    let derived = families::check_input(family, input).unwrap_or_default();
    let missing: Vec<Option<String>> = capabilities
        .iter()
        .map(|caps| caps.missing(family, &derived))
        .collect();
    let case = Arc::new(vec![CaseInput::new(
        family,
        format!("fuzz/{family}/shrink"),
        input.clone(),
    )]);
    for (lane, missing) in lanes.iter().zip(&missing) {
        if missing.is_none() {
            lane.worker.submit(Arc::clone(&case));
        }
    }
    let answers: Vec<Option<Answer>> = lanes
        .iter()
        .zip(&missing)
        .map(|(lane, missing)| {
            missing
                .is_none()
                .then(|| lane.worker.collect(1).pop())
                .flatten()
        })
        .collect();
    let refs: Vec<Option<&Answer>> = answers.iter().map(Option::as_ref).collect();
    let judged = judge(family, input, lanes, capabilities, &missing, &refs);
    (judged, answers)
}

/// Shrinks a disagreement of target `t` with `oracle`: a candidate is kept
/// when the same target still disagrees with the same oracle, undeclared, at
/// some of the same (generalised) fields.
#[allow(clippy::too_many_arguments)]
fn shrink(
    config: &FuzzConfig,
    family: Family,
    index: u64,
    tree: &mut dyn ValueTree<Value = Value>,
    lanes: &[Lane],
    capabilities: &[Capabilities],
    t: usize,
    oracle: usize,
    wanted: &BTreeSet<String>,
) -> Finding {
    let still_fails = |input: &Value| -> Option<(Value, Value, Vec<Difference>)> {
        let (judged, answers) = evaluate_one(family, input, lanes, capabilities);
        if judged.oracle != Some(oracle) {
            return None;
        }
        match &judged.verdicts[t] {
            Verdict::Disagreed {
                differences,
                actual,
            } if !signature(differences).is_disjoint(wanted) => {
                let expected = match &answers[oracle] {
                    Some(Answer::Result(v)) => v.clone(),
                    _ => Value::Null,
                };
                Some((expected, actual.clone(), differences.clone()))
            }
            _ => None,
        }
    };
    let mut best_input = tree.current();
    let mut steps = 0u32;
    let mut best = still_fails(&best_input);
    steps += 1;
    if best.is_some() && tree.simplify() {
        while steps < config.max_shrink_steps {
            let candidate = tree.current();
            steps += 1;
            match still_fails(&candidate) {
                Some(found) => {
                    best = Some(found);
                    best_input = candidate;
                    if !tree.simplify() {
                        break;
                    }
                }
                None => {
                    if !tree.complicate() {
                        break;
                    }
                }
            }
        }
    }
    let (expected, actual, differences) = best.unwrap_or_else(|| {
        // The disagreement did not reproduce on its own (state leaking
        // between cases in some target): report the original input as is.
        (
            Value::Null,
            json!({"not_reproduced": "the disagreement did not reproduce when the case ran alone"}),
            Vec::new(),
        )
    });
    Finding {
        case_id: Finding::case_id_of(family, &best_input),
        family,
        target: lanes[t].name.clone(),
        oracle: lanes[oracle].name.clone(),
        seed: config.seed,
        case_index: index,
        shrink_steps: steps,
        input: best_input,
        expected,
        actual,
        differences,
        repeats: 0,
    }
}

/// A finding as the terminal shows it: what differs, the ready-to-commit
/// vector source case, and both answers.
pub fn render_finding(finding: &Finding) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "=== finding: `{}` disagrees with `{}` on {} (seed {}, case {}, {} shrink steps)",
        finding.target,
        finding.oracle,
        finding.family,
        finding.seed,
        finding.case_index,
        finding.shrink_steps
    );
    for difference in &finding.differences {
        let _ = writeln!(out, "  {difference}");
    }
    let _ = writeln!(
        out,
        "vector source case (add it to vectors/src/{}/, then run `cargo xtask vectors`):",
        finding.family
    );
    let _ = writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&finding.source_case()).unwrap_or_default()
    );
    let _ = writeln!(out, "{} (oracle): {}", finding.oracle, finding.expected);
    let _ = writeln!(out, "{}: {}", finding.target, finding.actual);
    out.push('\n');
    out
}

/// The summary table: per family and target, how the answers compared.
pub fn render_summary(report: &FuzzReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<18} {:<10} {:>8} {:>8} {:>8} {:>9} {:>8} {:>8} {:>9} {:>6}",
        "family",
        "target",
        "cases",
        "agreed",
        "diverged",
        "disagreed",
        "skipped",
        "oracle",
        "no-oracle",
        "faults"
    );
    for (family, targets) in &report.counts {
        let generated = report.generated.get(family).copied().unwrap_or(0);
        for (name, c) in targets {
            let _ = writeln!(
                out,
                "{:<18} {:<10} {:>8} {:>8} {:>8} {:>9} {:>8} {:>8} {:>9} {:>6}",
                family.as_str(),
                name,
                generated,
                c.agreed,
                c.diverged,
                c.disagreed,
                c.skipped,
                c.oracle,
                c.no_oracle,
                c.faults
            );
        }
    }
    let cases: u64 = report.generated.values().sum();
    let repeats: u64 = report.findings.iter().map(|f| f.repeats).sum();
    let _ = writeln!(
        out,
        "{cases} cases in {:.1} s{}; {} finding(s) ({} more case(s) with a reported signature); {} fault(s); exit {}",
        report.duration_ms as f64 / 1000.0,
        if report.timed_out {
            " (stopped at the time budget)"
        } else {
            ""
        },
        report.findings.len(),
        repeats,
        report.faults.len(),
        report.exit_code()
    );
    for fault in report.faults.iter().take(10) {
        let _ = writeln!(out, "fault: {fault}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_per_case() {
        let strategy = convert_generate::input_strategy(Family::Experience);
        let a = generate(&strategy, 7, Family::Experience, 42)
            .unwrap()
            .current();
        let b = generate(&strategy, 7, Family::Experience, 42)
            .unwrap()
            .current();
        let c = generate(&strategy, 8, Family::Experience, 42)
            .unwrap()
            .current();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn signatures_generalise_indices() {
        let d = |p: &str| Difference {
            pointer: p.into(),
            expected: None,
            actual: None,
            rule: None,
        };
        let s = signature(&[d("/requests/3/path"), d("/requests/10/path"), d("/a")]);
        assert_eq!(
            s.into_iter().collect::<Vec<_>>(),
            ["/a", "/requests/*/path"]
        );
    }
}
