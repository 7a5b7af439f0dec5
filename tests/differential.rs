//! Differential check: a second, deliberately simple scorer (plain recursion over the parsed
//! YAML, no graph library, no caching, no indices) recomputes fit, potential, every node's
//! interval, every gate and the verdict from the same files the engine reads, on 10 000
//! random cases, and the two must agree. It follows docs/scoring.md, not src/score/: assurance
//! (a determinate x on a fact of credibility c is [c·x, c·x + 1 − c]), scope (a fact that does
//! not cover the lab's services is unknown), validity (`expires` and the kind's
//! `valid_months`), and must-haves judged on the claim with the assurance checked apart.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::float_cmp,
    reason = "test code fails loudly"
)]

mod common;

use std::collections::BTreeMap;

use common::{Case, Rng, AS_OF, EVIDENCE_AS_OF};
use yaml_serde::Value;

const EPS: f64 = 1e-9;
/// Reports round to 6 decimals.
const TOLERANCE: f64 = 2e-6;

enum Req {
    /// The fact key its check reads.
    Leaf(String),
    Composite {
        aggregate: String,
        children: Vec<(String, f64)>,
    },
}

/// A fact as written: value, status, covers, as_of, expires.
struct RefFact {
    value: Option<f64>,
    status: String,
    covers: Option<Vec<String>>,
    as_of: Option<String>,
    expires: Option<String>,
}

/// Everything the reference needs, read from the YAML and Rhai texts.
struct Reference {
    reqs: BTreeMap<String, Req>,
    facts: BTreeMap<String, RefFact>,
    /// Fact key → months a fact of that kind stays valid.
    valid_months: BTreeMap<String, u32>,
    /// The services the lab uses.
    services: Vec<String>,
    /// Credibility of verified, attested, claimed, reported.
    assurance: BTreeMap<String, f64>,
    frameworks: Vec<(String, f64)>,
    overrides: BTreeMap<(String, String), f64>,
    /// (requirement, min, min_assurance).
    gates: Vec<(String, f64, Option<String>)>,
    /// Requirements waived on AS_OF.
    waived: Vec<String>,
    bands: (f64, f64),
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v:?}"))
}

fn text(v: &Value) -> String {
    v.as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("not a string: {v:?}"))
}

/// `date` plus `months`, the day clamped to the month's end; ISO strings in and out.
fn add_months(date: &str, months: u32) -> String {
    let y: i64 = date[0..4].parse().unwrap();
    let m: i64 = date[5..7].parse().unwrap();
    let day: u32 = date[8..10].parse().unwrap();
    let total = y * 12 + (m - 1) + i64::from(months);
    let (y, m) = (total / 12, total % 12 + 1);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let last = match m {
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 31,
    };
    format!("{y:04}-{m:02}-{:02}", day.min(last))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_sequence().unwrap().iter().map(text).collect()
}

impl Reference {
    fn read(
        vocabulary: &str,
        catalogs: &[String],
        rules: &str,
        profile: &str,
        evidence: &str,
    ) -> Reference {
        // `fn lI() { decide("KEY") }`: which fact each check reads.
        let mut reads = BTreeMap::new();
        for line in rules.lines() {
            if let Some(rest) = line.strip_prefix("fn ") {
                if let (Some((name, _)), Some((_, key))) =
                    (rest.split_once("()"), rest.split_once("decide(\""))
                {
                    reads.insert(name.to_owned(), key.split('"').next().unwrap().to_owned());
                }
            }
        }
        let mut reqs = BTreeMap::new();
        for c in catalogs {
            let doc: Value = yaml_serde::from_str(c).unwrap();
            for r in doc["requirements"].as_sequence().unwrap() {
                let id = text(&r["id"]);
                let req = match r.get("check") {
                    Some(check) => {
                        let function = text(check).split("::").nth(1).unwrap().to_owned();
                        Req::Leaf(reads[&function].clone())
                    }
                    None => Req::Composite {
                        aggregate: r
                            .get("aggregate")
                            .map_or_else(|| "weighted".to_owned(), text),
                        children: r["children"]
                            .as_mapping()
                            .unwrap()
                            .iter()
                            .map(|(k, w)| (text(k), num(w)))
                            .collect(),
                    },
                };
                reqs.insert(id, req);
            }
        }
        let ev: Value = yaml_serde::from_str(evidence).unwrap();
        let facts = ev["facts"]
            .as_mapping()
            .unwrap()
            .iter()
            .map(|(k, f)| {
                (
                    text(k),
                    RefFact {
                        value: f.get("value").map(num),
                        status: text(&f["status"]),
                        covers: f.get("covers").map(strings),
                        as_of: f.get("as_of").map(text),
                        expires: f.get("expires").map(text),
                    },
                )
            })
            .collect();
        let vocab: Value = yaml_serde::from_str(vocabulary).unwrap();
        let valid_months = vocab["facts"]
            .as_mapping()
            .unwrap()
            .iter()
            .filter_map(|(k, f)| Some((text(k), num(f.get("valid_months")?) as u32)))
            .collect();
        let p: Value = yaml_serde::from_str(profile).unwrap();
        let services = match p.get("services") {
            Some(s) => strings(s),
            None => vocab["services"]
                .as_mapping()
                .unwrap()
                .iter()
                .filter(|(_, s)| s.get("default").and_then(Value::as_bool) == Some(true))
                .map(|(k, _)| text(k))
                .collect(),
        };
        let mut assurance: BTreeMap<String, f64> = [
            ("verified", 1.0),
            ("attested", 0.9),
            ("claimed", 0.75),
            ("reported", 0.5),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        if let Some(a) = p.get("assurance").and_then(Value::as_mapping) {
            for (k, v) in a {
                assurance.insert(text(k), num(v));
            }
        }
        let frameworks = p["frameworks"]
            .as_mapping()
            .unwrap()
            .iter()
            .map(|(k, w)| (text(k), num(w)))
            .filter(|(_, w)| *w > 0.0)
            .collect();
        let overrides = p
            .get("weights")
            .and_then(Value::as_mapping)
            .map(|m| {
                m.iter()
                    .map(|(k, w)| {
                        let k = text(k);
                        let (a, b) = k.split_once('/').unwrap();
                        ((a.to_owned(), b.to_owned()), num(w))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let gates = p
            .get("must_have")
            .and_then(Value::as_sequence)
            .map(|s| {
                s.iter()
                    .map(|g| {
                        (
                            text(&g["id"]),
                            g.get("min").map_or(1.0, num),
                            g.get("min_assurance").map(text),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        // ISO dates compare as strings.
        let waived = p
            .get("waivers")
            .and_then(Value::as_sequence)
            .map(|s| {
                s.iter()
                    .filter(|w| text(&w["expires"]).as_str() >= AS_OF)
                    .map(|w| text(&w["id"]))
                    .collect()
            })
            .unwrap_or_default();
        let bands = (num(&p["bands"]["strong"]), num(&p["bands"]["moderate"]));
        Reference {
            reqs,
            facts,
            valid_months,
            services,
            assurance,
            frameworks,
            overrides,
            gates,
            waived,
            bands,
        }
    }

    /// The status of a fact the rules see as known: stated, covering every service the lab
    /// uses, and not expired (by its own date or its kind's validity).
    fn known(&self, key: &str) -> Option<&str> {
        let f = self.facts.get(key)?;
        if f.value.is_none() || f.status == "unknown" {
            return None;
        }
        if let Some(c) = &f.covers {
            if self.services.iter().any(|s| !c.contains(s)) {
                return None;
            }
        }
        let date = f.as_of.clone().unwrap_or_else(|| EVIDENCE_AS_OF.to_owned());
        let by_kind = self.valid_months.get(key).map(|m| add_months(&date, *m));
        let until = match (&f.expires, by_kind) {
            (Some(e), Some(k)) => Some(e.clone().min(k)),
            (Some(e), None) => Some(e.clone()),
            (None, k) => k,
        };
        // ISO dates compare as strings.
        if until.is_some_and(|u| u.as_str() < AS_OF) {
            return None;
        }
        Some(&f.status)
    }

    /// What a known fact's check concludes: Some(Some(x)) determinate, Some(None) error,
    /// None not applicable. The generated rule's code: 2 pass, 3 fail, 4 n/a, 5 error.
    fn decide(v: f64) -> Option<Option<f64>> {
        if v == 2.0 {
            Some(Some(1.0))
        } else if v == 3.0 {
            Some(Some(0.0))
        } else if v == 4.0 {
            None
        } else if v == 5.0 {
            Some(None)
        } else {
            Some(Some(v))
        }
    }

    /// The interval of a requirement as scored (with assurance); None when it is excluded.
    fn value(&self, id: &str) -> Option<(f64, f64)> {
        self.interval(id, false)
    }

    /// The interval of a requirement; `claim` takes every fact at its word (must-haves).
    fn interval(&self, id: &str, claim: bool) -> Option<(f64, f64)> {
        if self.waived.iter().any(|w| w == id) {
            return None;
        }
        match &self.reqs[id] {
            Req::Leaf(key) => match self.known(key) {
                Some(status) => match Self::decide(self.facts[key].value.unwrap())? {
                    Some(x) if claim => Some((x, x)),
                    Some(x) => {
                        let c = self.assurance[status];
                        Some((c * x, c * x + 1.0 - c))
                    }
                    None => Some((0.0, 1.0)),
                },
                None => Some((0.0, 1.0)),
            },
            Req::Composite {
                aggregate,
                children,
            } => {
                let live: Vec<(f64, (f64, f64))> = children
                    .iter()
                    .filter_map(|(c, w)| {
                        let w = self
                            .overrides
                            .get(&(id.to_owned(), c.clone()))
                            .copied()
                            .unwrap_or(*w);
                        self.interval(c, claim).map(|v| (w, v))
                    })
                    .collect();
                if live.is_empty() {
                    return None;
                }
                match aggregate.as_str() {
                    "all" => Some(live.iter().fold((1.0f64, 1.0f64), |(a, b), (_, (lo, hi))| {
                        (a.min(*lo), b.min(*hi))
                    })),
                    "any" => Some(live.iter().fold((0.0f64, 0.0f64), |(a, b), (_, (lo, hi))| {
                        (a.max(*lo), b.max(*hi))
                    })),
                    _ => {
                        let total: f64 = live.iter().map(|(w, _)| w).sum();
                        if total <= 0.0 {
                            return None;
                        }
                        let lo: f64 = live.iter().map(|(w, (lo, _))| w * lo).sum();
                        let hi: f64 = live.iter().map(|(w, (_, hi))| w * hi).sum();
                        Some((lo / total, hi / total))
                    }
                }
            }
        }
    }

    /// The fit and potential in points.
    fn root(&self) -> (f64, f64) {
        let live: Vec<(f64, (f64, f64))> = self
            .frameworks
            .iter()
            .filter_map(|(id, w)| self.value(id).map(|v| (*w, v)))
            .collect();
        let total: f64 = live.iter().map(|(w, _)| w).sum();
        if live.is_empty() || total <= 0.0 {
            return (0.0, 0.0);
        }
        let lo: f64 = live.iter().map(|(w, (lo, _))| w * lo).sum();
        let hi: f64 = live.iter().map(|(w, (_, hi))| w * hi).sum();
        (100.0 * lo / total, 100.0 * hi / total)
    }

    /// Statuses of the known facts read by the leaves that count under `id`.
    fn statuses_under(&self, id: &str, out: &mut Vec<String>) {
        if self.value(id).is_none() {
            return;
        }
        match &self.reqs[id] {
            Req::Leaf(key) => out.extend(self.known(key).map(str::to_owned)),
            Req::Composite { children, .. } => {
                for (c, _) in children {
                    self.statuses_under(c, out);
                }
            }
        }
    }

    /// True when a check under `id` that counts concludes fail or partial credit on a fact
    /// only a third party states.
    fn hearsay_no_under(&self, id: &str) -> bool {
        if self.value(id).is_none() {
            return false;
        }
        match &self.reqs[id] {
            Req::Leaf(key) => {
                // Pass is code 2; every other determinate code is fail or partial credit.
                self.known(key) == Some("reported") && {
                    let v = self.facts[key].value.unwrap();
                    v != 2.0 && matches!(Self::decide(v), Some(Some(_)))
                }
            }
            Req::Composite { children, .. } => {
                children.iter().any(|(c, _)| self.hearsay_no_under(c))
            }
        }
    }

    fn gate(&self, id: &str, min: f64, min_assurance: Option<&str>) -> &'static str {
        let rank = |s: &str| match s {
            "verified" => 4,
            "attested" => 3,
            "claimed" => 2,
            "reported" => 1,
            _ => 0,
        };
        // Judged on the claim; a third party alone can neither meet nor fail a must-have.
        match self.interval(id, true) {
            None => "met",
            Some((_, hi)) if hi < min - EPS => {
                if self.hearsay_no_under(id) {
                    "open"
                } else {
                    "failed"
                }
            }
            Some((lo, _)) if lo >= min - EPS => {
                let mut statuses = Vec::new();
                self.statuses_under(id, &mut statuses);
                let need = rank(min_assurance.unwrap_or("claimed"));
                if statuses.iter().any(|s| rank(s) < need) {
                    "open"
                } else {
                    "met"
                }
            }
            Some(_) => "open",
        }
    }

    fn verdict(&self) -> &'static str {
        let states: Vec<&str> = self
            .gates
            .iter()
            .map(|(id, min, a)| self.gate(id, *min, a.as_deref()))
            .collect();
        if states.contains(&"failed") {
            return "ineligible";
        }
        if states.contains(&"open") {
            return "conditional";
        }
        let fit = self.root().0;
        if fit >= self.bands.0 - EPS {
            "strong"
        } else if fit >= self.bands.1 - EPS {
            "moderate"
        } else {
            "weak"
        }
    }
}

/// Checks one case; returns the verdict, so the test can show the cases covered every one.
fn compare(case: &Case, engine: &labfit::Engine) -> &'static str {
    let catalogs: Vec<String> = case.catalogs(None).into_iter().map(|(_, t)| t).collect();
    let reference = Reference::read(
        &case.vocabulary(),
        &catalogs,
        &case.rules(),
        &case.profile(None),
        &case.evidence("p", None),
    );
    let report = case.report(engine);
    let (fit, potential) = reference.root();
    let ctx = || format!("{case:#?}\nprofile:\n{}", case.profile(None));
    assert!(
        (report.fit - fit).abs() < TOLERANCE,
        "fit {} ≠ {fit}\n{}",
        report.fit,
        ctx()
    );
    assert!(
        (report.potential - potential).abs() < TOLERANCE,
        "potential {} ≠ {potential}\n{}",
        report.potential,
        ctx()
    );
    for node in &report.nodes {
        let (lo, hi) = reference.value(&node.id).unwrap_or((0.0, 0.0));
        assert!(
            (node.lo - lo).abs() < TOLERANCE && (node.hi - hi).abs() < TOLERANCE,
            "{}: [{}, {}] ≠ [{lo}, {hi}]\n{}",
            node.id,
            node.lo,
            node.hi,
            ctx()
        );
    }
    for (id, min, assurance) in &reference.gates {
        let got = report.gate(id).unwrap().state.as_str();
        assert_eq!(
            got,
            reference.gate(id, *min, assurance.as_deref()),
            "gate {id}\n{}",
            ctx()
        );
    }
    assert_eq!(report.verdict.as_str(), reference.verdict(), "{}", ctx());
    report.verdict.as_str()
}

/// 250 random graphs × 40 random profiles and outcomes each, in two tests of 125 graphs (the
/// even and the odd ones of one random sequence), so the harness runs them on two cores.
#[test]
fn engine_agrees_with_the_reference_on_10_000_cases_first_half() {
    agree_on_half(0);
}

#[test]
fn engine_agrees_with_the_reference_on_10_000_cases_second_half() {
    agree_on_half(1);
}

/// Draws all 250 graphs and their 40 profiles each, so both halves see the same sequence, and
/// compares the engine with the reference on the graphs of one parity.
fn agree_on_half(parity: usize) {
    let mut rng = Rng::new(0x1ab_f17);
    let mut verdicts: BTreeMap<&str, usize> = BTreeMap::new();
    for graph in 0..250 {
        let mut case = Case::random(&mut rng);
        let engine = (graph % 2 == parity).then(|| case.engine(None));
        for _ in 0..40 {
            case.randomize_profile(&mut rng);
            case.randomize_outcomes(&mut rng);
            if let Some(engine) = &engine {
                *verdicts.entry(compare(&case, engine)).or_default() += 1;
            }
        }
    }
    assert_eq!(verdicts.values().sum::<usize>(), 5_000);
    // The random cases reach every verdict often (moderate least: its band is narrow, and
    // assurance lowers most fits below it).
    for v in ["strong", "moderate", "weak", "conditional", "ineligible"] {
        assert!(verdicts.get(v).copied().unwrap_or(0) >= 50, "{verdicts:?}");
    }
}
