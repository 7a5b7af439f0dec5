//! The one classifier of labfit files: what a file is, from its extension and its
//! `labfit: KIND/v1` header. The engine's loader, `labfit check` and `labfit test` all ask here.

use crate::input::source::SourceFile;
use crate::input::yaml;

/// A kind of labfit file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// The fact vocabulary (`vocabulary/v1`).
    Vocabulary,
    /// The parameter vocabulary (`parameters/v1`).
    Parameters,
    /// Requirements and their edges (`catalog/v1`).
    Catalog,
    /// A lab profile (`profile/v1`).
    Profile,
    /// A provider's evidence (`evidence/v1`).
    Evidence,
    /// Rule tests (`rule-tests/v1`).
    RuleTests,
    /// A questionnaire mapping: question ids → facts (`mapping/v1`).
    Mapping,
    /// Rhai rules (`*.rhai`, no header).
    Rules,
}

impl FileKind {
    /// The kinds that carry a `labfit:` header, in the order error messages list them.
    pub const WITH_HEADER: [FileKind; 7] = [
        FileKind::Vocabulary,
        FileKind::Parameters,
        FileKind::Catalog,
        FileKind::Profile,
        FileKind::Evidence,
        FileKind::RuleTests,
        FileKind::Mapping,
    ];

    /// The header value (`catalog/v1`); empty for rule files, which have none.
    pub const fn header(self) -> &'static str {
        match self {
            FileKind::Vocabulary => "vocabulary/v1",
            FileKind::Parameters => "parameters/v1",
            FileKind::Catalog => "catalog/v1",
            FileKind::Profile => "profile/v1",
            FileKind::Evidence => "evidence/v1",
            FileKind::RuleTests => "rule-tests/v1",
            FileKind::Mapping => "mapping/v1",
            FileKind::Rules => "",
        }
    }

    /// Every header value, in [`FileKind::WITH_HEADER`] order.
    pub fn headers() -> [&'static str; 7] {
        FileKind::WITH_HEADER.map(FileKind::header)
    }
}

/// What a file turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Classified {
    /// A known kind.
    Known(FileKind),
    /// A header naming no known kind (the value it names).
    Unknown(String),
    /// A YAML file without a header (`empty` when it holds nothing but blanks).
    NoHeader {
        /// True when the file is blank.
        empty: bool,
    },
}

/// Classifies a file by its name and header.
pub fn classify(f: &SourceFile) -> Classified {
    if f.name().ends_with(".rhai") {
        return Classified::Known(FileKind::Rules);
    }
    match yaml::header(f.text()).map(|(k, _)| k) {
        Some(k) => FileKind::WITH_HEADER
            .into_iter()
            .find(|kind| kind.header() == k)
            .map_or(Classified::Unknown(k), Classified::Known),
        None => Classified::NoHeader {
            empty: f.text().trim().is_empty(),
        },
    }
}
