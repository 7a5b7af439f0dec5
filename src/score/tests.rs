//! Unit tests of the pure score on graphs small enough to check by hand: interval aggregation,
//! global weights, gates and verdict, question ranking, and the ranking of providers.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::evidence::vocabulary::Vocabulary;
use crate::evidence::Status;
use crate::graph::catalog;
use crate::graph::Graph;
use crate::input::date::Date;
use crate::input::source::SourceFile;
use crate::profile::{Assurance, Bands, Gate, Profile, Waiver};
use crate::rules::{FactRead, Outcome, OutcomeStatus};
use crate::score::rank::{self, Standing};
use crate::score::{pass, BoundProfile, GateState, Held, HeldHow, Scored, Val, Verdict};

const AS_OF: &str = "2026-01-01";

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn graph(reqs: &str) -> Graph {
    let f = SourceFile::from_text(
        "c.yaml",
        format!("labfit: catalog/v1\nrequirements:\n{reqs}"),
    );
    let parsed = catalog::parse(&f, "builtin", "").unwrap();
    Graph::build(parsed, &BTreeMap::from([("c.yaml".to_owned(), f)])).unwrap()
}

fn profile() -> Profile {
    Profile {
        id: "p".into(),
        title: "P".into(),
        description: None,
        frameworks: Vec::new(),
        params: Arc::default(),
        gates: Vec::new(),
        weights: BTreeMap::new(),
        waivers: Vec::new(),
        max_evidence_age_days: None,
        bands: Bands::default(),
        services: None,
        assurance: Assurance::default(),
        ahp: crate::profile::judgements::AhpSettings::default(),
        framework_judgements: None,
        node_judgements: BTreeMap::new(),
        weighting: crate::profile::judgements::Weighting::default(),
        notes: Vec::new(),
        files: Vec::new(),
        refs: Vec::new(),
    }
}

fn idx(g: &Graph, id: &str) -> usize {
    g.find(id).unwrap()
}

fn bound(g: &Graph, roots: &[(&str, f64)]) -> BoundProfile {
    BoundProfile {
        profile: profile(),
        roots: roots.iter().map(|(id, w)| (idx(g, id), *w)).collect(),
        overrides: HashMap::new(),
        gates: Vec::new(),
        waivers: Vec::new(),
        params: Arc::new(BTreeMap::new()),
        services: Vec::new(),
    }
}

fn gate(g: &Graph, id: &str, min: f64, min_assurance: Option<Status>) -> (usize, Gate) {
    (
        idx(g, id),
        Gate {
            id: id.into(),
            min,
            min_assurance,
            reason: None,
            set_by: "p".into(),
        },
    )
}

fn read(key: &str, status: Status) -> FactRead {
    FactRead {
        key: key.into(),
        value: None,
        status,
        known: status != Status::Unknown,
        stale: false,
        age_days: None,
        source: None,
        note: None,
        missing: false,
        covers: None,
        lapse: None,
    }
}

fn outcome(status: OutcomeStatus, value: Option<f64>, note: &str, facts: Vec<FactRead>) -> Outcome {
    Outcome {
        status,
        value,
        note: note.into(),
        facts: facts.into_iter().map(Arc::new).collect(),
        params: Vec::new(),
        error: None,
        output: Vec::new(),
    }
}

fn pass_o(note: &str) -> Outcome {
    outcome(OutcomeStatus::Pass, Some(1.0), note, Vec::new())
}

fn fail_o(note: &str) -> Outcome {
    outcome(OutcomeStatus::Fail, Some(0.0), note, Vec::new())
}

fn partial_o(x: f64) -> Outcome {
    outcome(OutcomeStatus::Partial, Some(x), "part", Vec::new())
}

fn unknown_o(key: &str) -> Outcome {
    outcome(
        OutcomeStatus::Unknown,
        None,
        "unknown",
        vec![read(key, Status::Unknown)],
    )
}

fn na_o() -> Outcome {
    outcome(OutcomeStatus::NotApplicable, None, "n/a", Vec::new())
}

fn outcomes(g: &Graph, list: Vec<(&str, Outcome)>) -> BTreeMap<usize, Outcome> {
    list.into_iter().map(|(id, o)| (idx(g, id), o)).collect()
}

fn run(g: &Graph, b: &BoundProfile, o: &BTreeMap<usize, Outcome>) -> Scored {
    pass(g, b, o, date(AS_OF))
}

fn iv(s: &Scored, g: &Graph, id: &str) -> (f64, f64) {
    s.vals[idx(g, id)].bounds().unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

/// root (weighted) → a: 3, b: 1; a (all) → x, y; b (any) → x, z.
const DIAMOND: &str = "  - {id: root, title: R, children: {a: 3, b: 1}}
  - {id: a, title: A, aggregate: all, children: {x: 1, y: 1}}
  - {id: b, title: B, aggregate: any, children: {x: 1, z: 1}}
  - {id: x, title: X, check: r.rhai::x}
  - {id: y, title: Y, check: r.rhai::y}
  - {id: z, title: Z, check: r.rhai::z}
";

#[test]
fn weighted_renormalises_over_excluded_children() {
    let g = graph(
        "  - {id: root, title: R, children: {a: 1, b: 2, c: 3}}
  - {id: a, title: A, check: r.rhai::a}
  - {id: b, title: B, check: r.rhai::b}
  - {id: c, title: C, check: r.rhai::c}
",
    );
    let b = bound(&g, &[("root", 1.0)]);
    let o = outcomes(
        &g,
        vec![("a", pass_o("ok")), ("b", partial_o(0.25)), ("c", na_o())],
    );
    let s = run(&g, &b, &o);
    // c drops out: (1·1 + 2·0.25) / 3 = 0.5, a point.
    assert!(close(iv(&s, &g, "root").0, 0.5) && close(iv(&s, &g, "root").1, 0.5));
    assert_eq!(s.vals[idx(&g, "c")], Val::Excluded);
    // An unknown child keeps its whole range: (1 + 2·0.25 + 3·[0, 1]) / 6.
    let o = outcomes(
        &g,
        vec![
            ("a", pass_o("ok")),
            ("b", partial_o(0.25)),
            ("c", unknown_o("k")),
        ],
    );
    let (lo, hi) = iv(&run(&g, &b, &o), &g, "root");
    assert!(close(lo, 1.5 / 6.0) && close(hi, 4.5 / 6.0), "{lo} {hi}");
}

#[test]
fn all_takes_the_weakest_child_and_any_the_strongest() {
    let g = graph(DIAMOND);
    let b = bound(&g, &[("root", 1.0)]);
    let o = outcomes(
        &g,
        vec![
            ("x", partial_o(0.5)),
            ("y", pass_o("y")),
            ("z", unknown_o("z")),
        ],
    );
    let s = run(&g, &b, &o);
    assert_eq!(iv(&s, &g, "a"), (0.5, 0.5));
    assert_eq!(iv(&s, &g, "b"), (0.5, 1.0));
    // root = (3·a + 1·b) / 4.
    let (lo, hi) = iv(&s, &g, "root");
    assert!(
        close(lo, 0.5) && close(hi, (1.5 + 1.0) / 4.0 + 0.0 * hi),
        "{lo} {hi}"
    );
    assert!(close(s.fit_lo, 0.5) && close(s.fit_hi, 0.625));
}

#[test]
fn a_node_whose_children_all_drop_out_drops_out_too() {
    let g = graph(
        "  - {id: root, title: R, children: {a: 1, b: 1}}
  - {id: a, title: A, children: {x: 1}}
  - {id: b, title: B, check: r.rhai::b}
  - {id: x, title: X, check: r.rhai::x}
",
    );
    let b = bound(&g, &[("root", 1.0)]);
    let o = outcomes(&g, vec![("x", na_o()), ("b", fail_o("no"))]);
    let s = run(&g, &b, &o);
    assert_eq!(s.vals[idx(&g, "a")], Val::Excluded);
    assert_eq!(iv(&s, &g, "root"), (0.0, 0.0));
    // Nothing applies at all: the root is excluded and the pass says so.
    let o = outcomes(&g, vec![("x", na_o()), ("b", na_o())]);
    let s = run(&g, &b, &o);
    assert!(!s.applies);
    assert_eq!((s.fit_lo, s.fit_hi), (0.0, 0.0));
}

#[test]
fn reach_stops_below_an_active_waiver_and_an_expired_one_is_ignored() {
    let g = graph(DIAMOND);
    let mut b = bound(&g, &[("root", 1.0)]);
    let waiver = |expires: &str| {
        (
            idx(&g, "a"),
            Waiver {
                id: "a".into(),
                reason: "r".into(),
                approved_by: "QA".into(),
                expires: date(expires),
                set_by: "p".into(),
            },
        )
    };
    b.waivers = vec![waiver("2026-06-30")];
    let (reached, waived) = super::reach(&g, &b, date(AS_OF));
    assert!(reached[idx(&g, "a")] && waived[idx(&g, "a")]);
    assert!(!reached[idx(&g, "y")], "below a waiver nothing is reached");
    assert!(reached[idx(&g, "x")], "x is still reached through b");
    b.waivers = vec![waiver("2025-12-31")];
    let (reached, waived) = super::reach(&g, &b, date(AS_OF));
    assert!(reached[idx(&g, "y")] && !waived[idx(&g, "a")]);
}

#[test]
fn global_weights_sum_over_paths_and_follow_the_binding_child() {
    let g = graph(DIAMOND);
    let b = bound(&g, &[("root", 1.0)]);
    // a = all(x, y) is bound by x (0.5 < 1); b = any(x, z) by z (1 > 0.5).
    let o = outcomes(
        &g,
        vec![
            ("x", partial_o(0.5)),
            ("y", pass_o("y")),
            ("z", pass_o("z")),
        ],
    );
    let s = run(&g, &b, &o);
    let w = s.weights(&g, &b);
    let gw = |id: &str| w.global[idx(&g, id)];
    assert!(close(gw("root"), 1.0));
    assert!(close(gw("a"), 0.75) && close(gw("b"), 0.25));
    assert!(close(gw("x"), 0.75) && close(gw("y"), 0.0) && close(gw("z"), 0.25));
    // Contributions (global weight × lo) add up to the fit.
    let sum: f64 = ["x", "y", "z"]
        .iter()
        .map(|id| gw(id) * iv(&s, &g, id).0)
        .sum();
    assert!(close(sum, s.fit_lo), "{sum} vs {}", s.fit_lo);
    // A shared child under two weighted parents gets the sum over both paths.
    let g = graph(
        "  - {id: root, title: R, children: {a: 1, b: 1}}
  - {id: a, title: A, children: {s: 1, p: 3}}
  - {id: b, title: B, children: {s: 1}}
  - {id: s, title: S, check: r.rhai::s}
  - {id: p, title: P, check: r.rhai::p}
",
    );
    let b = bound(&g, &[("root", 1.0)]);
    let o = outcomes(&g, vec![("s", pass_o("s")), ("p", pass_o("p"))]);
    let w = run(&g, &b, &o).weights(&g, &b);
    assert!(close(w.global[idx(&g, "s")], 0.5 * 0.25 + 0.5));
    assert!(close(w.roots[0], 1.0));
}

#[test]
fn root_shares_leave_out_frameworks_that_do_not_apply() {
    let g = graph(
        "  - {id: f1, title: F1, check: r.rhai::a}
  - {id: f2, title: F2, check: r.rhai::b}
  - {id: f3, title: F3, check: r.rhai::c}
",
    );
    let b = bound(&g, &[("f1", 1.0), ("f2", 3.0), ("f3", 4.0)]);
    let o = outcomes(
        &g,
        vec![("f1", pass_o("a")), ("f2", fail_o("b")), ("f3", na_o())],
    );
    let s = run(&g, &b, &o);
    let w = s.weights(&g, &b);
    assert!(close(w.roots[0], 0.25) && close(w.roots[1], 0.75) && close(w.roots[2], 0.0));
    assert!(close(s.fit_lo, 0.25));
}

#[test]
fn gates_are_met_failed_or_open_and_decide_the_verdict() {
    let g = graph(
        "  - {id: root, title: R, children: {m: 1, n: 1}}
  - {id: m, title: M, check: r.rhai::m}
  - {id: n, title: N, check: r.rhai::n}
",
    );
    let mut b = bound(&g, &[("root", 1.0)]);
    b.gates = vec![gate(&g, "m", 1.0, None)];
    let state = |b: &BoundProfile, m: Outcome| {
        let o = outcomes(&g, vec![("m", m), ("n", pass_o("n"))]);
        let s = run(&g, b, &o);
        (s.gates[0].state, s.verdict, s.gates[0].reason.clone())
    };
    assert_eq!(
        state(&b, pass_o("signed")),
        (GateState::Met, Verdict::Strong, "signed".into())
    );
    assert_eq!(
        state(&b, fail_o("refuses")),
        (GateState::Failed, Verdict::Ineligible, "refuses".into())
    );
    assert_eq!(
        state(&b, unknown_o("k")),
        (GateState::Open, Verdict::Conditional, "unknown".into())
    );
    // Partial credit under a minimum of 0.8: 0.5 fails (it can never reach 0.8), 0.9 meets.
    b.gates = vec![gate(&g, "m", 0.8, None)];
    assert_eq!(state(&b, partial_o(0.5)).0, GateState::Failed);
    assert_eq!(state(&b, partial_o(0.9)).0, GateState::Met);
    // A pass resting on reported evidence leaves a gate that needs `claimed` open.
    b.gates = vec![gate(&g, "m", 1.0, Some(Status::Claimed))];
    let weak = outcome(
        OutcomeStatus::Pass,
        Some(1.0),
        "ok",
        vec![read("k", Status::Reported)],
    );
    let (st, v, reason) = state(&b, weak);
    assert_eq!((st, v), (GateState::Open, Verdict::Conditional));
    assert_eq!(
        reason,
        "`k` is only reported; this must-have needs claimed evidence or better"
    );
}

#[test]
fn the_verdict_follows_the_bands_when_every_gate_is_met() {
    let g = graph("  - {id: root, title: R, check: r.rhai::r}\n");
    let b = bound(&g, &[("root", 1.0)]);
    let v = |x: f64| run(&g, &b, &outcomes(&g, vec![("root", partial_o(x))])).verdict;
    assert_eq!(v(0.80), Verdict::Strong);
    assert_eq!(v(0.79), Verdict::Moderate);
    assert_eq!(v(0.60), Verdict::Moderate);
    assert_eq!(v(0.59), Verdict::Weak);
}

#[test]
fn questions_on_a_gate_come_first_then_by_swing() {
    let g = graph(
        "  - {id: root, title: R, children: {big: 3, small: 1, gated: 1}}
  - {id: big, title: Big, check: r.rhai::a}
  - {id: small, title: Small, check: r.rhai::b}
  - {id: gated, title: Gated, check: r.rhai::c}
",
    );
    let mut b = bound(&g, &[("root", 1.0)]);
    b.gates = vec![gate(&g, "gated", 1.0, None)];
    let o = outcomes(
        &g,
        vec![
            ("big", unknown_o("k.big")),
            ("small", unknown_o("k.small")),
            ("gated", unknown_o("k.gate")),
        ],
    );
    let s = run(&g, &b, &o);
    let q = s.questions(&g, &b, &o, &Vocabulary::default());
    let order: Vec<&str> = q.iter().map(|q| &*q.fact).collect();
    assert_eq!(order, ["k.gate", "k.big", "k.small"]);
    assert!(q[0].gate && q[0].gates == [Arc::from("gated")]);
    // Swing: a favourable answer lifts one leaf from 0 to 1 under weights 3, 1, 1 of 5.
    assert!(close(q[1].swing, 60.0) && close(q[2].swing, 20.0) && close(q[0].swing, 20.0));
    // The framework moves add up to the swing.
    let fw: f64 = q[1].impact.frameworks.iter().map(|m| m.swing).sum();
    assert!(close(fw, q[1].swing));
    assert_eq!(q[1].requirements, [Arc::from("big")]);
}

#[test]
fn a_question_says_which_requirements_its_answer_cannot_carry_and_why() {
    let g = graph(DIAMOND);
    let b = bound(&g, &[("root", 1.0)]);
    let held = |y: Outcome, z: Outcome| {
        let o = outcomes(&g, vec![("x", unknown_o("k.x")), ("y", y), ("z", z)]);
        let s = run(&g, &b, &o);
        let q = s.questions(&g, &b, &o, &Vocabulary::default());
        assert_eq!(q.len(), 1);
        q[0].held.clone()
    };
    let h = |id: &str, how, by: &[&str]| Held {
        id: id.into(),
        how,
        by: by.iter().map(|s| Arc::from(*s)).collect(),
    };
    // `a` needs all of x and y, and y fails: x passing leaves `a` at y. `b` needs either of x
    // and z, and z passes already: x passing adds nothing to `b`.
    assert_eq!(
        held(fail_o("y"), pass_o("z")),
        [h("a", HeldHow::All, &["y"]), h("b", HeldHow::Any, &["z"])]
    );
    // y passes and z fails: the answer alone carries both.
    assert_eq!(held(pass_o("y"), fail_o("z")), []);
    // y only partly passes: it still holds `a` below what x would give; z at 0.25 holds `b`
    // no more.
    assert_eq!(
        held(partial_o(0.5), partial_o(0.25)),
        [h("a", HeldHow::All, &["y"])]
    );
}

/// Only an `all` or `any` that applies can hold an answer back, and it may sit several levels
/// above the leaf: the question on x still names `a` through the weighted `w`; v has only
/// weighted requirements above it, and m only an `any` that does not apply.
#[test]
fn held_is_looked_for_under_every_applying_all_or_any_and_only_there() {
    let g = graph(
        "  - {id: root, title: R, children: {a: 1, c: 1, n: 1}}
  - {id: a, title: A, aggregate: all, children: {w: 1, y: 1}}
  - {id: w, title: W, children: {x: 1}}
  - {id: c, title: C, children: {v: 1}}
  - {id: n, title: N, aggregate: any, children: {m: 1}}
  - {id: x, title: X, check: r.rhai::x}
  - {id: y, title: Y, check: r.rhai::y}
  - {id: v, title: V, check: r.rhai::v}
  - {id: m, title: M, check: r.rhai::m}
",
    );
    let b = bound(&g, &[("root", 1.0)]);
    let o = outcomes(
        &g,
        vec![
            ("x", unknown_o("k.x")),
            ("y", fail_o("y")),
            ("v", unknown_o("k.v")),
            ("m", na_o()),
        ],
    );
    let s = run(&g, &b, &o);
    let below = super::questions::below_all_or_any(&g, &s.vals);
    let flagged: Vec<&str> = ["root", "a", "w", "x", "y", "c", "v", "n", "m"]
        .into_iter()
        .filter(|id| below[idx(&g, id)])
        .collect();
    assert_eq!(flagged, ["a", "w", "x", "y"]);
    let q = s.questions(&g, &b, &o, &Vocabulary::default());
    let held_of = |fact: &str| q.iter().find(|q| *q.fact == *fact).unwrap().held.clone();
    let by_y = Held {
        id: "a".into(),
        how: HeldHow::All,
        by: vec![Arc::from("y")],
    };
    assert_eq!(held_of("k.x"), [by_y]);
    assert_eq!(held_of("k.v"), []);
}

struct Row(&'static str, Verdict, f64, f64);

impl Standing for Row {
    fn verdict(&self) -> Verdict {
        self.1
    }
    fn fit(&self) -> f64 {
        self.2
    }
    fn potential(&self) -> f64 {
        self.3
    }
    fn id(&self) -> &str {
        self.0
    }
}

#[test]
fn ranking_order_dominance_and_minimax_regret() {
    let mut rows = vec![
        Row("c", Verdict::Ineligible, 90.0, 95.0),
        Row("b", Verdict::Conditional, 50.0, 80.0),
        Row("a", Verdict::Strong, 60.0, 60.0),
        Row("d", Verdict::Conditional, 40.0, 45.0),
    ];
    rows.sort_by(rank::order);
    let ids: Vec<&str> = rows.iter().map(|r| r.0).collect();
    assert_eq!(
        ids,
        ["a", "b", "d", "c"],
        "eligible, then conditional by fit, then ineligible"
    );
    let dom: Vec<(&str, &str)> = rank::dominance(&rows)
        .into_iter()
        .map(|(w, l)| (rows[w].0, rows[l].0))
        .collect();
    assert_eq!(
        dom,
        [("a", "d"), ("b", "d"), ("c", "a"), ("c", "b"), ("c", "d")]
    );
    // Only a meets every must-have, so it is the only minimax-regret candidate: a provider
    // with must-haves open is never named.
    let (p, mr, q) = rank::minimax_regret(&rows).unwrap();
    assert_eq!((rows[p].0, mr, rows[q].0), ("a", 0.0, "a"));
    // Among eligible a (60, 60) and e (55, 70): MR(a) = 70 − 60 = 10, MR(e) = 60 − 55 = 5.
    let mut two = vec![
        Row("a", Verdict::Strong, 60.0, 60.0),
        Row("e", Verdict::Weak, 55.0, 70.0),
    ];
    two.sort_by(rank::order);
    let (p, mr, q) = rank::minimax_regret(&two).unwrap();
    assert_eq!((two[p].0, mr, two[q].0), ("e", 5.0, "a"));
}

#[test]
fn a_choice_needs_every_must_have_and_no_one_able_to_overtake_it() {
    let sorted = |mut rows: Vec<Row>| {
        rows.sort_by(rank::order);
        rows
    };
    let ids = |rows: &[Row], list: &[usize]| list.iter().map(|&i| rows[i].0).collect::<Vec<_>>();
    // a meets every must-have, but b's potential (80) exceeds a's fit (60).
    let rows = sorted(vec![
        Row("a", Verdict::Strong, 60.0, 60.0),
        Row("b", Verdict::Conditional, 50.0, 80.0),
        Row("c", Verdict::Ineligible, 90.0, 95.0),
    ]);
    match rank::decide(&rows) {
        rank::Settles::Contested {
            leader,
            challengers,
        } => {
            assert_eq!(rows[leader].0, "a");
            assert_eq!(ids(&rows, &challengers), ["b"]);
        }
        other => panic!("{other:?}"),
    }
    // b can no longer overtake a: the evidence settles it (c is out of the running).
    let rows = sorted(vec![
        Row("a", Verdict::Strong, 60.0, 60.0),
        Row("b", Verdict::Conditional, 50.0, 60.0),
        Row("c", Verdict::Ineligible, 90.0, 95.0),
    ]);
    assert_eq!(rank::decide(&rows), rank::Settles::Choice(0));
    // Nobody meets every must-have: no choice, whatever the fits.
    let rows = sorted(vec![
        Row("b", Verdict::Conditional, 90.0, 95.0),
        Row("c", Verdict::Ineligible, 10.0, 20.0),
    ]);
    match rank::decide(&rows) {
        rank::Settles::NoneEligible { contenders } => assert_eq!(ids(&rows, &contenders), ["b"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        rank::decide(&sorted(vec![Row("c", Verdict::Ineligible, 1.0, 2.0)])),
        rank::Settles::AllIneligible
    );
    assert_eq!(rank::decide::<Row>(&[]), rank::Settles::Empty);
}

#[test]
fn lifting_through_ancestors_gives_the_values_of_aggregating_the_lifted_graph() {
    // Shared nodes (`b` under root and `c`, `s` under `a` and `b`) and every aggregate.
    let g = graph(
        "  - {id: root, title: R, children: {a: 3, b: 1, c: 2}}
  - {id: a, title: A, aggregate: all, children: {x: 1, y: 1, s: 1}}
  - {id: b, title: B, aggregate: any, children: {s: 1, z: 1}}
  - {id: c, title: C, children: {b: 1, w: 2}}
  - {id: s, title: S, check: r.rhai::s}
  - {id: w, title: W, check: r.rhai::w}
  - {id: x, title: X, check: r.rhai::x}
  - {id: y, title: Y, check: r.rhai::y}
  - {id: z, title: Z, check: r.rhai::z}
",
    );
    let b = bound(&g, &[("root", 1.0)]);
    let o = outcomes(
        &g,
        vec![
            ("s", unknown_o("k.s")),
            ("w", partial_o(0.25)),
            ("x", unknown_o("k.x")),
            ("y", pass_o("y")),
            ("z", unknown_o("k.z")),
        ],
    );
    let s = run(&g, &b, &o);
    let lift = super::questions::Lift::new(&s);
    let mut out = lift.buffers();
    let leaves: Vec<usize> = ["s", "w", "x", "y", "z"]
        .iter()
        .map(|id| idx(&g, id))
        .collect();
    for subset in 0..1u32 << leaves.len() {
        let lifted: Vec<usize> = leaves
            .iter()
            .enumerate()
            .filter(|(k, _)| subset & (1 << k) != 0)
            .map(|(_, &i)| i)
            .collect();
        lift.lift(&g, &b, &lifted, &mut out);
        let point = |i: usize| match s.vals[i] {
            Val::Iv(lo, hi) => {
                let x = if lifted.contains(&i) { hi } else { lo };
                Val::Iv(x, x)
            }
            Val::Excluded => Val::Excluded,
        };
        let whole = super::interval::aggregate(&g, &b, &s.reached, &s.waived, &point);
        assert_eq!(out.vals, whole, "lifting {lifted:?}");
    }
}

/// The rounding reports use is `f64::round` to the bit, but for the sign of a zero (which
/// `round6` makes 0.0): on the halves, next to them, at 2^52 and beyond, and on any bits.
#[test]
fn rounding_half_away_from_zero_is_f64_round() {
    let same = |y: f64| {
        let (a, b) = (super::round_half_away(y), y.round());
        assert!(
            a.to_bits() == b.to_bits()
                || (a.is_nan() && b.is_nan())
                || (a.abs().to_bits() == 0 && b.abs().to_bits() == 0),
            "{y:e}: {a:e} against {b:e}"
        );
    };
    let two52 = 4_503_599_627_370_496.0_f64;
    for y in [
        0.0,
        -0.0,
        0.5,
        -0.5,
        1.5,
        2.5,
        -2.5,
        0.49999999999999994,
        -0.49999999999999994,
        two52,
        two52 - 0.5,
        -(two52 - 0.5),
        two52 * 2.0 + 1.0,
        f64::MAX,
        f64::MIN_POSITIVE,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        123_456.499_999_999_99,
        99.999_999_5e6,
    ] {
        same(y);
        same(y.next_up());
        same(y.next_down());
    }
    proptest::proptest!(|(bits in proptest::prelude::any::<u64>(), scale in -60i32..60)| {
        same(f64::from_bits(bits));
        // Most report values are scores in [0, 100] times 1e6: dense in the small range.
        same((bits as f64 / u64::MAX as f64 - 0.5) * 2f64.powi(scale));
    });
}
