//! Errors of the evidence stage that are not about one file's text (those are input errors).

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
    /// Two files describe the same provider.
    #[error("provider `{id}` is given twice: `{first}` and `{second}`")]
    Twice {
        id: String,
        first: String,
        second: String,
    },
}
