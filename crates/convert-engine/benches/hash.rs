//! MurmurHash3 x86 32: the engine's slice implementation against the
//! `murmur3` crate's `Read`-based API, on key sizes from a visitor id to a
//! large payload. Results are recorded in `spec/hash.md`.
//!
//! Run: `cargo bench -p convert-engine --bench hash`.

use std::hint::black_box;
use std::io::Cursor;

use convert_engine::hash::murmur3_x86_32;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const SIZES: &[usize] = &[16, 32, 64, 1024, 64 * 1024];

fn input(len: usize) -> Vec<u8> {
    // Deterministic, non-trivial bytes.
    (0..len)
        .map(|i| (i.wrapping_mul(131) ^ (i >> 3)) as u8)
        .collect()
}

fn murmur3(c: &mut Criterion) {
    let mut group = c.benchmark_group("murmur3_x86_32");
    for &len in SIZES {
        let data = input(len);
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_with_input(BenchmarkId::new("engine_slice", len), &data, |b, d| {
            b.iter(|| murmur3_x86_32(black_box(d), black_box(9999)))
        });
        group.bench_with_input(
            BenchmarkId::new("murmur3_crate_read", len),
            &data,
            |b, d| {
                b.iter(|| {
                    murmur3::murmur3_32(&mut Cursor::new(black_box(d.as_slice())), black_box(9999))
                        .unwrap_or(0)
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, murmur3);
criterion_main!(benches);
