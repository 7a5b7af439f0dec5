//! `compare --robustness`: SMAA-2 over a comparison's providers. Each provider still in the
//! running is scored once and reduced to its point model (`score::robust`); the samples —
//! weights over the profile's frameworks and the values unknown evidence could take — are
//! drawn in parallel from the seed, and the SMAA core turns them into rank acceptability,
//! central weights, confidence and pairwise wins. The same seed gives byte-identical figures
//! for any number of threads.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::engine::error::Error;
use crate::engine::{Engine, Options};
use crate::evidence::Evidence;
use crate::input::error::UsageError;
use crate::report::comparison::Comparison;
use crate::report::robustness::{Robustness, StandardErrors, WeightInterval, WeightStability};
use crate::score::robust::{self, PointModel};
use crate::score::{round6, BoundProfile, Verdict};
use crate::weights::smaa::sampler::WeightModel;
use crate::weights::smaa::{Estimate, SmaaError, SmaaResult, Stability};

/// What `--robustness` asks for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RobustnessOptions {
    /// Monte Carlo samples (at least 1).
    pub samples: usize,
    /// The seed.
    pub seed: u64,
    /// Dirichlet concentration around the profile's weights; `None` draws them uniformly on
    /// the simplex.
    pub spread: Option<f64>,
}

/// The default seed, so that two runs without `--seed` agree.
pub const DEFAULT_SEED: u64 = 20_260_101;

impl Engine {
    /// SMAA-2 of the providers of `cmp` (as [`Engine::compare`] or [`Engine::rank`] ranked
    /// them, on `cmp`'s date): every provider that has not failed a must-have, in ranking
    /// order, over the profile's frameworks.
    pub fn robustness(
        &self,
        profile: &BoundProfile,
        evidence: &[Evidence],
        cmp: &Comparison,
        options: &Options,
        ro: &RobustnessOptions,
    ) -> Result<Robustness, Error> {
        check(ro)?;
        let options = Options {
            as_of: Some(cmp.as_of),
            assumptions: options.assumptions.clone(),
        };
        let by_id: BTreeMap<&str, &Evidence> =
            evidence.iter().map(|e| (e.id.as_str(), e)).collect();
        let (running, left_out): (Vec<_>, Vec<_>) = cmp
            .ranking
            .iter()
            .partition(|r| r.verdict != Verdict::Ineligible);
        let chosen: Vec<(&str, Verdict, &Evidence)> = running
            .iter()
            .filter_map(|r| Some((r.id.as_str(), r.verdict, *by_id.get(r.id.as_str())?)))
            .collect();
        let models: Vec<PointModel> = chosen
            .par_iter()
            .map(|(_, _, e)| {
                let prep = self.prepare(e, &options);
                let scored = self.pass_prepared(profile, &prep);
                PointModel::of(&self.graph, profile, &scored)
            })
            .collect();
        let frameworks: Vec<String> = profile
            .roots
            .iter()
            .filter_map(|&(i, _)| Some(self.graph.node(i)?.req.id.clone()))
            .collect();
        let total: f64 = profile.roots.iter().map(|(_, w)| w).sum();
        let center: Vec<f64> = profile
            .roots
            .iter()
            .map(|(_, w)| if total > 0.0 { w / total } else { 0.0 })
            .collect();
        let model = match ro.spread {
            Some(k) => WeightModel::Dirichlet {
                center: center.clone(),
                concentration: k,
            },
            None => WeightModel::Uniform,
        };
        let ids: Vec<String> = chosen.iter().map(|(id, ..)| (*id).to_owned()).collect();
        let mut out = Robustness {
            samples: ro.samples as u64,
            seed: ro.seed,
            weights: if ro.spread.is_some() {
                "dirichlet"
            } else {
                "uniform"
            }
            .to_owned(),
            spread: ro.spread,
            frameworks: frameworks.clone(),
            providers: ids.clone(),
            left_out: left_out.iter().map(|r| r.id.clone()).collect(),
            rank_acceptability: BTreeMap::new(),
            central_weights: BTreeMap::new(),
            confidence: BTreeMap::new(),
            pairwise: BTreeMap::new(),
            standard_errors: StandardErrors::default(),
            stability: None,
        };
        if models.is_empty() || frameworks.is_empty() {
            return Ok(out);
        }
        let samples = robust::draw(&models, frameworks.len(), &model, ro.seed, ro.samples)
            .map_err(smaa_error)?;
        let result = samples.analyse().map_err(smaa_error)?;
        fill(&mut out, &result, &ids, &frameworks);
        // The leader's stability among the providers in its verdict group: the ranking puts
        // that group first, whatever the scores of the others.
        let group = chosen
            .first()
            .map(|(_, v, _)| v.group())
            .unwrap_or_default();
        let same: usize = chosen
            .iter()
            .take_while(|(_, v, _)| v.group() == group)
            .count();
        let leaders = models.get(..same).unwrap_or_default();
        out.stability = robust::stability(leaders, &center)
            .ok()
            .map(|s| stability(&s, &ids, &frameworks));
        Ok(out)
    }
}

fn check(ro: &RobustnessOptions) -> Result<(), Error> {
    if ro.samples == 0 {
        return Err(UsageError::Invalid {
            message: "`--robustness 0`: no samples to draw".into(),
            hint: Some("1 000 samples give probabilities to about ±0.016; 10 000 to ±0.005".into()),
        }
        .into());
    }
    if let Some(k) = ro.spread {
        if !(k.is_finite() && k > 0.0) {
            return Err(UsageError::Invalid {
                message: format!("`--spread {k}` is not a positive number"),
                hint: Some(
                    "the Dirichlet concentration: 1 spreads the weights widely around the profile's, 100 keeps them close"
                        .into(),
                ),
            }
            .into());
        }
    }
    Ok(())
}

fn smaa_error(e: SmaaError) -> Error {
    UsageError::Invalid {
        message: format!("robustness analysis: {e}"),
        hint: None,
    }
    .into()
}

/// Names SMAA's figures by provider and framework, rounded as reports round.
fn fill(out: &mut Robustness, r: &SmaaResult, ids: &[String], frameworks: &[String]) {
    let p = |e: &Estimate| round6(e.p);
    let se = |e: &Estimate| round6(e.se);
    let named = |v: &[f64]| -> BTreeMap<String, f64> {
        frameworks
            .iter()
            .cloned()
            .zip(v.iter().map(|x| round6(*x)))
            .collect()
    };
    for (i, id) in ids.iter().enumerate() {
        if let Some(row) = r.rank_acceptability.get(i) {
            out.rank_acceptability
                .insert(id.clone(), row.iter().map(p).collect());
            out.standard_errors
                .rank_acceptability
                .insert(id.clone(), row.iter().map(se).collect());
        }
        if let Some(Some(w)) = r.central_weights.get(i) {
            out.central_weights.insert(id.clone(), named(w));
        }
        if let Some(Some(w)) = r.central_weight_errors.get(i) {
            out.standard_errors
                .central_weights
                .insert(id.clone(), named(w));
        }
        if let Some(Some(c)) = r.confidence.get(i) {
            out.confidence.insert(id.clone(), p(c));
            out.standard_errors.confidence.insert(id.clone(), se(c));
        }
        if let Some(row) = r.pairwise_wins.get(i) {
            let others = |f: &dyn Fn(&Estimate) -> f64| -> BTreeMap<String, f64> {
                ids.iter()
                    .zip(row)
                    .enumerate()
                    .filter(|(k, _)| *k != i)
                    .map(|(_, (k, e))| (k.clone(), f(e)))
                    .collect()
            };
            out.pairwise.insert(id.clone(), others(&p));
            out.standard_errors.pairwise.insert(id.clone(), others(&se));
        }
    }
}

fn stability(s: &Stability, ids: &[String], frameworks: &[String]) -> WeightStability {
    let name = |i: Option<usize>| i.and_then(|i| ids.get(i).cloned());
    WeightStability {
        first: name(Some(s.first)).unwrap_or_default(),
        intervals: s
            .intervals
            .iter()
            .map(|iv| WeightInterval {
                framework: frameworks.get(iv.criterion).cloned().unwrap_or_default(),
                weight: round6(iv.base),
                lo: round6(iv.lo),
                hi: round6(iv.hi),
                below: name(iv.lo_rival),
                above: name(iv.hi_rival),
            })
            .collect(),
    }
}
