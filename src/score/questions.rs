//! Questions to send the provider: every unknown, stale or weakly assured fact an applicable
//! requirement reads, with its swing (the fit points a favourable answer adds, the other open
//! questions held unfavourable), the gates it bears on, and its impact per requirement and per
//! framework. Questions that can settle a gate come first, then by swing (docs/scoring.md,
//! "Questions").

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::evidence::vocabulary::{FactSpec, FactType, Vocabulary};
use crate::evidence::{FactValue, Status};
use crate::graph::catalog::Aggregate;
use crate::graph::{Graph, NodeKind};
use crate::input::sorted::take_key;
use crate::rules::{Lapse, Outcome, OutcomeStatus};
use crate::score::interval::{combine_points, edge_weight, leaves_under, root_val, Val};
use crate::score::model::{
    AnswerKind, AskReason, GateState, Held, HeldHow, Impact, Move, Question,
};
use crate::score::weights::root_shares;
use crate::score::{round6, BoundProfile, Scored, EPS};

/// Node flags that are set for a few nodes and cleared again, at the cost of the nodes set
/// rather than of the graph: a lift or a `held` walk touches a handful of ancestors.
#[derive(Default)]
struct Marks {
    on: Vec<bool>,
    set: Vec<usize>,
}

impl Marks {
    fn new(n: usize) -> Marks {
        Marks {
            on: vec![false; n],
            set: Vec::new(),
        }
    }

    fn get(&self, i: usize) -> bool {
        self.on.get(i).copied().unwrap_or(false)
    }

    /// Sets `i`; false when it was set already (or is out of range).
    fn set(&mut self, i: usize) -> bool {
        match self.on.get_mut(i) {
            Some(x) if !*x => {
                *x = true;
                self.set.push(i);
                true
            }
            _ => false,
        }
    }

    fn clear(&mut self) {
        for &i in &self.set {
            if let Some(x) = self.on.get_mut(i) {
                *x = false;
            }
        }
        self.set.clear();
    }
}

/// Marks every node `from` and its ancestors reach through parents that `keep` accepts,
/// writing the ancestors found (not `from` itself) into `found`, in no particular order.
fn ancestors(
    graph: &Graph,
    from: &[usize],
    keep: impl Fn(usize) -> bool,
    seen: &mut Marks,
    stack: &mut Vec<usize>,
    found: &mut Vec<usize>,
) {
    found.clear();
    stack.clear();
    stack.extend_from_slice(from);
    while let Some(c) = stack.pop() {
        for &p in graph.parents(c) {
            if keep(p) && seen.set(p) {
                found.push(p);
                stack.push(p);
            }
        }
    }
}

/// The buffers a lift writes, kept between lifts so that none allocates or copies a graph's
/// worth; made by [`Lift::buffers`] (the empty default is only a placeholder).
#[derive(Default)]
pub(super) struct Lifted {
    pub(super) vals: Vec<Val>,
    dirty: Marks,
    seen: Marks,
    stack: Vec<usize>,
    found: Vec<usize>,
    /// The nodes the last lift wrote: the next one puts only these back to their points.
    touched: Vec<usize>,
}

/// The kind of answer each fact of a vocabulary takes, built once per engine: a question then
/// shares its fact's list of allowed values instead of copying it (copying the country codes
/// was a tenth of a report).
#[derive(Clone, Debug, Default)]
pub struct AnswerKinds(BTreeMap<String, AnswerKind>);

impl AnswerKinds {
    /// The answer kinds of every fact in `vocab`.
    pub fn of(vocab: &Vocabulary) -> AnswerKinds {
        AnswerKinds(
            vocab
                .keys()
                .filter_map(|k| Some((k.to_owned(), answer_kind(Some(vocab.get(k)?)))))
                .collect(),
        )
    }
}

/// What kind of answer a fact takes (text when the vocabulary does not know it).
fn answer_kind(spec: Option<&FactSpec>) -> AnswerKind {
    AnswerKind {
        ty: spec.map_or(FactType::Text, |s| s.ty),
        values: spec
            .map(|s| Arc::from(s.values.as_slice()))
            .unwrap_or_default(),
        unit: spec.and_then(|s| s.unit.clone()),
    }
}

/// One scored pass, to lift leaves against.
pub(super) struct Lift<'a> {
    scored: &'a Scored,
    fit_lo: f64,
    /// Every value as the point of its lower bound: a lift's starting point.
    points: Vec<Val>,
}

impl<'a> Lift<'a> {
    pub(super) fn new(scored: &'a Scored) -> Lift<'a> {
        Lift {
            scored,
            fit_lo: scored.fit_lo,
            points: scored
                .vals
                .iter()
                .map(|v| match v {
                    Val::Iv(lo, _) => Val::Iv(*lo, *lo),
                    Val::Excluded => Val::Excluded,
                })
                .collect(),
        }
    }

    /// Buffers for [`Lift::lift`], holding every node at the point of its lower bound.
    pub(super) fn buffers(&self) -> Lifted {
        let n = self.points.len();
        // Room for every node in each list, so the first lifts do not grow them by doubling.
        Lifted {
            vals: self.points.clone(),
            dirty: Marks::new(n),
            seen: Marks::new(n),
            stack: Vec::with_capacity(n),
            found: Vec::with_capacity(n),
            touched: Vec::with_capacity(n),
        }
    }

    /// Every node's value with the `lifted` leaves at their hi and every other leaf at its lo
    /// (so every value is a point), into `out.vals`.
    ///
    /// A composite's lo depends only on its children's lo (and on which of them apply, which
    /// lifting does not change), so only the ancestors of the lifted leaves are recomputed, in
    /// topological order with the arithmetic of aggregation; every other node is its current
    /// lo as a point. The result is bit-identical to aggregating the whole lifted graph, at a
    /// fraction of the cost: a report lifts once per question and once per leaf a question
    /// reads.
    pub(super) fn lift(
        &self,
        graph: &Graph,
        bound: &BoundProfile,
        lifted: &[usize],
        out: &mut Lifted,
    ) {
        let s = self.scored;
        // Start from every node at its lo. Buffers from `self.buffers()` hold the points but
        // for the nodes the last lift wrote, so only those are put back.
        for &i in &out.touched {
            if let (Some(slot), Some(p)) = (out.vals.get_mut(i), self.points.get(i)) {
                *slot = *p;
            }
        }
        out.touched.clear();
        for &i in lifted {
            if let (Some(Val::Iv(_, hi)), Some(slot)) = (s.vals.get(i), out.vals.get_mut(i)) {
                *slot = Val::Iv(*hi, *hi);
                out.dirty.set(i);
                out.touched.push(i);
            }
        }
        // Only a live composite above a lifted leaf can change, and it changes when one of
        // its children did: recompute those in topological order, children first.
        let mut order = std::mem::take(&mut out.found);
        ancestors(
            graph,
            &out.dirty.set,
            |p| s.is_live(p),
            &mut out.seen,
            &mut out.stack,
            &mut order,
        );
        order.sort_unstable_by_key(|&p| graph.rank(p));
        for &i in &order {
            let Some(NodeKind::Composite {
                aggregate,
                children,
            }) = graph.node(i).map(|n| &n.kind)
            else {
                continue;
            };
            // Every node in `order` has a child that changed: a lifted leaf, or an ancestor
            // of one recomputed before it (children come first), so none is skipped.
            let current = &out.vals;
            let v = combine_points(
                *aggregate,
                children.iter().filter_map(|&(c, w)| {
                    current
                        .get(c)
                        .and_then(|v| v.bounds())
                        .map(|(lo, _)| (edge_weight(bound, i, c, w), lo))
                }),
            );
            if let Some(slot) = out.vals.get_mut(i) {
                *slot = v;
            }
            out.dirty.set(i);
            out.touched.push(i);
        }
        out.found = order;
        out.dirty.clear();
        out.seen.clear();
    }

    /// Fit points gained over the current fit by lifted values.
    fn gain(&self, bound: &BoundProfile, lifted_vals: &[Val]) -> f64 {
        let lo = root_val(bound, lifted_vals).bounds().map_or(0.0, |b| b.0);
        (100.0 * (lo - self.fit_lo)).max(0.0)
    }
}

fn lo_of(vals: &[Val], i: usize) -> f64 {
    vals.get(i).and_then(|v| v.bounds()).map_or(0.0, |b| b.0)
}

/// A fact worth asking about: why, its status and current value, and the leaves that read it.
struct Ask {
    /// The fact's key, shared with the fact table's record.
    key: Arc<str>,
    reason: AskReason,
    status: Status,
    current: Option<FactValue>,
    lapse: Option<Lapse>,
    /// For an assurance question: the strongest level an open gate above it asks for.
    need: Option<Status>,
    /// Sorted, without repeats.
    leaves: Vec<usize>,
}

/// A must-have's subtree: (id, state, minimum assurance, its leaves, and the same as a flag
/// per node).
type GateLeaves = (
    Arc<str>,
    GateState,
    Option<Status>,
    BTreeSet<usize>,
    Vec<bool>,
);

/// A root framework's subtree: (id, node, share of the fit, a flag per node for its leaves).
type RootLeaves = (Arc<str>, usize, f64, Vec<bool>);

/// A flag per node for the nodes in `set`: asking whether a question's few leaves touch a
/// subtree is then a lookup per leaf, not a walk over both sets.
fn flags(n: usize, set: &BTreeSet<usize>) -> Vec<bool> {
    let mut on = vec![false; n];
    for &i in set {
        if let Some(x) = on.get_mut(i) {
            *x = true;
        }
    }
    on
}

/// A flag per node for the nodes under `start` (inclusive) that are reached and not excluded,
/// without collecting them: a root framework's flags are only asked about its leaves, and the
/// leaves flagged are those of [`leaves_under`].
fn subtree_flags(graph: &Graph, start: usize, vals: &[Val]) -> Vec<bool> {
    let mut on = vec![false; graph.len()];
    let mut stack = Vec::with_capacity(graph.len());
    stack.push(start);
    while let Some(i) = stack.pop() {
        if on.get(i).copied().unwrap_or(true) || vals.get(i).and_then(|v| v.bounds()).is_none() {
            continue;
        }
        if let Some(x) = on.get_mut(i) {
            *x = true;
        }
        if let Some(NodeKind::Composite { children, .. }) = graph.node(i).map(|n| &n.kind) {
            stack.extend(children.iter().map(|(c, _)| *c));
        }
    }
    on
}

/// True when one of `leaves` is flagged in `subtree`.
fn touches<'l>(subtree: &[bool], mut leaves: impl Iterator<Item = &'l usize>) -> bool {
    leaves.any(|&i| subtree.get(i).copied().unwrap_or(false))
}

/// Every fact to ask about, by key: the unknown and stale facts applicable checks read, then
/// the known facts under open gates whose assurance is below the gate's minimum.
fn collect_asks<'o, O: Borrow<Outcome>>(
    vals: &[Val],
    outcomes: &'o BTreeMap<usize, O>,
    gate_leaves: &[GateLeaves],
) -> BTreeMap<&'o str, Ask> {
    // Keyed by the outcomes' own strings: a fact read by several checks is copied once, into
    // its question.
    let mut asks: BTreeMap<&'o str, Ask> = BTreeMap::new();
    for (&i, o) in outcomes {
        if vals.get(i).and_then(|v| v.bounds()).is_none() {
            continue;
        }
        for f in &o.borrow().facts {
            if f.known {
                continue;
            }
            let reason = match &f.lapse {
                Some(Lapse::OutOfScope { .. }) => AskReason::OutOfScope,
                Some(Lapse::Expired { .. }) => AskReason::Expired,
                Some(Lapse::TooOld { .. }) => AskReason::Stale,
                None => AskReason::Unknown,
            };
            let e = asks.entry(&*f.key).or_insert_with(|| Ask {
                key: f.key.clone(),
                reason,
                status: f.status,
                current: f.lapse.as_ref().and(f.value.clone()),
                lapse: f.lapse.clone(),
                need: None,
                leaves: Vec::new(),
            });
            e.leaves.push(i);
        }
    }
    for (_, state, min, leaves, _) in gate_leaves {
        let (GateState::Open, Some(min)) = (state, min) else {
            continue;
        };
        for i in leaves {
            for f in outcomes
                .get(i)
                .map(|o| o.borrow().facts.as_slice())
                .unwrap_or_default()
            {
                if f.known && f.status.rank() < min.rank() {
                    let e = asks.entry(&*f.key).or_insert_with(|| Ask {
                        key: f.key.clone(),
                        reason: AskReason::WeakAssurance,
                        status: f.status,
                        current: f.value.clone(),
                        lapse: None,
                        need: None,
                        leaves: Vec::new(),
                    });
                    if e.need.is_none_or(|n| n.rank() < min.rank()) {
                        e.need = Some(*min);
                    }
                    e.leaves.push(*i);
                }
            }
        }
    }
    // The first pass adds leaves in index order; the must-haves' pass may add them out of
    // order and again.
    for ask in asks.values_mut() {
        ask.leaves.sort_unstable();
        ask.leaves.dedup();
    }
    asks
}

/// The questions of one scored pass, most important first.
pub(crate) fn questions<O: Borrow<Outcome>>(
    graph: &Graph,
    bound: &BoundProfile,
    scored: &Scored,
    outcomes: &BTreeMap<usize, O>,
    vocab: &Vocabulary,
    answers: &AnswerKinds,
) -> Vec<Question> {
    let vals = &scored.vals;
    let gate_leaves: Vec<GateLeaves> = bound
        .gates
        .iter()
        .filter_map(|(g, gate)| {
            let state = scored.gates.iter().find(|r| r.id == gate.id)?.state;
            let leaves = leaves_under(graph, *g, vals);
            let on = flags(graph.len(), &leaves);
            // A gate is bound to the node of its id: the graph's shared id names it.
            Some((
                graph.node(*g)?.id.clone(),
                state,
                gate.min_assurance,
                leaves,
                on,
            ))
        })
        .collect();
    let root_leaves: Vec<RootLeaves> = bound
        .roots
        .iter()
        .zip(root_shares(bound, vals))
        .filter_map(|(&(r, _), share)| {
            Some((
                graph.node(r)?.id.clone(),
                r,
                share,
                subtree_flags(graph, r, vals),
            ))
        })
        .collect();
    let asks = collect_asks(vals, outcomes, &gate_leaves);
    let lift = Lift::new(scored);
    let mut open = vec![false; graph.len()];
    for (&i, o) in outcomes {
        if let Some(x) = open.get_mut(i) {
            *x = matches!(
                o.borrow().status,
                OutcomeStatus::Unknown | OutcomeStatus::Error
            );
        }
    }
    let mut ctx = QuestionCtx {
        graph,
        bound,
        lift: &lift,
        gate_leaves: &gate_leaves,
        root_leaves: &root_leaves,
        open,
        below_all_or_any: below_all_or_any(graph, vals),
        // A requirement read by several unknown facts is lifted alone once, not once per fact.
        alone_gains: vec![None; graph.len()],
        lifted: lift.buffers(),
        movable: Vec::new(),
        alone: lift.buffers(),
    };
    // The facts asked about, the vocabulary and the answer kinds are all sorted by key: one
    // pass over each finds every question's spec and kind.
    let mut specs = vocab.iter().peekable();
    let mut kinds = answers.0.iter().peekable();
    let mut out: Vec<Option<Question>> = asks
        .into_iter()
        .map(|(key, ask)| {
            let spec = take_key(&mut specs, key);
            let kind = take_key(&mut kinds, key);
            Some(ctx.question(ask, spec, kind))
        })
        .collect();
    // A question whose checks are already decided on other facts can only confirm: it
    // comes after every question an answer can still move. Questions come in fact order, so
    // their place breaks ties by fact; sorting places rather than questions moves no question
    // more than once.
    let mut order: Vec<(bool, bool, f64, usize)> = out
        .iter()
        .enumerate()
        .filter_map(|(k, q)| q.as_ref().map(|q| (q.gate, q.settled, q.swing, k)))
        .collect();
    order.sort_unstable_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| a.1.cmp(&b.1))
            .then_with(|| b.2.total_cmp(&a.2))
            .then_with(|| a.3.cmp(&b.3))
    });
    // Sized first: a question is large, and growing the list by doubling copied each one
    // made so far again.
    let mut sorted = Vec::with_capacity(order.len());
    sorted.extend(
        order
            .iter()
            .filter_map(|&(.., k)| out.get_mut(k).and_then(Option::take)),
    );
    sorted
}

/// A flag per node: true when the node or one of its ancestors (through any parent) is an
/// `all` or `any` composite that applies, so that [`held`], which names only those, can be
/// skipped for a question whose leaves have none above them.
pub(super) fn below_all_or_any(graph: &Graph, vals: &[Val]) -> Vec<bool> {
    let mut on = vec![false; graph.len()];
    // Parents come before their children in the reverse of the topological order.
    for &i in graph.topo().iter().rev() {
        let own = matches!(
            graph.node(i).map(|n| &n.kind),
            Some(NodeKind::Composite { aggregate, .. }) if *aggregate != Aggregate::Weighted
        ) && vals.get(i).and_then(|v| v.bounds()).is_some();
        let above = graph
            .parents(i)
            .iter()
            .any(|&p| on.get(p).copied().unwrap_or(false));
        if let Some(x) = on.get_mut(i) {
            *x = own || above;
        }
    }
    on
}

/// The `all` and `any` requirements above `leaves` that a favourable answer does not carry:
/// an `all` whose other children stay below what the answer gives, an `any` whose other
/// children already give as much.
fn held(
    graph: &Graph,
    vals: &[Val],
    lifted: &[Val],
    leaves: &[usize],
    scratch: &mut Lifted,
) -> Vec<Held> {
    // The nodes whose subtree holds one of `leaves` (the leaves included).
    let on = &mut scratch.seen;
    for &i in leaves {
        on.set(i);
    }
    let mut above = std::mem::take(&mut scratch.found);
    ancestors(graph, leaves, |_| true, on, &mut scratch.stack, &mut above);
    // Node indices are in id order, which is the order `held` lists them in.
    above.sort_unstable();
    let on = &scratch.seen;
    let mut out = Vec::new();
    for &i in &above {
        let Some(node) = graph.node(i) else {
            continue;
        };
        let NodeKind::Composite {
            aggregate,
            children,
        } = &node.kind
        else {
            continue;
        };
        // A weighted requirement follows every child in proportion: nothing holds it.
        if *aggregate == Aggregate::Weighted || vals.get(i).and_then(|v| v.bounds()).is_none() {
            continue;
        }
        let applies = |c: usize| lifted.get(c).and_then(|v| v.bounds()).map(|b| b.0);
        // Over the children that apply: the least and the most the answer's own give, and
        // the least the others give.
        let (mut ours, mut best_all, mut best_any, mut low) =
            (false, f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY);
        for &(c, _) in children {
            match applies(c) {
                Some(v) if on.get(c) => {
                    ours = true;
                    best_all = best_all.min(v);
                    best_any = best_any.max(v);
                }
                Some(v) => low = low.min(v),
                None => {}
            }
        }
        if !ours {
            continue;
        }
        let (how, holds): (HeldHow, &dyn Fn(f64) -> bool) = match aggregate {
            Aggregate::All => (HeldHow::All, &|v| v + EPS < best_all && v <= low + EPS),
            Aggregate::Any => (HeldHow::Any, &|v| v + EPS >= best_any),
            Aggregate::Weighted => continue,
        };
        let by: Vec<Arc<str>> = children
            .iter()
            .filter(|&&(c, _)| !on.get(c))
            .filter(|&&(c, _)| applies(c).is_some_and(holds))
            .filter_map(|&(c, _)| graph.node(c).map(|n| n.id.clone()))
            .collect();
        if !by.is_empty() {
            out.push(Held {
                id: node.id.clone(),
                how,
                by,
            });
        }
    }
    scratch.found = above;
    scratch.seen.clear();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The document to ask for with an answer, when the fact needs more assurance than the
/// provider's word gives it: a document establishes it (the vocabulary names one: a signed
/// agreement, an audit report, a certificate), what we have lapsed (asked again: the current
/// one), or a must-have it bears on needs more than `claimed`. A fact a third party reported,
/// under must-haves that accept the provider's word, is only to be confirmed.
fn document(spec: Option<&FactSpec>, reason: AskReason, needs: Option<Status>) -> Option<Arc<str>> {
    if let Some(d) = spec.and_then(|s| s.document.clone()) {
        return Some(d);
    }
    let stronger = needs.is_some_and(|n| n.rank() > Status::Claimed.rank());
    match reason {
        AskReason::Stale | AskReason::Expired | AskReason::OutOfScope => {
            Some("the current version of the document it rests on".into())
        }
        _ if stronger => Some(
            "a document we can check: the contract clause, audit report or certificate that states it"
                .into(),
        ),
        _ => None,
    }
}

/// What building each question needs, and the lifts already done.
struct QuestionCtx<'a> {
    graph: &'a Graph,
    bound: &'a BoundProfile,
    lift: &'a Lift<'a>,
    gate_leaves: &'a [GateLeaves],
    root_leaves: &'a [RootLeaves],
    /// Per node: true for a leaf whose outcome is open (unknown or error).
    open: Vec<bool>,
    /// Per node: true when it or an ancestor is an `all` or `any` that applies, the only
    /// requirements [`held`] can name.
    below_all_or_any: Vec<bool>,
    alone_gains: Vec<Option<f64>>,
    /// The question's lift.
    lifted: Lifted,
    /// The leaves the question's answer can move (kept between questions).
    movable: Vec<usize>,
    /// A requirement's lift on its own.
    alone: Lifted,
}

impl QuestionCtx<'_> {
    /// The question on `key`, with the fact's spec and kind of answer when the vocabulary has
    /// them.
    fn question(
        &mut self,
        ask: Ask,
        spec: Option<&FactSpec>,
        kind: Option<&AnswerKind>,
    ) -> Question {
        let (graph, bound, vals) = (self.graph, self.bound, &self.lift.scored.vals);
        let Ask {
            key,
            reason,
            status,
            current,
            lapse,
            need,
            leaves,
        } = ask;
        // An answer moves only a check it can still change: one whose outcome is open (its
        // claim is unknown or errored) or, for an assurance question, one it would confirm. A
        // check already decided on other facts keeps its interval whatever this fact says.
        // Sorted, as `leaves` is.
        let mut movable = std::mem::take(&mut self.movable);
        movable.clear();
        movable.extend(leaves.iter().copied().filter(|&i| {
            reason == AskReason::WeakAssurance || self.open.get(i).copied().unwrap_or(false)
        }));
        let mut lifted = std::mem::take(&mut self.lifted);
        self.lift.lift(graph, bound, &movable, &mut lifted);
        let lifted_vals = &lifted.vals;
        let swing = self.lift.gain(bound, lifted_vals);
        let requirement_moves = self.requirement_moves(&leaves, &movable, swing);
        // Framework swings add up to the question's swing, because the root is the
        // share-weighted mean of the frameworks' lower bounds.
        let framework_moves: Vec<Move> = self
            .root_leaves
            .iter()
            .filter(|(.., rl)| touches(rl, leaves.iter()))
            .map(|(id, r, share, _)| {
                let (from, to) = (lo_of(vals, *r), lo_of(lifted_vals, *r));
                Move {
                    id: id.clone(),
                    from: round6(100.0 * from),
                    to: round6(100.0 * to),
                    swing: round6((100.0 * share * (to - from)).max(0.0)),
                }
            })
            .collect();
        // The open must-haves the answer bears on, and the strongest assurance they ask for
        // (the last of equal ranks, as `max_by_key` would take).
        let mut gate_ids: Vec<Arc<str>> = Vec::new();
        let mut needs: Option<Status> = None;
        for (id, state, min, _, gl) in self.gate_leaves {
            if *state == GateState::Open && touches(gl, movable.iter()) {
                gate_ids.push(id.clone());
                if let Some(m) = *min {
                    if needs.is_none_or(|n| m.rank() >= n.rank()) {
                        needs = Some(m);
                    }
                }
            }
        }
        // Nothing the answer can change: every check reading the fact is decided on others.
        let settled = movable.is_empty();
        // Most leaves sit under weighted requirements only, which nothing holds: their walk
        // up the graph would find nothing.
        let held = if movable
            .iter()
            .any(|&i| self.below_all_or_any.get(i).copied().unwrap_or(false))
        {
            held(graph, vals, lifted_vals, &movable, &mut self.alone)
        } else {
            Vec::new()
        };
        self.lifted = lifted;
        self.movable = movable;
        let text = ask_text(spec, &key, reason, lapse.as_ref(), need);
        let answer = match kind {
            Some(a) => a.clone(),
            None => answer_kind(spec),
        };
        let document = document(spec, reason, needs);
        Question {
            fact: key,
            ask: text,
            question: spec.map_or_else(|| Arc::from(""), |s| s.question.clone()),
            swing: round6(swing),
            gate: !gate_ids.is_empty(),
            gates: gate_ids,
            requirements: leaves
                .iter()
                .filter_map(|&i| graph.node(i).map(|n| n.id.clone()))
                .collect(),
            frameworks: framework_moves.iter().map(|m| m.id.clone()).collect(),
            reason,
            current,
            status,
            answer,
            document,
            settled,
            held,
            impact: Impact {
                requirements: requirement_moves,
                frameworks: framework_moves,
            },
        }
    }

    /// Each requirement that reads the fact, lifted on its own (one the answer cannot move
    /// stays where it is).
    fn requirement_moves(&mut self, leaves: &[usize], movable: &[usize], swing: f64) -> Vec<Move> {
        let (graph, bound, vals) = (self.graph, self.bound, &self.lift.scored.vals);
        leaves
            .iter()
            .filter_map(|&i| {
                let (lo, hi) = vals.get(i).and_then(|v| v.bounds())?;
                if movable.binary_search(&i).is_err() {
                    return Some(Move {
                        id: graph.node(i)?.id.clone(),
                        from: round6(100.0 * lo),
                        to: round6(100.0 * lo),
                        swing: 0.0,
                    });
                }
                let gain = match self.alone_gains.get(i).copied().flatten() {
                    Some(g) => g,
                    // Lifting the question's only movable leaf is the lift just done.
                    None if movable.len() == 1 => swing,
                    None => {
                        self.lift.lift(graph, bound, &[i], &mut self.alone);
                        self.lift.gain(bound, &self.alone.vals)
                    }
                };
                if let Some(slot) = self.alone_gains.get_mut(i) {
                    *slot = Some(gain);
                }
                Some(Move {
                    id: graph.node(i)?.id.clone(),
                    from: round6(100.0 * lo),
                    to: round6(100.0 * hi),
                    swing: round6(gain),
                })
            })
            .collect()
    }
}

/// What the provider is asked about a fact: the vocabulary's question, and why it is asked
/// again when we have an answer that has lapsed or is too weak.
fn ask_text(
    spec: Option<&FactSpec>,
    key: &str,
    reason: AskReason,
    lapse: Option<&Lapse>,
    need: Option<Status>,
) -> Arc<str> {
    // Most questions ask the vocabulary's question as it is: that one is shared.
    if let (Some(s), AskReason::Unknown) = (spec, reason) {
        return s.ask.clone();
    }
    let mut text = spec.map_or_else(|| format!("What is `{key}`?"), |s| s.ask.to_string());
    match (reason, lapse) {
        (AskReason::Expired, Some(Lapse::Expired { on, .. })) => text.push_str(&format!(
            " The document we have expired on {on}: please send the current one."
        )),
        (AskReason::OutOfScope, Some(Lapse::OutOfScope { covers, missing })) => {
            text.push_str(&format!(
                " What we have covers {} only: does it hold for the {} services we would use?",
                covers.join(", "),
                missing.join(", ")
            ))
        }
        (AskReason::Stale | AskReason::Expired | AskReason::OutOfScope, _) => {
            text.push_str(" (our information is out of date)")
        }
        (AskReason::WeakAssurance, _) if need == Some(Status::Claimed) => {
            text.push_str(" We have this only from a third party: please confirm it.")
        }
        (AskReason::WeakAssurance, _) => text.push_str(
            " Please send independent evidence (an audit report, certificate or signed contract).",
        ),
        (AskReason::Unknown, _) => {}
    }
    text.into()
}
