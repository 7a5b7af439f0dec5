//! Weights a committee gives as pairwise judgements ("hipaa is 3 times as important as clia")
//! instead of numbers: their form in a profile (`frameworks: {judgements: …}`,
//! `weights: {NODE: {judgements: …}}`, one list or one per member), checked where they are
//! written (each judgement's shape, Saaty's scale, a pair judged twice), the `ahp:` settings,
//! and the weights derived from them by [`crate::weights::ahp`] with the consistency check: a
//! set whose consistency ratio is above the profile's limit is an error at the judgement most
//! responsible, naming the value that would make the set consistent.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::input::source::{Location, SourceFile};
use crate::input::yaml::{self, err_hint, DocK, Name, NameKind, ReqRef};
use crate::profile::error::ProfileError;
use crate::profile::ProfileFile;
use crate::weights::ahp::{
    self, AhpError, AhpOptions, CompletionMethod, Judgement, Priorities, RandomIndexTable,
    CR_THRESHOLD, SCALE_MAX, SCALE_MIN,
};

/// What a judgement set weighs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    /// The profile's frameworks (the root).
    Frameworks,
    /// The children of one requirement.
    Children(String),
}

impl Subject {
    /// Where its judgements are written, as trap keys name it.
    fn scope(&self) -> String {
        match self {
            Subject::Frameworks => "frameworks".to_owned(),
            Subject::Children(id) => format!("weights:{id}"),
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Frameworks => f.write_str("the frameworks"),
            Subject::Children(id) => write!(f, "the children of `{id}`"),
        }
    }
}

/// Judgements as written: one list, or one list per committee member.
#[derive(Clone, Debug, PartialEq)]
pub enum JudgementSet {
    /// One list.
    Single(Vec<Judgement>),
    /// Each member's list, in the order written; combined by the element-wise geometric mean
    /// over the members who judged each pair.
    Members(Vec<(String, Vec<Judgement>)>),
}

impl JudgementSet {
    /// Every judgement with the member who gave it, in the order written.
    pub fn judgements(&self) -> Vec<(Option<&str>, &Judgement)> {
        match self {
            JudgementSet::Single(list) => list.iter().map(|j| (None, j)).collect(),
            JudgementSet::Members(members) => members
                .iter()
                .flat_map(|(m, list)| list.iter().map(move |j| (Some(m.as_str()), j)))
                .collect(),
        }
    }

    /// Every id the judgements name, sorted, each once.
    pub fn items(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .judgements()
            .into_iter()
            .flat_map(|(_, j)| [j.a.clone(), j.b.clone()])
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The members' names (empty for one list).
    pub fn members(&self) -> Vec<String> {
        match self {
            JudgementSet::Single(_) => Vec::new(),
            JudgementSet::Members(m) => m.iter().map(|(name, _)| name.clone()).collect(),
        }
    }
}

/// A judgement set, what it weighs and the profile file it is written in.
#[derive(Clone, Debug)]
pub struct Judgements {
    /// What it weighs.
    pub subject: Subject,
    /// The judgements.
    pub set: JudgementSet,
    /// The file of the profile chain that wrote them (for positions).
    pub file: SourceFile,
}

/// The key a judgement is found by when a set fails after parsing.
fn judgement_key(scope: &str, member: Option<&str>, a: &str, b: &str) -> String {
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    format!("{scope}|{}|{x}|{y}", member.unwrap_or(""))
}

impl Judgements {
    /// Where a judgement on the pair `a`, `b` is written (by `member`, or the first member who
    /// judged it), else where the first judgement is.
    pub(crate) fn locate(&self, pair: Option<(&str, &str)>) -> Location {
        let all = self.set.judgements();
        let hit = pair
            .and_then(|(a, b)| {
                all.iter()
                    .find(|(_, j)| (j.a == a && j.b == b) || (j.a == b && j.b == a))
            })
            .or_else(|| all.first());
        match hit {
            Some((member, j)) => {
                let key = judgement_key(&self.subject.scope(), *member, &j.a, &j.b);
                yaml::locate::<ProfileFile>(&self.file, NameKind::Judgement, &key, 1)
            }
            None => self.file.location(1, 1),
        }
    }
}

impl Judgements {
    /// Where the subject is written: the `PARENT` key in `weights` for a requirement's
    /// children, the first judgement for the frameworks.
    pub(crate) fn locate_subject(&self) -> Location {
        match &self.subject {
            Subject::Frameworks => self.locate(None),
            Subject::Children(id) => yaml::locate::<ProfileFile>(&self.file, NameKind::Edge, id, 1),
        }
    }
}

/// How judgements become weights: the random index table, the completion of missing pairs and
/// how inconsistent a set may be. Set by `ahp:` in a profile (merged key by key along
/// `extends`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AhpSettings {
    /// RI(n) for the consistency ratio (default Saaty 1980).
    pub random_index: RandomIndexTable,
    /// How pairs nobody judged are filled in (default Harker 1987).
    pub completion: CompletionMethod,
    /// The largest consistency ratio accepted (default Saaty's 0.10).
    pub max_cr: f64,
    /// Accept any consistency ratio (with a warning).
    pub allow_inconsistent: bool,
}

impl Default for AhpSettings {
    fn default() -> Self {
        AhpSettings {
            random_index: RandomIndexTable::default(),
            completion: CompletionMethod::default(),
            max_cr: CR_THRESHOLD,
            allow_inconsistent: false,
        }
    }
}

impl AhpSettings {
    /// The options of the AHP computation: judgements to revisit are listed from Saaty's 0.10
    /// (or the profile's stricter limit) on.
    pub fn options(&self) -> AhpOptions {
        AhpOptions {
            random_index: self.random_index,
            completion: self.completion,
            cr_threshold: self.max_cr.min(CR_THRESHOLD),
            ..AhpOptions::default()
        }
    }
}

/// Weights derived from a judgement set, with the evidence about them.
#[derive(Clone, Debug, PartialEq)]
pub struct Derived {
    /// What they weigh.
    pub subject: Subject,
    /// The weights (items sorted by id), λ_max, CI, CR, the table, the completion and the
    /// judgements to revisit.
    pub priorities: Priorities,
    /// The members whose judgements were combined (empty for one list).
    pub members: Vec<String>,
    /// CR is above Saaty's 0.10, and the profile accepts it (reports warn).
    pub accepted: bool,
}

/// Every weight a profile derives from judgements.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Weighting {
    /// The frameworks' weights, when they are given as judgements.
    pub frameworks: Option<Derived>,
    /// The children's weights of each requirement whose children are judged, by its id.
    pub nodes: BTreeMap<String, Derived>,
}

impl Weighting {
    /// True when nothing is judged.
    pub fn is_empty(&self) -> bool {
        self.frameworks.is_none() && self.nodes.is_empty()
    }

    /// Every derived set: the frameworks first, then the nodes by id.
    pub fn sets(&self) -> impl Iterator<Item = &Derived> {
        self.frameworks.iter().chain(self.nodes.values())
    }
}

/// A judgement value as a person writes it: 3, 0.5, or `1/3`.
pub fn format_value(v: f64) -> String {
    let near = |x: f64| (x - x.round()).abs() < 1e-9;
    if v >= 1.0 - 1e-12 || !near(1.0 / v) {
        let r = (v * 100.0).round() / 100.0;
        if near(r) {
            format!("{}", r.round())
        } else {
            format!("{r}")
        }
    } else {
        format!("1/{}", (1.0 / v).round())
    }
}

/// Derives the weights of `items` from `j`. A set above the profile's consistency limit is an
/// error at the judgement most responsible (unless the profile accepts any ratio); input the
/// math refuses (groups never compared with each other, a table too short) is an error at the
/// set.
pub(crate) fn derive(
    j: &Judgements,
    items: &[String],
    settings: &AhpSettings,
) -> Result<Derived, ProfileError> {
    let options = settings.options();
    let result = match &j.set {
        JudgementSet::Single(list) => ahp::priorities(items, list, &options),
        JudgementSet::Members(members) => ahp::group_priorities(items, members, &options),
    };
    let p = result.map_err(|e| ahp_error(j, &e))?;
    if p.cr > settings.max_cr + 1e-12 && !settings.allow_inconsistent {
        return Err(inconsistent(j, &p, settings));
    }
    Ok(Derived {
        subject: j.subject.clone(),
        accepted: p.cr > CR_THRESHOLD + 1e-12,
        members: j.set.members(),
        priorities: p,
    })
}

fn ahp_error(j: &Judgements, e: &AhpError) -> ProfileError {
    let (pair, hint) = match e {
        AhpError::Disconnected { groups } => {
            let pick = |g: &Vec<String>| g.first().cloned().unwrap_or_default();
            let example = match (groups.first(), groups.get(1)) {
                (Some(a), Some(b)) => format!("`[{}, {}, 1]`", pick(a), pick(b)),
                _ => "one".to_owned(),
            };
            (
                None,
                format!("judge at least one pair across the groups, e.g. {example} if they matter equally; every item needs a path of judgements to every other"),
            )
        }
        AhpError::TableTooSmall { .. } => (
            None,
            "use `ahp: {random_index: alonso-lamata-2006}`, which extends past 15 items".to_owned(),
        ),
        AhpError::UnknownItem { a, b, .. }
        | AhpError::SelfComparison { a, b }
        | AhpError::NotPositive { a, b, .. }
        | AhpError::OutOfScale { a, b, .. } => (
            Some((a.clone(), b.clone())),
            "each judgement is [A, B, VALUE] on Saaty's scale 1/9..9".to_owned(),
        ),
        _ => (None, "see docs/weights.md".to_owned()),
    };
    let message = match e {
        AhpError::Disconnected { groups } => {
            let shown: Vec<String> = groups
                .iter()
                .map(|g| {
                    let ids: Vec<String> = g.iter().map(|id| format!("`{id}`")).collect();
                    format!("[{}]", ids.join(", "))
                })
                .collect();
            format!(
                "the judgements on {} leave them in {} groups never compared with each other: {}",
                j.subject,
                groups.len(),
                shown.join(", ")
            )
        }
        _ => format!("the judgements on {}: {e}", j.subject),
    };
    ProfileError::Invalid {
        location: j.locate(pair.as_ref().map(|(a, b)| (a.as_str(), b.as_str()))),
        message,
        hint: Some(hint),
    }
}

/// The error for a set above the profile's limit, at the judgement most responsible.
fn inconsistent(j: &Judgements, p: &Priorities, settings: &AhpSettings) -> ProfileError {
    let head = format!(
        "the judgements on {} are inconsistent: CR {:.3} > {:.2} ({})",
        j.subject, p.cr, settings.max_cr, p.random_index_table
    );
    let accept = "or accept the set with `ahp: {max_cr: …}` or `ahp: {allow_inconsistent: true}`";
    let Some(r) = p.revision() else {
        return ProfileError::Invalid {
            location: j.locate(None),
            message: head,
            hint: Some(format!(
                "no single judgement changed on the scale lowers it: revisit several; {accept}"
            )),
        };
    };
    let combined = if matches!(j.set, JudgementSet::Members(_)) {
        "the members' combined judgement"
    } else {
        "the judgement most responsible is"
    };
    ProfileError::Invalid {
        location: j.locate(Some((&r.a, &r.b))),
        message: format!(
            "{head}; {combined} `{}` over `{}` = {}",
            r.a,
            r.b,
            format_value(r.current)
        ),
        hint: Some(format!(
            "the derived weights put it at about {:.2}; {} instead brings CR to {:.3}; {accept}",
            r.consistent,
            format_value(r.suggested),
            r.cr_after
        )),
    }
}

// ------------------------------------------------------------------ parsing

/// `judgements:` under what `scope` names: a list, or a map of member → list.
pub(crate) struct SetSeed {
    pub(crate) scope: String,
}

impl<'de> DeserializeSeed<'de> for SetSeed {
    type Value = JudgementSet;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<JudgementSet, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SetSeed {
    type Value = JudgementSet;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of judgements [A, B, VALUE], or a map of member to such a list")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<JudgementSet, A::Error> {
        ListSeed {
            scope: &self.scope,
            member: None,
        }
        .visit_seq(seq)
        .map(JudgementSet::Single)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<JudgementSet, A::Error> {
        let mut members: Vec<(String, Vec<Judgement>)> = Vec::new();
        while let Some(name) = m.next_key::<Name<DocK>>()? {
            let name = name.into_string();
            if members.iter().any(|(n, _)| *n == name) {
                return Err(yaml::err(format!("duplicate key `{name}`")));
            }
            let list = m.next_value_seed(ListSeed {
                scope: &self.scope,
                member: Some(&name),
            })?;
            members.push((name, list));
        }
        if members.is_empty() {
            return Err(err_hint(
                "`judgements` names no member",
                "write a list of judgements, or `{member: [[A, B, VALUE], …], …}`",
            ));
        }
        Ok(JudgementSet::Members(members))
    }
}

/// One list of judgements: each checked where it is written, and no pair judged twice.
struct ListSeed<'a> {
    scope: &'a str,
    member: Option<&'a str>,
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_> {
    type Value = Vec<Judgement>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Judgement>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_> {
    type Value = Vec<Judgement>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of judgements [A, B, VALUE]")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Judgement>, A::Error> {
        let mut out: Vec<Judgement> = Vec::new();
        while let Some(j) = seq.next_element_seed(EntrySeed {
            scope: self.scope,
            member: self.member,
            before: &out,
        })? {
            out.push(j);
        }
        if out.is_empty() {
            return Err(err_hint(
                "no judgements",
                "write at least one: `[A, B, VALUE]`, A is VALUE times as important as B",
            ));
        }
        Ok(out)
    }
}

/// One judgement `[A, B, VALUE]`.
struct EntrySeed<'a> {
    scope: &'a str,
    member: Option<&'a str>,
    before: &'a [Judgement],
}

impl<'de> DeserializeSeed<'de> for EntrySeed<'_> {
    type Value = Judgement;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Judgement, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed<'_> {
    type Value = Judgement;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a judgement [A, B, VALUE]: A is VALUE times as important as B")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Judgement, A::Error> {
        let shape = || {
            err_hint(
                "a judgement is three items: [A, B, VALUE]",
                "for example `[hipaa, clia, 3]`: hipaa is 3 times as important as clia",
            )
        };
        let a = seq.next_element::<Name<ReqRef>>()?.ok_or_else(shape)?;
        let b = seq.next_element::<Name<ReqRef>>()?.ok_or_else(shape)?;
        let value = seq.next_element::<ScaleValue>()?.ok_or_else(shape)?.0;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(shape());
        }
        let (a, b) = (a.into_string(), b.into_string());
        if a == b {
            return Err(err_hint(
                format!("judgement `{a}` over `{a}` compares an item with itself"),
                "compare two different items",
            ));
        }
        if let Some(first) = self
            .before
            .iter()
            .find(|j| (j.a == a && j.b == b) || (j.a == b && j.b == a))
        {
            return Err(err_hint(
                format!(
                    "the pair `{a}`, `{b}` is judged twice (first `{}` over `{}` = {})",
                    first.a,
                    first.b,
                    format_value(first.value)
                ),
                "judge each pair once; the reverse is implied (`[b, a, 1/3]` is `[a, b, 3]`)",
            ));
        }
        yaml::check_judgement(&judgement_key(self.scope, self.member, &a, &b))
            .map_err(yaml::err)?;
        Ok(Judgement { a, b, value })
    }
}

/// A value on Saaty's scale: a number from 1/9 to 9, or `1/N` written as a fraction.
struct ScaleValue(f64);

impl ScaleValue {
    fn check<E: de::Error>(v: f64, written: &str) -> Result<ScaleValue, E> {
        const SLACK: f64 = 1e-9;
        if v.is_finite() && (SCALE_MIN * (1.0 - SLACK)..=SCALE_MAX * (1.0 + SLACK)).contains(&v) {
            Ok(ScaleValue(v))
        } else {
            Err(err_hint(
                format!("judgement value `{written}` is outside Saaty's scale 1/9..9"),
                "1: equally important, 3: moderately more, 5: strongly, 7: very strongly, 9: extremely; 1/3 … 1/9 the other way round",
            ))
        }
    }
}

impl<'de> Deserialize<'de> for ScaleValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ScaleValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value on Saaty's scale: 1 to 9, or 1/2 to 1/9")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ScaleValue, E> {
                ScaleValue::check(v, &v.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ScaleValue, E> {
                ScaleValue::check(v as f64, &v.to_string())
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ScaleValue, E> {
                ScaleValue::check(v as f64, &v.to_string())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ScaleValue, E> {
                let parsed = match v.split_once('/') {
                    Some((n, dn)) => n
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .zip(dn.trim().parse::<f64>().ok())
                        .filter(|(_, dn)| *dn != 0.0)
                        .map(|(n, dn)| n / dn),
                    None => v.trim().parse::<f64>().ok(),
                };
                match parsed {
                    Some(x) => ScaleValue::check(x, v),
                    None => Err(err_hint(
                        format!("`{v}` is not a judgement value"),
                        "write a number from 1 to 9, or a fraction such as 1/3",
                    )),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// `ahp:` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct AhpEntry {
    #[serde(default)]
    random_index: Option<TableName>,
    #[serde(default)]
    completion: Option<CompletionName>,
    #[serde(default)]
    max_cr: Option<MaxCr>,
    #[serde(default)]
    allow_inconsistent: Option<bool>,
}

impl AhpEntry {
    /// Overrides the settings this entry sets.
    pub(crate) fn apply(&self, s: &mut AhpSettings) {
        if let Some(t) = self.random_index {
            s.random_index = t.0;
        }
        if let Some(c) = self.completion {
            s.completion = c.0;
        }
        if let Some(m) = self.max_cr {
            s.max_cr = m.0;
        }
        if let Some(a) = self.allow_inconsistent {
            s.allow_inconsistent = a;
        }
    }
}

#[derive(Clone, Copy)]
struct TableName(RandomIndexTable);

impl<'de> Deserialize<'de> for TableName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map(TableName).map_err(|_| {
            err_hint(
                format!("unknown random index table `{s}`"),
                "use saaty-1980 (the default) or alonso-lamata-2006",
            )
        })
    }
}

#[derive(Clone, Copy)]
struct CompletionName(CompletionMethod);

impl<'de> Deserialize<'de> for CompletionName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map(CompletionName).map_err(|_| {
            err_hint(
                format!("unknown completion method `{s}`"),
                "use harker-1987 (the default) or bozoki-fulop-ronyai-2010",
            )
        })
    }
}

#[derive(Clone, Copy)]
struct MaxCr(f64);

impl<'de> Deserialize<'de> for MaxCr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if (0.0..=1.0).contains(&v) {
            Ok(MaxCr(v))
        } else {
            Err(err_hint(
                format!("`max_cr: {v}` is outside 0..1"),
                "Saaty accepts a consistency ratio up to 0.10 (the default); 0.15 or 0.20 is sometimes used for larger sets",
            ))
        }
    }
}
