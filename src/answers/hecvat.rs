//! HECVAT 3.x vendor responses (Full and Lite): the sheet named `HECVAT - Full | Vendor
//! Response` or `HECVAT - Lite | Vendor Response` (case and spacing aside; a CSV file is taken
//! as that sheet).
//!
//! The layout is found, not assumed: the header row is the first of rows 1–30 holding a
//! `Vendor Answers` cell; that column holds the answers, and the header row's `Additional
//! Information` and `Question` cells (when present) name those columns. Question rows carry
//! an id like `HIPA-01` or `DATA-01` in column A; other rows (section titles, blank rows) are
//! skipped. Column B holds formulas in the EDUCAUSE template; they are not read (a formula
//! cell's cached value is what any reader would see).
//!
//! Answers are `Yes`, `No`, `N/A` (also `NA`), or empty (unanswered); the general-information
//! questions (`GNRL-*`: names, contacts, dates) take free text.

use std::collections::HashMap;
use std::fmt;

use crate::answers::grid::{nearest, Cell, GridError, Position, Rejection, Sheet, Workbook};

/// How far down the header row is looked for.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// Which questionnaire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edition {
    /// HECVAT Full.
    Full,
    /// HECVAT Lite.
    Lite,
}

/// The sheet names of the two editions.
pub const SHEETS: [(&str, Edition); 2] = [
    ("HECVAT - Full | Vendor Response", Edition::Full),
    ("HECVAT - Lite | Vendor Response", Edition::Lite),
];

/// One answer cell's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `Yes`.
    Yes,
    /// `No`.
    No,
    /// `N/A`.
    Na,
    /// Free text, for the questions that take it.
    Text(String),
    /// Empty.
    Unanswered,
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Yes => f.write_str("Yes"),
            Value::No => f.write_str("No"),
            Value::Na => f.write_str("N/A"),
            Value::Text(t) => f.write_str(t),
            Value::Unanswered => f.write_str("unanswered"),
        }
    }
}

/// One question's answer, at the position of its answer cell.
#[derive(Clone, Debug, PartialEq)]
pub struct HecvatAnswer {
    /// `HIPA-01`.
    pub id: String,
    /// The `Vendor Answers` cell.
    pub answer: Value,
    /// The `Additional Information` cell, when the sheet has that column.
    pub additional_information: Option<String>,
    /// The question's text, when the sheet has a `Question` column.
    pub question: Option<String>,
    /// The answer cell.
    pub position: Position,
}

/// A read HECVAT response.
#[derive(Clone, Debug, PartialEq)]
pub struct Hecvat {
    /// Full or Lite.
    pub edition: Edition,
    /// `3.06`, when a cell above the header row says so.
    pub version: Option<String>,
    /// The answers, in sheet order.
    pub answers: Vec<HecvatAnswer>,
    /// The cells that could not be used.
    pub rejected: Vec<Rejection>,
}

/// Why the sheet cannot be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HecvatError {
    /// The file or the sheet cannot be read.
    #[error(transparent)]
    Grid(#[from] GridError),
    /// No usable header row.
    #[error("{0}")]
    Layout(Box<Rejection>),
}

impl HecvatError {
    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            HecvatError::Grid(e) => e.hint(),
            HecvatError::Layout(r) => r.hint.clone(),
        }
    }
}

fn normalise(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The edition whose vendor-response sheet this is, if it is one.
pub fn sheet_edition(name: &str) -> Option<Edition> {
    let n = normalise(name);
    SHEETS
        .iter()
        .find(|(s, _)| normalise(s) == n)
        .map(|(_, e)| *e)
}

/// Finds the vendor-response sheet and reads it. For CSV, `edition` says which it is (the
/// file carries no sheet name); for xlsx it is ignored.
pub fn read(wb: &mut Workbook, csv_edition: Edition) -> Result<Hecvat, HecvatError> {
    let (name, edition) = if wb.is_csv() {
        (
            wb.sheet_names().into_iter().next().unwrap_or_default(),
            csv_edition,
        )
    } else {
        let found = wb
            .sheet_names()
            .into_iter()
            .find_map(|n| sheet_edition(&n).map(|e| (n, e)));
        match found {
            Some(f) => f,
            None => {
                let names = wb.sheet_names();
                let near = SHEETS
                    .iter()
                    .find_map(|(s, _)| nearest(s, names.iter().map(String::as_str)))
                    .or_else(|| {
                        names
                            .iter()
                            .map(String::as_str)
                            .find(|n| n.to_ascii_lowercase().contains("vendor response"))
                    })
                    .map(str::to_owned);
                return Err(GridError::MissingSheet {
                    file: wb.file().to_owned(),
                    wanted: "HECVAT - Full | Vendor Response` or `HECVAT - Lite | Vendor Response"
                        .to_owned(),
                    found: names,
                    nearest: near,
                }
                .into());
            }
        }
    };
    let sheet = wb.sheet(&name)?;
    read_sheet(&sheet, edition)
}

struct Columns {
    header_row: usize,
    answer: usize,
    additional: Option<usize>,
    question: Option<usize>,
}

fn find_columns(sheet: &Sheet) -> Result<Columns, HecvatError> {
    for row in 0..sheet.height().min(HEADER_SEARCH_ROWS) {
        let width = sheet.rows.get(row).map_or(0, Vec::len);
        let find = |want: &str| {
            (0..width).find(|&c| {
                sheet
                    .cell(row, c)
                    .text()
                    .is_some_and(|t| normalise(t) == want)
            })
        };
        let Some(answer) = find("vendor answers") else {
            continue;
        };
        if let Some(m) = sheet
            .merge_at(row, answer)
            .filter(|m| m.first.1 != m.last.1)
        {
            return Err(HecvatError::Layout(Box::new(
                sheet.reject(
                    row,
                    answer,
                    format!(
                        "the `Vendor Answers` header is merged across columns ({})",
                        m.a1()
                    ),
                    Some(
                        "unmerge the header so that it names the one column holding the answers"
                            .to_owned(),
                    ),
                ),
            )));
        }
        let question = find("question").or_else(|| find("questions"));
        return Ok(Columns {
            header_row: row,
            answer,
            additional: find("additional information"),
            question,
        });
    }
    Err(HecvatError::Layout(Box::new(sheet.reject(
        0,
        0,
        format!("no `Vendor Answers` header in rows 1–{HEADER_SEARCH_ROWS}"),
        Some("use the EDUCAUSE HECVAT 3 template unchanged: its vendor-response sheet names the answer column `Vendor Answers`".to_owned()),
    ))))
}

/// `HIPA-01`: 3 to 5 capitals, `-`, 2 or 3 digits.
pub fn is_question_id(s: &str) -> bool {
    let Some((p, n)) = s.split_once('-') else {
        return false;
    };
    (3..=5).contains(&p.len())
        && p.bytes().all(|b| b.is_ascii_uppercase())
        && (2..=3).contains(&n.len())
        && n.bytes().all(|b| b.is_ascii_digit())
}

/// Short text with a dash and a digit: meant as an id, but malformed (`HIPA-1`, `hipa-01`).
fn looks_like_id(s: &str) -> bool {
    s.len() <= 12 && s.contains('-') && s.bytes().any(|b| b.is_ascii_digit()) && !s.contains(' ')
}

/// Questions that take free text rather than Yes / No / N/A.
pub fn takes_text(id: &str) -> bool {
    id.starts_with("GNRL-")
}

/// Reads a vendor-response sheet already in hand.
pub fn read_sheet(sheet: &Sheet, edition: Edition) -> Result<Hecvat, HecvatError> {
    let cols = find_columns(sheet)?;
    let version = (0..cols.header_row).find_map(|r| {
        sheet
            .rows
            .get(r)
            .into_iter()
            .flatten()
            .filter_map(Cell::text)
            .find_map(version_in)
    });
    let mut out = Hecvat {
        edition,
        version,
        answers: Vec::new(),
        rejected: Vec::new(),
    };
    let mut seen: HashMap<String, String> = HashMap::new();
    for row in (cols.header_row + 1)..sheet.height() {
        let a = sheet.cell(row, 0);
        let id = match a {
            Cell::Text(s) if is_question_id(s.trim()) => s.trim().to_owned(),
            Cell::Text(s) if looks_like_id(s.trim()) => {
                out.rejected.push(
                    sheet.reject(
                        row,
                        0,
                        format!("{} is not a HECVAT question id", a.describe()),
                        Some(
                            "question ids are four capitals, a dash and two digits, like `HIPA-01`"
                                .to_owned(),
                        ),
                    ),
                );
                continue;
            }
            // Section titles, notes and blank rows.
            _ => continue,
        };
        if let Some(first) = seen.get(&id) {
            out.rejected.push(sheet.reject(
                row,
                0,
                format!("duplicate question id `{id}` (first in {first})"),
                Some("each question appears once; delete the copy".to_owned()),
            ));
            continue;
        }
        seen.insert(id.clone(), sheet.position(row, 0).cell_ref());
        if let Some(m) = sheet
            .merge_at(row, cols.answer)
            .filter(|m| !m.is_first(row, cols.answer))
        {
            out.rejected.push(sheet.reject(
                row,
                cols.answer,
                format!("answer cell is part of the merged range {}, whose value is in its first cell only", m.a1()),
                Some("unmerge the cells and answer each question in its own row".to_owned()),
            ));
            continue;
        }
        let Some(answer) = parse_value(sheet, row, cols.answer, &id, &mut out.rejected) else {
            continue;
        };
        let additional_information = cols
            .additional
            .and_then(|c| sheet.text(row, c, &mut out.rejected));
        let question = cols.question.and_then(|c| sheet.cell(row, c).display());
        out.answers.push(HecvatAnswer {
            id,
            answer,
            additional_information,
            question,
            position: sheet.position(row, cols.answer),
        });
    }
    Ok(out)
}

fn version_in(text: &str) -> Option<String> {
    let l = text.to_lowercase();
    if !(l.contains("version") || l.contains("hecvat")) {
        return None;
    }
    let i = l.find("3.")?;
    let digits: String = l
        .get(i + 2..)?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then(|| format!("3.{digits}"))
}

fn parse_value(
    sheet: &Sheet,
    row: usize,
    col: usize,
    id: &str,
    rejected: &mut Vec<Rejection>,
) -> Option<Value> {
    let cell = sheet.cell(row, col);
    if cell.is_blank() {
        return Some(Value::Unanswered);
    }
    if let Cell::Error(e) = cell {
        rejected.push(sheet.reject(
            row,
            col,
            format!("answer cell holds the error `{e}`"),
            Some("replace the formula with the answer itself".to_owned()),
        ));
        return None;
    }
    let text = cell.display().unwrap_or_default();
    match text.to_ascii_lowercase().as_str() {
        "yes" => return Some(Value::Yes),
        "no" => return Some(Value::No),
        "n/a" | "na" => return Some(Value::Na),
        _ => {}
    }
    if takes_text(id) {
        return Some(Value::Text(text));
    }
    let hint = match nearest(&text, ["Yes", "No", "N/A"]) {
        Some(n) => format!("did you mean `{n}`? answer `Yes`, `No` or `N/A`"),
        None => "answer `Yes`, `No` or `N/A`, and put explanations in the `Additional Information` column".to_owned(),
    };
    rejected.push(sheet.reject(
        row,
        col,
        format!("unknown answer {}", cell.describe()),
        Some(hint),
    ));
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for ok in ["HIPA-01", "DATA-01", "GNRL-14", "HLAP-100", "ITA-02"] {
            assert!(is_question_id(ok), "{ok}");
        }
        for bad in ["HIPA-1", "hipa-01", "HIPA01", "HIPAAAA-01", "-01", "HIPA-"] {
            assert!(!is_question_id(bad), "{bad}");
        }
        assert!(
            looks_like_id("HIPA-1")
                && !looks_like_id("Data Security")
                && !looks_like_id("Section 2 - Data")
        );
    }

    #[test]
    fn editions() {
        assert_eq!(
            sheet_edition("HECVAT - Full | Vendor Response"),
            Some(Edition::Full)
        );
        assert_eq!(
            sheet_edition("hecvat - lite |  vendor response "),
            Some(Edition::Lite)
        );
        assert_eq!(sheet_edition("HECVAT - Full"), None);
    }

    #[test]
    fn versions() {
        assert_eq!(
            version_in("HECVAT - Full | Version 3.06").as_deref(),
            Some("3.06")
        );
        assert_eq!(version_in("3.06"), None);
    }
}
