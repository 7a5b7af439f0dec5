//! Lab profiles: which frameworks apply with what weight, the parameters rules read, the
//! must-haves (gates), edge weight overrides and waivers; `extends` chains are resolved here,
//! recording which file and which regulation set every parameter.

pub mod error;
pub mod judgements;
pub mod params;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::evidence::Status;
use crate::input::date::Date;
use crate::input::error::InputError;
use crate::input::kind::FileKind;
use crate::input::source::{Location, SourceFile};
use crate::input::yaml::{
    self, err_hint, DocK, Name, NameKind, ParamK, ParseContext, ReqRef, Unit, Weight,
};
use crate::profile::error::ProfileError;
use crate::profile::judgements::{
    AhpEntry, AhpSettings, JudgementSet, Judgements, SetSeed, Subject, Weighting,
};
use crate::profile::params::ParamVocabulary;

/// The file kind of a profile.
pub const KIND: &str = FileKind::Profile.header();

/// A parameter value: a bool, a finite number, a string, or a list of those.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ParamValue {
    /// true / false.
    Bool(bool),
    /// Any finite number (integers included).
    Number(f64),
    /// A string.
    Text(String),
    /// A list.
    List(Vec<ParamValue>),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Number(n) => write!(f, "{n}"),
            ParamValue::Text(s) => f.write_str(s),
            ParamValue::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
        }
    }
}

struct ParamValueVisitor;

impl<'de> Visitor<'de> for ParamValueVisitor {
    type Value = ParamValue;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a parameter value: a bool, a number, a string or a list of them")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<ParamValue, E> {
        Ok(ParamValue::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ParamValue, E> {
        Ok(ParamValue::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ParamValue, E> {
        Ok(ParamValue::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<ParamValue, E> {
        if v.is_finite() {
            Ok(ParamValue::Number(v))
        } else {
            Err(err_hint(
                format!("`{v}` is not a finite number"),
                "parameters are finite numbers, bools, strings or lists",
            ))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<ParamValue, E> {
        Ok(ParamValue::Text(v.to_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ParamValue, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<ScalarParam>()? {
            out.push(v.0);
        }
        Ok(ParamValue::List(out))
    }
}

/// A list element: scalars only, so parameters stay flat and comparable.
struct ScalarParam(ParamValue);

impl<'de> Deserialize<'de> for ScalarParam {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ScalarParam;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a bool, a number or a string")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ScalarParam, E> {
                ParamValueVisitor.visit_bool(v).map(ScalarParam)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ScalarParam, E> {
                ParamValueVisitor.visit_i64(v).map(ScalarParam)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ScalarParam, E> {
                ParamValueVisitor.visit_u64(v).map(ScalarParam)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ScalarParam, E> {
                ParamValueVisitor.visit_f64(v).map(ScalarParam)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ScalarParam, E> {
                ParamValueVisitor.visit_str(v).map(ScalarParam)
            }
        }
        d.deserialize_any(V)
    }
}

/// A parameter as written: the value alone, or `{value, source, note}`.
pub(crate) struct ParamEntry {
    pub(crate) value: ParamValue,
    source: Option<String>,
    note: Option<String>,
}

impl<'de> Deserialize<'de> for ParamEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ParamEntry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a parameter value, or {value, source, note}")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ParamEntry, E> {
                ParamValueVisitor.visit_bool(v).map(ParamEntry::bare)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ParamEntry, E> {
                ParamValueVisitor.visit_i64(v).map(ParamEntry::bare)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ParamEntry, E> {
                ParamValueVisitor.visit_u64(v).map(ParamEntry::bare)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ParamEntry, E> {
                ParamValueVisitor.visit_f64(v).map(ParamEntry::bare)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ParamEntry, E> {
                ParamValueVisitor.visit_str(v).map(ParamEntry::bare)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ParamEntry, A::Error> {
                ParamValueVisitor.visit_seq(seq).map(ParamEntry::bare)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<ParamEntry, A::Error> {
                let mut value = None;
                let mut source = None;
                let mut note = None;
                while let Some(k) = m.next_key::<String>()? {
                    match k.as_str() {
                        "value" if value.is_none() => value = Some(m.next_value_seed(PV)?),
                        "source" if source.is_none() => source = Some(m.next_value()?),
                        "note" if note.is_none() => note = Some(m.next_value()?),
                        "value" | "source" | "note" => {
                            return Err(yaml::err(format!("duplicate key `{k}`")))
                        }
                        other => {
                            return Err(err_hint(
                                format!("unknown field `{other}` in a parameter"),
                                "a parameter is a value, or {value, source, note}",
                            ))
                        }
                    }
                }
                let value = value.ok_or_else(|| {
                    err_hint("parameter without `value`", "write {value: …, source: …}")
                })?;
                Ok(ParamEntry {
                    value,
                    source,
                    note,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// A parameter value as written anywhere (a profile, a parameter vocabulary's default).
pub(crate) struct RawParamValue(pub(crate) ParamValue);

impl<'de> Deserialize<'de> for RawParamValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ParamValueVisitor).map(RawParamValue)
    }
}

/// A profile's `params`: every name declared by the parameter vocabulary in the parse
/// context, every value of its declared type, both checked where they are written.
#[derive(Default)]
pub(crate) struct ParamMap(pub(crate) BTreeMap<String, ParamEntry>);

impl<'de> Deserialize<'de> for ParamMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ParamMap;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of parameter name to value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<ParamMap, A::Error> {
                let ctx = yaml::current_context();
                let vocab = ctx
                    .as_deref()
                    .and_then(|c| c.as_any().downcast_ref::<ParamVocabulary>());
                // Names are checked against the vocabulary as they are read (`Name<ParamK>`).
                let mut out = BTreeMap::new();
                while let Some(name) = m.next_key::<Name<ParamK>>()? {
                    let name = name.into_string();
                    if out.contains_key(&name) {
                        return Err(yaml::err(format!("duplicate key `{name}`")));
                    }
                    let spec = vocab.and_then(|v| v.get(&name));
                    let entry: ParamEntry = m.next_value_seed(TypedParam { name: &name, spec })?;
                    out.insert(name, entry);
                }
                Ok(ParamMap(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// One parameter's entry, checked against its declaration when there is one.
struct TypedParam<'a> {
    name: &'a str,
    spec: Option<&'a params::ParamSpec>,
}

impl<'de> de::DeserializeSeed<'de> for TypedParam<'_> {
    type Value = ParamEntry;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ParamEntry, D::Error> {
        let entry = ParamEntry::deserialize(d)?;
        if let Some(spec) = self.spec {
            if let Err(m) = spec.check(&entry.value) {
                return Err(err_hint(
                    format!("parameter `{}`: {m}", self.name),
                    format!(
                        "`{}` is declared as {}: {}",
                        self.name,
                        spec.describe(),
                        spec.meaning
                    ),
                ));
            }
        }
        Ok(entry)
    }
}

struct PV;
impl<'de> de::DeserializeSeed<'de> for PV {
    type Value = ParamValue;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ParamValue, D::Error> {
        d.deserialize_any(ParamValueVisitor)
    }
}

impl ParamEntry {
    fn bare(value: ParamValue) -> Self {
        ParamEntry {
            value,
            source: None,
            note: None,
        }
    }
}

/// A must-have as written: an id, or `{id, min, min_assurance, reason}`.
pub(crate) struct GateEntry {
    id: String,
    min: Option<f64>,
    min_assurance: Option<Status>,
    reason: Option<String>,
}

impl<'de> Deserialize<'de> for GateEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = GateEntry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a requirement id, or {id, min, min_assurance, reason}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<GateEntry, E> {
                let id: Name<ReqRef> =
                    Deserialize::deserialize(de::value::StrDeserializer::<E>::new(v))?;
                Ok(GateEntry {
                    id: id.into_string(),
                    min: None,
                    min_assurance: None,
                    reason: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<GateEntry, A::Error> {
                let mut g = GateEntry {
                    id: String::new(),
                    min: None,
                    min_assurance: None,
                    reason: None,
                };
                let mut seen = Vec::new();
                while let Some(k) = m.next_key::<String>()? {
                    if seen.contains(&k) {
                        return Err(yaml::err(format!("duplicate key `{k}`")));
                    }
                    match k.as_str() {
                        "id" => g.id = m.next_value::<Name<ReqRef>>()?.into_string(),
                        "min" => g.min = Some(m.next_value::<Unit>()?.0),
                        "min_assurance" => {
                            let s: Status = m.next_value()?;
                            if matches!(s, Status::Unknown | Status::Assumed) {
                                return Err(err_hint(
                                    format!("`min_assurance: {s}` is not an assurance level"),
                                    "use verified, attested or claimed",
                                ));
                            }
                            if s == Status::Reported {
                                return Err(err_hint(
                                    "`min_assurance: reported` is not allowed",
                                    "a third party's report never meets a must-have alone; the weakest level a must-have accepts is `claimed` (the default)",
                                ));
                            }
                            g.min_assurance = Some(s);
                        }
                        "reason" => g.reason = Some(m.next_value()?),
                        other => {
                            return Err(err_hint(
                                format!("unknown field `{other}` in a must-have"),
                                "a must-have takes id, min, min_assurance and reason",
                            ))
                        }
                    }
                    seen.push(k);
                }
                if g.id.is_empty() {
                    return Err(err_hint(
                        "must-have without `id`",
                        "write {id: REQUIREMENT, …}",
                    ));
                }
                Ok(g)
            }
        }
        d.deserialize_any(V)
    }
}

/// `PARENT/CHILD` in `weights`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct EdgeKey(String, String);

impl fmt::Display for EdgeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.0, self.1)
    }
}

impl<'de> Deserialize<'de> for EdgeKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = EdgeKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("PARENT/CHILD")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<EdgeKey, E> {
                let Some((p, c)) = v.split_once('/') else {
                    return Err(err_hint(
                        format!("`{v}` is not PARENT/CHILD"),
                        "weights override one edge, e.g. `hipaa/ctl.audit_logs: 4`",
                    ));
                };
                yaml::check_edge(v).map_err(yaml::err)?;
                for part in [p, c] {
                    let _: Name<ReqRef> =
                        Deserialize::deserialize(de::value::StrDeserializer::<E>::new(part))?;
                }
                Ok(EdgeKey(p.to_owned(), c.to_owned()))
            }
        }
        d.deserialize_str(V)
    }
}

/// A key of `frameworks`: `judgements`, or a framework id, checked as the key is read so that
/// an error points at the key.
enum FrameworkKey {
    Judgements,
    Id(Name<ReqRef>),
}

impl<'de> Deserialize<'de> for FrameworkKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = FrameworkKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a framework id, or `judgements`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FrameworkKey, E> {
                if v == "judgements" {
                    return Ok(FrameworkKey::Judgements);
                }
                Name::deserialize(de::value::StrDeserializer::<E>::new(v)).map(FrameworkKey::Id)
            }
        }
        d.deserialize_str(V)
    }
}

/// A key of `weights`: an edge `PARENT/CHILD`, or a requirement whose children are judged,
/// checked as the key is read so that an error points at the key.
enum WeightsKey {
    Edge(EdgeKey),
    Node(Name<ReqRef>),
}

impl<'de> Deserialize<'de> for WeightsKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = WeightsKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an edge PARENT/CHILD, or a requirement id")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<WeightsKey, E> {
                let str_de = de::value::StrDeserializer::<E>::new(v);
                if v.contains('/') {
                    return EdgeKey::deserialize(str_de).map(WeightsKey::Edge);
                }
                let id: Name<ReqRef> = Name::deserialize(str_de)?;
                yaml::check_edge(&id.0).map_err(yaml::err)?;
                Ok(WeightsKey::Node(id))
            }
        }
        d.deserialize_str(V)
    }
}

/// `frameworks:` as written: a weight per framework, or pairwise `judgements` on them.
pub(crate) enum FrameworksEntry {
    /// Framework → weight (0 removes one a parent profile has).
    Weights(BTreeMap<String, f64>),
    /// Judgements; the frameworks are the ids they name.
    Judgements(JudgementSet),
}

impl Default for FrameworksEntry {
    fn default() -> Self {
        FrameworksEntry::Weights(BTreeMap::new())
    }
}

impl<'de> Deserialize<'de> for FrameworksEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FrameworksEntry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of framework to weight, or `{judgements: [[A, B, VALUE], …]}`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<FrameworksEntry, A::Error> {
                let mut weights: BTreeMap<String, f64> = BTreeMap::new();
                let mut judged: Option<JudgementSet> = None;
                let mixed = || {
                    err_hint(
                        "`frameworks` mixes weights and `judgements`",
                        "give the frameworks either as weights (`hipaa: 5`) or as `judgements: [[hipaa, clia, 3], …]`, not both",
                    )
                };
                while let Some(k) = m.next_key::<FrameworkKey>()? {
                    let FrameworkKey::Id(id) = k else {
                        if judged.is_some() {
                            return Err(yaml::err("duplicate key `judgements`"));
                        }
                        if !weights.is_empty() {
                            return Err(mixed());
                        }
                        judged = Some(m.next_value_seed(SetSeed {
                            scope: "frameworks".into(),
                        })?);
                        continue;
                    };
                    if judged.is_some() {
                        return Err(mixed());
                    }
                    if weights.contains_key(&id.0) {
                        return Err(yaml::err(format!("duplicate key `{id}`")));
                    }
                    let w: Weight = m.next_value()?;
                    weights.insert(id.into_string(), w.0);
                }
                Ok(match judged {
                    Some(j) => FrameworksEntry::Judgements(j),
                    None => FrameworksEntry::Weights(weights),
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// `weights:` as written: `PARENT/CHILD: weight` overrides one edge; `PARENT: {judgements: …}`
/// gives the weights of all of a requirement's children as pairwise judgements.
#[derive(Default)]
pub(crate) struct WeightsEntry {
    edges: BTreeMap<EdgeKey, Weight>,
    nodes: BTreeMap<String, JudgementSet>,
}

impl<'de> Deserialize<'de> for WeightsEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WeightsEntry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of PARENT/CHILD to weight, or of PARENT to `{judgements: …}`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<WeightsEntry, A::Error> {
                let mut out = WeightsEntry::default();
                while let Some(k) = m.next_key::<WeightsKey>()? {
                    let id = match k {
                        WeightsKey::Node(id) => id,
                        WeightsKey::Edge(e) => {
                            if out.edges.contains_key(&e) {
                                return Err(yaml::err(format!("duplicate key `{e}`")));
                            }
                            let w: Weight = m.next_value()?;
                            out.edges.insert(e, w);
                            continue;
                        }
                    };
                    if out.nodes.contains_key(&id.0) {
                        return Err(yaml::err(format!("duplicate key `{id}`")));
                    }
                    let set = m.next_value_seed(NodeJudgements {
                        scope: format!("weights:{id}"),
                    })?;
                    out.nodes.insert(id.into_string(), set);
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

/// `PARENT: {judgements: …}` in `weights`.
struct NodeJudgements {
    scope: String,
}

impl<'de> de::DeserializeSeed<'de> for NodeJudgements {
    type Value = JudgementSet;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<JudgementSet, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeJudgements {
    type Value = JudgementSet;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`{judgements: [[A, B, VALUE], …]}` on the requirement's children")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<JudgementSet, A::Error> {
        let mut set = None;
        while let Some(k) = m.next_key::<String>()? {
            match k.as_str() {
                "judgements" if set.is_none() => {
                    set = Some(m.next_value_seed(SetSeed {
                        scope: self.scope.clone(),
                    })?)
                }
                "judgements" => return Err(yaml::err("duplicate key `judgements`")),
                other => {
                    return Err(err_hint(
                        format!("unknown field `{other}` in a requirement's weights"),
                        "`weights: {PARENT: {judgements: […]}}` judges PARENT's children; `PARENT/CHILD: 2` overrides one edge",
                    ))
                }
            }
        }
        set.ok_or_else(|| {
            err_hint(
                "a requirement's weights without `judgements`",
                "write `PARENT: {judgements: [[CHILD_A, CHILD_B, 3], …]}`",
            )
        })
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<JudgementSet, E> {
        let id = self.scope.trim_start_matches("weights:");
        Err(err_hint(
            format!("`{id}` is not PARENT/CHILD"),
            format!("weights override one edge, e.g. `hipaa/ctl.audit_logs: 4`, or judge a requirement's children: `{id}: {{judgements: […]}}`"),
        ))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<JudgementSet, E> {
        self.visit_f64(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<JudgementSet, E> {
        self.visit_f64(v as f64)
    }
}

/// A waiver as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WaiverEntry {
    id: Name<ReqRef>,
    reason: String,
    approved_by: String,
    expires: Date,
}

/// Score bands for eligible providers.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bands {
    /// Fit at or above this is `strong`.
    pub strong: f64,
    /// Fit at or above this (and below strong) is `moderate`; below it, `weak`.
    pub moderate: f64,
}

impl Default for Bands {
    fn default() -> Self {
        Bands {
            strong: 80.0,
            moderate: 60.0,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProfileFile {
    #[expect(
        dead_code,
        reason = "the header is checked before parsing; the field only lets serde accept it"
    )]
    labfit: String,
    id: Name<DocK>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    frameworks: FrameworksEntry,
    #[serde(default)]
    params: ParamMap,
    #[serde(default)]
    must_have: Vec<GateEntry>,
    #[serde(default)]
    weights: WeightsEntry,
    #[serde(default)]
    waivers: Vec<WaiverEntry>,
    #[serde(default)]
    max_evidence_age_days: Option<u32>,
    #[serde(default)]
    bands: Option<Bands>,
    #[serde(default)]
    services: Option<Vec<Name<DocK>>>,
    #[serde(default)]
    assurance: Option<AssuranceEntry>,
    #[serde(default)]
    ahp: Option<AhpEntry>,
    #[serde(default)]
    notes: Vec<String>,
}

/// The top-level keys of a profile, for "did you mean" when one is written under `params`.
pub(crate) const TOP_LEVEL_KEYS: &[&str] = &[
    "labfit",
    "id",
    "title",
    "description",
    "extends",
    "frameworks",
    "params",
    "must_have",
    "weights",
    "waivers",
    "max_evidence_age_days",
    "bands",
    "services",
    "assurance",
    "ahp",
    "notes",
];

impl AssuranceEntry {
    /// Overrides the credibilities this entry sets.
    fn apply(&self, a: &mut Assurance) {
        let set = |slot: &mut f64, v: Option<Credibility>| {
            if let Some(v) = v {
                *slot = v.0;
            }
        };
        set(&mut a.verified, self.verified);
        set(&mut a.attested, self.attested);
        set(&mut a.claimed, self.claimed);
        set(&mut a.reported, self.reported);
    }
}

/// `assurance:` as written: the credibility of any of the four known statuses.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssuranceEntry {
    #[serde(default)]
    verified: Option<Credibility>,
    #[serde(default)]
    attested: Option<Credibility>,
    #[serde(default)]
    claimed: Option<Credibility>,
    #[serde(default)]
    reported: Option<Credibility>,
}

/// A credibility in [0, 1].
#[derive(Clone, Copy)]
pub(crate) struct Credibility(f64);

impl<'de> Deserialize<'de> for Credibility {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if (0.0..=1.0).contains(&v) {
            Ok(Credibility(v))
        } else {
            Err(err_hint(
                format!("`{v}` is outside 0..1"),
                "a credibility is how far a status is believed, from 0 (not at all) to 1 (fully)",
            ))
        }
    }
}

/// Where a parameter's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ParamOrigin {
    /// The parameter vocabulary's default: the profile chain does not set it.
    Default,
    /// The profile that sets it (`set_by`), the only one in the chain that does.
    Profile,
    /// Several profiles of the chain set it; the strictest value (the larger `min_*`, the
    /// smaller `max_*`) won.
    Strictest,
}

impl ParamOrigin {
    /// As written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamOrigin::Default => "default",
            ParamOrigin::Profile => "profile",
            ParamOrigin::Strictest => "strictest",
        }
    }
}

/// How far a fact of each status is believed: c in [c·x, c·x + 1 − c] (docs/scoring.md,
/// "Assurance"). The defaults are labfit's policy; a profile may change them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Assurance {
    /// The lab checked a primary document (and `--assume` answers: "if we confirm this").
    pub verified: f64,
    /// An independent auditor states it.
    pub attested: f64,
    /// The provider states it.
    pub claimed: f64,
    /// A third party states it.
    pub reported: f64,
}

impl Default for Assurance {
    fn default() -> Self {
        Assurance {
            verified: 1.0,
            attested: 0.9,
            claimed: 0.75,
            reported: 0.5,
        }
    }
}

impl Assurance {
    /// The credibility of a known fact of this status (0 for unknown).
    pub fn credibility(&self, s: Status) -> f64 {
        match s {
            Status::Verified | Status::Assumed => self.verified,
            Status::Attested => self.attested,
            Status::Claimed => self.claimed,
            Status::Reported => self.reported,
            Status::Unknown => 0.0,
        }
    }

    /// True when a stronger status is never believed less than a weaker one.
    pub fn is_ordered(&self) -> bool {
        self.verified >= self.attested
            && self.attested >= self.claimed
            && self.claimed >= self.reported
    }
}

/// A resolved parameter and who set it.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Param {
    /// The value.
    pub value: ParamValue,
    /// The regulation or reasoning that sets it, as the profile says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// A note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The profile id whose file set the winning value (`default` for a default).
    pub set_by: String,
    /// Default, set by one profile, or the strictest of several.
    pub origin: ParamOrigin,
}

/// A must-have requirement.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Gate {
    /// Requirement id.
    pub id: String,
    /// Minimum lower bound for `met` (default 1: a full pass).
    pub min: f64,
    /// Minimum assurance of the facts read (default: `claimed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_assurance: Option<Status>,
    /// Why it is a must-have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The profile id that set it.
    pub set_by: String,
}

/// A waiver: the requirement is excluded until `expires`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Waiver {
    /// Requirement id.
    pub id: String,
    /// Why.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// Last day it applies.
    pub expires: Date,
    /// The profile id that set it.
    pub set_by: String,
}

/// A profile with `extends` resolved.
#[derive(Clone, Debug)]
pub struct Profile {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Longer description.
    pub description: Option<String>,
    /// Root frameworks and their weights, sorted by id (weight 0 removed).
    pub frameworks: Vec<(String, f64)>,
    /// Parameters by name (shared with every report of this profile).
    pub params: Arc<BTreeMap<String, Param>>,
    /// Must-haves, sorted by id.
    pub gates: Vec<Gate>,
    /// Edge weight overrides: (parent, child) → weight.
    pub weights: BTreeMap<(String, String), f64>,
    /// Waivers, sorted by id.
    pub waivers: Vec<Waiver>,
    /// Facts older than this many days count as unknown.
    pub max_evidence_age_days: Option<u32>,
    /// Score bands.
    pub bands: Bands,
    /// The kinds of service the lab will use (`None`: the vocabulary's defaults).
    pub services: Option<Vec<String>>,
    /// How far each status is believed.
    pub assurance: Assurance,
    /// How pairwise judgements become weights (`ahp:`).
    pub ahp: AhpSettings,
    /// The frameworks' judgements, when the frameworks are given that way.
    pub framework_judgements: Option<Judgements>,
    /// Judgements on requirements' children, by requirement id.
    pub node_judgements: BTreeMap<String, Judgements>,
    /// The weights derived from judgements: the frameworks' on loading, the children's when
    /// the profile is bound to the graph.
    pub weighting: Weighting,
    /// Notes from every file of the chain.
    pub notes: Vec<String>,
    /// The files of the chain, the profile's own first.
    pub files: Vec<SourceFile>,
    /// Where each reference to the catalog was written, for diagnostics.
    pub(crate) refs: Vec<ProfileRef>,
}

/// A reference from a profile to the catalog, kept to validate it against the graph.
#[derive(Clone, Debug)]
pub(crate) struct ProfileRef {
    pub(crate) what: RefWhat,
    pub(crate) file: SourceFile,
}

#[derive(Clone, Debug)]
pub(crate) enum RefWhat {
    Framework(String),
    Gate(String),
    Waiver(String),
    Edge(String, String),
    /// A requirement whose children are judged (`weights: {PARENT: {judgements: …}}`).
    Judged(String),
}

impl ProfileRef {
    /// Where the reference is written.
    pub(crate) fn location(&self) -> Location {
        match &self.what {
            RefWhat::Framework(id) | RefWhat::Gate(id) | RefWhat::Waiver(id) => {
                yaml::locate::<ProfileFile>(&self.file, NameKind::RequirementRef, id, 1)
            }
            RefWhat::Edge(p, c) => {
                yaml::locate::<ProfileFile>(&self.file, NameKind::Edge, &format!("{p}/{c}"), 1)
            }
            RefWhat::Judged(id) => yaml::locate::<ProfileFile>(&self.file, NameKind::Edge, id, 1),
        }
    }
}

/// Finds the text of a profile named in `extends` (or on the command line).
pub trait ProfileSource {
    /// Returns the file for `name` (a built-in id or a path), resolved relative to `from`.
    fn find(&self, name: &str, from: Option<&SourceFile>) -> Result<SourceFile, ProfileError>;
}

/// The title a profile file states itself (none when it leaves it to the profile it extends,
/// or does not parse), read without resolving `extends`.
pub fn own_title(file: &SourceFile) -> Option<String> {
    yaml::parse::<ProfileFile>(file, KIND, None)
        .ok()
        .and_then(|raw| raw.title)
}

/// Loads a profile file and resolves its `extends` chain.
pub fn load(
    file: SourceFile,
    source: &dyn ProfileSource,
    params: &Arc<ParamVocabulary>,
) -> Result<Profile, ProfileError> {
    let mut chain: Vec<(SourceFile, ProfileFile)> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut current = file;
    loop {
        let raw: ProfileFile = yaml::parse(
            &current,
            KIND,
            Some(params.clone() as Arc<dyn ParseContext>),
        )
        .map_err(|e| param_at_top_level(e, params))?;
        let id = raw.id.0.clone();
        if names.contains(&id) {
            let mut cycle: Vec<String> = names.clone();
            cycle.push(id);
            let (prev_file, _) = chain.last().map_or((&current, ()), |(f, _)| (f, ()));
            return Err(ProfileError::ExtendsLoop {
                location: locate_extends(prev_file),
                chain: cycle,
            });
        }
        names.push(id);
        let next = raw.extends.clone();
        chain.push((current.clone(), raw));
        match next {
            None => break,
            Some(parent) => {
                let found = source.find(&parent, Some(&current)).map_err(|e| match e {
                    ProfileError::NotFound { name, hint } => ProfileError::Invalid {
                        location: locate_extends(&current),
                        message: format!("`extends: {name}` names no profile"),
                        hint: Some(hint),
                    },
                    ProfileError::Input(InputError::Io {
                        file,
                        message,
                        hint,
                    }) => ProfileError::Invalid {
                        location: locate_extends(&current),
                        message: format!("`extends: {parent}`: cannot read `{file}`: {message}"),
                        hint: Some(hint),
                    },
                    other => other,
                })?;
                current = found;
            }
        }
    }
    let mut p = merge(chain);
    derive_frameworks(&mut p)?;
    let own = Arc::make_mut(&mut p.params);
    for (name, spec) in params.iter() {
        own.entry(name.to_owned()).or_insert_with(|| Param {
            value: spec.default.clone(),
            source: Some(spec.source.clone()),
            note: None,
            set_by: "default".into(),
            origin: ParamOrigin::Default,
        });
    }
    Ok(p)
}

/// A parameter written as a top-level key is an unknown field to serde: say where it goes.
fn param_at_top_level(e: InputError, params: &ParamVocabulary) -> InputError {
    let InputError::Invalid {
        location,
        message,
        hint,
        syntax,
    } = e
    else {
        return e;
    };
    let field = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next());
    let hint = match field {
        Some(f) if params.get(f).is_some() => Some(format!(
            "`{f}` is a parameter: write it under `params:` (`params: {{{f}: …}}`)"
        )),
        Some(f) => match crate::input::error::nearest(f, params.names()) {
            Some(n) => Some(format!(
                "did you mean the parameter `{n}`? parameters go under `params:`"
            )),
            None => hint,
        },
        None => hint,
    };
    InputError::Invalid {
        location,
        message,
        hint,
        syntax,
    }
}

fn locate_extends(file: &SourceFile) -> Location {
    for (i, l) in file.text().lines().enumerate() {
        if l.starts_with("extends:") {
            return file.location(i + 1, 10);
        }
        // A profile written as JSON (a document sent to the service): the quoted key.
        if let Some(at) = l.find("\"extends\"") {
            let col = l.get(..at).map_or(0, |p| p.chars().count()) + 1;
            return file.location(i + 1, col);
        }
    }
    file.location(1, 1)
}

/// Merges one file's parameters into those of the files above it in the chain: a child's value
/// replaces its parent's, except that for numeric `min_*` / `max_*` parameters the strictest
/// value survives (and says so).
fn merge_params(into: &mut BTreeMap<String, Param>, params: ParamMap, who: &str) {
    for (k, entry) in params.0 {
        let new = Param {
            value: entry.value,
            source: entry.source,
            note: entry.note,
            set_by: who.to_owned(),
            origin: ParamOrigin::Profile,
        };
        let strict = |old: &Param| {
            matches!(
                (&old.value, &new.value),
                (ParamValue::Number(_), ParamValue::Number(_))
                    if k.starts_with("min_") || k.starts_with("max_")
            )
        };
        let keep_old = match (into.get(&k), &new.value) {
            (Some(old), ParamValue::Number(n)) => match &old.value {
                ParamValue::Number(o) if k.starts_with("min_") => o > n,
                ParamValue::Number(o) if k.starts_with("max_") => o < n,
                _ => false,
            },
            _ => false,
        };
        let merged = into.get(&k).is_some_and(strict);
        match into.get_mut(&k) {
            Some(old) if keep_old => old.origin = ParamOrigin::Strictest,
            _ => {
                let mut new = new;
                if merged {
                    new.origin = ParamOrigin::Strictest;
                }
                into.insert(k, new);
            }
        }
    }
}

/// Merges one file's `frameworks` into those of the files above it: weights merge framework
/// by framework; judgements replace the whole set (weights and judgements are on different
/// scales, so a file that switches between them replaces what it extends).
fn merge_frameworks(
    p: &mut Profile,
    frameworks: &mut BTreeMap<String, f64>,
    entry: FrameworksEntry,
    file: &SourceFile,
) {
    match entry {
        FrameworksEntry::Weights(ws) => {
            if !ws.is_empty() && p.framework_judgements.take().is_some() {
                frameworks.clear();
            }
            for (k, w) in ws {
                p.refs.push(ProfileRef {
                    what: RefWhat::Framework(k.clone()),
                    file: file.clone(),
                });
                frameworks.insert(k, w);
            }
        }
        FrameworksEntry::Judgements(set) => {
            frameworks.clear();
            for k in set.items() {
                p.refs.push(ProfileRef {
                    what: RefWhat::Framework(k),
                    file: file.clone(),
                });
            }
            p.framework_judgements = Some(Judgements {
                subject: Subject::Frameworks,
                set,
                file: file.clone(),
            });
        }
    }
}

/// The frameworks' weights from their judgements, when they are given that way.
fn derive_frameworks(p: &mut Profile) -> Result<(), ProfileError> {
    let Some(j) = &p.framework_judgements else {
        return Ok(());
    };
    let d = judgements::derive(j, &j.set.items(), &p.ahp)?;
    p.frameworks = d
        .priorities
        .items
        .iter()
        .cloned()
        .zip(d.priorities.weights.iter().copied())
        .collect();
    p.weighting.frameworks = Some(d);
    Ok(())
}

/// Merges a chain (child first) from the root parent down, so children override.
fn merge(chain: Vec<(SourceFile, ProfileFile)>) -> Profile {
    let files: Vec<SourceFile> = chain.iter().map(|(f, _)| f.clone()).collect();
    let mut p = Profile {
        id: String::new(),
        title: String::new(),
        description: None,
        frameworks: Vec::new(),
        params: Arc::default(),
        gates: Vec::new(),
        weights: BTreeMap::new(),
        waivers: Vec::new(),
        max_evidence_age_days: None,
        bands: Bands::default(),
        services: None,
        assurance: Assurance::default(),
        ahp: AhpSettings::default(),
        framework_judgements: None,
        node_judgements: BTreeMap::new(),
        weighting: Weighting::default(),
        notes: Vec::new(),
        files,
        refs: Vec::new(),
    };
    let mut frameworks: BTreeMap<String, f64> = BTreeMap::new();
    let mut gates: BTreeMap<String, Gate> = BTreeMap::new();
    let mut waivers: BTreeMap<String, Waiver> = BTreeMap::new();
    for (file, raw) in chain.into_iter().rev() {
        let who = raw.id.0.clone();
        p.id = who.clone();
        if let Some(t) = raw.title {
            p.title = t;
        }
        if raw.description.is_some() {
            p.description = raw.description;
        }
        merge_frameworks(&mut p, &mut frameworks, raw.frameworks, &file);
        merge_params(Arc::make_mut(&mut p.params), raw.params, &who);
        for g in raw.must_have {
            p.refs.push(ProfileRef {
                what: RefWhat::Gate(g.id.clone()),
                file: file.clone(),
            });
            gates.insert(
                g.id.clone(),
                Gate {
                    id: g.id,
                    min: g.min.unwrap_or(1.0),
                    // A third party's report never meets a must-have alone.
                    min_assurance: Some(g.min_assurance.unwrap_or(Status::Claimed)),
                    reason: g.reason,
                    set_by: who.clone(),
                },
            );
        }
        for (e, w) in raw.weights.edges {
            p.refs.push(ProfileRef {
                what: RefWhat::Edge(e.0.clone(), e.1.clone()),
                file: file.clone(),
            });
            p.weights.insert((e.0, e.1), w.0);
        }
        for (id, set) in raw.weights.nodes {
            p.refs.push(ProfileRef {
                what: RefWhat::Judged(id.clone()),
                file: file.clone(),
            });
            let subject = Subject::Children(id.clone());
            p.node_judgements.insert(
                id,
                Judgements {
                    subject,
                    set,
                    file: file.clone(),
                },
            );
        }
        if let Some(a) = &raw.ahp {
            a.apply(&mut p.ahp);
        }
        for w in raw.waivers {
            let id = w.id.into_string();
            p.refs.push(ProfileRef {
                what: RefWhat::Waiver(id.clone()),
                file: file.clone(),
            });
            waivers.insert(
                id.clone(),
                Waiver {
                    id,
                    reason: w.reason,
                    approved_by: w.approved_by,
                    expires: w.expires,
                    set_by: who.clone(),
                },
            );
        }
        if raw.max_evidence_age_days.is_some() {
            p.max_evidence_age_days = raw.max_evidence_age_days;
        }
        if let Some(b) = raw.bands {
            p.bands = b;
        }
        if let Some(s) = raw.services {
            p.services = Some(s.into_iter().map(Name::into_string).collect());
        }
        if let Some(a) = raw.assurance {
            a.apply(&mut p.assurance);
        }
        p.notes.extend(raw.notes);
    }
    if p.title.is_empty() {
        p.title.clone_from(&p.id);
    }
    p.frameworks = frameworks.into_iter().filter(|(_, w)| *w > 0.0).collect();
    p.gates = gates.into_values().collect();
    p.waivers = waivers.into_values().collect();
    p
}

impl Profile {
    /// Where a top-level key is written in the profile's own file (or the first file of its
    /// chain that has it), for diagnostics about its value.
    pub(crate) fn locate_key(&self, key: &str) -> Location {
        let prefix = format!("{key}:");
        self.files
            .iter()
            .find_map(|f| {
                f.text()
                    .lines()
                    .position(|l| l.starts_with(&prefix))
                    .map(|i| f.location(i + 1, 1))
            })
            .or_else(|| self.files.first().map(|f| f.location(1, 1)))
            .unwrap_or_else(|| Location::file_start("profile"))
    }

    /// Checks that a stronger status is never believed less than a weaker one.
    pub(crate) fn check_assurance(&self) -> Result<(), ProfileError> {
        let a = self.assurance;
        if a.is_ordered() {
            return Ok(());
        }
        Err(ProfileError::Invalid {
            location: self.locate_key("assurance"),
            message: format!(
                "assurance verified {} / attested {} / claimed {} / reported {} is not ordered",
                a.verified, a.attested, a.claimed, a.reported
            ),
            hint: Some("a stronger status is believed at least as much as a weaker one: verified ≥ attested ≥ claimed ≥ reported".into()),
        })
    }

    /// Checks the bands (strong ≥ moderate, both in 0..=100).
    pub(crate) fn check_bands(&self) -> Result<(), ProfileError> {
        let b = self.bands;
        let ok = |v: f64| (0.0..=100.0).contains(&v);
        if ok(b.strong) && ok(b.moderate) && b.strong >= b.moderate {
            Ok(())
        } else {
            let file = self
                .files
                .first()
                .map(|f| f.location(1, 1))
                .unwrap_or_else(|| Location::file_start("profile"));
            Err(ProfileError::Invalid {
                location: file,
                message: format!(
                    "bands strong {} / moderate {} are not ordered within 0..100",
                    b.strong, b.moderate
                ),
                hint: Some("write bands: {strong: 80, moderate: 60}".into()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Files(Vec<SourceFile>);
    impl ProfileSource for Files {
        fn find(&self, name: &str, _from: Option<&SourceFile>) -> Result<SourceFile, ProfileError> {
            self.0
                .iter()
                .find(|f| f.name() == format!("{name}.yaml"))
                .cloned()
                .ok_or_else(|| ProfileError::NotFound {
                    name: name.into(),
                    hint: "h".into(),
                })
        }
    }

    fn files() -> Files {
        Files(vec![
            SourceFile::from_text(
                "base.yaml",
                "labfit: profile/v1\nid: base\ntitle: Base\nframeworks: {lab-baseline: 1}\nparams:\n  min_sla_pct: {value: 99.95, source: CLIA}\n  retention_years: 2\n  max_days: 30\nmust_have: [exit.data_return]\n",
            ),
            SourceFile::from_text(
                "child.yaml",
                "labfit: profile/v1\nid: child\nextends: base\nframeworks: {hipaa: 5, lab-baseline: 2}\nparams:\n  min_sla_pct: {value: 99.9, source: HIPAA}\n  retention_years: 6\n  max_days: 90\nmust_have:\n  - {id: exit.data_return, min: 0.8}\n  - hipaa.baa\nwaivers:\n  - {id: support.native, reason: r, approved_by: QA, expires: 2027-06-30}\n",
            ),
            SourceFile::from_text("a.yaml", "labfit: profile/v1\nid: a\nextends: b\n"),
            SourceFile::from_text("b.yaml", "labfit: profile/v1\nid: b\nextends: a\n"),
        ])
    }

    #[test]
    fn merges_with_strictest_minimum() {
        let fs = files();
        let p = load(fs.0[1].clone(), &fs, &Arc::default()).unwrap();
        assert_eq!(p.id, "child");
        assert_eq!(p.title, "Base");
        assert_eq!(
            p.frameworks,
            vec![
                ("hipaa".to_string(), 5.0),
                ("lab-baseline".to_string(), 2.0)
            ]
        );
        let sla = &p.params["min_sla_pct"];
        assert_eq!(
            (
                sla.value.clone(),
                sla.set_by.as_str(),
                sla.source.as_deref()
            ),
            (ParamValue::Number(99.95), "base", Some("CLIA"))
        );
        assert_eq!(p.params["retention_years"].value, ParamValue::Number(6.0));
        assert_eq!(p.params["max_days"].value, ParamValue::Number(30.0));
        assert_eq!(p.gates.len(), 2);
        assert!((p.gates[0].min - 0.8).abs() < 1e-12);
        assert_eq!(p.waivers[0].expires.to_string(), "2027-06-30");
    }

    #[test]
    fn extends_loop_is_named() {
        let fs = files();
        let e = load(fs.0[2].clone(), &fs, &Arc::default())
            .unwrap_err()
            .to_string();
        assert_eq!(e, "b.yaml:3:10: `extends` forms a loop: a -> b -> a");
    }
}
