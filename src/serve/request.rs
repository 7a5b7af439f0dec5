//! Reading a request body into a request: JSON (read by serde_json) or YAML, into the same
//! requests, with every problem at its line and column of the body.
//!
//! A profile or evidence is an id (a string) or a document (a map). A document is cut out of
//! the body as its own file (`input/excerpt.rs`) named by where it is (`body#/evidence`,
//! `body#/evidence/2`), and read by labfit's one document reader, the YAML reader, JSON being
//! its flow style: so a document reads exactly as the same text in a file does for the CLI
//! (same checks, same messages, same hash), while its diagnostics point into the body. Rules
//! are never taken from a request: they are compiled when the service starts.

use std::collections::BTreeMap;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::input::date::Date;
use crate::input::error::did_you_mean;
use crate::input::excerpt::{self, Step};
use crate::input::source::{Location, SourceFile};
use crate::input::yaml;

use super::error::ApiError;

/// How the body is written, from its `Content-Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `application/json` (or no content type).
    Json,
    /// `application/yaml` (also `application/x-yaml`, `text/yaml`).
    Yaml,
}

/// A profile or evidence as a request gives it.
#[derive(Clone, Debug)]
pub enum Doc {
    /// A built-in (or `--rules` pack) id.
    Id(String),
    /// A document sent in the body.
    Document(SourceFile),
}

/// What every scoring request may add: the evaluation date and what-if values, each as
/// `KEY=VALUE`, as the CLI's `--assume` takes them.
#[derive(Clone, Debug, Default)]
pub struct Eval {
    /// `as_of`.
    pub as_of: Option<Date>,
    /// `assume`, as `KEY=VALUE`.
    pub assume: Vec<String>,
}

/// `POST /v1/score`, `/v1/questions` and `/v1/explain`.
#[derive(Clone, Debug)]
pub struct One {
    /// The profile.
    pub profile: Doc,
    /// The evidence.
    pub evidence: Doc,
    /// Date and assumptions.
    pub eval: Eval,
    /// For explain: the requirement to show the tree under.
    pub requirement: Option<String>,
}

/// `POST /v1/compare`.
#[derive(Clone, Debug)]
pub struct Many {
    /// The profile.
    pub profile: Doc,
    /// The providers (none: every built-in one).
    pub evidence: Vec<Doc>,
    /// Every built-in provider too.
    pub builtin: bool,
    /// Date and assumptions.
    pub eval: Eval,
}

/// The fields of each kind of request.
pub const ONE: &[&str] = &["profile", "evidence", "as_of", "assume"];
/// The fields of an explain request.
pub const EXPLAIN: &[&str] = &["profile", "evidence", "requirement", "as_of", "assume"];
/// The fields of a compare request.
pub const MANY: &[&str] = &["profile", "evidence", "builtin", "as_of", "assume"];

/// A value of the body and where it is.
enum Node<'b> {
    Json {
        raw: &'b RawValue,
        body: &'b SourceFile,
    },
    Yaml {
        value: yaml_serde::Value,
        path: Vec<Key>,
        body: &'b SourceFile,
    },
}

/// An owned [`Step`].
#[derive(Clone)]
enum Key {
    Name(String),
    Index(usize),
}

/// How a JSON map and list start (named, so that no brace stands alone in a function).
const OPEN_MAP: char = '{';
const OPEN_LIST: char = '[';

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Map,
    List,
    Text,
    Scalar,
    Null,
}

impl<'b> Node<'b> {
    fn at(&self) -> Location {
        match self {
            Node::Json { raw, body } => {
                let offset = raw
                    .get()
                    .as_ptr()
                    .addr()
                    .saturating_sub(body.text().as_ptr().addr());
                body.location_at(offset)
            }
            Node::Yaml { path, body, .. } => excerpt::value_start(body.text(), &steps(path))
                .map_or_else(|| body.location(1, 1), |(l, c)| body.location(l, c)),
        }
    }

    fn kind(&self) -> Kind {
        match self {
            Node::Json { raw, .. } => match raw.get().trim_start().chars().next() {
                Some(OPEN_MAP) => Kind::Map,
                Some(OPEN_LIST) => Kind::List,
                Some('"') => Kind::Text,
                Some('n') => Kind::Null,
                _ => Kind::Scalar,
            },
            Node::Yaml { value, .. } => match value {
                yaml_serde::Value::Mapping(_) => Kind::Map,
                yaml_serde::Value::Sequence(_) => Kind::List,
                yaml_serde::Value::String(_) => Kind::Text,
                yaml_serde::Value::Null => Kind::Null,
                _ => Kind::Scalar,
            },
        }
    }

    /// A string, bool or number as text (a number as written).
    fn text(&self) -> Option<String> {
        match self {
            Node::Json { raw, .. } => match self.kind() {
                Kind::Text => serde_json::from_str::<String>(raw.get()).ok(),
                Kind::Scalar => Some(raw.get().trim().to_owned()),
                _ => None,
            },
            Node::Yaml { value, .. } => match value {
                yaml_serde::Value::String(s) => Some(s.clone()),
                yaml_serde::Value::Bool(b) => Some(b.to_string()),
                yaml_serde::Value::Number(n) => Some(n.to_string()),
                _ => None,
            },
        }
    }

    /// A map's entries, in order.
    fn entries(&self) -> Result<Vec<(String, Node<'b>)>, ApiError> {
        match self {
            Node::Json { raw, body } => {
                let Entries(list) = serde_json::from_str::<Entries<'b>>(raw.get())
                    .map_err(|e| json_error(body, &e))?;
                let mut seen: Vec<String> = Vec::new();
                let mut out = Vec::new();
                for (k, raw) in list {
                    let node = Node::Json { raw, body };
                    if seen.contains(&k) {
                        return Err(ApiError::syntax(&invalid(
                            node.at(),
                            format!("duplicate key `{k}`"),
                            "each key may appear once in a map",
                        )));
                    }
                    seen.push(k.clone());
                    out.push((k, node));
                }
                Ok(out)
            }
            Node::Yaml { value, path, body } => {
                let yaml_serde::Value::Mapping(m) = value else {
                    return Ok(Vec::new());
                };
                let mut out = Vec::new();
                for (k, v) in m {
                    let Some(k) = k.as_str() else {
                        return Err(ApiError::syntax(&invalid(
                            self.at(),
                            "a key that is not a string",
                            "the keys of a request are field names",
                        )));
                    };
                    let mut p = path.clone();
                    p.push(Key::Name(k.to_owned()));
                    out.push((
                        k.to_owned(),
                        Node::Yaml {
                            value: v.clone(),
                            path: p,
                            body,
                        },
                    ));
                }
                Ok(out)
            }
        }
    }

    /// A list's items.
    fn items(&self) -> Result<Vec<Node<'b>>, ApiError> {
        match self {
            Node::Json { raw, body } => {
                let list = serde_json::from_str::<Vec<&'b RawValue>>(raw.get())
                    .map_err(|e| json_error(body, &e))?;
                Ok(list
                    .into_iter()
                    .map(|raw| Node::Json { raw, body })
                    .collect())
            }
            Node::Yaml { value, path, body } => Ok(match value {
                yaml_serde::Value::Sequence(s) => s
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let mut p = path.clone();
                        p.push(Key::Index(i));
                        Node::Yaml {
                            value: v.clone(),
                            path: p,
                            body,
                        }
                    })
                    .collect(),
                _ => Vec::new(),
            }),
        }
    }

    /// The map as a document named `name`.
    fn document(&self, name: &str) -> Result<SourceFile, ApiError> {
        match self {
            Node::Json { raw, body } => excerpt::json(name, body, raw.get()),
            Node::Yaml { path, body, .. } => excerpt::yaml(name, body, &steps(path)),
        }
        .map_err(|e| ApiError::syntax(&e))
    }
}

fn steps(path: &[Key]) -> Vec<Step<'_>> {
    path.iter()
        .map(|k| match k {
            Key::Name(n) => Step::Key(n),
            Key::Index(i) => Step::Index(*i),
        })
        .collect()
}

fn invalid(
    at: Location,
    message: impl Into<String>,
    hint: &str,
) -> crate::input::error::InputError {
    crate::input::error::InputError::invalid(at, message, Some(hint.to_owned()))
}

/// A JSON map's entries in order, duplicates kept (the caller refuses them with a position).
struct Entries<'b>(Vec<(String, &'b RawValue)>);

impl<'de: 'b, 'b> Deserialize<'de> for Entries<'b> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'b>(std::marker::PhantomData<&'b ()>);
        impl<'de: 'b, 'b> Visitor<'de> for V<'b> {
            type Value = Entries<'b>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Entries<'b>, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = m.next_key::<String>()? {
                    out.push((k, m.next_value::<&'b RawValue>()?));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A serde_json error at its line and column (in characters) of the body.
fn json_error(body: &SourceFile, e: &serde_json::Error) -> ApiError {
    let line = e.line().max(1);
    let byte_col = e.column().max(1);
    let col = body.text().lines().nth(line - 1).map_or(byte_col, |l| {
        l.get(..byte_col.saturating_sub(1).min(l.len()))
            .map_or(byte_col, |p| p.chars().count() + 1)
    });
    let text = e.to_string();
    let message = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(m, _)| m)
        .to_owned();
    ApiError::syntax(&invalid(
        body.location(line, col),
        message,
        "the body is a JSON object; see GET /openapi.json for the fields",
    ))
}

/// The body's top-level map, by field, refusing fields the endpoint does not take.
fn fields<'b>(root: &Node<'b>, allowed: &[&str]) -> Result<BTreeMap<String, Node<'b>>, ApiError> {
    if root.kind() != Kind::Map {
        return Err(ApiError::syntax(&invalid(
            root.at(),
            "the body is not a map of fields",
            "send an object such as {\"profile\": \"base-lab\", \"evidence\": \"aws\"}",
        )));
    }
    let mut out = BTreeMap::new();
    for (k, v) in root.entries()? {
        if !allowed.contains(&k.as_str()) {
            let hint = if k == "rules" {
                "rules are compiled when the service starts (`labfit serve --rules DIR`); a request sends a profile and evidence, never rules".to_owned()
            } else {
                did_you_mean(&k, allowed.iter().copied())
                    .unwrap_or_else(|| format!("the fields are: {}", allowed.join(", ")))
            };
            return Err(ApiError::syntax(&crate::input::error::InputError::invalid(
                v.at(),
                format!("unknown field `{k}`"),
                Some(hint),
            )));
        }
        out.insert(k, v);
    }
    Ok(out)
}

/// Parses the body (checking its syntax as a whole first) and hands its root to `f`.
fn with_root<T>(
    body: &SourceFile,
    format: Format,
    f: impl FnOnce(Node<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    match format {
        Format::Json => {
            let raw =
                serde_json::from_str::<&RawValue>(body.text()).map_err(|e| json_error(body, &e))?;
            f(Node::Json { raw, body })
        }
        Format::Yaml => {
            let value: yaml_serde::Value =
                yaml::parse_plain(body).map_err(|e| ApiError::syntax(&e))?;
            f(Node::Yaml {
                value,
                path: Vec::new(),
                body,
            })
        }
    }
}

/// A profile or evidence field: an id or a document.
fn doc(node: &Node<'_>, field: &str, name: &str, what: &str) -> Result<Doc, ApiError> {
    match node.kind() {
        Kind::Text => Ok(Doc::Id(node.text().unwrap_or_default())),
        Kind::Map => Ok(Doc::Document(node.document(name)?)),
        _ => Err(ApiError::syntax(&invalid(
            node.at(),
            format!("`{field}` is neither an id nor a document"),
            &format!(
                "give a built-in {what} id as a string, or the {what} document itself as a map"
            ),
        ))),
    }
}

fn required<'n, 'b>(
    f: &'n BTreeMap<String, Node<'b>>,
    field: &str,
    root: &Node<'_>,
) -> Result<&'n Node<'b>, ApiError> {
    f.get(field).ok_or_else(|| {
        ApiError::syntax(&invalid(
            root.at(),
            format!("missing field `{field}`"),
            "see GET /openapi.json for the fields of each endpoint",
        ))
    })
}

fn eval(f: &BTreeMap<String, Node<'_>>) -> Result<Eval, ApiError> {
    let as_of = match f.get("as_of") {
        None => None,
        Some(n) => {
            let text = n.text().filter(|_| n.kind() == Kind::Text);
            Some(
                text.as_deref()
                    .unwrap_or_default()
                    .parse::<Date>()
                    .map_err(|e| {
                        ApiError::syntax(&invalid(
                            n.at(),
                            format!("`as_of`: {e}"),
                            "write dates as YYYY-MM-DD",
                        ))
                    })?,
            )
        }
    };
    let mut assume = Vec::new();
    if let Some(n) = f.get("assume") {
        if n.kind() != Kind::Map {
            return Err(ApiError::syntax(&invalid(
                n.at(),
                "`assume` is not a map",
                "write what-if facts as {\"contract.baa\": true}",
            )));
        }
        for (k, v) in n.entries()? {
            let value = match v.kind() {
                Kind::List => v
                    .items()?
                    .iter()
                    .map(|i| i.text().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(","),
                Kind::Text | Kind::Scalar => v.text().unwrap_or_default(),
                Kind::Map | Kind::Null => {
                    return Err(ApiError::syntax(&invalid(
                        v.at(),
                        format!("`assume`: `{k}` needs a value"),
                        "a what-if value is a bool, a number, a string or a list of strings",
                    )))
                }
            };
            assume.push(format!("{k}={value}"));
        }
    }
    Ok(Eval { as_of, assume })
}

/// Reads a score, questions or explain request (`allowed`: [`ONE`] or [`EXPLAIN`]).
pub fn one(body: &SourceFile, format: Format, allowed: &[&str]) -> Result<One, ApiError> {
    with_root(body, format, |root| {
        let f = fields(&root, allowed)?;
        let profile = doc(
            required(&f, "profile", &root)?,
            "profile",
            "body#/profile",
            "profile",
        )?;
        let evidence = doc(
            required(&f, "evidence", &root)?,
            "evidence",
            "body#/evidence",
            "provider",
        )?;
        let requirement = match f.get("requirement") {
            None => None,
            Some(n) if n.kind() == Kind::Text => n.text(),
            Some(n) => {
                return Err(ApiError::syntax(&invalid(
                    n.at(),
                    "`requirement` is not a requirement id",
                    "give the id as a string, or leave it out for the whole profile",
                )))
            }
        };
        Ok(One {
            profile,
            evidence,
            eval: eval(&f)?,
            requirement,
        })
    })
}

/// Reads a compare request.
pub fn many(body: &SourceFile, format: Format) -> Result<Many, ApiError> {
    with_root(body, format, |root| {
        let f = fields(&root, MANY)?;
        let profile = doc(
            required(&f, "profile", &root)?,
            "profile",
            "body#/profile",
            "profile",
        )?;
        let evidence = match f.get("evidence") {
            None => Vec::new(),
            Some(n) if n.kind() == Kind::List => n
                .items()?
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    doc(item, "evidence", &format!("body#/evidence/{i}"), "provider")
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(n) => {
                return Err(ApiError::syntax(&invalid(
                    n.at(),
                    "`evidence` is not a list",
                    "give a list of provider ids and evidence documents, or leave it out for every built-in provider",
                )))
            }
        };
        let builtin = match f.get("builtin") {
            None => false,
            Some(n) => match n.text().as_deref() {
                Some("true") if n.kind() == Kind::Scalar => true,
                Some("false") if n.kind() == Kind::Scalar => false,
                _ => {
                    return Err(ApiError::syntax(&invalid(
                        n.at(),
                        "`builtin` is not true or false",
                        "true ranks every built-in provider too",
                    )))
                }
            },
        };
        Ok(Many {
            profile,
            evidence,
            builtin,
            eval: eval(&f)?,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> SourceFile {
        SourceFile::from_text(super::super::error::BODY, text)
    }

    fn err(text: &str, format: Format) -> (String, Option<(usize, usize)>) {
        let e = one(&body(text), format, ONE).unwrap_err();
        let d = &e.errors[0];
        (
            d.message.clone(),
            d.location.as_ref().map(|l| (l.line(), l.col())),
        )
    }

    #[test]
    fn ids_documents_and_options_are_read_from_json_and_yaml() {
        let json = "{\"profile\": \"base-lab\", \"evidence\": {\"labfit\": \"evidence/v1\"},\n \"as_of\": \"2026-01-01\", \"assume\": {\"contract.baa\": true, \"sla.uptime_pct\": 99.9}}";
        let r = one(&body(json), Format::Json, ONE).unwrap();
        assert!(matches!(r.profile, Doc::Id(ref id) if id == "base-lab"));
        let Doc::Document(d) = &r.evidence else {
            panic!()
        };
        assert_eq!(d.text(), "{\"labfit\": \"evidence/v1\"}");
        assert_eq!(d.name(), "body#/evidence");
        assert_eq!(r.eval.assume, ["contract.baa=true", "sla.uptime_pct=99.9"]);
        let yaml = "profile: base-lab\nevidence:\n  labfit: evidence/v1\nas_of: 2026-01-01\n";
        let r = one(&body(yaml), Format::Yaml, ONE).unwrap();
        let Doc::Document(d) = &r.evidence else {
            panic!()
        };
        assert_eq!(d.text(), "labfit: evidence/v1\n");
        assert_eq!(
            r.eval.as_of.map(|d| d.to_string()).as_deref(),
            Some("2026-01-01")
        );
    }

    #[test]
    fn problems_have_their_position_in_the_body() {
        assert_eq!(
            err(
                "{\"profile\": \"x\",\n \"evidence\": \"y\",\n \"rules\": \"/etc\"}",
                Format::Json
            ),
            ("unknown field `rules`".into(), Some((3, 11)))
        );
        assert_eq!(
            err("profile: x\nevidence: y\nas_of: 2026-13-01\n", Format::Yaml).1,
            Some((3, 8))
        );
        assert_eq!(
            err("{\"profile\": \"x\",\n \"evidence\": }", Format::Json).1,
            Some((2, 14))
        );
        assert_eq!(
            err("{\"evidence\": \"y\"}", Format::Json).0,
            "missing field `profile`"
        );
        assert_eq!(
            err(
                "{\"profile\": \"x\", \"profile\": \"y\", \"evidence\": \"z\"}",
                Format::Json
            ),
            ("duplicate key `profile`".into(), Some((1, 29)))
        );
        assert_eq!(
            err("[1]", Format::Json).0,
            "the body is not a map of fields"
        );
    }
}
