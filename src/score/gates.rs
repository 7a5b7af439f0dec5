//! Must-haves and the verdict: a gate is met when its requirement's lower bound reaches the
//! minimum with enough assurance, failed when its upper bound cannot, open otherwise; the
//! verdict follows from the gates and the fit's band (docs/scoring.md, "Gates and verdict").

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use crate::evidence::Status;
use crate::graph::Graph;
use crate::profile::Gate;
use crate::rules::{Outcome, OutcomeStatus};
use crate::score::interval::{leaves_under, Val};
use crate::score::model::{GateResult, GateState, Verdict};
use crate::score::{round6, BoundProfile, EPS};

/// The state of one must-have, with the sentence that says why.
pub(crate) fn gate_result<O: Borrow<Outcome>>(
    graph: &Graph,
    g: usize,
    gate: &Gate,
    vals: &[Val],
    waived: &[bool],
    bound: &BoundProfile,
    outcomes: &BTreeMap<usize, O>,
) -> GateResult {
    let title = graph
        .node(g)
        .map(|n| n.req.title.clone())
        .unwrap_or_default();
    let mut r = GateResult {
        id: gate.id.clone(),
        title,
        state: GateState::Met,
        reason: String::new(),
        basis: gate.reason.clone(),
        min: gate.min,
        min_assurance: gate.min_assurance,
        lo: 0.0,
        hi: 0.0,
    };
    let Some((lo, hi)) = vals.get(g).and_then(|v| v.bounds()) else {
        r.reason = excluded_reason(g, waived, bound, outcomes);
        return r;
    };
    r.lo = round6(lo);
    r.hi = round6(hi);
    let leaves = leaves_under(graph, g, vals);
    let notes = |pred: &dyn Fn(&Outcome) -> bool| notes_of(&leaves, outcomes, pred);
    if hi < gate.min - EPS {
        let hearsay = third_party_no(&leaves, outcomes);
        let notes = notes(&|o| matches!(o.status, OutcomeStatus::Fail | OutcomeStatus::Partial));
        if hearsay.is_empty() {
            r.state = GateState::Failed;
            r.reason = if notes.is_empty() {
                format!("cannot reach the required {}: at most {:.2}", gate.min, hi)
            } else {
                notes.join("; ")
            };
        } else {
            // A third party's "no" is a reason to ask, not to rule the provider out.
            r.state = GateState::Open;
            let what = if notes.is_empty() {
                format!("at most {hi:.2} of the required {}", gate.min)
            } else {
                notes.join("; ")
            };
            r.reason = format!(
                "{what}; only a third party says so ({}), so the provider's own answer decides",
                hearsay.join(", ")
            );
        }
    } else if lo >= gate.min - EPS {
        let weak = weak_facts(gate, &leaves, outcomes);
        if weak.is_empty() {
            r.reason = met_reason(&notes);
        } else {
            r.state = GateState::Open;
            r.reason = format!(
                "{}; this must-have needs {} evidence or better",
                weak.join(", "),
                gate.min_assurance.map_or("known", |s| s.as_str())
            );
        }
    } else {
        r.state = GateState::Open;
        let notes = notes(&|o| matches!(o.status, OutcomeStatus::Unknown | OutcomeStatus::Error));
        r.reason = if notes.is_empty() {
            format!("at least {:.2} of the required {} so far", lo, gate.min)
        } else {
            notes.join("; ")
        };
    }
    r
}

/// Why a gate whose requirement drops out (waived, or not applicable) is met.
fn excluded_reason<O: Borrow<Outcome>>(
    g: usize,
    waived: &[bool],
    bound: &BoundProfile,
    outcomes: &BTreeMap<usize, O>,
) -> String {
    if waived.get(g).copied().unwrap_or(false) {
        return bound
            .waivers
            .iter()
            .find(|(i, _)| *i == g)
            .map(|(_, w)| {
                format!(
                    "waived until {} by {}: {}",
                    w.expires, w.approved_by, w.reason
                )
            })
            .unwrap_or_else(|| "waived".into());
    }
    let note = outcomes
        .get(&g)
        .map(|o| &*o.borrow().note)
        .filter(|n| !n.is_empty());
    format!(
        "does not apply{}",
        note.map(|n| format!(": {n}")).unwrap_or_default()
    )
}

/// The notes of the checks under a gate whose outcome matches `pred`, in leaf order.
fn notes_of<'o, O: Borrow<Outcome>>(
    leaves: &BTreeSet<usize>,
    outcomes: &'o BTreeMap<usize, O>,
    pred: &dyn Fn(&Outcome) -> bool,
) -> Vec<&'o str> {
    leaves
        .iter()
        .filter_map(|i| {
            outcomes
                .get(i)
                .map(Borrow::borrow)
                .filter(|o| pred(o))
                .map(|o| &*o.note)
        })
        .filter(|n| !n.is_empty())
        .collect()
}

/// The known facts under a gate whose status is below the gate's `min_assurance`, as phrases.
fn weak_facts<O: Borrow<Outcome>>(
    gate: &Gate,
    leaves: &BTreeSet<usize>,
    outcomes: &BTreeMap<usize, O>,
) -> Vec<String> {
    let Some(min) = gate.min_assurance else {
        return Vec::new();
    };
    let mut w: Vec<String> = leaves
        .iter()
        .filter_map(|i| outcomes.get(i))
        .flat_map(|o| o.borrow().facts.iter())
        .filter(|f| f.known && f.status.rank() < min.rank())
        .map(|f| format!("`{}` is only {}", f.key, f.status))
        .collect();
    w.sort();
    w.dedup();
    w
}

/// The notes of a gate's checks whose outcome matches a predicate.
type Notes<'a> = dyn Fn(&dyn Fn(&Outcome) -> bool) -> Vec<&'a str> + 'a;

/// The facts below `claimed` that the failing checks under a gate rest on, as phrases.
fn third_party_no<O: Borrow<Outcome>>(
    leaves: &BTreeSet<usize>,
    outcomes: &BTreeMap<usize, O>,
) -> Vec<String> {
    let mut w: Vec<String> = leaves
        .iter()
        .filter_map(|i| outcomes.get(i).map(Borrow::borrow))
        .filter(|o| matches!(o.status, OutcomeStatus::Fail | OutcomeStatus::Partial))
        .flat_map(|o| o.facts.iter())
        .filter(|f| f.known && f.status.rank() < Status::Claimed.rank())
        .map(|f| format!("`{}` is only {}", f.key, f.status))
        .collect();
    w.sort();
    w.dedup();
    w
}

/// Why a met gate is met. Only what shows it: under `any`, or with a minimum below 1, checks
/// that are still unknown can sit beside a met gate and would read as a contradiction.
fn met_reason(notes: &Notes<'_>) -> String {
    let mut reason =
        notes(&|o| matches!(o.status, OutcomeStatus::Pass | OutcomeStatus::Partial)).join("; ");
    let open = notes(&|o| matches!(o.status, OutcomeStatus::Unknown | OutcomeStatus::Error)).len();
    if reason.is_empty() {
        reason = "met".into();
    }
    if open > 0 {
        reason.push_str(&format!(
            " ({open} check{} below it still unknown, which cannot undo this)",
            if open == 1 { "" } else { "s" }
        ));
    }
    reason
}

/// The verdict: ineligible if a gate failed, conditional if one is open, else the fit's band.
pub(crate) fn verdict(bound: &BoundProfile, gates: &[GateResult], fit_lo: f64) -> Verdict {
    if gates.iter().any(|g| g.state == GateState::Failed) {
        Verdict::Ineligible
    } else if gates.iter().any(|g| g.state == GateState::Open) {
        Verdict::Conditional
    } else {
        let fit = 100.0 * fit_lo;
        let b = bound.profile.bands;
        if fit >= b.strong - EPS {
            Verdict::Strong
        } else if fit >= b.moderate - EPS {
            Verdict::Moderate
        } else {
            Verdict::Weak
        }
    }
}
