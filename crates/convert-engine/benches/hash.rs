//! MurmurHash3 x86 32 on key sizes from a visitor id to a large payload:
//! the engine's slice implementation against the `murmur3` crate (its
//! `std::io::Read` API) and the `mur3` crate (tikv, slice API). The three
//! agree on every input (`tests/properties.rs` checks the first two); the
//! engine keeps its own because none of the others is faster. Numbers:
//! `docs/performance.md`.
//!
//! Run: `cargo bench -p convert-engine --bench hash` (or `cargo xtask bench`).

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
        // The implementations must agree before their speed means anything.
        let ours = murmur3_x86_32(&data, 9999);
        assert_eq!(mur3::murmurhash3_x86_32(&data, 9999), ours);
        assert_eq!(
            murmur3::murmur3_32(&mut Cursor::new(data.as_slice()), 9999).ok(),
            Some(ours)
        );
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_with_input(BenchmarkId::new("engine", len), &data, |b, d| {
            b.iter(|| murmur3_x86_32(black_box(d), black_box(9999)))
        });
        group.bench_with_input(BenchmarkId::new("mur3_crate", len), &data, |b, d| {
            b.iter(|| mur3::murmurhash3_x86_32(black_box(d), black_box(9999)))
        });
        group.bench_with_input(BenchmarkId::new("murmur3_crate", len), &data, |b, d| {
            b.iter(|| {
                murmur3::murmur3_32(&mut Cursor::new(black_box(d.as_slice())), black_box(9999))
                    .unwrap_or(0)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, murmur3);
criterion_main!(benches);
