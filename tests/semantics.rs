//! docs/scoring.md on a graph small enough to score by hand (tests/data/packs/semantics): intervals,
//! renormalisation over an excluded child, `all`, a shared control, contributions that add up
//! to the fit, gates, verdicts, swing and waivers — every number to the decimal.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

use labfit::report::{AskReason, GateState};
use labfit::{Engine, Options, SourceFile, Verdict};

const PACK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/packs/semantics");

fn engine() -> Engine {
    Engine::builder()
        .without_builtin_rules()
        .rules_dir(PACK)
        .build()
        .unwrap()
}

fn options(assume: &[(&str, &str)], engine: &Engine) -> Options {
    Options {
        as_of: Some("2026-01-01".parse().unwrap()),
        assumptions: assume
            .iter()
            .map(|(k, v)| engine.assumption(&format!("{k}={v}")).unwrap())
            .collect(),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn scores_the_fixture_by_hand() {
    let e = engine();
    let profile = e.profile(&format!("{PACK}/profile.yaml")).unwrap();
    let evidence = e.evidence(&format!("{PACK}/evidence.yaml")).unwrap();
    let r = e.score(&profile, &evidence, &options(&[], &e));

    // ctl.a = [1,1], ctl.b = [0,1] (unknown), ctl.na excluded, ctl.c = ramp(95, 90, 100) = 0.5.
    // fw1 = (3·1 + 1·0)/4 .. (3·1 + 1·1)/4 = [0.75, 1]; fw2 = all(1, 0.5) = [0.5, 0.5].
    let n = |id: &str| r.node(id).unwrap();
    assert_eq!(
        (n("ctl.na").status.as_str(), n("ctl.na").weight),
        ("not_applicable", 0.0)
    );
    assert!(close(n("fw1").lo, 0.75) && close(n("fw1").hi, 1.0));
    assert!(close(n("fw2").lo, 0.5) && close(n("fw2").hi, 0.5));
    assert_eq!(n("ctl.c").status.as_str(), "partial");
    // Root = mean of the frameworks: fit 62.5, potential 75.
    assert!(
        close(r.fit, 62.5) && close(r.potential, 75.0),
        "{} {}",
        r.fit,
        r.potential
    );

    // Global weights: fw1 and fw2 0.5 each; A gets 0.5·3/4 via fw1 (fw2's `all` weight goes to
    // C, its minimum); B 0.5·1/4; C 0.5. Contributions add up to the fit.
    assert!(close(n("ctl.a").weight, 0.375));
    assert!(close(n("ctl.b").weight, 0.125));
    assert!(close(n("ctl.c").weight, 0.5));
    assert!(close(n("ctl.a").contribution, 37.5) && close(n("ctl.c").contribution, 25.0));
    let leaves: f64 = r
        .nodes
        .iter()
        .filter(|n| n.check.is_some())
        .map(|n| n.contribution)
        .sum();
    assert!(close(leaves, r.fit));
    let fw1 = n("fw1");
    let share = |id: &str| fw1.children.iter().find(|c| c.id == id).unwrap().share;
    assert!(
        close(share("ctl.a"), 0.75) && close(share("ctl.b"), 0.25) && close(share("ctl.na"), 0.0)
    );

    // The must-have on B is open; the verdict conditional; B's question first, swing 12.5.
    assert_eq!(r.gates[0].state, GateState::Open);
    assert_eq!(r.gates[0].reason, "b.y unknown");
    assert_eq!(r.verdict, Verdict::Conditional);
    let q = &r.questions[0];
    assert_eq!(
        (q.fact.as_str(), q.ask.as_str(), q.question.as_str(), q.gate),
        ("b.y", "Does B hold?", "q02", true)
    );
    assert!(close(q.swing, 12.5));
    assert_eq!(q.reason, AskReason::Unknown);
    assert_eq!(q.frameworks, vec!["fw1".to_string()]);
    assert_eq!(r.questions.len(), 1);
}

#[test]
fn gates_decide_the_verdict() {
    let e = engine();
    let profile = e.profile(&format!("{PACK}/profile.yaml")).unwrap();
    let evidence = e.evidence(&format!("{PACK}/evidence.yaml")).unwrap();

    let r = e.score(&profile, &evidence, &options(&[("b.y", "false")], &e));
    assert_eq!(r.gates[0].state, GateState::Failed);
    assert_eq!(r.verdict, Verdict::Ineligible);
    assert!(close(r.fit, 62.5) && close(r.potential, 62.5));

    // B holds: the gate is met, fit (1 + 0.5)/2 = 75 falls in the moderate band.
    let r = e.score(&profile, &evidence, &options(&[("b.y", "true")], &e));
    assert_eq!(r.gates[0].state, GateState::Met);
    assert_eq!(r.verdict, Verdict::Moderate);
    assert!(close(r.fit, 75.0));
    assert!(r.warnings.iter().any(|w| w.kind.as_str() == "assumed-fact"));
}

#[test]
fn waivers_exclude_until_they_expire() {
    let e = engine();
    let evidence = e.evidence(&format!("{PACK}/evidence.yaml")).unwrap();
    let text = std::fs::read_to_string(format!("{PACK}/profile.yaml")).unwrap()
        + "waivers:\n  - {id: ctl.b, reason: compensating control, approved_by: QA lead, expires: 2026-06-30}\n";
    let profile = e
        .profile_from(SourceFile::from_text("waived.yaml", text))
        .unwrap();

    // Waived: fw1 = A alone = 1; root (1 + 0.5)/2 = 75; the gate on B is met by the waiver.
    let r = e.score(&profile, &evidence, &options(&[], &e));
    assert!(close(r.fit, 75.0) && close(r.potential, 75.0));
    assert_eq!(r.node("ctl.b").unwrap().status.as_str(), "waived");
    assert_eq!(r.gates[0].state, GateState::Met);
    assert!(r.gates[0]
        .reason
        .starts_with("waived until 2026-06-30 by QA lead"));
    assert_eq!(r.waivers[0].state.as_str(), "active");

    // After expiry the waiver is ignored and flagged.
    let late = Options {
        as_of: Some("2026-07-01".parse().unwrap()),
        assumptions: Vec::new(),
    };
    let r = e.score(&profile, &evidence, &late);
    assert!(close(r.fit, 62.5));
    assert_eq!(r.waivers[0].state.as_str(), "expired");
    assert!(r
        .warnings
        .iter()
        .any(|w| w.kind.as_str() == "expired-waiver"));
}

#[test]
fn staleness_turns_old_facts_into_questions() {
    let e = engine();
    let evidence = e.evidence(&format!("{PACK}/evidence.yaml")).unwrap();
    let text = std::fs::read_to_string(format!("{PACK}/profile.yaml")).unwrap()
        + "max_evidence_age_days: 365\n";
    let profile = e
        .profile_from(SourceFile::from_text("aged.yaml", text))
        .unwrap();
    let fresh = e.score(&profile, &evidence, &options(&[], &e));
    assert!(close(fresh.fit, 62.5));
    // Two years later A and C are stale: they count as unknown and are asked about again.
    let late = Options {
        as_of: Some("2028-01-01".parse().unwrap()),
        assumptions: Vec::new(),
    };
    let r = e.score(&profile, &evidence, &late);
    assert!(
        close(r.fit, 0.0) && close(r.potential, 100.0),
        "{} {}",
        r.fit,
        r.potential
    );
    let stale: Vec<&str> = r
        .questions
        .iter()
        .filter(|q| q.reason == AskReason::Stale)
        .map(|q| q.fact.as_str())
        .collect();
    assert_eq!(stale, ["a.x", "c.z"]);
    assert!(r
        .questions
        .iter()
        .find(|q| q.fact == "a.x")
        .unwrap()
        .current
        .is_some());
}

#[test]
fn each_rule_runs_once_per_provider_and_parameter_set() {
    let e = engine();
    let profile = e.profile(&format!("{PACK}/profile.yaml")).unwrap();
    let evidence = e.evidence(&format!("{PACK}/evidence.yaml")).unwrap();
    let prep = e.prepare(&evidence, &options(&[], &e));
    let before = e.rules().evaluations();
    for _ in 0..5 {
        let _ = e.score_prepared(&profile, &prep);
    }
    // Four leaves, four distinct rules, evaluated once each however often the provider is scored.
    assert_eq!(e.rules().evaluations() - before, 4);
}

#[test]
fn a_met_gate_explains_itself_without_contradiction() {
    let e = engine();
    let evidence = e.evidence(&format!("{PACK}/evidence.yaml")).unwrap();
    let text = "labfit: profile/v1\nid: g\nframeworks: {fw1: 1, fw2: 1}\nmust_have:\n  - {id: fw1, min: 0.7}\n";
    let profile = e
        .profile_from(SourceFile::from_text("g.yaml", text))
        .unwrap();
    let r = e.score(&profile, &evidence, &options(&[], &e));
    // fw1 = [0.75, 1] ≥ 0.7: met although B is unknown; the reason cites only what shows it.
    assert_eq!(r.gates[0].state, GateState::Met);
    assert_eq!(
        r.gates[0].reason,
        "a.x holds (1 check below it still unknown, which cannot undo this)"
    );
    assert_eq!(r.verdict, Verdict::Moderate); // fit 62.5 ≥ the moderate band (60)
}
