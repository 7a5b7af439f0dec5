//! CSV for spreadsheets (RFC 4180: comma-separated, CRLF line ends, a header row, fields
//! quoted when they hold a comma, a quote or a line break). Evidence and rule packs are text
//! from outside, and a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a
//! formula (CSV injection, OWASP); such cells (and those starting with a tab or carriage
//! return) get a leading `'` so they stay text.

use std::fmt::Write as _;

use crate::render::toolkit::exact;
use crate::render::words::{current_answer, guide_topic};
use crate::report::comparison::Comparison;
use crate::report::{Move, Report};

/// One cell, neutralised and quoted as needed.
pub fn cell(s: &str) -> String {
    let neutral = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if neutral.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

fn row(out: &mut String, cells: &[String]) {
    let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

/// The ranking, one row per provider.
pub fn comparison(c: &Comparison) -> String {
    let mut o = String::new();
    row(
        &mut o,
        &[
            "rank",
            "provider_id",
            "provider",
            "verdict",
            "fit",
            "potential",
            "open_gates",
            "failed_gates",
            "weakest_area",
            "rule_errors",
        ]
        .map(str::to_owned),
    );
    for r in &c.ranking {
        row(
            &mut o,
            &[
                r.rank.to_string(),
                r.id.clone(),
                r.provider.clone(),
                r.verdict.to_string(),
                exact(r.fit),
                exact(r.potential),
                r.open_gates.join("; "),
                r.failed_gates.join("; "),
                r.weakest.clone().unwrap_or_default(),
                r.errors.to_string(),
            ],
        );
    }
    o
}

fn moves(ms: &[Move]) -> String {
    let mut s = String::new();
    for (i, m) in ms.iter().enumerate() {
        if i > 0 {
            s.push_str("; ");
        }
        let _ = write!(s, "{} {} -> {} (+{} fit)", m.id, m.from, m.to, m.swing);
    }
    s
}

/// The questionnaire, one row per question, most important first.
pub fn questions(r: &Report) -> String {
    let mut o = String::new();
    row(
        &mut o,
        &[
            "n",
            "provider",
            "guide_question",
            "topic",
            "fact",
            "question",
            "must_have",
            "must_haves",
            "swing",
            "requirements",
            "frameworks",
            "reason",
            "status",
            "current_answer",
        ]
        .map(str::to_owned),
    );
    for (n, q) in r.questions.iter().enumerate() {
        row(
            &mut o,
            &[
                (n + 1).to_string(),
                r.provider.id.clone(),
                q.question.to_string(),
                guide_topic(&q.question).unwrap_or_default().to_owned(),
                q.fact.to_string(),
                q.ask.to_string(),
                if q.gate { "yes" } else { "no" }.to_owned(),
                q.gates.join("; "),
                exact(q.swing),
                moves(&q.impact.requirements),
                moves(&q.impact.frameworks),
                q.reason.as_str().to_owned(),
                q.status.to_string(),
                current_answer(r, q).unwrap_or_default(),
            ],
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_neutralises_cells() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("a=b"), "a=b");
        assert_eq!(cell(""), "");
    }
}
