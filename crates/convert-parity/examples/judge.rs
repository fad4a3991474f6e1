//! The runner bench's work in a loop, for profilers: the v1 vector set
//! judged against the reference engine in-process `N` times (default 1),
//! as `runner/reference-in-process/v1` measures it.
//!
//! ```text
//! cargo build --release -p convert-parity --example judge
//! valgrind --tool=callgrind target/release/examples/judge 2
//! ```

use std::path::Path;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use convert_parity::run::{Suite, TargetSpec, execute};

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let suite = Suite::load(&root.join("vectors/v1")).expect("the vector set loads");
    let cases = suite.selected_cases();
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        let (report, _) = execute(&suite, vec![TargetSpec::reference(&root)]);
        assert_eq!(report.exit_code, 0, "the reference passes every vector");
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{rounds} × {cases} cases: {:.0} vectors/s",
        (rounds * cases) as f64 / elapsed
    );
}
