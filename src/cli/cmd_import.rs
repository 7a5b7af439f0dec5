//! `labfit import`: a provider's answers into its evidence — labfit's own form filled in, a
//! CSA CAIQ v4, a HECVAT 3, or any questionnaire a mapping describes. Writes the new evidence
//! (the base file with the answered facts replaced, each earlier value kept in its
//! `history`), says what was set and what could not be read, and exits 2 when a cell was
//! rejected (the accepted answers are still written).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use labfit::answers::error::rejection_diagnostic;
use labfit::engine::import::{ImportSpec, Questionnaire};
use labfit::render::text;
use labfit::{Date, Engine, Error, Evidence, Status};

use super::{report_error, Exit, RulesArgs};

#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Subcommand, Debug)]
pub enum What {
    /// A filled-in labfit form (`labfit questions --format csv|xlsx`): answers become
    /// `claimed`, or `verified` where the lab marked the document checked
    Answers(FormArgs),
    /// A CSA CAIQ v4.0.x (the STAR registry's questionnaire), through rules/mappings/caiq-v4.yaml
    Caiq(MappedArgs),
    /// A HECVAT 3.x Full or Lite vendor response, through rules/mappings/hecvat-3.yaml
    Hecvat(MappedArgs),
    /// Any questionnaire a mapping file describes (`--mapping FILE`, its `layout` says where
    /// the answers are)
    Questionnaire(MappedArgs),
}

/// Options every import shares.
#[derive(Args, Debug)]
pub struct Common {
    /// The filled questionnaire (.xlsx or .csv)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Write the new evidence to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The date the answers were given (YYYY-MM-DD; default today): the source's date
    #[arg(long = "date", value_name = "DATE", value_parser = super::parse_date)]
    pub date: Option<Date>,
    #[command(flatten)]
    pub rules: RulesArgs,
}

#[derive(Args, Debug)]
pub struct FormArgs {
    #[command(flatten)]
    pub common: Common,
    /// The evidence to merge the answers into: a built-in provider id or a path
    #[arg(short = 'e', long = "evidence", value_name = "EVIDENCE")]
    pub evidence: String,
}

#[derive(Args, Debug)]
pub struct MappedArgs {
    #[command(flatten)]
    pub common: Common,
    /// Merge into this evidence (a built-in provider id or a path) instead of starting anew
    #[arg(
        short = 'e',
        long = "evidence",
        value_name = "EVIDENCE",
        conflicts_with = "provider"
    )]
    pub evidence: Option<String>,
    /// The id of new evidence (default: the file's name)
    #[arg(long = "provider", value_name = "ID")]
    pub provider: Option<String>,
    /// The provider's name in new evidence (default: its id)
    #[arg(long = "name", value_name = "NAME")]
    pub name: Option<String>,
    /// The submission was audited by a third party (a STAR Level 2 CAIQ): facts are
    /// `attested` instead of `claimed`
    #[arg(long = "attested")]
    pub attested: bool,
    /// The mapping: a built-in name (caiq-v4, hecvat-3) or a `labfit: mapping/v1` file
    #[arg(long = "mapping", value_name = "MAPPING")]
    pub mapping: Option<String>,
}

pub fn run(a: &ImportArgs) -> Exit {
    let (common, layout) = match &a.what {
        What::Answers(f) => (&f.common, None),
        What::Caiq(m) => (&m.common, Some(("caiq-v4", Some("caiq")))),
        What::Hecvat(m) => (&m.common, Some(("hecvat-3", Some("hecvat")))),
        What::Questionnaire(m) => (&m.common, Some(("", None))),
    };
    let engine = match common.rules.engine() {
        Ok(e) => e,
        Err(e) => return report_error(&e),
    };
    let bytes = match read(&common.file) {
        Ok(b) => b,
        Err(e) => {
            super::output::eprint(&format!("error: {e}\n"));
            return Exit::Input;
        }
    };
    let date = common.date.unwrap_or_else(Date::today);
    let file = common.file.display().to_string();
    let result = match (&a.what, layout) {
        (What::Answers(f), _) => engine.evidence(&f.evidence).and_then(|base| {
            engine.import(ImportSpec {
                file: &file,
                bytes,
                questionnaire: Questionnaire::Form,
                base,
                date,
            })
        }),
        (What::Caiq(m) | What::Hecvat(m) | What::Questionnaire(m), Some((default, wanted))) => {
            mapped(&engine, m, default, wanted, &file, bytes, date)
        }
        _ => return Exit::Input,
    };
    let imported = match result {
        Ok(i) => i,
        Err(e) => return report_error(&e),
    };
    let account = text::imported(
        &imported.answers,
        &imported.merged,
        &imported.evidence.id,
        &imported.source,
    );
    if let Err(e) = super::output::write(common.output.as_deref(), &imported.yaml) {
        super::output::eprint(&format!("error: {e}\n"));
        return Exit::Input;
    }
    // The account goes where it does not mix with the YAML.
    if common.output.is_some() {
        let _ = super::output::write(None, &account);
    } else {
        super::output::eprint(&account);
    }
    let color = super::stderr_color();
    let mut rejected = String::new();
    for r in &imported.answers.rejected {
        rejected.push_str(&rejection_diagnostic(r).render(color));
    }
    super::output::eprint(&rejected);
    if imported.answers.rejected.is_empty() {
        Exit::Ok
    } else {
        Exit::Input
    }
}

fn mapped(
    engine: &Engine,
    m: &MappedArgs,
    default: &str,
    wanted: Option<&str>,
    file: &str,
    bytes: Vec<u8>,
    date: Date,
) -> Result<labfit::engine::import::Imported, Error> {
    let name = match (&m.mapping, default) {
        (Some(n), _) => n.clone(),
        (None, "") => {
            return Err(labfit::input::error::UsageError::Invalid {
                message: "`labfit import questionnaire` needs `--mapping FILE`".into(),
                hint: Some("write a `labfit: mapping/v1` file whose `layout` names the question-id and answer columns (docs/answers.md)".into()),
            }
            .into())
        }
        (None, d) => d.to_owned(),
    };
    let mapping = engine.mapping(&name)?;
    if let Some(w) = wanted {
        if mapping.layout.name() != w {
            return Err(labfit::answers::error::AnswersError::WrongLayout {
                mapping: mapping.name.clone(),
                layout: mapping.layout.name().to_owned(),
                wanted: w.to_owned(),
            }
            .into());
        }
    }
    let base = match (&m.evidence, &m.provider) {
        (Some(e), _) => engine.evidence(e)?,
        (None, id) => {
            let id = id.clone().unwrap_or_else(|| slug(file));
            let mut e = Evidence::synthetic(&id, date);
            if let Some(n) = &m.name {
                e.provider = n.clone();
            }
            e
        }
    };
    let status = if m.attested {
        Status::Attested
    } else {
        Status::Claimed
    };
    engine.import(ImportSpec {
        file,
        bytes,
        questionnaire: Questionnaire::Mapped {
            mapping: &mapping,
            status,
        },
        base,
        date,
    })
}

/// A provider id from a file name: its stem in lowercase, other characters as `-`.
fn slug(file: &str) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let s: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_owned();
    if s.is_empty() {
        "provider".to_owned()
    } else {
        s
    }
}

/// The file's bytes, refusing more than a questionnaire can be.
fn read(path: &std::path::Path) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let limit = labfit::answers::grid::MAX_FILE_BYTES as u64;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "`{}` is larger than {limit} bytes, more than any questionnaire",
            path.display()
        ));
    }
    Ok(bytes)
}
