//! Comparing providers under one profile: scores in parallel, ranks them (eligible before
//! conditional before ineligible; then fit, potential, id), and adds the interval reasoning of
//! Jiménez et al. (2009) and Salo & Hämäläinen (2001): p necessarily beats q when p's fit is at
//! least q's potential; the minimax-regret choice minimises MR(p) = max over q ≠ p of
//! (potential(q) − fit(p)).

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::{Engine, Options, Prepared};
use crate::evidence::Evidence;
use crate::input::date::Date;
use crate::report::{round6, GateState, Report, Verdict};
use crate::score::{BoundProfile, Summary, EPS};

/// One provider's place in a comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranked {
    /// 1-based rank.
    pub rank: usize,
    /// Provider id.
    pub id: String,
    /// Provider name.
    pub provider: String,
    /// Verdict.
    pub verdict: Verdict,
    /// Fit (0–100).
    pub fit: f64,
    /// Potential (0–100).
    pub potential: f64,
    /// Gates still open.
    pub open_gates: Vec<String>,
    /// Gates failed.
    pub failed_gates: Vec<String>,
    /// The framework with the lowest fit, when any applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weakest: Option<String>,
    /// Rule errors in this provider's run.
    pub errors: usize,
}

/// "p necessarily beats q": p's fit is at least q's potential.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dominance {
    /// The provider that cannot lose.
    pub winner: String,
    /// The provider that cannot win.
    pub loser: String,
}

/// The minimax-regret choice among the providers that are not ineligible.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Regret {
    /// Provider id.
    pub id: String,
    /// Its maximum regret (fit points): the most another provider could end up ahead.
    pub max_regret: f64,
    /// The provider that would cause that regret.
    pub against: String,
}

/// A ranking of providers under one profile.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// `comparison/v1`.
    pub labfit: &'static str,
    /// Profile id.
    pub profile: String,
    /// Profile title.
    pub title: String,
    /// Evaluation date.
    pub as_of: Date,
    /// Providers, best first.
    pub ranking: Vec<Ranked>,
    /// Every pair where one provider necessarily beats another.
    pub dominance: Vec<Dominance>,
    /// The safest choice under uncertainty, if any provider is not ineligible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimax_regret: Option<Regret>,
    /// The full report of every provider, in ranking order.
    pub reports: Vec<Report>,
}

/// The ordering of a ranking: verdict group, then fit, potential (both descending), then id.
pub fn rank_order(a: &Report, b: &Report) -> std::cmp::Ordering {
    order(
        (a.verdict, a.fit, a.potential, &a.provider.id),
        (b.verdict, b.fit, b.potential, &b.provider.id),
    )
}

/// [`rank_order`] on ranking rows, which carry the same four keys.
fn row_order(a: &Ranked, b: &Ranked) -> std::cmp::Ordering {
    order(
        (a.verdict, a.fit, a.potential, &a.id),
        (b.verdict, b.fit, b.potential, &b.id),
    )
}

fn order(a: (Verdict, f64, f64, &String), b: (Verdict, f64, f64, &String)) -> std::cmp::Ordering {
    a.0.group()
        .cmp(&b.0.group())
        .then_with(|| b.1.total_cmp(&a.1))
        .then_with(|| b.2.total_cmp(&a.2))
        .then_with(|| a.3.cmp(b.3))
}

impl Engine {
    /// Scores every provider (in parallel) and ranks them.
    pub fn compare(
        &self,
        profile: &BoundProfile,
        evidence: &[Evidence],
        options: &Options,
    ) -> Comparison {
        self.compare_with_progress(profile, evidence, options, &|| {})
    }

    /// [`Engine::compare`], calling `tick` once per provider scored (from worker threads).
    pub fn compare_with_progress(
        &self,
        profile: &BoundProfile,
        evidence: &[Evidence],
        options: &Options,
        tick: &(dyn Fn() + Sync),
    ) -> Comparison {
        let as_of = options.as_of.unwrap_or_else(Date::today);
        let options = Options {
            as_of: Some(as_of),
            assumptions: options.assumptions.clone(),
        };
        let reports: Vec<Report> = evidence
            .par_iter()
            .map(|e| {
                let r = self.score(profile, e, &options);
                tick();
                r
            })
            .collect();
        comparison(profile, as_of, reports)
    }

    /// [`Engine::compare`] without the reports: the same ranking, dominance and minimax
    /// regret, from summaries ([`Engine::summary`]) instead of full reports — what a ranking
    /// table needs, at a fraction of the cost and memory for a large registry.
    pub fn rank(
        &self,
        profile: &BoundProfile,
        evidence: &[Evidence],
        options: &Options,
    ) -> Comparison {
        self.rank_with_progress(profile, evidence, options, &|| {})
    }

    /// [`Engine::rank`], calling `tick` once per provider scored (from worker threads).
    pub fn rank_with_progress(
        &self,
        profile: &BoundProfile,
        evidence: &[Evidence],
        options: &Options,
        tick: &(dyn Fn() + Sync),
    ) -> Comparison {
        let mut all = self.matrix(std::slice::from_ref(profile), evidence, options, tick);
        all.pop().unwrap_or_else(|| {
            finish(
                profile,
                options.as_of.unwrap_or_else(Date::today),
                Vec::new(),
                Vec::new(),
            )
        })
    }

    /// Ranks the providers under each of several profiles (a registry × every lab type). Each
    /// provider is prepared once and summarised under every profile ([`Engine::summary`]), so a
    /// rule whose parameters agree across profiles runs once per provider; providers are
    /// scored in parallel. The comparisons carry rankings, dominance and minimax regret but no
    /// reports (2 000 providers × 10 profiles of full reports would take gigabytes, and
    /// building them is most of the cost): score a provider with [`Engine::score`] for its
    /// report. Each ranking equals that of [`Engine::compare`].
    pub fn compare_profiles(
        &self,
        profiles: &[BoundProfile],
        evidence: &[Evidence],
        options: &Options,
    ) -> Vec<Comparison> {
        self.matrix(profiles, evidence, options, &|| {})
    }

    fn matrix(
        &self,
        profiles: &[BoundProfile],
        evidence: &[Evidence],
        options: &Options,
        tick: &(dyn Fn() + Sync),
    ) -> Vec<Comparison> {
        let as_of = options.as_of.unwrap_or_else(Date::today);
        let options = Options {
            as_of: Some(as_of),
            assumptions: options.assumptions.clone(),
        };
        let rows: Vec<Vec<Ranked>> = evidence
            .par_iter()
            .map(|e| {
                let prep = self.prepare(e, &options);
                let row = profiles
                    .iter()
                    .map(|p| summary_row(&prep, self.summary(p, &prep)))
                    .collect();
                tick();
                row
            })
            .collect();
        let mut by_profile: Vec<Vec<Ranked>> = profiles
            .iter()
            .map(|_| Vec::with_capacity(evidence.len()))
            .collect();
        for provider in rows {
            for (k, r) in provider.into_iter().enumerate() {
                if let Some(list) = by_profile.get_mut(k) {
                    list.push(r);
                }
            }
        }
        profiles
            .iter()
            .zip(by_profile)
            .map(|(p, mut ranking)| {
                ranking.sort_by(row_order);
                finish(p, as_of, ranking, Vec::new())
            })
            .collect()
    }
}

/// A provider's row in a ranking from its summary: the fields [`row`] takes from the report.
fn summary_row(prep: &Prepared<'_>, s: Summary) -> Ranked {
    let ids = |state: GateState| {
        s.gates
            .iter()
            .filter(|g| g.state == state)
            .map(|g| g.id.clone())
            .collect()
    };
    Ranked {
        rank: 0,
        id: prep.evidence().id.clone(),
        provider: prep.evidence().provider.clone(),
        verdict: s.verdict,
        fit: s.fit,
        potential: s.potential,
        open_gates: ids(GateState::Open),
        failed_gates: ids(GateState::Failed),
        weakest: s.weakest,
        errors: s.errors,
    }
}

/// A report's row in a ranking (its rank is set once the rows are sorted).
fn row(r: &Report) -> Ranked {
    Ranked {
        rank: 0,
        id: r.provider.id.clone(),
        provider: r.provider.name.clone(),
        verdict: r.verdict,
        fit: r.fit,
        potential: r.potential,
        open_gates: r
            .gates
            .iter()
            .filter(|g| g.state == GateState::Open)
            .map(|g| g.id.clone())
            .collect(),
        failed_gates: r
            .gates
            .iter()
            .filter(|g| g.state == GateState::Failed)
            .map(|g| g.id.clone())
            .collect(),
        weakest: r.weakest_framework().map(|f| f.id.clone()),
        errors: r.errors.len(),
    }
}

/// Ranks already-scored reports (all under the same profile and date).
pub fn comparison(profile: &BoundProfile, as_of: Date, mut reports: Vec<Report>) -> Comparison {
    reports.sort_by(rank_order);
    let ranking = reports.iter().map(row).collect();
    finish(profile, as_of, ranking, reports)
}

/// Numbers sorted rows and adds dominance and minimax regret.
fn finish(
    profile: &BoundProfile,
    as_of: Date,
    mut ranking: Vec<Ranked>,
    reports: Vec<Report>,
) -> Comparison {
    for (i, r) in ranking.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    // Both loops below visit every pair of providers (4 million for a registry of 2 000) on one
    // thread: ids are compared as numbers (equal ids, equal numbers) and nothing is cloned until
    // a pair is kept.
    let mut numbers: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &ranking {
        let n = numbers.len();
        numbers.entry(r.id.as_str()).or_insert(n);
    }
    let num: Vec<usize> = ranking
        .iter()
        .map(|r| numbers.get(r.id.as_str()).copied().unwrap_or(0))
        .collect();
    let mut dominance = Vec::new();
    for (p, np) in ranking.iter().zip(&num) {
        for (q, nq) in ranking.iter().zip(&num) {
            // A pair with identical point scores dominates both ways; keep only the ranked order.
            if p.fit >= q.potential - EPS
                && !(q.fit >= p.potential - EPS && q.rank < p.rank)
                && np != nq
            {
                dominance.push(Dominance {
                    winner: p.id.clone(),
                    loser: q.id.clone(),
                });
            }
        }
    }
    let candidates: Vec<(&Ranked, usize)> = ranking
        .iter()
        .zip(num.iter().copied())
        .filter(|(r, _)| r.verdict != Verdict::Ineligible)
        .collect();
    let minimax_regret = candidates
        .iter()
        .filter_map(|&(p, np)| {
            let worst = candidates
                .iter()
                .filter(|&&(_, nq)| nq != np)
                .map(|(q, _)| (q.potential - p.fit, q.id.as_str()))
                .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)));
            match worst {
                Some((mr, against)) => Some(Regret {
                    id: p.id.clone(),
                    max_regret: round6(mr.max(0.0)),
                    against: against.to_owned(),
                }),
                None if candidates.len() == 1 => Some(Regret {
                    id: p.id.clone(),
                    max_regret: 0.0,
                    against: p.id.clone(),
                }),
                None => None,
            }
        })
        .min_by(|a, b| {
            a.max_regret
                .total_cmp(&b.max_regret)
                .then_with(|| a.id.cmp(&b.id))
        });
    Comparison {
        labfit: "comparison/v1",
        profile: profile.profile.id.clone(),
        title: profile.profile.title.clone(),
        as_of,
        ranking,
        dominance,
        minimax_regret,
        reports,
    }
}
