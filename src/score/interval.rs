//! Interval arithmetic over the graph: which nodes a profile reaches, each leaf's interval
//! from its outcome, and `weighted` / `all` / `any` aggregation bottom-up with renormalisation
//! over excluded children (docs/scoring.md, "Aggregation").

use std::collections::BTreeSet;

use crate::graph::catalog::Aggregate;
use crate::graph::{Graph, NodeKind};
use crate::input::date::Date;
use crate::profile::Assurance;
use crate::rules::{Outcome, OutcomeStatus};
use crate::score::model::NodeStatus;
use crate::score::{BoundProfile, EPS};

/// A node's value: excluded (not applicable, waived) or an interval [lo, hi] ⊆ [0, 1].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    /// Left out of its parents' aggregation.
    Excluded,
    /// Lower and upper bound.
    Iv(f64, f64),
}

impl Val {
    /// What a leaf outcome claims, taking its evidence at its word: pass [1, 1], fail [0, 0],
    /// partial [x, x], unknown and error [0, 1], not applicable excluded. Must-haves are
    /// judged on this (with the assurance of the facts checked apart).
    pub fn claim(o: &Outcome) -> Val {
        match o.status {
            OutcomeStatus::Pass => Val::Iv(1.0, 1.0),
            OutcomeStatus::Fail => Val::Iv(0.0, 0.0),
            OutcomeStatus::Partial => {
                let x = o.value.unwrap_or(0.0).clamp(0.0, 1.0);
                Val::Iv(x, x)
            }
            OutcomeStatus::Unknown | OutcomeStatus::Error => Val::Iv(0.0, 1.0),
            OutcomeStatus::NotApplicable => Val::Excluded,
        }
    }

    /// The interval of a leaf outcome as the score counts it: a determinate outcome x resting
    /// on facts whose weakest has credibility c becomes [c·x, c·x + 1 − c] (the claim may be
    /// wrong, so the truth lies in between); unknown and error stay [0, 1].
    pub fn of(o: &Outcome, assurance: &Assurance) -> Val {
        match Val::claim(o) {
            Val::Iv(lo, hi) if hi - lo <= EPS => {
                let c = credibility(o, assurance);
                Val::Iv(c * lo, (c * lo + 1.0 - c).min(1.0))
            }
            v => v,
        }
    }

    /// The status a composite shows for this value.
    pub fn status(self) -> NodeStatus {
        match self {
            Val::Excluded => NodeStatus::NotApplicable,
            Val::Iv(lo, _) if lo >= 1.0 - EPS => NodeStatus::Pass,
            Val::Iv(_, hi) if hi <= EPS => NodeStatus::Fail,
            Val::Iv(lo, hi) if hi - lo <= EPS => NodeStatus::Partial,
            Val::Iv(..) => NodeStatus::Unknown,
        }
    }

    /// The bounds, or `None` when excluded.
    pub fn bounds(self) -> Option<(f64, f64)> {
        match self {
            Val::Excluded => None,
            Val::Iv(lo, hi) => Some((lo, hi)),
        }
    }
}

/// The credibility of an outcome's evidence: that of the weakest known fact its check read
/// (1 when it read none, as a check on parameters alone).
pub fn credibility(o: &Outcome, assurance: &Assurance) -> f64 {
    o.facts
        .iter()
        .filter(|f| f.known)
        .map(|f| assurance.credibility(f.status))
        .fold(1.0, f64::min)
}

/// Which nodes the profile reaches (from its frameworks and gates), not descending below
/// active waivers; and which of those are waived.
pub fn reach(graph: &Graph, bound: &BoundProfile, as_of: Date) -> (Vec<bool>, Vec<bool>) {
    let n = graph.len();
    let mut waived = vec![false; n];
    for (i, w) in &bound.waivers {
        if w.expires >= as_of {
            if let Some(x) = waived.get_mut(*i) {
                *x = true;
            }
        }
    }
    let mut reached = vec![false; n];
    // Room for a node per graph node, which a graph of nearly one parent per node never
    // passes, so the walk does not grow its stack by doubling (the same in the walks below).
    let mut stack: Vec<usize> = Vec::with_capacity(n);
    stack.extend(
        bound
            .roots
            .iter()
            .map(|(i, _)| *i)
            .chain(bound.gates.iter().map(|(i, _)| *i)),
    );
    while let Some(i) = stack.pop() {
        match reached.get_mut(i) {
            Some(r) if !*r => *r = true,
            _ => continue,
        }
        if waived.get(i).copied().unwrap_or(false) {
            continue;
        }
        if let Some(NodeKind::Composite { children, .. }) = graph.node(i).map(|n| &n.kind) {
            stack.extend(children.iter().map(|(c, _)| *c));
        }
    }
    (reached, waived)
}

pub(crate) fn edge_weight(bound: &BoundProfile, p: usize, c: usize, w: f64) -> f64 {
    if bound.overrides.is_empty() {
        return w;
    }
    bound.overrides.get(&(p, c)).copied().unwrap_or(w)
}

/// Aggregates leaf values bottom-up over the reached nodes.
pub(crate) fn aggregate(
    graph: &Graph,
    bound: &BoundProfile,
    reached: &[bool],
    waived: &[bool],
    leaf: &dyn Fn(usize) -> Val,
) -> Vec<Val> {
    let mut vals = vec![Val::Excluded; graph.len()];
    for &i in graph.topo() {
        if !reached.get(i).copied().unwrap_or(false) || waived.get(i).copied().unwrap_or(false) {
            continue;
        }
        let v = match graph.node(i).map(|n| &n.kind) {
            Some(NodeKind::Leaf { .. }) => leaf(i),
            Some(NodeKind::Composite {
                aggregate,
                children,
            }) => {
                let items = children.iter().filter_map(|&(c, w)| {
                    vals.get(c)
                        .and_then(|v| v.bounds())
                        .map(|b| (edge_weight(bound, i, c, w), b))
                });
                combine(*aggregate, items)
            }
            None => Val::Excluded,
        };
        if let Some(slot) = vals.get_mut(i) {
            *slot = v;
        }
    }
    vals
}

/// Combines children that apply: (edge weight, (lo, hi)).
///
/// Each aggregate keeps only the sums it uses (a weighted mean no minimum, an `all` no sum):
/// every kept sum takes the same operations in the same order, so the result is the same to
/// the bit with fewer float operations per child (a report combines a few thousand children,
/// most of them in its questions' lifts).
#[inline]
pub(crate) fn combine(agg: Aggregate, items: impl Iterator<Item = (f64, (f64, f64))>) -> Val {
    match agg {
        Aggregate::Weighted => {
            let (mut any, mut wsum, mut lo_acc, mut hi_acc) = (false, 0.0, 0.0, 0.0);
            for (w, (lo, hi)) in items {
                any = true;
                wsum += w;
                lo_acc += w * lo;
                hi_acc += w * hi;
            }
            // Children that apply but all weigh 0 carry no information: the node drops out.
            if !any || wsum <= 0.0 {
                return Val::Excluded;
            }
            Val::Iv(
                (lo_acc / wsum).clamp(0.0, 1.0),
                (hi_acc / wsum).clamp(0.0, 1.0),
            )
        }
        Aggregate::All => extremes(items, f64::INFINITY, f64::min),
        Aggregate::Any => extremes(items, f64::NEG_INFINITY, f64::max),
    }
}

/// The least (`all`) or the most (`any`) of the children's bounds, each folded from `start`;
/// excluded when no child applies.
#[inline]
fn extremes(
    items: impl Iterator<Item = (f64, (f64, f64))>,
    start: f64,
    pick: impl Fn(f64, f64) -> f64,
) -> Val {
    items
        .fold(None, |m, (_, (lo, hi))| {
            let (l, h) = m.unwrap_or((start, start));
            Some((pick(l, lo), pick(h, hi)))
        })
        .map_or(Val::Excluded, |(l, h)| Val::Iv(l, h))
}

/// [`combine`] for children that are all points (edge weight, value), as in a lift: the
/// same arithmetic on one bound, since the other is the same number (so the result is the
/// point [`combine`] gives, to the bit).
#[inline]
pub(crate) fn combine_points(agg: Aggregate, items: impl Iterator<Item = (f64, f64)>) -> Val {
    match agg {
        Aggregate::Weighted => {
            let (mut any, mut wsum, mut acc) = (false, 0.0, 0.0);
            for (w, x) in items {
                any = true;
                wsum += w;
                acc += w * x;
            }
            if !any || wsum <= 0.0 {
                return Val::Excluded;
            }
            let x = (acc / wsum).clamp(0.0, 1.0);
            Val::Iv(x, x)
        }
        Aggregate::All => extreme_point(items, f64::INFINITY, f64::min),
        Aggregate::Any => extreme_point(items, f64::NEG_INFINITY, f64::max),
    }
}

/// [`extremes`] of points.
#[inline]
fn extreme_point(
    items: impl Iterator<Item = (f64, f64)>,
    start: f64,
    pick: impl Fn(f64, f64) -> f64,
) -> Val {
    items
        .fold(None, |m, (_, x)| Some(pick(m.unwrap_or(start), x)))
        .map_or(Val::Excluded, |x| Val::Iv(x, x))
}

pub(crate) fn root_val(bound: &BoundProfile, vals: &[Val]) -> Val {
    combine(
        Aggregate::Weighted,
        bound
            .roots
            .iter()
            .filter_map(|&(i, w)| vals.get(i).and_then(|v| v.bounds()).map(|b| (w, b))),
    )
}

/// The reached, non-excluded leaves under `start` (inclusive).
pub(crate) fn leaves_under(graph: &Graph, start: usize, vals: &[Val]) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    let mut seen = vec![false; graph.len()];
    let mut stack = Vec::with_capacity(graph.len());
    stack.push(start);
    while let Some(i) = stack.pop() {
        match seen.get_mut(i) {
            Some(s) if !*s => *s = true,
            _ => continue,
        }
        if vals.get(i).and_then(|v| v.bounds()).is_none() {
            continue;
        }
        match graph.node(i).map(|n| &n.kind) {
            Some(NodeKind::Leaf { .. }) => {
                out.insert(i);
            }
            Some(NodeKind::Composite { children, .. }) => {
                stack.extend(children.iter().map(|(c, _)| *c))
            }
            None => {}
        }
    }
    out
}
