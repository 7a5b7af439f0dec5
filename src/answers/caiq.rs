//! CSA CAIQ v4.0.x answers: the sheet named like `CAIQv4.0.3` (any `CAIQv4.0.<n>`; a CSV file
//! is taken as that sheet), row 1 the version and title, row 2 the headers (checked exactly),
//! then one row per question.
//!
//! | column | header (row 2) |
//! |---|---|
//! | A | `Question ID` (`A&A-01.1`: a CCM control id and `.k`) |
//! | B | `Question` |
//! | C | `CSP CAIQ Answer`: `Yes`, `No`, `NA`; empty is unanswered |
//! | D | `SSRM Control Ownership`: `CSP-owned`, `CSC-owned`, `3rd-party outsourced`, `Shared CSP and CSC`, `Shared CSP and 3rd-party` |
//! | E | `CSP Implementation Description (Optional/Recommended)` |
//! | F | `CSC Responsibilities  (Optional/Recommended)` (two spaces, as CSA wrote it) |
//! | G, H | empty |
//! | I | `CCM Control ID` |
//! | J | `CCM Control Specification` |
//! | K | `CCM Control Title` |
//! | L | `CCM Domain Title` |
//!
//! Copyright and "End of Standard" rows (text in column A only) and blank rows are skipped. A
//! bad cell is a [`Rejection`] with its position and never stops the other rows; a wrong
//! header row stops the sheet, since every column after it would be misread.

use std::collections::HashMap;
use std::fmt;

use crate::answers::grid::{nearest, Cell, GridError, Rejection, Sheet, Workbook};

/// The headers of row 2, columns A to L; `None` marks the two columns that must be empty.
pub const HEADERS: [Option<&str>; 12] = [
    Some("Question ID"),
    Some("Question"),
    Some("CSP CAIQ Answer"),
    Some("SSRM Control Ownership"),
    Some("CSP Implementation Description (Optional/Recommended)"),
    Some("CSC Responsibilities  (Optional/Recommended)"),
    None,
    None,
    Some("CCM Control ID"),
    Some("CCM Control Specification"),
    Some("CCM Control Title"),
    Some("CCM Domain Title"),
];

const COL_ID: usize = 0;
const COL_QUESTION: usize = 1;
const COL_ANSWER: usize = 2;
const COL_OWNERSHIP: usize = 3;
const COL_DESCRIPTION: usize = 4;
const COL_CSC: usize = 5;
const COL_CCM_ID: usize = 8;
const HEADER_ROW: usize = 1;

/// A CSP's answer to one question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `Yes`.
    Yes,
    /// `No`.
    No,
    /// `NA`: not applicable.
    Na,
    /// The cell is empty.
    Unanswered,
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Answer::Yes => "Yes",
            Answer::No => "No",
            Answer::Na => "NA",
            Answer::Unanswered => "unanswered",
        })
    }
}

/// Who owns a control under the shared security responsibility model (SSRM).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ownership {
    /// `CSP-owned`.
    CspOwned,
    /// `CSC-owned`.
    CscOwned,
    /// `3rd-party outsourced`.
    ThirdPartyOutsourced,
    /// `Shared CSP and CSC`.
    SharedCspCsc,
    /// `Shared CSP and 3rd-party`.
    SharedCspThirdParty,
}

/// The ownership values as CAIQ v4 writes them.
pub const OWNERSHIPS: [(&str, Ownership); 5] = [
    ("CSP-owned", Ownership::CspOwned),
    ("CSC-owned", Ownership::CscOwned),
    ("3rd-party outsourced", Ownership::ThirdPartyOutsourced),
    ("Shared CSP and CSC", Ownership::SharedCspCsc),
    ("Shared CSP and 3rd-party", Ownership::SharedCspThirdParty),
];

impl fmt::Display for Ownership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = OWNERSHIPS
            .iter()
            .find(|(_, o)| o == self)
            .map_or("", |(n, _)| n);
        f.write_str(name)
    }
}

/// One question's answer, at the position of its answer cell (column C).
#[derive(Clone, Debug, PartialEq)]
pub struct CaiqAnswer {
    /// `A&A-01.1`.
    pub id: String,
    /// Column C.
    pub answer: Answer,
    /// Column D; `None` when empty or rejected.
    pub ownership: Option<Ownership>,
    /// Column E.
    pub description: Option<String>,
    /// Column F.
    pub csc_responsibilities: Option<String>,
    /// Column B, the question's text.
    pub question: Option<String>,
    /// The answer cell.
    pub position: crate::answers::grid::Position,
}

/// A read CAIQ sheet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Caiq {
    /// `4.0.3`, from the sheet name (CSV: from row 1 when it says, else empty).
    pub version: String,
    /// Row 1's text, joined.
    pub title: Option<String>,
    /// The answers, in sheet order.
    pub answers: Vec<CaiqAnswer>,
    /// The cells that could not be used.
    pub rejected: Vec<Rejection>,
}

/// Why the sheet cannot be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CaiqError {
    /// The file or the sheet cannot be read.
    #[error(transparent)]
    Grid(#[from] GridError),
    /// Row 2 is not CAIQ v4's header row.
    #[error("{} header problem{} in row 2, the first: {}", .0.len(), if .0.len() == 1 { "" } else { "s" }, .0.first().map(ToString::to_string).unwrap_or_default())]
    Layout(Vec<Rejection>),
}

impl CaiqError {
    /// What to do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            CaiqError::Grid(e) => e.hint(),
            CaiqError::Layout(p) => p.first().and_then(|r| r.hint.clone()),
        }
    }
}

/// Whether a sheet name is a CAIQ v4.0.x sheet: `CAIQv4.0.` then digits.
pub fn is_caiq_sheet(name: &str) -> bool {
    name.strip_prefix("CAIQv4.0.")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// Finds the CAIQ sheet and reads it.
pub fn read(wb: &mut Workbook) -> Result<Caiq, CaiqError> {
    let name = if wb.is_csv() {
        wb.sheet_names().into_iter().next().unwrap_or_default()
    } else {
        match wb.find_sheet(is_caiq_sheet) {
            Some(n) => n,
            None => {
                let names = wb.sheet_names();
                // The nearest name among those that look like CAIQ at all.
                let near = nearest("CAIQv4.0.3", names.iter().map(String::as_str))
                    .or_else(|| {
                        names
                            .iter()
                            .map(String::as_str)
                            .find(|n| n.to_ascii_lowercase().contains("caiq"))
                    })
                    .map(str::to_owned);
                return Err(GridError::MissingSheet {
                    file: wb.file().to_owned(),
                    wanted: "CAIQv4.0.x".to_owned(),
                    found: names,
                    nearest: near,
                }
                .into());
            }
        }
    };
    let sheet = wb.sheet(&name)?;
    let version = name
        .strip_prefix("CAIQv")
        .map(str::to_owned)
        .unwrap_or_default();
    read_sheet(&sheet, version)
}

/// Reads a CAIQ sheet already in hand; `version` is recorded as given.
pub fn read_sheet(sheet: &Sheet, version: String) -> Result<Caiq, CaiqError> {
    check_headers(sheet)?;
    let title = {
        let parts: Vec<String> = sheet
            .rows
            .first()
            .map(|r| r.iter().filter_map(Cell::display).collect())
            .unwrap_or_default();
        (!parts.is_empty()).then(|| parts.join(" "))
    };
    let version = if version.is_empty() {
        title.as_deref().and_then(version_in).unwrap_or_default()
    } else {
        version
    };
    let mut out = Caiq {
        version,
        title,
        ..Caiq::default()
    };
    let mut seen: HashMap<String, String> = HashMap::new();
    for row in (HEADER_ROW + 1)..sheet.height() {
        read_row(sheet, row, &mut seen, &mut out);
    }
    Ok(out)
}

fn version_in(title: &str) -> Option<String> {
    let i = title.find("4.0.")?;
    let digits: String = title
        .get(i + 4..)?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then(|| format!("4.0.{digits}"))
}

fn check_headers(sheet: &Sheet) -> Result<(), CaiqError> {
    let mut problems = Vec::new();
    let mut reported = Vec::new();
    for (col, want) in HEADERS.iter().enumerate() {
        let cell = sheet.cell(HEADER_ROW, col);
        if let Some(m) = sheet.merge_at(HEADER_ROW, col) {
            // A merged header hides the columns it spans; report each merge once, at the
            // first of its cells in row 2.
            if !reported.contains(m) {
                reported.push(*m);
                problems.push(sheet.reject(
                    HEADER_ROW,
                    col,
                    format!("header cell is merged ({}), so the columns it spans cannot be told apart", m.a1()),
                    Some("unmerge the header cells of row 2 (Home → Merge & Center → Unmerge Cells)".to_owned()),
                ));
            }
            continue;
        }
        match want {
            None if !cell.is_blank() => problems.push(
                sheet.reject(
                    HEADER_ROW,
                    col,
                    format!("expected an empty header, found {}", cell.describe()),
                    Some(
                        "CAIQ v4 leaves columns G and H empty; the columns may have been shifted"
                            .to_owned(),
                    ),
                ),
            ),
            None => {}
            Some(w) => {
                let got = match cell {
                    Cell::Text(s) => s.as_str(),
                    _ => "",
                };
                if got != *w {
                    let hint = if normalise(got) == normalise(w) {
                        format!("write the header exactly `{w}` (spaces and case count)")
                    } else if let Some(n) =
                        nearest(got, HEADERS.iter().flatten().copied()).filter(|n| n != w)
                    {
                        format!("found the header `{n}` here; columns may have been inserted, deleted or moved: column {} must be `{w}`", crate::answers::grid::column_letters(u32::try_from(col).unwrap_or(0)))
                    } else {
                        format!("use the CAIQ v4 template unchanged: this header must be `{w}`")
                    };
                    problems.push(sheet.reject(
                        HEADER_ROW,
                        col,
                        format!("expected the header `{w}`, found {}", cell.describe()),
                        Some(hint),
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CaiqError::Layout(problems))
    }
}

fn normalise(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Copyright, "End of Standard" and similar rows that carry text in column A only.
fn is_boilerplate(a: &str) -> bool {
    let l = a.to_lowercase();
    l.starts_with('©')
        || l.starts_with("copyright")
        || l.starts_with("(c)")
        || l.contains("end of standard")
}

/// `A&A-01.1`: 2 to 4 capitals or `&`, `-`, two digits, `.`, digits.
pub fn is_question_id(s: &str) -> bool {
    let Some((control, k)) = s.rsplit_once('.') else {
        return false;
    };
    is_control_id(control) && !k.is_empty() && k.len() <= 3 && k.bytes().all(|b| b.is_ascii_digit())
}

/// `A&A-01`: the CCM control id.
pub fn is_control_id(s: &str) -> bool {
    let Some((domain, n)) = s.split_once('-') else {
        return false;
    };
    (2..=4).contains(&domain.len())
        && domain.bytes().all(|b| b.is_ascii_uppercase() || b == b'&')
        && domain.bytes().any(|b| b.is_ascii_uppercase())
        && n.len() == 2
        && n.bytes().all(|b| b.is_ascii_digit())
}

fn read_row(sheet: &Sheet, row: usize, seen: &mut HashMap<String, String>, out: &mut Caiq) {
    let id_cell = sheet.cell(row, COL_ID);
    let rest_blank = (1..HEADERS.len()).all(|c| sheet.cell(row, c).is_blank());
    if id_cell.is_blank() && rest_blank {
        return;
    }
    if let Some(a) = id_cell.text() {
        if is_boilerplate(a) && (COL_ANSWER..=COL_CSC).all(|c| sheet.cell(row, c).is_blank()) {
            return;
        }
    }
    // A cell covered by a merge (not its top-left) reads as empty; say so instead.
    let mut covered = false;
    for col in [COL_ID, COL_ANSWER, COL_OWNERSHIP] {
        if let Some(m) = sheet.merge_at(row, col).filter(|m| !m.is_first(row, col)) {
            out.rejected.push(sheet.reject(
                row,
                col,
                format!(
                    "cell is part of the merged range {}, whose value is in its first cell only",
                    m.a1()
                ),
                Some("unmerge the cells and write the value in each row".to_owned()),
            ));
            covered = true;
        }
    }
    if covered {
        return;
    }
    let id = match id_cell {
        Cell::Text(s) if is_question_id(s.trim()) => s.trim().to_owned(),
        Cell::Empty => {
            out.rejected.push(sheet.reject(
                row,
                COL_ID,
                "the row has answers but no question id",
                Some("write the question id (`A&A-01.1`) in column A, or clear the row".to_owned()),
            ));
            return;
        }
        other => {
            out.rejected.push(
                sheet.reject(
                    row,
                    COL_ID,
                    format!("{} is not a CAIQ question id", other.describe()),
                    Some(
                        "question ids are a CCM control id and a question number, like `A&A-01.1`"
                            .to_owned(),
                    ),
                ),
            );
            return;
        }
    };
    let here = sheet.position(row, COL_ID).cell_ref();
    if let Some(first) = seen.get(&id) {
        out.rejected.push(sheet.reject(
            row,
            COL_ID,
            format!("duplicate question id `{id}` (first in {first})"),
            Some("each question appears once; delete or renumber the copy".to_owned()),
        ));
        return;
    }
    seen.insert(id.clone(), here);
    if let Some(ccm) = sheet.cell(row, COL_CCM_ID).text() {
        let control = id.rsplit_once('.').map_or(id.as_str(), |(c, _)| c);
        if ccm != control {
            out.rejected.push(sheet.reject(
                row,
                COL_CCM_ID,
                format!("CCM control id `{ccm}` does not match question `{id}`"),
                Some(format!("question `{id}` belongs to control `{control}`; the rows may have been sorted or edited")),
            ));
        }
    }
    let Some(answer) = parse_answer(sheet, row, &mut out.rejected) else {
        return;
    };
    let ownership = parse_ownership(sheet, row, &mut out.rejected);
    out.answers.push(CaiqAnswer {
        id,
        answer,
        ownership,
        description: sheet.text(row, COL_DESCRIPTION, &mut out.rejected),
        csc_responsibilities: sheet.text(row, COL_CSC, &mut out.rejected),
        question: sheet.cell(row, COL_QUESTION).display(),
        position: sheet.position(row, COL_ANSWER),
    });
}

fn parse_answer(sheet: &Sheet, row: usize, rejected: &mut Vec<Rejection>) -> Option<Answer> {
    let cell = sheet.cell(row, COL_ANSWER);
    if cell.is_blank() {
        return Some(Answer::Unanswered);
    }
    let hint = |got: &str| {
        let known = ["Yes", "No", "NA"];
        Some(match nearest(got, known) {
            Some(n) => format!("did you mean `{n}`? the answer is one of `Yes`, `No`, `NA`, or empty"),
            None => "the answer is one of `Yes`, `No`, `NA`, or empty when not answered; put explanations in column E".to_owned(),
        })
    };
    let Cell::Text(s) = cell else {
        rejected.push(sheet.reject(
            row,
            COL_ANSWER,
            format!("expected `Yes`, `No` or `NA`, found {}", cell.describe()),
            hint(""),
        ));
        return None;
    };
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" => Some(Answer::Yes),
        "no" => Some(Answer::No),
        "na" | "n/a" => Some(Answer::Na),
        _ => {
            rejected.push(sheet.reject(
                row,
                COL_ANSWER,
                format!("unknown answer {}", cell.describe()),
                hint(s.trim()),
            ));
            None
        }
    }
}

fn parse_ownership(sheet: &Sheet, row: usize, rejected: &mut Vec<Rejection>) -> Option<Ownership> {
    let cell = sheet.cell(row, COL_OWNERSHIP);
    if cell.is_blank() {
        return None;
    }
    let text = match cell {
        Cell::Text(s) => normalise(s),
        _ => String::new(),
    };
    if let Some((_, o)) = OWNERSHIPS.iter().find(|(n, _)| normalise(n) == text) {
        return Some(*o);
    }
    let names = OWNERSHIPS.iter().map(|(n, _)| *n);
    let hint = match nearest(&text, names.clone()) {
        Some(n) => format!("did you mean `{n}`?"),
        None => format!(
            "the ownership is one of {}",
            names
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    rejected.push(sheet.reject(
        row,
        COL_OWNERSHIP,
        format!("unknown control ownership {}", cell.describe()),
        Some(hint),
    ));
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for ok in ["A&A-01.1", "AIS-04.12", "I&S-09.2", "DSP-19.1", "GRC-08.3"] {
            assert!(is_question_id(ok), "{ok}");
        }
        for bad in [
            "A&A-01",
            "A&A-1.1",
            "a&a-01.1",
            "&&-01.1",
            "ABCDE-01.1",
            "A&A-01.",
            "A&A-01.x",
            "",
            "-",
            ".",
        ] {
            assert!(!is_question_id(bad), "{bad}");
        }
    }

    #[test]
    fn sheet_names() {
        assert!(is_caiq_sheet("CAIQv4.0.3"));
        assert!(is_caiq_sheet("CAIQv4.0.12"));
        assert!(!is_caiq_sheet("CAIQv4.0."));
        assert!(!is_caiq_sheet("CAIQ v4.0.3"));
        assert!(!is_caiq_sheet("CAIQv4.1.0"));
    }

    #[test]
    fn versions_in_titles() {
        assert_eq!(
            version_in("CAIQ v4.0.3 Consensus Assessments").as_deref(),
            Some("4.0.3")
        );
        assert_eq!(version_in("no version"), None);
    }
}
