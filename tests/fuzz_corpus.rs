//! Replays the fuzz corpus under `cargo test`, through the very code the fuzz targets run
//! (fuzz/fuzz_targets/harness.rs): the committed seeds (fuzz/seeds/TARGET/) and every input a
//! fuzzer ever found a problem with (fuzz/regressions/TARGET/), so a fixed finding stays fixed
//! without a fuzzer installed.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

#[path = "../fuzz/fuzz_targets/harness.rs"]
mod harness;

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).unwrap();
            eprintln!("{}", f.display());
            run(&data);
            count += 1;
        }
    }
    assert!(count > 0, "no corpus for {target}");
}

#[test]
fn vocabulary() {
    replay("vocabulary", harness::vocabulary);
}

#[test]
fn parameters() {
    replay("parameters", harness::parameters);
}

#[test]
fn catalog() {
    replay("catalog", harness::catalog);
}

#[test]
fn evidence() {
    replay("evidence", harness::evidence);
}

#[test]
fn profile() {
    replay("profile", harness::profile);
}

#[test]
fn rule_tests() {
    replay("rule_tests", harness::rule_tests);
}

#[test]
fn rules() {
    replay("rules", harness::rules);
}
