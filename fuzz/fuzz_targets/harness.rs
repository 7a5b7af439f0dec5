//! What each fuzz target does with one input. Shared with `tests/fuzz_corpus.rs`, which replays
//! the committed seeds and every past finding under `cargo test`, so a fixed crash stays fixed
//! without a fuzzer installed.
//!
//! Every target feeds the bytes to a loader exactly as the command line would (as UTF-8 text,
//! with the same name-based dispatch), and whatever loads is then scored, so a malformed but
//! accepted input also exercises the engine. The invariants of the score are asserted on the
//! way: 0 ≤ fit ≤ potential ≤ 100, a partial outcome in [0, 1], an `error` outcome with a
//! position.

use std::sync::{Arc, OnceLock};

use labfit::profile::ParamValue;
use labfit::rules::{FactTable, Limits, OutcomeStatus, Params, RuleSet};
use labfit::{BoundProfile, Date, Engine, Evidence, Options, Report, SourceFile};

/// The evaluation date of every fuzzed run, so results never depend on the day.
const AS_OF: &str = "2026-01-01";

fn as_of() -> Date {
    AS_OF.parse().expect("a valid date")
}

fn options() -> Options {
    Options {
        as_of: Some(as_of()),
        assumptions: Vec::new(),
    }
}

/// The built-in engine, built once per process.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::builtin().expect("the built-in rules load"))
}

fn base_profile() -> &'static BoundProfile {
    static P: OnceLock<BoundProfile> = OnceLock::new();
    P.get_or_init(|| engine().profile("base-lab").expect("base-lab loads"))
}

fn aws() -> &'static Evidence {
    static E: OnceLock<Evidence> = OnceLock::new();
    E.get_or_init(|| engine().evidence("aws").expect("aws loads"))
}

fn check_report(r: &Report) {
    assert!(
        0.0 <= r.fit && r.fit <= r.potential && r.potential <= 100.0,
        "fit {} potential {}",
        r.fit,
        r.potential
    );
    for n in &r.nodes {
        assert!(
            0.0 <= n.lo && n.lo <= n.hi && n.hi <= 1.0,
            "{} [{}, {}]",
            n.id,
            n.lo,
            n.hi
        );
    }
    let failed = r.gates.iter().any(|g| g.state == labfit::GateState::Failed);
    assert_eq!(failed, r.verdict == labfit::Verdict::Ineligible);
}

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// A vocabulary file.
pub fn vocabulary(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let _ = labfit::evidence::vocabulary::Vocabulary::parse(&SourceFile::from_text("fuzz.yaml", t));
}

/// A parameter vocabulary (`parameters/v1`): parsed, every default checked against its type.
pub fn parameters(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let _ = labfit::profile::params::ParamVocabulary::parse(&SourceFile::from_text("fuzz.yaml", t));
}

const PACK_VOCABULARY: &str = "labfit: vocabulary/v1\nfacts:\n  contract.baa: {type: bool, meaning: m, question: q14, ask: Will you sign a BAA?}\n  sla.pct: {type: percent, meaning: m, question: q03, ask: What SLA?}\n";
const PACK_RULES: &str = "fn a() { pass() }\nfn b() { let f = fact(\"contract.baa\"); if f.known { if f.value { pass() } else { fail() } } else { unknown() } }\nfn c() { let f = fact(\"sla.pct\"); if f.known { partial(f.value / 100.0, \"sla\") } else { unknown() } }\nfn d() { not_applicable() }\n";
const PACK_EVIDENCE: &str = "labfit: evidence/v1\nid: p\nprovider: P\nas_of: 2025-01-01\nfacts:\n  contract.baa: true\n  sla.pct: {status: unknown}\n";

/// A catalog file, in a pack with a fixed vocabulary and rules (`r.rhai::a` … `::d`); when it
/// builds, every requirement becomes a framework of a profile that is scored.
pub fn catalog(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let built = Engine::builder()
        .without_builtin_rules()
        .pack(
            "fuzz",
            vec![
                SourceFile::from_text("vocabulary.yaml", PACK_VOCABULARY),
                SourceFile::from_text("catalog.yaml", t),
                SourceFile::from_text("r.rhai", PACK_RULES),
            ],
        )
        .build();
    let Ok(engine) = built else { return };
    let ids: Vec<String> = engine.graph().ids().map(str::to_owned).collect();
    if ids.is_empty() {
        return;
    }
    let mut profile = String::from("labfit: profile/v1\nid: fuzz\nframeworks:\n");
    for id in &ids {
        profile.push_str(&format!("  {id}: 1\n"));
    }
    let profile = engine
        .profile_from(SourceFile::from_text("fuzz-profile.yaml", profile))
        .expect("a profile of the graph's own ids binds");
    let evidence = engine
        .evidence_from(&SourceFile::from_text("fuzz-evidence.yaml", PACK_EVIDENCE))
        .expect("the fixed evidence loads");
    check_report(&engine.score(&profile, &evidence, &options()));
}

/// An evidence file, against the built-in vocabulary; scored under `base-lab` when it loads.
pub fn evidence(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let Ok(ev) = engine().evidence_from(&SourceFile::from_text("fuzz.yaml", t)) else {
        return;
    };
    check_report(&engine().score(base_profile(), &ev, &options()));
}

/// A profile file, against the built-in catalog; scored with the built-in AWS evidence when it
/// binds.
pub fn profile(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let Ok(p) = engine().profile_from(SourceFile::from_text("fuzz.yaml", t)) else {
        return;
    };
    check_report(&engine().score(&p, aws(), &options()));
}

/// A rule-tests file, run against the built-in engine.
pub fn rule_tests(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let _ = labfit::authoring::testing::run_file(engine(), &SourceFile::from_text("fuzz.yaml", t));
}

fn rule_inputs() -> &'static (Arc<FactTable>, Params) {
    static T: OnceLock<(Arc<FactTable>, Params)> = OnceLock::new();
    T.get_or_init(|| {
        let e = engine();
        let table = FactTable::new(aws(), e.vocabulary(), as_of(), None, &[]);
        let mut params = (*base_profile().params).clone();
        params.insert(
            "fuzz_list".into(),
            ParamValue::List(vec![ParamValue::Number(1.0)]),
        );
        (Arc::new(table), Arc::new(params))
    })
}

/// Rhai source: compiled in the sandbox, then its first few functions without parameters are
/// evaluated as checks against AWS's facts and `base-lab`'s parameters.
pub fn rules(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let set = RuleSet::compile(
        vec![("fuzz.rhai".into(), SourceFile::from_text("fuzz.rhai", t))],
        Limits::DEFAULT,
    );
    let (facts, params) = rule_inputs();
    let checks: Vec<String> = set
        .functions("fuzz.rhai")
        .into_iter()
        .filter(|(_, arity)| *arity == 0)
        .map(|(name, _)| name)
        .take(3)
        .collect();
    for f in checks {
        let o = set.evaluate("fuzz.rhai", &f, facts, params);
        match o.status {
            OutcomeStatus::Partial => {
                let v = o.value.expect("partial has a value");
                assert!((0.0..=1.0).contains(&v), "partial {v}");
            }
            OutcomeStatus::Error => {
                let e = o.error.as_ref().expect("an error outcome says why");
                assert_eq!(e.location.file(), "fuzz.rhai");
            }
            _ => assert!(o.error.is_none()),
        }
    }
}
