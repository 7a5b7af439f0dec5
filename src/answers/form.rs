//! Questionnaire forms: labfit's open questions written as an xlsx workbook (rust_xlsxwriter)
//! or CSV for a provider to fill in, and the filled form read back.
//!
//! One row per question, under a bold, frozen header row:
//!
//! `Question ID | Fact | Question | Answer type | Allowed values | Current value |
//! Current status | Answer | Document | Document checked | Notes`
//!
//! The provider fills in `Answer`, `Document` (the file or address it attaches) and `Notes`;
//! the lab, having read the document, writes `Yes` in `Document checked`, which makes the
//! answer `verified` instead of `claimed` on import.
//!
//! In the xlsx form the sheet is protected without a password so that only those four
//! columns (unlocked and highlighted) take input; yes/no and one-of answers get a drop-down
//! list (an Excel data validation) where the values fit Excel's 255-character limit. Every
//! text cell is written as a string, never a formula, and text a spreadsheet would run as a
//! formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading `'` in both formats, as
//! labfit's CSV reports do; reading strips it again.
//!
//! Reading is by header name (columns may be moved), against the questions that may be
//! answered: an answer is checked against its question's type, a question id that is not one
//! of them and an answer that does not fit are [`Rejection`]s, and a bad cell never stops the
//! others.

use std::collections::HashMap;

use rust_xlsxwriter::{
    Color, DataValidation, Format, FormatBorder, ProtectionOptions, Workbook as XlsxBook,
};

use crate::answers::grid::{
    neutralise, unneutralise, Cell, GridError, Position, Rejection, Sheet, Workbook,
};

/// The header row, in order.
pub const COLUMNS: [&str; 11] = [
    "Question ID",
    "Fact",
    "Question",
    "Answer type",
    "Allowed values",
    "Current value",
    "Current status",
    "Answer",
    "Document",
    DOCUMENT_CHECKED,
    "Notes",
];

/// The name of the form's sheet in xlsx.
pub const SHEET: &str = "Questions";

/// The column the lab marks once it has read the document.
pub const DOCUMENT_CHECKED: &str = "Document checked";

const ANSWER_COLS: std::ops::RangeInclusive<u16> = 7..=10;
const ANSWER_COL: u16 = 7;
const CHECKED_COL: u16 = 9;
const WIDTHS: [f64; 11] = [
    24.0, 26.0, 60.0, 12.0, 24.0, 16.0, 14.0, 24.0, 32.0, 12.0, 40.0,
];
/// Excel's limit on the text of one cell.
pub const MAX_CELL_CHARS: usize = 32_767;

/// What kind of answer a question takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerType {
    /// `Yes` or `No`.
    Bool,
    /// One of the values.
    Enum(Vec<String>),
    /// A number.
    Number,
    /// A whole number.
    Integer,
    /// A number from 0 to 100.
    Percent,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// Items separated by commas, from these values when there are any.
    List(Vec<String>),
    /// Any text.
    Text,
}

impl AnswerType {
    /// The `Answer type` column's text.
    pub fn name(&self) -> &'static str {
        match self {
            AnswerType::Bool => "yes/no",
            AnswerType::Enum(_) => "one of",
            AnswerType::Number => "number",
            AnswerType::Integer => "whole number",
            AnswerType::Percent => "percent",
            AnswerType::Date => "date",
            AnswerType::List(_) => "list",
            AnswerType::Text => "text",
        }
    }

    /// The values a drop-down offers (yes/no and one-of).
    pub fn choices(&self) -> Vec<String> {
        match self {
            AnswerType::Bool => vec!["Yes".to_owned(), "No".to_owned()],
            AnswerType::Enum(v) => v.clone(),
            _ => Vec::new(),
        }
    }

    /// The `Allowed values` column's text.
    pub fn allowed(&self) -> String {
        match self {
            AnswerType::Bool | AnswerType::Enum(_) => self.choices().join("; "),
            AnswerType::Number => "a number".to_owned(),
            AnswerType::Integer => "a whole number".to_owned(),
            AnswerType::Percent => "0 to 100".to_owned(),
            AnswerType::Date => "YYYY-MM-DD".to_owned(),
            AnswerType::List(v) if v.is_empty() => "items separated by commas, or none".to_owned(),
            AnswerType::List(v) => {
                format!("items separated by commas, or none, from: {}", v.join("; "))
            }
            AnswerType::Text => String::new(),
        }
    }
}

/// One question to ask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormQuestion {
    /// The question's id (labfit's question number or guide question id).
    pub id: String,
    /// The fact the answer sets (`contract.baa`).
    pub fact: String,
    /// The question as the provider reads it.
    pub question: String,
    /// What the answer may be.
    pub answer_type: AnswerType,
    /// The fact's value today, if known.
    pub current_value: Option<String>,
    /// The fact's status today (`claimed`, `unknown`).
    pub current_status: Option<String>,
}

/// One row of a filled form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormAnswer {
    /// The question's id.
    pub question_id: String,
    /// The answer, normalised: `yes` / `no`, the allowed value as written in the question,
    /// the number as typed, the date; `None` when empty or rejected.
    pub answer: Option<String>,
    /// The document the answer rests on (a file name or an address).
    pub document: Option<String>,
    /// The optional `Document checked` column says yes.
    pub document_checked: bool,
    /// Free text.
    pub notes: Option<String>,
    /// The answer cell.
    pub position: Position,
}

/// A filled form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilledForm {
    /// One per question row, in sheet order (rows with an unknown id are rejected instead).
    pub answers: Vec<FormAnswer>,
    /// The cells that could not be used.
    pub rejected: Vec<Rejection>,
}

/// Why a form cannot be written or read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// The file or the sheet cannot be read.
    #[error(transparent)]
    Grid(#[from] GridError),
    /// The header row lacks a column.
    #[error("{0}")]
    Layout(Box<Rejection>),
    /// The workbook could not be made (rust_xlsxwriter's message).
    #[error("cannot write the form: {0}")]
    Write(String),
}

impl FormError {
    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            FormError::Grid(e) => e.hint(),
            FormError::Layout(r) => r.hint.clone(),
            FormError::Write(_) => None,
        }
    }
}

fn write_err(e: rust_xlsxwriter::XlsxError) -> FormError {
    FormError::Write(e.to_string())
}

fn cells(q: &FormQuestion) -> [String; 11] {
    [
        q.id.clone(),
        q.fact.clone(),
        q.question.clone(),
        q.answer_type.name().to_owned(),
        q.answer_type.allowed(),
        q.current_value.clone().unwrap_or_default(),
        q.current_status.clone().unwrap_or_default(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]
}

fn checked_text(s: &str, row: usize, col: usize) -> Result<String, FormError> {
    let n = neutralise(s);
    if n.chars().count() > MAX_CELL_CHARS {
        return Err(FormError::Write(format!(
            "row {}, column {}: {} characters, over Excel's {MAX_CELL_CHARS} per cell",
            row + 1,
            crate::answers::grid::column_letters(u32::try_from(col).unwrap_or(0)),
            n.chars().count()
        )));
    }
    Ok(n)
}

/// The form as an xlsx workbook.
pub fn write_xlsx(questions: &[FormQuestion]) -> Result<Vec<u8>, FormError> {
    let mut book = XlsxBook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0x00D9_E1F2))
        .set_border_bottom(FormatBorder::Thin);
    let locked = Format::new().set_text_wrap();
    let input = Format::new()
        .set_unlocked()
        .set_text_wrap()
        .set_background_color(Color::RGB(0x00FF_F2CC))
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(0x00BF_BFBF));
    let ws = book.add_worksheet();
    ws.set_name(SHEET).map_err(write_err)?;
    for (c, (name, width)) in COLUMNS.iter().zip(WIDTHS).enumerate() {
        let c = u16::try_from(c).map_err(|e| FormError::Write(e.to_string()))?;
        ws.write_string_with_format(0, c, *name, &header)
            .map_err(write_err)?;
        ws.set_column_width(c, width).map_err(write_err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(write_err)?;
    for (i, q) in questions.iter().enumerate() {
        let r = u32::try_from(i + 1)
            .map_err(|_| FormError::Write("too many questions for one sheet".to_owned()))?;
        for (c, text) in cells(q).iter().enumerate() {
            let c16 = u16::try_from(c).map_err(|e| FormError::Write(e.to_string()))?;
            let text = checked_text(text, i + 1, c)?;
            let fmt = if ANSWER_COLS.contains(&c16) {
                &input
            } else {
                &locked
            };
            // write_string: always a string cell, whatever the text starts with.
            ws.write_string_with_format(r, c16, &text, fmt)
                .map_err(write_err)?;
        }
        drop_down(ws, r, ANSWER_COL, &q.answer_type.choices())?;
        drop_down(ws, r, CHECKED_COL, &AnswerType::Bool.choices())?;
    }
    let last = u32::try_from(questions.len()).map_err(|e| FormError::Write(e.to_string()))?;
    ws.autofilter(0, 0, last, 10).map_err(write_err)?;
    ws.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        use_autofilter: true,
        sort: false,
        ..ProtectionOptions::default()
    });
    book.save_to_buffer().map_err(write_err)
}

/// A drop-down list of `choices` on one cell. Excel's list source is comma-separated and at
/// most 255 characters: values that cannot be listed keep the plain cell (the reader still
/// checks them).
fn drop_down(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    choices: &[String],
) -> Result<(), FormError> {
    if choices.is_empty() || !choices.iter().all(|v| !v.contains(',') && !v.is_empty()) {
        return Ok(());
    }
    let Ok(dv) = DataValidation::new().allow_list_strings(choices) else {
        return Ok(());
    };
    let dv = dv
        .set_error_title("Not an allowed value")
        .and_then(|d| d.set_error_message(format!("Choose one of: {}", choices.join(", "))));
    if let Ok(dv) = dv {
        ws.add_data_validation(row, col, row, col, &dv)
            .map_err(write_err)?;
    }
    Ok(())
}

/// The form as CSV (RFC 4180, CRLF line ends, a header row).
pub fn write_csv(questions: &[FormQuestion]) -> Result<String, FormError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(COLUMNS)
        .map_err(|e| FormError::Write(e.to_string()))?;
    for (i, q) in questions.iter().enumerate() {
        let row: Vec<String> = cells(q)
            .iter()
            .enumerate()
            .map(|(c, t)| checked_text(t, i + 1, c))
            .collect::<Result<_, _>>()?;
        w.write_record(&row)
            .map_err(|e| FormError::Write(e.to_string()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| FormError::Write(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| FormError::Write(e.to_string()))
}

struct Layout {
    id: usize,
    answer: usize,
    document: usize,
    notes: usize,
    checked: Option<usize>,
}

fn layout(sheet: &Sheet) -> Result<Layout, FormError> {
    let width = sheet.rows.first().map_or(0, Vec::len);
    let find = |want: &str| {
        (0..width).find(|&c| {
            sheet
                .cell(0, c)
                .text()
                .is_some_and(|t| unneutralise(t).trim().eq_ignore_ascii_case(want))
        })
    };
    let need = |want: &str| {
        find(want).ok_or_else(|| {
            FormError::Layout(Box::new(sheet.reject(
                0,
                width,
                format!("the header row has no `{want}` column"),
                Some(format!(
                    "row 1 must keep the form's headers ({}); send the form as it was generated",
                    COLUMNS.join(", ")
                )),
            )))
        })
    };
    Ok(Layout {
        id: need("Question ID")?,
        answer: need("Answer")?,
        document: need("Document")?,
        notes: need("Notes")?,
        checked: find(DOCUMENT_CHECKED),
    })
}

/// Reads a filled form (xlsx: the `Questions` sheet; CSV: the file) against the questions
/// that were asked.
pub fn read(wb: &mut Workbook, asked: &[FormQuestion]) -> Result<FilledForm, FormError> {
    let name = if wb.is_csv() {
        wb.sheet_names().into_iter().next().unwrap_or_default()
    } else if wb.sheet_names().iter().any(|n| n == SHEET) {
        SHEET.to_owned()
    } else {
        return Err(wb.missing(SHEET).into());
    };
    let sheet = wb.sheet(&name)?;
    read_sheet(&sheet, asked)
}

/// Reads a filled form's sheet already in hand.
pub fn read_sheet(sheet: &Sheet, asked: &[FormQuestion]) -> Result<FilledForm, FormError> {
    let cols = layout(sheet)?;
    let by_id: HashMap<&str, &FormQuestion> = asked.iter().map(|q| (q.id.as_str(), q)).collect();
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut out = FilledForm::default();
    for row in 1..sheet.height() {
        let id_cell = sheet.cell(row, cols.id);
        let Some(id) = id_cell
            .display()
            .map(|s| unneutralise(&s).trim().to_owned())
        else {
            let stray = [cols.answer, cols.document, cols.notes]
                .into_iter()
                .find(|&c| !sheet.cell(row, c).is_blank());
            if let Some(c) = stray {
                out.rejected.push(sheet.reject(
                    row,
                    c,
                    "the row has an answer but no question id",
                    Some("answer in the row of the question; do not add rows".to_owned()),
                ));
            }
            continue;
        };
        let Some(q) = by_id.get(id.as_str()) else {
            out.rejected.push(sheet.reject(
                row,
                cols.id,
                format!("question `{id}` was not asked in this form"),
                Some("keep the Question ID column as generated".to_owned()),
            ));
            continue;
        };
        let here = sheet.position(row, cols.id).cell_ref();
        if let Some(first) = seen.get(&id) {
            out.rejected.push(sheet.reject(
                row,
                cols.id,
                format!("question `{id}` appears twice (first in {first})"),
                Some("delete the copied row".to_owned()),
            ));
            continue;
        }
        seen.insert(id.clone(), here);
        let answer = check_answer(sheet, row, cols.answer, q, &mut out.rejected);
        let document = text(sheet, row, cols.document, &mut out.rejected);
        let notes = text(sheet, row, cols.notes, &mut out.rejected);
        let document_checked = cols.checked.is_some_and(|c| match sheet.cell(row, c) {
            Cell::Bool(b) => *b,
            other => other.display().is_some_and(|t| {
                matches!(t.to_ascii_lowercase().as_str(), "yes" | "y" | "true" | "x")
            }),
        });
        out.answers.push(FormAnswer {
            question_id: id,
            answer,
            document,
            document_checked,
            notes,
            position: sheet.position(row, cols.answer),
        });
    }
    Ok(out)
}

fn text(sheet: &Sheet, row: usize, col: usize, rejected: &mut Vec<Rejection>) -> Option<String> {
    match sheet.cell(row, col) {
        Cell::Error(e) => {
            rejected.push(sheet.reject(
                row,
                col,
                format!("cell holds the error `{e}`"),
                Some("write the text itself, not a formula".to_owned()),
            ));
            None
        }
        c => c.display().map(|s| unneutralise(&s).to_owned()),
    }
}

fn check_answer(
    sheet: &Sheet,
    row: usize,
    col: usize,
    q: &FormQuestion,
    rejected: &mut Vec<Rejection>,
) -> Option<String> {
    let cell = sheet.cell(row, col);
    if cell.is_blank() {
        return None;
    }
    let mut reject = |message: String, hint: String| {
        rejected.push(sheet.reject(row, col, message, Some(hint)));
        None
    };
    if let Cell::Error(e) = cell {
        return reject(
            format!("answer cell holds the error `{e}`"),
            "write the answer itself, not a formula".to_owned(),
        );
    }
    let raw = cell.display().unwrap_or_default();
    let t = unneutralise(&raw).trim().to_owned();
    match &q.answer_type {
        AnswerType::Bool => match cell {
            Cell::Bool(b) => Some(if *b { "yes" } else { "no" }.to_owned()),
            _ => match t.to_ascii_lowercase().as_str() {
                "yes" | "y" | "true" => Some("yes".to_owned()),
                "no" | "n" | "false" => Some("no".to_owned()),
                _ => reject(
                    format!("`{t}` is not yes or no"),
                    "answer `Yes` or `No`, and put explanations in Notes".to_owned(),
                ),
            },
        },
        AnswerType::Enum(values) => match values.iter().find(|v| v.trim().eq_ignore_ascii_case(&t))
        {
            Some(v) => Some(v.clone()),
            None => {
                let near = crate::answers::grid::nearest(&t, values.iter().map(String::as_str));
                let hint = match near {
                    Some(n) => format!("did you mean `{n}`?"),
                    // A long list (the 249 country codes) would bury the hint; the column
                    // beside the answer holds it.
                    None if values.len() > 20 => format!(
                        "answer one of the {} values in the Allowed values column",
                        values.len()
                    ),
                    None => format!(
                        "answer one of: {}",
                        values
                            .iter()
                            .map(|v| format!("`{v}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                reject(format!("`{t}` is not one of the allowed values"), hint)
            }
        },
        AnswerType::Number | AnswerType::Percent => match cell {
            Cell::Number(_) => Some(t),
            _ if t.parse::<f64>().is_ok_and(f64::is_finite) => Some(t),
            _ => reject(
                format!("`{t}` is not a number"),
                "write digits only, with `.` for decimals and no units".to_owned(),
            ),
        },
        AnswerType::Integer => match t.parse::<i64>() {
            Ok(_) => Some(t),
            Err(_) => reject(
                format!("`{t}` is not a whole number"),
                "write the number in digits, without units or decimals, such as 90".to_owned(),
            ),
        },
        AnswerType::List(_) => Some(t),
        AnswerType::Date => match cell {
            Cell::Number(serial) => match serial_to_date(*serial) {
                Some(d) => Some(d),
                None => reject(
                    format!("`{t}` is not a date"),
                    "write the date as YYYY-MM-DD".to_owned(),
                ),
            },
            _ if is_iso_date(&t) => Some(t),
            _ => reject(
                format!("`{t}` is not a date as YYYY-MM-DD"),
                "write the date as YYYY-MM-DD, for example 2026-03-31".to_owned(),
            ),
        },
        AnswerType::Text => Some(t),
    }
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let (Some(m), Some(d)) = (
        s.get(5..7).and_then(|m| m.parse::<u32>().ok()),
        s.get(8..10).and_then(|d| d.parse::<u32>().ok()),
    ) else {
        return false;
    };
    b.len() == 10
        && digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && (1..=12).contains(&m)
        && (1..=31).contains(&d)
}

/// An Excel date serial (1900 system) as `YYYY-MM-DD`; `None` unless a whole day in 1900–9999.
fn serial_to_date(serial: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&serial) || serial.fract() != 0.0 {
        return None;
    }
    // Serial 25569 is 1970-01-01; Excel's fictitious 1900-02-29 (serial 60) shifts earlier days.
    #[expect(clippy::cast_possible_truncation, reason = "range-checked above")]
    let s = serial as i64;
    let days = if s > 60 { s - 25_569 } else { s - 25_568 };
    // Civil-from-days (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(serial_to_date(25_569.0).as_deref(), Some("1970-01-01"));
        assert_eq!(serial_to_date(46_112.0).as_deref(), Some("2026-03-31"));
        assert_eq!(serial_to_date(1.0).as_deref(), Some("1900-01-01"));
        assert_eq!(serial_to_date(61.0).as_deref(), Some("1900-03-01"));
        assert_eq!(serial_to_date(0.5), None);
        assert!(is_iso_date("2026-03-31"));
        for bad in [
            "2026-3-31",
            "2026-13-01",
            "2026-00-10",
            "31.03.2026",
            "",
            "2026-03-3x",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }

    #[test]
    fn allowed_text() {
        assert_eq!(AnswerType::Bool.allowed(), "Yes; No");
        assert_eq!(
            AnswerType::Enum(vec!["eu".into(), "us".into()]).allowed(),
            "eu; us"
        );
    }
}
