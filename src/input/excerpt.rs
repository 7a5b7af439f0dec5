//! Documents sent inside a request body (`labfit serve`): a profile or evidence given as the
//! value of a key is cut out as its own [`SourceFile`], whose text is the document alone (so
//! its SHA-256 is the document's, whatever else the body holds) and whose diagnostics point at
//! the body's lines and columns ([`Origin`]).
//!
//! Documents are read by the same YAML reader as files, JSON being YAML's flow style: a JSON
//! value is cut out exactly as sent; a YAML block is cut out with the body's indentation
//! removed, so it reads as the file it came from. The reader could take a few JSON forms
//! differently from a JSON parser (a key on another line than its `:`), and a cut could go
//! wrong in a YAML body of an unusual layout, so each excerpt is checked: it must read as the
//! same value the whole body holds at that place, or it is refused with its position.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::input::error::InputError;
use crate::input::source::{position_at, Location, Origin, SourceFile};

/// One step of the way to a document in a body: a map key, or a list index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step<'a> {
    /// The value of this key.
    Key(&'a str),
    /// The item at this index (from 0).
    Index(usize),
}

impl fmt::Display for Step<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Key(k) => write!(f, "/{k}"),
            Step::Index(i) => write!(f, "/{i}"),
        }
    }
}

/// The JSON value `raw`, a slice of `body`'s text (as serde_json's borrowed `RawValue` is), as
/// a document named `name`.
pub fn json(name: &str, body: &SourceFile, raw: &str) -> Result<SourceFile, InputError> {
    let text = body.text();
    let start = raw
        .as_ptr()
        .addr()
        .checked_sub(text.as_ptr().addr())
        .filter(|s| text.get(*s..s + raw.len()) == Some(raw));
    let Some(start) = start else {
        return Err(InputError::invalid(
            body.location(1, 1),
            format!("`{name}` is not part of the request body"),
            None,
        ));
    };
    let (line, col) = position_at(text, start);
    let doc = SourceFile::excerpt(name, raw, Origin::new(body.text_arc(), line, col, 0));
    let as_json = serde_json::from_str::<serde_json::Value>(raw).ok();
    let as_yaml = yaml_serde::from_str::<serde_json::Value>(raw).ok();
    if as_json.is_none() || as_json != as_yaml {
        return Err(InputError::invalid(
            body.location(line, col),
            "labfit's document reader (YAML, of which JSON is a part) reads this JSON differently",
            Some(
                "write each key on the same line as its `:`, keep keys under 1024 characters, and indent with spaces"
                    .into(),
            ),
        ));
    }
    Ok(doc)
}

/// The map at `path` in a YAML `body`, as a document named `name`.
pub fn yaml(name: &str, body: &SourceFile, path: &[Step<'_>]) -> Result<SourceFile, InputError> {
    let text = body.text();
    let shown: String = path.iter().map(ToString::to_string).collect();
    let refuse = |at: Location, why: &str| {
        InputError::invalid(
            at,
            format!("the document at `{shown}` cannot be read on its own: {why}"),
            Some("write it as a block map indented under its key, or send the body as JSON".into()),
        )
    };
    let Some((line, col)) = value_start(text, path) else {
        return Err(refuse(body.location(1, 1), "it is not in the body"));
    };
    let at = body.location(line, col);
    let start = offset_of(text, line, col);
    let (doc, origin) = match text.get(start..).and_then(|t| t.chars().next()) {
        Some(OPEN_MAP) => {
            let end = flow_end(text, start).ok_or_else(|| refuse(at.clone(), "an unclosed `{`"))?;
            let doc = text.get(start..end).unwrap_or_default().to_owned();
            (doc, Origin::new(body.text_arc(), line, col, 0))
        }
        Some(_) if col > 1 => (
            block(text, start, col - 1),
            Origin::new(body.text_arc(), line, col, col - 1),
        ),
        _ => return Err(refuse(at, "it is not a map")),
    };
    let whole = yaml_serde::from_str::<yaml_serde::Value>(text).ok();
    let expected = whole.as_ref().and_then(|v| walk(v, path));
    if !matches!(expected, Some(yaml_serde::Value::Mapping(_))) {
        return Err(refuse(at, "it is not a map"));
    }
    let cut = yaml_serde::from_str::<yaml_serde::Value>(&doc).ok();
    if expected != cut.as_ref() {
        return Err(refuse(
            at,
            "cut out of the body it reads differently (an anchor defined outside it, or an unusual layout)",
        ));
    }
    Ok(SourceFile::excerpt(name, doc, origin))
}

/// How a flow map starts (named, so that no brace stands alone in a function).
const OPEN_MAP: char = '{';

/// The value at `path` of a parsed YAML value.
fn walk<'v>(v: &'v yaml_serde::Value, path: &[Step<'_>]) -> Option<&'v yaml_serde::Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(v);
    };
    let next = match (first, v) {
        (Step::Key(k), yaml_serde::Value::Mapping(m)) => m.get(*k)?,
        (Step::Index(i), yaml_serde::Value::Sequence(s)) => s.get(*i)?,
        _ => return None,
    };
    walk(next, rest)
}

/// The byte offset of 1-based `line` and `col` (in characters).
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = text.get(line_start..).unwrap_or_default();
    line_start
        + rest
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// A block map that starts at byte `start`, whose keys are in column `indent + 1`: its first
/// line from `start`, then every following line until one (not blank, not a comment) is
/// indented less, each with `indent` leading spaces removed. Trailing blank and comment lines
/// belong to what follows.
fn block(text: &str, start: usize, indent: usize) -> String {
    let rest = text.get(start..).unwrap_or_default();
    let mut lines = rest.split_inclusive('\n');
    let mut out = String::from(lines.next().unwrap_or_default());
    let mut kept = out.len();
    for l in lines {
        let trimmed = l.trim_start_matches(' ');
        let spaces = l.len() - trimmed.len();
        let content = trimmed.trim_end();
        if content.is_empty() || content.starts_with('#') {
            out.push_str(if spaces >= indent {
                l.get(indent..).unwrap_or(trimmed)
            } else {
                trimmed
            });
            continue;
        }
        if spaces < indent {
            break;
        }
        out.push_str(l.get(indent..).unwrap_or(trimmed));
        kept = out.len();
    }
    out.truncate(kept);
    out
}

/// The byte offset just past the bracket that closes the flow collection opening at `start`,
/// skipping quoted text and comments.
fn flow_end(text: &str, start: usize) -> Option<usize> {
    let rest = text.get(start..)?;
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut comment = false;
    let mut prev = ' ';
    for (i, c) in rest.char_indices() {
        if comment {
            comment = c != '\n';
        } else if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if q == '"' && c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
        } else {
            match c {
                '"' | '\'' => quote = Some(c),
                '#' if prev.is_whitespace() => comment = true,
                '{' | '[' => depth += 1,
                '}' | ']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(start + i + c.len_utf8());
                    }
                }
                _ => {}
            }
        }
        prev = c;
    }
    None
}

/// Marks the error raised on purpose at the value sought.
const FOUND: &str = "\u{1e}labfit-found";

/// The 1-based line and column where the value at `path` starts in a YAML text, found by
/// reading it and failing on purpose when the reader reaches the value (the error carries the
/// position).
pub fn value_start(text: &str, path: &[Step<'_>]) -> Option<(usize, usize)> {
    let de = yaml_serde::Deserializer::from_str(text);
    match (Seek { path }).deserialize(de) {
        Err(e) if e.to_string().contains(FOUND) => e.location().map(|l| (l.line(), l.column())),
        _ => None,
    }
}

/// Walks to the value at `path`, then fails there.
struct Seek<'p, 'a> {
    path: &'p [Step<'a>],
}

impl<'de> DeserializeSeed<'de> for Seek<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(SeekVisitor { path: self.path })
    }
}

struct SeekVisitor<'p, 'a> {
    path: &'p [Step<'a>],
}

impl SeekVisitor<'_, '_> {
    fn found<E: de::Error, T>(&self) -> Result<T, E> {
        Err(E::custom(FOUND))
    }
}

impl<'de> Visitor<'de> for SeekVisitor<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map or a list")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        let Some((first, rest)) = self.path.split_first() else {
            return self.found();
        };
        while let Some(key) = m.next_key::<String>()? {
            if *first == Step::Key(&key) {
                return m.next_value_seed(Seek { path: rest });
            }
            m.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        let Some((first, rest)) = self.path.split_first() else {
            return self.found();
        };
        let mut i = 0;
        loop {
            if *first == Step::Index(i) {
                return s.next_element_seed(Seek { path: rest }).map(|_| ());
            }
            if s.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.found()
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.found()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.found()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.found()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.found()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.found()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> SourceFile {
        SourceFile::from_text("request body", text)
    }

    #[test]
    fn a_json_value_is_cut_out_exactly_and_points_into_the_body() {
        let b = body(
            "{\"profile\": \"base-lab\",\n \"evidence\": {\"labfit\": \"evidence/v1\",\n   \"id\": \"x\"}}",
        );
        let start = b.text().find("{\"labfit\"").unwrap();
        let raw = &b.text()[start..b.text().len() - 1];
        let doc = json("evidence", &b, raw).unwrap();
        assert_eq!(
            doc.text(),
            "{\"labfit\": \"evidence/v1\",\n   \"id\": \"x\"}"
        );
        assert_eq!(doc.location(2, 4).to_string(), "evidence:3:4");
        assert_eq!(doc.location(1, 2).to_string(), "evidence:2:15");
        assert_eq!(
            doc.location(1, 2).line_text(),
            Some(" \"evidence\": {\"labfit\": \"evidence/v1\",")
        );
        // A copy of the text is not a slice of the body.
        let copy = raw.to_owned();
        assert!(json("evidence", &b, &copy).is_err());
    }

    #[test]
    fn a_yaml_block_is_cut_out_without_the_indentation() {
        let b = body(
            "profile: base-lab\nevidence:\n  labfit: evidence/v1\n  # a comment\n  facts:\n    a: 1\n\n# next\nas_of: 2026-01-01\n",
        );
        let doc = yaml("evidence", &b, &[Step::Key("evidence")]).unwrap();
        assert_eq!(
            doc.text(),
            "labfit: evidence/v1\n# a comment\nfacts:\n  a: 1\n"
        );
        assert_eq!(doc.location(4, 3).to_string(), "evidence:6:5");
        assert_eq!(doc.location(1, 1).to_string(), "evidence:3:3");
    }

    #[test]
    fn list_items_and_flow_maps_are_found() {
        let b = body(
            "evidence:\n- tencent-cloud\n- labfit: evidence/v1\n  id: x\n- {labfit: evidence/v1, id: [y]}\n",
        );
        let second = yaml("e1", &b, &[Step::Key("evidence"), Step::Index(1)]).unwrap();
        assert_eq!(second.text(), "labfit: evidence/v1\nid: x\n");
        assert_eq!(second.location(2, 1).to_string(), "e1:4:3");
        let third = yaml("e2", &b, &[Step::Key("evidence"), Step::Index(2)]).unwrap();
        assert_eq!(third.text(), "{labfit: evidence/v1, id: [y]}");
        assert_eq!(third.location(1, 2).to_string(), "e2:5:4");
        assert!(yaml("e0", &b, &[Step::Key("evidence"), Step::Index(0)]).is_err());
        assert!(yaml("none", &b, &[Step::Key("profile")]).is_err());
    }

    #[test]
    fn a_cut_that_reads_differently_is_refused() {
        // The anchor is outside the document: cut out, the alias has nothing to refer to.
        let b = body("base: &b {x: 1}\nevidence:\n  labfit: evidence/v1\n  facts: *b\n");
        let e = yaml("e", &b, &[Step::Key("evidence")]).unwrap_err();
        assert!(e.to_string().contains("reads differently"), "{e}");
        assert_eq!(
            e.diagnostic().location.map(|l| l.to_string()),
            Some("request body:3:3".into())
        );
    }
}
