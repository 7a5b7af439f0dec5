//! Typed errors, one enum per stage (reading inputs, building the graph, resolving a profile,
//! compiling rules, command-line usage), each carrying `file:line:col` and a hint, and one
//! rendering of them as rustc-style diagnostics.
//!
//! Wording follows one rule: lowercase, no final period, user values in backticks, advice in
//! the hint.

use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::input::source::Location;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input cannot be used.
    Error,
    /// The input works but is probably not what was meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A rendered-ready finding: what, where, and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// One line: what is wrong.
    pub message: String,
    /// Where, when known.
    pub location: Option<Location>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error diagnostic.
    pub fn error(
        message: impl Into<String>,
        location: Option<Location>,
        hint: Option<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location,
            hint,
        }
    }

    /// A warning diagnostic.
    pub fn warning(
        message: impl Into<String>,
        location: Option<Location>,
        hint: Option<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            message: message.into(),
            location,
            hint,
        }
    }

    /// Renders like rustc: the message, `--> file:line:col`, the source line with a caret under
    /// the column, then the hint. `color` adds ANSI colours (only for terminals).
    pub fn render(&self, color: bool) -> String {
        let (bold, red, yellow, blue, cyan, reset) = if color {
            (
                "\x1b[1m",
                "\x1b[1;31m",
                "\x1b[1;33m",
                "\x1b[1;34m",
                "\x1b[1;36m",
                "\x1b[0m",
            )
        } else {
            ("", "", "", "", "", "")
        };
        let sev_color = match self.severity {
            Severity::Error => red,
            Severity::Warning => yellow,
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{sev_color}{}{reset}{bold}: {}{reset}",
            self.severity, self.message
        );
        if let Some(loc) = &self.location {
            let line_no = loc.line().to_string();
            let pad = " ".repeat(line_no.len());
            let _ = writeln!(out, "{pad}{blue}-->{reset} {loc}");
            if let Some(text) = loc.line_text() {
                let shown: String = text.chars().take(160).collect();
                let caret_pad: String = shown
                    .chars()
                    .take(loc.col().saturating_sub(1))
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let _ = writeln!(out, "{pad} {blue}|{reset}");
                let _ = writeln!(out, "{blue}{line_no} |{reset} {shown}");
                let _ = writeln!(out, "{pad} {blue}|{reset} {caret_pad}{sev_color}^{reset}");
            }
            if let Some(hint) = &self.hint {
                let _ = writeln!(out, "{pad} {blue}={reset} {cyan}help{reset}: {hint}");
            }
        } else if let Some(hint) = &self.hint {
            let _ = writeln!(out, "  {blue}={reset} {cyan}help{reset}: {hint}");
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{loc}: {}", self.message)?,
            None => f.write_str(&self.message)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, " (help: {hint})")?;
        }
        Ok(())
    }
}

/// Reading and parsing one input file (YAML syntax, types, unknown fields and keys, values out
/// of range, references inside the file).
#[derive(Clone, Debug, thiserror::Error)]
#[expect(
    missing_docs,
    reason = "variant fields say what they hold: location, message, hint, file"
)]
pub enum InputError {
    /// The file could not be read.
    #[error("cannot read `{file}`: {message}")]
    Io {
        file: String,
        message: String,
        hint: String,
    },
    /// The file exceeds the size cap.
    #[error("`{file}` is {size} bytes, over the {cap} byte limit for one input")]
    TooLarge { file: String, size: u64, cap: usize },
    /// The file is not UTF-8 text.
    #[error("{location}: the file is not UTF-8 text")]
    InvalidUtf8 { location: Location },
    /// The YAML is malformed or a value has the wrong shape or is not allowed.
    #[error("{location}: {message}")]
    Invalid {
        location: Location,
        message: String,
        hint: Option<String>,
    },
}

impl InputError {
    pub(crate) fn io(file: &str, e: &std::io::Error) -> Self {
        let hint = match e.kind() {
            std::io::ErrorKind::NotFound => "check the path, or use a built-in id (`labfit list profiles`, `labfit list providers`)",
            std::io::ErrorKind::PermissionDenied => "check the file's permissions",
            _ => "check that the path names a readable file",
        };
        InputError::Io {
            file: file.to_owned(),
            message: io_message(e),
            hint: hint.to_owned(),
        }
    }

    pub(crate) fn io_msg(file: &str, message: &str, hint: &str) -> Self {
        InputError::Io {
            file: file.to_owned(),
            message: message.to_owned(),
            hint: hint.to_owned(),
        }
    }

    pub(crate) fn too_large(file: &str, size: u64) -> Self {
        InputError::TooLarge {
            file: file.to_owned(),
            size,
            cap: crate::input::source::MAX_INPUT_BYTES,
        }
    }

    pub(crate) fn invalid_utf8(location: Location) -> Self {
        InputError::InvalidUtf8 { location }
    }

    pub(crate) fn invalid(
        location: Location,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Self {
        InputError::Invalid {
            location,
            message: message.into(),
            hint,
        }
    }

    /// The diagnostic to show.
    pub fn diagnostic(&self) -> Diagnostic {
        match self {
            InputError::Io {
                file,
                message,
                hint,
            } => Diagnostic::error(
                format!("cannot read `{file}`: {message}"),
                None,
                Some(hint.clone()),
            ),
            InputError::TooLarge { file, size, cap } => Diagnostic::error(
                format!("`{file}` is {size} bytes, over the {cap} byte limit for one input"),
                Some(Location::file_start(file)),
                Some(
                    "split the file; no rule pack, profile or evidence file needs to be this large"
                        .into(),
                ),
            ),
            InputError::InvalidUtf8 { location } => Diagnostic::error(
                "the file is not UTF-8 text",
                Some(location.clone()),
                Some("save the file as UTF-8".into()),
            ),
            InputError::Invalid {
                location,
                message,
                hint,
            } => Diagnostic::error(message.clone(), Some(location.clone()), hint.clone()),
        }
    }
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Building and validating the requirement graph from all catalog files.
#[derive(Clone, Debug, thiserror::Error)]
#[expect(
    missing_docs,
    reason = "variant fields say what they hold: location, message, hint, file"
)]
pub enum GraphError {
    /// Two requirements share an id.
    #[error("{location}: duplicate requirement id `{id}` (first defined at {first})")]
    DuplicateId {
        location: Location,
        id: String,
        first: Location,
    },
    /// A composite names a child that does not exist.
    #[error("{location}: `{parent}` lists child `{child}`, which is not a requirement")]
    UnknownChild {
        location: Location,
        parent: String,
        child: String,
        hint: Option<String>,
    },
    /// The graph has a cycle.
    #[error("{location}: requirements form a cycle: {}", cycle.join(" -> "))]
    Cycle {
        location: Location,
        cycle: Vec<String>,
    },
    /// A leaf's check names a missing rule file or function.
    #[error("{location}: {message}")]
    BadCheck {
        location: Location,
        message: String,
        hint: Option<String>,
    },
    /// Any other structural problem.
    #[error("{location}: {message}")]
    Invalid {
        location: Location,
        message: String,
        hint: Option<String>,
    },
}

impl GraphError {
    /// The diagnostic to show.
    pub fn diagnostic(&self) -> Diagnostic {
        match self {
            GraphError::DuplicateId { location, id, first } => Diagnostic::error(
                format!("duplicate requirement id `{id}`"),
                Some(location.clone()),
                Some(format!("`{id}` is first defined at {first}; rename one of them, or use `--rules` to override a built-in requirement")),
            ),
            GraphError::UnknownChild { location, parent, child, hint } => Diagnostic::error(
                format!("`{parent}` lists child `{child}`, which is not a requirement"),
                Some(location.clone()),
                hint.clone(),
            ),
            GraphError::Cycle { location, cycle } => Diagnostic::error(
                format!("requirements form a cycle: {}", cycle.join(" -> ")),
                Some(location.clone()),
                Some("a requirement cannot contain itself; remove one edge of the cycle".into()),
            ),
            GraphError::BadCheck { location, message, hint }
            | GraphError::Invalid { location, message, hint } => {
                Diagnostic::error(message.clone(), Some(location.clone()), hint.clone())
            }
        }
    }
}

/// Finding and resolving a lab profile (`extends`, references to the catalog).
#[derive(Clone, Debug, thiserror::Error)]
#[expect(
    missing_docs,
    reason = "variant fields say what they hold: location, message, hint, file"
)]
pub enum ProfileError {
    /// Neither a built-in profile id nor a readable file.
    #[error("no profile `{name}`")]
    NotFound { name: String, hint: String },
    /// `extends` chains back to itself.
    #[error("{location}: `extends` forms a loop: {}", chain.join(" -> "))]
    ExtendsLoop {
        location: Location,
        chain: Vec<String>,
    },
    /// The profile names a requirement, edge or parameter the catalog does not have.
    #[error("{location}: {message}")]
    Invalid {
        location: Location,
        message: String,
        hint: Option<String>,
    },
}

impl ProfileError {
    /// The diagnostic to show.
    pub fn diagnostic(&self) -> Diagnostic {
        match self {
            ProfileError::NotFound { name, hint } => {
                Diagnostic::error(format!("no profile `{name}`"), None, Some(hint.clone()))
            }
            ProfileError::ExtendsLoop { location, chain } => Diagnostic::error(
                format!("`extends` forms a loop: {}", chain.join(" -> ")),
                Some(location.clone()),
                Some("remove the `extends` that points back".into()),
            ),
            ProfileError::Invalid {
                location,
                message,
                hint,
            } => Diagnostic::error(message.clone(), Some(location.clone()), hint.clone()),
        }
    }
}

/// Finding a provider's evidence.
#[derive(Clone, Debug, thiserror::Error)]
#[expect(
    missing_docs,
    reason = "variant fields say what they hold: location, message, hint, file"
)]
pub enum EvidenceError {
    /// Neither a built-in provider id nor a readable file.
    #[error("no evidence `{name}`")]
    NotFound { name: String, hint: String },
}

/// Command-line values that the library parses (`--assume`, `--as-of`).
#[derive(Clone, Debug, thiserror::Error)]
#[expect(
    missing_docs,
    reason = "variant fields say what they hold: location, message, hint, file"
)]
pub enum UsageError {
    /// A malformed or unknown option value.
    #[error("{message}")]
    Invalid {
        message: String,
        hint: Option<String>,
    },
}

/// Everything the library can fail with. Rule failures are not here: a rule that errors is an
/// outcome of the run (`error`), reported in the report's `errors`, and never stops it.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    /// Reading or parsing an input file.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The requirement graph (boxed: its variants carry two locations).
    #[error(transparent)]
    Graph(Box<GraphError>),
    /// A lab profile.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// Provider evidence lookup.
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    /// Option values.
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// Several independent problems found in one pass (all are reported).
    #[error("{} problems, the first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    Many(Vec<Error>),
}

impl From<GraphError> for Error {
    fn from(e: GraphError) -> Error {
        Error::Graph(Box::new(e))
    }
}

impl Error {
    /// Every diagnostic in this error, in the order found.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Error::Input(e) => vec![e.diagnostic()],
            Error::Graph(e) => vec![e.diagnostic()],
            Error::Profile(e) => vec![e.diagnostic()],
            Error::Evidence(EvidenceError::NotFound { name, hint }) => {
                vec![Diagnostic::error(
                    format!("no evidence `{name}`"),
                    None,
                    Some(hint.clone()),
                )]
            }
            Error::Usage(UsageError::Invalid { message, hint }) => {
                vec![Diagnostic::error(message.clone(), None, hint.clone())]
            }
            Error::Many(all) => all.iter().flat_map(Error::diagnostics).collect(),
        }
    }

    /// Collapses a list of errors: none → `Ok`, one → itself, more → [`Error::Many`].
    pub(crate) fn from_list(mut errors: Vec<Error>) -> Result<(), Error> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(Error::Many(errors)),
        }
    }
}

/// The known word closest to `word` (Levenshtein distance at most a third of its length, and at
/// least 1), for "did you mean" hints.
pub fn nearest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    known
        .into_iter()
        .map(|k| (levenshtein(word, k), k))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, k)| k)
}

/// "did you mean `x`?" when a near word exists.
pub fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    nearest(word, known).map(|k| format!("did you mean `{k}`?"))
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        let mut left = i + 1;
        let mut diag = i;
        let mut row = Vec::with_capacity(b.len() + 1);
        row.push(left);
        for (j, cb) in b.iter().enumerate() {
            let up = prev.get(j + 1).copied().unwrap_or(usize::MAX - 1);
            let cost = usize::from(ca != *cb);
            let v = (diag + cost).min(up + 1).min(left + 1);
            row.push(v);
            diag = up;
            left = v;
        }
        cur.clone_from(&row);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos() {
        let known = ["contract.baa", "contract.baa_scope", "attest.soc2"];
        assert_eq!(nearest("contract.bba", known), Some("contract.baa"));
        assert_eq!(nearest("atest.soc2", known), Some("attest.soc2"));
        assert_eq!(nearest("zzz", known), None);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
    }

    #[test]
    fn renders_like_rustc() {
        let loc = Location::new("e.yaml".into(), 3, 3, Some("  contract.bba: true".into()));
        let d = Diagnostic::error(
            "unknown fact key `contract.bba`",
            Some(loc),
            Some("did you mean `contract.baa`?".into()),
        );
        assert_eq!(
            d.render(false),
            "error: unknown fact key `contract.bba`\n --> e.yaml:3:3\n  |\n3 |   contract.bba: true\n  |   ^\n  = help: did you mean `contract.baa`?\n"
        );
    }
}
