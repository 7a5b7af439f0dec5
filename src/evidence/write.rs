//! Writing evidence back as YAML: after an import, the provider's file with the answered facts
//! replaced (each earlier statement kept in its `history`) and the new source added, every
//! other line — comments, layout, untouched facts — as it was.
//!
//! The edit works on the file's text, entry by entry: a fact or source is the lines from its
//! key to the next key at the same indentation (trailing comments and blank lines belong to
//! what follows). A file laid out otherwise (flow-style `facts: {…}`, quoted keys) is written
//! whole from the model instead. Either way the text is parsed again and must give exactly the
//! updated evidence, so what is written always reads back as what was meant.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::evidence::vocabulary::Vocabulary;
use crate::evidence::{Earlier, Evidence, Fact, FactValue, Source, Status, KIND};
use crate::input::date::Date;
use crate::input::source::SourceFile;

#[derive(Serialize)]
struct FactOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a FactValue>,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    as_of: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    covers: Option<&'a [String]>,
    #[serde(skip_serializing_if = "<[Earlier]>::is_empty")]
    history: &'a [Earlier],
}

impl<'a> From<&'a Fact> for FactOut<'a> {
    fn from(f: &'a Fact) -> Self {
        FactOut {
            value: f.value.as_ref(),
            status: f.status,
            source: f.source.as_deref(),
            note: f.note.as_deref(),
            as_of: f.as_of,
            expires: f.expires,
            covers: f.covers.as_deref(),
            history: &f.history,
        }
    }
}

#[derive(Serialize)]
struct FileOut<'a> {
    labfit: &'static str,
    id: &'a str,
    provider: &'a str,
    as_of: Date,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    sources: BTreeMap<&'a str, &'a Source>,
    facts: BTreeMap<&'a str, FactOut<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

/// The whole file written from the model: every fact in full form (no `default_status`).
pub fn canonical(ev: &Evidence) -> String {
    let out = FileOut {
        labfit: KIND,
        id: &ev.id,
        provider: &ev.provider,
        as_of: ev.as_of,
        sources: ev.sources.iter().map(|(k, v)| (k.as_str(), v)).collect(),
        facts: ev
            .facts
            .iter()
            .map(|(k, f)| (k.as_str(), FactOut::from(f)))
            .collect(),
        notes: &ev.notes,
    };
    yaml_serde::to_string(&out).unwrap_or_default()
}

/// `updated` written as an edit of `original`'s file, or whole when the edit cannot be made
/// (see the module's documentation). The result parses, against `vocab`, to `updated`'s id,
/// provider, date, sources, facts and notes.
pub fn rewrite(original: &Evidence, updated: &Evidence, vocab: &Arc<Vocabulary>) -> String {
    let same = |text: &str| {
        let file = SourceFile::from_text(original.file().name(), text);
        Evidence::parse(&file, vocab).is_ok_and(|e| {
            e.id == updated.id
                && e.provider == updated.provider
                && e.as_of == updated.as_of
                && e.sources == updated.sources
                && e.facts == updated.facts
                && e.notes == updated.notes
        })
    };
    let header_unchanged = original.id == updated.id
        && original.provider == updated.provider
        && original.as_of == updated.as_of
        && original.notes == updated.notes;
    if header_unchanged && !original.file().text().is_empty() {
        if let Some(text) = edit(original, updated) {
            if same(&text) {
                return text;
            }
        }
    }
    canonical(updated)
}

/// One entry (a fact or a source) as block YAML, indented by `indent` spaces.
fn entry<T: Serialize>(key: &str, value: &T, indent: usize) -> Option<String> {
    let mut one = BTreeMap::new();
    one.insert(key, value);
    let text = yaml_serde::to_string(&one).ok()?;
    let pad = " ".repeat(indent);
    Some(
        text.lines()
            .map(|l| format!("{pad}{l}\n"))
            .collect::<String>(),
    )
}

/// A top-level block of the file: the line of its key and the lines it spans.
struct Block {
    key_line: usize,
    end: usize,
}

/// A top-level key: `name:` at column 1, with nothing after the colon but a comment.
fn top_level(line: &str) -> Option<(&str, bool)> {
    let (name, rest) = line.split_once(':')?;
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let rest = rest.trim();
    Some((name, rest.is_empty() || rest.starts_with('#')))
}

fn blocks(lines: &[&str]) -> Option<BTreeMap<String, Block>> {
    let mut keys: Vec<(usize, &str, bool)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| top_level(l).map(|(k, open)| (i, k, open)))
        .collect();
    keys.push((lines.len(), "", true));
    let mut out = BTreeMap::new();
    for w in keys.windows(2) {
        let (Some(&(i, k, open)), Some(&(next, ..))) = (w.first(), w.get(1)) else {
            continue;
        };
        if matches!(k, "facts" | "sources") && !open {
            return None; // flow style: `facts: {…}`
        }
        out.insert(
            k.to_owned(),
            Block {
                key_line: i,
                end: next,
            },
        );
    }
    Some(out)
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_filler(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// A block's entries: key → (first line, end line).
type Spans = BTreeMap<String, (usize, usize)>;

/// The entries of a block, and the block's indentation.
fn entries(lines: &[&str], b: &Block) -> Option<(Spans, usize)> {
    let body = (b.key_line + 1)..b.end;
    let ind = body
        .clone()
        .filter_map(|i| lines.get(i))
        .find(|l| !is_filler(l))
        .map_or(2, |l| indent_of(l));
    if ind == 0 {
        return None;
    }
    let starts: Vec<(usize, String)> = body
        .clone()
        .filter_map(|i| {
            let l = lines.get(i)?;
            (!is_filler(l) && indent_of(l) == ind).then(|| {
                let key = l.trim_start().split_once(':').map(|(k, _)| k.to_owned());
                (i, key.unwrap_or_default())
            })
        })
        .collect();
    if starts
        .iter()
        .any(|(_, k)| k.is_empty() || k.starts_with(['"', '\'', '?', '-']))
    {
        return None;
    }
    let mut out = BTreeMap::new();
    for (n, (i, key)) in starts.iter().enumerate() {
        let next = starts.get(n + 1).map_or(b.end, |(j, _)| *j);
        // Trailing blank lines and comments at the entry's own indentation or less belong to
        // what follows (a section comment above the next fact).
        let mut end = next;
        while end > i + 1
            && lines
                .get(end - 1)
                .is_some_and(|l| is_filler(l) && (l.trim().is_empty() || indent_of(l) <= ind))
        {
            end -= 1;
        }
        out.insert(key.clone(), (*i, end));
    }
    Some((out, ind))
}

/// Replacements to make: (first line, end line, new text), applied from the bottom up.
type Splice = (usize, usize, String);

fn edit(original: &Evidence, updated: &Evidence) -> Option<String> {
    let text = original.file().text();
    let lines: Vec<&str> = text.lines().collect();
    let blocks = blocks(&lines)?;
    let mut splices: Vec<Splice> = Vec::new();
    let facts_line = blocks.get("facts").map(|b| b.key_line);
    for (name, old, new) in [
        ("sources", Part::Sources(original), Part::Sources(updated)),
        ("facts", Part::Facts(original), Part::Facts(updated)),
    ] {
        let changed = old.changed_keys(&new);
        if changed.is_empty() {
            continue;
        }
        match blocks.get(name) {
            Some(b) => {
                let (at, ind) = entries(&lines, b)?;
                let mut appended = String::new();
                for key in &changed {
                    let rendered = match new.render(key, ind) {
                        Some(r) => r?,
                        None => String::new(), // removed
                    };
                    match at.get(key.as_str()) {
                        Some(&(first, end)) => splices.push((first, end, rendered)),
                        None => appended.push_str(&rendered),
                    }
                }
                if !appended.is_empty() {
                    let end = at.values().map(|&(_, e)| e).max().unwrap_or(b.key_line + 1);
                    splices.push((end, end, appended));
                }
            }
            None => {
                let mut block = format!("{name}:\n");
                for key in &changed {
                    if let Some(r) = new.render(key, 2) {
                        block.push_str(&r?);
                    }
                }
                let at = match name {
                    "sources" => facts_line.unwrap_or(lines.len()),
                    _ => lines.len(),
                };
                splices.push((at, at, block));
            }
        }
    }
    splices.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    let mut out: Vec<String> = lines.iter().map(|l| format!("{l}\n")).collect();
    for (first, end, new) in splices {
        let replaced: Vec<String> = new.lines().map(|l| format!("{l}\n")).collect();
        if first > out.len() || end > out.len() || end < first {
            return None;
        }
        out.splice(first..end, replaced);
    }
    Some(out.concat())
}

/// The sources or the facts of one evidence file, compared and rendered entry by entry.
enum Part<'a> {
    Sources(&'a Evidence),
    Facts(&'a Evidence),
}

impl Part<'_> {
    fn changed_keys(&self, new: &Part<'_>) -> Vec<String> {
        let mut out = Vec::new();
        match (self, new) {
            (Part::Sources(a), Part::Sources(b)) => {
                for k in a.sources.keys().chain(b.sources.keys()) {
                    if a.sources.get(k) != b.sources.get(k) && !out.contains(k) {
                        out.push(k.clone());
                    }
                }
            }
            (Part::Facts(a), Part::Facts(b)) => {
                for k in a.facts.keys().chain(b.facts.keys()) {
                    if a.facts.get(k) != b.facts.get(k) && !out.contains(k) {
                        out.push(k.clone());
                    }
                }
            }
            _ => {}
        }
        out.sort();
        out
    }

    /// `None` when the entry is not there (removed); `Some(None)` when it cannot be written.
    fn render(&self, key: &str, indent: usize) -> Option<Option<String>> {
        match self {
            Part::Sources(e) => e.sources.get(key).map(|s| entry(key, s, indent)),
            Part::Facts(e) => e
                .facts
                .get(key)
                .map(|f| entry(key, &FactOut::from(f), indent)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Arc<Vocabulary> {
        let f = SourceFile::from_text(
            "v.yaml",
            "labfit: vocabulary/v1\nfacts:\n  contract.baa: {type: bool, meaning: m, question: q14, ask: a?}\n  sla.pct: {type: percent, meaning: m, question: q03, ask: a?}\n  note.text: {type: text, meaning: m, question: q01, ask: a?}\n",
        );
        Arc::new(Vocabulary::parse(&f).unwrap())
    }

    const FILE: &str = "labfit: evidence/v1\nid: p\n# a comment kept\nprovider: P\nas_of: 2023-08-04\nsources:\n  s1: {title: T, url: \"https://x\", date: 2020-11-01}\n\nfacts:\n  # q03\n  sla.pct: {value: 99.9, source: s1,\n            note: \"two lines\"}\n\n  # q14\n  contract.baa: {status: unknown, note: \"never mentioned\"}\n";

    fn parse(text: &str) -> Evidence {
        Evidence::parse(&SourceFile::from_text("e.yaml", text), &vocab()).unwrap()
    }

    #[test]
    fn an_edit_keeps_comments_and_other_facts() {
        let old = parse(FILE);
        let mut new = old.clone();
        std::sync::Arc::make_mut(&mut new.sources).insert(
            "answers".into(),
            Source {
                title: Some("Answers: the: form".into()),
                url: None,
                date: "2026-03-02".parse().ok(),
                sha256: Some("a".repeat(64)),
            },
        );
        let earlier = Earlier {
            value: None,
            status: Status::Unknown,
            source: None,
            note: Some("never mentioned".into()),
            as_of: "2023-08-04".parse().unwrap(),
            superseded: "2026-03-02".parse().unwrap(),
        };
        new.facts.insert(
            "contract.baa".into(),
            Fact {
                value: Some(FactValue::Bool(true)),
                status: Status::Claimed,
                source: Some("answers".into()),
                note: Some("yes: signed".into()),
                as_of: None,
                expires: None,
                covers: None,
                history: vec![earlier],
            },
        );
        new.facts.insert(
            "note.text".into(),
            Fact {
                value: Some(FactValue::Text("no".into())),
                status: Status::Claimed,
                source: None,
                note: None,
                as_of: None,
                expires: None,
                covers: None,
                history: Vec::new(),
            },
        );
        let text = rewrite(&old, &new, &vocab());
        assert!(text.contains("# a comment kept"), "{text}");
        assert!(text.contains("  # q03\n  sla.pct: {value: 99.9"), "{text}");
        assert!(text.contains("  # q14\n  contract.baa:\n"), "{text}");
        assert!(text.contains("history:"), "{text}");
        let back = parse(&text);
        assert_eq!(back.facts, new.facts);
        assert_eq!(back.sources, new.sources);
    }

    #[test]
    fn flow_style_files_are_written_whole() {
        let old = parse(
            "labfit: evidence/v1\nid: p\nprovider: P\nas_of: 2023-08-04\nfacts: {sla.pct: 99}\n",
        );
        let mut new = old.clone();
        if let Some(f) = new.facts.get_mut("sla.pct") {
            f.value = Some(FactValue::Number(99.5));
        }
        let text = rewrite(&old, &new, &vocab());
        assert_eq!(parse(&text).facts, new.facts);
        assert_eq!(text, canonical(&new));
    }
}
