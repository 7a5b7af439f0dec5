//! Errors of the profile stage: a profile that cannot be found, an `extends` loop, a reference
//! the catalog lacks.

use crate::input::diagnostic::Diagnostic;
use crate::input::error::InputError;
use crate::input::source::Location;

/// Finding and resolving a lab profile (`extends`, references to the catalog).
#[derive(Clone, Debug, thiserror::Error)]
#[expect(
    missing_docs,
    reason = "variant fields say what they hold: location, message, hint, file"
)]
pub enum ProfileError {
    /// Reading or parsing a profile file.
    #[error(transparent)]
    Input(#[from] InputError),
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
            ProfileError::Input(e) => e.diagnostic(),
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
