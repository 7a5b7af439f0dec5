//! Keeps the layout true: data flows one way between the top-level modules of `src/` (no module
//! imports from a module that imports it), `input/` imports nothing else in the crate, renderers
//! never import each other, and no function grows past 120 lines. See `src/README.md`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code fails loudly"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The longest function the code base allows, in lines from `fn` to its closing brace.
const MAX_FN_LINES: usize = 120;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a file under `src/` belongs to (`score` for `src/score/gates.rs`).
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_owned())
}

/// Drops comments and string literals, so a module named in a doc comment or a message is not
/// taken for an import.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut in_str = false;
        let mut prev = ' ';
        for c in line.chars() {
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            } else if !in_str {
                out.push(c);
            }
            prev = if prev == '\\' && c == '\\' { ' ' } else { c };
        }
        out.push('\n');
    }
    out
}

/// `crate::X` paths in the code, including the heads of grouped imports (`use crate::{a, b}`).
fn crate_refs(code: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let head: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !head.is_empty() {
                    refs.insert(head);
                }
            }
        } else {
            let head: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !head.is_empty() {
                refs.insert(head);
            }
        }
    }
    refs
}

/// Which top-level module imports which, with one file that shows each edge.
fn module_graph() -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeSet<String> = files.iter().filter_map(|p| module_of(p)).collect();
    let mut graph: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for f in &files {
        let Some(m) = module_of(f) else { continue };
        if matches!(m.as_str(), "lib" | "main" | "cli") {
            continue;
        }
        let edges = graph.entry(m.clone()).or_default();
        for r in crate_refs(&code_only(&fs::read_to_string(f).unwrap())) {
            if r != m && modules.contains(&r) {
                edges.entry(r).or_insert_with(|| f.clone());
            }
        }
    }
    graph
}

#[test]
fn no_import_cycle_among_top_level_modules() {
    let graph = module_graph();
    assert!(graph.len() >= 8, "too few modules found: {graph:?}");
    // A cycle exists iff some module reaches itself.
    let mut cycles = Vec::new();
    for start in graph.keys() {
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((m, path)) = stack.pop() {
            for next in graph.get(&m).map(|e| e.keys()).into_iter().flatten() {
                if next == start {
                    let mut cycle = path.clone();
                    cycle.push(start.clone());
                    let shown: Vec<String> = cycle
                        .windows(2)
                        .map(|w| {
                            let file = &graph[&w[0]][&w[1]];
                            format!(
                                "{} -> {} ({})",
                                w[0],
                                w[1],
                                file.strip_prefix(src()).unwrap().display()
                            )
                        })
                        .collect();
                    cycles.push(shown.join(", "));
                } else if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn input_imports_nothing_else_in_the_crate() {
    let graph = module_graph();
    let edges = graph.get("input").expect("src/input/ exists");
    assert!(edges.is_empty(), "input/ imports {edges:?}");
}

#[test]
fn renderers_never_import_each_other() {
    let dir = src().join("render");
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    let formats: BTreeSet<String> = files
        .iter()
        .filter_map(|f| f.file_stem()?.to_str().map(str::to_owned))
        // What the formats share (helpers, sentences, the comparison's view) is not a format.
        .filter(|s| !matches!(s.as_str(), "mod" | "toolkit" | "words" | "view"))
        .collect();
    let mut bad = Vec::new();
    for f in &files {
        let me = f.file_stem().unwrap().to_str().unwrap().to_owned();
        let code = code_only(&fs::read_to_string(f).unwrap());
        for other in &formats {
            if *other != me
                && (code.contains(&format!("render::{other}::"))
                    || code.contains(&format!("super::{other}::")))
            {
                bad.push(format!("render/{me}.rs uses render/{other}.rs"));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Finds every `fn` item and its length, by matching braces in code without comments and
/// strings.
fn long_functions(path: &Path) -> Vec<(String, usize, usize)> {
    let code = code_only(&fs::read_to_string(path).unwrap());
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let is_fn = [
            "fn ",
            "pub fn ",
            "pub(crate) fn ",
            "pub(super) fn ",
            "const fn ",
        ]
        .iter()
        .any(|p| t.starts_with(p));
        if !is_fn {
            continue;
        }
        // The body starts at the first `{` after the signature (or there is none: a trait
        // method declaration ends with `;`).
        let mut depth = 0usize;
        let mut started = false;
        let mut end = None;
        'scan: for (j, l) in lines.iter().enumerate().skip(i) {
            for c in l.chars() {
                match c {
                    ';' if !started => break 'scan,
                    '{' => {
                        depth += 1;
                        started = true;
                    }
                    '}' if started => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(j);
                            break 'scan;
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(end) = end {
            let len = end - i + 1;
            if len > MAX_FN_LINES {
                let name: String = t
                    .split("fn ")
                    .nth(1)
                    .unwrap_or("")
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push((name, i + 1, len));
            }
        }
    }
    out
}

#[test]
fn no_function_is_over_120_lines() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut long = Vec::new();
    for f in &files {
        for (name, line, len) in long_functions(f) {
            long.push(format!(
                "src/{}:{line}: fn {name} is {len} lines",
                f.strip_prefix(src()).unwrap().display()
            ));
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines:\n{}",
        long.join("\n")
    );
}
