//! A fast reader for the plain subset of YAML that evidence files are written in (block maps
//! and lists, flow maps and lists, plain and quoted scalars, comments; JSON is flow YAML), so
//! a valid file is not read one character at a time through libyaml. It drives the same typed
//! visitors as `yaml_serde` and resolves each scalar as `yaml_serde` does for the visitor's
//! hint. It keeps no positions and raises no diagnostic: on anything outside its subset, on
//! anything whose reading it is not sure of, and on any error a visitor raises, it gives up
//! and the caller reads the file again with `yaml_serde`, which says what is wrong and where.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, Visitor};

/// The only error: "read this file with the full parser".
#[derive(Debug)]
pub(crate) struct GiveUp;

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("outside the fast reader's subset")
    }
}

impl std::error::Error for GiveUp {}

impl de::Error for GiveUp {
    fn custom<T: fmt::Display>(_: T) -> Self {
        GiveUp
    }
}

type R<T> = Result<T, GiveUp>;

/// Longer keys are left to libyaml, which refuses implicit keys past 1,024 characters.
const MAX_KEY: usize = 1000;
/// Braces as bytes, named so that no unbalanced brace appears inside a function.
const LBRACE: u8 = 0x7b;
const RBRACE: u8 = 0x7d;
/// Deeper nesting is left to `yaml_serde`, which has a recursion limit of its own (128).
const MAX_DEPTH: usize = 100;

/// One parser event, as `yaml_serde` sees the document.
#[derive(Debug, PartialEq)]
enum Ev<'a> {
    /// A scalar and whether it is plain (only plain scalars resolve to null, bool, numbers).
    Scalar(Cow<'a, str>, bool),
    MapStart,
    MapEnd,
    SeqStart,
    SeqEnd,
}

/// Reads `text` into `T`, or gives up.
pub(crate) fn from_str<T: DeserializeOwned>(text: &str) -> R<T> {
    let events = scan(text)?;
    let mut de = De {
        ev: &events,
        pos: 0,
        depth: 0,
    };
    let value = T::deserialize(&mut de)?;
    if de.pos == events.len() {
        Ok(value)
    } else {
        Err(GiveUp)
    }
}

// ---------------------------------------------------------------------------------------------
// Scanning: the text to events.

/// Characters libyaml accepts in a stream, without the ones that are line breaks to it
/// (NEL, LS, PS) or that need care (tabs, carriage returns, a byte-order mark anywhere: files
/// read from disk have theirs removed, and yaml_serde reads one at the start of a text given as
/// text into the first key, so such a text is left to it);
/// and the number of lines that are document markers (`---`, `...`).
fn check_chars(text: &str) -> R<usize> {
    let b = text.as_bytes();
    let mut markers = 0;
    let mut line_start = true;
    for (i, &c) in b.iter().enumerate() {
        if line_start {
            let head = b.get(i..i + 3);
            if (head == Some(b"---") || head == Some(b"..."))
                && matches!(b.get(i + 3), None | Some(b' ' | b'\n'))
            {
                markers += 1;
            }
        }
        line_start = c == b'\n';
        if !(c == b'\n' || (0x20..0x7f).contains(&c) || c >= 0x80) {
            return Err(GiveUp);
        }
    }
    if !text.is_ascii() {
        let printable = |c: char| {
            c.is_ascii()
                || (matches!(c as u32, 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
                    && !matches!(c, '\u{FEFF}' | '\u{2028}' | '\u{2029}'))
        };
        if !text.chars().all(printable) {
            return Err(GiveUp);
        }
    }
    Ok(markers)
}

fn scan(text: &str) -> R<Vec<Ev<'_>>> {
    let markers = check_chars(text)?;
    let mut p = Scanner {
        s: text,
        b: text.as_bytes(),
        i: 0,
        ev: Vec::with_capacity(text.len() / 6),
        depth: 0,
    };
    let (mut indent, mut pos) = p.significant_from(0).ok_or(GiveUp)?;
    let mut used = 0;
    if indent == 0 && p.b.get(pos..pos + 3) == Some(b"---") && matches!(p.at(pos + 3), 0 | b'\n') {
        used = 1;
        p.i = pos + 3;
        (indent, pos) = p.peek_next().ok_or(GiveUp)?;
    }
    if markers != used {
        return Err(GiveUp);
    }
    p.i = pos;
    match p.at(pos) {
        LBRACE | b'[' => {
            p.flow_value(-1)?;
            p.end_of_line()?;
        }
        _ if p.is_dash(pos) => return Err(GiveUp),
        _ => p.block_map(indent)?,
    }
    if p.peek_next().is_some() {
        return Err(GiveUp);
    }
    Ok(p.ev)
}

struct Scanner<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    ev: Vec<Ev<'a>>,
    depth: usize,
}

impl<'a> Scanner<'a> {
    /// The byte at `j`; 0 past the end (the text holds no NUL: [`check_chars`]).
    fn at(&self, j: usize) -> u8 {
        self.b.get(j).copied().unwrap_or(0)
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        Ok(())
    }

    fn skip_spaces(&mut self) {
        while self.at(self.i) == b' ' {
            self.i += 1;
        }
    }

    /// A `-` that opens a block list item.
    fn is_dash(&self, j: usize) -> bool {
        self.at(j) == b'-' && matches!(self.at(j + 1), 0 | b' ' | b'\n')
    }

    /// The first line from the one starting at `ls` that is neither blank nor a comment: its
    /// indentation and the position of its first character.
    fn significant_from(&self, mut ls: usize) -> Option<(usize, usize)> {
        loop {
            let mut j = ls;
            while self.at(j) == b' ' {
                j += 1;
            }
            match self.at(j) {
                0 => return None,
                b'\n' => ls = j + 1,
                b'#' => {
                    while !matches!(self.at(j), 0 | b'\n') {
                        j += 1;
                    }
                    if self.at(j) == 0 {
                        return None;
                    }
                    ls = j + 1;
                }
                _ => return Some((j - ls, j)),
            }
        }
    }

    /// [`Self::significant_from`] the line after the cursor's, which is at a line's end.
    fn peek_next(&self) -> Option<(usize, usize)> {
        match self.at(self.i) {
            b'\n' => self.significant_from(self.i + 1),
            _ => None,
        }
    }

    /// Spaces, then a comment or nothing up to the end of the line.
    fn end_of_line(&mut self) -> R<()> {
        self.skip_spaces();
        match self.at(self.i) {
            0 | b'\n' => Ok(()),
            b'#' if self.at(self.i.wrapping_sub(1)) == b' ' => {
                while !matches!(self.at(self.i), 0 | b'\n') {
                    self.i += 1;
                }
                Ok(())
            }
            _ => Err(GiveUp),
        }
    }

    fn push_plain(&mut self, v: &'a str) {
        self.ev.push(Ev::Scalar(Cow::Borrowed(v), true));
    }

    /// A quoted or plain scalar (a key, or a block value) at the cursor.
    fn scalar(&mut self, flow: bool) -> R<()> {
        if matches!(self.at(self.i), b'"' | b'\'') {
            let v = self.quoted()?;
            self.ev.push(Ev::Scalar(v, false));
        } else {
            let v = self.plain(flow)?;
            self.push_plain(v);
        }
        Ok(())
    }

    /// A block map whose keys are at column `col`; the cursor is on its first key.
    fn block_map(&mut self, col: usize) -> R<()> {
        self.enter()?;
        self.ev.push(Ev::MapStart);
        loop {
            let start = self.i;
            self.scalar(false)?;
            if self.i - start > MAX_KEY {
                return Err(GiveUp);
            }
            self.skip_spaces();
            if self.at(self.i) != b':' || !matches!(self.at(self.i + 1), 0 | b' ' | b'\n') {
                return Err(GiveUp);
            }
            self.i += 1;
            self.block_value(col, true)?;
            match self.peek_next() {
                None => break,
                Some((indent, pos)) if indent == col && !self.is_dash(pos) => self.i = pos,
                Some((indent, _)) if indent < col => break,
                Some(_) => return Err(GiveUp),
            }
        }
        self.ev.push(Ev::MapEnd);
        self.depth -= 1;
        Ok(())
    }

    /// The value after a block map's `key:` or a list's `- `, in a collection at column
    /// `col`; `compact` when a list at the same column may follow (a map's value).
    fn block_value(&mut self, col: usize, compact: bool) -> R<()> {
        self.skip_spaces();
        match self.at(self.i) {
            0 | b'\n' | b'#' => {
                self.end_of_line()?;
                return self.block_nested(col, compact);
            }
            LBRACE | b'[' => self.flow_value(col as isize)?,
            _ => self.scalar(false)?,
        }
        self.end_of_line()?;
        // A deeper line would continue a plain scalar (or be an error): left to libyaml.
        match self.peek_next() {
            Some((indent, _)) if indent > col => Err(GiveUp),
            _ => Ok(()),
        }
    }

    /// What follows a key or a `-` with nothing after it on its line: a deeper block map or
    /// list, a list at the same column (`compact`), or an empty (null) scalar.
    fn block_nested(&mut self, col: usize, compact: bool) -> R<()> {
        match self.peek_next() {
            Some((indent, pos)) if indent > col => {
                self.i = pos;
                if self.is_dash(pos) {
                    self.block_seq(indent)
                } else {
                    self.block_map(indent)
                }
            }
            Some((indent, pos)) if indent == col && compact && self.is_dash(pos) => {
                self.i = pos;
                self.block_seq(col)
            }
            _ => {
                self.push_plain("");
                Ok(())
            }
        }
    }

    /// A block list whose `-` are at column `col`; the cursor is on the first `-`.
    fn block_seq(&mut self, col: usize) -> R<()> {
        self.enter()?;
        self.ev.push(Ev::SeqStart);
        loop {
            let dash = self.i;
            self.i += 1;
            self.skip_spaces();
            let start = self.i;
            match self.at(start) {
                0 | b'\n' | b'#' => {
                    self.end_of_line()?;
                    self.block_nested(col, false)?;
                }
                LBRACE | b'[' => self.block_value(col, false)?,
                _ if self.is_dash(start) => return Err(GiveUp),
                c => {
                    // `- key: value` opens a map whose keys are in the key's column.
                    if c == b'"' || c == b'\'' {
                        self.quoted()?;
                    } else {
                        self.plain(false)?;
                    }
                    self.skip_spaces();
                    let is_key =
                        self.at(self.i) == b':' && matches!(self.at(self.i + 1), 0 | b' ' | b'\n');
                    self.i = start;
                    if is_key {
                        self.block_map(col + (start - dash))?;
                    } else {
                        self.block_value(col, false)?;
                    }
                }
            }
            match self.peek_next() {
                None => break,
                Some((indent, pos)) if indent == col && self.is_dash(pos) => self.i = pos,
                Some((indent, _)) if indent <= col => break,
                Some(_) => return Err(GiveUp),
            }
        }
        self.ev.push(Ev::SeqEnd);
        self.depth -= 1;
        Ok(())
    }

    /// Spaces, line breaks and comments inside a flow collection; every line it reaches must
    /// be indented deeper than `block_col`, the column of the block collection around it.
    fn flow_space(&mut self, block_col: isize) -> R<()> {
        loop {
            match self.at(self.i) {
                b' ' => self.i += 1,
                b'\n' => {
                    self.i += 1;
                    let ls = self.i;
                    self.skip_spaces();
                    let indent = (self.i - ls) as isize;
                    if !matches!(self.at(self.i), 0 | b'\n' | b'#') && indent <= block_col {
                        return Err(GiveUp);
                    }
                }
                b'#' if matches!(self.at(self.i.wrapping_sub(1)), b' ' | b'\n') => {
                    while !matches!(self.at(self.i), 0 | b'\n') {
                        self.i += 1;
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// A flow map, list or scalar inside (or opening) a flow collection.
    fn flow_value(&mut self, block_col: isize) -> R<()> {
        match self.at(self.i) {
            LBRACE => self.flow_map(block_col),
            b'[' => self.flow_seq(block_col),
            b'"' | b'\'' => {
                let v = self.quoted()?;
                self.ev.push(Ev::Scalar(v, false));
                Ok(())
            }
            _ => {
                let v = self.plain(true)?;
                // A plain scalar that reaches the end of its line goes on over the next one
                // unless that starts with `,`, `]`, a closing brace or a comment: folding is left to libyaml.
                let mut j = self.i;
                while matches!(self.at(j), b' ' | b'\n') {
                    j += 1;
                }
                if self
                    .b
                    .get(self.i..j)
                    .is_some_and(|gap| gap.contains(&b'\n'))
                    && !matches!(self.at(j), b',' | b']' | RBRACE | b'#')
                {
                    return Err(GiveUp);
                }
                self.push_plain(v);
                Ok(())
            }
        }
    }

    fn flow_map(&mut self, block_col: isize) -> R<()> {
        self.ev.push(Ev::MapStart);
        self.flow_items(block_col, RBRACE, |p| {
            let start = p.i;
            p.scalar(true)?;
            // The key's `:` on the key's line, within libyaml's limit for implicit keys.
            p.skip_spaces();
            if p.i - start > MAX_KEY || p.at(p.i) != b':' {
                return Err(GiveUp);
            }
            p.i += 1;
            p.flow_space(block_col)?;
            if matches!(p.at(p.i), b',' | RBRACE) {
                return Err(GiveUp);
            }
            p.flow_value(block_col)
        })?;
        self.ev.push(Ev::MapEnd);
        Ok(())
    }

    fn flow_seq(&mut self, block_col: isize) -> R<()> {
        self.ev.push(Ev::SeqStart);
        // Anything else after an item, `:` included (a single-pair map inside the list), is
        // given up on.
        self.flow_items(block_col, b']', |p| p.flow_value(block_col))?;
        self.ev.push(Ev::SeqEnd);
        Ok(())
    }

    /// The items of a flow collection from its opening bracket to `close`, one `item` each,
    /// separated by commas; an empty item (`[a,,b]`, a trailing comma) is given up on.
    fn flow_items(
        &mut self,
        block_col: isize,
        close: u8,
        mut item: impl FnMut(&mut Self) -> R<()>,
    ) -> R<()> {
        self.enter()?;
        self.i += 1;
        self.flow_space(block_col)?;
        if self.at(self.i) == close {
            self.i += 1;
        } else {
            loop {
                item(self)?;
                self.flow_space(block_col)?;
                match self.at(self.i) {
                    b',' => {
                        self.i += 1;
                        self.flow_space(block_col)?;
                        if self.at(self.i) == close {
                            return Err(GiveUp);
                        }
                    }
                    c if c == close => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(GiveUp),
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// A plain scalar on one line, as libyaml's scanner ends it: at `: `, ` #` or the line's
    /// end, and in a flow collection at `,`, `[`, `]`, `{` or `}`; trailing spaces are not
    /// part of it. The cursor ends after its last character.
    fn plain(&mut self, flow: bool) -> R<&'a str> {
        let start = self.i;
        let first = self.at(start);
        let ok_start = match first {
            b'-' => self.at(start + 1).is_ascii_alphanumeric() || self.at(start + 1) == b'.',
            b'?' | b':' | b',' | b'[' | b']' | LBRACE | RBRACE | b'#' | b'&' | b'*' | b'!'
            | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ' | b'\n' | 0 => false,
            _ => true,
        };
        if !ok_start {
            return Err(GiveUp);
        }
        let mut j = start;
        let mut end = start;
        loop {
            match self.at(j) {
                0 | b'\n' => break,
                b' ' => {
                    j += 1;
                    continue;
                }
                b'#' if self.at(j - 1) == b' ' => break,
                // `a#b` is a plain `a#b` to libyaml; rare enough to leave to it.
                b'#' => return Err(GiveUp),
                b':' => {
                    let next = self.at(j + 1);
                    if matches!(next, 0 | b' ' | b'\n') {
                        break;
                    }
                    if flow && matches!(next, b',' | b'?' | b'[' | b']' | LBRACE | RBRACE) {
                        return Err(GiveUp);
                    }
                }
                b',' | b'[' | b']' | LBRACE | RBRACE if flow => break,
                _ => {}
            }
            j += 1;
            end = j;
        }
        self.i = end;
        self.s.get(start..end).ok_or(GiveUp)
    }

    /// A single- or double-quoted scalar on one line (a line break inside is folded: left to
    /// libyaml), with the escapes JSON has; borrowed when it holds no escape.
    fn quoted(&mut self) -> R<Cow<'a, str>> {
        let quote = self.at(self.i);
        self.i += 1;
        let mut seg = self.i;
        let mut owned: Option<String> = None;
        loop {
            let c = self.at(self.i);
            match c {
                0 | b'\n' => return Err(GiveUp),
                b'\'' if quote == b'\'' && self.at(self.i + 1) == b'\'' => {
                    let part = self.s.get(seg..=self.i).ok_or(GiveUp)?;
                    owned.get_or_insert_with(String::new).push_str(part);
                    self.i += 2;
                    seg = self.i;
                }
                b'\\' if quote == b'"' => {
                    let part = self.s.get(seg..self.i).ok_or(GiveUp)?;
                    let out = owned.get_or_insert_with(String::new);
                    out.push_str(part);
                    let (ch, len) = self.escape()?;
                    out.push(ch);
                    self.i += len;
                    seg = self.i;
                }
                _ if c == quote => break,
                _ => self.i += 1,
            }
        }
        let tail = self.s.get(seg..self.i).ok_or(GiveUp)?;
        self.i += 1;
        Ok(match owned {
            None => Cow::Borrowed(tail),
            Some(mut out) => {
                out.push_str(tail);
                Cow::Owned(out)
            }
        })
    }

    /// The escape at the cursor (a `\`) and its length.
    fn escape(&self) -> R<(char, usize)> {
        let ch = match self.at(self.i + 1) {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'n' => '\n',
            b't' => '\t',
            b'r' => '\r',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'u' => {
                let hex = self.s.get(self.i + 2..self.i + 6).ok_or(GiveUp)?;
                if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                    return Err(GiveUp);
                }
                let code = u32::from_str_radix(hex, 16).map_err(|_| GiveUp)?;
                // libyaml refuses surrogates, paired or not; serde_json would pair them.
                return char::from_u32(code).map(|c| (c, 6)).ok_or(GiveUp);
            }
            _ => return Err(GiveUp),
        };
        Ok((ch, 2))
    }
}

// ---------------------------------------------------------------------------------------------
// Resolving plain scalars, as yaml_serde's `visit_untagged_scalar` does.

#[derive(Debug, PartialEq)]
enum Plain<'a> {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(&'a str),
}

fn is_null(s: &str) -> bool {
    s.is_empty() || matches!(s, "null" | "Null" | "NULL" | "~")
}

/// What a plain scalar is, for `deserialize_any`; `None` for a spelling whose reading is not
/// certain here (hex, octal, leading zeros, `+`, `.5`, exponents, `.inf`, huge numbers…).
fn resolve(s: &str) -> Option<Plain<'_>> {
    if is_null(s) {
        return Some(Plain::Null);
    }
    match s {
        "true" | "True" | "TRUE" => return Some(Plain::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Plain::Bool(false)),
        _ => {}
    }
    let first = *s.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        // No integer or finite float starts otherwise (`inf` and `nan` are not finite).
        return Some(Plain::Str(s));
    }
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if all_digits(int) && !(int.len() > 1 && int.starts_with('0')) {
        match frac {
            None if neg => return s.parse::<i64>().ok().map(Plain::I64),
            None => return s.parse::<u64>().ok().map(Plain::U64),
            Some(f) if all_digits(f) => {
                return s
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .map(Plain::F64)
            }
            Some(_) => return None,
        }
    }
    // A date and the like: digits and inner `-` are neither an integer nor a float.
    if first.is_ascii_digit() && s.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return Some(Plain::Str(s));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Deserializing from the events, with yaml_serde's reading for each hint.

struct De<'a, 'e> {
    ev: &'e [Ev<'a>],
    pos: usize,
    depth: usize,
}

impl<'a, 'e> De<'a, 'e> {
    fn peek(&self) -> R<&'e Ev<'a>> {
        self.ev.get(self.pos).ok_or(GiveUp)
    }

    fn next(&mut self) -> R<&'e Ev<'a>> {
        let e = self.peek()?;
        self.pos += 1;
        Ok(e)
    }

    /// The map or list whose start was just read; it must be read to its end, as yaml_serde
    /// refuses a visitor that stops early.
    fn nested<V: Visitor<'a>>(&mut self, visitor: V, map: bool) -> R<V::Value> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        let value = if map {
            visitor.visit_map(Access {
                de: self,
                empty: false,
            })?
        } else {
            visitor.visit_seq(Access {
                de: self,
                empty: false,
            })?
        };
        match (self.next()?, map) {
            (Ev::MapEnd, true) | (Ev::SeqEnd, false) => {}
            _ => return Err(GiveUp),
        }
        self.depth -= 1;
        Ok(value)
    }
}

fn visit_text<'a, V: Visitor<'a>>(visitor: V, s: &Cow<'a, str>) -> R<V::Value> {
    match s {
        Cow::Borrowed(b) => visitor.visit_borrowed_str(b),
        Cow::Owned(o) => visitor.visit_str(o),
    }
}

macro_rules! give_up {
    ($($name:ident $(, $arg:ty)*;)*) => {$(
        fn $name<V: Visitor<'a>>(self, $(_: $arg,)* _visitor: V) -> R<V::Value> {
            Err(GiveUp)
        }
    )*};
}

impl<'a> Deserializer<'a> for &mut De<'a, '_> {
    type Error = GiveUp;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> R<V::Value> {
        match self.next()? {
            Ev::Scalar(s, true) => match resolve(s).ok_or(GiveUp)? {
                Plain::Null => visitor.visit_unit(),
                Plain::Bool(b) => visitor.visit_bool(b),
                Plain::U64(n) => visitor.visit_u64(n),
                Plain::I64(n) => visitor.visit_i64(n),
                Plain::F64(n) => visitor.visit_f64(n),
                Plain::Str(_) => visit_text(visitor, s),
            },
            Ev::Scalar(s, false) => visit_text(visitor, s),
            Ev::MapStart => self.nested(visitor, true),
            Ev::SeqStart => self.nested(visitor, false),
            Ev::MapEnd | Ev::SeqEnd => Err(GiveUp),
        }
    }

    fn deserialize_str<V: Visitor<'a>>(self, visitor: V) -> R<V::Value> {
        match self.next()? {
            Ev::Scalar(s, _) => visit_text(visitor, s),
            _ => Err(GiveUp),
        }
    }

    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> R<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> R<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> R<V::Value> {
        match self.peek()? {
            Ev::Scalar(s, true) if is_null(s) => {
                self.pos += 1;
                visitor.visit_none()
            }
            Ev::MapEnd | Ev::SeqEnd => Err(GiveUp),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'a>>(self, visitor: V) -> R<V::Value> {
        match self.next()? {
            Ev::SeqStart => self.nested(visitor, false),
            Ev::Scalar(s, true) if s.is_empty() => visitor.visit_seq(Access {
                de: self,
                empty: true,
            }),
            _ => Err(GiveUp),
        }
    }

    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> R<V::Value> {
        match self.next()? {
            Ev::MapStart => self.nested(visitor, true),
            Ev::Scalar(s, true) if s.is_empty() => visitor.visit_map(Access {
                de: self,
                empty: true,
            }),
            _ => Err(GiveUp),
        }
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> R<V::Value> {
        self.deserialize_map(visitor)
    }

    // Hints evidence does not use: left to yaml_serde rather than guessed.
    give_up! {
        deserialize_bool; deserialize_i8; deserialize_i16; deserialize_i32; deserialize_i64;
        deserialize_u8; deserialize_u16; deserialize_u32; deserialize_u64; deserialize_f32;
        deserialize_f64; deserialize_char; deserialize_bytes; deserialize_byte_buf;
        deserialize_unit; deserialize_ignored_any;
        deserialize_unit_struct, &'static str;
        deserialize_newtype_struct, &'static str;
        deserialize_tuple, usize;
        deserialize_tuple_struct, &'static str, usize;
        deserialize_enum, &'static str, &'static [&'static str];
    }
}

/// Entries of a map or items of a list; `empty` for an empty plain scalar read as either.
struct Access<'d, 'a, 'e> {
    de: &'d mut De<'a, 'e>,
    empty: bool,
}

impl<'a> de::MapAccess<'a> for Access<'_, 'a, '_> {
    type Error = GiveUp;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> R<Option<K::Value>> {
        if self.empty {
            return Ok(None);
        }
        match self.de.peek()? {
            Ev::MapEnd => Ok(None),
            Ev::Scalar(..) => seed.deserialize(&mut *self.de).map(Some),
            _ => Err(GiveUp),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> R<V::Value> {
        if self.empty {
            return Err(GiveUp);
        }
        seed.deserialize(&mut *self.de)
    }
}

impl<'a> de::SeqAccess<'a> for Access<'_, 'a, '_> {
    type Error = GiveUp;

    fn next_element_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> R<Option<T::Value>> {
        if self.empty {
            return Ok(None);
        }
        match self.de.peek()? {
            Ev::SeqEnd => Ok(None),
            Ev::MapEnd => Err(GiveUp),
            _ => seed.deserialize(&mut *self.de).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_resolve_as_yaml_serde_does_or_not_at_all() {
        let cases: [(&str, Option<Plain>); 30] = [
            ("", Some(Plain::Null)),
            ("~", Some(Plain::Null)),
            ("null", Some(Plain::Null)),
            ("NULL", Some(Plain::Null)),
            ("nil", Some(Plain::Str("nil"))),
            ("true", Some(Plain::Bool(true))),
            ("False", Some(Plain::Bool(false))),
            ("yes", Some(Plain::Str("yes"))),
            ("no", Some(Plain::Str("no"))),
            ("on", Some(Plain::Str("on"))),
            ("0", Some(Plain::U64(0))),
            ("90", Some(Plain::U64(90))),
            ("-0", Some(Plain::I64(0))),
            ("-12", Some(Plain::I64(-12))),
            ("99.95", Some(Plain::F64(99.95))),
            ("-0.5", Some(Plain::F64(-0.5))),
            ("2024-04-03", Some(Plain::Str("2024-04-03"))),
            ("inf", Some(Plain::Str("inf"))),
            ("nan", Some(Plain::Str("nan"))),
            ("src-1", Some(Plain::Str("src-1"))),
            ("0x1F", None),
            ("0o17", None),
            ("1e3", None),
            (".5", None),
            ("1.", None),
            ("+1", None),
            ("01", Some(Plain::Str("01"))),
            (".inf", None),
            ("18446744073709551616", None),
            ("1_000", None),
        ];
        for (text, want) in cases {
            assert_eq!(resolve(text), want, "{text:?}");
        }
    }

    fn events(text: &str) -> Option<Vec<Ev<'_>>> {
        scan(text).ok()
    }

    #[test]
    fn reads_block_flow_and_quoted_text() {
        use Ev::*;
        let s = |v: &'static str, plain| Scalar(Cow::Borrowed(v), plain);
        assert_eq!(
            events("a: {x: 1, 'y''s': \"q\\n\"}\nb:\n- c d\n- [e]\n# end\n"),
            Some(vec![
                MapStart,
                s("a", true),
                MapStart,
                s("x", true),
                s("1", true),
                Scalar(Cow::Owned("y's".into()), false),
                Scalar(Cow::Owned("q\n".into()), false),
                MapEnd,
                s("b", true),
                SeqStart,
                s("c d", true),
                SeqStart,
                s("e", true),
                SeqEnd,
                SeqEnd,
                MapEnd,
            ])
        );
        assert_eq!(
            events("{\"a\":[1,\n  2], \"b\": {}}"),
            Some(vec![
                MapStart,
                s("a", false),
                SeqStart,
                s("1", true),
                s("2", true),
                SeqEnd,
                s("b", false),
                MapStart,
                MapEnd,
                MapEnd,
            ])
        );
    }

    #[test]
    fn gives_up_outside_the_subset() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: |\n  x\n",
            "a: >\n  x\n",
            "? a\n: b\n",
            "a:\tb\n",
            "a: b\n  c\n",
            "a: {x: b\n  c}\n",
            "a: \"x\n  y\"\n",
            "%YAML 1.2\n---\na: 1\n",
            "a: 1\n---\nb: 2\n",
            "a: 1\n...\n",
            "a: b: c\n",
            "a: [x: 1]\n",
            "a: {x: 1,}\n",
            "a: {x}\n",
            "a: \"\\ud800\"\n",
            "a: \"\\x41\"\n",
            "a:b\n",
            "a: 1\n b: 2\n",
            "a: 1\r\n",
            "a: x#y\n",
            " - a\n",
            "a: {x: 1}\nb: {\ny: 2}\n",
            "\u{85}a: 1\n",
        ] {
            assert_eq!(events(text), None, "{text:?}");
        }
        let long = format!("{}: 1\n", "k".repeat(1100));
        assert_eq!(events(&long), None);
    }

    /// Texts made of random pieces of YAML syntax: wherever the fast reader accepts one, the
    /// value (as a generic JSON value, read through `deserialize_any`) is `yaml_serde`'s.
    const PIECES: &[&str] = &[
        "a",
        "b c",
        "k1",
        "x.y",
        ": ",
        ":",
        "\n",
        "\n  ",
        "\n    ",
        "  ",
        "- ",
        "-",
        "{",
        "}",
        "[",
        "]",
        ", ",
        ",",
        "\"q\"",
        "\"\\n\\u00e9\"",
        "\"\\ud800\"",
        "'s''t'",
        "'",
        "\"",
        "#c",
        " # c",
        "~",
        "null",
        "yes",
        "true",
        "False",
        "0",
        "-0",
        "01",
        "0x1F",
        "1e3",
        ".5",
        "1.",
        "+1",
        "99.95",
        "-2.5",
        "2024-04-03",
        "18446744073709551616",
        "-9223372036854775809",
        "&a ",
        "*a",
        "!!str ",
        "? ",
        "|",
        ">",
        "\t",
        "---",
        "...",
        "%",
        "@",
        "http://x",
        "a#b",
        "\u{e9}",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]
        #[test]
        fn accepted_texts_read_as_yaml_serde_reads_them(
            start in 0..5usize,
            picks in proptest::collection::vec(0..PIECES.len(), 1..14)
        ) {
            let starts = ["k: ", "k:\n  ", "{", "k: [", ""];
            let mut text = starts.get(start).copied().unwrap_or_default().to_owned();
            text.extend(picks.iter().filter_map(|&i| PIECES.get(i).copied()));
            if let Ok(fast) = from_str::<serde_json::Value>(&text) {
                let full = yaml_serde::from_str::<serde_json::Value>(&text);
                proptest::prop_assert_eq!(full.ok(), Some(fast), "{:?}", text);
            }
        }
    }
}
