//! Merging answers into evidence: each answered fact takes the new value, status, source and
//! note, and what it said before goes to its `history` (who said it, what, and as of when),
//! so `labfit diff` and a later reader see what changed; every other fact stays as it was.

use crate::evidence::{Earlier, Evidence, Fact, FactValue, Source, Status};
use crate::input::date::Date;
use crate::score::EPS;

/// One fact an answer sets.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The fact key.
    pub fact: String,
    /// The value.
    pub value: FactValue,
    /// Its assurance: `claimed` for the provider's word, `verified` once the lab has read the
    /// document, `attested` for an audited questionnaire.
    pub status: Status,
    /// What the answer said besides its value (the provider's notes, the document named).
    pub note: Option<String>,
    /// The questions it rests on (`q14.contract.baa`, `CEK-03.1`).
    pub questions: Vec<String>,
}

/// Where the answers come from: the source to cite, with its id in the evidence file.
#[derive(Clone, Debug, PartialEq)]
pub struct Provenance {
    /// The source id the facts cite (`answers-2026-03-02`).
    pub id: String,
    /// The source: the answers file's name as title, its date and its SHA-256.
    pub source: Source,
    /// The date the answers were given: facts without a date of their own hold as of it.
    pub date: Date,
}

impl Provenance {
    /// A source id for `base` that is free, or already names this very source: `stem`,
    /// then `stem-2`, `stem-3`, …
    pub fn free_id(base: &Evidence, stem: &str, source: &Source) -> String {
        let mut n = 1;
        loop {
            let id = if n == 1 {
                stem.to_owned()
            } else {
                format!("{stem}-{n}")
            };
            match base.sources.get(&id) {
                None => return id,
                Some(s) if s == source => return id,
                Some(_) => n += 1,
            }
        }
    }
}

/// What merging did to one fact.
#[derive(Clone, Debug, PartialEq)]
pub struct Merged {
    /// The fact key.
    pub fact: String,
    /// The statement replaced, if there was one (kept in the fact's history).
    pub before: Option<Earlier>,
    /// False when the answer said exactly what the evidence already said (nothing written).
    pub changed: bool,
}

fn same(a: &FactValue, b: &FactValue) -> bool {
    match (a, b) {
        (FactValue::Number(x), FactValue::Number(y)) => (x - y).abs() <= EPS,
        _ => a == b,
    }
}

/// `base` with `settings` applied, citing `prov`; also what happened to each fact. A fact
/// whose value, status and note already say what the answer says is left alone.
pub fn apply(base: &Evidence, settings: &[Setting], prov: &Provenance) -> (Evidence, Vec<Merged>) {
    let mut out = base.clone();
    let mut merged = Vec::new();
    for s in settings {
        let old = base.facts.get(&s.fact);
        let unchanged = old.is_some_and(|f| {
            f.status == s.status
                && f.note == s.note
                && f.value.as_ref().is_some_and(|v| same(v, &s.value))
        });
        if unchanged {
            merged.push(Merged {
                fact: s.fact.clone(),
                before: None,
                changed: false,
            });
            continue;
        }
        let mut history = old.map(|f| f.history.clone()).unwrap_or_default();
        let before = old.map(|f| Earlier {
            value: f.value.clone(),
            status: f.status,
            source: f.source.clone(),
            note: f.note.clone(),
            as_of: base.fact_date(f),
            superseded: prov.date.max(base.fact_date(f)),
        });
        history.extend(before.clone());
        out.facts.insert(
            s.fact.clone(),
            Fact {
                value: Some(s.value.clone()),
                status: s.status,
                source: Some(prov.id.clone()),
                note: s.note.clone(),
                as_of: None,
                expires: None,
                covers: None,
                history,
            },
        );
        merged.push(Merged {
            fact: s.fact.clone(),
            before,
            changed: true,
        });
    }
    if merged.iter().any(|m| m.changed) {
        std::sync::Arc::make_mut(&mut out.sources).insert(prov.id.clone(), prov.source.clone());
    }
    (out, merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn base() -> Evidence {
        let mut e = Evidence::synthetic("p", date("2023-08-04"));
        e.facts.insert(
            "contract.baa".into(),
            Fact {
                value: Some(FactValue::Bool(false)),
                status: Status::Reported,
                source: None,
                note: Some("a blog says no".into()),
                as_of: None,
                expires: None,
                covers: None,
                history: Vec::new(),
            },
        );
        e
    }

    #[test]
    fn an_answer_replaces_the_fact_and_keeps_what_it_said() {
        let source = Source {
            title: Some("answers.xlsx".into()),
            url: None,
            date: Some(date("2026-03-02")),
            sha256: Some("0".repeat(64)),
        };
        let prov = Provenance {
            id: Provenance::free_id(&base(), "answers-2026-03-02", &source),
            source,
            date: date("2026-03-02"),
        };
        let set = [
            Setting {
                fact: "contract.baa".into(),
                value: FactValue::Bool(true),
                status: Status::Claimed,
                note: None,
                questions: vec!["q14.contract.baa".into()],
            },
            Setting {
                fact: "exit.deletes_data".into(),
                value: FactValue::Bool(false),
                status: Status::Verified,
                note: Some("document: contract §12".into()),
                questions: vec!["q15.exit.deletes_data".into()],
            },
        ];
        let (e, merged) = apply(&base(), &set, &prov);
        let baa = &e.facts["contract.baa"];
        assert_eq!(baa.value, Some(FactValue::Bool(true)));
        assert_eq!(baa.source.as_deref(), Some("answers-2026-03-02"));
        assert_eq!(baa.history.len(), 1);
        assert_eq!(baa.history[0].value, Some(FactValue::Bool(false)));
        assert_eq!(baa.history[0].status, Status::Reported);
        assert_eq!(baa.history[0].as_of, date("2023-08-04"));
        assert_eq!(baa.history[0].superseded, date("2026-03-02"));
        assert!(e.facts["exit.deletes_data"].history.is_empty());
        assert!(e.sources.contains_key("answers-2026-03-02"));
        assert!(merged.iter().all(|m| m.changed));
        // The same answers again change nothing.
        let (again, merged) = apply(&e, &set, &prov);
        assert_eq!(again.facts, e.facts);
        assert!(merged.iter().all(|m| !m.changed));
    }
}
