//! The library's error: one variant per stage, each wrapping that stage's own error.

use crate::evidence::error::EvidenceError;
use crate::graph::error::GraphError;
use crate::input::diagnostic::Diagnostic;
use crate::input::error::{InputError, UsageError};
use crate::profile::error::ProfileError;

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
    Profile(ProfileError),
    /// Provider evidence lookup.
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    /// Option values.
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// A questionnaire that cannot be read or written (boxed: its positions are large).
    #[cfg(feature = "sheets")]
    #[error(transparent)]
    Answers(Box<crate::answers::error::AnswersError>),
    /// Several independent problems found in one pass (all are reported).
    #[error("{} problems, the first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    Many(Vec<Error>),
}

#[cfg(feature = "sheets")]
impl From<crate::answers::error::AnswersError> for Error {
    fn from(e: crate::answers::error::AnswersError) -> Error {
        Error::Answers(Box::new(e))
    }
}

impl From<GraphError> for Error {
    fn from(e: GraphError) -> Error {
        Error::Graph(Box::new(e))
    }
}

/// A profile file that does not read or parse is an input error like any other.
impl From<ProfileError> for Error {
    fn from(e: ProfileError) -> Error {
        match e {
            ProfileError::Input(e) => Error::Input(e),
            e => Error::Profile(e),
        }
    }
}

/// Every problem the graph has, as found.
impl From<Vec<GraphError>> for Error {
    fn from(mut errors: Vec<GraphError>) -> Error {
        if errors.len() == 1 {
            return errors.remove(0).into();
        }
        Error::Many(errors.into_iter().map(Error::from).collect())
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
            Error::Evidence(e @ EvidenceError::Twice { .. }) => vec![Diagnostic::error(
                e.to_string(),
                None,
                Some("compare each provider once: merge the two files, or give one of them another `id`".into()),
            )],
            Error::Usage(UsageError::Invalid { message, hint }) => {
                vec![Diagnostic::error(message.clone(), None, hint.clone())]
            }
            #[cfg(feature = "sheets")]
            Error::Answers(e) => e.diagnostics(),
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
