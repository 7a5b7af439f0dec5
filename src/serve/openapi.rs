//! `GET /openapi.json`: the service described in OpenAPI 3.1, built from [`ROUTES`] (a test
//! checks that the router answers every path and method here, and no other). The report's
//! schema is labfit's own (`labfit schema report`), moved under `components`.

use serde_json::{json, Map, Value};

use crate::authoring::schema::{schema, SchemaKind};

use super::{Endpoint, ROUTES};

/// What each endpoint is, for the document.
fn describe(ep: Endpoint) -> (&'static str, &'static str, Option<&'static str>, Value) {
    let doc = |s: &str| json!({"$ref": format!("#/components/schemas/{s}")});
    let any = json!({"type": "object"});
    let list = json!({"type": "array", "items": {"type": "object"}});
    match ep {
        Endpoint::Score => ("score", "One provider against one profile: the report labfit score --format json writes (report/v1)", Some("ScoreRequest"), doc("Report")),
        Endpoint::Compare => ("compare", "Rank providers under one profile: what labfit compare --format json --full writes (comparison/v1, with every report)", Some("CompareRequest"), any),
        Endpoint::Questions => ("questions", "The questions to send one provider: what labfit questions --format json writes (questions/v1)", Some("ScoreRequest"), any),
        Endpoint::Explain => ("explain", "Why a provider scores what it does: what labfit explain --format json writes", Some("ExplainRequest"), any),
        Endpoint::Profiles => ("profiles", "The built-in profiles: labfit list profiles --format json", None, list),
        Endpoint::Providers => ("providers", "The built-in providers: labfit list providers --format json", None, list),
        Endpoint::Requirements => ("requirements", "Every requirement of the graph: labfit list requirements --format json", None, list),
        Endpoint::Facts => ("facts", "The fact vocabulary: labfit list facts --format json", None, list),
        Endpoint::Params => ("params", "The parameters rules read: labfit list params --format json", None, list),
        Endpoint::Health => ("healthz", "Whether the service is up, and labfit's version", None, any),
        Endpoint::OpenApi => ("openapi", "This document", None, any),
    }
}

fn operation(ep: Endpoint) -> Value {
    let (id, summary, request, response) = describe(ep);
    let error = |what: &str| json!({"description": what, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let mut responses = Map::new();
    responses.insert(
        "200".into(),
        json!({"description": summary, "content": {"application/json": {"schema": response}}}),
    );
    let mut op = json!({"operationId": id, "summary": summary});
    if let (Some(req), Some(o)) = (request, op.as_object_mut()) {
        o.insert(
            "requestBody".into(),
            json!({
                "required": true,
                "content": {
                    "application/json": {"schema": {"$ref": format!("#/components/schemas/{req}")}},
                    "application/yaml": {"schema": {"$ref": format!("#/components/schemas/{req}")}},
                },
            }),
        );
        for (code, what) in [
            ("400", "The body does not parse, or a field is wrong (with its line and column)"),
            ("404", "An id names no built-in profile, provider or requirement (the hint has the nearest)"),
            ("413", "The body is over the limit"),
            ("415", "The content type is neither JSON nor YAML"),
            ("422", "A document parses but is not valid (with its line and column in the body)"),
            ("503", "As many evaluations are running as the service allows; retry"),
        ] {
            responses.insert(code.into(), error(what));
        }
    }
    if let Some(o) = op.as_object_mut() {
        o.insert("responses".into(), Value::Object(responses));
    }
    op
}

/// The request and error schemas, written here.
fn own_schemas() -> Map<String, Value> {
    let profile = json!({"description": "A built-in profile id, or a profile document (labfit: profile/v1; extends may name only built-in profiles)", "oneOf": [{"type": "string"}, {"type": "object"}]});
    let evidence = json!({"description": "A built-in provider id, or an evidence document (labfit: evidence/v1)", "oneOf": [{"type": "string"}, {"type": "object"}]});
    let as_of = json!({"type": "string", "format": "date", "description": "Evaluation date (default today)"});
    let assume = json!({"type": "object", "description": "What-if facts, as --assume KEY=VALUE", "additionalProperties": {"oneOf": [{"type": "boolean"}, {"type": "number"}, {"type": "string"}, {"type": "array", "items": {"type": "string"}}]}});
    let mut m = Map::new();
    m.insert("ScoreRequest".into(), json!({
        "type": "object", "additionalProperties": false, "required": ["profile", "evidence"],
        "properties": {"profile": profile, "evidence": evidence, "as_of": as_of, "assume": assume},
    }));
    m.insert("ExplainRequest".into(), json!({
        "type": "object", "additionalProperties": false, "required": ["profile", "evidence"],
        "properties": {"profile": profile, "evidence": evidence, "requirement": {"type": "string", "description": "Show only the tree under this requirement"}, "as_of": as_of, "assume": assume},
    }));
    m.insert("CompareRequest".into(), json!({
        "type": "object", "additionalProperties": false, "required": ["profile"],
        "properties": {
            "profile": profile,
            "evidence": {"type": "array", "items": evidence, "description": "Providers to rank (default: every built-in provider)"},
            "builtin": {"type": "boolean", "description": "Rank every built-in provider too (a document for a built-in provider replaces it)"},
            "as_of": as_of, "assume": assume,
        },
    }));
    m.insert("Error".into(), json!({
        "type": "object", "required": ["code", "message", "errors"],
        "properties": {
            "code": {"type": "string", "description": "bad-request, unknown-profile, unknown-provider, unknown-requirement, unknown-route, method-not-allowed, too-large, unsupported-media-type, invalid-document, busy"},
            "message": {"type": "string"},
            "errors": {"type": "array", "items": {
                "type": "object", "required": ["message"],
                "properties": {
                    "message": {"type": "string"},
                    "location": {"type": "object", "required": ["line", "col"], "properties": {"line": {"type": "integer", "minimum": 1}, "col": {"type": "integer", "minimum": 1}}, "description": "Where in the body"},
                    "hint": {"type": "string"},
                },
            }},
        },
    }));
    m
}

/// Rewrites `#/$defs/X` references to `#/components/schemas/X`.
fn rebase(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get_mut("$ref") {
                if let Some(name) = r.strip_prefix("#/$defs/") {
                    *r = format!("#/components/schemas/{name}");
                }
            }
            m.values_mut().for_each(rebase);
        }
        Value::Array(a) => a.iter_mut().for_each(rebase),
        _ => {}
    }
}

/// The OpenAPI 3.1 document, as pretty JSON.
pub fn document() -> String {
    let mut schemas = own_schemas();
    let mut report = schema(SchemaKind::Report, None);
    rebase(&mut report);
    if let Some(r) = report.as_object_mut() {
        if let Some(Value::Object(defs)) = r.remove("$defs") {
            for (k, v) in defs {
                schemas.entry(k).or_insert(v);
            }
        }
        r.remove("$schema");
    }
    schemas.insert("Report".into(), report);
    let mut paths = Map::new();
    for &(method, path, ep) in ROUTES {
        let item = paths
            .entry(path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(item) = item.as_object_mut() {
            item.insert(method.to_ascii_lowercase(), operation(ep));
        }
    }
    crate::render::json::value(&json!({
        "openapi": "3.1.0",
        "info": {
            "title": "labfit",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Scores how well a cloud provider fits a laboratory's regulatory profile. Each endpoint returns what the CLI's JSON output is for the same inputs. Profiles and evidence are built-in ids or documents in the body (JSON, or YAML with Content-Type: application/yaml); rules are compiled when the service starts. A rule error is not an HTTP error: the report carries it.",
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }))
}
