//! Running and scoring: evidence prepared once per date (assumptions applied, fact tables
//! built per staleness limit), rule outcomes cached by parameter values, and the report or
//! the ranking summary of one profile × provider, with the warnings about the evidence.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::engine::assemble::{self, Context};
use crate::engine::error::Error;
use crate::engine::{Engine, Options};
use crate::evidence::{Evidence, FactValue};
use crate::graph::NodeKind;
use crate::input::date::Date;
use crate::input::error::{did_you_mean, UsageError};
use crate::report::{Assumption, Report, Warning, WarningKind};
use crate::rules::{FactTable, Lapse, Memo, Outcome, Params};
use crate::score::{self, BoundProfile};

/// A provider's evidence prepared for scoring as of one date: facts converted once, rule
/// outcomes cached per distinct parameter values, so scoring it against many profiles runs
/// each rule at most once per parameter set.
#[derive(Debug)]
pub struct Prepared<'e> {
    /// Borrowed unless assumptions change it (cloning evidence was a tenth of a score).
    evidence: Cow<'e, Evidence>,
    as_of: Date,
    assumptions: Vec<Assumption>,
    /// One fact table per (staleness limit, services used), in order of first use.
    tables: Mutex<Vec<(TableKey, Arc<FactTable>)>>,
    cache: Mutex<OutcomeCache>,
    /// The end of the time budget its rules share, if any ([`Prepared::with_deadline`]).
    until: Option<Instant>,
    /// Outcomes shared with the other providers of a comparison, by what each rule read.
    memo: Option<Arc<Memo>>,
}

/// What a fact table depends on besides the evidence and the date: the profile's staleness
/// limit and the services its lab uses.
type TableKey = (Option<u32>, Vec<String>);

/// Outcomes by (check, fact table), each with the parameter values it read. The keys are
/// indices, not input, so a fast hasher is safe; a score looks up and fills one entry per leaf.
type OutcomeCache = foldhash::HashMap<(usize, usize), Cached>;

/// The outcomes of one check on one fact table. Most keys only ever get one (a second comes
/// from a profile whose parameters differ where the check reads them), so the first is kept
/// without a list of its own.
#[derive(Debug)]
enum Cached {
    One(Arc<Outcome>),
    Many(Vec<Arc<Outcome>>),
}

impl Cached {
    fn as_slice(&self) -> &[Arc<Outcome>] {
        match self {
            Cached::One(o) => std::slice::from_ref(o),
            Cached::Many(list) => list,
        }
    }

    fn push(&mut self, o: Arc<Outcome>) {
        match self {
            Cached::One(first) => *self = Cached::Many(vec![first.clone(), o]),
            Cached::Many(list) => list.push(o),
        }
    }
}

impl Prepared<'_> {
    /// The evidence (with assumptions applied).
    pub fn evidence(&self) -> &Evidence {
        &self.evidence
    }

    /// The evaluation date.
    pub fn as_of(&self) -> Date {
        self.as_of
    }

    /// Gives the rules run for this evidence a shared time budget ending at `until` (a
    /// request to the service): the sandbox stops a rule still running then, and rules not
    /// yet run end as `error` without running, so scoring ends soon after `until` however
    /// many rules are slow.
    #[must_use]
    pub fn with_deadline(mut self, until: Instant) -> Self {
        self.until = Some(until);
        self
    }
}

impl Engine {
    /// Parses `KEY=VALUE` for `--assume`, typed by the vocabulary.
    pub fn assumption(&self, kv: &str) -> Result<(String, FactValue), Error> {
        let Some((k, v)) = kv.split_once('=') else {
            return Err(UsageError::Invalid {
                message: format!("`--assume {kv}` is not KEY=VALUE"),
                hint: Some("for example `--assume contract.baa=true`".into()),
            }
            .into());
        };
        let k = k.trim();
        let Some(spec) = self.vocab.get(k) else {
            return Err(UsageError::Invalid {
                message: format!("`--assume`: unknown fact key `{k}`"),
                hint: did_you_mean(k, self.vocab.keys())
                    .or_else(|| Some("see `labfit list facts`".into())),
            }
            .into());
        };
        let value = FactValue::parse_as(spec, v).map_err(|m| UsageError::Invalid {
            message: format!("`--assume {k}`: {m}"),
            hint: Some(format!("`{k}` is of type {}", spec.ty)),
        })?;
        Ok((k.to_owned(), value))
    }

    /// Prepares evidence for scoring (applies assumptions, fixes the date).
    pub fn prepare<'e>(&self, evidence: &'e Evidence, options: &Options) -> Prepared<'e> {
        self.prepare_with(evidence, options, None)
    }

    /// The memo a comparison shares between its providers, unless the engine was built
    /// without one.
    pub(crate) fn memo(&self) -> Option<Arc<Memo>> {
        self.memo.then(|| Arc::new(Memo::new()))
    }

    /// [`Engine::prepare`], reusing rule outcomes through `memo`.
    pub(crate) fn prepare_with<'e>(
        &self,
        evidence: &'e Evidence,
        options: &Options,
        memo: Option<Arc<Memo>>,
    ) -> Prepared<'e> {
        let mut ev = Cow::Borrowed(evidence);
        let mut assumptions = Vec::new();
        for (k, v) in &options.assumptions {
            ev.to_mut().assume(k, v.clone());
            assumptions.push(Assumption {
                fact: k.clone(),
                value: v.clone(),
            });
        }
        assumptions.sort_by(|a, b| a.fact.cmp(&b.fact));
        Prepared {
            evidence: ev,
            as_of: options.as_of.unwrap_or_else(Date::today),
            assumptions,
            tables: Mutex::new(Vec::new()),
            cache: Mutex::new(OutcomeCache::with_capacity_and_hasher(
                self.graph.checks().len(),
                foldhash::fast::RandomState::default(),
            )),
            until: None,
            memo,
        }
    }

    /// Scores one provider against one profile.
    pub fn score(&self, profile: &BoundProfile, evidence: &Evidence, options: &Options) -> Report {
        self.score_prepared(profile, &self.prepare(evidence, options))
    }

    /// Scores prepared evidence; rule outcomes are reused across calls with the same
    /// parameter values.
    pub fn score_prepared(&self, profile: &BoundProfile, prep: &Prepared<'_>) -> Report {
        self.score_in(profile, prep, true)
    }

    /// [`Engine::score_prepared`]; a comparison leaves out the rule packs' warnings, which it
    /// gives once for all its reports.
    pub(crate) fn score_in(
        &self,
        profile: &BoundProfile,
        prep: &Prepared<'_>,
        pack_warnings: bool,
    ) -> Report {
        let (table, outcomes) = self.outcomes(profile, prep);
        let mut warnings = if pack_warnings {
            self.warnings.clone()
        } else {
            Vec::new()
        };
        warnings.extend(self.evidence_warnings(&prep.evidence, &table));
        for a in &prep.assumptions {
            warnings.push(Warning {
                kind: WarningKind::AssumedFact,
                message: format!(
                    "what-if: `{}` is assumed to be {}; the result is hypothetical",
                    a.fact, a.value
                ),
            });
        }
        let mut inputs = self.inputs.clone();
        inputs.extend(
            profile
                .profile
                .files
                .iter()
                .map(|f| f.input_hash("profile")),
        );
        inputs.push(prep.evidence.file().input_hash("evidence"));
        inputs.sort();
        inputs.dedup();
        let ctx = Context {
            vocab: &self.vocab,
            answers: &self.answers,
            evidence: &prep.evidence,
            as_of: prep.as_of,
            warnings,
            inputs,
            assumptions: prep.assumptions.clone(),
        };
        let scored = score::pass(&self.graph, profile, &outcomes, prep.as_of);
        assemble::report(&self.graph, profile, scored, &outcomes, ctx)
    }

    /// The ranking facts of [`Engine::score_prepared`]'s report (fit, potential, verdict,
    /// gates, weakest framework, rule errors) without building the report: what
    /// [`Engine::compare_profiles`] keeps of each provider × profile. Rule outcomes come from
    /// the same cache as `score_prepared`'s.
    pub fn summary(&self, profile: &BoundProfile, prep: &Prepared<'_>) -> score::Summary {
        let (table, outcomes) = self.outcomes(profile, prep);
        let mut s = score::pass(&self.graph, profile, &outcomes, prep.as_of).summary(
            &self.graph,
            profile,
            &outcomes,
        );
        // The same facts the report's expired-evidence warning lists (`evidence_warnings`).
        s.expired_evidence = table
            .reads()
            .any(|f| matches!(f.lapse, Some(Lapse::Expired { .. })));
        s
    }

    /// The scoring pass of prepared evidence, without a report: what the robustness analysis
    /// samples.
    pub(crate) fn pass_prepared(
        &self,
        profile: &BoundProfile,
        prep: &Prepared<'_>,
    ) -> score::Scored {
        let (_, outcomes) = self.outcomes(profile, prep);
        score::pass(&self.graph, profile, &outcomes, prep.as_of)
    }

    /// The outcome of every leaf the profile reaches and does not waive, from the cache or by
    /// running its rule.
    fn outcomes(
        &self,
        profile: &BoundProfile,
        prep: &Prepared<'_>,
    ) -> (Arc<FactTable>, BTreeMap<usize, Arc<Outcome>>) {
        let max_age = profile.profile.max_evidence_age_days;
        let (table_id, table) = {
            let mut tables = prep
                .tables
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let found = tables
                .iter()
                .position(|((m, s), _)| *m == max_age && *s == profile.services);
            match found.and_then(|i| Some((i, tables.get(i)?.1.clone()))) {
                Some(hit) => hit,
                None => {
                    let t = Arc::new(FactTable::with_unstated(
                        &prep.evidence,
                        &self.vocab,
                        &self.unstated,
                        prep.as_of,
                        max_age,
                        &profile.services,
                    ));
                    tables.push(((max_age, profile.services.clone()), t.clone()));
                    (tables.len() - 1, t)
                }
            }
        };
        let (reached, waived) = score::reach(&self.graph, profile, prep.as_of);
        let mut outcomes = BTreeMap::new();
        for (i, node) in self.graph.nodes().iter().enumerate() {
            if !reached.get(i).copied().unwrap_or(false) || waived.get(i).copied().unwrap_or(false)
            {
                continue;
            }
            if let NodeKind::Leaf { rule } = node.kind {
                outcomes.insert(
                    i,
                    self.outcome(rule, table_id, &table, &profile.params, prep),
                );
            }
        }
        (table, outcomes)
    }

    fn outcome(
        &self,
        rule: usize,
        table_id: usize,
        table: &Arc<FactTable>,
        params: &Params,
        prep: &Prepared<'_>,
    ) -> Arc<Outcome> {
        let key = (rule, table_id);
        {
            let cache = prep
                .cache
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(hit) = cache.get(&key).and_then(|list| {
                list.as_slice().iter().find(|o| {
                    o.params
                        .iter()
                        .all(|p| params.get(&p.name) == p.value.as_ref())
                })
            }) {
                return hit.clone();
            }
        }
        let Some(check) = self.graph.checks().get(rule) else {
            return Arc::new(self.rules.evaluate("", "", table, params));
        };
        let o = Arc::new(self.rules.evaluate_with(
            &check.file,
            &check.function,
            table,
            params,
            prep.until,
            prep.memo.as_deref(),
        ));
        prep.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(key)
            .and_modify(|list| list.push(o.clone()))
            .or_insert_with(|| Cached::One(o.clone()));
        o
    }

    /// What a reader should know about the evidence before trusting the score: the facts it
    /// states that count as unknown, by why (expired, out of the lab's scope, too old).
    fn evidence_warnings(&self, ev: &Evidence, table: &FactTable) -> Vec<Warning> {
        let mut expired = Vec::new();
        let mut scope = Vec::new();
        let mut old = Vec::new();
        for f in table.reads() {
            match &f.lapse {
                Some(Lapse::Expired { on, .. }) => expired.push(format!("`{}` ({on})", f.key)),
                Some(Lapse::OutOfScope { covers, .. }) => {
                    scope.push(format!("`{}` ({})", f.key, covers.join(", ")))
                }
                Some(Lapse::TooOld { .. }) => old.push(format!("`{}`", f.key)),
                None => {}
            }
        }
        let mut out = Vec::new();
        let mut warn = |kind, list: Vec<String>, what: &str| {
            if !list.is_empty() {
                out.push(Warning {
                    kind,
                    message: format!(
                        "{} fact(s) for {} {what} and count as unknown: {}",
                        list.len(),
                        ev.provider,
                        list.join(", ")
                    ),
                });
            }
        };
        warn(
            WarningKind::ExpiredEvidence,
            expired,
            "are past their `expires` date or their document's validity",
        );
        warn(
            WarningKind::OutOfScope,
            scope,
            "cover only services the lab will not use (covered kinds in brackets)",
        );
        warn(
            WarningKind::StaleEvidence,
            old,
            "are older than the profile's `max_evidence_age_days`",
        );
        out
    }
}
