//! How long matches take, and how long the budget lets the worst ones run.

use std::hint::black_box;

use convert_regex::{Budget, Flags, Regex};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let flags = Flags { ignore_case: true };
    let url = "https://shop.example.com/products/shoes/checkout/step-2?ref=newsletter&id=42";
    let mut group = c.benchmark_group("regex");
    for (name, pattern, subject) in [
        ("url-prefix", "^https?://", url),
        ("url-path", "/checkout/(step-)?\\d+", url),
        ("query-param", "[?&]id=(\\d+)", url),
        (
            "email",
            "^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$",
            "someone.else@example.com",
        ),
        ("no-match-scan", "admin", url),
    ] {
        let re = Regex::new(pattern, flags).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| re.is_match(black_box(subject), Budget::DEFAULT))
        });
    }
    // The worst case: a catastrophic pattern runs until the default budget is
    // spent (the result is Err(BudgetExceeded)).
    let re = Regex::new("(a+)+$", flags).unwrap();
    let evil = format!("{}!", "a".repeat(30));
    group.sample_size(10);
    group.bench_function("catastrophic-until-budget", |b| {
        b.iter(|| re.is_match(black_box(&evil), Budget::DEFAULT))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
