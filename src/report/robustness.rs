//! How far a ranking survives other weights and the open questions (`compare --robustness`):
//! SMAA-2's rank acceptability indices, central weights, confidence factors and pairwise
//! winning probabilities, each with its Monte Carlo standard error, and the one-at-a-time
//! weight stability of the first-ranked provider. Serde data only; the engine fills it.

use std::collections::BTreeMap;

use serde::Serialize;

/// SMAA-2 results of a comparison, by provider id.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Robustness {
    /// Monte Carlo samples.
    pub samples: u64,
    /// The seed the samples were drawn with: the same seed gives the same figures, whatever
    /// the number of threads.
    pub seed: u64,
    /// How the weights were drawn: `uniform` on the simplex over the frameworks, or
    /// `dirichlet` around the profile's weights.
    pub weights: String,
    /// The Dirichlet concentration (`--spread`), when the weights are drawn around the
    /// profile's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spread: Option<f64>,
    /// The frameworks weighed, in order (the criteria).
    pub frameworks: Vec<String>,
    /// The providers analysed, in ranking order: every provider still in the running (those
    /// that failed a must-have cannot be chosen, so they are left out).
    pub providers: Vec<String>,
    /// Providers left out (they failed a must-have).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<String>,
    /// b_i^r: the share of samples in which provider i takes rank r (index 0 is rank 1).
    pub rank_acceptability: BTreeMap<String, Vec<f64>>,
    /// The mean of the weights under which provider i ranks first (absent if it never does).
    pub central_weights: BTreeMap<String, BTreeMap<String, f64>>,
    /// The share of samples in which provider i ranks first under its central weights.
    pub confidence: BTreeMap<String, f64>,
    /// P(provider i scores above provider k).
    pub pairwise: BTreeMap<String, BTreeMap<String, f64>>,
    /// The Monte Carlo standard error of each figure above, in the same shape.
    pub standard_errors: StandardErrors,
    /// How far each framework's weight can move, the others rescaled, before the
    /// first-ranked provider loses first place (on what the evidence shows today).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stability: Option<WeightStability>,
}

/// Standard errors, shaped as the figures they belong to.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StandardErrors {
    /// Of `rank_acceptability`.
    pub rank_acceptability: BTreeMap<String, Vec<f64>>,
    /// Of `central_weights`.
    pub central_weights: BTreeMap<String, BTreeMap<String, f64>>,
    /// Of `confidence`.
    pub confidence: BTreeMap<String, f64>,
    /// Of `pairwise`.
    pub pairwise: BTreeMap<String, BTreeMap<String, f64>>,
}

/// One-at-a-time weight stability of the first-ranked provider.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WeightStability {
    /// The first-ranked provider.
    pub first: String,
    /// One interval per framework, in the frameworks' order.
    pub intervals: Vec<WeightInterval>,
}

/// The range of one framework's weight within which the first-ranked provider stays first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WeightInterval {
    /// The framework.
    pub framework: String,
    /// Its weight in the profile (normalised).
    pub weight: f64,
    /// The smallest weight at which the first stays first.
    pub lo: f64,
    /// The largest weight at which the first stays first.
    pub hi: f64,
    /// Who overtakes below `lo` (absent when `lo` is 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub below: Option<String>,
    /// Who overtakes above `hi` (absent when `hi` is 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub above: Option<String>,
}
