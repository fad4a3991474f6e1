//! Grammar, propagation and rule-item tests. Expected values are the JS SDK
//! 4.4.3's, observed with node on the published bundle
//! (`sdk._dataManager._ruleManager.isRuleMatched(data, rule)`), or the
//! digest's verified values.

use serde_json::{Value, json};

use super::*;

fn item(key: &str, match_type: &str, value: Value, negated: bool) -> Value {
    json!({"rule_type": "generic_key_value", "key": key, "value": value,
           "matching": {"match_type": match_type, "negated": negated}})
}

fn single(rule: Value) -> Value {
    json!({"OR": [{"AND": [{"OR_WHEN": [rule]}]}]})
}

fn eval(rule_set: &Value, data: &Value) -> RuleOutcome {
    evaluate(rule_set, data).outcome
}

/// A rule item whose result is a `RuleError` string, through
/// `_returnNegationCheck` with a falsy rule value.
fn error_item() -> Value {
    item("err", "_returnNegationCheck", json!(0), false)
}

fn false_item() -> Value {
    item("a", "equals", json!("nope"), false)
}

fn true_item() -> Value {
    item("a", "equals", json!("x"), false)
}

fn data() -> Value {
    json!({"a": "x", "err": "convert.com_no_data_found"})
}

#[test]
fn propagation_of_errors_in_or_and_or_when() {
    // Digest §4.2, verified: OR:[err,false] → false; OR:[false,err] → error;
    // OR_WHEN likewise.
    let err = RuleOutcome::Value(json!("convert.com_no_data_found"));
    let or = |a: Value, b: Value| json!({"OR": [{"AND": [{"OR_WHEN": [a]}]}, {"AND": [{"OR_WHEN": [b]}]}]});
    assert_eq!(
        eval(&or(error_item(), false_item()), &data()),
        RuleOutcome::NotMatched
    );
    assert_eq!(eval(&or(false_item(), error_item()), &data()), err);
    assert_eq!(
        eval(&or(error_item(), true_item()), &data()),
        RuleOutcome::Matched
    );
    let or_when = |a: Value, b: Value| json!({"OR": [{"AND": [{"OR_WHEN": [a, b]}]}]});
    assert_eq!(
        eval(&or_when(error_item(), false_item()), &data()),
        RuleOutcome::NotMatched
    );
    assert_eq!(eval(&or_when(false_item(), error_item()), &data()), err);
    // AND returns the first non-true result as is.
    let and = json!({"OR": [{"AND": [{"OR_WHEN": [true_item()]}, {"OR_WHEN": [error_item()]}, {"OR_WHEN": [false_item()]}]}]});
    assert_eq!(eval(&and, &data()), err);
    assert_eq!(
        eval(&and, &data()).rule_error(),
        Some(RuleError::NoDataFound)
    );
}

#[test]
fn malformed_levels_are_false() {
    let d = data();
    for rule_set in [
        json!({}),
        json!({"OR": []}),
        json!({"OR": "x"}),
        json!({"OR": [{}]}),
        json!({"OR": [{"AND": []}]}),
        json!({"OR": [{"AND": [true]}]}),
        json!({"OR": [{"AND": [{"OR_WHEN": []}]}]}),
        json!({"OR": [5]}),
        json!("OR"),
        json!(5),
    ] {
        assert_eq!(eval(&rule_set, &d), RuleOutcome::NotMatched, "{rule_set}");
    }
}

#[test]
fn null_levels_throw_in_js() {
    // Observed: OR:[null], OR_WHEN:[null], matching:null and a null rule set
    // all throw "Cannot convert undefined or null to object".
    let d = data();
    for rule_set in [
        json!(null),
        json!({"OR": [null]}),
        json!({"OR": [{"AND": [null]}]}),
        json!({"OR": [{"AND": [{"OR_WHEN": [null]}]}]}),
        single(json!({"key": "a", "value": "x", "matching": null})),
    ] {
        let evaluation = evaluate(&rule_set, &d);
        assert!(
            matches!(evaluation.outcome, RuleOutcome::Threw(_)),
            "{rule_set}"
        );
        assert!(!evaluation.outcome.is_true());
        assert!(
            evaluation
                .diagnostics
                .iter()
                .any(|d| d.code() == "js_would_throw"),
            "{:?}",
            evaluation.diagnostics
        );
    }
    // A `true` before the throw point still wins, as in JS.
    let early = json!({"OR": [{"AND": [{"OR_WHEN": [true_item()]}]}, null]});
    assert_eq!(eval(&early, &d), RuleOutcome::Matched);
    let early = json!({"OR": [{"AND": [{"OR_WHEN": [true_item(), null]}]}]});
    assert_eq!(eval(&early, &d), RuleOutcome::Matched);
}

#[test]
fn validity() {
    let d = json!({"a": "x"});
    // Missing negated → invalid → false, and negation is not applied.
    let no_negated =
        single(json!({"key": "a", "value": "y", "matching": {"match_type": "equals"}}));
    assert_eq!(eval(&no_negated, &d), RuleOutcome::NotMatched);
    let string_negated = single(
        json!({"key": "a", "value": "y", "matching": {"match_type": "equals", "negated": "true"}}),
    );
    assert_eq!(eval(&string_negated, &d), RuleOutcome::NotMatched);
    // Missing value → invalid, except for exists / doesNotExist.
    let no_value =
        single(json!({"key": "a", "matching": {"match_type": "equals", "negated": true}}));
    assert_eq!(eval(&no_value, &d), RuleOutcome::NotMatched);
    let exists =
        single(json!({"key": "a", "matching": {"match_type": "exists", "negated": false}}));
    assert_eq!(eval(&exists, &d), RuleOutcome::Matched);
    let not_exists =
        single(json!({"key": "a", "matching": {"match_type": "not_exists", "negated": true}}));
    assert_eq!(
        eval(&not_exists, &d),
        RuleOutcome::NotMatched,
        "not_exists needs a value"
    );
    let evaluation = evaluate(&no_value, &d);
    assert_eq!(evaluation.diagnostics.len(), 1);
    assert_eq!(evaluation.diagnostics[0].code(), "invalid_rule");
}

#[test]
fn unknown_operators_are_false_even_negated() {
    let d = json!({"a": "x"});
    for name in ["Equals", "notEquals", "length", "name", "prototype", ""] {
        let evaluation = evaluate(&single(item("a", name, json!("y"), true)), &d);
        assert_eq!(evaluation.outcome, RuleOutcome::NotMatched, "{name}");
        assert_eq!(evaluation.diagnostics[0].code(), "unknown_operator");
    }
    assert_eq!(Operator::ALL.len(), 14);
}

#[test]
fn key_lookup_and_negation() {
    let d = json!({"Country": "US", "n": 5});
    // Keys are case-sensitive; a missing key is false even when negated
    // (verified `missingKeyNeg: false`).
    assert_eq!(
        eval(&single(item("country", "equals", json!("us"), false)), &d),
        RuleOutcome::NotMatched
    );
    assert_eq!(
        eval(&single(item("country", "equals", json!("us"), true)), &d),
        RuleOutcome::NotMatched
    );
    assert_eq!(
        eval(&single(item("Country", "equals", json!("us"), false)), &d),
        RuleOutcome::Matched
    );
    assert_eq!(
        eval(&single(item("Country", "equals", json!("us"), true)), &d),
        RuleOutcome::NotMatched
    );
    // rule_type is ignored: a web-style rule without key never matches.
    let no_key = single(
        json!({"rule_type": "url", "value": "US", "matching": {"match_type": "equals", "negated": false}}),
    );
    assert_eq!(eval(&no_key, &d), RuleOutcome::NotMatched);
    // A numeric rule key never matches a data key (strict ===).
    let numeric_key = single(
        json!({"key": 5, "value": "x", "matching": {"match_type": "equals", "negated": false}}),
    );
    assert_eq!(
        eval(&numeric_key, &json!({"5": "x"})),
        RuleOutcome::NotMatched
    );
}

#[test]
fn existence_fallback_for_missing_keys() {
    let d = json!({"a": "x"});
    // Observed: doesNotExist on a missing key → true, not_exists → false.
    assert_eq!(
        eval(&single(item("b", "doesNotExist", json!("x"), false)), &d),
        RuleOutcome::Matched
    );
    assert_eq!(
        eval(&single(item("b", "not_exists", json!("x"), false)), &d),
        RuleOutcome::NotMatched
    );
    assert_eq!(
        eval(&single(item("b", "exists", json!("x"), false)), &d),
        RuleOutcome::NotMatched
    );
    assert_eq!(
        eval(&single(item("b", "exists", json!("x"), true)), &d),
        RuleOutcome::Matched
    );
    // Empty data behaves as a missing key.
    assert_eq!(
        eval(
            &single(item("b", "doesNotExist", json!("x"), false)),
            &json!({})
        ),
        RuleOutcome::Matched
    );
    // Non-object data compares nothing, not even existence.
    assert_eq!(
        eval(
            &single(item("b", "doesNotExist", json!("x"), false)),
            &json!("s")
        ),
        RuleOutcome::NotMatched
    );
    assert_eq!(
        eval(
            &single(item("b", "doesNotExist", json!("x"), false)),
            &json!(null)
        ),
        RuleOutcome::NotMatched
    );
}

#[test]
fn arrays_as_data_are_indexed() {
    // Observed: isRuleMatched(['x','y'], key '1' equals 'y') → true.
    assert_eq!(
        eval(
            &single(item("1", "equals", json!("y"), false)),
            &json!(["x", "y"])
        ),
        RuleOutcome::Matched
    );
    assert_eq!(
        eval(
            &single(item("length", "equals", json!(2), false)),
            &json!(["x", "y"])
        ),
        RuleOutcome::NotMatched
    );
}

#[test]
fn custom_interface_mode() {
    // Observed on 4.4.3 (probe1): with `name: "RuleData"` the key lookup is
    // skipped; exists-negated falls through to `exists(undefined)` → true,
    // unless the custom-interface walk throws (non-string rule_type, a
    // non-callable mapper) → false.
    let exists_negated = |extra: Value| {
        let mut rule = item("a", "exists", json!("x"), true);
        if let (Value::Object(rule), Value::Object(extra)) = (&mut rule, extra) {
            rule.remove("rule_type");
            rule.extend(extra);
        }
        single(rule)
    };
    let d = json!({"name": "RuleData", "a": "x"});
    assert_eq!(
        eval(&single(item("a", "equals", json!("x"), false)), &d),
        RuleOutcome::NotMatched
    );
    assert_eq!(eval(&exists_negated(json!({})), &d), RuleOutcome::Matched);
    assert_eq!(
        eval(&exists_negated(json!({"rule_type": "generic"})), &d),
        RuleOutcome::Matched
    );
    assert_eq!(
        eval(
            &exists_negated(json!({"rule_type": "generic"})),
            &json!({"name": "RuleData", "a": "x", "mapper": "s"})
        ),
        RuleOutcome::NotMatched
    );
    assert_eq!(
        eval(&exists_negated(json!({"rule_type": 5})), &d),
        RuleOutcome::NotMatched
    );
    // A prototype listing the rule's method name: calling it throws.
    let listed =
        json!({"name": "RuleData", "constructor": {"prototype": {"getGenericKeyValue": 1}}});
    assert_eq!(
        eval(
            &exists_negated(json!({"rule_type": "generic_key_value"})),
            &listed
        ),
        RuleOutcome::NotMatched
    );
    let unlisted = json!({"name": "RuleData", "constructor": {"prototype": {"getOther": 1}}});
    assert_eq!(
        eval(
            &exists_negated(json!({"rule_type": "generic_key_value"})),
            &unlisted
        ),
        RuleOutcome::Matched
    );
}

#[test]
fn return_negation_check_results_propagate() {
    // Observed (probe1): 'x'/0 → "x", 'x'/1 → false, 0/0 → 0, null/0 → null.
    let rule = |v: Value| single(item("a", "_returnNegationCheck", v, false));
    assert_eq!(
        eval(&rule(json!(0)), &json!({"a": "x"})),
        RuleOutcome::Value(json!("x"))
    );
    assert_eq!(
        eval(&rule(json!(1)), &json!({"a": "x"})),
        RuleOutcome::NotMatched
    );
    assert_eq!(
        eval(&rule(json!(0)), &json!({"a": 0})),
        RuleOutcome::Value(json!(0))
    );
    assert_eq!(
        eval(&rule(json!(0)), &json!({"a": null})),
        RuleOutcome::Value(json!(null))
    );
    assert_eq!(
        eval(&rule(json!(0)), &json!({"a": true})),
        RuleOutcome::Matched
    );
    assert!(!RuleOutcome::Value(json!(0)).is_truthy());
    assert!(RuleOutcome::Value(json!("x")).is_truthy());
}

#[test]
fn regex_problems_are_false_with_a_diagnostic() {
    let d = json!({"a": "x"});
    // Verified `badRegexNeg: false`: an invalid pattern is false even negated.
    let evaluation = evaluate(&single(item("a", "regexMatches", json!("("), true)), &d);
    assert_eq!(evaluation.outcome, RuleOutcome::NotMatched);
    assert_eq!(evaluation.diagnostics[0].code(), "regex_invalid");
}

#[test]
fn diagnostics_name_the_item_path() {
    let rule_set = json!({"OR": [{"AND": [{"OR_WHEN": [true_item()]}]},
                                 {"AND": [{"OR_WHEN": [false_item(), {"key": "a"}]}]}]});
    let mut evaluator = RuleEvaluator::default();
    let mut diagnostics = Vec::new();
    evaluator.evaluate(
        &rule_set,
        &json!({"b": 1}),
        "audiences[id=5].rules",
        &mut diagnostics,
    );
    assert_eq!(
        diagnostics,
        [Diagnostic::InvalidRule {
            path: "audiences[id=5].rules.OR[1].AND[0].OR_WHEN[1]".into()
        }]
    );
}

/// JS would run `(a+)+$` against this subject for minutes; the engine stops
/// at the regex budget, reports no match — also when negated, as for any
/// exception inside a comparison — and says why.
#[test]
fn a_catastrophic_regex_is_cut_off_with_a_diagnostic() {
    let data = json!({"k": format!("{}!", "a".repeat(40))});
    for negated in [false, true] {
        let rule = single(item("k", "regexMatches", json!("(a+)+$"), negated));
        let evaluation = evaluate(&rule, &data);
        assert_eq!(evaluation.outcome, RuleOutcome::NotMatched);
        assert!(
            evaluation
                .diagnostics
                .iter()
                .any(|d| matches!(d, Diagnostic::RegexOverBudget { .. })),
            "{:?}",
            evaluation.diagnostics
        );
    }
}

mod compiled {
    //! A config's rule sets are compiled on first evaluation; the compiled
    //! form must evaluate to what the interpreter does, diagnostics included.

    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    use super::super::*;

    fn interpreted(rule_set: &Value, data: RuleData<'_>) -> (RuleOutcome, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let outcome = RuleEvaluator::new(RuleOptions::default()).evaluate_config_rules(
            rule_set,
            data,
            &"rules",
            &mut diagnostics,
        );
        (outcome, diagnostics)
    }

    fn through_rule_set(rule_set: &RuleSet, data: RuleData<'_>) -> (RuleOutcome, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let outcome = RuleEvaluator::new(RuleOptions::default()).evaluate_rule_set(
            rule_set,
            data,
            &"rules",
            &mut diagnostics,
        );
        (outcome, diagnostics)
    }

    fn operand() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-3i32..12).prop_map(|n| json!(n)),
            prop::sample::select(
                &[
                    "x",
                    "X",
                    "",
                    " ",
                    "1",
                    "10",
                    "a|b",
                    "^x",
                    "(",
                    "convert.com_no_data_found"
                ][..]
            )
            .prop_map(|s| json!(s)),
            Just(json!(["x", 1])),
            Just(json!({"k": "x"})),
        ]
    }

    /// Items: mostly valid, sometimes invalid, unknown or oddly shaped.
    fn rule_item() -> impl Strategy<Value = Value> {
        // Every operator's name, and two that name none.
        let names: Vec<&'static str> = Operator::ALL
            .iter()
            .map(|op| op.as_str())
            .chain(["Equals", "nope"])
            .collect();
        let match_type = prop::sample::select(names);
        let key = prop::sample::select(&["a", "b", "n", "missing", "name"][..]);
        let valid = (key, match_type, operand(), any::<bool>(), any::<bool>()).prop_map(
            |(key, match_type, value, negated, with_value)| {
                let mut item = json!({"rule_type": "generic_key_value", "key": key,
                    "matching": {"match_type": match_type, "negated": negated}});
                if with_value {
                    item["value"] = value;
                }
                item
            },
        );
        prop_oneof![
            8 => valid,
            1 => Just(Value::Null),
            1 => Just(json!({"key": "a", "value": "x"})),
            1 => Just(json!({"key": "a", "value": "x", "matching": null})),
            1 => Just(json!({"key": 7, "value": "x", "matching": {"match_type": "exists", "negated": false}})),
            1 => Just(json!({"key": "a", "value": "x", "matching": {"match_type": "equals", "negated": "no"}})),
            1 => Just(json!([1, 2])),
        ]
    }

    fn level(
        inner: impl Strategy<Value = Value>,
        key: &'static str,
    ) -> impl Strategy<Value = Value> {
        prop_oneof![
            12 => prop::collection::vec(inner, 1..4).prop_map(move |items| json!({key: items})),
            1 => Just(json!({key: []})),
            1 => Just(Value::Null),
            1 => Just(json!({})),
        ]
    }

    fn rule_set() -> impl Strategy<Value = Value> {
        let or_when = level(rule_item(), "OR_WHEN");
        let and = level(or_when, "AND");
        level(and, "OR")
    }

    fn data() -> impl Strategy<Value = Map<String, Value>> {
        prop::collection::vec(
            (
                prop::sample::select(&["a", "b", "n", "name", "constructor"][..]),
                operand(),
            ),
            0..5,
        )
        .prop_map(|entries| {
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn a_compiled_rule_set_evaluates_as_the_interpreter(rule_set in rule_set(), data in data()) {
            let compiled = RuleSet::new(rule_set.clone());
            let as_value = Value::Object(data.clone());
            for data in [RuleData::Object(&data), RuleData::Value(&as_value)] {
                prop_assert_eq!(through_rule_set(&compiled, data), interpreted(&rule_set, data));
            }
            // Data that is not an object, and the custom `RuleData` interface.
            let mut custom = data.clone();
            custom.insert("name".into(), json!("RuleData"));
            for other in [json!("text"), json!(null), Value::Object(custom)] {
                let data = RuleData::Value(&other);
                prop_assert_eq!(through_rule_set(&compiled, data), interpreted(&rule_set, data));
            }
        }
    }

    #[test]
    fn ordinary_rule_sets_are_compiled_and_others_are_interpreted() {
        let item = |match_type: &str| {
            json!({"rule_type": "url", "key": "url", "value": "/checkout",
                "matching": {"match_type": match_type, "negated": false}})
        };
        let set = |items: Vec<Value>| json!({"OR": [{"AND": [{"OR_WHEN": items}]}]});
        assert!(RuleSet::new(set(vec![item("contains"), item("regexMatches")])).is_compiled());
        // `exists` needs no value; any other match type does.
        assert!(
            RuleSet::new(set(vec![
                json!({"key": "a", "matching": {"match_type": "exists", "negated": true}})
            ]))
            .is_compiled()
        );
        for odd in [
            set(vec![item("contains"), item("nope")]),
            set(vec![
                json!({"key": "a", "matching": {"match_type": "equals", "negated": false}}),
            ]),
            set(vec![Value::Null]),
            set(vec![]),
            json!({"OR": [{"AND": []}]}),
            json!({"OR": [null]}),
            json!({"OR": "x"}),
            json!(null),
            json!([1]),
        ] {
            assert!(!RuleSet::new(odd.clone()).is_compiled(), "{odd}");
        }
        // A compiled rule set answers what the interpreter does, diagnostics
        // and item paths included (an invalid pattern at OR[0].AND[0].OR_WHEN[1]).
        let rule_set = set(vec![
            item("equals"),
            json!({"key": "url", "value": "(",
            "matching": {"match_type": "regexMatches", "negated": false}}),
        ]);
        let compiled = RuleSet::new(rule_set.clone());
        assert!(compiled.is_compiled());
        let data = json!({"url": "/cart"});
        let (outcome, diagnostics) = through_rule_set(&compiled, RuleData::Value(&data));
        assert_eq!(
            (outcome.clone(), diagnostics.clone()),
            interpreted(&rule_set, RuleData::Value(&data))
        );
        assert_eq!(outcome, RuleOutcome::NotMatched);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(
            format!("{diagnostics:?}").contains("rules.OR[0].AND[0].OR_WHEN[1]"),
            "{diagnostics:?}"
        );
    }
}
