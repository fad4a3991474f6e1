//! Declared divergences: applying a target's divergence file to its
//! outcomes, and the ratchet (entries must keep matching real failures).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use convert_spec::Family;
use convert_spec::compare::Difference;
use convert_spec::divergence::{Divergence, DivergenceFile};
use serde_json::Value;

use crate::outcome::{Outcome, OutcomeKind};

/// Reads a divergence file; an absent file declares nothing.
pub fn read_file(path: &Path) -> Result<DivergenceFile, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DivergenceFile::default()),
        Err(e) => return Err(e.to_string()),
    };
    let mut de = serde_json::Deserializer::from_str(&text);
    let file: DivergenceFile =
        serde::Deserialize::deserialize(&mut de).map_err(|e| e.to_string())?;
    for (i, entry) in file.divergences.iter().enumerate() {
        if let Some(problem) = entry.problem() {
            return Err(format!(
                "divergences[{i}] ({}): {problem}",
                entry.cases.join(", ")
            ));
        }
    }
    Ok(file)
}

/// The divergences of one target, indexed by case. A case may be named by
/// several entries (one per cause); their fields add up.
#[derive(Debug, Default)]
pub struct Declared {
    by_case: BTreeMap<String, Vec<Divergence>>,
    /// `(case, entry reason)` pairs that excused nothing on a failing case.
    idle: BTreeSet<(String, String)>,
}

impl Declared {
    /// Indexes a divergence file.
    pub fn new(file: &DivergenceFile) -> Declared {
        let mut by_case: BTreeMap<String, Vec<Divergence>> = BTreeMap::new();
        for entry in &file.divergences {
            for case in &entry.cases {
                by_case.entry(case.clone()).or_default().push(entry.clone());
            }
        }
        Declared {
            by_case,
            idle: BTreeSet::new(),
        }
    }

    /// Applies the declarations (if any) for `case` to its outcome: a failure
    /// whose every difference lies inside some declared entry's fields (an
    /// entry without fields covers everything) becomes `diverged`; a declared
    /// `errored` (by an entry without fields) too. Everything else is left as
    /// is, with a message saying what the declarations did not cover.
    pub fn apply(&mut self, case: &str, outcome: &mut Outcome) {
        let Some(entries) = self.by_case.get(case) else {
            return;
        };
        let covers = |entry: &Divergence, pointer: &str| {
            entry.fields.is_empty() || entry.fields.iter().any(|f| within(pointer, f))
        };
        let (excused, used): (bool, Vec<&Divergence>) = match outcome.kind {
            OutcomeKind::Fail => {
                let used: Vec<&Divergence> = entries
                    .iter()
                    .filter(|e| outcome.differences.iter().any(|d| covers(e, &d.pointer)))
                    .collect();
                for entry in entries {
                    if !used.contains(&entry) {
                        self.idle.insert((case.to_owned(), entry.reason.clone()));
                    }
                }
                let all = !outcome.differences.is_empty()
                    && outcome
                        .differences
                        .iter()
                        .all(|d| entries.iter().any(|e| covers(e, &d.pointer)));
                (all, used)
            }
            OutcomeKind::Errored => {
                let used: Vec<&Divergence> =
                    entries.iter().filter(|e| e.fields.is_empty()).collect();
                (!used.is_empty(), used)
            }
            _ => (false, Vec::new()),
        };
        if excused {
            outcome.kind = OutcomeKind::Diverged;
            let reasons: Vec<&str> = used.iter().map(|e| e.reason.as_str()).collect();
            outcome.message = Some(format!("declared divergence: {}", reasons.join(" | ")));
        } else if outcome.kind == OutcomeKind::Fail {
            let uncovered: Vec<&str> = outcome
                .differences
                .iter()
                .filter(|d| !entries.iter().any(|e| covers(e, &d.pointer)))
                .map(|d| d.pointer.as_str())
                .collect();
            outcome.message = Some(format!(
                "{} (not covered by the declared divergences: {})",
                outcome.message.clone().unwrap_or_default(),
                uncovered.join(", ")
            ));
        }
    }

    /// The ratchet: entries whose case ran and passed (stale), entries that
    /// excused none of a failing case's differences (stale for that case),
    /// and entries naming cases the vector set does not have. `known` is
    /// every case id of the loaded set; `ran` gives the outcome of a case
    /// that ran (`None` for one that did not). Entries for imported peer
    /// cases (`peer/…`) are only checked when `peers_loaded`.
    pub fn ratchet(
        &self,
        known: &BTreeSet<String>,
        ran: impl Fn(&str) -> Option<OutcomeKind>,
        peers_loaded: bool,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        for (case, entries) in &self.by_case {
            if case.starts_with("peer/") && !peers_loaded {
                continue;
            }
            if !known.contains(case) {
                problems.push(format!(
                    "divergence entry for `{case}` names no case of the vector set (remove it)"
                ));
            } else if ran(case) == Some(OutcomeKind::Pass) {
                for entry in entries {
                    problems.push(format!(
                        "divergence entry for `{case}` is stale: the case now passes (remove it; reason was: {})",
                        entry.reason
                    ));
                }
            }
        }
        for (case, reason) in &self.idle {
            problems.push(format!(
                "divergence entry for `{case}` is stale: none of the case's differences lies in its fields (remove the case from it; reason was: {reason})"
            ));
        }
        problems
    }
}

/// The entries of a divergence file that describe where they show
/// (`matches`), for inputs that are not vector cases (the differential
/// fuzzer's). Each schema validates `{"input", "expected"}`
/// ([`Patterns::document`]).
#[derive(Default)]
pub struct Patterns {
    /// `(entry index, family, schema, entry)`.
    entries: Vec<(usize, Family, jsonschema::Validator, Divergence)>,
}

impl std::fmt::Debug for Patterns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Patterns")
            .field("entries", &self.entries.len())
            .finish()
    }
}

impl Patterns {
    /// Compiles every entry's `matches` schema; an entry whose schema does
    /// not compile is an error naming it.
    pub fn new(file: &DivergenceFile) -> Result<Patterns, String> {
        let mut entries = Vec::new();
        for (i, entry) in file.divergences.iter().enumerate() {
            for (family, schema) in &entry.matches {
                let validator = jsonschema::draft202012::new(schema).map_err(|e| {
                    format!(
                        "divergences[{i}] ({}): `matches.{family}` is not a valid JSON Schema: {e}",
                        entry.cases.join(", ")
                    )
                })?;
                entries.push((i, *family, validator, entry.clone()));
            }
        }
        Ok(Patterns { entries })
    }

    /// The document a `matches` schema validates.
    pub fn document(input: &Value, expected: &Value) -> Value {
        serde_json::json!({"input": input, "expected": expected})
    }

    /// Whether there are any patterns.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The reasons of the entries that excuse an answer: the entries of
    /// `family` whose schema accepts the `document` together cover
    /// every difference (an entry without fields covers everything; an
    /// `errored` answer, given as no differences, needs such an entry).
    /// `None` when the answer is not excused.
    pub fn excuse(
        &self,
        family: Family,
        document: &Value,
        differences: &[Difference],
    ) -> Option<Vec<&str>> {
        let matching = self.matching(family, document);
        if matching.is_empty() {
            return None;
        }
        let used: Vec<&str> = if differences.is_empty() {
            matching
                .iter()
                .filter(|e| e.fields.is_empty())
                .map(|e| e.reason.as_str())
                .collect()
        } else {
            if !differences
                .iter()
                .all(|d| matching.iter().any(|e| covers(e, &d.pointer)))
            {
                return None;
            }
            matching
                .iter()
                .filter(|e| differences.iter().any(|d| covers(e, &d.pointer)))
                .map(|e| e.reason.as_str())
                .collect()
        };
        (!used.is_empty()).then_some(used)
    }

    /// The entries of `family` whose schema accepts `document`.
    pub fn matching(&self, family: Family, document: &Value) -> Vec<&Divergence> {
        self.entries
            .iter()
            .filter(|(_, f, validator, _)| *f == family && validator.is_valid(document))
            .map(|(_, _, _, entry)| entry)
            .collect()
    }

    /// The evidence check: every case an entry with `matches` names must be
    /// of a family the entry has a schema for, with a document (input and
    /// expected value) that schema accepts; and every family the entry has
    /// a schema for needs at least one such case. `case` looks a case up by
    /// id (its family, input and expected value), `None` for ids the loaded
    /// set lacks (the ratchet reports those).
    pub fn check_evidence<'a>(
        &self,
        case: impl Fn(&str) -> Option<(Family, &'a Value, &'a Value)>,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        let mut by_entry: BTreeMap<
            usize,
            Vec<&(usize, Family, jsonschema::Validator, Divergence)>,
        > = BTreeMap::new();
        for entry in &self.entries {
            by_entry.entry(entry.0).or_default().push(entry);
        }
        for schemas in by_entry.into_values() {
            let entry = &schemas[0].3;
            let reason = &entry.reason;
            let mut evidenced: BTreeSet<Family> = BTreeSet::new();
            let mut any_loaded = false;
            for id in &entry.cases {
                let Some((family, input, expected)) = case(id) else {
                    continue;
                };
                any_loaded = true;
                let document = Patterns::document(input, expected);
                let accepted = schemas
                    .iter()
                    .any(|(_, f, validator, _)| *f == family && validator.is_valid(&document));
                if accepted {
                    evidenced.insert(family);
                } else {
                    problems.push(format!(
                        "divergence entry for `{id}`: its `matches` has no schema for `{family}` that accepts the case (widen the schema, or move the case to another entry; reason: {reason})"
                    ));
                }
            }
            if !any_loaded {
                continue;
            }
            for (_, family, _, _) in &schemas {
                if !evidenced.contains(family) {
                    problems.push(format!(
                        "divergence entry `{}`: `matches.{family}` has no evidence: name a `{family}` case that shows the difference (reason: {reason})",
                        entry.cases.first().map_or("", String::as_str)
                    ));
                }
            }
        }
        problems
    }
}

/// Whether an entry covers the difference at `pointer`: an entry without
/// fields covers everything.
pub fn covers(entry: &Divergence, pointer: &str) -> bool {
    entry.fields.is_empty() || entry.fields.iter().any(|f| within(pointer, f))
}

/// Whether `pointer` is `field` or lies below it. A `*` token in `field`
/// matches any single token (`/requests/*/path`).
fn within(pointer: &str, field: &str) -> bool {
    let mut tokens = pointer.split('/');
    for want in field.split('/') {
        match tokens.next() {
            Some(got) if want == "*" || want == got => {}
            _ => return false,
        }
    }
    true
}

/// A draft divergence file for every case that failed or errored: one entry
/// per case, with a reason that must be replaced before the file counts.
pub fn draft(adapter: &str, failing: &[String]) -> DivergenceFile {
    DivergenceFile {
        adapter: adapter.to_owned(),
        divergences: failing
            .iter()
            .map(|case| Divergence {
                cases: vec![case.clone()],
                reason: "TODO: explain why".into(),
                fields: Vec::new(),
                link: None,
                matches: Default::default(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use convert_spec::compare::Difference;

    fn failing(pointers: &[&str]) -> Outcome {
        Outcome {
            kind: OutcomeKind::Fail,
            message: Some("differs".into()),
            actual: None,
            differences: pointers
                .iter()
                .map(|p| Difference {
                    pointer: (*p).to_owned(),
                    expected: None,
                    actual: None,
                    rule: None,
                })
                .collect(),
        }
    }

    fn file(fields: &[&str]) -> DivergenceFile {
        DivergenceFile {
            adapter: "x".into(),
            divergences: vec![Divergence {
                cases: vec!["c1".into()],
                reason: "known".into(),
                fields: fields.iter().map(|s| s.to_string()).collect(),
                link: None,
                matches: Default::default(),
            }],
        }
    }

    #[test]
    fn fields_limit_what_is_excused() {
        let mut d = Declared::new(&file(&["/reason"]));
        let mut o = failing(&["/reason"]);
        d.apply("c1", &mut o);
        assert_eq!(o.kind, OutcomeKind::Diverged);
        let mut o = failing(&["/reason", "/variation_id"]);
        d.apply("c1", &mut o);
        assert_eq!(o.kind, OutcomeKind::Fail);
        let mut o = failing(&["/reason/x"]);
        d.apply("c1", &mut o);
        assert_eq!(o.kind, OutcomeKind::Diverged);
        let mut o = failing(&["/reasons"]);
        d.apply("c1", &mut o);
        assert_eq!(o.kind, OutcomeKind::Fail, "a prefix is not a parent");
        let mut o = failing(&["/x"]);
        d.apply("other", &mut o);
        assert_eq!(o.kind, OutcomeKind::Fail);
    }

    #[test]
    fn wildcards_and_several_causes_add_up() {
        let mut f = file(&["/requests/*/path"]);
        f.divergences.push(Divergence {
            cases: vec!["c1".into()],
            reason: "segments".into(),
            fields: vec!["/requests/*/body/visitors/*/segments".into()],
            link: None,
            matches: Default::default(),
        });
        let mut d = Declared::new(&f);
        let mut o = failing(&["/requests/0/path", "/requests/1/body/visitors/0/segments/a"]);
        d.apply("c1", &mut o);
        assert_eq!(o.kind, OutcomeKind::Diverged);
        assert!(o.message.as_deref().unwrap().contains("known | segments"));
        let mut o = failing(&["/requests/0/path", "/requests/0/body/visitors/0/events"]);
        d.apply("c1", &mut o);
        assert_eq!(o.kind, OutcomeKind::Fail);
        assert!(
            o.message
                .as_deref()
                .unwrap()
                .contains("/requests/0/body/visitors/0/events")
        );
        assert!(!within("/requests", "/requests/*/path"));
        assert!(within("/requests/7/path/x", "/requests/*/path"));
    }

    #[test]
    fn an_entry_that_excuses_nothing_is_stale() {
        let mut f = file(&["/a"]);
        f.divergences.push(Divergence {
            cases: vec!["c1".into()],
            reason: "b only".into(),
            fields: vec!["/b".into()],
            link: None,
            matches: Default::default(),
        });
        let mut d = Declared::new(&f);
        let mut o = failing(&["/a"]);
        d.apply("c1", &mut o);
        assert_eq!(o.kind, OutcomeKind::Diverged);
        let known: BTreeSet<String> = ["c1".to_owned()].into();
        let ran: BTreeMap<String, OutcomeKind> = [("c1".to_owned(), OutcomeKind::Diverged)].into();
        let problems = d.ratchet(&known, |id| ran.get(id).copied(), false);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("b only"));
    }

    #[test]
    fn the_ratchet_flags_stale_and_unknown_entries() {
        let mut f = file(&[]);
        f.divergences[0].cases.push("gone".into());
        f.divergences[0].cases.push("peer/x".into());
        let d = Declared::new(&f);
        let known: BTreeSet<String> = ["c1".to_owned()].into();
        let ran: BTreeMap<String, OutcomeKind> = [("c1".to_owned(), OutcomeKind::Pass)].into();
        let problems = d.ratchet(&known, |id| ran.get(id).copied(), false);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("stale"));
        assert!(problems[1].contains("`gone`"));
        assert_eq!(d.ratchet(&known, |id| ran.get(id).copied(), true).len(), 3);
    }

    fn pattern_file() -> DivergenceFile {
        let entry = |case: &str, fields: &[&str], family: Family, schema: Value| Divergence {
            cases: vec![case.into()],
            reason: format!("cause of {case}"),
            fields: fields.iter().map(|s| s.to_string()).collect(),
            link: None,
            matches: [(family, schema)].into(),
        };
        DivergenceFile {
            adapter: "x".into(),
            divergences: vec![
                entry(
                    "rule/a",
                    &["/matched"],
                    Family::Rule,
                    serde_json::json!({"properties": {"input": {"required": ["data"],
                        "properties": {"data": {"type": "array"}}}}}),
                ),
                entry(
                    "experience/b",
                    &[],
                    Family::Experience,
                    serde_json::json!({"required": ["expected"], "properties": {"expected": {
                        "type": "object", "required": ["reason"],
                        "properties": {"reason": {"const": "location_mismatch"}}}}}),
                ),
            ],
        }
    }

    fn diff(pointer: &str) -> Difference {
        Difference {
            pointer: pointer.into(),
            expected: None,
            actual: None,
            rule: None,
        }
    }

    #[test]
    fn patterns_excuse_what_their_schema_and_fields_cover() {
        let patterns = Patterns::new(&pattern_file()).unwrap();
        let array_data =
            Patterns::document(&serde_json::json!({"rule": {}, "data": [1]}), &Value::Null);
        let object_data =
            Patterns::document(&serde_json::json!({"rule": {}, "data": {}}), &Value::Null);
        assert!(
            patterns
                .excuse(Family::Rule, &array_data, &[diff("/matched")])
                .is_some()
        );
        assert!(
            patterns
                .excuse(Family::Rule, &object_data, &[diff("/matched")])
                .is_none(),
            "the schema does not accept this input"
        );
        assert!(
            patterns
                .excuse(
                    Family::Rule,
                    &array_data,
                    &[diff("/matched"), diff("/other")]
                )
                .is_none(),
            "a difference outside the fields is not excused"
        );
        assert!(
            patterns
                .excuse(Family::Experience, &array_data, &[diff("/matched")])
                .is_none(),
            "schemas are per family"
        );
        // The expected value is part of the document; no fields cover all.
        let located = Patterns::document(
            &Value::Null,
            &serde_json::json!({"reason": "location_mismatch"}),
        );
        assert!(
            patterns
                .excuse(Family::Experience, &located, &[diff("/variation_id")])
                .is_some()
        );
        assert!(
            patterns.excuse(Family::Experience, &located, &[]).is_some(),
            "an entry without fields excuses an error"
        );
        assert!(
            patterns.excuse(Family::Rule, &array_data, &[]).is_none(),
            "an entry with fields does not excuse an error"
        );
    }

    #[test]
    fn patterns_need_evidence() {
        let patterns = Patterns::new(&pattern_file()).unwrap();
        let case = |data: Value| {
            let cases: BTreeMap<&str, (Family, Value, Value)> = [
                (
                    "rule/a",
                    (
                        Family::Rule,
                        serde_json::json!({"rule": {}, "data": data}),
                        serde_json::json!({"matched": true}),
                    ),
                ),
                (
                    "experience/b",
                    (
                        Family::Experience,
                        Value::Null,
                        serde_json::json!({"reason": "location_mismatch"}),
                    ),
                ),
            ]
            .into();
            cases
        };
        let good = case(serde_json::json!([1]));
        assert!(
            patterns
                .check_evidence(|id| good.get(id).map(|(f, i, e)| (*f, i, e)))
                .is_empty()
        );
        let bad = case(serde_json::json!({}));
        let problems = patterns.check_evidence(|id| bad.get(id).map(|(f, i, e)| (*f, i, e)));
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].contains("no schema for `rule` that accepts"),
            "{problems:?}"
        );
        assert!(problems[1].contains("has no evidence"), "{problems:?}");
        // A schema that does not compile is an error naming the entry.
        let mut broken = pattern_file();
        broken.divergences[0].matches = [(Family::Rule, serde_json::json!({"type": 5}))].into();
        assert!(
            Patterns::new(&broken)
                .unwrap_err()
                .contains("divergences[0]")
        );
    }

    #[test]
    fn todo_reasons_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        let draft = draft("x", &["a".to_owned()]);
        std::fs::write(&path, serde_json::to_string(&draft).unwrap()).unwrap();
        let err = read_file(&path).unwrap_err();
        assert!(err.contains("TODO"), "{err}");
        assert!(
            read_file(&dir.path().join("absent.json"))
                .unwrap()
                .divergences
                .is_empty()
        );
    }
}
