//! One built-in score repeated N times, for counting what a single score costs under
//! callgrind or cachegrind: run it at N = 1 and at N = 41 and divide the difference by 40, so
//! that building the engine drops out. docs/performance.md gives the figures it produced.
//!
//! ```sh
//! cargo build --release --example passes
//! valgrind --tool=callgrind target/release/examples/passes score 41
//! valgrind --tool=cachegrind --cache-sim=yes --D1=32768,8,64 target/release/examples/passes cached 41
//! ```
//!
//! `score` is `a_score_one/full` (fact table, every reached rule, aggregation, the report);
//! `cached` is `a_score_one/outcomes_cached` (the report on a warm `Prepared`). Both score
//! tencent-cloud under us-clinical-diagnostics as of 2026-01-01, as the bench does.

// The allocator the `labfit` binary runs with, so the counts are the command's.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use labfit::{Engine, Options};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: passes score|cached N";
    let mode = args.next().ok_or(usage)?;
    let n: usize = args.next().ok_or(usage)?.parse()?;
    let engine = Engine::builtin()?;
    let profile = engine.profile("us-clinical-diagnostics")?;
    let evidence = engine.evidence("tencent-cloud")?;
    let options = Options {
        as_of: Some("2026-01-01".parse()?),
        assumptions: Vec::new(),
    };
    let mut fit = 0.0;
    match mode.as_str() {
        "score" => {
            for _ in 0..n {
                fit += black_box(engine.score(black_box(&profile), black_box(&evidence), &options))
                    .fit;
            }
        }
        "cached" => {
            let prepared = engine.prepare(&evidence, &options);
            for _ in 0..n {
                fit +=
                    black_box(engine.score_prepared(black_box(&profile), black_box(&prepared))).fit;
            }
        }
        _ => return Err(usage.into()),
    }
    // Printed so that no pass can be optimised away, and as a check that each pass scored.
    println!("{n} passes, fit {:.3} each", fit / n.max(1) as f64);
    Ok(())
}
