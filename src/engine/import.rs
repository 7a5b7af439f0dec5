//! Importing answers: a filled questionnaire read (labfit's form, or a published one through a
//! mapping), merged into a provider's evidence with every earlier statement kept in its
//! history, and the evidence written back as YAML that parses to exactly the result. Also the
//! form itself, made from a report's questions.

use sha2::{Digest, Sha256};

use crate::answers::error::AnswersError;
use crate::answers::form;
use crate::answers::grid::Workbook;
use crate::answers::import::{self, Answers};
use crate::answers::mapping::Mapping;
use crate::answers::merge::{self, Merged, Provenance};
use crate::engine::error::Error;
use crate::engine::Engine;
use crate::evidence::{write, Evidence, Source, Status};
use crate::input::date::Date;
use crate::report::Report;

/// Which questionnaire a file holds.
#[derive(Clone, Copy, Debug)]
pub enum Questionnaire<'a> {
    /// labfit's own form (`labfit questions --format csv|xlsx`).
    Form,
    /// A published questionnaire, read through a mapping; its answers take `status`
    /// (`claimed` for a self-assessment, `attested` for a third-party-audited one).
    Mapped {
        /// The mapping.
        mapping: &'a Mapping,
        /// The status of every fact it sets.
        status: Status,
    },
}

/// What to import, and into what.
#[derive(Clone, Debug)]
pub struct ImportSpec<'a> {
    /// The file's name, as messages and the source's title show it.
    pub file: &'a str,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// What it holds.
    pub questionnaire: Questionnaire<'a>,
    /// The evidence to merge into (a new provider: [`Evidence::synthetic`]).
    pub base: Evidence,
    /// The date the answers were given (the source's date; facts hold as of it).
    pub date: Date,
}

/// An import's result.
#[derive(Clone, Debug)]
pub struct Imported {
    /// What was read, and the account of it (mapped, unmapped, rejected, uncovered).
    pub answers: Answers,
    /// The evidence with the answers merged.
    pub evidence: Evidence,
    /// That evidence as YAML: the base file with the answered facts replaced, or written whole.
    pub yaml: String,
    /// What merging did to each answered fact.
    pub merged: Vec<Merged>,
    /// The id of the source the answered facts cite.
    pub source: String,
}

/// The stem of a source id for a mapping's answers: its name without a version suffix
/// (`caiq-v4` → `caiq`, `hecvat-3` → `hecvat`, `our-form` as it is).
fn source_stem(name: &str) -> String {
    let version = |s: &str| {
        let digits = s.strip_prefix('v').unwrap_or(s);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    };
    let stem = match name.rsplit_once('-') {
        Some((head, tail)) if !head.is_empty() && version(tail) => head,
        _ => name,
    };
    if stem.is_empty() {
        "answers".to_owned()
    } else {
        stem.to_owned()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Engine {
    /// Reads a filled questionnaire and merges its answers into `spec.base`.
    pub fn import(&self, spec: ImportSpec<'_>) -> Result<Imported, Error> {
        let sha = hex(&Sha256::digest(&spec.bytes));
        let mut wb = Workbook::open(spec.file, spec.bytes).map_err(AnswersError::from)?;
        let (answers, stem) = match spec.questionnaire {
            Questionnaire::Form => (
                import::read_form(&mut wb, &self.vocab)?,
                "answers".to_owned(),
            ),
            Questionnaire::Mapped { mapping, status } => {
                let stem = source_stem(&mapping.name);
                (
                    import::read_mapped(&mut wb, mapping, &self.vocab, status)?,
                    stem,
                )
            }
        };
        let base_name = spec.file.rsplit(['/', '\\']).next().unwrap_or(spec.file);
        let source = Source {
            title: Some(format!("{} answers ({base_name})", answers.questionnaire)),
            url: None,
            date: Some(spec.date),
            sha256: Some(sha),
        };
        let id = Provenance::free_id(&spec.base, &format!("{stem}-{}", spec.date), &source);
        let prov = Provenance {
            id: id.clone(),
            source,
            date: spec.date,
        };
        let (evidence, merged) = merge::apply(&spec.base, &answers.settings, &prov);
        let yaml = write::rewrite(&spec.base, &evidence, &self.vocab);
        Ok(Imported {
            answers,
            evidence,
            yaml,
            merged,
            source: id,
        })
    }

    /// The fillable form of a report's questions, as xlsx bytes (`xlsx`) or CSV text.
    pub fn form(&self, report: &Report, xlsx: bool) -> Result<Vec<u8>, Error> {
        let rows = import::form_questions(report, &self.vocab);
        let bytes = if xlsx {
            form::write_xlsx(&rows).map_err(AnswersError::from)?
        } else {
            form::write_csv(&rows)
                .map_err(AnswersError::from)?
                .into_bytes()
        };
        Ok(bytes)
    }
}
