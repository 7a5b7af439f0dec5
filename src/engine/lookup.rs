//! Finding profiles and evidence by built-in id (or the file stem of one a pack carries) or
//! by path, relative to the profile that `extends` them.

use std::path::{Path, PathBuf};

use crate::answers::mapping::Mapping;
use crate::engine::error::Error;
use crate::engine::Engine;
use crate::evidence::error::EvidenceError;
use crate::evidence::Evidence;
use crate::input::error::{did_you_mean, suggest_id, UsageError};
use crate::input::source::SourceFile;
use crate::profile::error::ProfileError;
use crate::profile::{self, ProfileSource};
use crate::score::{self, BoundProfile};

/// The evidence of a comparison, one per provider, with notes on the files that replaced a
/// built-in provider.
#[derive(Debug)]
pub struct Gathered {
    /// One evidence per provider, in the order given (built-ins after the names).
    pub evidence: Vec<Evidence>,
    /// One sentence per replaced built-in provider.
    pub notes: Vec<String>,
}

impl Engine {
    /// Loads and binds a profile: a built-in id or a path.
    pub fn profile(&self, name: &str) -> Result<BoundProfile, Error> {
        let file = self.find(name, None)?;
        self.bind_profile(file)
    }

    /// Binds a profile file's text (for embedders and tests).
    pub fn profile_from(&self, file: SourceFile) -> Result<BoundProfile, Error> {
        self.bind_profile(file)
    }

    fn bind_profile(&self, file: SourceFile) -> Result<BoundProfile, Error> {
        let p = profile::load(file, self, &self.params)?;
        let (bound, errors) = score::bind(&self.graph, &self.vocab, p)?;
        Error::from_list(errors.into_iter().map(Error::from).collect())?;
        Ok(bound)
    }

    /// Loads evidence: a built-in provider id or a path.
    pub fn evidence(&self, name: &str) -> Result<Evidence, Error> {
        if let Some(f) = self.builtin_evidence.get(name) {
            return Ok(Evidence::parse(f, &self.vocab)?);
        }
        let path = Path::new(name);
        if path.exists() || name.contains('/') || name.ends_with(".yaml") || name.ends_with(".yml")
        {
            let f = SourceFile::read(path)?;
            return Ok(Evidence::parse(&f, &self.vocab)?);
        }
        let names: Vec<(&str, String)> = self
            .builtin_evidence
            .iter()
            .map(|(id, f)| {
                let provider = Evidence::parse(f, &self.vocab).map(|e| e.provider);
                (id.as_str(), provider.unwrap_or_default())
            })
            .collect();
        let hint = suggest_id(name, names.iter().map(|(id, n)| (*id, n.as_str())))
            .map(|h| format!("{h} (or give a path to an evidence file)"))
            .unwrap_or_else(|| {
                format!(
                    "built-in providers: {}; or give a path to an evidence file",
                    self.builtin_providers().collect::<Vec<_>>().join(", ")
                )
            });
        Err(EvidenceError::NotFound {
            name: name.to_owned(),
            hint,
        }
        .into())
    }

    /// Loads the evidence to compare: each name (a built-in id or a path), and with `builtin`
    /// every built-in provider too. A provider may appear once: a file for a built-in provider
    /// replaces it (the returned notes say so), and two files for one provider are an error
    /// naming both. Files parse in parallel; the first error in argument order is returned.
    pub fn gather(&self, names: &[String], builtin: bool) -> Result<Gathered, Error> {
        use rayon::prelude::*;
        let loaded = names
            .par_iter()
            .map(|n| self.evidence(n))
            .collect::<Vec<_>>()
            .into_iter()
            .collect::<Result<Vec<Evidence>, Error>>()?;
        self.gather_loaded(loaded, builtin)
    }

    /// [`Engine::gather`] for evidence already loaded (built-in or parsed from text): with
    /// `builtin`, or when `given` is empty, every built-in provider not among them is added
    /// after them, and a provider may appear once, as there.
    pub fn gather_loaded(&self, given: Vec<Evidence>, builtin: bool) -> Result<Gathered, Error> {
        use rayon::prelude::*;
        let mut loaded = given;
        if builtin || loaded.is_empty() {
            let named: Vec<String> = loaded
                .iter()
                .filter(|e| e.file().is_builtin())
                .map(|e| e.id.clone())
                .collect();
            let missing: Vec<String> = self
                .builtin_providers()
                .filter(|id| !named.iter().any(|n| n == id))
                .map(str::to_owned)
                .collect();
            let builtins = missing
                .par_iter()
                .map(|id| self.provider(id))
                .collect::<Vec<_>>();
            for e in builtins {
                loaded.push(e?);
            }
        }
        let mut kept: Vec<Evidence> = Vec::with_capacity(loaded.len());
        let mut notes = Vec::new();
        for e in loaded {
            let Some(i) = kept.iter().position(|k| k.id == e.id) else {
                kept.push(e);
                continue;
            };
            let Some(old) = kept.get(i) else { continue };
            match (old.file().is_builtin(), e.file().is_builtin()) {
                (true, false) | (false, true) => {
                    let (file, keep) = if e.file().is_builtin() {
                        (old.file().name().to_owned(), None)
                    } else {
                        (e.file().name().to_owned(), Some(e))
                    };
                    notes.push(format!(
                        "`{file}` replaces the built-in evidence for `{}` ({})",
                        old.id, old.provider
                    ));
                    if let (Some(new), Some(slot)) = (keep, kept.get_mut(i)) {
                        *slot = new;
                    }
                }
                _ => {
                    return Err(EvidenceError::Twice {
                        id: e.id.clone(),
                        first: old.file().name().to_owned(),
                        second: e.file().name().to_owned(),
                    }
                    .into())
                }
            }
        }
        Ok(Gathered {
            evidence: kept,
            notes,
        })
    }

    /// Loads a questionnaire mapping: a built-in name (`caiq-v4`) or a path, checked against
    /// the vocabulary.
    pub fn mapping(&self, name: &str) -> Result<Mapping, Error> {
        if let Some(f) = self.builtin_mappings.get(name) {
            return Ok(Mapping::parse(f, &self.vocab)?);
        }
        let path = Path::new(name);
        if path.exists() || name.contains('/') || name.ends_with(".yaml") || name.ends_with(".yml")
        {
            let f = SourceFile::read(path)?;
            return Ok(Mapping::parse(&f, &self.vocab)?);
        }
        let hint = did_you_mean(name, self.builtin_mappings())
            .map(|h| format!("{h} (or give a path to a mapping file)"))
            .unwrap_or_else(|| {
                format!(
                    "built-in mappings: {}; or give a path to a `labfit: mapping/v1` file",
                    self.builtin_mappings().collect::<Vec<_>>().join(", ")
                )
            });
        Err(UsageError::Invalid {
            message: format!("no mapping `{name}`"),
            hint: Some(hint),
        }
        .into())
    }

    /// Parses evidence text (for embedders and tests).
    pub fn evidence_from(&self, file: &SourceFile) -> Result<Evidence, Error> {
        Ok(Evidence::parse(file, &self.vocab)?)
    }

    /// A built-in provider's evidence (or one a pack carries), by id only: unlike
    /// [`Engine::evidence`], a name is never taken for a path, so no file is read (what the
    /// service uses).
    pub fn provider(&self, id: &str) -> Result<Evidence, Error> {
        match self.builtin_evidence.get(id) {
            Some(f) => Ok(Evidence::parse(f, &self.vocab)?),
            None => Err(EvidenceError::NotFound {
                name: id.to_owned(),
                hint: detached_hint(id, self.builtin_providers(), "providers", "evidence"),
            }
            .into()),
        }
    }

    /// A built-in profile (or one a pack carries), by id only; never a path.
    pub fn builtin_profile(&self, id: &str) -> Result<BoundProfile, Error> {
        let file = Detached(self).find(id, None)?;
        self.profile_detached(file)
    }

    /// Binds a profile's text whose `extends` may name only built-in profiles: no file is
    /// read, and a path is an error at the `extends` (what the service uses for a profile
    /// sent in a request).
    pub fn profile_detached(&self, file: SourceFile) -> Result<BoundProfile, Error> {
        let p = profile::load(file, &Detached(self), &self.params)?;
        let (bound, errors) = score::bind(&self.graph, &self.vocab, p)?;
        Error::from_list(errors.into_iter().map(Error::from).collect())?;
        Ok(bound)
    }
}

/// Finds profiles among the built-in ones only, for [`Engine::profile_detached`].
struct Detached<'e>(&'e Engine);

impl ProfileSource for Detached<'_> {
    fn find(&self, name: &str, _from: Option<&SourceFile>) -> Result<SourceFile, ProfileError> {
        match self.0.builtin_profiles.get(name) {
            Some(f) => Ok(f.clone()),
            None => Err(ProfileError::NotFound {
                name: name.to_owned(),
                hint: detached_hint(name, self.0.builtin_profiles(), "profiles", "profile"),
            }),
        }
    }
}

/// The hint for an unknown id where no file may be read: the nearest id, else the list; and
/// for what looks like a path, that documents are sent, not named.
fn detached_hint<'a>(
    name: &str,
    known: impl Iterator<Item = &'a str>,
    what: &str,
    document: &str,
) -> String {
    if name.contains('/') || name.ends_with(".yaml") || name.ends_with(".yml") {
        return format!("no file is read here: send the {document} itself instead of its path");
    }
    let known: Vec<&str> = known.collect();
    did_you_mean(name, known.iter().copied())
        .unwrap_or_else(|| format!("built-in {what}: {}", known.join(", ")))
}

impl ProfileSource for Engine {
    fn find(&self, name: &str, from: Option<&SourceFile>) -> Result<SourceFile, ProfileError> {
        if let Some(f) = self.builtin_profiles.get(name) {
            return Ok(f.clone());
        }
        let looks_like_path =
            name.contains('/') || name.ends_with(".yaml") || name.ends_with(".yml");
        let base = from
            .filter(|f| !f.is_builtin())
            .map(|f| PathBuf::from(f.dir()));
        let path = match &base {
            Some(b) if !b.as_os_str().is_empty() && Path::new(name).is_relative() => b.join(name),
            _ => PathBuf::from(name),
        };
        if path.exists() || looks_like_path {
            return Ok(SourceFile::read(&path)?);
        }
        let titles: Vec<(&str, String)> = self
            .builtin_profiles
            .iter()
            .map(|(id, f)| (id.as_str(), profile::own_title(f).unwrap_or_default()))
            .collect();
        let hint = suggest_id(name, titles.iter().map(|(id, t)| (*id, t.as_str())))
            .map(|h| format!("{h} (or give a path to a profile file)"))
            .unwrap_or_else(|| {
                format!(
                    "built-in profiles: {}; or give a path to a profile file",
                    self.builtin_profiles().collect::<Vec<_>>().join(", ")
                )
            });
        Err(ProfileError::NotFound {
            name: name.to_owned(),
            hint,
        })
    }
}
