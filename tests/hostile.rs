//! A hostile rule pack (tests/data/packs/hostile): every misbehaving check ends as outcome
//! `error` with its `file:line:col`, within the sandbox's deadline; the run completes; every
//! other check's outcome is unchanged; and every command that loads rules survives it.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{Duration, Instant};

use labfit::rules::{FactTable, OutcomeStatus};
use labfit::{Engine, Limits, Options, Report};

const PACK: &str = "tests/data/packs/hostile";
const PROFILE: &str = "tests/data/profiles/hostile.yaml";
const EVIDENCE: &str = "tests/data/evidence/minimal.yaml";
const AS_OF: &str = "2026-01-01";

const OPS: &str = "the rule exceeded its limit of 50000 operations (an endless loop?)";
const DEADLINE: &str = "the rule ran past its 500 ms deadline";
const TOO_DEEP: &str = "the rule nests expressions deeper than 64 levels (32 inside functions)";

/// Every hostile check: requirement, where the error points, and what it may say (work that
/// is slow per operation meets the deadline in a debug build and the operation limit in an
/// optimised one).
const HOSTILE: &[(&str, &str, &[&str])] = &[
    ("hostile.endless_loop", "rules.rhai:5:1", &[OPS]),
    (
        "hostile.recursion",
        "rules.rhai:14:1",
        &["the rule nested calls deeper than 24 levels (unbounded recursion?)"],
    ),
    (
        "hostile.string_growth",
        "rules.rhai:19:1",
        &["the rule built a string over its limit of 16384 bytes"],
    ),
    (
        "hostile.array_growth",
        "rules.rhai:25:1",
        &["the rule built an array over its limit of 4096 elements"],
    ),
    (
        "hostile.map_growth",
        "rules.rhai:31:1",
        &["the rule built a map over its limit of 256 entries"],
    ),
    ("hostile.map_index_growth", "rules.rhai:44:1", &[OPS, DEADLINE]),
    ("hostile.print_spam", "rules.rhai:53:1", &[OPS, DEADLINE]),
    ("hostile.slow_operations", "rules.rhai:59:1", &[OPS, DEADLINE]),
    ("hostile.throws", "rules.rhai:67:5", &["hostile rule throws"]),
    (
        "hostile.wrong_type",
        "rules.rhai:71:1",
        &["`wrong_type` returned a value that is not an outcome; end every path with pass(), fail(), partial(), unknown() or not_applicable()"],
    ),
    (
        "hostile.partial_above",
        "rules.rhai:77:5",
        &["partial credit must be within 0..1, got 1.5"],
    ),
    (
        "hostile.partial_below",
        "rules.rhai:82:5",
        &["partial credit must be within 0..1, got -0.25"],
    ),
    (
        "hostile.partial_nan",
        "rules.rhai:87:5",
        &["partial credit must be within 0..1, got NaN"],
    ),
    (
        "hostile.unknown_fact",
        "rules.rhai:92:13",
        &["fact key `contract.bba` is not in the vocabulary; did you mean `contract.baa`?"],
    ),
    (
        "hostile.missing_param",
        "rules.rhai:98:13",
        &["parameter `min_hostile_pct` is not declared and the profile does not set it; declare it in a `labfit: parameters/v1` file, or set it in the profile's `params`"],
    ),
    ("hostile.deep_nesting", "deep.rhai:3:27", &[TOO_DEEP]),
    ("hostile.deep_blocks", "deep_blocks.rhai:3:35", &[TOO_DEEP]),
    (
        "hostile.uses_eval",
        "eval.rhai:3:5",
        &["`eval` is not available in rules"],
    ),
    (
        "hostile.uses_import",
        "import.rhai:2:1",
        &["`import` is not available: rules cannot load modules"],
    ),
];

fn as_of() -> labfit::Date {
    AS_OF.parse().unwrap()
}

fn options() -> Options {
    Options {
        as_of: Some(as_of()),
        assumptions: Vec::new(),
    }
}

fn hostile_engine() -> Engine {
    Engine::builder().rules_dir(PACK).build().unwrap()
}

fn hostile_report() -> Report {
    let engine = hostile_engine();
    let profile = engine.profile(PROFILE).unwrap();
    let evidence = engine.evidence(EVIDENCE).unwrap();
    engine.score(&profile, &evidence, &options())
}

#[test]
fn every_hostile_check_is_an_error_at_its_position() {
    let report = hostile_report();
    for (id, at, messages) in HOSTILE {
        let node = report.node(id).unwrap_or_else(|| panic!("{id} not scored"));
        assert_eq!(node.status.as_str(), "error", "{id}: {}", node.note);
        assert_eq!((node.lo, node.hi), (0.0, 1.0), "{id}");
        let err = report
            .errors
            .iter()
            .find(|e| e.requirement == *id)
            .unwrap_or_else(|| panic!("{id} not in errors"));
        assert_eq!(err.location.to_string(), format!("{PACK}/{at}"), "{id}");
        assert!(
            messages.contains(&err.message.as_str()),
            "{id}: {}",
            err.message
        );
    }
    assert_eq!(report.errors.len(), HOSTILE.len(), "{:#?}", report.errors);
    // The well-behaved check in the same file still runs and passes.
    let good = report.node("hostile.good_baa").unwrap();
    assert_eq!((good.status.as_str(), &*good.note), ("pass", "BAA offered"));
    // Spam is captured and capped, never printed.
    let spam = report.node("hostile.print_spam").unwrap();
    assert!(spam.note.starts_with("rule error:"), "{}", spam.note);
}

#[test]
fn print_output_is_capped() {
    let engine = hostile_engine();
    let evidence = engine.evidence(EVIDENCE).unwrap();
    let profile = engine.profile(PROFILE).unwrap();
    let table = Arc::new(FactTable::new(
        &evidence,
        engine.vocabulary(),
        as_of(),
        None,
        &[],
    ));
    let o = engine.rules().evaluate(
        &format!("{PACK}/rules.rhai"),
        "print_spam",
        &table,
        &profile.params,
    );
    assert_eq!(o.status, OutcomeStatus::Error);
    assert_eq!(o.output.len(), Limits::DEFAULT.max_output_lines);
    assert_eq!(o.output[0], "spam spam spam");
    assert_eq!(o.output[1], "\"eggs\"");
    assert!(o.note.starts_with("rule error:"), "{}", o.note);
}

/// The sandbox's promise, not a benchmark: every hostile check stops well inside a second,
/// in a debug build too, because the operation limit or the deadline ends it. Prints the
/// measured times (`cargo test --test hostile -- --nocapture`); docs/testing.md records them.
#[test]
fn each_hostile_check_stops_within_a_second() {
    let engine = hostile_engine();
    let evidence = engine.evidence(EVIDENCE).unwrap();
    let profile = engine.profile(PROFILE).unwrap();
    let table = Arc::new(FactTable::new(
        &evidence,
        engine.vocabulary(),
        as_of(),
        None,
        &[],
    ));
    let graph = engine.graph();
    for (id, _, _) in HOSTILE {
        let i = graph.find(id).unwrap();
        let labfit::graph::NodeKind::Leaf { rule } = graph.node(i).unwrap().kind else {
            panic!("{id} is not a leaf")
        };
        let check = &graph.checks()[rule];
        let started = Instant::now();
        let o = engine
            .rules()
            .evaluate(&check.file, &check.function, &table, &profile.params);
        let took = started.elapsed();
        eprintln!("{id:<28} {:>7.1} ms  {}", took.as_secs_f64() * 1e3, o.note);
        assert_eq!(o.status, OutcomeStatus::Error, "{id}");
        assert!(took < Duration::from_secs(1), "{id} took {took:?}");
    }
}

#[test]
fn other_outcomes_are_unchanged() {
    let plain = Engine::builtin().unwrap();
    let evidence = plain.evidence(EVIDENCE).unwrap();
    let baseline = plain.score(&plain.profile("base-lab").unwrap(), &evidence, &options());
    let hostile = hostile_report();
    assert!(baseline.errors.is_empty(), "{:?}", baseline.errors);
    for n in &baseline.nodes {
        let h = hostile
            .node(&n.id)
            .unwrap_or_else(|| panic!("{} missing from the hostile run", n.id));
        assert_eq!(
            (&h.status, h.lo, h.hi, &h.note, &h.facts),
            (&n.status, n.lo, n.hi, &n.note, &n.facts),
            "{}",
            n.id
        );
    }
    let hostile_nodes = hostile
        .nodes
        .iter()
        .filter(|n| n.id.starts_with("hostile"))
        .count();
    assert_eq!(baseline.nodes.len() + hostile_nodes, hostile.nodes.len());
}

fn labfit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_labfit"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run labfit")
}

fn assert_no_panic(o: &Output) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        o.status.code().is_some(),
        "killed by a signal: {:?}",
        o.status
    );
}

#[test]
fn score_completes_and_exits_three() {
    for format in ["text", "json"] {
        let o = labfit(&[
            "score", "-p", PROFILE, "-e", EVIDENCE, "--rules", PACK, "--as-of", AS_OF, "--format",
            format,
        ]);
        assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(3), "{format}");
        let out = String::from_utf8_lossy(&o.stdout);
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(v["errors"].as_array().unwrap().len(), HOSTILE.len());
        } else {
            assert!(out.contains("verdict"), "{out}");
        }
    }
}

#[test]
fn compare_completes_and_exits_three() {
    let o = labfit(&[
        "compare",
        "-p",
        PROFILE,
        "--rules",
        PACK,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--full",
        EVIDENCE,
        "aws",
        "tencent-cloud",
    ]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ranking"].as_array().unwrap().len(), 3);
    assert_eq!(v["reports"].as_array().unwrap().len(), 3);
    for r in v["reports"].as_array().unwrap() {
        assert_eq!(r["errors"].as_array().unwrap().len(), HOSTILE.len());
    }
}

#[test]
fn test_runs_the_packs_cases() {
    let o = labfit(&["test", "--rules", PACK]);
    assert_no_panic(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains(" passed, 0 failed"), "{out}");
}

#[test]
fn check_lints_the_pack_without_running_it() {
    let o = labfit(&["check", PACK]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2));
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    // What can be seen without running a rule: the files that do not compile, and the
    // unknown fact key.
    for at in [
        "deep.rhai:3:27",
        "deep_blocks.rhai:3:35",
        "eval.rhai:3:5",
        "import.rhai:2:1",
        "rules.rhai:92:18",
    ] {
        assert!(out.contains(&format!("--> {PACK}/{at}\n")), "{at}:\n{out}");
    }
}
