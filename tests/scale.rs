//! What the benchmarks rely on, asserted: each rule runs at most once per provider and
//! parameter set across every built-in profile; `compare_profiles` ranks exactly as `compare`
//! does, and neither depends on the thread count; the generated corpus is deterministic and
//! valid; and the native floor of benches/support/native.rs agrees with the Rhai rules it
//! stands beside. (Speed itself is measured in benches/scoring.rs, never here.)
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::float_cmp,
    reason = "test code fails loudly"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use labfit::render::json;
use labfit::report::comparison::Comparison;
use labfit::rules::FactTable;
use labfit::{BoundProfile, Engine, Evidence, Options, SourceFile, Status};

#[path = "../examples/gen-corpus/corpus.rs"]
#[allow(dead_code, reason = "shared with the example and the benches")]
mod corpus;
#[path = "../benches/support/native.rs"]
mod native;

fn options() -> Options {
    Options {
        as_of: Some("2026-01-01".parse().unwrap()),
        assumptions: Vec::new(),
    }
}

fn generated(engine: &Engine, n: usize) -> Vec<Evidence> {
    corpus::Model::new(engine)
        .corpus(1, n)
        .into_iter()
        .map(|(id, text)| {
            engine
                .evidence_from(&SourceFile::from_text(&format!("{id}.yaml"), text))
                .unwrap()
        })
        .collect()
}

fn providers(engine: &Engine, generated_count: usize) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = engine
        .builtin_providers()
        .map(|p| engine.evidence(p).unwrap())
        .collect();
    out.extend(generated(engine, generated_count));
    out
}

fn profiles(engine: &Engine) -> Vec<BoundProfile> {
    engine
        .builtin_profiles()
        .map(|p| engine.profile(p).unwrap())
        .collect()
}

#[test]
fn each_rule_runs_once_per_provider_and_parameter_set_across_builtin_profiles() {
    let engine = Engine::builtin().unwrap();
    let profiles = profiles(&engine);
    assert_eq!(profiles.len(), 10);
    let (mut runs, mut leaves) = (0, 0);
    for ev in providers(&engine, 20) {
        let prep = engine.prepare(&ev, &options());
        let before = engine.rules().evaluations();
        // What must run: one evaluation per distinct (check, staleness limit, parameter values
        // the outcome read), over every reached, unwaived leaf of every profile.
        let mut distinct: BTreeSet<(String, Option<u32>, String)> = BTreeSet::new();
        for p in &profiles {
            let r = engine.score_prepared(p, &prep);
            for n in r
                .nodes
                .iter()
                .filter(|n| n.check.is_some() && n.status.as_str() != "waived")
            {
                let params = serde_json::to_string(&n.params).unwrap();
                distinct.insert((
                    n.check.as_deref().unwrap().to_owned(),
                    p.profile.max_evidence_age_days,
                    params,
                ));
                leaves += 1;
            }
        }
        let ran = engine.rules().evaluations() - before;
        assert_eq!(
            ran,
            distinct.len() as u64,
            "{}: {ran} evaluations for {} distinct parameter sets",
            ev.id,
            distinct.len()
        );
        // Scoring again runs nothing.
        for p in &profiles {
            let _ = engine.score_prepared(p, &prep);
        }
        assert_eq!(
            engine.rules().evaluations() - before,
            ran,
            "{}: a cached outcome re-ran",
            ev.id
        );
        runs += ran;
    }
    // Rules shared between frameworks and profiles with equal parameters run once: far fewer
    // evaluations than leaves scored.
    assert!(
        runs * 3 < leaves,
        "{runs} evaluations for {leaves} scored leaves"
    );
}

#[test]
fn a_summary_is_what_the_report_says() {
    // The erroring pack adds a rule that throws, so the error count is exercised too.
    let engine = Engine::builder()
        .rules_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/packs/erroring"
        ))
        .build()
        .unwrap();
    let mut profiles = profiles(&engine);
    let text = "labfit: profile/v1\nid: erroring\ntitle: With a broken rule\nextends: base-lab\nframeworks: {custom: 1, lab-baseline: 1}\nmust_have: [custom.broken]\n";
    profiles.push(
        engine
            .profile_from(SourceFile::from_text("erroring.yaml", text))
            .unwrap(),
    );
    let mut errors = 0;
    for ev in providers(&engine, 30) {
        let prep = engine.prepare(&ev, &options());
        for p in &profiles {
            let r = engine.score_prepared(p, &prep);
            let s = engine.summary(p, &prep);
            let ctx = format!("{} × {}", p.profile.id, ev.id);
            assert_eq!(
                (s.fit, s.potential, s.verdict),
                (r.fit, r.potential, r.verdict),
                "{ctx}"
            );
            assert_eq!(s.gates, r.gates, "{ctx}");
            assert_eq!(
                s.weakest.as_deref(),
                r.weakest_framework().map(|f| f.id.as_str()),
                "{ctx}"
            );
            assert_eq!(s.errors, r.errors.len(), "{ctx}");
            errors += s.errors;
        }
    }
    assert_eq!(errors, 40);
}

/// A comparison without its reports (`compare_profiles` keeps none), as JSON.
fn ranking_json(c: &Comparison) -> String {
    let mut c = c.clone();
    c.reports.clear();
    json::comparison(&c)
}

/// The memo reuses an outcome only for a rule that read the same values; the reports must be
/// the bytes the rules would give when run every time: on the built-in matrix (every built-in
/// profile × every built-in provider, full reports) and on a generated corpus (another seed
/// than the benches', so facts repeat as they would in a registry, not as the benches tuned).
/// Two tests, so the harness runs them on two cores.
#[test]
fn memoised_and_unmemoised_scoring_give_the_same_bytes_on_the_builtin_matrix() {
    let (memo, plain, two) = memo_and_plain();
    let builtin = providers(&memo, 0);
    for p in &profiles(&memo) {
        let before = memo.rules().evaluations();
        let m = two.install(|| memo.compare(p, &builtin, &options()));
        assert!(memo.rules().evaluations() > before, "{}", p.profile.id);
        let u = plain.compare(p, &builtin, &options());
        assert_eq!(
            json::comparison(&m),
            json::comparison(&u),
            "{}",
            p.profile.id
        );
    }
}

#[test]
fn memoised_and_unmemoised_scoring_give_the_same_bytes_on_a_generated_corpus() {
    let (memo, plain, two) = memo_and_plain();
    let profiles = profiles(&memo);
    let corpus: Vec<Evidence> = corpus::Model::new(&memo)
        .corpus(17, 200)
        .into_iter()
        .map(|(id, text)| {
            memo.evidence_from(&SourceFile::from_text(&format!("{id}.yaml"), text))
                .unwrap()
        })
        .collect();
    for id in ["us-clinical-diagnostics", "forensic-lab"] {
        let p = memo.profile(id).unwrap();
        let (before_m, before_u) = (memo.rules().evaluations(), plain.rules().evaluations());
        let m = two.install(|| memo.compare(&p, &corpus, &options()));
        let u = plain.compare(&p, &corpus, &options());
        assert_eq!(json::comparison(&m), json::comparison(&u), "{id}");
        let (ran_m, ran_u) = (
            memo.rules().evaluations() - before_m,
            plain.rules().evaluations() - before_u,
        );
        // Facts repeat across a registry, so most rule runs become lookups.
        assert!(
            ran_m * 2 < ran_u,
            "{id}: {ran_m} runs memoised, {ran_u} without"
        );
    }
    let m = memo.compare_profiles(&profiles, &corpus, &options());
    let u = plain.compare_profiles(&profiles, &corpus, &options());
    for (m, u) in m.iter().zip(&u) {
        assert_eq!(json::comparison(m), json::comparison(u), "{}", m.profile);
    }
}

/// An engine with the memo, one without, and a pool of two threads for the memoised runs.
fn memo_and_plain() -> (Engine, Engine, rayon::ThreadPool) {
    let memo = Engine::builtin().unwrap();
    let plain = Engine::builder().without_memo().build().unwrap();
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    (memo, plain, two)
}

/// Most built-in checks run natively (a yes/no check as the API's own functions, the others
/// lowered to a tree that calls them); the reports must be the bytes the interpreter gives:
/// every built-in profile over the built-in providers and over a generated corpus (a third
/// seed), each rule run every time (no memo), so every check of every provider is compared.
/// Two tests, each with every other built-in profile, so the harness runs them on two cores.
#[test]
fn native_and_interpreted_rules_give_the_same_bytes_first_half() {
    native_and_interpreted_agree_on_half(0);
}

#[test]
fn native_and_interpreted_rules_give_the_same_bytes_second_half() {
    native_and_interpreted_agree_on_half(1);
}

fn native_and_interpreted_agree_on_half(first: usize) {
    let native = Engine::builder().without_memo().build().unwrap();
    let interpreted = Engine::builder()
        .without_memo()
        .interpreted_rules()
        .build()
        .unwrap();
    let corpus: Vec<Evidence> = corpus::Model::new(&native)
        .corpus(29, 120)
        .into_iter()
        .map(|(id, text)| {
            native
                .evidence_from(&SourceFile::from_text(&format!("{id}.yaml"), text))
                .unwrap()
        })
        .collect();
    let all: Vec<Evidence> = providers(&native, 0).into_iter().chain(corpus).collect();
    let profiles = profiles(&native);
    assert!(profiles.len() >= 2);
    for p in profiles.iter().skip(first).step_by(2) {
        let n = native.compare(p, &all, &options());
        let i = interpreted.compare(p, &all, &options());
        assert_eq!(n.reports.len(), all.len(), "{}", p.profile.id);
        assert_eq!(
            json::comparison(&n),
            json::comparison(&i),
            "{}",
            p.profile.id
        );
    }
}

/// A rule pack's warnings are about the pack, not a provider: a comparison gives them once,
/// its reports leave them out, and a single score keeps them.
#[test]
fn pack_warnings_are_given_once_per_comparison() {
    let vocab = "labfit: vocabulary/v1\nfacts:\n  contract.baa: {type: bool, meaning: m, question: q14, ask: a?}\n";
    let engine = Engine::builder()
        .pack("p", vec![SourceFile::from_text("p/v.yaml", vocab)])
        .build()
        .unwrap();
    let pack = engine.warnings().to_vec();
    assert!(!pack.is_empty());
    let p = engine.profile("us-clinical-diagnostics").unwrap();
    let evidence = providers(&engine, 0);
    let c = engine.compare(&p, &evidence, &options());
    assert_eq!(c.warnings, pack);
    assert!(c
        .reports
        .iter()
        .all(|r| pack.iter().all(|w| !r.warnings.contains(w))));
    assert_eq!(engine.rank(&p, &evidence, &options()).warnings, pack);
    let text = labfit::render::text::comparison(&c, labfit::render::text::Style::new(false));
    assert_eq!(text.matches(pack[0].message.as_str()).count(), 1, "{text}");
    let one = engine.score(&p, &evidence[0], &options());
    assert!(pack.iter().all(|w| one.warnings.contains(w)));
}

#[test]
fn compare_profiles_ranks_as_compare_does_on_any_thread_count() {
    let engine = Engine::builtin().unwrap();
    let profiles: Vec<BoundProfile> = ["us-clinical-diagnostics", "gxp-qc-lab", "forensic-lab"]
        .iter()
        .map(|p| engine.profile(p).unwrap())
        .collect();
    let evidence = providers(&engine, 10);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let matrix = two.install(|| engine.compare_profiles(&profiles, &evidence, &options()));
    let matrix_1 = one.install(|| engine.compare_profiles(&profiles, &evidence, &options()));
    assert_eq!(matrix.len(), profiles.len());
    for ((p, m), m1) in profiles.iter().zip(&matrix).zip(&matrix_1) {
        assert!(m.reports.is_empty());
        let single = two.install(|| engine.compare(p, &evidence, &options()));
        assert_eq!(ranking_json(m), ranking_json(&single), "{}", p.profile.id);
        assert_eq!(
            json::comparison(&engine.rank(p, &evidence, &options())),
            ranking_json(&single),
            "{}: rank",
            p.profile.id
        );
        assert_eq!(
            ranking_json(m),
            ranking_json(m1),
            "{}: compare_profiles differs by thread count",
            p.profile.id
        );
    }
    // Full reports too: the same bytes on one thread as on two.
    let single = two.install(|| engine.compare(&profiles[0], &evidence, &options()));
    let single_1 = one.install(|| engine.compare(&profiles[0], &evidence, &options()));
    assert_eq!(
        json::comparison(&single),
        json::comparison(&single_1),
        "compare differs by thread count"
    );
}

#[test]
fn the_generated_corpus_is_deterministic_and_realistic() {
    let engine = Engine::builtin().unwrap();
    let model = corpus::Model::new(&engine);
    let a = model.corpus(1, 60);
    assert_eq!(a, model.corpus(1, 60));
    // Provider i does not depend on how many are generated.
    assert_eq!(a[7], model.corpus(1, 8)[7]);
    assert_ne!(a[7].1, model.corpus(2, 8)[7].1);
    let vocab = engine.vocabulary();
    let (mut unknown, mut total) = (0usize, 0usize);
    let mut statuses = BTreeSet::new();
    let mut types = BTreeSet::new();
    let mut numbers: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut lists: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut scoped = 0;
    for (id, text) in &a {
        let ev = engine
            .evidence_from(&SourceFile::from_text(&format!("{id}.yaml"), text.clone()))
            .unwrap();
        assert_eq!(&ev.id, id);
        for (key, spec) in vocab.iter() {
            total += 1;
            match ev.facts.get(key) {
                Some(f) if f.status != Status::Unknown => {
                    statuses.insert(f.status.as_str());
                    types.insert(spec.ty.to_string());
                    match &f.value {
                        Some(labfit::FactValue::Number(n)) => {
                            numbers.entry(key).or_default().push(*n)
                        }
                        Some(labfit::FactValue::Integer(i)) => {
                            numbers.entry(key).or_default().push(*i as f64)
                        }
                        Some(labfit::FactValue::List(l)) => {
                            lists.entry(key).or_default().extend(l.iter().cloned())
                        }
                        _ => {}
                    }
                    if f.covers.is_some() {
                        assert!(spec.valid_months.is_some(), "{key} is scoped");
                        scoped += 1;
                    }
                }
                _ => unknown += 1,
            }
        }
    }
    let share = unknown as f64 / total as f64;
    assert!(
        (0.25..0.35).contains(&share),
        "{share:.3} of the facts are unknown"
    );
    assert_eq!(
        statuses,
        BTreeSet::from(["attested", "claimed", "reported", "verified"])
    );
    assert!(types.len() >= 6, "{types:?}");
    // Availability spreads around the real SLAs (99.5 – 99.99 %), not over 0 – 100.
    let sla = &numbers["sla.compute_multi_zone_pct"];
    assert!(sla.iter().all(|x| (98.0..=100.0).contains(x)), "{sla:?}");
    assert!(
        sla.iter()
            .map(|x| x.to_bits())
            .collect::<BTreeSet<_>>()
            .len()
            > 5
    );
    // The typed facts no built-in provider states yet are drawn around answers providers give:
    // hours, days and years of the right size, country codes, named formats.
    for (key, lo, hi) in [
        ("resilience.rpo_hours", 0.0, 72.0),
        ("resilience.rto_hours", 0.0, 252.0),
        ("contract.breach_notice_hours", 0.0, 2880.0),
        ("logging.retention_days", 0.0, 1460.0),
        ("storage.retention_lock_years", 0.0, 200.0),
    ] {
        let v = &numbers[key];
        assert!(v.len() > 20, "{key}: {v:?}");
        assert!(v.iter().all(|x| (lo..=hi).contains(x)), "{key}: {v:?}");
    }
    let countries = &lists["support.countries"];
    assert!(
        countries
            .iter()
            .all(|c| c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase())),
        "{countries:?}"
    );
    assert!(
        lists["export.formats"].contains("CSV"),
        "{:?}",
        lists["export.formats"]
    );
    // Now and then an attestation covers only some kinds of service.
    assert!(scoped > 5, "{scoped} scoped attestations");
}

#[test]
fn the_native_floor_agrees_with_the_rhai_rules() {
    let engine = Engine::builtin().unwrap();
    // The floor covers exactly the checks under the `cap` framework.
    let graph = engine.graph();
    let mut under = BTreeSet::new();
    let mut stack = vec![graph.find("cap").unwrap()];
    while let Some(i) = stack.pop() {
        match &graph.node(i).unwrap().kind {
            labfit::graph::NodeKind::Leaf { rule } => {
                let c = &graph.checks()[*rule];
                under.insert((c.file.clone(), c.function.clone()));
            }
            labfit::graph::NodeKind::Composite { children, .. } => {
                stack.extend(children.iter().map(|(c, _)| *c))
            }
        }
    }
    let floor: BTreeSet<(String, String)> = native::CAP
        .iter()
        .map(|(f, n, _)| ((*f).to_owned(), (*n).to_owned()))
        .collect();
    assert_eq!(under, floor);
    let mut compared = 0;
    for profile in ["us-clinical-diagnostics", "base-lab"] {
        let p = engine.profile(profile).unwrap();
        for ev in providers(&engine, 60) {
            // The profile's services and age limit, as the bench uses: scoped and expired
            // facts reach both versions as unknown, with the reason in the note.
            let t = Arc::new(FactTable::new(
                &ev,
                engine.vocabulary(),
                options().as_of.unwrap(),
                p.profile.max_evidence_age_days,
                &p.services,
            ));
            for (file, function, check) in native::CAP {
                let rhai = engine.rules().evaluate(file, function, &t, &p.params);
                assert!(rhai.error.is_none(), "{function}: {:?}", rhai.error);
                assert_eq!(check(&t, &p.params), rhai, "{function} on {}", ev.id);
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 2 * 70 * native::CAP.len());
}
