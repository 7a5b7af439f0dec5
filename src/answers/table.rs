//! Any questionnaire laid out as a table: a header row (one of the first 30 rows) naming the
//! question-id column and the answer column, and optionally a column of notes; one question
//! per row below it. A mapping with `layout: {sheet, id, answer, note}` reads a SIG Lite
//! export or a lab's own form this way.

use std::collections::HashMap;

use crate::answers::grid::{nearest, Cell, GridError, Position, Rejection, Sheet, Workbook};

/// How far down the header row is looked for.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// What a table says for one question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Said {
    /// Yes (also `Y`, `TRUE`).
    Yes,
    /// No (also `N`, `FALSE`).
    No,
    /// Not applicable (`NA`, `N/A`).
    Na,
    /// Any other text.
    Text(String),
}

impl Said {
    /// Reads a cell: `None` when it is blank.
    pub fn of(cell: &Cell) -> Option<Said> {
        if let Cell::Bool(b) = cell {
            return Some(if *b { Said::Yes } else { Said::No });
        }
        let text = cell.display()?;
        Some(match text.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" => Said::Yes,
            "no" | "n" | "false" => Said::No,
            "na" | "n/a" | "not applicable" => Said::Na,
            _ => Said::Text(text),
        })
    }
}

/// One row of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The question id.
    pub id: String,
    /// The answer; `None` when empty.
    pub said: Option<Said>,
    /// The note column's text.
    pub note: Option<String>,
    /// The answer cell.
    pub position: Position,
}

/// A read table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// The rows with a question id, in sheet order.
    pub rows: Vec<Row>,
    /// The cells that could not be used.
    pub rejected: Vec<Rejection>,
}

fn normalise(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The column headers to find: question id, answer, note.
pub struct Headers<'a> {
    /// The question-id column's header.
    pub id: &'a str,
    /// The answer column's header.
    pub answer: &'a str,
    /// The note column's header, if any.
    pub note: Option<&'a str>,
}

/// Reads the table on `sheet` (the first sheet when `None`).
pub fn read(
    wb: &mut Workbook,
    sheet: Option<&str>,
    headers: &Headers<'_>,
) -> Result<Table, GridError> {
    let name = match sheet {
        Some(s) if wb.is_csv() || wb.sheet_names().iter().any(|n| n == s) => s.to_owned(),
        Some(s) => return Err(wb.missing(s)),
        None => wb.sheet_names().into_iter().next().unwrap_or_default(),
    };
    let sheet = wb.sheet(&name)?;
    read_sheet(&sheet, headers)
}

/// Reads a table already in hand.
pub fn read_sheet(sheet: &Sheet, h: &Headers<'_>) -> Result<Table, GridError> {
    let (header_row, id, answer, note) = find_header(sheet, h)?;
    let mut out = Table::default();
    let mut seen: HashMap<String, String> = HashMap::new();
    for row in (header_row + 1)..sheet.height() {
        let Some(qid) = sheet.cell(row, id).display() else {
            if !sheet.cell(row, answer).is_blank() {
                out.rejected.push(sheet.reject(
                    row,
                    answer,
                    "the row has an answer but no question id",
                    Some(format!(
                        "write the question id in the `{}` column, or clear the row",
                        h.id
                    )),
                ));
            }
            continue;
        };
        if let Some(first) = seen.get(&qid) {
            out.rejected.push(sheet.reject(
                row,
                id,
                format!("question `{qid}` appears twice (first in {first})"),
                Some("each question appears once; delete the copy".to_owned()),
            ));
            continue;
        }
        seen.insert(qid.clone(), sheet.position(row, id).cell_ref());
        let cell = sheet.cell(row, answer);
        if let Cell::Error(e) = cell {
            out.rejected.push(sheet.reject(
                row,
                answer,
                format!("answer cell holds the error `{e}`"),
                Some("replace the formula with the answer itself".to_owned()),
            ));
            continue;
        }
        out.rows.push(Row {
            id: qid,
            said: Said::of(cell),
            note: note.and_then(|c| sheet.cell(row, c).display()),
            position: sheet.position(row, answer),
        });
    }
    Ok(out)
}

type Found = (usize, usize, usize, Option<usize>);

fn find_header(sheet: &Sheet, h: &Headers<'_>) -> Result<Found, GridError> {
    for row in 0..sheet.height().min(HEADER_SEARCH_ROWS) {
        let width = sheet.rows.get(row).map_or(0, Vec::len);
        let find = |want: &str| {
            let want = normalise(want);
            (0..width).find(|&c| {
                sheet
                    .cell(row, c)
                    .text()
                    .is_some_and(|t| normalise(t) == want)
            })
        };
        if let (Some(id), Some(answer)) = (find(h.id), find(h.answer)) {
            return Ok((row, id, answer, h.note.and_then(find)));
        }
    }
    let first: Vec<&str> = sheet
        .rows
        .first()
        .into_iter()
        .flatten()
        .filter_map(Cell::text)
        .collect();
    let near = nearest(h.id, first.iter().copied())
        .or_else(|| nearest(h.answer, first.iter().copied()))
        .map(|n| format!(" (row 1 has `{n}`)"))
        .unwrap_or_default();
    Err(GridError::Unreadable {
        file: sheet.file.clone(),
        sheet: Some(sheet.name.clone()),
        position: Some(Box::new(sheet.position(0, 0))),
        message: format!(
            "no header row names both `{}` and `{}` in rows 1–{HEADER_SEARCH_ROWS}{near}",
            h.id, h.answer
        ),
        hint: "the mapping's `layout` names the headers of the question-id and answer columns; make them match the sheet".to_owned(),
    })
}
