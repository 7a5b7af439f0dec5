//! Why a questionnaire cannot be read or written at all, with the position of what is wrong
//! (file, sheet, row and column) and what to do. A cell that cannot be used is not an error:
//! it is a [`Rejection`] beside the answers that could be read.

use crate::answers::caiq::CaiqError;
use crate::answers::form::FormError;
use crate::answers::grid::{GridError, Rejection};
use crate::answers::hecvat::HecvatError;
use crate::input::diagnostic::Diagnostic;

/// Everything reading or writing a questionnaire can fail with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswersError {
    /// The file, or its sheet, cannot be read.
    #[error(transparent)]
    Grid(#[from] GridError),
    /// The sheet is not laid out as the questionnaire is (every problem of its header row).
    #[error("{} layout problem{}, the first: {}", .0.len(), if .0.len() == 1 { "" } else { "s" }, .0.first().map(ToString::to_string).unwrap_or_default())]
    Layout(Vec<Rejection>),
    /// The form could not be made.
    #[error("cannot write the form: {0}")]
    Write(String),
    /// A mapping for one layout was given to the command for another.
    #[error("mapping `{mapping}` reads the `{layout}` layout, not `{wanted}`")]
    WrongLayout {
        /// The mapping's name.
        mapping: String,
        /// Its layout.
        layout: String,
        /// The layout the command reads.
        wanted: String,
    },
}

impl From<CaiqError> for AnswersError {
    fn from(e: CaiqError) -> Self {
        match e {
            CaiqError::Grid(g) => AnswersError::Grid(g),
            CaiqError::Layout(r) => AnswersError::Layout(r),
        }
    }
}

impl From<HecvatError> for AnswersError {
    fn from(e: HecvatError) -> Self {
        match e {
            HecvatError::Grid(g) => AnswersError::Grid(g),
            HecvatError::Layout(r) => AnswersError::Layout(vec![*r]),
        }
    }
}

impl From<FormError> for AnswersError {
    fn from(e: FormError) -> Self {
        match e {
            FormError::Grid(g) => AnswersError::Grid(g),
            FormError::Layout(r) => AnswersError::Layout(vec![*r]),
            FormError::Write(m) => AnswersError::Write(m),
        }
    }
}

/// A rejected cell as a diagnostic: the cell's position leads the message, since a sheet has
/// no source line to underline.
pub fn rejection_diagnostic(r: &Rejection) -> Diagnostic {
    Diagnostic::error(r.to_string(), None, r.hint.clone())
}

impl AnswersError {
    /// Every diagnostic in this error.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            AnswersError::Grid(g) => vec![Diagnostic::error(g.to_string(), None, g.hint())],
            AnswersError::Layout(list) => list.iter().map(rejection_diagnostic).collect(),
            AnswersError::Write(_) => vec![Diagnostic::error(self.to_string(), None, None)],
            AnswersError::WrongLayout { wanted, .. } => vec![Diagnostic::error(
                self.to_string(),
                None,
                Some(format!(
                    "give a mapping with `layout: {wanted}`, or use the import command for the mapping's layout (`labfit import questionnaire` reads any)"
                )),
            )],
        }
    }
}
