//! Every answer in `tests/corpus/corpus.json` was produced by Node.js (V8)
//! running `new RegExp(pattern, flags).test(subject)`; our answers must be the
//! same, including which patterns are syntax errors.

use convert_regex::{Budget, CompileError, Flags, Regex};
use serde::Deserialize;

#[derive(Deserialize)]
struct Corpus {
    node: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    pattern: String,
    flags: String,
    subject: String,
    result: serde_json::Value,
}

#[test]
fn every_node_answer_is_reproduced() {
    let text = include_str!("corpus/corpus.json");
    let corpus: Corpus = serde_json::from_str(text).expect("corpus parses");
    assert!(corpus.cases.len() > 5_000, "corpus unexpectedly small");
    let mut failures = Vec::new();
    for c in &corpus.cases {
        let flags = Flags {
            ignore_case: c.flags.contains('i'),
        };
        let ours = match Regex::new(&c.pattern, flags) {
            Err(CompileError::Syntax(_)) => serde_json::json!("SyntaxError"),
            Err(CompileError::TooComplex(e)) => serde_json::json!(format!("TooComplex: {e}")),
            Ok(re) => match re.is_match(&c.subject, Budget::DEFAULT) {
                Ok(found) => serde_json::json!(found),
                Err(e) => serde_json::json!(format!("{e}")),
            },
        };
        if ours != c.result {
            failures.push(format!(
                "/{}/{} on {:?}: node {} ({}), ours {}",
                c.pattern, c.flags, c.subject, c.result, corpus.node, ours
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from node:\n{}",
        failures.len(),
        corpus.cases.len(),
        failures
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
