//! Errors of the graph stage: duplicate ids, dangling children, cycles, bad checks.

use crate::input::diagnostic::Diagnostic;
use crate::input::source::Location;

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
