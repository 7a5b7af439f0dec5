//! docs/scoring.md on a graph small enough to score by hand (tests/data/packs/semantics): intervals,
//! assurance, renormalisation over an excluded child, `all`, a shared control, contributions that
//! add up to the fit, gates judged on the claim, verdicts, swing and waivers — every number to
//! the decimal. The fixture's facts are the provider's word (`claimed`, credibility 0.75), so a
//! determinate outcome x counts as [0.75·x, 0.75·x + 0.25].
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

    // ctl.a passes on a claim: [0.75, 1]; ctl.b = [0,1] (unknown), ctl.na excluded, ctl.c =
    // ramp(95, 90, 100) = 0.5 on a claim: [0.375, 0.625].
    // fw1 = (3·0.75 + 1·0)/4 .. (3·1 + 1·1)/4 = [0.5625, 1]; fw2 = all(A, C) = [0.375, 0.625].
    let n = |id: &str| r.node(id).unwrap();
    assert_eq!(
        (n("ctl.na").status.as_str(), n("ctl.na").weight),
        ("not_applicable", 0.0)
    );
    assert!(close(n("ctl.a").lo, 0.75) && close(n("ctl.a").hi, 1.0));
    assert!(close(n("ctl.c").lo, 0.375) && close(n("ctl.c").hi, 0.625));
    assert!(close(n("fw1").lo, 0.5625) && close(n("fw1").hi, 1.0));
    assert!(close(n("fw2").lo, 0.375) && close(n("fw2").hi, 0.625));
    assert_eq!(n("ctl.c").status.as_str(), "partial");
    // Root = mean of the frameworks: fit 46.875, potential 81.25.
    assert!(
        close(r.fit, 46.875) && close(r.potential, 81.25),
        "{} {}",
        r.fit,
        r.potential
    );

    // Global weights: fw1 and fw2 0.5 each; A gets 0.5·3/4 via fw1 (fw2's `all` weight goes to
    // C, its minimum lo); B 0.5·1/4; C 0.5. Contributions (100·weight·lo) add up to the fit.
    assert!(close(n("ctl.a").weight, 0.375));
    assert!(close(n("ctl.b").weight, 0.125));
    assert!(close(n("ctl.c").weight, 0.5));
    assert!(close(n("ctl.a").contribution, 28.125) && close(n("ctl.c").contribution, 18.75));
    let leaves: f64 = r
        .nodes
        .iter()
        .filter(|n| n.check.is_some())
        .map(|n| n.contribution)
        .sum();
    assert!(close(leaves, r.fit));
    let fw1 = n("fw1");
    let share = |id: &str| fw1.children.iter().find(|c| &*c.id == id).unwrap().share;
    assert!(
        close(share("ctl.a"), 0.75) && close(share("ctl.b"), 0.25) && close(share("ctl.na"), 0.0)
    );

    // The must-have on B is open; the verdict conditional; B's question first, swing 12.5 (B
    // from 0 to 1 lifts fw1 by 1/4 and the root by 1/8). A and C are known and under no gate
    // that asks more than `claimed`: nothing else is asked.
    assert_eq!(r.gates[0].state, GateState::Open);
    assert_eq!(r.gates[0].reason, "b.y unknown");
    assert_eq!(r.verdict, Verdict::Conditional);
    let q = &r.questions[0];
    assert_eq!(
        (&*q.fact, &*q.ask, &*q.question, q.gate),
        ("b.y", "Does B hold?", "q02", true)
    );
    assert!(close(q.swing, 12.5));
    assert_eq!(q.reason, AskReason::Unknown);
    assert_eq!(q.frameworks, [std::sync::Arc::from("fw1")]);
    assert_eq!(r.questions.len(), 1);
}

#[test]
fn gates_decide_the_verdict() {
    let e = engine();
    let profile = e.profile(&format!("{PACK}/profile.yaml")).unwrap();
    let evidence = e.evidence(&format!("{PACK}/evidence.yaml")).unwrap();

    // An assumed answer counts as verified: B fails outright, [0, 0], and the gate fails.
    // fw1 = (3·[0.75, 1] + 0)/4 = [0.5625, 0.75]; root [46.875, (0.75 + 0.625)/2 = 68.75].
    let r = e.score(&profile, &evidence, &options(&[("b.y", "false")], &e));
    assert_eq!(r.gates[0].state, GateState::Failed);
    assert_eq!(r.verdict, Verdict::Ineligible);
    assert!(
        close(r.fit, 46.875) && close(r.potential, 68.75),
        "{} {}",
        r.fit,
        r.potential
    );

    // B holds, [1, 1]: the gate is met; fw1 = (3·0.75 + 1)/4 = 0.8125, root (0.8125 + 0.375)/2
    // = 59.375, just below the moderate band (60): A and C are still only claimed.
    let r = e.score(&profile, &evidence, &options(&[("b.y", "true")], &e));
    assert_eq!(r.gates[0].state, GateState::Met);
    assert_eq!(r.verdict, Verdict::Weak);
    assert!(close(r.fit, 59.375), "{}", r.fit);

    // Confirming A as well ("if we verify it") lifts it to [1, 1]: fw1 = 1, fw2 = all(1, C) =
    // [0.375, 0.625], fit (1 + 0.375)/2 = 68.75, moderate. Verifying a fact raises the fit.
    let r = e.score(
        &profile,
        &evidence,
        &options(&[("b.y", "true"), ("a.x", "true")], &e),
    );
    assert_eq!(r.verdict, Verdict::Moderate);
    assert!(
        close(r.fit, 68.75) && close(r.potential, 81.25),
        "{}",
        r.fit
    );
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

    // Waived: fw1 = A alone = [0.75, 1]; root [(0.75 + 0.375)/2, (1 + 0.625)/2] = [56.25,
    // 81.25]; the gate on B is met by the waiver.
    let r = e.score(&profile, &evidence, &options(&[], &e));
    assert!(
        close(r.fit, 56.25) && close(r.potential, 81.25),
        "{} {}",
        r.fit,
        r.potential
    );
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
    assert!(close(r.fit, 46.875));
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
    assert!(close(fresh.fit, 46.875));
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
        .map(|q| &*q.fact)
        .collect();
    assert_eq!(stale, ["a.x", "c.z"]);
    assert!(r
        .questions
        .iter()
        .find(|q| &*q.fact == "a.x")
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
    // Must-haves are judged on the claim: fw1 claims (3·1 + [0, 1])/4 = [0.75, 1] ≥ 0.7, met
    // although B is unknown (and although fw1 scores [0.5625, 1], A being only claimed, which
    // is enough for the default `min_assurance`); the reason cites only what shows it.
    assert_eq!(r.gates[0].state, GateState::Met);
    assert_eq!(
        r.gates[0].reason,
        "a.x holds (1 check below it still unknown, which cannot undo this)"
    );
    assert_eq!(r.verdict, Verdict::Weak); // fit 46.875 < the moderate band (60)
}
