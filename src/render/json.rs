//! JSON rendering of reports: pretty-printed, fields in declaration order, maps sorted, so
//! the same inputs give byte-identical output.

use serde::Serialize;

use crate::input::date::Date;
use crate::report::comparison::Comparison;
use crate::report::diff::EvidenceDiff;
use crate::report::explain::Explanation;
use crate::report::{Question, Report, Verdict};

/// Renders one score as `report/v1` JSON.
pub fn report(r: &Report) -> String {
    value(r)
}

/// Renders a comparison as `comparison/v1` JSON.
pub fn comparison(c: &Comparison) -> String {
    value(c)
}

/// Writes [`comparison`]'s text to `out` as it is rendered, byte for byte the same, without
/// holding it whole: with `--full` a registry's comparison runs to hundreds of megabytes.
pub fn write_comparison(out: &mut dyn std::io::Write, c: &Comparison) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, c)?;
    out.write_all(b"\n")
}

/// Renders an evidence diff as `diff/v1` JSON.
pub fn diff(d: &EvidenceDiff) -> String {
    value(d)
}

/// Renders an explanation (the requirement tree) as JSON.
pub fn explanation(e: &Explanation) -> String {
    value(e)
}

/// Renders any other serializable value (lists, diagnostics, schemas) as pretty JSON with a
/// trailing newline, as the documents above are.
pub fn value<T: Serialize>(v: &T) -> String {
    match serde_json::to_string_pretty(v) {
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
    value(&Questionnaire {
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
