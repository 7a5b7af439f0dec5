//! Input files and positions, so every diagnostic can point at `file:line:col` of a real file.

use std::fmt;
use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::input::error::InputError;

/// Inputs larger than this are refused before parsing: the YAML parser needs seconds to reject
/// a megabyte of nesting, and no honest rule pack or evidence file comes close.
pub const MAX_INPUT_BYTES: usize = 4 * 1024 * 1024;

/// One input file, read once: its display name, its text and its SHA-256.
#[derive(Clone, Debug)]
pub struct SourceFile {
    name: Arc<str>,
    text: Arc<str>,
    sha256: Arc<str>,
    builtin: bool,
    origin: Option<Arc<Origin>>,
}

/// Where an excerpt was cut from: a document sent inside a larger text (a request body), so
/// that the positions of its diagnostics are those of the larger text. The excerpt's own text
/// (and so its hash) is the document alone.
#[derive(Clone, Debug)]
pub struct Origin {
    /// The whole text, for the line a diagnostic shows.
    outer: Arc<str>,
    /// Lines of the outer text above the excerpt's first line.
    line: usize,
    /// Columns of the outer text before the excerpt on its first line.
    first_col: usize,
    /// Columns removed from the start of each later line (the indentation of a YAML block
    /// that was cut out of a deeper one).
    col: usize,
}

impl Origin {
    /// An excerpt of `outer` starting at 1-based `line` and `col`, whose later lines lost
    /// `indent` leading columns.
    pub fn new(outer: Arc<str>, line: usize, col: usize, indent: usize) -> Self {
        Origin {
            outer,
            line: line.saturating_sub(1),
            first_col: col.saturating_sub(1),
            col: indent,
        }
    }
}

impl SourceFile {
    /// A file compiled into the binary (the built-in rules, profiles and providers).
    pub fn builtin(name: &str, text: &str) -> Self {
        Self::new(name, text.to_owned(), true)
    }

    /// Text supplied by an embedder; `name` is what diagnostics will show.
    pub fn from_text(name: &str, text: impl Into<String>) -> Self {
        Self::new(name, text.into(), false)
    }

    /// A document cut out of a larger text (see [`Origin`]): its diagnostics point into the
    /// larger text.
    pub fn excerpt(name: &str, text: impl Into<String>, origin: Origin) -> Self {
        let mut f = Self::new(name, text.into(), false);
        f.origin = Some(Arc::new(origin));
        f
    }

    fn new(name: &str, text: String, builtin: bool) -> Self {
        let sha = hex(&Sha256::digest(text.as_bytes()));
        SourceFile {
            name: Arc::from(name),
            text: Arc::from(text),
            sha256: Arc::from(sha),
            builtin,
            origin: None,
        }
    }

    /// Reads a file from disk, refusing files over [`MAX_INPUT_BYTES`] and text that is not
    /// UTF-8 (with the position of the first bad byte).
    pub fn read(path: &Path) -> Result<Self, InputError> {
        let name = display_path(path);
        let meta = std::fs::metadata(path).map_err(|e| InputError::io(&name, &e))?;
        if meta.is_dir() {
            return Err(InputError::io_msg(
                &name,
                "is a directory",
                "give the path of a YAML file",
            ));
        }
        if meta.len() > MAX_INPUT_BYTES as u64 {
            return Err(InputError::too_large(&name, meta.len()));
        }
        // The size from metadata is not a bound: `/dev/zero`, a pipe or a growing file report
        // 0 or less than they hold, so the read itself stops one byte past the cap.
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_INPUT_BYTES as u64 + 1).read_to_end(&mut bytes))
            .map_err(|e| InputError::io(&name, &e))?;
        if bytes.len() > MAX_INPUT_BYTES {
            return Err(InputError::too_large(&name, bytes.len() as u64));
        }
        match String::from_utf8(bytes) {
            // A byte-order mark (editors on Windows write one) is encoding, not text: YAML
            // would read it as part of the first key.
            Ok(text) => Ok(Self::new(
                &name,
                match text.strip_prefix('\u{feff}') {
                    Some(rest) => rest.to_owned(),
                    None => text,
                },
                false,
            )),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let prefix = String::from_utf8_lossy(bytes.get(..valid).unwrap_or_default());
                let loc = Location::at_offset(&name, &prefix, valid);
                Err(InputError::invalid_utf8(loc))
            }
        }
    }

    /// The name shown in diagnostics and reports (a path as the user gave it, or
    /// `rules/hipaa.yaml` for built-in content).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The directory part of the name (empty for a bare file name): the references a file
    /// makes (a check's `FILE.rhai`, an `extends` path) are relative to it.
    pub fn dir(&self) -> &str {
        self.name.rsplit_once('/').map_or("", |(dir, _)| dir)
    }

    /// The shared name, cheap to clone into locations.
    pub fn name_arc(&self) -> Arc<str> {
        self.name.clone()
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The shared text, cheap to clone into an excerpt's [`Origin`].
    pub fn text_arc(&self) -> Arc<str> {
        self.text.clone()
    }

    /// Lowercase hex SHA-256 of the text.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// True for content compiled into the binary.
    pub fn is_builtin(&self) -> bool {
        self.builtin
    }

    /// The location of 1-based `line` and `col` in this file, with that line's text (for an
    /// excerpt, the position and line in the text it was cut from).
    pub fn location(&self, line: usize, col: usize) -> Location {
        match &self.origin {
            None => Location::new(self.name.clone(), line, col, line_text(&self.text, line)),
            Some(o) => {
                let line = line.max(1);
                let shift = if line == 1 { o.first_col } else { o.col };
                let outer_line = line + o.line;
                Location::new(
                    self.name.clone(),
                    outer_line,
                    col.max(1) + shift,
                    line_text(&o.outer, outer_line),
                )
            }
        }
    }

    /// The location of a byte offset in this file.
    pub fn location_at(&self, offset: usize) -> Location {
        let (line, col) = position_at(&self.text, offset);
        self.location(line, col)
    }

    /// A summary of this input for a report's `inputs`.
    pub fn input_hash(&self, kind: &'static str) -> InputHash {
        InputHash {
            kind,
            name: self.name.clone(),
            sha256: self.sha256.clone(),
            builtin: self.builtin,
        }
    }
}

/// The SHA-256 of one input of a report, so a reader can tell which files produced it. The
/// name and hash are the file's own, shared with every report rather than copied into each
/// (copying the thirty of a built-in score was two allocations a file).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct InputHash {
    /// `vocabulary`, `catalog`, `rule`, `parameters`, `profile` or `evidence`.
    pub kind: &'static str,
    /// The file's name as shown in diagnostics.
    #[schemars(with = "String")]
    pub name: Arc<str>,
    /// Lowercase hex SHA-256 of its text.
    #[schemars(with = "String")]
    pub sha256: Arc<str>,
    /// True for content compiled into the binary.
    pub builtin: bool,
}

/// A position in an input file: 1-based line and column (in characters), with the text of the
/// line for rendering a caret under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    file: Arc<str>,
    line: usize,
    col: usize,
    line_text: Option<Arc<str>>,
}

impl Location {
    /// A location; `line_text` is the full text of that line when known.
    pub fn new(file: Arc<str>, line: usize, col: usize, line_text: Option<String>) -> Self {
        Location {
            file,
            line: line.max(1),
            col: col.max(1),
            line_text: line_text.map(Arc::from),
        }
    }

    /// The start of a file, for errors about the file as a whole.
    pub fn file_start(file: &str) -> Self {
        Location::new(Arc::from(file), 1, 1, None)
    }

    fn at_offset(file: &str, text: &str, offset: usize) -> Self {
        let (line, col) = position_at(text, offset);
        Location::new(Arc::from(file), line, col, line_text(text, line))
    }

    /// The file's display name.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// 1-based line.
    pub fn line(&self) -> usize {
        self.line
    }

    /// 1-based column, in characters.
    pub fn col(&self) -> usize {
        self.col
    }

    /// The text of the line, when known.
    pub fn line_text(&self) -> Option<&str> {
        self.line_text.as_deref()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

impl schemars::JsonSchema for Location {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Location".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "description": "file:line:col"})
    }
}

impl Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The 1-based line and column (in characters) of a byte offset in a text.
pub fn position_at(text: &str, offset: usize) -> (usize, usize) {
    let mut line = 1;
    let mut col = 1;
    for (i, ch) in text.char_indices() {
        if i >= offset {
            break;
        }
        if ch == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    (line, col)
}

fn line_text(text: &str, line: usize) -> Option<String> {
    text.lines()
        .nth(line.checked_sub(1)?)
        .map(|l| l.trim_end_matches('\r').to_owned())
}

/// Paths are shown as the user typed them, with `/` separators, so reports do not depend on
/// the platform.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report's input is the file's own name and hash, not a copy: a built-in score lists
    /// thirty inputs, and copying them was two allocations a file for every report.
    #[test]
    fn an_input_hash_shares_the_files_name_and_hash() {
        let f = SourceFile::builtin("rules/x.yaml", "a: 1\n");
        let (a, b) = (f.input_hash("catalog"), f.input_hash("catalog"));
        assert_eq!(
            (a.kind, &*a.name, &*a.sha256, a.builtin),
            ("catalog", "rules/x.yaml", f.sha256(), true)
        );
        assert_eq!(a.sha256.len(), 64);
        assert!(std::ptr::eq(a.name.as_ptr(), f.name().as_ptr()));
        assert!(std::ptr::eq(a.sha256.as_ptr(), f.sha256().as_ptr()));
        assert!(Arc::ptr_eq(&a.name, &b.name) && Arc::ptr_eq(&a.sha256, &b.sha256));
    }
}
