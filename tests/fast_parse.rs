//! The fast evidence reader is exact: on every evidence file the repository holds, on the
//! generated corpus, on those files written as JSON, and on random mutations of them, it either
//! gives up or reads what `yaml_serde` reads; and `Evidence::parse` (which falls back to
//! `yaml_serde` whenever the fast reader gives up or a check fails) returns what the
//! `yaml_serde` path alone returns, the same evidence or the same diagnostic. It also has to
//! accept the corpus and every built-in provider, or the speed-up would be a fallback.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code fails loudly"
)]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use labfit::evidence::vocabulary::Vocabulary;
use labfit::evidence::Reader;
use labfit::{Engine, Evidence, SourceFile};
use proptest::prelude::*;

#[path = "../examples/gen-corpus/corpus.rs"]
#[allow(dead_code, reason = "shared with the example and the benches")]
mod corpus;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::builtin().unwrap())
}

fn vocab() -> &'static Arc<Vocabulary> {
    engine().vocabulary()
}

fn shown(r: &Result<Evidence, labfit::input::error::InputError>) -> String {
    match r {
        Ok(e) => format!("{e:?}"),
        Err(e) => format!("error: {e}\n{e:?}"),
    }
}

/// Checks one text; true when the fast reader accepted it.
fn check(name: &str, text: &str) -> bool {
    let file = SourceFile::from_text(name, text);
    let full = shown(&Evidence::parse_with(&file, vocab(), Reader::Full).unwrap());
    let public = shown(&Evidence::parse(&file, vocab()));
    assert_eq!(
        public, full,
        "Evidence::parse differs from yaml_serde on {name}:\n{text}"
    );
    match Evidence::parse_with(&file, vocab(), Reader::FastOnly) {
        None => false,
        Some(fast) => {
            assert_eq!(
                shown(&fast),
                full,
                "the fast reader differs on {name}:\n{text}"
            );
            fast.is_ok()
        }
    }
}

/// The same document as JSON, pretty and compact (`None` when it is not valid YAML).
fn as_json(text: &str) -> Option<[String; 2]> {
    // yaml_serde's own value keeps the keys in order (the header first).
    let v: yaml_serde::Value = yaml_serde::from_str(text).ok()?;
    Some([
        serde_json::to_string_pretty(&v).unwrap(),
        serde_json::to_string(&v).unwrap(),
    ])
}

fn builtin_texts() -> Vec<(String, String)> {
    engine()
        .builtin_providers()
        .map(|p| {
            let e = engine().evidence(p).unwrap();
            (format!("{p}.yaml"), e.file().text().to_owned())
        })
        .collect()
}

fn corpus_texts(n: usize) -> Vec<(String, String)> {
    corpus::Model::new(engine()).corpus(1, n)
}

#[test]
fn builtin_providers_are_read_fast_and_exactly() {
    let texts = builtin_texts();
    assert!(texts.len() >= 10);
    for (name, text) in &texts {
        assert!(check(name, text), "the fast reader gave up on {name}");
        for json in as_json(text).unwrap() {
            assert!(
                check(name, &json),
                "the fast reader gave up on {name} as JSON"
            );
        }
    }
}

#[test]
fn the_generated_corpus_is_read_fast_and_exactly_first_half() {
    read_corpus_half(0);
}

#[test]
fn the_generated_corpus_is_read_fast_and_exactly_second_half() {
    read_corpus_half(1);
}

/// Every other file of the 2,000-file corpus, from `first`: the two halves are two tests, so
/// the harness reads them on two cores, and together they read every file.
fn read_corpus_half(first: usize) {
    for (id, text) in corpus_texts(2000).into_iter().skip(first).step_by(2) {
        assert!(check(&id, &text), "the fast reader gave up on {id}");
        for json in as_json(&text).unwrap() {
            assert!(check(&id, &json), "the fast reader gave up on {id} as JSON");
        }
    }
}

/// Every YAML and JSON file under tests/, fuzz/seeds/ and examples/: evidence or not, valid
/// or not, the two readers agree.
#[test]
fn every_file_in_the_repository_reads_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests", "fuzz/seeds", "examples"] {
        walk(&root.join(dir), &mut files);
    }
    files.sort();
    let (mut evidence, mut fast) = (0, 0);
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let name = f.display().to_string();
        let accepted = check(&name, &text);
        if text.contains("evidence/v1") {
            evidence += 1;
            fast += usize::from(accepted);
            if let Some(jsons) = as_json(&text) {
                for json in jsons {
                    check(&name, &json);
                }
            }
        }
    }
    assert!(evidence >= 50, "only {evidence} evidence files found");
    assert!(
        fast >= 10,
        "the fast reader accepted only {fast} of {evidence}"
    );
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p
            .extension()
            .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
        {
            out.push(p);
        }
    }
}

/// Snippets that change how YAML reads a text: scalars that resolve to something other than a
/// string, indicators, syntax outside the fast reader's subset.
const TRICKY: &[&str] = &[
    "yes",
    "no",
    "~",
    "null",
    "Null",
    "true",
    "TRUE",
    "0x1F",
    "0o17",
    "1e3",
    ".5",
    "1.",
    "+1",
    "01",
    "-0",
    "-1",
    ".inf",
    "-.inf",
    ".nan",
    "1_000",
    "2024-02-30",
    "99.95",
    "100",
    "101",
    "18446744073709551616",
    "\"\\ud800\"",
    "\"\\u00e9\"",
    "\"\\x41\"",
    "'it''s'",
    "!!str 1",
    "!!int x",
    "&a ",
    "*a",
    "&a x",
    "? k",
    "|",
    ">",
    "|-\n  x",
    "\t",
    " \t",
    ": ",
    ":",
    "#",
    " #",
    "- ",
    "-",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\"",
    "'",
    "\n",
    "\n  ",
    "\n    ",
    "  ",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "\r\n",
    "\u{feff}",
    "\u{85}",
    "\u{2028}",
    "@",
    "`",
    "<<: ",
    "a: b",
    "key: value\n",
    "status: unknown",
    "value: ",
    "note: \"n\"",
    "claimed",
    "verified",
];

fn long_key() -> String {
    format!("{}: 1", "k".repeat(1030))
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Clone, Debug)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, usize),
    Replace(usize, usize, usize),
    Indent(usize, bool),
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut s = text.to_owned();
    for e in edits {
        let n = s.len().max(1);
        match *e {
            Edit::Delete(at, len) => {
                let a = floor_boundary(&s, at % n);
                let b = floor_boundary(&s, a + len % 8 + 1);
                s.replace_range(a..b, "");
            }
            Edit::Insert(at, which) => {
                let a = floor_boundary(&s, at % n);
                let snippet = TRICKY
                    .get(which % (TRICKY.len() + 1))
                    .map_or_else(long_key, |t| (*t).to_owned());
                s.insert_str(a, &snippet);
            }
            Edit::Replace(at, len, which) => {
                let a = floor_boundary(&s, at % n);
                // Replace a whole scalar-sized run: up to the next separator.
                let end = s[a..]
                    .find([',', '}', '\n', ' '])
                    .map_or(s.len(), |k| floor_boundary(&s, a + k.min(len % 24 + 1)));
                let snippet = TRICKY[which % TRICKY.len()];
                s.replace_range(a..end, snippet);
            }
            Edit::Indent(line, deeper) => {
                let starts: Vec<usize> = std::iter::once(0)
                    .chain(s.match_indices('\n').map(|(i, _)| i + 1))
                    .filter(|&i| i < s.len())
                    .collect();
                if let Some(&a) = starts.get(line % starts.len().max(1)) {
                    if deeper {
                        s.insert(a, ' ');
                    } else if s[a..].starts_with(' ') {
                        s.remove(a);
                    }
                }
            }
        }
    }
    s
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(a, l)| Edit::Delete(a, l)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, w)| Edit::Insert(a, w)),
        (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(a, l, w)| Edit::Replace(a, l, w)),
        (any::<usize>(), any::<bool>()).prop_map(|(l, d)| Edit::Indent(l, d)),
    ]
}

/// Valid files to mutate: built-in providers, generated files (cut to their first lines so a
/// mutation is likely to matter), and JSON versions of both.
fn seeds() -> &'static Vec<String> {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut out: Vec<String> = builtin_texts().into_iter().map(|(_, t)| t).collect();
        for (_, t) in corpus_texts(12) {
            let short: String = t.lines().take(14).map(|l| format!("{l}\n")).collect();
            out.push(short);
        }
        let jsons: Vec<String> = out.iter().filter_map(|t| as_json(t)).flatten().collect();
        out.extend(jsons);
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    /// A mutated file reads the same through `Evidence::parse` as through `yaml_serde`, and
    /// the fast reader alone gives up or agrees.
    #[test]
    fn mutated_files_read_the_same(pick in any::<usize>(), edits in prop::collection::vec(edit(), 1..4)) {
        let seeds = seeds();
        let text = apply(&seeds[pick % seeds.len()], &edits);
        check("mutated.yaml", &text);
    }
}

/// A text given as text keeps a byte-order mark (only files read from disk lose theirs), and
/// yaml_serde reads it into the first key: the fast reader leaves such a text to it, so both
/// give the same error.
#[test]
fn a_byte_order_mark_in_a_text_is_left_to_yaml_serde() {
    let base = std::fs::read_to_string("examples/providers/oracle-cloud.yaml").unwrap();
    let text = format!("\u{feff}{base}");
    let file = SourceFile::from_text("bom.yaml", text.as_str());
    assert!(Evidence::parse_with(&file, vocab(), Reader::FastOnly).is_none());
    assert!(!check("bom.yaml", &text));
    let err = Evidence::parse(&file, vocab()).unwrap_err().to_string();
    assert!(err.starts_with("bom.yaml:1:2: "), "{err}");
    // Without the mark, the same text is read, and by the fast reader.
    assert!(check("plain.yaml", &base));
}
