//! What a comparison shows, worked out once for every format: the ranking rows with each
//! provider's report beside it, who necessarily beats whom, the safest choice, the framework
//! and must-have matrices, the counts and the inputs. The text, Markdown and HTML renderers
//! each mark this up in their own way; none recomputes it, so they cannot disagree.

use crate::input::source::InputHash;
use crate::profile::Bands;
use crate::report::comparison::{Comparison, DecisionState};
use crate::report::robustness::{Robustness, WeightInterval};
use crate::report::{GateResult, Report, Verdict};

/// A provider named in a comparison: its id, and its name when it is ranked.
#[derive(Clone, Copy, Debug)]
pub struct Named<'a> {
    /// Provider id.
    pub id: &'a str,
    /// Its name in the ranking; `None` for an id the ranking does not hold.
    pub ranked: Option<&'a str>,
}

impl<'a> Named<'a> {
    /// The name to show: the ranked name, else the id.
    pub fn name(&self) -> &'a str {
        self.ranked.unwrap_or(self.id)
    }
}

/// One row of the ranking.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    /// 1-based rank.
    pub rank: usize,
    /// Provider id.
    pub id: &'a str,
    /// Provider name.
    pub name: &'a str,
    /// Verdict.
    pub verdict: Verdict,
    /// Fit (0–100).
    pub fit: f64,
    /// Potential (0–100).
    pub potential: f64,
    /// How much of the score is settled (0–1).
    pub settled: f64,
    /// Must-haves still open.
    pub open: &'a [String],
    /// Must-haves failed.
    pub failed: &'a [String],
    /// The weakest area's id.
    pub weakest: Option<&'a str>,
    /// The weakest area's fit (0–1), when the row's report holds it.
    pub weakest_lo: Option<f64>,
    /// The report at the row's place in the comparison's reports (reports are in ranking
    /// order), when there is one.
    pub report: Option<&'a Report>,
}

/// One provider that necessarily beats others: its fit is at least their potential.
#[derive(Clone, Debug)]
pub struct Beats<'a> {
    /// The provider that cannot lose to them.
    pub winner: Named<'a>,
    /// The providers it beats, in the comparison's order.
    pub losers: Vec<Named<'a>>,
}

/// The safest choice among the providers that meet every must-have (minimax regret).
#[derive(Clone, Copy, Debug)]
pub enum Safest<'a> {
    /// The only provider that meets every must-have: there is nothing to regret among them.
    Only(Named<'a>),
    /// No answer can put another provider ahead of it.
    Unbeatable(Named<'a>),
    /// Whatever the answers, it ends at most `by` fit points behind `against`.
    Behind {
        /// The choice.
        choice: Named<'a>,
        /// Its maximum regret, in fit points.
        by: f64,
        /// The provider that would cause that regret.
        against: Named<'a>,
    },
    /// No provider meets every must-have.
    None,
}

impl<'a> Safest<'a> {
    /// The provider chosen, when there is one.
    pub fn choice(&self) -> Option<Named<'a>> {
        match *self {
            Safest::Only(p) | Safest::Unbeatable(p) => Some(p),
            Safest::Behind { choice, .. } => Some(choice),
            Safest::None => None,
        }
    }
}

/// A provider whose answers would settle the decision.
#[derive(Clone, Debug)]
pub struct Settling<'a> {
    /// The provider.
    pub who: Named<'a>,
    /// Its open must-haves (empty: its other open questions decide).
    pub must_haves: &'a [String],
}

/// What the evidence decides.
#[derive(Clone, Debug)]
pub struct DecisionView<'a> {
    /// Where it stands.
    pub state: DecisionState,
    /// The provider chosen (state `chosen`).
    pub choice: Option<Named<'a>>,
    /// The best provider that meets every must-have (`chosen`, `contested`).
    pub leader: Option<Named<'a>>,
    /// Whose answers would settle it.
    pub pending: Vec<Settling<'a>>,
}

/// Providers × frameworks: each framework's interval per provider.
#[derive(Clone, Debug)]
pub struct FrameworkMatrix<'a> {
    /// The frameworks of the first report's profile, with their share of the fit.
    pub columns: Vec<(&'a str, f64)>,
    /// One row per report.
    pub rows: Vec<MatrixRow<'a, Option<(f64, f64)>>>,
}

/// Providers × must-haves: each must-have's result per provider.
#[derive(Clone, Debug)]
pub struct GateMatrix<'a> {
    /// The must-haves of the first report's profile.
    pub gates: &'a [GateResult],
    /// One row per report.
    pub rows: Vec<MatrixRow<'a, Option<&'a GateResult>>>,
}

/// One provider's row of a matrix: a cell per column, `None` where the column does not
/// apply to it.
#[derive(Clone, Debug)]
pub struct MatrixRow<'a, T> {
    /// Provider id.
    pub id: &'a str,
    /// Provider name.
    pub name: &'a str,
    /// The cells, in column order.
    pub cells: Vec<T>,
}

/// How many providers stand where.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    /// Every provider compared.
    pub providers: usize,
    /// Meet every must-have (strong, moderate or weak).
    pub eligible: usize,
    /// Have must-haves still open.
    pub conditional: usize,
    /// Failed at least one must-have.
    pub ineligible: usize,
    /// Questions to send, over every provider.
    pub questions: usize,
    /// Of those, the ones on must-haves.
    pub gate_questions: usize,
    /// Providers whose evidence includes expired documents (counted as unknown).
    pub expired: usize,
    /// Providers with questions still open (potential above fit).
    pub open: usize,
}

/// A comparison as every format shows it.
#[derive(Clone, Debug)]
pub struct ComparisonView<'a> {
    /// The engine's name and version (of the first report, else this build).
    pub engine: (&'a str, &'a str),
    /// The profile's id.
    pub profile: &'a str,
    /// The providers whose evidence includes expired documents, in ranking order.
    pub expired: Vec<Named<'a>>,
    /// The profile's bands (of the first report, else the defaults).
    pub bands: Bands,
    /// How many providers stand where.
    pub counts: Counts,
    /// The ranking, best first.
    pub rows: Vec<Row<'a>>,
    /// Every pair where one provider necessarily beats another, as the comparison lists them.
    pub pairs: Vec<(Named<'a>, Named<'a>)>,
    /// The same pairs by winner, winners in the order they first appear.
    pub beats: Vec<Beats<'a>>,
    /// Notes on the inputs: the rule packs' warnings, then the notes (a file that replaced a
    /// built-in provider).
    pub notes: Vec<&'a str>,
    /// What the evidence decides.
    pub decision: DecisionView<'a>,
    /// The safest choice among the providers that meet every must-have.
    pub safest: Safest<'a>,
    /// Providers × frameworks, when there is a report and its profile has frameworks.
    pub frameworks: Option<FrameworkMatrix<'a>>,
    /// Providers × must-haves, when there is a report and its profile has must-haves.
    pub gates: Option<GateMatrix<'a>>,
    /// Every input of every report, sorted, each once.
    pub inputs: Vec<&'a InputHash>,
    /// The robustness analysis, when `--robustness` asked for one.
    pub robustness: Option<RobustnessView<'a>>,
    /// One SHA-256 over the inputs, as listed (see [`inputs_digest`]): what a decision record
    /// cites to say which inputs it was made on.
    pub inputs_digest: String,
}

/// The most ranks a robustness table shows (the rest are rarely taken and do not fit).
pub const RANKS_SHOWN: usize = 5;

/// A robustness analysis as every format shows it.
#[derive(Clone, Debug)]
pub struct RobustnessView<'a> {
    /// The analysis.
    pub r: &'a Robustness,
    /// How many rank columns to show.
    pub ranks: usize,
    /// One row per provider analysed, in ranking order.
    pub rows: Vec<RobustRow<'a>>,
    /// The largest standard error of any rank acceptability shown.
    pub max_se: f64,
    /// The first-ranked provider and each framework's weight interval.
    pub stability: Option<(Named<'a>, Vec<StabilityRow<'a>>)>,
}

/// One framework's weight interval, with the providers that overtake at its ends.
#[derive(Clone, Debug)]
pub struct StabilityRow<'a> {
    /// The interval.
    pub interval: &'a WeightInterval,
    /// Who overtakes below it.
    pub below: Option<Named<'a>>,
    /// Who overtakes above it.
    pub above: Option<Named<'a>>,
}

/// One provider's row of a robustness table.
#[derive(Clone, Debug)]
pub struct RobustRow<'a> {
    /// The provider.
    pub who: Named<'a>,
    /// b^1 … b^ranks.
    pub acceptability: Vec<f64>,
    /// The confidence factor, when it ever ranks first.
    pub confidence: Option<f64>,
    /// Its central weight on each framework, when it ever ranks first.
    pub central: Option<Vec<f64>>,
}

fn robustness_view<'a>(
    r: &'a Robustness,
    named: &dyn Fn(&'a str) -> Named<'a>,
) -> RobustnessView<'a> {
    let ranks = r.providers.len().min(RANKS_SHOWN);
    let rows = r
        .providers
        .iter()
        .map(|id| RobustRow {
            who: named(id),
            acceptability: r
                .rank_acceptability
                .get(id)
                .map(|b| b.iter().take(ranks).copied().collect())
                .unwrap_or_default(),
            confidence: r.confidence.get(id).copied(),
            central: r.central_weights.get(id).map(|w| {
                r.frameworks
                    .iter()
                    .map(|f| w.get(f).copied().unwrap_or(0.0))
                    .collect()
            }),
        })
        .collect();
    let max_se = r
        .standard_errors
        .rank_acceptability
        .values()
        .flat_map(|v| v.iter().take(ranks))
        .fold(0.0, |m: f64, x| m.max(*x));
    RobustnessView {
        r,
        ranks,
        rows,
        max_se,
        stability: r.stability.as_ref().map(|s| {
            let rows = s
                .intervals
                .iter()
                .map(|iv| StabilityRow {
                    interval: iv,
                    below: iv.below.as_deref().map(named),
                    above: iv.above.as_deref().map(named),
                })
                .collect();
            (named(&s.first), rows)
        }),
    }
}

/// The SHA-256 of a list of inputs: of the lines `SHA256  NAME` (the output of `sha256sum`),
/// one per input in the order given, each ending in a newline. Anyone can recompute it from
/// the list a report prints, or from the files with `sha256sum FILE… | sha256sum`.
pub fn inputs_digest(inputs: &[&InputHash]) -> String {
    use sha2::{Digest as _, Sha256};
    let mut hasher = Sha256::new();
    for i in inputs {
        hasher.update(format!("{}  {}\n", i.sha256, i.name).as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl<'a> ComparisonView<'a> {
    /// Works out what a comparison shows.
    pub fn new(c: &'a Comparison) -> Self {
        let named = |id: &'a str| Named {
            id,
            ranked: c
                .ranking
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.provider.as_str()),
        };
        let pairs: Vec<(Named<'a>, Named<'a>)> = c
            .dominance
            .iter()
            .map(|d| (named(&d.winner), named(&d.loser)))
            .collect();
        let mut beats: Vec<Beats<'a>> = Vec::new();
        for (w, l) in &pairs {
            match beats.iter_mut().find(|b| b.winner.id == w.id) {
                Some(b) => b.losers.push(*l),
                None => beats.push(Beats {
                    winner: *w,
                    losers: vec![*l],
                }),
            }
        }
        let safest = match &c.minimax_regret {
            Some(m) if m.id == m.against => Safest::Only(named(&m.id)),
            Some(m) if m.max_regret < 0.05 => Safest::Unbeatable(named(&m.id)),
            Some(m) => Safest::Behind {
                choice: named(&m.id),
                by: m.max_regret,
                against: named(&m.against),
            },
            None => Safest::None,
        };
        let d = &c.decision;
        let decision = DecisionView {
            state: d.state,
            choice: d.choice.as_deref().map(named),
            leader: d.leader.as_deref().map(named),
            pending: d
                .pending
                .iter()
                .map(|p| Settling {
                    who: named(&p.id),
                    must_haves: &p.must_haves,
                })
                .collect(),
        };
        let first = c.reports.first();
        let mut inputs: Vec<&InputHash> = c.reports.iter().flat_map(|r| r.inputs.iter()).collect();
        inputs.sort();
        inputs.dedup();
        ComparisonView {
            engine: first.map_or((env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")), |r| {
                (r.engine.name.as_str(), r.engine.version.as_str())
            }),
            profile: &c.profile,
            expired: c
                .ranking
                .iter()
                .filter(|r| r.expired_evidence)
                .map(|r| named(&r.id))
                .collect(),
            bands: first.map(|r| r.profile.bands).unwrap_or_default(),
            counts: counts(c),
            rows: rows(c),
            pairs,
            beats,
            notes: c
                .warnings
                .iter()
                .map(|w| w.message.as_str())
                .chain(c.notes.iter().map(String::as_str))
                .collect(),
            decision,
            safest,
            frameworks: first.and_then(|f| framework_matrix(f, &c.reports)),
            gates: first.and_then(|f| gate_matrix(f, &c.reports)),
            inputs_digest: inputs_digest(&inputs),
            inputs,
            robustness: c.robustness.as_ref().map(|r| robustness_view(r, &named)),
        }
    }
}

fn counts(c: &Comparison) -> Counts {
    let count = |f: &dyn Fn(Verdict) -> bool| c.ranking.iter().filter(|r| f(r.verdict)).count();
    Counts {
        providers: c.ranking.len(),
        eligible: count(&|v| v.group() == 0),
        conditional: count(&|v| v == Verdict::Conditional),
        ineligible: count(&|v| v == Verdict::Ineligible),
        questions: c.reports.iter().map(|r| r.questions.len()).sum(),
        gate_questions: c
            .reports
            .iter()
            .map(|r| r.questions.iter().filter(|q| q.gate).count())
            .sum(),
        // From the ranking, which holds it with or without the reports.
        expired: c.ranking.iter().filter(|r| r.expired_evidence).count(),
        open: c.ranking.iter().filter(|r| r.potential > r.fit).count(),
    }
}

fn rows(c: &Comparison) -> Vec<Row<'_>> {
    c.ranking
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let report = c.reports.get(i);
            let weakest = r.weakest.as_deref();
            Row {
                rank: r.rank,
                id: &r.id,
                name: &r.provider,
                verdict: r.verdict,
                fit: r.fit,
                potential: r.potential,
                settled: r.settled,
                open: &r.open_gates,
                failed: &r.failed_gates,
                weakest,
                weakest_lo: weakest.zip(report).and_then(|(w, rep)| {
                    rep.profile
                        .frameworks
                        .iter()
                        .find(|f| f.id == w)
                        .map(|f| f.lo)
                }),
                report,
            }
        })
        .collect()
}

fn framework_matrix<'a>(first: &'a Report, reports: &'a [Report]) -> Option<FrameworkMatrix<'a>> {
    let columns: Vec<(&str, f64)> = first
        .profile
        .frameworks
        .iter()
        .map(|f| (f.id.as_str(), f.share))
        .collect();
    if columns.is_empty() {
        return None;
    }
    let rows = reports
        .iter()
        .map(|r| MatrixRow {
            id: &r.provider.id,
            name: &r.provider.name,
            cells: columns
                .iter()
                .map(|(id, _)| {
                    r.profile
                        .frameworks
                        .iter()
                        .find(|f| f.id == *id)
                        .filter(|f| f.share > 0.0)
                        .map(|f| (f.lo, f.hi))
                })
                .collect(),
        })
        .collect();
    Some(FrameworkMatrix { columns, rows })
}

fn gate_matrix<'a>(first: &'a Report, reports: &'a [Report]) -> Option<GateMatrix<'a>> {
    if first.gates.is_empty() {
        return None;
    }
    let rows = reports
        .iter()
        .map(|r| MatrixRow {
            id: &r.provider.id,
            name: &r.provider.name,
            cells: first.gates.iter().map(|g| r.gate(&g.id)).collect(),
        })
        .collect();
    Some(GateMatrix {
        gates: &first.gates,
        rows,
    })
}
