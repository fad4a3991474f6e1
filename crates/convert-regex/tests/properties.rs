//! Properties: agreement with the `regress` crate on random patterns from a
//! grammar where both follow ECMAScript, no panic on arbitrary input, and the
//! budget cutting off catastrophic backtracking.

use convert_regex::{Budget, CompileError, Flags, Limits, Regex};
use proptest::prelude::*;

/// Patterns built from constructs whose semantics regress and V8 share.
fn pattern() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("B".to_owned()),
        Just(".".to_owned()),
        Just("\\d".to_owned()),
        Just("\\w".to_owned()),
        Just("\\s".to_owned()),
        Just("[ab]".to_owned()),
        Just("[^a]".to_owned()),
        Just("[a-c1]".to_owned()),
        Just("^".to_owned()),
        Just("$".to_owned()),
        Just("\\b".to_owned()),
    ];
    atom.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| v.concat()),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}|{b}")),
            inner.clone().prop_map(|a| format!("({a})")),
            inner.clone().prop_map(|a| format!("(?:{a})*")),
            inner.clone().prop_map(|a| format!("(?:{a})+?")),
            inner.clone().prop_map(|a| format!("(?:{a})?")),
            inner.clone().prop_map(|a| format!("(?:{a}){{1,2}}")),
            inner.clone().prop_map(|a| format!("(?={a})")),
            inner.clone().prop_map(|a| format!("(?!{a})")),
            inner.prop_map(|a| format!("({a})\\1")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn agrees_with_regress(p in pattern(), subject in "[ab1 B]{0,8}", icase in any::<bool>()) {
        let flags = Flags { ignore_case: icase };
        let oracle = regress::Regex::with_flags(&p, if icase { "i" } else { "" });
        let ours = Regex::new(&p, flags);
        match (oracle, ours) {
            (Ok(oracle), Ok(ours)) => {
                let expected = oracle.find(&subject).is_some();
                let got = ours.is_match(&subject, Budget::DEFAULT);
                prop_assert_eq!(got, Ok(expected), "/{}/ on {:?}", p, subject);
            }
            (Err(_), Err(_)) => {}
            (o, u) => prop_assert!(false, "/{}/: regress {:?}, ours {:?}", p, o.is_ok(), u.is_ok()),
        }
    }

    #[test]
    fn arbitrary_patterns_and_subjects_never_panic(p in "\\PC{0,40}", subject in "\\PC{0,40}") {
        if let Ok(re) = Regex::new(&p, Flags { ignore_case: true }) {
            let _ = re.is_match(&subject, Budget { steps: 100_000 });
        }
    }

    #[test]
    fn syntax_soup_never_panics(p in "[()\\[\\]{}|*+?^$.\\\\a-c0-9<>=!:,kKuUxXcdDbB-]{0,30}", subject in "[a-c0-9]{0,10}") {
        if let Ok(re) = Regex::new(&p, Flags { ignore_case: false }) {
            let _ = re.is_match(&subject, Budget { steps: 100_000 });
        }
    }
}

#[test]
fn catastrophic_patterns_run_out_of_budget() {
    let subject = format!("{}!", "a".repeat(30));
    for pattern in ["(a+)+$", "(a|aa)+$", "(a*)*b", "(?:a|a)*$", "^(\\w+\\s?)+$"] {
        let re = Regex::new(pattern, Flags { ignore_case: true }).unwrap();
        let err = re.is_match(&subject, Budget::DEFAULT).unwrap_err();
        assert_eq!(err.budget, Budget::DEFAULT.steps, "{pattern}");
    }
}

#[test]
fn realistic_patterns_fit_easily_in_the_budget() {
    let url = format!(
        "https://shop.example.com/{}/checkout/step-2?ref=mail",
        "section/".repeat(20)
    );
    for pattern in [
        "^https?://",
        "/checkout/(step-)?\\d+",
        "[?&]ref=(\\w+)",
        "^(?!.*admin).*$",
        "\\.com\\b",
    ] {
        let re = Regex::new(pattern, Flags { ignore_case: true }).unwrap();
        let (found, steps) = re.is_match_with_steps(&url, Budget::DEFAULT).unwrap();
        assert!(found, "{pattern}");
        assert!(
            steps < Budget::DEFAULT.steps / 100,
            "{pattern}: {steps} steps"
        );
    }
}

#[test]
fn a_tiny_budget_is_respected_exactly() {
    let re = Regex::new("b", Flags::default()).unwrap();
    let subject = "a".repeat(100);
    assert!(re.is_match(&subject, Budget { steps: 10 }).is_err());
    assert_eq!(re.is_match(&subject, Budget { steps: 10_000 }), Ok(false));
}

#[test]
fn deep_and_large_patterns_are_refused_not_overflowed() {
    let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(matches!(
        Regex::new(&deep, Flags::default()),
        Err(CompileError::TooComplex(_))
    ));
    let deep_looks = format!("{}a{}", "(?=".repeat(5_000), ")".repeat(5_000));
    assert!(matches!(
        Regex::new(&deep_looks, Flags::default()),
        Err(CompileError::TooComplex(_))
    ));
    let large = "a".repeat(100 * 1024);
    assert!(matches!(
        Regex::new(&large, Flags::default()),
        Err(CompileError::TooComplex(_))
    ));
    // Within the limits, nesting works.
    let ok = format!("{}a{}", "(".repeat(900), ")".repeat(900));
    assert_eq!(
        Regex::new(&ok, Flags::default())
            .unwrap()
            .is_match("xa", Budget::DEFAULT),
        Ok(true)
    );
    let tight = Limits {
        max_instructions: 10,
        ..Limits::DEFAULT
    };
    assert!(matches!(
        Regex::with_limits("abcdefghijklmnop", Flags::default(), tight),
        Err(CompileError::TooComplex(_))
    ));
}

#[test]
fn long_subjects_do_not_overflow_the_stack() {
    let subject = "a".repeat(1_000_000);
    // Either answer is acceptable within the limits; what matters is that
    // neither the native stack nor memory grows without bound.
    let re = Regex::new("^(a|b)*$", Flags::default()).unwrap();
    let _ = re.is_match(&subject, Budget { steps: u64::MAX });
    let small = Limits {
        max_backtrack_entries: 1_000,
        ..Limits::DEFAULT
    };
    let re = Regex::with_limits("^a*$", Flags::default(), small).unwrap();
    assert!(re.is_match(&subject, Budget { steps: u64::MAX }).is_err());
    let re = Regex::new("a$", Flags::default()).unwrap();
    assert_eq!(re.is_match(&subject, Budget::DEFAULT), Ok(true));
}
