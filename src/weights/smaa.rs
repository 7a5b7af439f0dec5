//! How robust is a ranking of providers to the weights, and to evidence not yet known? SMAA-2
//! (Lahdelma, R. & Salminen, P. (2001), "SMAA-2: Stochastic multicriteria acceptability
//! analysis for group decision making", Operations Research 49(3): 444–454; title, volume and
//! pages checked against the authors' department's abstract page) answers with
//! probabilities instead of one ranking: how often each provider takes each rank, which
//! weights make it first, and how sure that is. Exact one-at-a-time weight intervals
//! ([`weight_stability`]) answer the simpler question "how far can one weight move before the
//! winner changes?".
//!
//! The core ([`analyse`]) takes plain samples — S weight vectors and a [`Utility`] that scores
//! the n alternatives of sample s under given weights — so it does not care where samples come
//! from: [`sampler`] draws them (uniform or Dirichlet weights, interval-valued measurements),
//! tests hand-make them, and labfit can pass a closure that evaluates its own requirement
//! graph for sample s. Definitions (docs/weights.md, "How the figures are computed"):
//!
//! - rank(i) = 1 + #{k : u_k > u_i + ε}, ε = [`TIE_EPS`] = 1e-12: ties (within ε, i.e. within
//!   rounding of sums of weights times scores in [0, 1]) share the better rank, so two tied
//!   leaders are both "first";
//! - a pairwise win of i over k is u_i > u_k + ε: strictly better, so a tie is a win for
//!   neither and P(i beats k) + P(k beats i) ≤ 1;
//! - rank acceptability b_i^r = P(rank(i) = r); central weight w_i^c = mean of the weight
//!   samples where i ranked first (`None` if it never did); confidence factor
//!   p_i^c = P(i first | w = w_i^c) over the same measurement samples;
//! - every probability p comes with its Monte Carlo standard error sqrt(p(1 − p)/S), and every
//!   central weight with the standard error of a mean, sd/sqrt(count).
//!
//! Determinism: samples are processed in chunks of [`CHUNK_SIZE`] fixed by the sample count
//! only; counts are integers; the floating sums behind central weights are summed in sample
//! order within a chunk and chunk results are merged in chunk order. So a rayon pool of any
//! size (chunks run in parallel on the current pool), or a caller driving [`rank_chunk`] /
//! [`confidence_chunk`] itself, gives bit-identical results.

pub mod rng;
pub mod sampler;

use std::ops::Range;

use rayon::prelude::*;

/// Utilities closer than this are tied (see the module documentation).
pub const TIE_EPS: f64 = 1e-12;
/// Samples per chunk: the unit of parallel work and of floating-point summation order.
pub const CHUNK_SIZE: usize = 1024;
/// How far from 1 a weight vector may sum and still count as on the simplex.
pub const SIMPLEX_TOLERANCE: f64 = 1e-9;

/// What can be wrong with SMAA inputs.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[expect(
    missing_docs,
    reason = "variant fields say what they hold: sample, alternative, criterion indices (from 0) and values"
)]
pub enum SmaaError {
    #[error("no alternatives to rank")]
    NoAlternatives,
    #[error("no criteria")]
    NoCriteria,
    #[error("no samples")]
    NoSamples,
    #[error("`{what}` has {len} values, expected {expected}")]
    Length {
        what: &'static str,
        len: usize,
        expected: usize,
    },
    #[error("{len} weight values do not split into rows of {criteria} criteria")]
    RaggedWeights { len: usize, criteria: usize },
    #[error("weight of criterion {criterion}{} is `{value}`, not a non-negative number", in_sample(*.sample))]
    InvalidWeight {
        sample: Option<usize>,
        criterion: usize,
        value: f64,
    },
    #[error("weights{} sum to `{sum}`, not 1", in_sample(*.sample))]
    NotOnSimplex { sample: Option<usize>, sum: f64 },
    #[error("measurement {index} is `{value}`, not a finite number")]
    NonFiniteMeasurement { index: usize, value: f64 },
    #[error(
        "utility of alternative {alternative} in sample {sample} is `{value}`, not a finite number"
    )]
    NonFiniteUtility {
        sample: usize,
        alternative: usize,
        value: f64,
    },
    #[error(
        "interval of alternative {alternative}, criterion {criterion} is [`{lo}`, `{hi}`]: \
         expected finite lo <= hi"
    )]
    InvalidInterval {
        alternative: usize,
        criterion: usize,
        lo: f64,
        hi: f64,
    },
    #[error("Dirichlet concentration is `{value}`, not a positive number")]
    InvalidConcentration { value: f64 },
}

fn in_sample(sample: Option<usize>) -> String {
    sample
        .map(|s| format!(" in sample {s}"))
        .unwrap_or_default()
}

/// Scores the n alternatives of one sample under given weights.
///
/// `weights` is the sample's own weight vector in the rank pass and a central weight vector in
/// the confidence pass, so an implementation must use the weights it is given, and everything
/// else (measurements, evidence drawn within its bounds) from sample `sample` alone. It is
/// called S times in the rank pass and up to n·S times in the confidence pass (once per
/// alternative that was ever first), so an expensive model (labfit's requirement graph) should
/// cache what does not depend on the weights — e.g. each framework's score in sample s — and
/// make this call the cheap weighted sum over frameworks.
pub trait Utility: Sync {
    /// Writes u_1..u_n into `out` (length n).
    fn utilities(&self, sample: usize, weights: &[f64], out: &mut [f64]);
}

impl<F> Utility for F
where
    F: Fn(usize, &[f64], &mut [f64]) + Sync,
{
    fn utilities(&self, sample: usize, weights: &[f64], out: &mut [f64]) {
        self(sample, weights, out);
    }
}

/// The additive model u_i = Σ_j w_j·x_ij over a flat slice of measurements.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Additive<'a> {
    alternatives: usize,
    criteria: usize,
    measurements: &'a [f64],
    /// Whether `measurements` holds one n × m block per sample (else one block for all).
    per_sample: bool,
}

impl<'a> Additive<'a> {
    /// Measurements S × n × m, row-major (sample, alternative, criterion).
    pub fn per_sample(
        alternatives: usize,
        criteria: usize,
        samples: usize,
        measurements: &'a [f64],
    ) -> Result<Self, SmaaError> {
        Self::build(alternatives, criteria, samples, measurements, true)
    }

    /// One n × m matrix of known measurements, the same in every sample.
    pub fn fixed(
        alternatives: usize,
        criteria: usize,
        measurements: &'a [f64],
    ) -> Result<Self, SmaaError> {
        Self::build(alternatives, criteria, 1, measurements, false)
    }

    fn build(
        alternatives: usize,
        criteria: usize,
        samples: usize,
        measurements: &'a [f64],
        per_sample: bool,
    ) -> Result<Self, SmaaError> {
        check_shape(alternatives, criteria)?;
        let expected = samples * alternatives * criteria;
        if measurements.len() != expected {
            return Err(SmaaError::Length {
                what: "measurements",
                len: measurements.len(),
                expected,
            });
        }
        if let Some((index, value)) = measurements
            .iter()
            .enumerate()
            .find(|(_, v)| !v.is_finite())
        {
            return Err(SmaaError::NonFiniteMeasurement {
                index,
                value: *value,
            });
        }
        Ok(Additive {
            alternatives,
            criteria,
            measurements,
            per_sample,
        })
    }
}

impl Utility for Additive<'_> {
    fn utilities(&self, sample: usize, weights: &[f64], out: &mut [f64]) {
        let block = self.alternatives * self.criteria;
        let start = if self.per_sample { sample * block } else { 0 };
        match self.measurements.get(start..start + block) {
            Some(x) => {
                for (u, row) in out.iter_mut().zip(x.chunks_exact(self.criteria)) {
                    *u = row.iter().zip(weights).map(|(x, w)| x * w).sum();
                }
            }
            // Out of range only for a sample index past S: report it as a non-finite utility
            // rather than panic.
            None => out.iter_mut().for_each(|u| *u = f64::NAN),
        }
    }
}

fn check_shape(alternatives: usize, criteria: usize) -> Result<(), SmaaError> {
    if alternatives == 0 {
        return Err(SmaaError::NoAlternatives);
    }
    if criteria == 0 {
        return Err(SmaaError::NoCriteria);
    }
    Ok(())
}

/// A Monte Carlo probability and its standard error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// count / S.
    pub p: f64,
    /// sqrt(p(1 − p)/S).
    pub se: f64,
}

impl Estimate {
    /// From a count out of `total` samples.
    pub fn from_count(count: u64, total: u64) -> Self {
        if total == 0 {
            return Estimate { p: 0.0, se: 0.0 };
        }
        let s = total as f64;
        let p = count as f64 / s;
        Estimate {
            p,
            se: (p * (1.0 - p) / s).sqrt(),
        }
    }
}

/// What the rank pass accumulates over a range of samples; merge ranges in order.
#[derive(Clone, Debug, PartialEq)]
pub struct RankPartial {
    alternatives: usize,
    criteria: usize,
    /// Samples seen.
    pub samples: u64,
    /// n × n: [i·n + r] = samples where alternative i took rank r + 1.
    pub rank_counts: Vec<u64>,
    /// n × n: [i·n + k] = samples where u_i > u_k + ε.
    pub win_counts: Vec<u64>,
    /// n × m: [i·m + j] = sum of w_j over samples where i ranked first.
    pub first_weight_sums: Vec<f64>,
    /// n × m: [i·m + j] = sum of w_j² over the same samples (for the standard errors).
    pub first_weight_squares: Vec<f64>,
}

impl RankPartial {
    /// Nothing seen yet.
    pub fn new(alternatives: usize, criteria: usize) -> Self {
        RankPartial {
            alternatives,
            criteria,
            samples: 0,
            rank_counts: vec![0; alternatives * alternatives],
            win_counts: vec![0; alternatives * alternatives],
            first_weight_sums: vec![0.0; alternatives * criteria],
            first_weight_squares: vec![0.0; alternatives * criteria],
        }
    }

    /// One sample: its weights (m) and utilities (n).
    pub fn add(&mut self, weights: &[f64], utilities: &[f64]) {
        let n = self.alternatives;
        let m = self.criteria;
        for (i, ui) in utilities.iter().enumerate() {
            let mut better = 0usize;
            let wins = self
                .win_counts
                .get_mut(i * n..(i + 1) * n)
                .unwrap_or(&mut []);
            for (uk, win) in utilities.iter().zip(wins.iter_mut()) {
                if *uk > ui + TIE_EPS {
                    better += 1;
                }
                if *ui > uk + TIE_EPS {
                    *win += 1;
                }
            }
            if let Some(c) = self.rank_counts.get_mut(i * n + better) {
                *c += 1;
            }
            if better == 0 {
                let sums = self
                    .first_weight_sums
                    .get_mut(i * m..(i + 1) * m)
                    .unwrap_or(&mut []);
                for (s, w) in sums.iter_mut().zip(weights) {
                    *s += w;
                }
                let squares = self
                    .first_weight_squares
                    .get_mut(i * m..(i + 1) * m)
                    .unwrap_or(&mut []);
                for (s, w) in squares.iter_mut().zip(weights) {
                    *s += w * w;
                }
            }
        }
        self.samples += 1;
    }

    /// Adds a later range's counts and sums. Merge in range order for bit-identical sums.
    pub fn merge(&mut self, later: &RankPartial) {
        self.samples += later.samples;
        for (a, b) in self.rank_counts.iter_mut().zip(&later.rank_counts) {
            *a += b;
        }
        for (a, b) in self.win_counts.iter_mut().zip(&later.win_counts) {
            *a += b;
        }
        for (a, b) in self
            .first_weight_sums
            .iter_mut()
            .zip(&later.first_weight_sums)
        {
            *a += b;
        }
        for (a, b) in self
            .first_weight_squares
            .iter_mut()
            .zip(&later.first_weight_squares)
        {
            *a += b;
        }
    }

    /// Samples where alternative i ranked first.
    pub fn first_count(&self, i: usize) -> u64 {
        self.rank_counts
            .get(i * self.alternatives)
            .copied()
            .unwrap_or(0)
    }

    /// w_i^c for every alternative: `None` for one that never ranked first.
    pub fn central_weights(&self) -> Vec<Option<Vec<f64>>> {
        let m = self.criteria;
        (0..self.alternatives)
            .map(|i| {
                let count = self.first_count(i);
                let sums = self.first_weight_sums.get(i * m..(i + 1) * m)?;
                (count > 0).then(|| sums.iter().map(|s| s / count as f64).collect())
            })
            .collect()
    }

    /// The standard error of each central weight, sqrt(var/count) with the sample variance of
    /// w_j over the samples where i ranked first (0 for one sample): `None` where
    /// [`RankPartial::central_weights`] is.
    pub fn central_weight_errors(&self) -> Vec<Option<Vec<f64>>> {
        let m = self.criteria;
        (0..self.alternatives)
            .map(|i| {
                let count = self.first_count(i);
                let sums = self.first_weight_sums.get(i * m..(i + 1) * m)?;
                let squares = self.first_weight_squares.get(i * m..(i + 1) * m)?;
                (count > 0).then(|| {
                    let c = count as f64;
                    sums.iter()
                        .zip(squares)
                        .map(|(s, q)| {
                            if count < 2 {
                                return 0.0;
                            }
                            let mean = s / c;
                            let var = ((q - c * mean * mean) / (c - 1.0)).max(0.0);
                            (var / c).sqrt()
                        })
                        .collect()
                })
            })
            .collect()
    }
}

/// The sample boundaries the analysis uses: [`CHUNK_SIZE`] samples each, the last shorter.
pub fn chunk_ranges(samples: usize) -> Vec<Range<usize>> {
    (0..samples)
        .step_by(CHUNK_SIZE)
        .map(|start| start..(start + CHUNK_SIZE).min(samples))
        .collect()
}

fn utilities_of<U: Utility + ?Sized>(
    utility: &U,
    sample: usize,
    weights: &[f64],
    out: &mut [f64],
) -> Result<(), SmaaError> {
    utility.utilities(sample, weights, out);
    match out.iter().enumerate().find(|(_, u)| !u.is_finite()) {
        Some((alternative, value)) => Err(SmaaError::NonFiniteUtility {
            sample,
            alternative,
            value: *value,
        }),
        None => Ok(()),
    }
}

/// The rank pass over samples `range`: ranks, wins and first-place weight sums. `weights` is
/// the full S × m array (already checked by [`analyse`], or by the caller).
pub fn rank_chunk<U: Utility + ?Sized>(
    alternatives: usize,
    criteria: usize,
    weights: &[f64],
    utility: &U,
    range: Range<usize>,
) -> Result<RankPartial, SmaaError> {
    let mut partial = RankPartial::new(alternatives, criteria);
    let mut u = vec![0.0; alternatives];
    for s in range {
        let w = weights
            .get(s * criteria..(s + 1) * criteria)
            .ok_or(SmaaError::Length {
                what: "weights",
                len: weights.len(),
                expected: (s + 1) * criteria,
            })?;
        utilities_of(utility, s, w, &mut u)?;
        partial.add(w, &u);
    }
    Ok(partial)
}

/// The confidence pass over samples `range`: for each alternative with a central weight
/// vector, the samples in which it ranks first under that vector. Integer counts: add them in
/// any order.
pub fn confidence_chunk<U: Utility + ?Sized>(
    alternatives: usize,
    central: &[Option<Vec<f64>>],
    utility: &U,
    range: Range<usize>,
) -> Result<Vec<u64>, SmaaError> {
    let mut counts = vec![0u64; alternatives];
    let mut u = vec![0.0; alternatives];
    for s in range {
        for ((i, wc), count) in central.iter().enumerate().zip(counts.iter_mut()) {
            let Some(wc) = wc else { continue };
            utilities_of(utility, s, wc, &mut u)?;
            let ui = u.get(i).copied().unwrap_or(f64::NEG_INFINITY);
            if u.iter().all(|uk| *uk <= ui + TIE_EPS) {
                *count += 1;
            }
        }
    }
    Ok(counts)
}

/// Runs `work(c)` for chunks c = 0..count on the current rayon pool and returns the results in
/// chunk order; the first error in chunk order wins, so errors are deterministic too. Each
/// chunk's result depends on its chunk alone, so the pool's size changes nothing but speed.
pub fn run_chunks<T, F>(count: usize, work: F) -> Result<Vec<T>, SmaaError>
where
    T: Send,
    F: Fn(usize) -> Result<T, SmaaError> + Sync,
{
    let results: Vec<Result<T, SmaaError>> = (0..count).into_par_iter().map(&work).collect();
    results.into_iter().collect()
}

/// SMAA-2 results for n alternatives over S samples. Ranks are indexed from 0 (rank 1).
#[derive(Clone, Debug, PartialEq)]
pub struct SmaaResult {
    /// n.
    pub alternatives: usize,
    /// m.
    pub criteria: usize,
    /// S.
    pub samples: u64,
    /// `[i][r]`: samples where i took rank r + 1 (ties share the better rank, so a row can put
    /// several alternatives on the same rank and a column need not sum to S).
    pub rank_counts: Vec<Vec<u64>>,
    /// `[i][r]`: b_i^(r+1).
    pub rank_acceptability: Vec<Vec<Estimate>>,
    /// `[i]`: w_i^c, `None` when i never ranked first.
    pub central_weights: Vec<Option<Vec<f64>>>,
    /// `[i]`: the standard error of each of w_i^c's components, `None` with it.
    pub central_weight_errors: Vec<Option<Vec<f64>>>,
    /// `[i]`: samples where i is first under w_i^c; `None` with no central weights.
    pub confidence_counts: Vec<Option<u64>>,
    /// `[i]`: p_i^c.
    pub confidence: Vec<Option<Estimate>>,
    /// `[i][k]`: samples where u_i > u_k + ε.
    pub win_counts: Vec<Vec<u64>>,
    /// `[i][k]`: P(u_i > u_k).
    pub pairwise_wins: Vec<Vec<Estimate>>,
}

/// Checks that `weights` is S rows of m on the simplex; returns S.
pub fn check_weights(criteria: usize, weights: &[f64]) -> Result<usize, SmaaError> {
    if criteria == 0 {
        return Err(SmaaError::NoCriteria);
    }
    if weights.is_empty() {
        return Err(SmaaError::NoSamples);
    }
    if !weights.len().is_multiple_of(criteria) {
        return Err(SmaaError::RaggedWeights {
            len: weights.len(),
            criteria,
        });
    }
    for (s, row) in weights.chunks_exact(criteria).enumerate() {
        sampler::check_simplex(row, Some(s))?;
    }
    Ok(weights.len() / criteria)
}

/// SMAA-2 of n alternatives over the S = weights.len()/m weight samples in `weights` (S × m,
/// each row on the simplex), scored by `utility`, in parallel on the current rayon pool.
pub fn analyse<U: Utility + ?Sized>(
    alternatives: usize,
    criteria: usize,
    weights: &[f64],
    utility: &U,
) -> Result<SmaaResult, SmaaError> {
    check_shape(alternatives, criteria)?;
    let samples = check_weights(criteria, weights)?;
    let ranges = chunk_ranges(samples);
    let partials = run_chunks(ranges.len(), |c| {
        let range = ranges.get(c).cloned().unwrap_or(0..0);
        rank_chunk(alternatives, criteria, weights, utility, range)
    })?;
    let mut total = RankPartial::new(alternatives, criteria);
    for p in &partials {
        total.merge(p);
    }
    let central = total.central_weights();
    let confidence_parts = run_chunks(ranges.len(), |c| {
        let range = ranges.get(c).cloned().unwrap_or(0..0);
        confidence_chunk(alternatives, &central, utility, range)
    })?;
    let mut confidence_total = vec![0u64; alternatives];
    for part in &confidence_parts {
        for (a, b) in confidence_total.iter_mut().zip(part) {
            *a += b;
        }
    }
    Ok(assemble(&total, central, &confidence_total))
}

/// Results from the merged rank pass, the central weights and the summed confidence counts:
/// the last step for a caller driving [`rank_chunk`] and [`confidence_chunk`] itself.
pub fn assemble(
    total: &RankPartial,
    central_weights: Vec<Option<Vec<f64>>>,
    confidence_counts: &[u64],
) -> SmaaResult {
    let n = total.alternatives;
    let s = total.samples;
    let rows = |counts: &[u64]| -> Vec<Vec<u64>> {
        counts.chunks_exact(n.max(1)).map(<[u64]>::to_vec).collect()
    };
    let rank_counts = rows(&total.rank_counts);
    let win_counts = rows(&total.win_counts);
    let estimates = |rows: &[Vec<u64>]| -> Vec<Vec<Estimate>> {
        rows.iter()
            .map(|r| r.iter().map(|c| Estimate::from_count(*c, s)).collect())
            .collect()
    };
    let confidence_counts: Vec<Option<u64>> = central_weights
        .iter()
        .zip(confidence_counts)
        .map(|(wc, c)| wc.as_ref().map(|_| *c))
        .collect();
    SmaaResult {
        alternatives: n,
        criteria: total.criteria,
        samples: s,
        rank_acceptability: estimates(&rank_counts),
        pairwise_wins: estimates(&win_counts),
        rank_counts,
        win_counts,
        confidence: confidence_counts
            .iter()
            .map(|c| c.map(|c| Estimate::from_count(c, s)))
            .collect(),
        confidence_counts,
        central_weights,
        central_weight_errors: total.central_weight_errors(),
    }
}

/// Draws `samples` samples from `spec` with `seed` and analyses them with the additive model.
pub fn run(
    spec: &sampler::SamplerSpec,
    seed: u64,
    samples: usize,
) -> Result<SmaaResult, SmaaError> {
    let drawn = sampler::generate(spec, seed, samples)?;
    let utility = Additive::per_sample(
        spec.alternatives,
        spec.criteria,
        samples,
        &drawn.measurements,
    )?;
    analyse(spec.alternatives, spec.criteria, &drawn.weights, &utility)
}

/// How far weight j can move, the others rescaled to keep their proportions, before the
/// current winner loses first place.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WeightInterval {
    /// j.
    pub criterion: usize,
    /// w_j now.
    pub base: f64,
    /// Smallest w_j at which the winner is still first.
    pub lo: f64,
    /// Largest w_j at which the winner is still first.
    pub hi: f64,
    /// The alternative that overtakes below `lo` (`None` when `lo` is 0).
    pub lo_rival: Option<usize>,
    /// The alternative that overtakes above `hi` (`None` when `hi` is 1).
    pub hi_rival: Option<usize>,
}

/// One-at-a-time weight stability of the current winner.
#[derive(Clone, Debug, PartialEq)]
pub struct Stability {
    /// The first-ranked alternative at the base weights (the lowest index among tied leaders).
    pub first: usize,
    /// Utilities at the base weights.
    pub utilities: Vec<f64>,
    /// One interval per criterion.
    pub intervals: Vec<WeightInterval>,
}

/// For each criterion j, the interval [lo_j, hi_j] ⊆ [0, 1] of w_j within which the current
/// winner b stays first when the other weights are rescaled proportionally to sum to 1 − w_j.
///
/// Closed form: with r_i = Σ_{k≠j} w_k·x_ik/(1 − w_j), u_i(t) = r_i + t·(x_ij − r_i) is linear
/// in t = w_j, so each rival k gives one linear inequality u_b(t) ≥ u_k(t), a half-line in t;
/// the interval is their intersection with [0, 1]. "Stays first" allows ties (ties share the
/// better rank); the endpoints are where a rival draws level. When w_j = 1 the others have no
/// proportions to keep, and are taken as equal. `measurements` is n × m, `weights` m.
pub fn weight_stability(
    alternatives: usize,
    criteria: usize,
    measurements: &[f64],
    weights: &[f64],
) -> Result<Stability, SmaaError> {
    let model = Additive::fixed(alternatives, criteria, measurements)?;
    if weights.len() != criteria {
        return Err(SmaaError::Length {
            what: "weights",
            len: weights.len(),
            expected: criteria,
        });
    }
    sampler::check_simplex(weights, None)?;
    let mut utilities = vec![0.0; alternatives];
    model.utilities(0, weights, &mut utilities);
    let first = utilities
        .iter()
        .position(|ui| utilities.iter().all(|uk| *uk <= ui + TIE_EPS))
        .unwrap_or(0);
    let rows: Vec<&[f64]> = measurements.chunks_exact(criteria).collect();
    let scale = measurements.iter().fold(1.0f64, |a, x| a.max(x.abs()));
    let parallel = 1e-14 * scale;
    let mut intervals = Vec::with_capacity(criteria);
    for (j, &base) in weights.iter().enumerate() {
        if criteria == 1 {
            intervals.push(WeightInterval {
                criterion: j,
                base,
                lo: 1.0,
                hi: 1.0,
                lo_rival: None,
                hi_rival: None,
            });
            continue;
        }
        let rest = 1.0 - base;
        // r_i: the utility of i from the other criteria alone, renormalised.
        let r: Vec<f64> = rows
            .iter()
            .map(|row| {
                let others = row.iter().zip(weights).enumerate().filter(|(k, _)| *k != j);
                if rest > SIMPLEX_TOLERANCE {
                    others.map(|(_, (x, w))| x * w).sum::<f64>() / rest
                } else {
                    others.map(|(_, (x, _))| x).sum::<f64>() / (criteria - 1) as f64
                }
            })
            .collect();
        let x_j = |i: usize| {
            rows.get(i)
                .and_then(|row| row.get(j))
                .copied()
                .unwrap_or(0.0)
        };
        let r_b = r.get(first).copied().unwrap_or(0.0);
        let slope_b = x_j(first) - r_b;
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        let (mut lo_rival, mut hi_rival) = (None, None);
        for (k, r_k) in r.iter().enumerate() {
            if k == first {
                continue;
            }
            // d(t) = u_b(t) − u_k(t) = alpha + beta·t ≥ 0.
            let alpha = r_b - r_k;
            let beta = slope_b - (x_j(k) - r_k);
            if beta.abs() <= parallel {
                continue;
            }
            let root = -alpha / beta;
            if beta > 0.0 && root > lo {
                lo = root;
                lo_rival = Some(k);
            } else if beta < 0.0 && root < hi {
                hi = root;
                hi_rival = Some(k);
            }
        }
        // Leaders tied within ε at the base can put a root a rounding error past w_j.
        if lo > base {
            lo = base;
        }
        if hi < base {
            hi = base;
        }
        intervals.push(WeightInterval {
            criterion: j,
            base,
            lo,
            hi,
            lo_rival,
            hi_rival,
        });
    }
    Ok(Stability {
        first,
        utilities,
        intervals,
    })
}

/// A utility that is a ratio of two linear functions of t = w_j: (n0 + n1·t)/(d0 + d1·t), 0
/// where the denominator vanishes (no criterion applies).
#[derive(Clone, Copy, Debug)]
struct Fractional {
    n0: f64,
    n1: f64,
    d0: f64,
    d1: f64,
}

impl Fractional {
    fn at(self, t: f64) -> f64 {
        let d = self.d0 + self.d1 * t;
        if d > SIMPLEX_TOLERANCE {
            (self.n0 + self.n1 * t) / d
        } else {
            0.0
        }
    }
}

/// The roots in (0, 1) of c0 + c1·t + c2·t².
fn unit_roots(c0: f64, c1: f64, c2: f64, out: &mut Vec<f64>) {
    let scale = c0.abs().max(c1.abs()).max(c2.abs());
    if scale == 0.0 {
        return;
    }
    let (c0, c1, c2) = (c0 / scale, c1 / scale, c2 / scale);
    let mut push = |t: f64| {
        if t.is_finite() && t > 0.0 && t < 1.0 {
            out.push(t);
        }
    };
    if c2.abs() <= 1e-14 {
        if c1.abs() > 1e-14 {
            push(-c0 / c1);
        }
        return;
    }
    let disc = c1 * c1 - 4.0 * c2 * c0;
    if disc < 0.0 {
        return;
    }
    // The numerically stable pair of roots (no cancellation between −c1 and √disc).
    let q = -0.5 * (c1 + c1.signum() * disc.sqrt());
    if q != 0.0 {
        push(q / c2);
        push(c0 / q);
    } else {
        push(0.0);
    }
}

/// [`weight_stability`] when a criterion may not apply to every alternative, as a framework
/// may not apply to every provider: u_i = Σ_{j∈A_i} w_j·x_ij / Σ_{j∈A_i} w_j, renormalised
/// over the criteria that apply to i (`applies`, n × m) and 0 when none does. With t = w_j and
/// the others rescaled, numerator and denominator are both linear in t, so "b stays ahead of
/// k" is a quadratic inequality in t. Its roots in (0, 1), over every rival, cut [0, 1] into
/// pieces on which the order of b and each rival cannot change; the interval is the run of
/// pieces around w_j on which b is first (checked at each piece's midpoint, ties allowed as in
/// [`weight_stability`], which this equals when every criterion applies to every
/// alternative).
pub fn weight_stability_masked(
    alternatives: usize,
    criteria: usize,
    measurements: &[f64],
    applies: &[bool],
    weights: &[f64],
) -> Result<Stability, SmaaError> {
    Additive::fixed(alternatives, criteria, measurements)?;
    for (what, len) in [("applies", applies.len()), ("weights", weights.len())] {
        let expected = if what == "weights" {
            criteria
        } else {
            alternatives * criteria
        };
        if len != expected {
            return Err(SmaaError::Length {
                what,
                len,
                expected,
            });
        }
    }
    sampler::check_simplex(weights, None)?;
    let cell = |i: usize, j: usize| {
        let k = i * criteria + j;
        let on = applies.get(k).copied().unwrap_or(false);
        (measurements.get(k).copied().unwrap_or(0.0), on)
    };
    let utilities: Vec<f64> = (0..alternatives)
        .map(|i| {
            let (mut num, mut den) = (0.0, 0.0);
            for (j, w) in weights.iter().enumerate() {
                if let (x, true) = cell(i, j) {
                    num += w * x;
                    den += w;
                }
            }
            if den > SIMPLEX_TOLERANCE {
                num / den
            } else {
                0.0
            }
        })
        .collect();
    let first = utilities
        .iter()
        .position(|ui| utilities.iter().all(|uk| *uk <= ui + TIE_EPS))
        .unwrap_or(0);
    let intervals = (0..criteria)
        .map(|j| {
            let base = weights.get(j).copied().unwrap_or(0.0);
            if criteria == 1 {
                // Its weight is 1 and has nothing to trade with, as in `weight_stability`.
                return WeightInterval {
                    criterion: j,
                    base,
                    lo: 1.0,
                    hi: 1.0,
                    lo_rival: None,
                    hi_rival: None,
                };
            }
            let forms: Vec<Fractional> = (0..alternatives)
                .map(|i| fractional(criteria, weights, j, |k| cell(i, k)))
                .collect();
            masked_interval(j, base, first, &forms)
        })
        .collect();
    Ok(Stability {
        first,
        utilities,
        intervals,
    })
}

/// Alternative i's utility as a function of t = w_j, the other weights rescaled by
/// (1 − t)/(1 − w_j) (taken as equal when w_j = 1). `cell(k)` is (x_ik, criterion k applies).
fn fractional(
    criteria: usize,
    weights: &[f64],
    j: usize,
    cell: impl Fn(usize) -> (f64, bool),
) -> Fractional {
    let base = weights.get(j).copied().unwrap_or(0.0);
    let rest = 1.0 - base;
    let (mut p, mut q) = (0.0, 0.0);
    for (k, w) in weights.iter().enumerate() {
        if k == j {
            continue;
        }
        if let (x, true) = cell(k) {
            let w = if rest > SIMPLEX_TOLERANCE {
                w / rest
            } else {
                1.0 / (criteria.saturating_sub(1).max(1)) as f64
            };
            p += w * x;
            q += w;
        }
    }
    let (x, on) = cell(j);
    let a = if on { 1.0 } else { 0.0 };
    Fractional {
        n0: p,
        n1: x * a - p,
        d0: q,
        d1: a - q,
    }
}

/// The interval of t = w_j around `base` within which `first` stays first, from each
/// alternative's utility as a function of t.
fn masked_interval(j: usize, base: f64, first: usize, forms: &[Fractional]) -> WeightInterval {
    let Some(&b) = forms.get(first) else {
        return WeightInterval {
            criterion: j,
            base,
            lo: base,
            hi: base,
            lo_rival: None,
            hi_rival: None,
        };
    };
    let mut cuts = vec![0.0, 1.0, base];
    for (k, f) in forms.iter().enumerate() {
        if k == first {
            continue;
        }
        // N_b·D_k − N_k·D_b = c0 + c1·t + c2·t².
        let c0 = b.n0 * f.d0 - f.n0 * b.d0;
        let c1 = b.n0 * f.d1 + b.n1 * f.d0 - f.n0 * b.d1 - f.n1 * b.d0;
        let c2 = b.n1 * f.d1 - f.n1 * b.d1;
        unit_roots(c0, c1, c2, &mut cuts);
    }
    cuts.sort_by(f64::total_cmp);
    cuts.dedup_by(|a, b| (*a - *b).abs() <= 1e-15);
    // The rival that beats `first` at t, if any: the one with the highest utility.
    let overtaker = |t: f64| -> Option<usize> {
        let ub = b.at(t);
        forms
            .iter()
            .enumerate()
            .filter(|(k, f)| *k != first && f.at(t) > ub + TIE_EPS)
            .max_by(|x, y| x.1.at(t).total_cmp(&y.1.at(t)).then(y.0.cmp(&x.0)))
            .map(|(k, _)| k)
    };
    let at = cuts
        .iter()
        .position(|c| (c - base).abs() <= 1e-15)
        .unwrap_or(0);
    let (mut hi, mut hi_rival) = (base, None);
    for w in cuts.get(at..).unwrap_or(&[]).windows(2) {
        if let [a, z] = *w {
            match overtaker(0.5 * (a + z)) {
                None => hi = z,
                Some(k) => {
                    hi_rival = Some(k);
                    break;
                }
            }
        }
    }
    let (mut lo, mut lo_rival) = (base, None);
    for w in cuts.get(..=at).unwrap_or(&[]).windows(2).rev() {
        if let [a, z] = *w {
            match overtaker(0.5 * (a + z)) {
                None => lo = a,
                Some(k) => {
                    lo_rival = Some(k);
                    break;
                }
            }
        }
    }
    WeightInterval {
        criterion: j,
        base,
        lo,
        hi,
        lo_rival,
        hi_rival,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_samples_in_order() {
        let r = chunk_ranges(2 * CHUNK_SIZE + 5);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0], 0..CHUNK_SIZE);
        assert_eq!(r[2], 2 * CHUNK_SIZE..2 * CHUNK_SIZE + 5);
        assert!(chunk_ranges(0).is_empty());
    }

    #[test]
    fn run_chunks_keeps_chunk_order_and_the_first_error() {
        let out = run_chunks(7, |c| Ok(c * 10)).unwrap();
        assert_eq!(out, vec![0, 10, 20, 30, 40, 50, 60]);
        let err = run_chunks(7, |c| {
            if c >= 4 {
                Err(SmaaError::NonFiniteUtility {
                    sample: c,
                    alternative: 0,
                    value: f64::NAN,
                })
            } else {
                Ok(c)
            }
        });
        assert!(matches!(
            err,
            Err(SmaaError::NonFiniteUtility { sample: 4, .. })
        ));
    }

    #[test]
    fn a_tie_shares_first_place_and_is_no_win() {
        let mut p = RankPartial::new(3, 1);
        p.add(&[1.0], &[0.5, 0.5, 0.2]);
        assert_eq!(p.rank_counts, vec![1, 0, 0, 1, 0, 0, 0, 0, 1]);
        // wins: 0 beats 2, 1 beats 2, nobody beats a tied leader.
        assert_eq!(p.win_counts, vec![0, 0, 1, 0, 0, 1, 0, 0, 0]);
    }
}
