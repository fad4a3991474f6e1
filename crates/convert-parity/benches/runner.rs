//! Runner throughput: the whole v1 vector set judged against the reference
//! engine in-process (`convert-parity run --target reference` minus reading
//! the files): parse each case input, evaluate, check the result shape,
//! compare, apply divergences, build the report. The reference target
//! answers on one lane per core (`inprocess::Reference`), as the binary does.
//! `runner/load/v1` is the part left out: reading and checking the vector
//! files and interning the case inputs' members (`Suite::load`), done once
//! per run however many targets are judged.
//!
//! Run: `cargo bench -p convert-parity --bench runner` (or `cargo xtask bench`).

use std::path::Path;

// The allocator of the `convert-parity` binary, so that the bench measures
// what `convert-parity run` does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use convert_parity::run::{Suite, TargetSpec, execute};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn runner(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let suite = Suite::load(&root.join("vectors/v1")).expect("the vector set loads");
    let cases = suite.selected_cases();
    let mut group = c.benchmark_group("runner");
    group.throughput(Throughput::Elements(cases as u64));
    group.sample_size(10);
    group.bench_function("reference-in-process/v1", |b| {
        b.iter(|| {
            let (report, _) = execute(&suite, vec![TargetSpec::reference(&root)]);
            assert_eq!(report.exit_code, 0, "the reference passes every vector");
            report
        })
    });
    group.bench_function("load/v1", |b| {
        b.iter(|| Suite::load(&root.join("vectors/v1")).expect("the vector set loads"))
    });
    group.finish();
}

criterion_group!(benches, runner);
criterion_main!(benches);
