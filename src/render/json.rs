//! JSON rendering of reports: pretty-printed, fields in declaration order, maps sorted, so
//! the same inputs give byte-identical output.

use serde::Serialize;

use crate::input::date::Date;
use crate::report::{Question, Report, Verdict};

/// Renders any report value as pretty JSON with a trailing newline.
pub fn render<T: Serialize>(value: &T) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Serialising plain data with string keys cannot fail; keep the output valid JSON anyway.
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}

/// The questionnaire document (`questions/v1`): one provider's questions, most important
/// first, with what they were computed for.
#[derive(Serialize)]
struct Questionnaire<'a> {
    labfit: &'static str,
    profile: &'a str,
    provider: &'a str,
    name: &'a str,
    as_of: Date,
    fit: f64,
    potential: f64,
    verdict: Verdict,
    questions: &'a [Question],
}

/// Renders one provider's questions as `questions/v1` JSON.
pub fn questions(r: &Report) -> String {
    render(&Questionnaire {
        labfit: "questions/v1",
        profile: &r.profile.id,
        provider: &r.provider.id,
        name: &r.provider.name,
        as_of: r.as_of,
        fit: r.fit,
        potential: r.potential,
        verdict: r.verdict,
        questions: &r.questions,
    })
}
