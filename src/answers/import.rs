//! From a filled questionnaire to fact settings, with the account a lab needs to trust them:
//! the questions mapped and what each did, those no mapping covers, the cells rejected, and
//! the facts the questionnaire cannot answer (the follow-up questionnaire).
//!
//! Two roads. labfit's own form names the fact in every question id (`q14.contract.baa`), so
//! its answers are checked against the vocabulary's types. A published questionnaire (CAIQ,
//! HECVAT, any table) goes through a [`Mapping`]: a Yes or No gives the value the mapping
//! says; `NA` is no answer (never a pass); a control the CAIQ marks `CSC-owned` is the
//! customer's and credits the provider nothing; questions that give one fact different values
//! leave it unset, as a conflict to resolve by asking.

use std::collections::BTreeMap;

use crate::answers::caiq::{self, Answer as CaiqSays, Ownership};
use crate::answers::error::AnswersError;
use crate::answers::form::{self, AnswerType, FormQuestion};
use crate::answers::grid::{nearest, Position, Rejection, Workbook};
use crate::answers::hecvat::{self, Edition, Value as HecvatSays};
use crate::answers::mapping::{Layout, Mapping};
use crate::answers::merge::Setting;
use crate::answers::table::{self, Headers, Said};
use crate::evidence::vocabulary::{FactSpec, FactType, Vocabulary};
use crate::evidence::{FactValue, Status};
use crate::report::{Question, Report};

/// What happened to one answered question a mapping covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It set its facts.
    Set,
    /// `NA`: not an answer, and never a pass.
    NotApplicable,
    /// The CAIQ says the customer owns the control: it credits the provider nothing.
    CustomerOwned,
    /// The answer gives its facts no value (a No where the mapping gives a value only for a
    /// Yes, text for a Yes/No fact, or text that is none of an enum fact's values).
    NoValue,
    /// Another question gives the same fact a different value: the fact is left unset.
    Conflict,
}

/// One answered question the mapping covers.
#[derive(Clone, Debug, PartialEq)]
pub struct Mapped {
    /// The question id.
    pub id: String,
    /// The answer as written (`Yes`, `No`, `NA`, or the text).
    pub answer: String,
    /// What the mapping says the question asks.
    pub about: String,
    /// The questionnaire's own question text, when the sheet has it, to compare with `about`.
    pub question: Option<String>,
    /// The facts it bears on.
    pub facts: Vec<String>,
    /// What it did.
    pub outcome: Outcome,
    /// The answer cell.
    pub position: Position,
}

/// A questionnaire read into fact settings, and the account of how.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Answers {
    /// What was read (`CSA CAIQ v4.0.3`, `labfit questionnaire`).
    pub questionnaire: String,
    /// The facts to set, by key.
    pub settings: Vec<Setting>,
    /// The answered questions a mapping covers, in sheet order (empty for labfit's form).
    pub mapped: Vec<Mapped>,
    /// Answered questions no mapping covers.
    pub unmapped: Vec<String>,
    /// How many questions were left unanswered.
    pub unanswered: usize,
    /// The cells that could not be used, each with its position.
    pub rejected: Vec<Rejection>,
    /// Facts the rules read that this questionnaire cannot answer: ask them separately.
    pub uncovered: Vec<String>,
}

/// One answer as a questionnaire gives it, whatever the layout.
struct Raw {
    id: String,
    said: Option<Said>,
    customer_owned: bool,
    note: Option<String>,
    question: Option<String>,
    position: Position,
}

/// A workbook read with a mapping's layout: what it is, its answers, the cells rejected.
struct Reading {
    title: String,
    rows: Vec<Raw>,
    rejected: Vec<Rejection>,
}

fn read_layout(wb: &mut Workbook, mapping: &Mapping) -> Result<Reading, AnswersError> {
    match &mapping.layout {
        Layout::Caiq => {
            let c = caiq::read(wb)?;
            let rows = c
                .answers
                .into_iter()
                .map(|a| Raw {
                    id: a.id,
                    said: match a.answer {
                        CaiqSays::Yes => Some(Said::Yes),
                        CaiqSays::No => Some(Said::No),
                        CaiqSays::Na => Some(Said::Na),
                        CaiqSays::Unanswered => None,
                    },
                    customer_owned: a.ownership == Some(Ownership::CscOwned),
                    note: a.description,
                    question: a.question,
                    position: a.position,
                })
                .collect();
            let title = match c.version.as_str() {
                "" => "CSA CAIQ v4".to_owned(),
                v => format!("CSA CAIQ v{v}"),
            };
            Ok(Reading {
                title,
                rows,
                rejected: c.rejected,
            })
        }
        Layout::Hecvat => {
            let h = hecvat::read(wb, Edition::Full)?;
            let edition = match h.edition {
                Edition::Full => "Full",
                Edition::Lite => "Lite",
            };
            let title = match (&h.version, wb.is_csv()) {
                (_, true) => "HECVAT 3".to_owned(),
                (Some(v), false) => format!("HECVAT {edition} {v}"),
                (None, false) => format!("HECVAT {edition}"),
            };
            let rows = h
                .answers
                .into_iter()
                .map(|a| Raw {
                    id: a.id,
                    said: match a.answer {
                        HecvatSays::Yes => Some(Said::Yes),
                        HecvatSays::No => Some(Said::No),
                        HecvatSays::Na => Some(Said::Na),
                        HecvatSays::Text(t) => Some(Said::Text(t)),
                        HecvatSays::Unanswered => None,
                    },
                    customer_owned: false,
                    note: a.additional_information,
                    question: a.question,
                    position: a.position,
                })
                .collect();
            Ok(Reading {
                title,
                rows,
                rejected: h.rejected,
            })
        }
        Layout::Table {
            sheet,
            id,
            answer,
            note,
        } => {
            let headers = Headers {
                id,
                answer,
                note: note.as_deref(),
            };
            let t = table::read(wb, sheet.as_deref(), &headers)?;
            let rows = t
                .rows
                .into_iter()
                .map(|r| Raw {
                    id: r.id,
                    said: r.said,
                    customer_owned: false,
                    note: r.note,
                    question: None,
                    position: r.position,
                })
                .collect();
            Ok(Reading {
                title: mapping.title.clone(),
                rows,
                rejected: t.rejected,
            })
        }
    }
}

fn said_text(s: &Said) -> String {
    match s {
        Said::Yes => "Yes".to_owned(),
        Said::No => "No".to_owned(),
        Said::Na => "NA".to_owned(),
        Said::Text(t) => t.clone(),
    }
}

/// The value an answer's text gives a fact the mapping names alone: the text itself for a
/// text fact; for an enum, the value the text spells (in any case, as a provider may write
/// `us` for `US`), else nothing, so that an answer in other words is counted as giving no
/// value rather than stored as a value the rules would never match.
fn text_value(spec: Option<&FactSpec>, text: &str) -> Option<FactValue> {
    match spec {
        Some(s) if s.ty == FactType::Enum => s
            .values
            .iter()
            .find(|v| v.eq_ignore_ascii_case(text.trim()))
            .map(|v| FactValue::Text(v.clone())),
        _ => Some(FactValue::Text(text.to_owned())),
    }
}

/// A value the mapping's fact would take, from one question: (question id, value, note).
type Candidate = (String, FactValue, Option<String>);

/// Reads a published questionnaire through `mapping`. Settings take `status` (`claimed` for
/// a self-assessment, `attested` for an audited one).
pub fn read_mapped(
    wb: &mut Workbook,
    mapping: &Mapping,
    vocab: &Vocabulary,
    status: Status,
) -> Result<Answers, AnswersError> {
    let reading = read_layout(wb, mapping)?;
    let mut out = Answers {
        questionnaire: reading.title,
        rejected: reading.rejected,
        ..Answers::default()
    };
    let mut candidates: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
    for raw in reading.rows {
        let Some(said) = raw.said else {
            out.unanswered += 1;
            continue;
        };
        let Some(entry) = mapping.questions.get(&raw.id) else {
            out.unmapped.push(raw.id);
            continue;
        };
        let mut outcome = match (&said, raw.customer_owned) {
            (Said::Na, _) => Outcome::NotApplicable,
            (_, true) => Outcome::CustomerOwned,
            _ => Outcome::NoValue,
        };
        if outcome == Outcome::NoValue {
            for t in &entry.sets {
                let value = match &said {
                    Said::Yes => t.yes.clone(),
                    Said::No => t.no.clone(),
                    Said::Text(s) if t.text => text_value(vocab.get(&t.fact), s),
                    Said::Text(_) | Said::Na => None,
                };
                if let Some(v) = value {
                    let note = match &raw.note {
                        Some(n) => format!(
                            "{} {} ({}): {n}",
                            out.questionnaire,
                            raw.id,
                            said_text(&said)
                        ),
                        None => format!("{} {}: {}", out.questionnaire, raw.id, said_text(&said)),
                    };
                    candidates.entry(t.fact.clone()).or_default().push((
                        raw.id.clone(),
                        v,
                        Some(note),
                    ));
                    outcome = Outcome::Set;
                }
            }
        }
        out.mapped.push(Mapped {
            id: raw.id,
            answer: said_text(&said),
            about: entry.about.clone(),
            question: raw.question,
            facts: entry.sets.iter().map(|t| t.fact.clone()).collect(),
            outcome,
            position: raw.position,
        });
    }
    settle(&mut out, candidates, status);
    if !out.settings.is_empty() {
        for (fact, value) in &mapping.establishes {
            if !out.settings.iter().any(|s| &s.fact == fact) {
                out.settings.push(Setting {
                    fact: fact.clone(),
                    value: value.clone(),
                    status,
                    note: Some(format!(
                        "the provider handed over its {} answers",
                        out.questionnaire
                    )),
                    questions: Vec::new(),
                });
            }
        }
        out.settings.sort_by(|a, b| a.fact.cmp(&b.fact));
    }
    let can: Vec<&str> = mapping.facts();
    out.uncovered = vocab
        .iter()
        .filter(|(k, s)| !s.informational && !can.contains(k))
        .map(|(k, _)| k.to_owned())
        .collect();
    Ok(out)
}

/// Turns the candidates into settings: one value per fact, or a conflict.
fn settle(out: &mut Answers, candidates: BTreeMap<String, Vec<Candidate>>, status: Status) {
    for (fact, list) in candidates {
        let Some((_, first, _)) = list.first() else {
            continue;
        };
        if list.iter().all(|(_, v, _)| v == first) {
            let notes: Vec<String> = list.iter().filter_map(|(_, _, n)| n.clone()).collect();
            out.settings.push(Setting {
                fact,
                value: first.clone(),
                status,
                note: (!notes.is_empty()).then(|| notes.join("; ")),
                questions: list.iter().map(|(q, ..)| q.clone()).collect(),
            });
        } else {
            for m in out.mapped.iter_mut() {
                if list.iter().any(|(q, ..)| *q == m.id) {
                    m.outcome = Outcome::Conflict;
                }
            }
        }
    }
}

/// The id of a question in labfit's form: the guide question and the fact key
/// (`q14.contract.baa`). The fact key makes it stable; the guide question keeps rows of one
/// topic together when a provider sorts the sheet.
pub fn question_id(guide_question: &str, fact: &str) -> String {
    format!("{guide_question}.{fact}")
}

fn answer_type(spec: Option<&FactSpec>) -> AnswerType {
    match spec.map(|s| s.ty) {
        Some(FactType::Bool) => AnswerType::Bool,
        Some(FactType::Enum) => {
            AnswerType::Enum(spec.map(|s| s.values.clone()).unwrap_or_default())
        }
        Some(FactType::Number) => AnswerType::Number,
        Some(FactType::Integer) => AnswerType::Integer,
        Some(FactType::Percent) => AnswerType::Percent,
        Some(FactType::Date) => AnswerType::Date,
        Some(FactType::List) => {
            AnswerType::List(spec.map(|s| s.values.clone()).unwrap_or_default())
        }
        Some(FactType::Text) | None => AnswerType::Text,
    }
}

fn value_cell(v: &FactValue) -> String {
    match v {
        FactValue::Bool(true) => "Yes".to_owned(),
        FactValue::Bool(false) => "No".to_owned(),
        FactValue::List(items) => items.join(", "),
        other => other.to_string(),
    }
}

/// The form's rows for a report's questions (those an answer can still move), with the
/// question text as the provider letter words it and the document it asks for.
pub fn form_questions(r: &Report, vocab: &Vocabulary) -> Vec<FormQuestion> {
    r.questions
        .iter()
        .filter(|q| !q.settled)
        .map(|q| form_question(q, vocab))
        .collect()
}

fn form_question(q: &Question, vocab: &Vocabulary) -> FormQuestion {
    let mut text = q.ask.to_string();
    if let Some(doc) = &q.document {
        text.push_str(&format!(" Please attach: {doc}."));
    }
    FormQuestion {
        id: question_id(&q.question, &q.fact),
        fact: q.fact.to_string(),
        question: text,
        answer_type: answer_type(vocab.get(&q.fact)),
        current_value: q.current.as_ref().map(value_cell),
        current_status: Some(q.status.as_str().to_owned()),
    }
}

/// Every question labfit's form can carry: one per fact of the vocabulary.
fn askable(vocab: &Vocabulary) -> Vec<FormQuestion> {
    vocab
        .iter()
        .map(|(k, s)| FormQuestion {
            id: question_id(&s.question, k),
            fact: k.to_owned(),
            question: s.ask.to_string(),
            answer_type: answer_type(Some(s)),
            current_value: None,
            current_status: None,
        })
        .collect()
}

/// Reads a filled labfit form. An answer is `claimed`, or `verified` where the lab marked
/// the document checked; the document named and the notes become the fact's note.
pub fn read_form(wb: &mut Workbook, vocab: &Vocabulary) -> Result<Answers, AnswersError> {
    let asked = askable(vocab);
    let filled = form::read(wb, &asked)?;
    let mut out = Answers {
        questionnaire: "labfit questionnaire".to_owned(),
        ..Answers::default()
    };
    for r in filled.rejected {
        out.rejected.push(with_nearest(r, &asked));
    }
    for a in filled.answers {
        let Some(q) = asked.iter().find(|q| q.id == a.question_id) else {
            continue;
        };
        let Some(raw) = a.answer else {
            if a.document.is_some() || a.document_checked || a.notes.is_some() {
                out.rejected.push(Rejection {
                    position: a.position,
                    message: format!("question `{}` has a document or notes but no answer", q.id),
                    hint: Some("write the answer the document or the notes support".to_owned()),
                });
            } else {
                out.unanswered += 1;
            }
            continue;
        };
        let Some(spec) = vocab.get(&q.fact) else {
            continue;
        };
        let value = match FactValue::parse_as(spec, &raw) {
            Ok(v) => v,
            Err(m) => {
                out.rejected.push(Rejection {
                    position: a.position,
                    message: m,
                    hint: Some(format!("answer {}", form_hint(&q.answer_type))),
                });
                continue;
            }
        };
        let mut note = Vec::new();
        if let Some(n) = &a.notes {
            note.push(n.clone());
        }
        if let Some(d) = &a.document {
            note.push(format!(
                "document: {d}{}",
                if a.document_checked {
                    " (checked by the lab)"
                } else {
                    ""
                }
            ));
        }
        out.settings.push(Setting {
            fact: q.fact.clone(),
            value,
            status: if a.document_checked {
                Status::Verified
            } else {
                Status::Claimed
            },
            note: (!note.is_empty()).then(|| note.join("; ")),
            questions: vec![q.id.clone()],
        });
    }
    out.settings.sort_by(|a, b| a.fact.cmp(&b.fact));
    // In sheet order, as the provider will correct them: a cell refused for its value is
    // found after the reading pass that refused unknown ids and the like. Column letters
    // compare by length first (`Z` before `AA`).
    out.rejected.sort_by(|a, b| {
        let at = |r: &Rejection| {
            (
                r.position.row,
                r.position.column.len(),
                r.position.column.clone(),
            )
        };
        at(a).cmp(&at(b))
    });
    Ok(out)
}

fn form_hint(t: &AnswerType) -> String {
    match t {
        AnswerType::Bool => "Yes or No".to_owned(),
        AnswerType::Enum(v) => format!("one of {}", few(v)),
        AnswerType::Number => "a number".to_owned(),
        AnswerType::Integer => "a whole number, in digits".to_owned(),
        AnswerType::Percent => "a number from 0 to 100".to_owned(),
        AnswerType::Date => "a date as YYYY-MM-DD".to_owned(),
        AnswerType::List(v) if v.is_empty() => {
            "the items, separated by commas, or `none`".to_owned()
        }
        AnswerType::List(v) => format!(
            "the items, separated by commas, or `none`; each one of {}",
            few(v)
        ),
        AnswerType::Text => "in words".to_owned(),
    }
}

/// Values for a hint: all of a short list; a few of a long one (the 249 country codes), the
/// rest being in the form's `Allowed values` column.
fn few(values: &[String]) -> String {
    match values.get(..3) {
        Some(first) if values.len() > 20 => format!(
            "{}, … (the form's Allowed values column lists all {})",
            first.join(", "),
            values.len()
        ),
        _ => values.join(", "),
    }
}

/// A rejected unknown question id, with the nearest id the form knows.
fn with_nearest(mut r: Rejection, asked: &[FormQuestion]) -> Rejection {
    let unknown = r
        .message
        .strip_prefix("question `")
        .and_then(|rest| rest.split_once('`'))
        .filter(|(_, tail)| tail.contains("was not asked"))
        .map(|(id, _)| id.to_owned());
    if let Some(id) = unknown {
        r.message = format!("question `{id}` is not one of labfit's questions");
        if let Some(n) = nearest(&id, asked.iter().map(|q| q.id.as_str())) {
            r.hint = Some(format!(
                "did you mean `{n}`? keep the Question ID column as generated"
            ));
        }
    }
    r
}
