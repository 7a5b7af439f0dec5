//! Running and scoring: evidence prepared once per date (assumptions applied, fact tables
//! built per staleness limit), rule outcomes cached by parameter values, and the report or
//! the ranking summary of one profile × provider, with the warnings about the evidence.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use crate::engine::assemble::{self, Context};
use crate::engine::error::Error;
use crate::engine::{Engine, Options};
use crate::evidence::{self, Evidence, FactValue};
use crate::graph::NodeKind;
use crate::input::date::Date;
use crate::input::error::{did_you_mean, UsageError};
use crate::report::{Assumption, Report, Warning, WarningKind};
use crate::rules::{FactTable, Outcome, Params};
use crate::score::{self, BoundProfile};

/// Facts older than this are flagged when a profile sets no `max_evidence_age_days`.
pub const STALE_WARNING_DAYS: i64 = 730;

/// A provider's evidence prepared for scoring as of one date: facts converted once, rule
/// outcomes cached per distinct parameter values, so scoring it against many profiles runs
/// each rule at most once per parameter set.
#[derive(Debug)]
pub struct Prepared<'e> {
    /// Borrowed unless assumptions change it (cloning evidence was a tenth of a score).
    evidence: Cow<'e, Evidence>,
    as_of: Date,
    assumptions: Vec<Assumption>,
    tables: Mutex<HashMap<Option<u32>, Arc<FactTable>>>,
    cache: Mutex<OutcomeCache>,
}

/// Outcomes by (check, staleness limit), each with the parameter values it read.
type OutcomeCache = HashMap<(usize, Option<u32>), Vec<Arc<Outcome>>>;

impl Prepared<'_> {
    /// The evidence (with assumptions applied).
    pub fn evidence(&self) -> &Evidence {
        &self.evidence
    }

    /// The evaluation date.
    pub fn as_of(&self) -> Date {
        self.as_of
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
            tables: Mutex::new(HashMap::new()),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Scores one provider against one profile.
    pub fn score(&self, profile: &BoundProfile, evidence: &Evidence, options: &Options) -> Report {
        self.score_prepared(profile, &self.prepare(evidence, options))
    }

    /// Scores prepared evidence; rule outcomes are reused across calls with the same
    /// parameter values.
    pub fn score_prepared(&self, profile: &BoundProfile, prep: &Prepared<'_>) -> Report {
        let max_age = profile.profile.max_evidence_age_days;
        let outcomes = self.outcomes(profile, prep);
        let mut warnings = self.warnings.clone();
        warnings.extend(self.evidence_warnings(&prep.evidence, prep.as_of, max_age));
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
        let outcomes = self.outcomes(profile, prep);
        score::pass(&self.graph, profile, &outcomes, prep.as_of).summary(
            &self.graph,
            profile,
            &outcomes,
        )
    }

    /// The outcome of every leaf the profile reaches and does not waive, from the cache or by
    /// running its rule.
    fn outcomes(
        &self,
        profile: &BoundProfile,
        prep: &Prepared<'_>,
    ) -> BTreeMap<usize, Arc<Outcome>> {
        let max_age = profile.profile.max_evidence_age_days;
        let table = {
            let mut tables = prep
                .tables
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            tables
                .entry(max_age)
                .or_insert_with(|| {
                    Arc::new(FactTable::new(
                        &prep.evidence,
                        &self.vocab,
                        prep.as_of,
                        max_age,
                    ))
                })
                .clone()
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
                    self.outcome(rule, max_age, &table, &profile.params, prep),
                );
            }
        }
        outcomes
    }

    fn outcome(
        &self,
        rule: usize,
        max_age: Option<u32>,
        table: &Arc<FactTable>,
        params: &Params,
        prep: &Prepared<'_>,
    ) -> Arc<Outcome> {
        let key = (rule, max_age);
        {
            let cache = prep
                .cache
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(hit) = cache.get(&key).and_then(|list| {
                list.iter().find(|o| {
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
        let o = Arc::new(
            self.rules
                .evaluate(&check.file, &check.function, table, params),
        );
        prep.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(key)
            .or_default()
            .push(o.clone());
        o
    }

    fn evidence_warnings(&self, ev: &Evidence, as_of: Date, max_age: Option<u32>) -> Vec<Warning> {
        let mut out = Vec::new();
        if max_age.is_none() {
            let old: Vec<(&String, Date)> = ev
                .facts
                .iter()
                .filter(|(_, f)| f.value.is_some() && f.status != evidence::Status::Assumed)
                .map(|(k, f)| (k, ev.fact_date(f)))
                .filter(|(_, d)| d.days_until(as_of) > STALE_WARNING_DAYS)
                .collect();
            if let Some((k, d)) = old.iter().min_by_key(|(k, d)| (*d, *k)) {
                out.push(Warning {
                    kind: WarningKind::StaleEvidence,
                    message: format!(
                        "{} of {} facts for {} are over 2 years old as of {as_of} (oldest: `{k}`, {d}); re-check them, or set `max_evidence_age_days` to count old facts as unknown",
                        old.len(),
                        ev.facts.values().filter(|f| f.value.is_some()).count(),
                        ev.provider
                    ),
                });
            }
        }
        let expired: Vec<&String> = ev
            .facts
            .iter()
            .filter(|(_, f)| f.expires.is_some_and(|e| e < as_of))
            .map(|(k, _)| k)
            .collect();
        if !expired.is_empty() {
            out.push(Warning {
                kind: WarningKind::ExpiredEvidence,
                message: format!(
                    "{} fact(s) for {} are past their `expires` date and count as unknown: {}",
                    expired.len(),
                    ev.provider,
                    expired
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        out
    }
}
