//! Draws the samples SMAA averages over — weight vectors and, for evidence not yet known, the
//! values within their [lo, hi] — kept apart from the analysis so the core can be fed samples
//! from anywhere (tests with hand-made samples, or labfit's own per-sample scores).
//!
//! Sample s is drawn from [`sample_stream`]`(seed, s)` alone: weights first, then the
//! measurements alternative by alternative, criterion by criterion. So a sample is the same
//! whichever thread draws it and however many samples are drawn. Uniform weights and interval
//! measurements use only integer-to-float conversion and arithmetic, so they are bit-identical
//! across platforms too; Dirichlet weights go through `ln`, `cos` and `powf`, whose last bit is
//! the platform libm's.

use super::rng::{sample_stream, Xoshiro256StarStar};
use super::{chunk_ranges, run_chunks, SmaaError, SIMPLEX_TOLERANCE};

/// Where the weights come from.
#[derive(Clone, Debug, PartialEq)]
pub enum WeightModel {
    /// Uniform on the simplex (Dirichlet(1, …, 1)): "no idea of the weights".
    Uniform,
    /// Dirichlet(κ·w) around `center` = w: the profile's weights, held with concentration κ
    /// (mean w; larger κ, closer to w — variance of w_j is w_j(1 − w_j)/(κ + 1)).
    Dirichlet {
        /// The weights perturbed around; on the simplex.
        center: Vec<f64>,
        /// κ > 0.
        concentration: f64,
    },
}

/// What to draw for each sample.
#[derive(Clone, Debug, PartialEq)]
pub struct SamplerSpec {
    /// n.
    pub alternatives: usize,
    /// m.
    pub criteria: usize,
    /// How weights are drawn.
    pub weights: WeightModel,
    /// n × m intervals, row-major (alternative, then criterion): each value is drawn uniformly
    /// in [lo, hi]; lo = hi is a known value.
    pub intervals: Vec<(f64, f64)>,
}

/// Samples drawn by [`generate`], in the flat layout the core takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawn {
    /// S × m.
    pub weights: Vec<f64>,
    /// S × n × m.
    pub measurements: Vec<f64>,
}

impl SamplerSpec {
    /// Checks the spec once, so drawing cannot fail.
    pub fn check(&self) -> Result<(), SmaaError> {
        if self.alternatives == 0 {
            return Err(SmaaError::NoAlternatives);
        }
        if self.criteria == 0 {
            return Err(SmaaError::NoCriteria);
        }
        let expected = self.alternatives * self.criteria;
        if self.intervals.len() != expected {
            return Err(SmaaError::Length {
                what: "intervals",
                len: self.intervals.len(),
                expected,
            });
        }
        for (k, &(lo, hi)) in self.intervals.iter().enumerate() {
            if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                return Err(SmaaError::InvalidInterval {
                    alternative: k / self.criteria,
                    criterion: k % self.criteria,
                    lo,
                    hi,
                });
            }
        }
        if let WeightModel::Dirichlet {
            center,
            concentration,
        } = &self.weights
        {
            if !(concentration.is_finite() && *concentration > 0.0) {
                return Err(SmaaError::InvalidConcentration {
                    value: *concentration,
                });
            }
            if center.len() != self.criteria {
                return Err(SmaaError::Length {
                    what: "Dirichlet center",
                    len: center.len(),
                    expected: self.criteria,
                });
            }
            check_simplex(center, None)?;
        }
        Ok(())
    }
}

/// Non-negative, finite, summing to 1 within [`SIMPLEX_TOLERANCE`].
pub(crate) fn check_simplex(w: &[f64], sample: Option<usize>) -> Result<(), SmaaError> {
    for (criterion, &v) in w.iter().enumerate() {
        if !(v.is_finite() && v >= 0.0) {
            return Err(SmaaError::InvalidWeight {
                sample,
                criterion,
                value: v,
            });
        }
    }
    let sum: f64 = w.iter().sum();
    if (sum - 1.0).abs() > SIMPLEX_TOLERANCE {
        return Err(SmaaError::NotOnSimplex { sample, sum });
    }
    Ok(())
}

/// Uniform on the simplex: sort m − 1 uniforms, add 0 and 1, take the gaps (the reference's
/// recipe; the gaps of sorted uniforms are exactly Dirichlet(1, …, 1)).
pub fn uniform_simplex(rng: &mut Xoshiro256StarStar, out: &mut [f64]) {
    let m = out.len();
    if m == 0 {
        return;
    }
    let mut cuts: Vec<f64> = (0..m - 1).map(|_| rng.next_f64()).collect();
    cuts.sort_by(f64::total_cmp);
    let mut previous = 0.0;
    for (slot, cut) in out.iter_mut().zip(cuts.iter().chain(std::iter::once(&1.0))) {
        *slot = cut - previous;
        previous = *cut;
    }
}

/// Standard normal by Box–Muller (one of the pair; the other is dropped to keep the stream
/// layout simple).
fn normal(rng: &mut Xoshiro256StarStar) -> f64 {
    let u1 = rng.next_open_f64();
    let u2 = rng.next_f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Gamma(α, 1) by Marsaglia & Tsang (2000), "A simple method for generating gamma variables",
/// ACM TOMS 26(3): 363–372 (checked against its indexed abstract): for α ≥ 1, d = α − 1/3, c = 1/√(9d), repeat x ~ N(0,1),
/// v = (1 + c·x)³ until v > 0 and (u < 1 − 0.0331·x⁴ or ln u < x²/2 + d(1 − v + ln v)); return
/// d·v. For α < 1 their boost: Gamma(α + 1)·U^(1/α). α = 0 gives 0.
pub fn gamma(rng: &mut Xoshiro256StarStar, alpha: f64) -> f64 {
    if alpha.is_nan() || alpha <= 0.0 {
        return 0.0;
    }
    if alpha < 1.0 {
        let boost = rng.next_open_f64().powf(1.0 / alpha);
        return gamma(rng, alpha + 1.0) * boost;
    }
    let d = alpha - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = rng.next_open_f64();
        let x2 = x * x;
        if u < 1.0 - 0.0331 * x2 * x2 || u.ln() < 0.5 * x2 + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
}

/// Dirichlet(κ·center): independent Gamma(κ·w_j) normalised. A zero centre weight stays 0.
/// If every gamma underflows to 0 (only for tiny κ·w_j), the centre itself is returned so the
/// sample is still on the simplex.
pub fn dirichlet(
    rng: &mut Xoshiro256StarStar,
    center: &[f64],
    concentration: f64,
    out: &mut [f64],
) {
    for (slot, w) in out.iter_mut().zip(center) {
        *slot = gamma(rng, concentration * w);
    }
    let sum: f64 = out.iter().sum();
    if sum > 0.0 && sum.is_finite() {
        out.iter_mut().for_each(|v| *v /= sum);
    } else {
        out.iter_mut().zip(center).for_each(|(v, c)| *v = *c);
    }
}

/// Draws sample `sample` into `weights` (m) and `measurements` (n × m).
pub fn draw(
    spec: &SamplerSpec,
    seed: u64,
    sample: usize,
    weights: &mut [f64],
    measurements: &mut [f64],
) {
    let mut rng = sample_stream(seed, sample as u64);
    match &spec.weights {
        WeightModel::Uniform => uniform_simplex(&mut rng, weights),
        WeightModel::Dirichlet {
            center,
            concentration,
        } => dirichlet(&mut rng, center, *concentration, weights),
    }
    for (slot, &(lo, hi)) in measurements.iter_mut().zip(&spec.intervals) {
        // Drawn even when lo = hi, so which values are open does not shift the stream.
        let u = rng.next_f64();
        *slot = if hi > lo { lo + (hi - lo) * u } else { lo };
    }
}

/// Draws samples 0..`samples` in parallel; the result does not depend on the number of threads.
pub fn generate(spec: &SamplerSpec, seed: u64, samples: usize) -> Result<Drawn, SmaaError> {
    spec.check()?;
    if samples == 0 {
        return Err(SmaaError::NoSamples);
    }
    let m = spec.criteria;
    let nm = spec.alternatives * spec.criteria;
    let ranges = chunk_ranges(samples);
    let parts = run_chunks(ranges.len(), |c| {
        let range = ranges.get(c).cloned().unwrap_or(0..0);
        let mut w = vec![0.0; range.len() * m];
        let mut x = vec![0.0; range.len() * nm];
        for ((s, wr), xr) in range.zip(w.chunks_exact_mut(m)).zip(x.chunks_exact_mut(nm)) {
            draw(spec, seed, s, wr, xr);
        }
        Ok((w, x))
    })?;
    let mut weights = Vec::with_capacity(samples * m);
    let mut measurements = Vec::with_capacity(samples * nm);
    for (w, x) in parts {
        weights.extend(w);
        measurements.extend(x);
    }
    Ok(Drawn {
        weights,
        measurements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_simplex_rows_sum_to_one() {
        let mut rng = Xoshiro256StarStar::seed_from_u64(3);
        let mut w = [0.0; 5];
        for _ in 0..1000 {
            uniform_simplex(&mut rng, &mut w);
            assert!(w.iter().all(|v| *v >= 0.0));
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn gamma_has_the_right_mean_and_variance() {
        // Mean α and variance α; 40 000 draws put the mean within ~4·sqrt(α/40 000).
        for alpha in [0.3, 1.0, 2.5, 9.0] {
            let mut rng = Xoshiro256StarStar::seed_from_u64(11);
            let n = 40_000;
            let xs: Vec<f64> = (0..n).map(|_| gamma(&mut rng, alpha)).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
            assert!(
                (mean - alpha).abs() < 4.0 * (alpha / n as f64).sqrt(),
                "{alpha}: {mean}"
            );
            assert!((var - alpha).abs() < 0.1 * alpha, "{alpha}: {var}");
        }
    }

    #[test]
    fn dirichlet_mean_is_the_center() {
        let center = [0.5, 0.3, 0.2];
        let mut rng = Xoshiro256StarStar::seed_from_u64(5);
        let n = 20_000;
        let mut sums = [0.0; 3];
        let mut w = [0.0; 3];
        for _ in 0..n {
            dirichlet(&mut rng, &center, 20.0, &mut w);
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            for (s, v) in sums.iter_mut().zip(&w) {
                *s += v;
            }
        }
        for (s, c) in sums.iter().zip(&center) {
            // sd of w_j is sqrt(c(1 − c)/21) ≈ 0.11; SE of the mean ≈ 0.0008.
            assert!((s / n as f64 - c).abs() < 0.004);
        }
    }
}
