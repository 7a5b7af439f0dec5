//! `cargo test` runs every case of the built-in rule pack (rules/tests/), exactly as
//! `labfit test` does, and fails with the list of cases that did not hold.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

use labfit::authoring::testing;
use labfit::Engine;

#[test]
fn every_builtin_rule_case_holds() {
    let engine = Engine::builtin().expect("the built-in content loads");
    let files = engine.rule_test_files();
    assert!(!files.is_empty(), "no built-in rule test files");
    let mut failures = Vec::new();
    let mut results = Vec::new();
    for f in files {
        let r = testing::run_file(&engine, f).unwrap_or_else(|e| panic!("{}: {e}", f.name()));
        results.extend(r);
    }
    for r in &results {
        if !r.passed() {
            let why: Vec<String> = r.failures.iter().map(ToString::to_string).collect();
            failures.push(format!("{}  {}: {}", r.location, r.name, why.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} built-in rule cases failed:\n{}",
        failures.len(),
        results.len(),
        failures.join("\n")
    );
    // Every built-in leaf has a rule case that passes and one that does not.
    let c = testing::coverage(&engine, &results, &["builtin".to_owned()]);
    assert_eq!(
        (c.untested, c.never_pass, c.never_other),
        (vec![], vec![], vec![])
    );
}
