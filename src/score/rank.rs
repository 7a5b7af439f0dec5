//! Ranking providers on their intervals (Jiménez, Mateos & Ríos-Insua 2009; Salo & Hämäläinen
//! 2001): the order of a ranking, which provider necessarily beats which (its fit reaches the
//! other's potential), and the minimax-regret choice, MR(p) = max over q ≠ p of
//! (potential(q) − fit(p)). Pure functions over anything that has a verdict, a fit, a potential
//! and an id.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::score::model::Verdict;
use crate::score::{round6, EPS};

/// What ranking reads of a provider.
pub trait Standing {
    /// Its verdict.
    fn verdict(&self) -> Verdict;
    /// Its fit (0–100).
    fn fit(&self) -> f64;
    /// Its potential (0–100).
    fn potential(&self) -> f64;
    /// Its id.
    fn id(&self) -> &str;
}

/// The order of a ranking: verdict group (eligible, conditional, ineligible), then fit and
/// potential (both descending), then id.
pub fn order<A: Standing, B: Standing>(a: &A, b: &B) -> Ordering {
    a.verdict()
        .group()
        .cmp(&b.verdict().group())
        .then_with(|| b.fit().total_cmp(&a.fit()))
        .then_with(|| b.potential().total_cmp(&a.potential()))
        .then_with(|| a.id().cmp(b.id()))
}

/// Ids as numbers (equal ids, equal numbers), so the pair loops below compare integers: they
/// visit every pair of providers (4 million for a registry of 2 000) on one thread.
fn numbers<S: Standing>(ranked: &[S]) -> Vec<usize> {
    let mut numbers: BTreeMap<&str, usize> = BTreeMap::new();
    for r in ranked {
        let n = numbers.len();
        numbers.entry(r.id()).or_insert(n);
    }
    ranked
        .iter()
        .map(|r| numbers.get(r.id()).copied().unwrap_or(0))
        .collect()
}

/// Every (winner, loser) pair, as positions in `ranked` (which is in ranking order), where the
/// winner's fit reaches the loser's potential. A pair with identical point scores dominates
/// both ways; only the ranked order is kept.
pub fn dominance<S: Standing>(ranked: &[S]) -> Vec<(usize, usize)> {
    let num = numbers(ranked);
    let mut out = Vec::new();
    for (pi, (p, np)) in ranked.iter().zip(&num).enumerate() {
        for (qi, (q, nq)) in ranked.iter().zip(&num).enumerate() {
            if p.fit() >= q.potential() - EPS
                && !(q.fit() >= p.potential() - EPS && qi < pi)
                && np != nq
            {
                out.push((pi, qi));
            }
        }
    }
    out
}

/// Where a decision stands, from the intervals and the must-haves alone (positions in ranking
/// order). Only a provider that meets every must-have can be chosen, and only when no other
/// provider still in the running could end ahead of it: its fit reaches every such provider's
/// potential.
#[derive(Clone, Debug, PartialEq)]
pub enum Settles {
    /// Nothing was compared.
    Empty,
    /// Every provider failed a must-have.
    AllIneligible,
    /// No provider meets every must-have yet; these are still in the running.
    NoneEligible {
        /// The providers with must-haves open.
        contenders: Vec<usize>,
    },
    /// The best provider that meets every must-have could still be overtaken.
    Contested {
        /// The best provider that meets every must-have.
        leader: usize,
        /// The providers still in the running whose potential exceeds the leader's fit.
        challengers: Vec<usize>,
    },
    /// The evidence settles it.
    Choice(usize),
}

/// Where the decision stands over `ranked` (in ranking order).
pub fn decide<S: Standing>(ranked: &[S]) -> Settles {
    if ranked.is_empty() {
        return Settles::Empty;
    }
    let live: Vec<usize> = (0..ranked.len())
        .filter(|&i| {
            ranked
                .get(i)
                .is_some_and(|r| r.verdict() != Verdict::Ineligible)
        })
        .collect();
    if live.is_empty() {
        return Settles::AllIneligible;
    }
    let leader = live
        .iter()
        .copied()
        .find(|&i| ranked.get(i).is_some_and(|r| r.verdict().group() == 0));
    let Some(leader) = leader else {
        return Settles::NoneEligible { contenders: live };
    };
    let fit = ranked.get(leader).map_or(0.0, Standing::fit);
    let challengers: Vec<usize> = live
        .into_iter()
        .filter(|&i| i != leader && ranked.get(i).is_some_and(|q| q.potential() > fit + EPS))
        .collect();
    if challengers.is_empty() {
        Settles::Choice(leader)
    } else {
        Settles::Contested {
            leader,
            challengers,
        }
    }
}

/// The minimax-regret choice among the providers that meet every must-have: (its position,
/// its maximum regret in fit points, the position of the provider that would cause it). A
/// single candidate has regret 0 against itself. A provider with must-haves open is never
/// named: it cannot be chosen on the evidence.
pub fn minimax_regret<S: Standing>(ranked: &[S]) -> Option<(usize, f64, usize)> {
    let num = numbers(ranked);
    let candidates: Vec<(usize, &S, usize)> = ranked
        .iter()
        .zip(num.iter().copied())
        .enumerate()
        .filter(|(_, (r, _))| r.verdict().group() == 0)
        .map(|(i, (r, n))| (i, r, n))
        .collect();
    candidates
        .iter()
        .filter_map(|&(pi, p, np)| {
            let worst = candidates
                .iter()
                .filter(|&&(_, _, nq)| nq != np)
                .map(|&(qi, q, _)| (q.potential() - p.fit(), qi, q.id()))
                .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.2.cmp(a.2)));
            match worst {
                Some((mr, against, _)) => Some((pi, round6(mr.max(0.0)), against)),
                None if candidates.len() == 1 => Some((pi, 0.0, pi)),
                None => None,
            }
        })
        .min_by(|a, b| {
            a.1.total_cmp(&b.1).then_with(|| {
                let id = |i: usize| ranked.get(i).map_or("", |r| r.id());
                id(a.0).cmp(id(b.0))
            })
        })
}
