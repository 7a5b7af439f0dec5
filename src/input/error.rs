//! Errors of the input stage (reading and parsing a file, command-line values the library
//! parses), and the "did you mean" every stage uses for unknown names.
//!
//! Wording follows one rule: lowercase, no final period, user values in backticks, advice in
//! the hint.

use crate::input::diagnostic::Diagnostic;
use crate::input::source::Location;

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
    /// The YAML is malformed or a value has the wrong shape or is not allowed. `syntax` is
    /// true when the file's structure breaks here (YAML syntax, the header, nesting), so that
    /// nothing after it can be read; false for a problem inside one entry, after which the
    /// rest of the file can still be checked (see `input::yaml::recover`).
    #[error("{location}: {message}")]
    Invalid {
        location: Location,
        message: String,
        hint: Option<String>,
        syntax: bool,
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
            syntax: false,
        }
    }

    /// An error that breaks the file's structure: nothing after it can be read.
    pub(crate) fn syntax(
        location: Location,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Self {
        InputError::Invalid {
            location,
            message: message.into(),
            hint,
            syntax: true,
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
                ..
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

/// "did you mean …?" for an id typed from memory, against `(id, name)` pairs: the nearest id
/// by spelling, else the ids it begins (`us-clinical` → `us-clinical-diagnostics`), else the
/// ids whose name holds every word of it (`amazon` → `aws`, "Amazon Web Services"). More
/// than three candidates in a tier suggest none: they would only repeat the list.
pub fn suggest_id<'a>(
    word: &str,
    known: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
) -> Option<String> {
    if let Some(k) = nearest(word, known.clone().into_iter().map(|(id, _)| id)) {
        return Some(format!("did you mean `{k}`?"));
    }
    let w = word.to_lowercase();
    let words: Vec<&str> = w
        .split(|c: char| !c.is_alphanumeric())
        .filter(|x| x.len() >= 2)
        .collect();
    let prefixed: Vec<&str> = known
        .clone()
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| w.len() >= 2 && id.starts_with(w.as_str()))
        .collect();
    let named: Vec<&str> = known
        .into_iter()
        .filter(|(id, name)| {
            let hay = format!("{id} {}", name.to_lowercase());
            let hay: Vec<&str> = hay.split(|c: char| !c.is_alphanumeric()).collect();
            !words.is_empty() && words.iter().all(|x| hay.iter().any(|h| h.starts_with(x)))
        })
        .map(|(id, _)| id)
        .collect();
    [prefixed, named]
        .into_iter()
        .find(|c| !c.is_empty() && c.len() <= 3)
        .map(|c| match c.as_slice() {
            [one] => format!("did you mean `{one}`?"),
            many => format!(
                "did you mean one of {}?",
                many.iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
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
    fn ids_are_suggested_by_prefix_and_by_name() {
        let known = [
            ("aws", "Amazon Web Services"),
            ("microsoft-azure", "Microsoft Azure"),
            ("google-cloud", "Google Cloud"),
            (
                "us-clinical-diagnostics",
                "US clinical diagnostic laboratory",
            ),
            ("eu-clinical-lab", "EU clinical laboratory"),
        ];
        let s = |w: &str| suggest_id(w, known.iter().copied());
        assert_eq!(s("aws2").as_deref(), Some("did you mean `aws`?"));
        assert_eq!(
            s("us-clinical").as_deref(),
            Some("did you mean `us-clinical-diagnostics`?")
        );
        assert_eq!(s("amazon").as_deref(), Some("did you mean `aws`?"));
        assert_eq!(
            s("azure").as_deref(),
            Some("did you mean `microsoft-azure`?")
        );
        assert_eq!(
            s("clinical").as_deref(),
            Some("did you mean one of `us-clinical-diagnostics`, `eu-clinical-lab`?")
        );
        assert_eq!(s("zzz"), None);
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
