//! Every output format on fixed fixtures (tests/data/packs/reports, scored as of 2026-01-01),
//! pinned as reviewed insta snapshots, and the behaviour behind them: question order and
//! impact, CSV quoting and neutralisation, HTML self-containment and escaping, JUnit counts,
//! evidence diffs. After a deliberate change to a renderer: `INSTA_UPDATE=always cargo test
//! --test reports`, then review the changed `.snap` files with `git diff`.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

use labfit::render::{csv, html, json, junit, markdown, text};
use labfit::report::comparison::Comparison;
use labfit::report::{AskReason, GateState, NodeStatus};
use labfit::{Engine, Options, Report, Verdict};

const PACK: &str = "tests/data/packs/reports";

fn engine() -> Engine {
    Engine::builder()
        .without_builtin_rules()
        .rules_dir(PACK)
        .build()
        .unwrap()
}

fn options() -> Options {
    Options {
        as_of: Some("2026-01-01".parse().unwrap()),
        assumptions: Vec::new(),
    }
}

fn compare(e: &Engine) -> Comparison {
    let profile = e.profile(&format!("{PACK}/profile.yaml")).unwrap();
    let evidence: Vec<_> = ["alpha", "beta", "gamma"]
        .iter()
        .map(|p| e.evidence(&format!("{PACK}/{p}.yaml")).unwrap())
        .collect();
    e.compare(&profile, &evidence, &options())
}

fn score(e: &Engine, provider: &str) -> Report {
    let profile = e.profile(&format!("{PACK}/profile.yaml")).unwrap();
    let evidence = e.evidence(&format!("{PACK}/{provider}.yaml")).unwrap();
    e.score(&profile, &evidence, &options())
}

/// The engine version moves with every release; snapshots should not.
fn fixed(s: &str) -> String {
    s.replace(
        &format!("labfit {}", env!("CARGO_PKG_VERSION")),
        "labfit [version]",
    )
    .replace(
        &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"version\": \"[version]\"",
    )
    .replace(
        &format!("content=\"labfit {}\"", env!("CARGO_PKG_VERSION")),
        "content=\"labfit [version]\"",
    )
}

/// Ids as text, to compare with literals.
fn ids(v: &[std::sync::Arc<str>]) -> Vec<&str> {
    v.iter().map(|s| &**s).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-5
}

// ---------------------------------------------------------------- snapshots of every format

#[test]
fn comparison_in_every_format() {
    let c = compare(&engine());
    insta::assert_snapshot!(
        "compare_text",
        text::comparison(&c, text::Style::new(false))
    );
    insta::assert_snapshot!("compare_json", fixed(&json::comparison(&c)));
    // The CLI writes JSON as it renders it; the bytes are the same.
    let mut streamed = Vec::new();
    json::write_comparison(&mut streamed, &c).unwrap();
    assert_eq!(streamed, json::comparison(&c).into_bytes());
    insta::assert_snapshot!("compare_markdown", fixed(&markdown::comparison(&c)));
    insta::assert_snapshot!("compare_html", fixed(&html::comparison(&c)));
    insta::assert_snapshot!("compare_junit", fixed(&junit::comparison(&c)));
    insta::assert_snapshot!("compare_csv", csv::comparison(&c));
}

#[test]
fn score_in_every_format() {
    let r = score(&engine(), "beta");
    insta::assert_snapshot!("score_text", text::report(&r, text::Style::new(false)));
    insta::assert_snapshot!("score_json", fixed(&json::report(&r)));
    insta::assert_snapshot!("score_markdown", fixed(&markdown::report(&r)));
    insta::assert_snapshot!("score_html", fixed(&html::report(&r)));
    insta::assert_snapshot!("score_junit", fixed(&junit::report(&r)));
}

#[test]
fn questions_in_every_format() {
    let r = score(&engine(), "beta");
    insta::assert_snapshot!(
        "questions_text",
        text::questions(&r, text::Style::new(false))
    );
    insta::assert_snapshot!("questions_markdown", fixed(&markdown::questions(&r)));
    insta::assert_snapshot!("questions_json", json::questions(&r));
    insta::assert_snapshot!("questions_csv", csv::questions(&r));
}

#[test]
fn diff_in_every_format() {
    let d = diff(&engine());
    insta::assert_snapshot!("diff_text", text::diff(&d, text::Style::new(false)));
    insta::assert_snapshot!("diff_json", json::diff(&d));
}

fn diff(e: &Engine) -> labfit::report::diff::EvidenceDiff {
    let profile = e.profile(&format!("{PACK}/profile.yaml")).unwrap();
    let old = e.evidence(&format!("{PACK}/beta.yaml")).unwrap();
    let new = e.evidence("tests/data/reports/beta-answered.yaml").unwrap();
    e.diff(&profile, &old, &new, &options())
}

// ---------------------------------------------------------------- behaviour

#[test]
fn the_fixture_ranks_as_designed() {
    let c = compare(&engine());
    let order: Vec<(&str, Verdict)> = c
        .ranking
        .iter()
        .map(|r| (r.id.as_str(), r.verdict))
        .collect();
    assert_eq!(
        order,
        [
            ("alpha", Verdict::Strong),
            ("beta", Verdict::Conditional),
            ("gamma", Verdict::Ineligible)
        ]
    );
    // A determinate outcome x on facts of credibility c counts as [c·x, c·x + 1 − c]. beta by
    // hand: the agreement passes on a `reported` fact, [0.5, 1]; exit 20/30 days on a `claimed`
    // one, [0.75·2/3, 0.75·2/3 + 0.25] = [0.5, 0.75]; the audit report expired, [0, 1]; the SLA
    // passes on a claim, [0.75, 1]; the operating mode is unknown, [0, 1]. privacy =
    // (3·[0.5, 1] + 2·[0.5, 0.75] + [0, 1]) / 6 = [5/12, 11/12], operations = (2·[0.75, 1] + [0, 1]
    // + [0, 1]) / 4 = [3/8, 1] (support waived, legacy not applicable); root = (2·privacy +
    // operations) / 3 = [29/72, 17/18].
    let beta = &c.ranking[1];
    assert!(close(beta.fit, 100.0 * 29.0 / 72.0), "{}", beta.fit);
    assert!(
        close(beta.potential, 100.0 * 17.0 / 18.0),
        "{}",
        beta.potential
    );
    assert_eq!(beta.open_gates, ["ctl.agreement"]);
    assert_eq!(c.ranking[2].failed_gates, ["ctl.agreement"]);
    // alpha by hand: agreement, exit (60 ≥ 30 days) and SLA pass on verified facts, [1, 1]; the
    // audit report is attested, [0.9, 1]; the operating mode claimed, [0.75, 1]. privacy =
    // (3 + 2 + 0.9) / 6 = 59/60, operations = (2 + 0.9 + 0.75) / 4 = 73/80, fit = 100·(2·59/60 +
    // 73/80) / 3 = 100·691/720 = 95.97: above beta's potential (94.44), so alpha necessarily beats
    // beta. gamma's own "no" to the agreement is a claim, [0, 0.25], and its SLA of 99.5 % is
    // ramp 5/9 on a claim, [5/12, 2/3]; with its unknowns and the rule error its potential is
    // 100·(2·(3·0.25 + 2 + 1)/6 + (2·2/3 + 1 + 1)/4) / 3 = 69.44, above beta's fit (40.28): beta
    // no longer necessarily beats gamma, though gamma's failed must-have ranks it last.
    let alpha = &c.ranking[0];
    assert!(close(alpha.fit, 100.0 * 691.0 / 720.0), "{}", alpha.fit);
    assert!(close(alpha.potential, 100.0), "{}", alpha.potential);
    let gamma = &c.ranking[2];
    assert!(close(gamma.fit, 100.0 * 5.0 / 72.0), "{}", gamma.fit);
    assert!(
        close(gamma.potential, 100.0 * 25.0 / 36.0),
        "{}",
        gamma.potential
    );
    let pairs: Vec<(&str, &str)> = c
        .dominance
        .iter()
        .map(|d| (d.winner.as_str(), d.loser.as_str()))
        .collect();
    assert_eq!(pairs, [("alpha", "beta"), ("alpha", "gamma")]);
    let m = c.minimax_regret.as_ref().unwrap();
    assert_eq!((m.id.as_str(), m.max_regret), ("alpha", 0.0));
}

#[test]
fn questions_are_ordered_by_impact_and_say_by_how_much() {
    let r = score(&engine(), "beta");
    let keys: Vec<(&str, bool, AskReason)> = r
        .questions
        .iter()
        .map(|q| (&*q.fact, q.gate, q.reason))
        .collect();
    // The agreement is known but only `reported`, under a gate that needs `claimed`: it comes
    // first. Then by swing: the expired audit report (read by both frameworks), then the
    // operating mode.
    assert_eq!(
        keys,
        [
            ("contract.agreement", true, AskReason::WeakAssurance),
            ("cert.audit", false, AskReason::Expired),
            ("ops.mode", false, AskReason::Unknown),
        ]
    );
    let agreement = &r.questions[0];
    assert_eq!(ids(&agreement.gates), ["ctl.agreement"]);
    assert_eq!(&*agreement.question, "q14");
    assert_eq!(
        labfit::render::words::current_answer(&r, agreement).as_deref(),
        Some("true (reported only; a must-have needs claimed or better)")
    );
    // Its pass counts [0.5, 1] on a third party's word; confirmed, [1, 1]: privacy gains
    // 3·0.5/6 = 1/4, the fit (2/3)·(1/4) = 16.667 points.
    assert!(close(agreement.swing, 100.0 / 6.0), "{}", agreement.swing);

    // Lifting ctl.audit from [0, 1] to 1: privacy 5/12 → 7/12, operations 3/8 → 5/8; the root
    // gains (2·(1/6) + 1/4) / 3 = 7/36 = 19.444 fit points, 11.111 through privacy (share 2/3)
    // and 8.333 through operations (share 1/3).
    let audit = &r.questions[1];
    assert!(close(audit.swing, 700.0 / 36.0), "{}", audit.swing);
    let fw: Vec<(&str, f64, f64, f64)> = audit
        .impact
        .frameworks
        .iter()
        .map(|m| (&*m.id, m.from, m.to, m.swing))
        .collect();
    assert_eq!(fw.len(), 2);
    assert_eq!((fw[0].0, fw[1].0), ("fw.operations", "fw.privacy"));
    assert!(close(fw[0].1, 37.5) && close(fw[0].2, 62.5) && close(fw[0].3, 25.0 / 3.0));
    assert!(close(fw[1].1, 500.0 / 12.0) && close(fw[1].2, 700.0 / 12.0));
    assert!(close(fw[1].3, 100.0 / 9.0));
    assert!(close(fw[0].3 + fw[1].3, audit.swing));
    let req = &audit.impact.requirements;
    assert_eq!(req.len(), 1);
    assert_eq!(&*req[0].id, "ctl.audit");
    assert!(close(req[0].from, 0.0) && close(req[0].to, 100.0) && close(req[0].swing, audit.swing));
    assert_eq!(
        labfit::render::words::current_answer(&r, audit).as_deref(),
        Some("true (attested, expired)")
    );
    assert!(close(r.questions[2].swing, 25.0 / 3.0));
}

#[test]
fn only_questions_that_can_move_a_gate_claim_it() {
    // The must-have `fw` is open (ctl.other is unknown). ctl.either already passes on A, which
    // the lab verified (so the pass is [1, 1]), so B, though unknown and read, cannot move it:
    // B is still asked, with swing 0, but does not claim the gate; C does.
    let pack = "tests/data/packs/settled";
    let e = Engine::builder()
        .without_builtin_rules()
        .rules_dir(pack)
        .build()
        .unwrap();
    let profile = e.profile(&format!("{pack}/profile.yaml")).unwrap();
    let evidence = e.evidence(&format!("{pack}/evidence.yaml")).unwrap();
    let r = e.score(&profile, &evidence, &options());
    assert_eq!(r.gate("fw").unwrap().state, GateState::Open);
    let q: Vec<(&str, bool, f64)> = r
        .questions
        .iter()
        .map(|q| (&*q.fact, q.gate, q.swing))
        .collect();
    assert_eq!(q, [("x.c", true, 50.0), ("x.b", false, 0.0)]);
    assert!(r.questions[1].gates.is_empty());
    assert_eq!(ids(&r.questions[0].gates), ["fw"]);
}

#[test]
fn an_assumption_answers_its_question() {
    // Under the semantics pack, b.y opens the gate ctl.b and can move it; assuming it leaves
    // nothing to ask about it.
    let pack = "tests/data/packs/semantics";
    let e = Engine::builder()
        .without_builtin_rules()
        .rules_dir(pack)
        .build()
        .unwrap();
    let profile = e.profile(&format!("{pack}/profile.yaml")).unwrap();
    let evidence = e.evidence(&format!("{pack}/evidence.yaml")).unwrap();
    let r = e.score(&profile, &evidence, &options());
    let q = r.questions.iter().find(|q| &*q.fact == "b.y").unwrap();
    assert!(q.gate);
    assert_eq!(ids(&q.gates), ["ctl.b"]);
    // fw1 = (3·[0.75, 1] + 1·[0, 1]) / 4 (A is claimed), fw2 = min(A, C): lifting b moves only
    // fw1, by 25 points, and the fit by 12.5 (fw1's share is 1/2).
    assert!(close(q.swing, 12.5));
    assert_eq!(q.impact.frameworks.len(), 1);
    assert!(close(q.impact.frameworks[0].swing, 12.5));
    let mut opts = options();
    opts.assumptions = vec![e.assumption("b.y=true").unwrap()];
    let r = e.score(&profile, &evidence, &opts);
    assert!(r.questions.iter().all(|q| &*q.fact != "b.y"));
}

#[test]
fn csv_is_rfc4180_and_neutralises_formulas() {
    let c = compare(&engine());
    let out = csv::comparison(&c);
    assert!(out.ends_with("\r\n"));
    let lines: Vec<&str> = out.split("\r\n").collect();
    assert_eq!(lines.len(), 5, "{out}"); // header, 3 rows, and the empty string after the last CRLF
    assert_eq!(
        lines[0],
        "rank,provider_id,provider,verdict,fit,potential,open_gates,failed_gates,weakest_area,rule_errors"
    );
    // gamma's name is a spreadsheet formula: it gets a leading quote, and its quotes are doubled.
    assert!(
        lines[3].starts_with(
            "3,gamma,\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"Gamma <Cloud> & Co\"\")\",ineligible,"
        ),
        "{}",
        lines[3]
    );
    let q = csv::questions(&score(&engine(), "beta"));
    assert!(q.starts_with("n,provider,guide_question,topic,fact,question,must_have,"));
    assert_eq!(q.matches("\r\n").count(), 4);
}

#[test]
fn html_is_self_contained_and_escapes_input() {
    let c = compare(&engine());
    let out = html::comparison(&c);
    assert!(out.starts_with("<!DOCTYPE html>"));
    assert!(out.contains(
        "<title>Cloud provider comparison: Fixture laboratory (privacy &amp; operations)</title>"
    ));
    for banned in [
        "<script",
        "<link",
        " src=",
        "url(",
        "@import",
        "javascript:",
    ] {
        assert!(!out.contains(banned), "the report holds `{banned}`");
    }
    assert!(!out.contains("<Cloud>") && !out.contains("<b>bold</b>"));
    assert!(out.contains(
        "=HYPERLINK(&quot;https://evil.example&quot;,&quot;Gamma &lt;Cloud&gt; &amp; Co&quot;)"
    ));
    // Charts, badges, the tree, sources, method, inputs, print styles.
    for needed in [
        "<svg",
        "class=\"badge v-strong\"",
        "class=\"badge v-ineligible\"",
        "<details id=\"t-beta-fw.privacy\">",
        "href=\"https://alpha.example/soc2?year=2025&amp;type=II\"",
        "id=\"method\"",
        "id=\"inputs\"",
        "@media print",
    ] {
        assert!(out.contains(needed), "the report lacks `{needed}`");
    }
    // Every input file is listed with its hash.
    for r in &c.reports {
        for i in &r.inputs {
            assert!(out.contains(&*i.sha256), "missing hash of {}", i.name);
        }
    }
}

#[test]
fn junit_counts_failures_errors_and_skips() {
    let c = compare(&engine());
    let out = junit::comparison(&c);
    // 9 requirements each: 2 frameworks and 7 checks. gamma: the agreement fails, ctl.ops
    // throws; everyone: ctl.legacy does not apply and ctl.support is waived.
    assert!(out.contains(
        "<testsuite name=\"gamma under fixture-lab\" tests=\"9\" failures=\"1\" errors=\"1\" skipped=\"2\""
    ), "{out}");
    assert!(out.contains(
        "<testsuite name=\"alpha under fixture-lab\" tests=\"9\" failures=\"0\" errors=\"0\" skipped=\"2\""
    ));
    assert!(out.contains(
        "<testsuites name=\"labfit compare fixture-lab\" tests=\"27\" failures=\"1\" errors=\"1\">"
    ));
    assert!(
        out.contains("<error type=\"rule-error\" message=\"deliberate failure for the broken mode")
    );
    assert!(out.contains("<property name=\"must_have.ctl.agreement\" value=\"failed\"/>"));
}

#[test]
fn diff_scores_each_change_alone() {
    let d = diff(&engine());
    assert_eq!(d.old.standing.verdict, Verdict::Conditional);
    // Beta's answers are its own claims, believed at 0.75: every must-have met, and the fit
    // (2·(3·0.75 + 2·0.75 + [0, 1]) / 6 + (2·0.75 + [0, 1] + 0.75) / 4) / 3 = 60.42 is moderate,
    // not strong (the audit report is still expired).
    assert!(
        close(d.new.standing.fit, 100.0 * 1.8125 / 3.0),
        "{}",
        d.new.standing.fit
    );
    assert_eq!(d.new.standing.verdict, Verdict::Moderate);
    let keys: Vec<(&str, &str, Vec<&str>)> = d
        .changes
        .iter()
        .map(|c| {
            (
                c.key.as_str(),
                c.kind.as_str(),
                c.fields.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    // The agreement now confirmed by Beta itself meets the gate and moves the verdict on its
    // own: it comes first. Then by how far each change moves fit and potential.
    assert_eq!(
        keys,
        [
            (
                "contract.agreement",
                "changed",
                vec!["status", "source", "note"]
            ),
            ("exit.days", "changed", vec!["value", "source"]),
            (
                "ops.mode",
                "changed",
                vec!["value", "status", "source", "note"]
            ),
        ]
    );
    // Alone, it meets the gate and lifts the agreement from [0.5, 1] to [0.75, 1]: privacy
    // +3·0.25/6, the fit +(2/3)·(1/8)·100 = 8.333, to 48.61, in the weak band.
    let first = &d.changes[0].effect;
    assert_eq!(first.verdict, Verdict::Weak);
    assert_eq!(first.gates.len(), 1);
    assert_eq!(
        (
            first.gates[0].id.as_str(),
            first.gates[0].from,
            first.gates[0].to
        ),
        ("ctl.agreement", GateState::Open, GateState::Met)
    );
    assert!(
        close(first.fit - d.old.standing.fit, 25.0 / 3.0),
        "{}",
        first.fit
    );
    // exit.days 20 → 45 (claimed): ctl.exit [0.5, 0.75] → [0.75, 1], privacy +2·0.25/6, fit
    // +(2/3)·(1/12)·100 = 5.556, and the potential as much.
    let exit = &d.changes[1].effect;
    assert!(
        close(exit.fit - d.old.standing.fit, 50.0 / 9.0),
        "{}",
        exit.fit
    );
    assert!(close(exit.potential - d.old.standing.potential, 50.0 / 9.0));
    assert!(d.notes.iter().any(|n| n == "source `answers` added"));
    assert!(d
        .notes
        .iter()
        .any(|n| n.starts_with("evidence as_of moved from 2025-11-01 to 2025-12-01")));
}

#[test]
fn a_report_names_facts_and_notes_with_the_engines_own_text() {
    let e = engine();
    let (beta, gamma) = (score(&e, "beta"), score(&e, "gamma"));
    let key_of = |r: &Report, fact: &str| {
        r.nodes
            .iter()
            .flat_map(|n| n.facts.iter())
            .find(|f| &*f.key == fact)
            .map(|f| f.key.clone())
    };
    // A question names its fact with the key its checks read, and every report of the engine
    // names it with the same one.
    let q = beta.questions.first().expect("beta has open questions");
    let read = key_of(&beta, &q.fact).expect("a check reads the asked fact");
    assert!(std::sync::Arc::ptr_eq(&q.fact, &read));
    let other = key_of(&gamma, &q.fact).expect("gamma's checks read it too");
    assert!(std::sync::Arc::ptr_eq(&read, &other));
    // A check that reads the same values for two providers of a compare runs once, through
    // the memo, and both reports share its note. An unknown outcome's note is the exception:
    // the reasons a fact lapsed are added to it per provider. A waiver's reason is the
    // profile's, not a check's.
    let c = compare(&e);
    let first = &c.reports[0];
    let mut pairs = 0;
    for n in first.nodes.iter().filter(|n| {
        n.check.is_some()
            && !n.note.is_empty()
            && !matches!(n.status, NodeStatus::Waived | NodeStatus::Unknown)
    }) {
        for m in c.reports[1..].iter().filter_map(|r| r.node(&n.id)) {
            if m.status == n.status && m.facts.iter().eq(n.facts.iter()) {
                assert!(
                    std::sync::Arc::ptr_eq(&m.note, &n.note),
                    "{}: the same reads, yet a note of its own",
                    n.id
                );
                pairs += 1;
            }
        }
    }
    assert!(
        pairs > 0,
        "some check reads the same values for two providers"
    );
}
