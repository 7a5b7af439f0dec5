//! The requirement graph as SMAA-2 samples it (docs/weights.md, "How the figures are
//! computed"): each provider's scored pass becomes a small point model — its open nodes in
//! topological order, everything the evidence settles folded into constants — so that one
//! sample of the evidence not yet known (each open leaf uniform within its [lo, hi]) costs one
//! pass over the open nodes, and the frameworks' values in that sample are the criteria the
//! SMAA core weighs. The weights are drawn uniformly on the simplex over the profile's
//! frameworks, or from a Dirichlet around the profile's own weights.
//!
//! Sample s draws from `sample_stream(seed, s)` alone: the weights first, then each provider's
//! open leaves in the order given, so the samples — and every figure the core derives from
//! them — are the same whatever the number of threads.

use crate::graph::catalog::Aggregate;
use crate::graph::{Graph, NodeKind};
use crate::score::{BoundProfile, Scored, EPS};
use crate::weights::smaa::rng::{sample_stream, Xoshiro256StarStar};
use crate::weights::smaa::sampler::{dirichlet, uniform_simplex, WeightModel};
use crate::weights::smaa::{self, SmaaError, SmaaResult, Stability};

/// One open node of a point model.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// An open leaf: lo + width · u.
    Leaf { lo: f64, width: f64 },
    /// An open composite: its open children (step, weight) and what its settled children
    /// contribute (the weighted sum and the weight for `weighted`, the min or max otherwise).
    Node {
        aggregate: Aggregate,
        open: Vec<(usize, f64)>,
        fixed: f64,
        wsum: f64,
    },
}

/// A framework's value for one provider.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Root {
    /// It does not apply (every requirement under it excluded).
    Excluded,
    /// The evidence settles it.
    Fixed(f64),
    /// The value of an open step.
    Open(usize),
}

/// One provider's graph reduced to what a sample can change.
#[derive(Clone, Debug, PartialEq)]
pub struct PointModel {
    steps: Vec<Step>,
    roots: Vec<Root>,
    /// The frameworks' lower bounds (the fit's parts), 0 where excluded.
    fit: Vec<f64>,
}

impl PointModel {
    /// The point model of a scored pass: nodes the evidence settles (lo = hi) are constants.
    pub fn of(graph: &Graph, bound: &BoundProfile, scored: &Scored) -> PointModel {
        let bounds = |i: usize| scored.vals.get(i).and_then(|v| v.bounds());
        let mut slot: Vec<Option<usize>> = vec![None; graph.len()];
        let mut steps = Vec::new();
        for &i in graph.topo() {
            let Some((lo, hi)) = bounds(i) else { continue };
            if hi - lo <= EPS {
                continue;
            }
            let step = match graph.node(i).map(|n| &n.kind) {
                Some(NodeKind::Leaf { .. }) => Step::Leaf { lo, width: hi - lo },
                Some(NodeKind::Composite {
                    aggregate,
                    children,
                }) => {
                    let (mut open, mut wsum) = (Vec::new(), 0.0);
                    let mut fixed = match aggregate {
                        Aggregate::Weighted => 0.0,
                        Aggregate::All => f64::INFINITY,
                        Aggregate::Any => f64::NEG_INFINITY,
                    };
                    for &(c, w) in children {
                        let Some((clo, _)) = bounds(c) else { continue };
                        let w = bound.edge_weight(i, c, w);
                        wsum += w;
                        match (slot.get(c).copied().flatten(), aggregate) {
                            (Some(k), _) => open.push((k, w)),
                            (None, Aggregate::Weighted) => fixed += w * clo,
                            (None, Aggregate::All) => fixed = fixed.min(clo),
                            (None, Aggregate::Any) => fixed = fixed.max(clo),
                        }
                    }
                    Step::Node {
                        aggregate: *aggregate,
                        open,
                        fixed,
                        wsum,
                    }
                }
                None => continue,
            };
            if let Some(s) = slot.get_mut(i) {
                *s = Some(steps.len());
            }
            steps.push(step);
        }
        let roots = bound
            .roots
            .iter()
            .map(
                |&(i, _)| match (bounds(i), slot.get(i).copied().flatten()) {
                    (None, _) => Root::Excluded,
                    (Some(_), Some(k)) => Root::Open(k),
                    (Some((lo, _)), None) => Root::Fixed(lo),
                },
            )
            .collect();
        let fit = bound
            .roots
            .iter()
            .map(|&(i, _)| bounds(i).map_or(0.0, |b| b.0))
            .collect();
        PointModel { steps, roots, fit }
    }

    /// Which frameworks apply to this provider.
    pub fn applies(&self) -> Vec<bool> {
        self.roots.iter().map(|r| *r != Root::Excluded).collect()
    }

    /// The frameworks' lower bounds: what the evidence shows today.
    pub fn fit(&self) -> &[f64] {
        &self.fit
    }

    /// How many open nodes a sample evaluates.
    pub fn open(&self) -> usize {
        self.steps.len()
    }

    /// One sample: draws every open leaf from `rng`, in step order, and writes the frameworks'
    /// values into `out` (0 where a framework does not apply). `scratch` holds the steps'
    /// values.
    fn draw(&self, rng: &mut Xoshiro256StarStar, scratch: &mut Vec<f64>, out: &mut [f64]) {
        scratch.clear();
        for step in &self.steps {
            let v = match step {
                Step::Leaf { lo, width } => lo + width * rng.next_f64(),
                Step::Node {
                    aggregate,
                    open,
                    fixed,
                    wsum,
                } => {
                    let kids = open
                        .iter()
                        .map(|&(k, w)| (scratch.get(k).copied().unwrap_or(0.0), w));
                    match aggregate {
                        Aggregate::Weighted if *wsum > 0.0 => {
                            ((fixed + kids.map(|(v, w)| v * w).sum::<f64>()) / wsum).clamp(0.0, 1.0)
                        }
                        Aggregate::Weighted => 0.0,
                        Aggregate::All => kids.fold(*fixed, |m, (v, _)| m.min(v)),
                        Aggregate::Any => kids.fold(*fixed, |m, (v, _)| m.max(v)),
                    }
                }
            };
            scratch.push(v);
        }
        for (o, r) in out.iter_mut().zip(&self.roots) {
            *o = match r {
                Root::Excluded => 0.0,
                Root::Fixed(v) => *v,
                Root::Open(k) => scratch.get(*k).copied().unwrap_or(0.0),
            };
        }
    }
}

/// The samples an analysis runs on: S weight vectors over the m frameworks, and each
/// provider's m framework values in each sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Samples {
    /// n providers.
    pub alternatives: usize,
    /// m frameworks.
    pub criteria: usize,
    /// S × m.
    pub weights: Vec<f64>,
    /// S × n × m.
    pub values: Vec<f64>,
    /// n × m: whether framework j applies to provider i.
    pub applies: Vec<bool>,
}

/// Draws `samples` samples for `models` (one per provider, in the order given) in parallel;
/// the result depends on the seed alone, not on the number of threads.
pub fn draw(
    models: &[PointModel],
    criteria: usize,
    weights: &WeightModel,
    seed: u64,
    samples: usize,
) -> Result<Samples, SmaaError> {
    if samples == 0 {
        return Err(SmaaError::NoSamples);
    }
    if criteria == 0 {
        return Err(SmaaError::NoCriteria);
    }
    let n = models.len();
    let nm = n * criteria;
    let ranges = smaa::chunk_ranges(samples);
    let parts = smaa::run_chunks(ranges.len(), |c| {
        let range = ranges.get(c).cloned().unwrap_or(0..0);
        let mut w = vec![0.0; range.len() * criteria];
        let mut x = vec![0.0; range.len() * nm];
        let mut scratch = Vec::new();
        for ((s, wr), xr) in range
            .zip(w.chunks_exact_mut(criteria))
            .zip(x.chunks_exact_mut(nm.max(1)))
        {
            let mut rng = sample_stream(seed, s as u64);
            match weights {
                WeightModel::Uniform => uniform_simplex(&mut rng, wr),
                WeightModel::Dirichlet {
                    center,
                    concentration,
                } => dirichlet(&mut rng, center, *concentration, wr),
            }
            for (m, out) in models.iter().zip(xr.chunks_exact_mut(criteria)) {
                m.draw(&mut rng, &mut scratch, out);
            }
        }
        Ok((w, x))
    })?;
    let mut out = Samples {
        alternatives: n,
        criteria,
        weights: Vec::with_capacity(samples * criteria),
        values: Vec::with_capacity(samples * nm),
        applies: models.iter().flat_map(PointModel::applies).collect(),
    };
    for (w, x) in parts {
        out.weights.extend(w);
        out.values.extend(x);
    }
    Ok(out)
}

impl Samples {
    /// A provider's score in sample s under `weights`: the weighted mean of the frameworks that
    /// apply to it, renormalised over them as the root is (0 when none applies).
    fn utilities(&self, sample: usize, weights: &[f64], out: &mut [f64]) {
        let m = self.criteria;
        let nm = self.alternatives * m;
        let Some(block) = self.values.get(sample * nm..(sample + 1) * nm) else {
            out.iter_mut().for_each(|u| *u = f64::NAN);
            return;
        };
        for ((u, x), a) in out
            .iter_mut()
            .zip(block.chunks_exact(m))
            .zip(self.applies.chunks_exact(m))
        {
            let (mut num, mut den) = (0.0, 0.0);
            for ((x, a), w) in x.iter().zip(a).zip(weights) {
                if *a {
                    num += w * x;
                    den += w;
                }
            }
            *u = if den > 0.0 { num / den } else { 0.0 };
        }
    }

    /// SMAA-2 over these samples.
    pub fn analyse(&self) -> Result<SmaaResult, SmaaError> {
        let utility = |s: usize, w: &[f64], out: &mut [f64]| self.utilities(s, w, out);
        smaa::analyse(self.alternatives, self.criteria, &self.weights, &utility)
    }
}

/// One-at-a-time weight stability of the first of `models` (the ranking's leader, the others
/// in ranking order) on what the evidence shows today, under the profile's weights `weights`
/// (on the simplex).
pub fn stability(models: &[PointModel], weights: &[f64]) -> Result<Stability, SmaaError> {
    let m = weights.len();
    let x: Vec<f64> = models.iter().flat_map(|p| p.fit().to_vec()).collect();
    let applies: Vec<bool> = models.iter().flat_map(PointModel::applies).collect();
    smaa::weight_stability_masked(models.len(), m, &x, &applies, weights)
}
