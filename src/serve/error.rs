//! The service's errors: an HTTP status, a code a client can branch on, a sentence, and every
//! diagnostic with its position in the request body. Input never causes a 500: each way a
//! request can be wrong has its status here.

use axum::http::StatusCode;
use serde::Serialize;

use crate::engine::error::Error;
use crate::evidence::error::EvidenceError;
use crate::input::diagnostic::Diagnostic;
use crate::input::error::InputError;
use crate::profile::error::ProfileError;

/// A failed request, as the body `{"code", "message", "errors": [{"message", "location":
/// {"line", "col"}?, "hint"?}]}` with its status.
#[derive(Clone, Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong, for programs: `bad-request`, `unknown-profile`, …
    pub code: &'static str,
    /// What went wrong, in one sentence.
    pub message: String,
    /// Every problem found, with where in the body and what to do.
    pub errors: Vec<Diagnostic>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    errors: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Position>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    col: usize,
}

impl ApiError {
    /// An error with one diagnostic.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Self {
        let message = message.into();
        ApiError {
            status,
            code,
            errors: vec![Diagnostic::error(message.clone(), None, hint)],
            message,
        }
    }

    /// 400: the request is not what the endpoint takes.
    pub fn bad_request(message: impl Into<String>, hint: Option<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-request", message, hint)
    }

    /// 400 for a body that does not parse, with the parser's diagnostic.
    pub fn syntax(e: &InputError) -> Self {
        ApiError::from_diagnostics(StatusCode::BAD_REQUEST, "bad-request", vec![e.diagnostic()])
    }

    /// An error carrying the given diagnostics; the message is the first one's.
    pub fn from_diagnostics(
        status: StatusCode,
        code: &'static str,
        errors: Vec<Diagnostic>,
    ) -> Self {
        let message = match errors.as_slice() {
            [] => "the request cannot be served".to_owned(),
            [one] => one.message.clone(),
            [first, ..] => format!("{} problems, the first: {}", errors.len(), first.message),
        };
        ApiError {
            status,
            code,
            message,
            errors,
        }
    }

    /// A library error about what the request named or sent: 404 for an id that names
    /// nothing (the hint has the nearest), 400 for a bad option value or a provider given
    /// twice, 422 for a document that parses but is not valid.
    pub fn from_engine(e: &Error) -> Self {
        let (status, code) = match e {
            Error::Evidence(EvidenceError::NotFound { .. }) => {
                (StatusCode::NOT_FOUND, "unknown-provider")
            }
            Error::Profile(ProfileError::NotFound { .. }) => {
                (StatusCode::NOT_FOUND, "unknown-profile")
            }
            Error::Usage(_) | Error::Evidence(EvidenceError::Twice { .. }) => {
                (StatusCode::BAD_REQUEST, "bad-request")
            }
            Error::Input(_) | Error::Graph(_) | Error::Profile(_) | Error::Many(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid-document")
            }
            // The service reads no spreadsheets; an answers error can only be a document's.
            #[cfg(feature = "sheets")]
            Error::Answers(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid-document"),
        };
        ApiError::from_diagnostics(status, code, e.diagnostics())
    }

    /// The response body.
    pub fn body(&self) -> String {
        let body = Body {
            code: self.code,
            message: &self.message,
            errors: self
                .errors
                .iter()
                .map(|d| {
                    let at = d.location.as_ref();
                    let in_body = at.filter(|l| in_body(l.file()));
                    Entry {
                        // A position in another file (a built-in profile a document extends)
                        // is not a position in the body: it stays in the message.
                        message: match at {
                            Some(l) if in_body.is_none() => format!("{l}: {}", d.message),
                            _ => d.message.clone(),
                        },
                        location: in_body.map(|l| Position {
                            line: l.line(),
                            col: l.col(),
                        }),
                        hint: d.hint.as_deref(),
                    }
                })
                .collect(),
        };
        crate::render::json::value(&body)
    }
}

/// The name of the request body as a source file.
pub const BODY: &str = "body";

/// Whether a file name is the body or a document cut out of it (`body#/evidence`).
pub fn in_body(file: &str) -> bool {
    file == BODY || file.starts_with("body#")
}
