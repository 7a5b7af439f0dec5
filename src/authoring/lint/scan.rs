//! A light reading of Rhai source, enough for `labfit check` to see what a rule reads without
//! running it: the functions a file defines, the string literals passed to `fact("…")` and
//! `param("…")`, and which functions of the same file each one calls. It tokenizes (comments,
//! strings, template strings with `${…}`, character literals) but does not parse expressions:
//! a key built at run time (`fact(prefix + "x")`) is simply not seen.

use std::collections::{BTreeMap, BTreeSet};

use crate::input::source::{Location, SourceFile};

/// One function of a rule file.
#[derive(Clone, Debug)]
pub(crate) struct FnScan {
    /// Its name.
    pub(crate) name: String,
    /// Where `fn NAME` is written (at the name).
    pub(crate) location: Location,
    /// Literal keys read with `fact("…")`, with the literal's position.
    pub(crate) facts: Vec<(String, Location)>,
    /// Literal names read with `param("…")` (not `param_or`, which has a default).
    pub(crate) params: Vec<(String, Location)>,
    /// Functions of the same file it calls.
    pub(crate) calls: BTreeSet<String>,
}

/// Every function of one rule file.
#[derive(Clone, Debug, Default)]
pub(crate) struct FileScan {
    /// By name (Rhai overloads by arity; the first definition is kept).
    pub(crate) functions: BTreeMap<String, FnScan>,
}

impl FileScan {
    /// The parameters `function` needs, directly or through the functions it calls, each
    /// with where it is read.
    pub(crate) fn params_needed(&self, function: &str) -> Vec<(String, Location)> {
        let mut out: Vec<(String, Location)> = Vec::new();
        for f in self.reachable(function) {
            for (p, loc) in &f.params {
                if !out.iter().any(|(q, _)| q == p) {
                    out.push((p.clone(), loc.clone()));
                }
            }
        }
        out
    }

    /// `function` and every function of the file it calls, transitively.
    pub(crate) fn reachable(&self, function: &str) -> Vec<&FnScan> {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut stack = vec![function];
        let mut out = Vec::new();
        while let Some(name) = stack.pop() {
            let Some(f) = self.functions.get(name) else {
                continue;
            };
            if !seen.insert(f.name.as_str()) {
                continue;
            }
            out.push(f);
            stack.extend(f.calls.iter().map(String::as_str));
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Punct(char),
    Other,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    line: usize,
    col: usize,
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    col: usize,
    out: Vec<Token>,
}

impl Lexer<'_> {
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn push(&mut self, tok: Tok, line: usize, col: usize) {
        self.out.push(Token { tok, line, col });
    }

    /// Tokens until the end, or until an unmatched `}` when `in_interpolation`.
    fn run(&mut self, in_interpolation: bool) {
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            let (line, col) = (self.line, self.col);
            match c {
                c if c.is_whitespace() => {
                    self.bump();
                }
                '/' => {
                    self.bump();
                    match self.peek() {
                        Some('/') => {
                            while self.peek().is_some_and(|c| c != '\n') {
                                self.bump();
                            }
                        }
                        Some('*') => {
                            self.bump();
                            self.block_comment();
                        }
                        _ => self.push(Tok::Punct('/'), line, col),
                    }
                }
                '"' => {
                    self.bump();
                    let s = self.string();
                    self.push(Tok::Str(s), line, col);
                }
                '`' => {
                    self.bump();
                    self.template();
                    self.push(Tok::Other, line, col);
                }
                '\'' => {
                    self.bump();
                    while let Some(c) = self.bump() {
                        match c {
                            '\\' => {
                                self.bump();
                            }
                            '\'' | '\n' => break,
                            _ => {}
                        }
                    }
                    self.push(Tok::Other, line, col);
                }
                c if c.is_ascii_alphabetic() || c == '_' => {
                    let mut s = String::new();
                    while let Some(c) = self
                        .peek()
                        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    {
                        s.push(c);
                        self.bump();
                    }
                    self.push(Tok::Ident(s), line, col);
                }
                c if c.is_ascii_digit() => {
                    while self
                        .peek()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                    {
                        self.bump();
                    }
                    self.push(Tok::Other, line, col);
                }
                '{' => {
                    self.bump();
                    depth += 1;
                    self.push(Tok::Punct('{'), line, col);
                }
                '}' => {
                    if in_interpolation && depth == 0 {
                        self.bump();
                        return;
                    }
                    self.bump();
                    depth = depth.saturating_sub(1);
                    self.push(Tok::Punct('}'), line, col);
                }
                c => {
                    self.bump();
                    self.push(Tok::Punct(c), line, col);
                }
            }
        }
    }

    fn block_comment(&mut self) {
        // Rhai block comments nest.
        let mut depth = 1usize;
        while let Some(c) = self.bump() {
            match (c, self.peek()) {
                ('*', Some('/')) => {
                    self.bump();
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                ('/', Some('*')) => {
                    self.bump();
                    depth += 1;
                }
                _ => {}
            }
        }
    }

    fn string(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.bump() {
            match c {
                '"' => break,
                '\\' => match self.bump() {
                    Some('n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some(other) => s.push(other),
                    None => break,
                },
                c => s.push(c),
            }
        }
        s
    }

    fn template(&mut self) {
        while let Some(c) = self.bump() {
            match c {
                '`' => return,
                '\\' => {
                    self.bump();
                }
                '$' if self.peek() == Some('{') => {
                    self.bump();
                    self.run(true);
                }
                _ => {}
            }
        }
    }
}

fn tokens(text: &str) -> Vec<Token> {
    let mut lx = Lexer {
        chars: text.chars().peekable(),
        line: 1,
        col: 1,
        out: Vec::new(),
    };
    lx.run(false);
    lx.out
}

/// Reads the functions of a rule file.
pub(crate) fn scan(file: &SourceFile) -> FileScan {
    let toks = tokens(file.text());
    let at = |t: &Token| file.location(t.line, t.col);
    // First pass: function names and body token ranges.
    let mut defs: Vec<(String, Location, usize, usize)> = Vec::new();
    let mut i = 0usize;
    let mut depth = 0usize;
    while let Some(t) = toks.get(i) {
        match &t.tok {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => depth = depth.saturating_sub(1),
            Tok::Ident(kw) if kw == "fn" && depth == 0 => {
                if let Some(Token {
                    tok: Tok::Ident(name),
                    ..
                }) = toks.get(i + 1)
                {
                    let name_tok = toks.get(i + 1);
                    // Skip the parameter list to the body's `{`.
                    let mut j = i + 2;
                    while toks.get(j).is_some_and(|t| t.tok != Tok::Punct('{')) {
                        j += 1;
                    }
                    let body_start = j + 1;
                    let mut d = 0usize;
                    let mut k = j;
                    while let Some(t) = toks.get(k) {
                        match t.tok {
                            Tok::Punct('{') => d += 1,
                            Tok::Punct('}') => {
                                d = d.saturating_sub(1);
                                if d == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        k += 1;
                    }
                    if let Some(nt) = name_tok {
                        defs.push((name.clone(), at(nt), body_start, k));
                    }
                    i = k + 1;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let names: BTreeSet<String> = defs.iter().map(|(n, ..)| n.clone()).collect();
    let mut out = FileScan::default();
    for (name, location, start, end) in defs {
        let body = toks.get(start..end).unwrap_or_default();
        let mut f = FnScan {
            name: name.clone(),
            location,
            facts: Vec::new(),
            params: Vec::new(),
            calls: BTreeSet::new(),
        };
        for (n, t) in body.iter().enumerate() {
            let Tok::Ident(callee) = &t.tok else {
                continue;
            };
            if body.get(n + 1).map(|t| &t.tok) != Some(&Tok::Punct('(')) {
                continue;
            }
            let literal = match (body.get(n + 2), body.get(n + 3).map(|t| &t.tok)) {
                (
                    Some(
                        lit @ Token {
                            tok: Tok::Str(s), ..
                        },
                    ),
                    Some(Tok::Punct(')' | ',')),
                ) => Some((s.clone(), at(lit))),
                _ => None,
            };
            match (callee.as_str(), literal) {
                ("fact", Some(l)) => f.facts.push(l),
                ("param", Some(l)) => f.params.push(l),
                (c, _) if names.contains(c) => {
                    f.calls.insert(c.to_owned());
                }
                _ => {}
            }
        }
        out.functions.entry(name).or_insert(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_literal_reads_and_calls() {
        let f = SourceFile::from_text(
            "r.rhai",
            "// fact(\"in.comment\")\n/* fact(\"x\") /* nested */ */\nfn helper(f) {\n  param(\"min_a\")\n}\n\nfn check() {\n  let f = fact(\"a.b\");\n  let s = `${fact(\"c.d\")} and {`;\n  let c = '}';\n  helper(f) + param_or(\"opt\", 1) + param(\"min_b\")\n}\nfn unused() { fact(\"e.f\") }\n",
        );
        let s = scan(&f);
        assert_eq!(
            s.functions.keys().collect::<Vec<_>>(),
            ["check", "helper", "unused"]
        );
        let check = &s.functions["check"];
        let facts: Vec<String> = check
            .facts
            .iter()
            .map(|(k, l)| format!("{k}@{l}"))
            .collect();
        assert_eq!(facts, ["a.b@r.rhai:8:16", "c.d@r.rhai:9:19"]);
        assert_eq!(check.location.to_string(), "r.rhai:7:4");
        assert!(check.calls.contains("helper"));
        let needed: Vec<String> = s
            .params_needed("check")
            .into_iter()
            .map(|(p, l)| format!("{p}@{l}"))
            .collect();
        assert_eq!(needed, ["min_b@r.rhai:11:42", "min_a@r.rhai:4:9"]);
    }
}
