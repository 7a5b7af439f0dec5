//! Global weights: how much of the fit each node carries. Like AHP's composition (Saaty), a
//! node's global weight is the sum over every path from the root of the product of the
//! normalised edge weights on the path; under `all` (`any`) the parent's weight flows to the
//! child that sets its lower bound, so the leaves' contributions add up to the fit.

use crate::graph::catalog::Aggregate;
use crate::graph::{Graph, NodeKind};
use crate::score::interval::{edge_weight, Val};
use crate::score::{BoundProfile, EPS};

/// Global weights (by node), each edge's share of its parent, and each root framework's share.
pub struct Weights {
    /// Each node's global weight (0 for one that carries none).
    pub global: Vec<f64>,
    /// Each edge's share of its parent.
    pub shares: Shares,
    /// Each root framework's share, in the profile's order.
    pub roots: Vec<f64>,
}

/// Each edge's share of its parent, by parent and child position (a flat vector: a report
/// reads every edge once, and hashing every edge cost more than the arithmetic).
pub struct Shares {
    first: Vec<usize>,
    shares: Vec<f64>,
}

impl Shares {
    fn new(graph: &Graph) -> Shares {
        let mut first = Vec::with_capacity(graph.len());
        let mut n = 0;
        for node in graph.nodes() {
            first.push(n);
            if let NodeKind::Composite { children, .. } = &node.kind {
                n += children.len();
            }
        }
        Shares {
            first,
            shares: vec![0.0; n],
        }
    }

    /// The share of parent `p`'s `k`-th child (0 when it gets none).
    pub fn get(&self, p: usize, k: usize) -> f64 {
        self.first
            .get(p)
            .and_then(|f| self.shares.get(f + k))
            .copied()
            .unwrap_or(0.0)
    }

    fn set(&mut self, p: usize, k: usize, s: f64) {
        if let Some(x) = self.first.get(p).and_then(|f| self.shares.get_mut(f + k)) {
            *x = s;
        }
    }
}

/// Each root framework's share of the root: its weight over the weights of the frameworks that
/// apply (0 for one that does not).
pub fn root_shares(bound: &BoundProfile, vals: &[Val]) -> Vec<f64> {
    let applicable = |i: usize| vals.get(i).and_then(|v| v.bounds());
    let root_sum: f64 = bound
        .roots
        .iter()
        .filter(|(i, _)| applicable(*i).is_some())
        .map(|(_, w)| w)
        .sum();
    bound
        .roots
        .iter()
        .map(|&(i, w)| {
            if applicable(i).is_some() && root_sum > 0.0 {
                w / root_sum
            } else {
                0.0
            }
        })
        .collect()
}

/// Global weights, edge shares and root shares of one scored graph.
pub fn global_weights(graph: &Graph, bound: &BoundProfile, vals: &[Val]) -> Weights {
    let mut gw = vec![0.0; graph.len()];
    let mut shares = Shares::new(graph);
    let applicable = |i: usize| vals.get(i).and_then(|v| v.bounds());
    let root_shares = root_shares(bound, vals);
    for (&(i, _), share) in bound.roots.iter().zip(&root_shares) {
        if let Some(g) = gw.get_mut(i) {
            *g += share;
        }
    }
    // (child position, child, edge weight, child's bounds) of the children that apply.
    // Room for any node's children, so it never grows.
    let mut live: Vec<(usize, usize, f64, (f64, f64))> = Vec::with_capacity(graph.len());
    for &i in graph.topo().iter().rev() {
        let g = gw.get(i).copied().unwrap_or(0.0);
        let Some(NodeKind::Composite {
            aggregate,
            children,
        }) = graph.node(i).map(|n| &n.kind)
        else {
            continue;
        };
        if applicable(i).is_none() {
            continue;
        }
        live.clear();
        live.extend(children.iter().enumerate().filter_map(|(k, &(c, w))| {
            applicable(c).map(|b| (k, c, edge_weight(bound, i, c, w), b))
        }));
        let mut give = |k: usize, c: usize, s: f64| {
            shares.set(i, k, s);
            if let Some(x) = gw.get_mut(c) {
                *x += g * s;
            }
        };
        match aggregate {
            Aggregate::Weighted => {
                let sum: f64 = live.iter().map(|(_, _, w, _)| w).sum();
                if sum > 0.0 {
                    for (k, c, w, _) in &live {
                        give(*k, *c, w / sum);
                    }
                }
            }
            Aggregate::All | Aggregate::Any => {
                let pick =
                    live.iter()
                        .fold(
                            None::<(usize, usize, f64)>,
                            |best, &(k, c, _, (lo, _))| match best {
                                None => Some((k, c, lo)),
                                Some((_, _, b))
                                    if (*aggregate == Aggregate::All && lo < b - EPS)
                                        || (*aggregate == Aggregate::Any && lo > b + EPS) =>
                                {
                                    Some((k, c, lo))
                                }
                                keep => keep,
                            },
                        );
                if let Some((k, c, _)) = pick {
                    give(k, c, 1.0);
                }
            }
        }
    }
    Weights {
        global: gw,
        shares,
        roots: root_shares,
    }
}
