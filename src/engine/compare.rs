//! Comparing providers under one profile: scores in parallel, ranks them (eligible before
//! conditional before ineligible; then fit, potential, id), and adds the interval reasoning of
//! Jiménez et al. (2009) and Salo & Hämäläinen (2001): p necessarily beats q when p's fit is at
//! least q's potential; the minimax-regret choice minimises MR(p) = max over q ≠ p of
//! (potential(q) − fit(p)).

use std::time::Instant;

use rayon::prelude::*;

use crate::engine::{Engine, Options, Prepared};
use crate::evidence::Evidence;
use crate::input::date::Date;
use crate::report::comparison::{
    Comparison, Decision, DecisionState, Dominance, Pending, Ranked, Regret,
};
use crate::report::{Report, WarningKind};
use crate::score::rank::{self, Standing};
use crate::score::{round6, BoundProfile, GateState, Summary};

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
        self.compare_all(profile, evidence, options, tick, None)
    }

    /// [`Engine::compare`] within one time budget for all the rules it runs (see
    /// [`Prepared::with_deadline`]).
    pub fn compare_until(
        &self,
        profile: &BoundProfile,
        evidence: &[Evidence],
        options: &Options,
        until: Instant,
    ) -> Comparison {
        self.compare_all(profile, evidence, options, &|| {}, Some(until))
    }

    fn compare_all(
        &self,
        profile: &BoundProfile,
        evidence: &[Evidence],
        options: &Options,
        tick: &(dyn Fn() + Sync),
        until: Option<Instant>,
    ) -> Comparison {
        let as_of = options.as_of.unwrap_or_else(Date::today);
        let options = Options {
            as_of: Some(as_of),
            assumptions: options.assumptions.clone(),
        };
        let memo = self.memo();
        let reports: Vec<Report> = evidence
            .par_iter()
            .map(|e| {
                let prep = self.prepare_with(e, &options, memo.clone());
                let prep = match until {
                    Some(u) => prep.with_deadline(u),
                    None => prep,
                };
                let r = self.score_in(profile, &prep, false);
                tick();
                r
            })
            .collect();
        let mut c = comparison(profile, as_of, reports);
        c.warnings.clone_from(&self.warnings);
        c
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
            let mut c = finish(
                profile,
                options.as_of.unwrap_or_else(Date::today),
                Vec::new(),
                Vec::new(),
            );
            c.warnings.clone_from(&self.warnings);
            c
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
        let memo = self.memo();
        let rows: Vec<Vec<Ranked>> = evidence
            .par_iter()
            .map(|e| {
                let prep = self.prepare_with(e, &options, memo.clone());
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
                ranking.sort_by(rank::order);
                let mut c = finish(p, as_of, ranking, Vec::new());
                c.warnings.clone_from(&self.warnings);
                c
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
        settled: settled(s.fit, s.potential),
        expired_evidence: s.expired_evidence,
    }
}

/// How much of a score the evidence settles: 1 − (potential − fit) / 100.
fn settled(fit: f64, potential: f64) -> f64 {
    round6((1.0 - (potential - fit) / 100.0).clamp(0.0, 1.0))
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
        settled: settled(r.fit, r.potential),
        expired_evidence: r
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::ExpiredEvidence),
    }
}

/// Ranks already-scored reports (all under the same profile and date).
pub fn comparison(profile: &BoundProfile, as_of: Date, mut reports: Vec<Report>) -> Comparison {
    reports.sort_by(rank::order);
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
    let id = |i: usize| {
        ranking
            .get(i)
            .map(|r| r.id().to_owned())
            .unwrap_or_default()
    };
    let dominance = rank::dominance(&ranking)
        .into_iter()
        .map(|(w, l)| Dominance {
            winner: id(w),
            loser: id(l),
        })
        .collect();
    let decision = decision(&ranking);
    let minimax_regret = rank::minimax_regret(&ranking).map(|(p, max_regret, q)| Regret {
        id: id(p),
        max_regret,
        against: id(q),
    });
    Comparison {
        labfit: "comparison/v1",
        profile: profile.profile.id.clone(),
        title: profile.profile.title.clone(),
        as_of,
        ranking,
        dominance,
        decision,
        minimax_regret,
        notes: Vec::new(),
        robustness: None,
        warnings: Vec::new(),
        reports,
    }
}

/// What the evidence decides (`rank::decide`), with the providers whose answers would settle
/// it. The ranking summary and the full comparison give the same decision.
fn decision(ranking: &[Ranked]) -> Decision {
    let id = |i: usize| ranking.get(i).map(|r| r.id.clone());
    let pending = |list: &[usize]| -> Vec<Pending> {
        list.iter()
            .filter_map(|&i| {
                let row = ranking.get(i)?;
                Some(Pending {
                    id: row.id.clone(),
                    must_haves: row.open_gates.clone(),
                })
            })
            .collect()
    };
    let (state, choice, leader, pending) = match rank::decide(ranking) {
        rank::Settles::Empty => (DecisionState::Empty, None, None, Vec::new()),
        rank::Settles::AllIneligible => (DecisionState::AllIneligible, None, None, Vec::new()),
        rank::Settles::NoneEligible { contenders } => (
            DecisionState::NoneEligible,
            None,
            None,
            pending(&contenders),
        ),
        rank::Settles::Contested {
            leader,
            challengers,
        } => {
            let mut who = vec![leader];
            who.extend(challengers);
            who.sort_unstable();
            (DecisionState::Contested, None, id(leader), pending(&who))
        }
        rank::Settles::Choice(i) => (DecisionState::Chosen, id(i), id(i), Vec::new()),
    };
    Decision {
        state,
        choice,
        leader,
        pending,
    }
}
