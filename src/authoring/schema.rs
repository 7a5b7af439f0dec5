//! JSON Schemas of labfit's files, so editors (with `# yaml-language-server: $schema=…`)
//! validate and complete them as the user types.
//!
//! The loaders read most values through hand-written `Deserialize` impls (shorthand forms,
//! values typed by the vocabulary, names validated as they are read), which a derived schema
//! could not describe. So the file shapes are mirrored here as plain structs that only derive
//! `JsonSchema` (never `Deserialize`): field names, optionality and `deny_unknown_fields` are
//! written once per field as in the loader, doc comments become the descriptions an editor
//! shows, and the validated scalars (ids, weights, dates, facts) get hand-written schemas.
//! The tests validate every built-in file against these schemas and check that what the
//! loaders refuse for an unknown field the schemas refuse too, so the two cannot drift apart
//! unnoticed. The evidence and rule-test schemas can carry the vocabulary: each fact key then
//! gets its own typed value, which is what makes completion of fact keys possible.

#![expect(
    dead_code,
    reason = "mirror structs exist only for their schemas; nothing reads their fields"
)]

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::generate::SchemaSettings;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

use crate::evidence::vocabulary::{FactSpec, FactType, Vocabulary};

/// The kinds of file a schema exists for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    /// `evidence/v1`.
    Evidence,
    /// `profile/v1`.
    Profile,
    /// `catalog/v1`.
    Catalog,
    /// `vocabulary/v1`.
    Vocabulary,
    /// `rule-tests/v1`.
    RuleTests,
    /// `parameters/v1`.
    Parameters,
    /// `mapping/v1`: questionnaire question ids → facts.
    Mapping,
    /// The JSON report (`report/v1`), as `labfit score --format json` writes it.
    Report,
}

/// The JSON Schema of a kind of file. Evidence and rule-test schemas type each fact by
/// `vocab` when one is given (keys outside it are then refused, as the loader refuses them).
pub fn schema(kind: SchemaKind, vocab: Option<&Vocabulary>) -> Value {
    let settings = SchemaSettings::draft2020_12();
    let mut s = match kind {
        SchemaKind::Evidence => settings
            .into_generator()
            .into_root_schema_for::<EvidenceFile>(),
        SchemaKind::Profile => settings
            .into_generator()
            .into_root_schema_for::<ProfileFile>(),
        SchemaKind::Catalog => settings
            .into_generator()
            .into_root_schema_for::<CatalogFile>(),
        SchemaKind::Vocabulary => settings
            .into_generator()
            .into_root_schema_for::<VocabularyFile>(),
        SchemaKind::RuleTests => settings.into_generator().into_root_schema_for::<TestFile>(),
        SchemaKind::Parameters => settings
            .into_generator()
            .into_root_schema_for::<ParametersFile>(),
        SchemaKind::Mapping => settings
            .into_generator()
            .into_root_schema_for::<MappingFile>(),
        SchemaKind::Report => settings
            .for_serialize()
            .into_generator()
            .into_root_schema_for::<crate::report::Report>(),
    };
    if let (Some(v), Some(defs)) = (vocab, s.get_mut("$defs").and_then(Value::as_object_mut)) {
        if defs.contains_key("Facts") {
            defs.insert("Facts".into(), typed_facts(v));
        }
        for (name, covers) in [("ServiceKinds", false), ("Covers", true)] {
            if defs.contains_key(name) {
                defs.insert(name.into(), service_kinds(Some(v), covers));
            }
        }
    }
    s.to_value()
}

/// A list of kinds of service (a profile's `services`, or a fact's `covers`, which the loader
/// refuses empty): any id, or, with a vocabulary, one of the kinds it declares.
fn service_kinds(vocab: Option<&Vocabulary>, covers: bool) -> Value {
    let item = match vocab {
        Some(v) => json!({"enum": v.services().map(|(k, _)| k).collect::<Vec<_>>()}),
        None => json!({"type": "string", "pattern": ID, "maxLength": 120}),
    };
    let mut s = json!({
        "type": "array",
        "items": item,
        "description": "Kinds of service from the vocabulary's `services` (`labfit list services`).",
    });
    if let (true, Some(o)) = (covers, s.as_object_mut()) {
        o.insert("minItems".into(), json!(1));
    }
    s
}

/// The kinds of service a lab uses; [`schema`] lists the vocabulary's kinds when it has one.
struct ServiceKinds;

impl JsonSchema for ServiceKinds {
    fn schema_name() -> Cow<'static, str> {
        "ServiceKinds".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        Schema::from(
            service_kinds(None, false)
                .as_object()
                .cloned()
                .unwrap_or_default(),
        )
    }
}

/// The kinds of service a fact covers (at least one).
struct Covers;

impl JsonSchema for Covers {
    fn schema_name() -> Cow<'static, str> {
        "Covers".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        Schema::from(
            service_kinds(None, true)
                .as_object()
                .cloned()
                .unwrap_or_default(),
        )
    }
}

macro_rules! scalar {
    ($name:ident, $doc:literal, $schema:tt) => {
        #[doc = $doc]
        struct $name;
        impl JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

const ID: &str = "^[a-z0-9][a-z0-9._-]*$";

scalar!(CatalogKind, "The file kind.", {"const": "catalog/v1", "description": "The file kind: `catalog/v1`."});
scalar!(VocabularyKind, "The file kind.", {"const": "vocabulary/v1", "description": "The file kind: `vocabulary/v1`."});
scalar!(ParametersKind, "The file kind.", {"const": "parameters/v1", "description": "The file kind: `parameters/v1`."});
scalar!(ProfileKind, "The file kind.", {"const": "profile/v1", "description": "The file kind: `profile/v1`."});
scalar!(EvidenceKind, "The file kind.", {"const": "evidence/v1", "description": "The file kind: `evidence/v1`."});
scalar!(MappingKind, "The file kind.", {"const": "mapping/v1", "description": "The file kind: `mapping/v1`."});
scalar!(Sha256, "A SHA-256.", {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "The file's SHA-256, 64 lowercase hexadecimal digits."});
scalar!(TestsKind, "The file kind.", {"const": "rule-tests/v1", "description": "The file kind: `rule-tests/v1`."});
scalar!(Id, "An id.", {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$", "maxLength": 120,
    "description": "Lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit."});
scalar!(ParamName, "A parameter name.", {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 120,
    "description": "snake_case. Parameters named `min_*` keep the larger and `max_*` the smaller value across `extends`."});
scalar!(Weight, "A weight.", {"type": "number", "minimum": 0, "description": "A finite number ≥ 0 (0 keeps the edge but gives it no weight)."});
scalar!(UnitNum, "A share of full credit.", {"type": "number", "minimum": 0, "maximum": 1});
scalar!(DateStr, "A date.", {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "YYYY-MM-DD."});
scalar!(QuestionId, "A guide question.", {"type": "string", "pattern": "^(q(0[1-9]|1[0-8])|mss)$",
    "description": "The guide question: q01 to q18, or mss (managed security services)."});
scalar!(CheckRef, "A check.", {"type": "string", "pattern": "^[^/:][^:]*\\.rhai::[A-Za-z_][A-Za-z0-9_]*$",
    "description": "FILE.rhai::FUNCTION, the file relative to this YAML file."});
scalar!(Edge, "An edge.", {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$",
    "description": "PARENT/CHILD, an edge of the catalog."});
scalar!(FileStatus, "A fact's status.", {"enum": ["verified", "attested", "claimed", "reported", "unknown"],
    "description": "verified (the lab read a primary document) > attested (an auditor or regulator states it) > claimed (the provider states it) > reported (a third party states it) > unknown."});
scalar!(Assurance, "An assurance level.", {"enum": ["verified", "attested", "claimed", "reported"]});
scalar!(ParamEntry, "A parameter.", {
"description": "A value (bool, number, string or a list of them), or {value, source, note}.",
"anyOf": [
    {"type": ["boolean", "number", "string"]},
    {"type": "array", "items": {"type": ["boolean", "number", "string"]}},
    {"type": "object", "additionalProperties": false, "required": ["value"], "properties": {
        "value": {"anyOf": [
            {"type": ["boolean", "number", "string"]},
            {"type": "array", "items": {"type": ["boolean", "number", "string"]}}]},
        "source": {"type": "string", "description": "The regulation or reasoning that sets the value."},
        "note": {"type": "string"}}}
]});
scalar!(GateEntry, "A must-have.", {
"description": "A requirement id, or {id, min, min_assurance, reason}.",
"anyOf": [
    {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$", "maxLength": 120},
    {"type": "object", "additionalProperties": false, "required": ["id"], "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$", "maxLength": 120},
        "min": {"type": "number", "minimum": 0, "maximum": 1, "description": "Minimum lower bound for `met` (default 1, a full pass)."},
        "min_assurance": {"enum": ["verified", "attested", "claimed"], "description": "Minimum status of the facts read (default claimed: a third party's report never meets a must-have alone)."},
        "reason": {"type": "string"}}}
]});
scalar!(Scalar, "A what-if value.", {"type": ["boolean", "number", "string"]});

/// The facts of an evidence or test file: key → fact. Without a vocabulary, any key and any
/// value type; [`schema`] replaces this with one typed property per vocabulary key.
#[derive(Default)]
struct Facts;

impl JsonSchema for Facts {
    fn schema_name() -> Cow<'static, str> {
        "Facts".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let covers = generator.subschema_for::<Covers>().to_value();
        let any_value = json!({"anyOf": [
            {"type": ["boolean", "number", "string"]},
            {"type": "array", "items": {"type": "string"}}]});
        Schema::from(
            json!({
                "type": "object",
                "description": "Fact key → fact: the value alone (shorthand), or {value, status, source, note, as_of, expires, covers}.",
                "propertyNames": {"pattern": ID, "maxLength": 120},
                "additionalProperties": fact_schema(&any_value, &covers),
            })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        )
    }
}

/// One fact: its value alone, or the full form with the loader's rules on status and value;
/// `covers` is the schema of its list of service kinds.
fn fact_schema(value: &Value, covers: &Value) -> Value {
    json!({"anyOf": [
        value,
        {"type": "object", "additionalProperties": false,
         "properties": {
            "value": value,
            "status": {"enum": ["verified", "attested", "claimed", "reported", "unknown"]},
            "source": {"type": "string", "pattern": ID, "description": "A source id from `sources`."},
            "note": {"type": "string"},
            "as_of": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "The date the fact holds as of."},
            "expires": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "After this date the fact counts as unknown."},
            "covers": covers,
            "history": history_schema(value)},
         "anyOf": [
            {"required": ["value"], "properties": {"status": {"enum": ["verified", "attested", "claimed", "reported"]}}},
            {"required": ["status"], "properties": {"status": {"const": "unknown"}}, "not": {"required": ["value"]}}]}
    ]})
}

/// A fact's `history`: the statements newer ones replaced, each with its value typed like the
/// fact's, who said it (`source`), as of when, and when it was superseded.
fn history_schema(value: &Value) -> Value {
    let date = json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"});
    json!({"type": "array",
        "description": "Earlier statements of the fact, oldest first: never scored, shown by `labfit diff`.",
        "items": {"type": "object", "additionalProperties": false,
            "required": ["status", "as_of", "superseded"],
            "properties": {
                "value": value,
                "status": {"enum": ["verified", "attested", "claimed", "reported", "unknown"]},
                "source": {"type": "string", "pattern": ID, "description": "Who said it: a source id from `sources`."},
                "note": {"type": "string"},
                "as_of": {"allOf": [date, {"description": "The date it held as of."}]},
                "superseded": {"allOf": [date, {"description": "The date a newer statement replaced it."}]}},
            "anyOf": [
                {"required": ["value"], "properties": {"status": {"enum": ["verified", "attested", "claimed", "reported"]}}},
                {"properties": {"status": {"const": "unknown"}}, "not": {"required": ["value"]}}]}})
}

fn typed_value(spec: &FactSpec) -> Value {
    let mut v = match spec.ty {
        FactType::Bool => json!({"type": "boolean"}),
        FactType::Percent => json!({"type": "number", "minimum": 0, "maximum": 100}),
        FactType::Number => json!({"type": "number"}),
        FactType::Integer => json!({"type": "integer"}),
        FactType::Date => json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}),
        FactType::Enum => json!({"enum": spec.values}),
        FactType::List if !spec.values.is_empty() => {
            json!({"type": "array", "items": {"enum": spec.values}})
        }
        FactType::List => json!({"type": "array", "items": {"type": "string"}}),
        FactType::Text => json!({"type": "string"}),
    };
    if let Some(o) = v.as_object_mut() {
        let unit = spec
            .unit
            .as_ref()
            .map(|u| format!(" ({u})"))
            .unwrap_or_default();
        o.insert(
            "description".into(),
            Value::String(format!("{}{unit}. Ask: {}", spec.meaning, spec.ask)),
        );
    }
    v
}

fn typed_facts(vocab: &Vocabulary) -> Value {
    let covers = service_kinds(Some(vocab), true);
    let mut props = Map::new();
    for (key, spec) in vocab.iter() {
        let mut f = fact_schema(&typed_value(spec), &covers);
        if let Some(o) = f.as_object_mut() {
            o.insert(
                "description".into(),
                Value::String(format!("{} ({}, {})", spec.meaning, spec.ty, spec.question)),
            );
        }
        props.insert(key.to_owned(), f);
    }
    json!({
        "type": "object",
        "description": "Fact key → fact: the value alone (shorthand), or {value, status, source, note, as_of, expires, covers}. Keys come from the vocabulary (`labfit list facts`).",
        "properties": props,
        "additionalProperties": false,
    })
}

// ------------------------------------------------------------------ vocabulary/v1

/// A fact vocabulary: every fact key rules may read.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = service_names)]
struct VocabularyFile {
    labfit: VocabularyKind,
    /// Fact key → what it is.
    facts: BTreeMap<String, VocabFact>,
    /// Kind of service → what it includes: the kinds a fact can cover and a lab can use.
    #[serde(default)]
    services: BTreeMap<String, VocabService>,
}

fn service_names(s: &mut Schema) {
    if let Some(o) = s
        .get_mut("properties")
        .and_then(|p| p.get_mut("services"))
        .and_then(Value::as_object_mut)
    {
        o.insert(
            "propertyNames".into(),
            json!({"pattern": ID, "maxLength": 120}),
        );
    }
}

/// A parameter vocabulary: every parameter rules may read, with its default.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct ParametersFile {
    labfit: ParametersKind,
    /// Parameter name (snake_case) → its declaration.
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z][a-z0-9_]*$", "maxLength": 120}))]
    params: BTreeMap<String, ParamDecl>,
}

/// One declared parameter.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[expect(
    dead_code,
    reason = "a schema model: fields are read by schemars, never by code"
)]
struct ParamDecl {
    /// The value's type.
    #[serde(rename = "type")]
    ty: crate::profile::params::ParamType,
    /// Unit for numbers (`years`, `hours`, `%`).
    #[serde(default)]
    unit: Option<String>,
    /// The allowed values of an enum (and of a list's items, when given).
    #[serde(default)]
    values: Vec<String>,
    /// One line: what the parameter means.
    meaning: String,
    /// The value a profile that does not set it gets (of the declared type).
    default: serde_json::Value,
    /// Where the default comes from: a citation, or "labfit default" with the reasoning.
    #[schemars(length(min = 1))]
    source: String,
}

/// A kind of service.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct VocabService {
    /// One line: what the kind includes.
    meaning: String,
    /// True for the kinds a profile uses when it names none.
    #[serde(default)]
    default: bool,
}

/// What one fact key means.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = enum_needs_values)]
struct VocabFact {
    /// The value's type.
    #[serde(rename = "type")]
    ty: FactType,
    /// Unit of a number or integer (`days`, `years`).
    #[serde(default)]
    unit: Option<String>,
    /// The allowed values of an enum, or of a list's items (only for `type: enum` and
    /// `type: list`).
    #[serde(default)]
    values: Vec<String>,
    /// One line: what the fact means.
    meaning: String,
    /// The guide question it answers.
    question: QuestionId,
    /// The question to send the provider when the fact is unknown.
    ask: String,
    /// The document that establishes the fact better than the provider's word, asked for
    /// with the answer ("the current SOC 2 Type II report").
    #[serde(default)]
    document: Option<String>,
    /// How long a fact of this kind stays valid after its date, in months (an attestation
    /// expires even without `expires`).
    #[serde(default)]
    valid_months: Option<u32>,
    /// Context for a reader, read by no rule.
    #[serde(default)]
    informational: bool,
}

fn enum_needs_values(s: &mut Schema) {
    s.insert(
        "if".into(),
        json!({"properties": {"type": {"const": "enum"}}, "required": ["type"]}),
    );
    s.insert(
        "then".into(),
        json!({"required": ["values"], "properties": {"values": {"minItems": 1}}}),
    );
    // A list may name the values its items take (the country codes); no other type has any.
    s.insert(
        "else".into(),
        json!({"anyOf": [
            {"properties": {"type": {"const": "list"}}},
            {"not": {"required": ["values"]}}
        ]}),
    );
}

// ------------------------------------------------------------------ catalog/v1

/// A requirement catalog: nodes of the requirement graph and their edges.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    labfit: CatalogKind,
    /// The requirements.
    requirements: Vec<CatalogRequirement>,
}

/// A requirement: a leaf (`check`) or a composite (`children`), never both.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = leaf_or_composite)]
struct CatalogRequirement {
    /// Unique id across every catalog.
    id: Id,
    /// One line.
    title: String,
    /// The regulation's section, e.g. `45 CFR 164.314(a)`.
    #[serde(default)]
    citation: Option<String>,
    /// Where the requirement was read.
    #[serde(default)]
    url: Option<String>,
    /// Longer text.
    #[serde(default)]
    description: Option<String>,
    /// Guide questions it answers.
    #[serde(default)]
    questions: Vec<QuestionId>,
    /// How bad it is when unmet (default medium).
    #[serde(default)]
    severity: crate::graph::catalog::Severity,
    /// How well its source text was checked.
    #[serde(default)]
    verification: Option<crate::graph::catalog::Verification>,
    /// How a composite combines its children (default weighted).
    #[serde(default)]
    aggregate: Option<crate::graph::catalog::Aggregate>,
    /// Child id → edge weight.
    #[serde(default)]
    children: Option<BTreeMap<String, Weight>>,
    /// A leaf's check.
    #[serde(default)]
    check: Option<CheckRef>,
}

fn leaf_or_composite(s: &mut Schema) {
    s.insert(
        "oneOf".into(),
        json!([
            {"required": ["check"], "not": {"anyOf": [{"required": ["children"]}, {"required": ["aggregate"]}]}},
            {"required": ["children"], "not": {"required": ["check"]},
             "properties": {"children": {"minProperties": 1, "propertyNames": {"pattern": ID, "maxLength": 120}}}}
        ]),
    );
}

// ------------------------------------------------------------------ profile/v1

/// A lab profile.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = profile_names)]
struct ProfileFile {
    labfit: ProfileKind,
    /// The profile's id.
    id: Id,
    /// One line.
    #[serde(default)]
    title: Option<String>,
    /// Longer text.
    #[serde(default)]
    description: Option<String>,
    /// A built-in profile id, or a path relative to this file.
    #[serde(default)]
    extends: Option<String>,
    /// Root frameworks and their weights (0 removes one the parent profile has), or
    /// `{judgements: …}`: pairwise judgements on them (docs/weights.md).
    #[serde(default)]
    frameworks: Frameworks,
    /// Parameters the rules read.
    #[serde(default)]
    params: BTreeMap<String, ParamEntry>,
    /// Must-haves (gates).
    #[serde(default)]
    must_have: Vec<GateEntry>,
    /// Edge weight overrides: `PARENT/CHILD` → weight; or `PARENT` → `{judgements: …}`, the
    /// weights of all of PARENT's children as pairwise judgements.
    #[serde(default)]
    weights: EdgeWeights,
    /// Requirements excluded until a date.
    #[serde(default)]
    waivers: Vec<WaiverEntry>,
    /// Facts older than this many days count as unknown.
    #[serde(default)]
    max_evidence_age_days: Option<u32>,
    /// Score bands (default strong 80, moderate 60).
    #[serde(default)]
    bands: Option<crate::profile::Bands>,
    /// The kinds of service the lab will use (default: the vocabulary's defaults).
    #[serde(default)]
    services: Option<ServiceKinds>,
    /// How far each status is believed (labfit's defaults: 1, 0.9, 0.75, 0.5).
    #[serde(default)]
    assurance: Option<AssuranceEntry>,
    /// How judgements become weights: the random index table, the completion of pairs
    /// nobody judged, and how inconsistent a set may be.
    #[serde(default)]
    ahp: Option<AhpEntry>,
    /// Free text shown in reports.
    #[serde(default)]
    notes: Vec<String>,
}

/// `ahp:` in a profile.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct AhpEntry {
    /// The random index table for the consistency ratio (default saaty-1980).
    #[serde(default)]
    random_index: Option<RandomIndexName>,
    /// How pairs nobody judged are filled in (default harker-1987).
    #[serde(default)]
    completion: Option<CompletionName>,
    /// The largest consistency ratio accepted (default 0.10; above 0.10 reports warn).
    #[serde(default)]
    max_cr: Option<UnitNum>,
    /// Accept any consistency ratio, with a warning.
    #[serde(default)]
    allow_inconsistent: Option<bool>,
}

scalar!(RandomIndexName, "A random index table.", {"enum": ["saaty-1980", "alonso-lamata-2006"]});
scalar!(CompletionName, "A completion method.", {"enum": ["harker-1987", "bozoki-fulop-ronyai-2010"]});

/// A judgement `[A, B, VALUE]`: A is VALUE times as important as B.
fn judgement_schema() -> Value {
    json!({
        "type": "array",
        "minItems": 3,
        "maxItems": 3,
        "prefixItems": [
            {"type": "string", "pattern": ID, "maxLength": 120},
            {"type": "string", "pattern": ID, "maxLength": 120},
            {"oneOf": [
                {"type": "number", "minimum": 1.0 / 9.0 - 1e-9, "maximum": 9.0},
                {"type": "string", "pattern": "^\\s*[0-9.]+\\s*(/\\s*[0-9.]+\\s*)?$"}
            ]}
        ],
        "description": "[A, B, VALUE]: A is VALUE times as important as B, on Saaty's scale 1/9..9 (1 equal, 3 moderately, 5 strongly, 7 very strongly, 9 extremely; 1/3 … 1/9 the other way round)."
    })
}

/// A list of judgements, or each committee member's list.
fn judgement_set_schema() -> Value {
    let list = json!({"type": "array", "minItems": 1, "items": judgement_schema()});
    json!({"oneOf": [
        list,
        {"type": "object", "minProperties": 1, "propertyNames": {"pattern": ID}, "additionalProperties": list,
         "description": "Each member's judgements, combined by the geometric mean."}
    ]})
}

/// `frameworks:`: weights, or judgements.
#[derive(Default)]
struct Frameworks;

impl JsonSchema for Frameworks {
    fn schema_name() -> Cow<'static, str> {
        "Frameworks".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let v = json!({"oneOf": [
            {"type": "object",
             "propertyNames": {"pattern": ID, "maxLength": 120, "not": {"const": "judgements"}},
             "additionalProperties": {"type": "number", "minimum": 0}},
            {"type": "object", "required": ["judgements"], "additionalProperties": false,
             "properties": {"judgements": judgement_set_schema()}}
        ]});
        Schema::from(v.as_object().cloned().unwrap_or_default())
    }
}

/// `weights:`: edges, or a requirement's children as judgements.
#[derive(Default)]
struct EdgeWeights;

impl JsonSchema for EdgeWeights {
    fn schema_name() -> Cow<'static, str> {
        "EdgeWeights".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let v = json!({
            "type": "object",
            "patternProperties": {
                "^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$": {"type": "number", "minimum": 0},
                ID: {"type": "object", "required": ["judgements"], "additionalProperties": false,
                     "properties": {"judgements": judgement_set_schema()}}
            },
            "additionalProperties": false
        });
        Schema::from(v.as_object().cloned().unwrap_or_default())
    }
}

/// The credibility of each known status, from 0 to 1, never higher for a weaker one.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct AssuranceEntry {
    /// The lab checked a primary document (and `--assume` answers).
    #[serde(default)]
    verified: Option<UnitNum>,
    /// An independent auditor or a regulator states it.
    #[serde(default)]
    attested: Option<UnitNum>,
    /// The provider states it.
    #[serde(default)]
    claimed: Option<UnitNum>,
    /// A third party states it.
    #[serde(default)]
    reported: Option<UnitNum>,
}

fn profile_names(s: &mut Schema) {
    if let Some(props) = s.get_mut("properties").and_then(Value::as_object_mut) {
        let names = [(
            "params",
            json!({"pattern": "^[a-z][a-z0-9_]*$", "maxLength": 120}),
        )];
        for (field, pattern) in names {
            if let Some(o) = props.get_mut(field).and_then(Value::as_object_mut) {
                o.insert("propertyNames".into(), pattern);
            }
        }
    }
}

/// A waiver: the requirement is excluded until `expires`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct WaiverEntry {
    /// The requirement waived.
    id: Id,
    /// Why.
    reason: String,
    /// Who approved it.
    approved_by: String,
    /// Last day it applies.
    expires: DateStr,
}

// ------------------------------------------------------------------ evidence/v1

/// One provider's evidence.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = source_names)]
struct EvidenceFile {
    labfit: EvidenceKind,
    /// Stable id (for built-in evidence, the file name).
    id: Id,
    /// Display name.
    provider: String,
    /// When the research was done (the default date of every fact).
    as_of: DateStr,
    /// The status of facts written in shorthand (default claimed).
    #[serde(default)]
    default_status: Option<Assurance>,
    /// Source id → document.
    #[serde(default)]
    sources: BTreeMap<String, EvidenceSource>,
    /// The facts.
    #[serde(default)]
    facts: Facts,
    /// Free text.
    #[serde(default)]
    notes: Vec<String>,
}

fn source_names(s: &mut Schema) {
    if let Some(o) = s
        .get_mut("properties")
        .and_then(|p| p.get_mut("sources"))
        .and_then(Value::as_object_mut)
    {
        o.insert(
            "propertyNames".into(),
            json!({"pattern": ID, "maxLength": 120}),
        );
    }
}

/// A document facts cite.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct EvidenceSource {
    /// A short title.
    #[serde(default)]
    title: Option<String>,
    /// Its address.
    #[serde(default)]
    url: Option<String>,
    /// The date the document states (the default date of the facts citing it).
    #[serde(default)]
    date: Option<DateStr>,
    /// The SHA-256 of the file, for a source labfit read itself (an imported questionnaire).
    #[serde(default)]
    sha256: Option<Sha256>,
}

// ------------------------------------------------------------------ mapping/v1

/// A questionnaire mapping: which questions of a published questionnaire answer which facts.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    labfit: MappingKind,
    /// The questionnaire it reads (`CSA CAIQ v4.0.x`).
    title: String,
    /// Where the answers are: `caiq`, `hecvat`, or a table's headers.
    layout: MappingLayout,
    /// Where the question ids (and what they ask) were read.
    #[serde(default)]
    source: Option<String>,
    /// Facts the questionnaire itself establishes once a provider hands it over: key → value.
    #[serde(default)]
    establishes: BTreeMap<String, Scalar>,
    /// Question id → what it answers.
    questions: BTreeMap<String, MappingEntry>,
}

scalar!(MappingLayout, "Where the answers are.", {
"description": "`caiq` (the CSA CAIQ v4.0.x workbook), `hecvat` (a HECVAT 3.x vendor response), or a table: {sheet, id, answer, note}, the headers of its question-id, answer and note columns.",
"anyOf": [
    {"enum": ["caiq", "hecvat"]},
    {"type": "object", "additionalProperties": false, "required": ["id", "answer"], "properties": {
        "sheet": {"type": "string", "description": "The sheet's name (default: the first)."},
        "id": {"type": "string", "description": "The header of the question-id column."},
        "answer": {"type": "string", "description": "The header of the answer column."},
        "note": {"type": "string", "description": "The header of a column whose text becomes the fact's note."}}}
]});

/// What one question answers.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct MappingEntry {
    /// What the question asks, in the mapping author's words (never the questionnaire's text).
    about: String,
    /// The facts its answer sets.
    #[schemars(length(min = 1))]
    sets: Vec<MappingTarget>,
}

scalar!(MappingTarget, "A fact a question's answer sets.", {
"description": "A fact key (a bool fact is true for Yes and false for No, a text fact takes the answer's text), or {fact, yes, no}: the values a Yes and a No give.",
"anyOf": [
    {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$", "maxLength": 120},
    {"type": "object", "additionalProperties": false, "required": ["fact"], "properties": {
        "fact": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$", "maxLength": 120},
        "yes": {"description": "The value a Yes gives.", "anyOf": [{"type": ["boolean", "number", "string"]}, {"type": "array", "items": {"type": "string"}}]},
        "no": {"description": "The value a No gives.", "anyOf": [{"type": ["boolean", "number", "string"]}, {"type": "array", "items": {"type": "string"}}]}}}
]});

// ------------------------------------------------------------------ rule-tests/v1

/// Rule tests: rule cases and profile cases, run by `labfit test`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct TestFile {
    labfit: TestsKind,
    /// The cases.
    cases: Vec<TestCase>,
}

/// A rule case (`requirement`, `facts`, `params` → outcome) or a profile case (`profile`,
/// `evidence`, `assume` → verdict, gates, scores).
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct TestCase {
    /// Shown when the case fails.
    name: String,
    /// Rule case: the leaf requirement whose check runs.
    #[serde(default)]
    requirement: Option<Id>,
    /// Rule case: the facts (shorthand values are `claimed`).
    #[serde(default)]
    facts: Option<Facts>,
    /// Rule case: the parameters the check reads.
    #[serde(default)]
    params: Option<BTreeMap<String, ParamEntry>>,
    /// Profile case: a built-in profile id or a path relative to this file.
    #[serde(default)]
    profile: Option<String>,
    /// Profile case: a built-in provider id or a path relative to this file.
    #[serde(default)]
    evidence: Option<String>,
    /// Profile case: what-if facts.
    #[serde(default)]
    assume: Option<BTreeMap<String, Scalar>>,
    /// The evaluation date (rule cases default to 2026-01-01, profile cases to the evidence's).
    #[serde(default)]
    as_of: Option<DateStr>,
    /// What the case expects.
    expect: TestExpect,
}

/// Expectations: status, value and note_contains for rule cases; verdict, gates, fit and
/// potential for profile cases.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct TestExpect {
    /// The outcome.
    #[serde(default)]
    status: Option<crate::rules::OutcomeStatus>,
    /// The credit, within 1e-9 (pass is 1, fail 0).
    #[serde(default)]
    value: Option<f64>,
    /// A substring of the note.
    #[serde(default)]
    note_contains: Option<String>,
    /// The verdict.
    #[serde(default)]
    verdict: Option<crate::report::Verdict>,
    /// Must-have id → met, open or failed.
    #[serde(default)]
    gates: Option<BTreeMap<String, crate::report::GateState>>,
    /// Inclusive range of the fit score.
    #[serde(default)]
    fit: Option<[f64; 2]>,
    /// Inclusive range of the potential.
    #[serde(default)]
    potential: Option<[f64; 2]>,
}
