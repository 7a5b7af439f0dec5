//! OSCAL 1.2.1 assessment results (`--format oscal`): what GRC tools import. One `result` per
//! scored provider, an `observation` per fact the checks read, a `finding` per requirement, a
//! `risk` per failed or open must-have; what OSCAL has no field for (intervals, the outcome,
//! fit, potential, verdict) is carried in props of labfit's namespace. docs/oscal.md maps it
//! field by field.
//!
//! The document is a function of its inputs: every UUID is a name-based (v5) UUID derived from
//! labfit's version, the evaluation date, the what-if assumptions and the SHA-256 of every
//! input, and every date is the evaluation date, so the same inputs give the same bytes.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use uuid::Uuid;

use crate::input::date::Date;
use crate::input::source::InputHash;
use crate::report::comparison::Comparison;
use crate::report::{EngineInfo, NodeKindName, NodeResult, Report};
use crate::rules::FactRead;
use crate::score::{GateResult, GateState, NodeStatus};

use super::toolkit::{compact, is_web_address};

/// The namespace of labfit's props. labfit has no web domain, so it is a URN: it names the
/// props' meaning (docs/oscal.md) and resolves nowhere.
pub const NS: &str = "urn:labfit:oscal";

/// The OSCAL version written.
pub const OSCAL_VERSION: &str = "1.2.1";

/// One score as an assessment-results document with one result.
pub fn report(r: &Report) -> String {
    let reports = [r];
    document(&reports, &title_of(r), None)
}

/// A comparison as an assessment-results document with one result per provider, in ranking
/// order (the rank is a prop of each).
pub fn comparison(c: &Comparison) -> String {
    let reports: Vec<&Report> = c.reports.iter().collect();
    let title = format!(
        "labfit comparison of {} provider(s) for {}",
        reports.len(),
        one_line(&c.title)
    );
    document(&reports, &title, Some(c))
}

fn title_of(r: &Report) -> String {
    format!(
        "labfit assessment of {} for {}",
        one_line(&r.provider.name),
        one_line(&r.profile.title)
    )
}

#[derive(Serialize)]
struct Root {
    #[serde(rename = "assessment-results")]
    assessment_results: AssessmentResults,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AssessmentResults {
    uuid: String,
    metadata: Metadata,
    import_ap: ImportAp,
    results: Vec<ResultDoc>,
    back_matter: BackMatter,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Metadata {
    title: String,
    last_modified: String,
    version: String,
    oscal_version: &'static str,
    props: Vec<Prop>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    parties: Vec<Party>,
    remarks: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Party {
    uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    short_name: String,
}

#[derive(Serialize)]
struct ImportAp {
    href: String,
    remarks: String,
}

#[derive(Serialize)]
struct Prop {
    name: &'static str,
    ns: &'static str,
    value: String,
}

fn prop(name: &'static str, value: impl AsRef<str>) -> Option<Prop> {
    oscal_string(value.as_ref()).map(|value| Prop {
        name,
        ns: NS,
        value,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ResultDoc {
    uuid: String,
    title: String,
    description: String,
    start: String,
    end: String,
    props: Vec<Prop>,
    reviewed_controls: ReviewedControls,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    observations: Vec<Observation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    risks: Vec<Risk>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ReviewedControls {
    description: String,
    control_selections: Vec<ControlSelection>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ControlSelection {
    description: String,
    include_all: Empty,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Observation {
    uuid: String,
    title: String,
    description: String,
    props: Vec<Prop>,
    methods: Vec<&'static str>,
    subjects: Vec<Subject>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    relevant_evidence: Vec<Evidence>,
    collected: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Subject {
    subject_uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Evidence {
    href: String,
    description: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Finding {
    uuid: String,
    title: String,
    description: String,
    props: Vec<Prop>,
    target: Target,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_observations: Vec<RelatedObservation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_risks: Vec<RelatedRisk>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Target {
    #[serde(rename = "type")]
    kind: &'static str,
    target_id: String,
    status: TargetStatus,
}

#[derive(Serialize)]
struct TargetStatus {
    state: &'static str,
    reason: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RelatedObservation {
    observation_uuid: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RelatedRisk {
    risk_uuid: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Risk {
    uuid: String,
    title: String,
    description: String,
    statement: String,
    props: Vec<Prop>,
    status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_observations: Vec<RelatedObservation>,
}

#[derive(Serialize)]
struct BackMatter {
    resources: Vec<Resource>,
}

#[derive(Serialize)]
struct Resource {
    uuid: String,
    title: String,
    description: String,
    props: Vec<Prop>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rlinks: Vec<Rlink>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Rlink {
    href: String,
    media_type: &'static str,
    hashes: Vec<Hash>,
}

#[derive(Serialize)]
struct Hash {
    algorithm: &'static str,
    value: String,
}

/// The UUIDs of one document: its own, from everything it was computed from, and every other
/// one from it and the name of what it identifies.
struct Ids {
    doc: Uuid,
}

impl Ids {
    fn new(reports: &[&Report]) -> Ids {
        let ns = Uuid::new_v5(&Uuid::NAMESPACE_URL, NS.as_bytes());
        let mut seed = String::from("assessment-results\n");
        let engine = reports
            .first()
            .map_or_else(EngineInfo::current, |r| r.engine.clone());
        seed.push_str(&format!("{} {}\n", engine.name, engine.version));
        for r in reports {
            seed.push_str(&format!("as-of {}\n", r.as_of));
            for a in &r.assumptions {
                seed.push_str(&format!("assume {}={}\n", a.fact, a.value));
            }
        }
        for i in all_inputs(reports) {
            seed.push_str(&format!("{} {} {}\n", i.kind, i.name, i.sha256));
        }
        Ids {
            doc: Uuid::new_v5(&ns, seed.as_bytes()),
        }
    }

    fn of(&self, what: &str) -> Uuid {
        Uuid::new_v5(&self.doc, what.as_bytes())
    }

    fn text(&self, what: &str) -> String {
        self.of(what).to_string()
    }
}

/// Every input of the reports, once, sorted.
fn all_inputs<'a>(reports: &[&'a Report]) -> BTreeSet<&'a InputHash> {
    reports.iter().flat_map(|r| r.inputs.iter()).collect()
}

fn document(reports: &[&Report], title: &str, cmp: Option<&Comparison>) -> String {
    let ids = Ids::new(reports);
    let as_of = reports
        .first()
        .map_or_else(|| cmp.map_or_else(Date::today, |c| c.as_of), |r| r.as_of);
    let engine = reports
        .first()
        .map_or_else(EngineInfo::current, |r| r.engine.clone());
    let plan = ids.text("assessment-plan");
    let mut remarks = format!(
        "Written by {} {} from its {} report(s). Every date is the evaluation date, not the time of writing, and every UUID is derived from the inputs, so the same inputs give the same document. What OSCAL has no field for (intervals, outcomes, fit, potential, verdict) is in props of the namespace {NS}.",
        engine.name,
        engine.version,
        reports.len()
    );
    if let Some(c) = cmp {
        for n in &c.notes {
            remarks.push_str(&format!("\n\n{n}."));
        }
    }
    let doc = Root {
        assessment_results: AssessmentResults {
            uuid: ids.doc.to_string(),
            metadata: Metadata {
                title: one_line(title),
                last_modified: timestamp(as_of),
                version: as_of.to_string(),
                oscal_version: OSCAL_VERSION,
                props: [
                    prop("generator", format!("{} {}", engine.name, engine.version)),
                    prop("as-of", as_of.to_string()),
                ]
                .into_iter()
                .flatten()
                .collect(),
                parties: reports.iter().map(|r| party(&ids, r)).collect(),
                remarks,
            },
            import_ap: ImportAp {
                href: format!("#{plan}"),
                remarks: "labfit writes no separate assessment plan: the plan is the profile over the rule packs' requirement graph and rules, described by the back-matter resource this points at, with the SHA-256 of each of its files.".into(),
            },
            results: reports
                .iter()
                .map(|r| {
                    let rank = cmp.and_then(|c| c.ranking.iter().find(|x| x.id == r.provider.id));
                    result(&ids, r, rank.map(|x| x.rank))
                })
                .collect(),
            back_matter: back_matter(&ids, reports),
        },
    };
    match serde_json::to_string_pretty(&doc) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Plain data with string keys always serialises.
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}

fn party(ids: &Ids, r: &Report) -> Party {
    Party {
        uuid: ids.text(&format!("party/{}", r.provider.id)),
        kind: "organization",
        name: oscal_string(&r.provider.name).unwrap_or_else(|| r.provider.id.clone()),
        short_name: r.provider.id.clone(),
    }
}

fn result(ids: &Ids, r: &Report, rank: Option<usize>) -> ResultDoc {
    let key = format!("result/{}", r.provider.id);
    let rid = ids.of(&key);
    let scope = |what: &str| format!("{key}/{what}");
    let mut props: Vec<Prop> = [
        prop("fit", compact(r.fit)),
        prop("potential", compact(r.potential)),
        prop("verdict", r.verdict.as_str()),
        prop("profile", &r.profile.id),
        prop("provider", &r.provider.id),
        prop("evidence-as-of", r.provider.as_of.to_string()),
        prop("rule-errors", r.errors.len().to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(rank) = rank {
        props.extend(prop("rank", rank.to_string()));
    }
    for a in &r.assumptions {
        props.extend(prop("assumed", format!("{}={}", a.fact, a.value)));
    }
    let observations = observations(ids, r, &scope);
    let by_fact: BTreeMap<&str, String> = observations
        .iter()
        .map(|(k, o)| (k.as_str(), o.uuid.clone()))
        .collect();
    let risks: Vec<(String, Risk)> = r
        .gates
        .iter()
        .filter(|g| g.state != GateState::Met)
        .map(|g| (g.id.clone(), risk(ids, r, g, &scope, &by_fact)))
        .collect();
    let findings = r
        .nodes
        .iter()
        .map(|n| finding(ids, r, n, &scope, &by_fact, &risks))
        .collect();
    ResultDoc {
        uuid: rid.to_string(),
        title: format!(
            "{} for {}",
            one_line(&r.provider.name),
            one_line(&r.profile.title)
        ),
        description: format!(
            "labfit's score of the evidence for {} (as of {}) under the profile `{}`: fit {:.1}, potential {:.1}, verdict {}.",
            r.provider.name, r.provider.as_of, r.profile.id, r.fit, r.potential, r.verdict
        ),
        start: timestamp(r.as_of),
        end: timestamp(r.as_of),
        props,
        reviewed_controls: ReviewedControls {
            description: format!("The requirements the profile `{}` selects.", r.profile.id),
            control_selections: vec![ControlSelection {
                description: "Every requirement under the profile's frameworks, as in the plan.".into(),
                include_all: Empty {},
            }],
        },
        observations: observations.into_iter().map(|(_, o)| o).collect(),
        risks: risks.into_iter().map(|(_, r)| r).collect(),
        findings,
        remarks: result_remarks(r),
    }
}

fn result_remarks(r: &Report) -> Option<String> {
    let mut lines: Vec<String> = r
        .warnings
        .iter()
        .map(|w| format!("Warning ({}): {}", w.kind.as_str(), w.message))
        .collect();
    lines.extend(r.errors.iter().map(|e| {
        format!(
            "Rule error in `{}` at {}: {}",
            e.requirement, e.location, e.message
        )
    }));
    (!lines.is_empty()).then(|| lines.join("\n\n"))
}

/// One observation per fact the checks read, by key.
fn observations(
    ids: &Ids,
    r: &Report,
    scope: &dyn Fn(&str) -> String,
) -> Vec<(String, Observation)> {
    let mut facts: BTreeMap<&str, &FactRead> = BTreeMap::new();
    for n in &r.nodes {
        for f in &n.facts {
            facts.entry(&*f.key).or_insert(f);
        }
    }
    let subject = ids.text(&format!("party/{}", r.provider.id));
    facts
        .into_values()
        .map(|f| {
            let source = f.source.as_ref().and_then(|s| r.provider.sources.get(s));
            let described = match &f.value {
                Some(v) if f.known => format!("`{}` is `{v}` ({}).", f.key, f.status),
                Some(v) => format!(
                    "`{}` is stated as `{v}` ({}) but counts as unknown: {}.",
                    f.key,
                    f.status,
                    f.lapse
                        .as_ref()
                        .map_or_else(|| "it is stale".to_owned(), |l| l.reason())
                ),
                None if f.missing => {
                    format!("`{}` is unknown: the evidence does not mention it.", f.key)
                }
                None => format!("`{}` is unknown.", f.key),
            };
            let date = f
                .age_days
                .map_or(r.provider.as_of, |d| Date::from_days(r.as_of.days() - d));
            let mut props: Vec<Prop> = [
                prop("fact", &f.key),
                prop("status", f.status.as_str()),
                prop("known", if f.known { "true" } else { "false" }),
            ]
            .into_iter()
            .flatten()
            .collect();
            if let Some(v) = &f.value {
                props.extend(prop("value", v.to_string()));
            }
            let evidence: Vec<Evidence> = source
                .and_then(|s| s.url.as_deref())
                .filter(|u| is_web_address(u))
                .map(|u| Evidence {
                    href: uri_ref(u),
                    description: source
                        .and_then(|s| s.title.clone())
                        .or_else(|| f.source.clone())
                        .unwrap_or_else(|| u.to_owned()),
                })
                .into_iter()
                .collect();
            let o = Observation {
                uuid: ids.text(&scope(&format!("observation/{}", f.key))),
                title: format!("Fact {}", f.key),
                description: described,
                props,
                methods: vec![if f.value.is_some() {
                    "EXAMINE"
                } else {
                    "UNKNOWN"
                }],
                subjects: vec![Subject {
                    subject_uuid: subject.clone(),
                    kind: "party",
                }],
                relevant_evidence: evidence,
                collected: timestamp(date),
                remarks: f.note.clone(),
            };
            (f.key.to_string(), o)
        })
        .collect()
}

/// How labfit's outcome reads as OSCAL's two states, with the reason: only a pass satisfies
/// a requirement, and one that cannot apply to the lab is satisfied vacuously.
fn state(status: NodeStatus) -> (&'static str, &'static str) {
    match status {
        NodeStatus::Pass => ("satisfied", "pass"),
        NodeStatus::NotApplicable => ("satisfied", "other"),
        NodeStatus::Fail => ("not-satisfied", "fail"),
        NodeStatus::Partial | NodeStatus::Unknown | NodeStatus::Waived | NodeStatus::Error => {
            ("not-satisfied", "other")
        }
    }
}

/// Whether the evidence settles the interval: `settled` (a point), `unknown` ([0, 1], it says
/// nothing), `open` (in between), `excluded` (not applicable or waived).
fn determination(n: &NodeResult) -> &'static str {
    match n.status {
        NodeStatus::NotApplicable | NodeStatus::Waived => "excluded",
        _ if n.hi - n.lo < 1e-12 => "settled",
        _ if n.lo < 1e-12 && n.hi > 1.0 - 1e-12 => "unknown",
        _ => "open",
    }
}

fn finding(
    ids: &Ids,
    r: &Report,
    n: &NodeResult,
    scope: &dyn Fn(&str) -> String,
    by_fact: &BTreeMap<&str, String>,
    risks: &[(String, Risk)],
) -> Finding {
    let (state, reason) = state(n.status);
    let mut props: Vec<Prop> = [
        prop("outcome", n.status.as_str()),
        prop("determination", determination(n)),
        prop("lo", compact(n.lo)),
        prop("hi", compact(n.hi)),
        prop(
            "interval",
            format!("[{}, {}]", compact(n.lo), compact(n.hi)),
        ),
        prop("weight", compact(n.weight)),
        prop("contribution", compact(n.contribution)),
        prop(
            "kind",
            match n.kind {
                NodeKindName::Leaf => "leaf",
                NodeKindName::Composite | NodeKindName::Profile => "composite",
            },
        ),
        prop("requirement", &n.id),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(c) = &n.citation {
        props.extend(prop("citation", c));
    }
    let mut related: Vec<RelatedObservation> = n
        .facts
        .iter()
        .filter_map(|f| by_fact.get(&*f.key))
        .map(|u| RelatedObservation {
            observation_uuid: u.clone(),
        })
        .collect();
    related.dedup_by(|a, b| a.observation_uuid == b.observation_uuid);
    let mut remarks: Vec<String> = Vec::new();
    if !n.note.is_empty() {
        remarks.push(n.note.to_string());
    }
    remarks.extend(
        r.errors
            .iter()
            .filter(|e| *e.requirement == *n.id)
            .map(|e| format!("Rule error at {}: {}", e.location, e.message)),
    );
    Finding {
        uuid: ids.text(&scope(&format!("finding/{}", n.id))),
        title: one_line(&n.title),
        description: format!(
            "`{}`: {}, interval [{}, {}], {:.2} fit points.",
            n.id,
            n.status.as_str().replace('_', " "),
            compact(n.lo),
            compact(n.hi),
            n.contribution
        ),
        props,
        target: Target {
            kind: "objective-id",
            target_id: token(&n.id),
            status: TargetStatus { state, reason },
        },
        related_observations: related,
        related_risks: risks
            .iter()
            .filter(|(id, _)| **id == *n.id)
            .map(|(_, risk)| RelatedRisk {
                risk_uuid: risk.uuid.clone(),
            })
            .collect(),
        remarks: (!remarks.is_empty()).then(|| remarks.join("\n\n")),
    }
}

fn risk(
    ids: &Ids,
    r: &Report,
    g: &GateResult,
    scope: &dyn Fn(&str) -> String,
    by_fact: &BTreeMap<&str, String>,
) -> Risk {
    let (title, status) = match g.state {
        GateState::Failed => ("Must-have not met", "open"),
        GateState::Open | GateState::Met => ("Must-have still open", "investigating"),
    };
    let related: Vec<RelatedObservation> = facts_under(r, &g.id)
        .into_iter()
        .filter_map(|k| by_fact.get(k.as_str()))
        .map(|u| RelatedObservation {
            observation_uuid: u.clone(),
        })
        .collect();
    Risk {
        uuid: ids.text(&scope(&format!("risk/{}", g.id))),
        title: format!("{title}: {}", one_line(&g.title)),
        description: g.reason.clone(),
        statement: match &g.basis {
            Some(b) => format!(
                "The profile `{}` makes `{}` a must-have: {b}",
                r.profile.id, g.id
            ),
            None => format!(
                "The profile `{}` makes `{}` a must-have.",
                r.profile.id, g.id
            ),
        },
        props: [
            prop("gate", g.state.as_str()),
            prop("min", compact(g.min)),
            prop("lo", compact(g.lo)),
            prop("hi", compact(g.hi)),
            prop("requirement", &g.id),
        ]
        .into_iter()
        .flatten()
        .chain(
            g.min_assurance
                .and_then(|a| prop("min-assurance", a.as_str())),
        )
        .collect(),
        status,
        related_observations: related,
    }
}

/// The keys of the facts read by the leaves under a requirement (itself included), sorted.
fn facts_under(r: &Report, id: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![id.to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(cur) = stack.pop() {
        if !seen.insert(cur.clone()) {
            continue;
        }
        if let Some(n) = r.node(&cur) {
            out.extend(n.facts.iter().map(|f| f.key.to_string()));
            stack.extend(n.children.iter().map(|c| c.id.to_string()));
        }
    }
    out
}

fn back_matter(ids: &Ids, reports: &[&Report]) -> BackMatter {
    let inputs = all_inputs(reports);
    let rlink = |i: &InputHash| Rlink {
        href: uri_ref(&i.name),
        media_type: if i.name.ends_with(".rhai") {
            "text/plain"
        } else {
            "application/yaml"
        },
        hashes: vec![Hash {
            algorithm: "SHA-256",
            value: i.sha256.to_string(),
        }],
    };
    let profile = reports
        .first()
        .map(|r| r.profile.id.clone())
        .unwrap_or_default();
    let mut resources = vec![Resource {
        uuid: ids.text("assessment-plan"),
        title: format!("labfit assessment plan: the profile {profile} and its rules"),
        description: "What the results were assessed against: the profile (frameworks, weights, must-haves, parameters, waivers) over the requirement graph and Rhai rules of the rule packs. Each file is listed with its SHA-256; built-in files are compiled into labfit.".into(),
        props: [prop("profile", &profile)].into_iter().flatten().collect(),
        rlinks: inputs.iter().filter(|i| i.kind != "evidence").map(|i| rlink(i)).collect(),
    }];
    for r in reports {
        resources.push(Resource {
            uuid: ids.text(&format!("evidence/{}", r.provider.id)),
            title: format!("Evidence for {}", one_line(&r.provider.name)),
            description: format!(
                "The evidence file scored for `{}`, compiled as of {}.",
                r.provider.id, r.provider.as_of
            ),
            props: [prop("provider", &r.provider.id)]
                .into_iter()
                .flatten()
                .collect(),
            rlinks: r
                .inputs
                .iter()
                .filter(|i| i.kind == "evidence")
                .map(rlink)
                .collect(),
        });
    }
    BackMatter { resources }
}

/// Midnight UTC of a date: OSCAL wants a date-time, labfit evaluates on a day.
fn timestamp(d: Date) -> String {
    format!("{d}T00:00:00Z")
}

/// Text on one line, without leading or trailing space: what OSCAL's string and line types
/// accept.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// [`one_line`], or `None` when nothing is left (OSCAL strings are never empty).
fn oscal_string(s: &str) -> Option<String> {
    Some(one_line(s)).filter(|s| !s.is_empty())
}

/// An id as an OSCAL token (an XML NCName: a letter or `_` first): labfit ids may start
/// with a digit, which gets a `_` in front.
fn token(id: &str) -> String {
    let ok = |c: char| c.is_alphanumeric() || matches!(c, '.' | '-' | '_');
    let body: String = id.chars().map(|c| if ok(c) { c } else { '_' }).collect();
    match body.chars().next() {
        Some(c) if c.is_alphabetic() || c == '_' => body,
        _ => format!("_{body}"),
    }
}

/// A file name or address as a URI reference: every character RFC 3986 does not allow is
/// percent-encoded (a space in a path, say), and so is a `%` that does not start an escape.
fn uri_ref(s: &str) -> String {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=".contains(c);
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        let escape = c == '%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if allowed(c) || escape {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_tokens_and_names_uri_references() {
        assert_eq!(token("hipaa.164.312.b"), "hipaa.164.312.b");
        assert_eq!(token("21cfr11"), "_21cfr11");
        assert_eq!(uri_ref("my evidence/é.yaml"), "my%20evidence/%C3%A9.yaml");
        assert_eq!(uri_ref("a%20b%zz"), "a%20b%25zz");
        assert_eq!(one_line("  a\n b  "), "a b");
        assert_eq!(oscal_string(" \n "), None);
    }
}
