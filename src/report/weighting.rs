//! The weights a profile derives from pairwise judgements, as reports carry them and
//! `labfit weights` prints them: for the frameworks and for each requirement whose children
//! are judged, the weights, λ_max, CI, CR, the random index table, the completion of missing
//! pairs and the judgements to revisit. Frameworks given as numbers show their normalised
//! weights, with no consistency figures.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::profile::judgements::Derived;
use crate::profile::Profile;
use crate::score::round6;

/// Every weight a profile derives, by what it weighs.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WeightingReport {
    /// The frameworks' weights (the root).
    pub frameworks: WeightSet,
    /// The weights of the children of each requirement whose children are judged, by id.
    pub nodes: BTreeMap<String, WeightSet>,
}

/// One set of weights and where they come from.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WeightSet {
    /// Each item's weight; they sum to 1.
    pub weights: BTreeMap<String, f64>,
    /// The principal eigenvalue of the (completed) judgement matrix; null for numbers.
    pub lambda_max: Option<f64>,
    /// Consistency index (λ_max − n)/(n − 1); null for numbers.
    pub ci: Option<f64>,
    /// Consistency ratio CI / RI(n) (0 for two items); null for numbers.
    pub cr: Option<f64>,
    /// The random index table RI(n) comes from: `saaty-1980` or `alonso-lamata-2006`.
    pub random_index: String,
    /// How pairs nobody judged were filled in: `none` (every pair judged), `harker-1987` or
    /// `bozoki-fulop-ronyai-2010`; null for numbers.
    pub completion: Option<String>,
    /// The committee members whose judgements were combined (geometric mean), by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// The pairs the completion filled in, and the value it gave them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filled: Vec<FilledPair>,
    /// CR is above Saaty's 0.10 and the profile accepts it (`ahp: {max_cr}` or
    /// `allow_inconsistent`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub accepted: bool,
    /// When CR is above 0.10: the judgements whose change alone lowers it most, best first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub revisit: Vec<Revisit>,
}

/// A pair nobody judged, as the completion filled it.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FilledPair {
    /// The item judged.
    pub a: String,
    /// The item it is compared with.
    pub b: String,
    /// How many times as important `a` came out than `b`.
    pub value: f64,
}

/// A judgement worth revisiting.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Revisit {
    /// The item judged, as written.
    pub a: String,
    /// The item it is compared with.
    pub b: String,
    /// The value given (for members, their geometric mean).
    pub value: f64,
    /// The ratio of the derived weights, w_a / w_b.
    pub consistent: f64,
    /// The value on Saaty's scale that, alone in its place, lowers CR most.
    pub suggested: f64,
    /// CR after that change.
    pub cr_after: f64,
}

impl WeightSet {
    /// A derived set, rounded as reports round.
    pub fn derived(d: &Derived) -> WeightSet {
        let p = &d.priorities;
        WeightSet {
            weights: p
                .items
                .iter()
                .cloned()
                .zip(p.weights.iter().map(|w| round6(*w)))
                .collect(),
            lambda_max: Some(round6(p.lambda_max)),
            ci: Some(round6(p.ci)),
            cr: Some(round6(p.cr)),
            random_index: p.random_index_table.name().to_owned(),
            completion: Some(p.completion.name().to_owned()),
            members: d.members.clone(),
            filled: p
                .filled
                .iter()
                .map(|f| FilledPair {
                    a: f.a.clone(),
                    b: f.b.clone(),
                    value: round6(f.value),
                })
                .collect(),
            accepted: d.accepted,
            revisit: p
                .revisions
                .iter()
                .map(|r| Revisit {
                    a: r.a.clone(),
                    b: r.b.clone(),
                    value: round6(r.current),
                    consistent: round6(r.consistent),
                    suggested: round6(r.suggested),
                    cr_after: round6(r.cr_after),
                })
                .collect(),
        }
    }
}

impl WeightingReport {
    /// What a profile's weights come from.
    pub fn of(p: &Profile) -> WeightingReport {
        let frameworks = match &p.weighting.frameworks {
            Some(d) => WeightSet::derived(d),
            None => {
                let total: f64 = p.frameworks.iter().map(|(_, w)| w).sum();
                WeightSet {
                    weights: p
                        .frameworks
                        .iter()
                        .map(|(id, w)| {
                            let share = if total > 0.0 { w / total } else { 0.0 };
                            (id.clone(), round6(share))
                        })
                        .collect(),
                    lambda_max: None,
                    ci: None,
                    cr: None,
                    random_index: p.ahp.random_index.name().to_owned(),
                    completion: None,
                    members: Vec::new(),
                    filled: Vec::new(),
                    accepted: false,
                    revisit: Vec::new(),
                }
            }
        };
        WeightingReport {
            frameworks,
            nodes: p
                .weighting
                .nodes
                .iter()
                .map(|(id, d)| (id.clone(), WeightSet::derived(d)))
                .collect(),
        }
    }
}
