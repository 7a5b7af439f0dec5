//! Properties of the score (docs/scoring.md) over random DAGs, weights, profiles and outcomes
//! (see tests/common/mod.rs). proptest draws a seed per case and the case is built from it, so
//! a failure prints the seed that reproduces it (and proptest keeps it in
//! tests/proptest-regressions/ so it is tried first next time).
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::float_cmp,
    reason = "test code fails loudly"
)]

mod common;

use common::{Case, Leaf, Node, Rng};
use labfit::{GateState, Report, SourceFile, Verdict};
use proptest::prelude::*;

/// Reports round to 6 decimals.
const TOLERANCE: f64 = 2e-6;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 96,
        ..ProptestConfig::default()
    }
}

fn score(case: &Case) -> Report {
    case.report(&case.engine(None))
}

fn json_without_inputs(r: &Report) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&labfit::render::json::report(r)).unwrap();
    v.as_object_mut().unwrap().remove("inputs");
    serde_json::to_string_pretty(&v).unwrap()
}

fn assert_same_numbers(a: &Report, b: &Report, what: &str) {
    let close = |x: f64, y: f64| (x - y).abs() < TOLERANCE;
    assert!(close(a.fit, b.fit), "{what}: fit {} vs {}", a.fit, b.fit);
    assert!(
        close(a.potential, b.potential),
        "{what}: potential {} vs {}",
        a.potential,
        b.potential
    );
    assert_eq!(a.verdict, b.verdict, "{what}");
    let gates = |r: &Report| {
        r.gates
            .iter()
            .map(|g| (g.id.clone(), g.state))
            .collect::<Vec<_>>()
    };
    assert_eq!(gates(a), gates(b), "{what}");
    assert_eq!(a.nodes.len(), b.nodes.len(), "{what}");
    for (x, y) in a.nodes.iter().zip(&b.nodes) {
        assert_eq!(x.id, y.id, "{what}");
        assert!(
            close(x.lo, y.lo)
                && close(x.hi, y.hi)
                && close(x.weight, y.weight)
                && close(x.contribution, y.contribution),
            "{what}: {} [{}, {}] w {} c {} vs [{}, {}] w {} c {}",
            x.id,
            x.lo,
            x.hi,
            x.weight,
            x.contribution,
            y.lo,
            y.hi,
            y.weight,
            y.contribution
        );
    }
}

proptest! {
    #![proptest_config(config())]

    /// 0 ≤ fit ≤ potential ≤ 100, every node's interval inside [0, 1], and the leaves'
    /// contributions add up to the fit (docs/scoring.md §3, §4).
    #[test]
    fn scores_are_ordered_and_bounded(seed in any::<u64>()) {
        let r = score(&Case::random(&mut Rng::new(seed)));
        prop_assert!(0.0 <= r.fit && r.fit <= r.potential && r.potential <= 100.0, "{} {}", r.fit, r.potential);
        for n in &r.nodes {
            prop_assert!(0.0 <= n.lo && n.lo <= n.hi && n.hi <= 1.0, "{} [{}, {}]", n.id, n.lo, n.hi);
        }
        let leaves: f64 = r.nodes.iter().filter(|n| n.check.is_some()).map(|n| n.contribution).sum();
        prop_assert!((leaves - r.fit).abs() < 1e-4, "leaf contributions {leaves} vs fit {}", r.fit);
    }

    /// Resolving every open leaf (unknown, error, out of scope, expired) to any value, and
    /// confirming every fact (verified), lands inside [fit, potential], and then nothing is
    /// open: fit = potential.
    #[test]
    fn any_resolution_of_the_unknowns_lands_inside_the_interval(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let mut case = Case::random(&mut rng);
        // A profile that believes even verified facts less than fully never closes the gap.
        case.assurance = None;
        let engine = case.engine(None);
        let before = case.report(&engine);
        let mut resolved = case.clone();
        for leaf in resolved.leaves.iter_mut().flatten() {
            if matches!(leaf.0, Leaf::Missing | Leaf::Unknown | Leaf::Error) {
                leaf.0 = match rng.below(3) { 0 => Leaf::Pass, 1 => Leaf::Fail, _ => Leaf::Partial(rng.unit()) };
            }
            leaf.1 = "verified";
        }
        for c in &mut resolved.covers { *c = None; }
        for d in &mut resolved.dates { *d = (None, None); }
        for m in &mut resolved.valid_months { *m = None; }
        let engine = resolved.engine(None);
        let after = resolved.report(&engine);
        prop_assert!(after.fit >= before.fit - TOLERANCE && after.fit <= before.potential + TOLERANCE,
            "{} outside [{}, {}]", after.fit, before.fit, before.potential);
        prop_assert!((after.fit - after.potential).abs() < TOLERANCE);
    }

    /// Raising one leaf (both bounds up, or equal) never lowers the fit or the potential.
    #[test]
    fn raising_a_leaf_never_lowers_fit_or_potential(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let case = Case::random(&mut rng);
        let engine = case.engine(None);
        let before = case.report(&engine);
        let candidates: Vec<usize> = case.leaf_ids().into_iter()
            .filter(|&i| case.leaves[i].unwrap().0.interval().is_some())
            .collect();
        prop_assume!(!candidates.is_empty());
        let i = rng.pick(&candidates);
        let (lo, hi) = case.leaves[i].unwrap().0.interval().unwrap();
        let raised = if lo == 0.0 && hi == 0.0 && rng.chance(0.3) {
            Leaf::Unknown // [0, 0] → [0, 1]
        } else if rng.chance(0.5) || hi >= 1.0 {
            Leaf::Pass
        } else {
            Leaf::Partial(hi + (1.0 - hi) * rng.unit())
        };
        let mut up = case.clone();
        up.leaves[i].as_mut().unwrap().0 = raised;
        let after = up.report(&engine);
        prop_assert!(after.fit >= before.fit - TOLERANCE, "fit {} → {}", before.fit, after.fit);
        prop_assert!(after.potential >= before.potential - TOLERANCE, "potential {} → {}", before.potential, after.potential);
    }

    /// Raising one fact's status (reported → claimed → attested → verified) nests every
    /// node's new interval inside its old one: assurance only ever narrows the truth's range.
    #[test]
    fn raising_a_facts_status_nests_the_intervals(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let case = Case::random(&mut rng);
        let engine = case.engine(None);
        let before = case.report(&engine);
        let levels = common::STATUSES;
        let candidates: Vec<usize> = case.leaf_ids().into_iter()
            .filter(|&i| case.leaves[i].unwrap().1 != "verified")
            .collect();
        prop_assume!(!candidates.is_empty());
        let i = rng.pick(&candidates);
        let now = levels.iter().position(|s| *s == case.leaves[i].unwrap().1).unwrap();
        let mut up = case.clone();
        up.leaves[i].as_mut().unwrap().1 = levels[rng.below(now)];
        let after = up.report(&engine);
        let inside = |(lo, hi): (f64, f64), (lo0, hi0): (f64, f64)| lo >= lo0 - TOLERANCE && hi <= hi0 + TOLERANCE;
        prop_assert!(inside((after.fit, after.potential), (before.fit, before.potential)),
            "[{}, {}] not inside [{}, {}]", after.fit, after.potential, before.fit, before.potential);
        for n in &after.nodes {
            let old = before.node(&n.id).unwrap();
            prop_assert!(inside((n.lo, n.hi), (old.lo, old.hi)), "{}: [{}, {}] not inside [{}, {}]", n.id, n.lo, n.hi, old.lo, old.hi);
        }
    }

    /// Scoping a fact away from one of the lab's services never raises the fit.
    #[test]
    fn a_fact_outside_the_labs_services_never_raises_the_fit(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let case = Case::random(&mut rng);
        let engine = case.engine(None);
        let before = case.report(&engine);
        let i = rng.pick(&case.leaf_ids());
        let lab: Vec<&str> = case.services.clone().unwrap_or_else(|| common::SERVICES_DEFAULT.to_vec());
        let dropped = rng.pick(&lab);
        let mut scoped = case.clone();
        scoped.covers[i] = Some(common::SERVICES.iter().copied().filter(|s| *s != dropped).collect());
        let after = scoped.report(&engine);
        prop_assert!(after.fit <= before.fit + TOLERANCE, "fit {} → {}", before.fit, after.fit);
        if let Some(n) = after.node(&common::id(i)) {
            prop_assert!(n.facts.iter().all(|f| !f.known), "{n:?}");
        }
    }

    /// Letting a fact expire (its own `expires` before the evaluation date) never raises the fit.
    #[test]
    fn an_expired_fact_never_raises_the_fit(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let case = Case::random(&mut rng);
        let engine = case.engine(None);
        let before = case.report(&engine);
        let i = rng.pick(&case.leaf_ids());
        let mut old = case.clone();
        old.dates[i].1 = Some("2025-12-31");
        let after = old.report(&engine);
        prop_assert!(after.fit <= before.fit + TOLERANCE, "fit {} → {}", before.fit, after.fit);
    }

    /// The order of catalog files, of requirements in them, of children, of frameworks and of
    /// facts changes nothing in the report (but the input hashes, which name the files).
    #[test]
    fn order_of_files_children_and_facts_changes_nothing(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let case = Case::random(&mut rng);
        let plain = score(&case);
        let engine = case.engine(Some(&mut rng));
        let profile = engine.profile_from(SourceFile::from_text("profile.yaml", case.profile(Some(&mut rng)))).unwrap();
        let evidence = case.load_evidence(&engine, "p", Some(&mut rng));
        let shuffled = engine.score(&profile, &evidence, &common::options());
        prop_assert_eq!(json_without_inputs(&plain), json_without_inputs(&shuffled));
    }

    /// Multiplying every child weight of one node (or every framework weight) by c > 0
    /// changes no score.
    #[test]
    fn scaling_a_nodes_child_weights_changes_nothing(seed in any::<u64>(), c in prop_oneof![Just(0.001), Just(0.5), Just(3.0), Just(7.25), Just(1000.0)]) {
        let mut rng = Rng::new(seed);
        let case = Case::random(&mut rng);
        let before = score(&case);
        let mut scaled = case.clone();
        let composites: Vec<usize> = (0..case.nodes.len()).filter(|&i| matches!(case.nodes[i], Node::Composite { .. })).collect();
        if composites.is_empty() || rng.chance(0.25) {
            for f in &mut scaled.frameworks { f.1 *= c; }
        } else {
            let p = rng.pick(&composites);
            if let Node::Composite { children, .. } = &mut scaled.nodes[p] {
                for ch in children.iter_mut() { ch.1 *= c; }
            }
            for ((from, _), w) in &mut scaled.overrides {
                if *from == p { *w *= c; }
            }
        }
        assert_same_numbers(&before, &score(&scaled), &format!("×{c}"));
    }

    /// A child that does not apply drops out of a weighted parent and its siblings' weights
    /// are renormalised: the parent is the weighted mean of the children that still apply.
    #[test]
    fn excluding_a_child_renormalises_its_siblings(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let mut case = Case::random(&mut rng);
        let leaves = case.leaf_ids();
        let i = rng.pick(&leaves);
        case.leaves[i].as_mut().unwrap().0 = Leaf::NotApplicable;
        // Only a fact the rules see as known can make its check not applicable.
        case.covers[i] = None;
        case.dates[i] = (None, None);
        case.valid_months[i] = None;
        let r = score(&case);
        let excluded = |id: &str| r.node(id).is_none_or(|n| matches!(n.status.as_str(), "not_applicable" | "waived"));
        prop_assert!(excluded(&common::id(i)));
        for n in r.nodes.iter().filter(|n| n.aggregate == Some("weighted") && !excluded(&n.id)) {
            let live: Vec<(f64, f64, f64)> = n.children.iter()
                .filter(|c| !excluded(&c.id))
                .map(|c| { let cn = r.node(&c.id).unwrap(); (c.weight, cn.lo, cn.hi) })
                .collect();
            let total: f64 = live.iter().map(|x| x.0).sum();
            let lo = live.iter().map(|x| x.0 * x.1).sum::<f64>() / total;
            let hi = live.iter().map(|x| x.0 * x.2).sum::<f64>() / total;
            prop_assert!((n.lo - lo).abs() < 1e-5 && (n.hi - hi).abs() < 1e-5, "{}: [{}, {}] vs [{lo}, {hi}]", n.id, n.lo, n.hi);
            for c in &n.children {
                let share = if excluded(&c.id) { 0.0 } else { c.weight / total };
                prop_assert!((c.share - share).abs() < 1e-5, "{} → {}: share {} vs {share}", n.id, c.id, c.share);
            }
        }
    }

    /// A failed gate always means `ineligible`, and only a failed gate does; an open one
    /// (and no failed one) means `conditional`.
    #[test]
    fn a_failed_gate_always_means_ineligible(seed in any::<u64>()) {
        let r = score(&Case::random(&mut Rng::new(seed)));
        let failed = r.gates.iter().any(|g| g.state == GateState::Failed);
        let open = r.gates.iter().any(|g| g.state == GateState::Open);
        prop_assert_eq!(failed, r.verdict == Verdict::Ineligible);
        prop_assert_eq!(!failed && open, r.verdict == Verdict::Conditional);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// The comparison's JSON (every report in it) is byte-identical on 1 thread and on 4.
    #[test]
    fn json_is_identical_across_thread_counts(seed in any::<u64>()) {
        let mut rng = Rng::new(seed);
        let mut case = Case::random(&mut rng);
        let engine = case.engine(None);
        let profile = engine.profile_from(SourceFile::from_text("profile.yaml", case.profile(None))).unwrap();
        let mut evidence = Vec::new();
        for k in 0..6 {
            case.randomize_outcomes(&mut rng);
            evidence.push(case.load_evidence(&engine, &format!("p{k}"), None));
        }
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| labfit::render::json::comparison(&engine.compare(&profile, &evidence, &common::options())))
        };
        let one = run(1);
        prop_assert_eq!(&one, &run(4));
        prop_assert_eq!(&one, &run(2));
    }
}
