//! The determinism and isolation probe (`convert-parity run --shuffle`).
//!
//! After a target has answered every case in file order, a seeded random
//! sample of the cases it answered is run twice more, each time in its own
//! shuffled order:
//!
//! - on a **fresh** target (a new adapter process, a new reference), which
//!   catches answers that depend on which cases ran before (state left by
//!   earlier cases: sticky caches, visitor stores, memoised hashes);
//! - on the **reused** target, the very process that just ran the whole
//!   suite, which catches answers that depend on state accumulated over a
//!   long session.
//!
//! Every answer must equal the one the case got in the run. Any change is a
//! conformance failure: a real SDK keeps per-visitor state, and a state leak
//! between visitors or configs is a bug its users would hit. The seed is in
//! the report, so the same probe can be run again.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::outcome::Answer;
use crate::target::{CaseInput, Target};

/// How the probe runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProbeSettings {
    /// The seed of the sample and of both shuffles.
    pub seed: u64,
    /// Cases per target (0: every case the target answered).
    pub sample: usize,
}

/// Where a changed answer was seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProbePass {
    /// A new target instance, the sample in shuffled order.
    Fresh,
    /// The target that ran the suite, the sample in another shuffled order.
    Reused,
}

impl std::fmt::Display for ProbePass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ProbePass::Fresh => "a fresh target",
            ProbePass::Reused => "the reused target",
        })
    }
}

/// One case whose answer changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProbeChange {
    /// The case id.
    pub case: String,
    /// The pass that saw the change.
    pub pass: ProbePass,
    /// Its position in that pass's order (0-based).
    pub position: usize,
    /// The case that ran just before it in that pass, if any.
    pub after: Option<String>,
    /// The answer in the run.
    pub first: Value,
    /// The answer in the probe.
    pub again: Value,
}

/// What the probe found on one target.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TargetProbe {
    /// The seed.
    pub seed: u64,
    /// Cases probed (each run twice).
    pub probed: usize,
    /// Answers that could not be compared (a timeout or crash on either
    /// side: those are reported as faults already).
    pub not_comparable: usize,
    /// Every changed answer.
    pub changes: Vec<ProbeChange>,
    /// Why a pass could not run, if one could not (e.g. a fresh adapter did
    /// not start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// How to start another instance of the target a spec describes, for the
/// fresh pass.
pub fn fresh_factory(
    spec: &crate::run::TargetSpec,
) -> Box<dyn FnMut() -> Result<Box<dyn Target>, String>> {
    match spec {
        crate::run::TargetSpec::Reference { .. } => {
            Box::new(|| Ok(Box::new(crate::inprocess::Reference::new()) as Box<dyn Target>))
        }
        crate::run::TargetSpec::Adapter { config, .. } => {
            let config = config.clone();
            Box::new(move || {
                crate::adapter::Adapter::start(config.clone())
                    .map(|a| Box::new(a) as Box<dyn Target>)
                    .map_err(|e| e.to_string())
            })
        }
    }
}

/// The comparable form of an answer: results and skips as they are, errors
/// by kind only (messages may hold addresses or timings), faults not at all.
fn comparable(answer: &Answer) -> Option<Value> {
    match answer {
        Answer::Result(result) => Some(json!({ "result": result })),
        Answer::Skipped(reason) => Some(json!({ "skipped": reason })),
        Answer::Errored(_) => Some(json!({ "errored": true })),
        Answer::Timeout(_) | Answer::Crashed(_) => None,
    }
}

/// The sample (indices into `answers`) and the two orders for a seed.
pub fn plan(settings: ProbeSettings, cases: usize) -> (Vec<usize>, Vec<usize>) {
    let mut rng = fastrand::Rng::with_seed(settings.seed);
    let mut all: Vec<usize> = (0..cases).collect();
    rng.shuffle(&mut all);
    if settings.sample > 0 {
        all.truncate(settings.sample);
    }
    let fresh = all.clone();
    let mut reused = all;
    rng.shuffle(&mut reused);
    (fresh, reused)
}

/// Runs the probe on a target that has just answered `inputs` with
/// `answers`: a fresh instance from `fresh`, then `reused` itself.
pub fn run(
    settings: ProbeSettings,
    inputs: &[CaseInput],
    answers: &[Answer],
    reused: &mut dyn Target,
    fresh: &mut dyn FnMut() -> Result<Box<dyn Target>, String>,
) -> TargetProbe {
    let (fresh_order, reused_order) = plan(settings, inputs.len().min(answers.len()));
    let mut probe = TargetProbe {
        seed: settings.seed,
        probed: fresh_order.len(),
        ..TargetProbe::default()
    };
    match fresh() {
        Ok(mut target) => {
            check_pass(
                ProbePass::Fresh,
                &fresh_order,
                inputs,
                answers,
                target.as_mut(),
                &mut probe,
            );
        }
        Err(e) => probe.error = Some(format!("a fresh target could not start: {e}")),
    }
    check_pass(
        ProbePass::Reused,
        &reused_order,
        inputs,
        answers,
        reused,
        &mut probe,
    );
    probe
}

fn check_pass(
    pass: ProbePass,
    order: &[usize],
    inputs: &[CaseInput],
    answers: &[Answer],
    target: &mut dyn Target,
    probe: &mut TargetProbe,
) {
    let cases: Vec<CaseInput> = order.iter().map(|&i| inputs[i].clone()).collect();
    let again = target.run(&cases);
    for (position, (&index, answer)) in order.iter().zip(&again).enumerate() {
        let (Some(first), Some(second)) = (comparable(&answers[index]), comparable(answer)) else {
            probe.not_comparable += 1;
            continue;
        };
        if first != second {
            probe.changes.push(ProbeChange {
                case: inputs[index].id.clone(),
                pass,
                position,
                after: position.checked_sub(1).map(|p| inputs[order[p]].id.clone()),
                first,
                again: second,
            });
        }
    }
}

/// The run-level problem for a probe that saw changes (or could not run),
/// naming the first few cases.
pub fn problem_message(probe: &TargetProbe) -> Option<String> {
    if let Some(error) = &probe.error {
        return Some(format!("determinism probe (seed {}): {error}", probe.seed));
    }
    if probe.changes.is_empty() {
        return None;
    }
    let shown: Vec<String> = probe
        .changes
        .iter()
        .take(3)
        .map(|c| {
            format!(
                "`{}` on {} (after {}): {} then {}",
                c.case,
                c.pass,
                c.after
                    .as_deref()
                    .map_or_else(|| "nothing".to_owned(), |a| format!("`{a}`")),
                clip(&c.first),
                clip(&c.again)
            )
        })
        .collect();
    Some(format!(
        "determinism probe (seed {}): {} of {} probed answers changed when the cases ran again in another order — state leaks between cases; {}{}",
        probe.seed,
        probe.changes.len(),
        probe.probed * 2,
        shown.join("; "),
        if probe.changes.len() > 3 {
            " (all in the JSON report)"
        } else {
            ""
        }
    ))
}

fn clip(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= 160 {
        return text;
    }
    let mut end = 160;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use convert_spec::protocol::Implementation;
    use convert_spec::{Capabilities, Family};
    use std::collections::HashMap;

    /// Answers `{"n": <value length>}`, or, leaking, the first answer given
    /// for the same seed.
    struct Memo {
        implementation: Implementation,
        capabilities: Capabilities,
        leak: bool,
        seen: HashMap<i64, Value>,
    }

    impl Memo {
        fn new(leak: bool) -> Memo {
            Memo {
                implementation: Implementation {
                    name: "memo".into(),
                    version: "1".into(),
                    language: "rust".into(),
                    runtime: None,
                },
                capabilities: Capabilities::default(),
                leak,
                seen: HashMap::new(),
            }
        }
    }

    impl Target for Memo {
        fn implementation(&self) -> &Implementation {
            &self.implementation
        }
        fn capabilities(&self) -> &Capabilities {
            &self.capabilities
        }
        fn run(&mut self, cases: &[CaseInput]) -> Vec<Answer> {
            cases
                .iter()
                .map(|c| {
                    let real = json!({"n": c.input["value"].as_str().unwrap_or("").len()});
                    let seed = c.input["seed"].as_i64().unwrap_or(0);
                    if self.leak {
                        Answer::Result(self.seen.entry(seed).or_insert(real).clone())
                    } else {
                        Answer::Result(real)
                    }
                })
                .collect()
        }
    }

    fn inputs() -> Vec<CaseInput> {
        (0..20)
            .map(|i| {
                CaseInput::new(
                    Family::Hash,
                    format!("hash/{i}"),
                    json!({"value": "x".repeat(i), "seed": i % 3}),
                )
            })
            .collect()
    }

    #[test]
    fn the_plan_is_a_seeded_sample_in_two_orders() {
        let settings = ProbeSettings { seed: 7, sample: 5 };
        let (a, b) = plan(settings, 20);
        assert_eq!(a.len(), 5);
        let mut sa = a.clone();
        let mut sb = b.clone();
        sa.sort();
        sb.sort();
        assert_eq!(sa, sb, "both passes probe the same cases");
        assert_eq!(plan(settings, 20), (a, b), "same seed, same plan");
        assert_ne!(
            plan(ProbeSettings { seed: 8, sample: 5 }, 20).0,
            plan(settings, 20).0
        );
        assert_eq!(plan(ProbeSettings { seed: 1, sample: 0 }, 20).0.len(), 20);
    }

    #[test]
    fn a_leaking_target_is_caught_and_a_clean_one_is_not() {
        let inputs = inputs();
        let settings = ProbeSettings {
            seed: 42,
            sample: 0,
        };

        let mut clean = Memo::new(false);
        let answers = clean.run(&inputs);
        let probe = run(settings, &inputs, &answers, &mut clean, &mut || {
            Ok(Box::new(Memo::new(false)) as Box<dyn Target>)
        });
        assert_eq!(probe.probed, 20);
        assert!(probe.changes.is_empty(), "{:?}", probe.changes);
        assert_eq!(problem_message(&probe), None);

        let mut leaky = Memo::new(true);
        let answers = leaky.run(&inputs);
        let probe = run(settings, &inputs, &answers, &mut leaky, &mut || {
            Ok(Box::new(Memo::new(true)) as Box<dyn Target>)
        });
        assert!(!probe.changes.is_empty());
        assert!(probe.changes.iter().all(|c| c.pass == ProbePass::Fresh));
        let message = problem_message(&probe).unwrap();
        assert!(
            message.contains("seed 42") && message.contains("state leaks"),
            "{message}"
        );
    }

    #[test]
    fn errors_compare_by_kind_and_faults_not_at_all() {
        assert_eq!(
            comparable(&Answer::Errored("at 0x7f01".into())),
            comparable(&Answer::Errored("at 0x7f02".into()))
        );
        assert_eq!(comparable(&Answer::Crashed("x".into())), None);
        assert_ne!(
            comparable(&Answer::Skipped("a".into())),
            comparable(&Answer::Result(json!("a")))
        );
    }

    #[test]
    fn a_fresh_target_that_cannot_start_is_reported() {
        let inputs = inputs();
        let mut clean = Memo::new(false);
        let answers = clean.run(&inputs);
        let probe = run(
            ProbeSettings { seed: 1, sample: 3 },
            &inputs,
            &answers,
            &mut clean,
            &mut || Err("no such program".into()),
        );
        assert!(
            problem_message(&probe)
                .unwrap()
                .contains("could not start: no such program")
        );
    }
}
