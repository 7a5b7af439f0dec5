//! What changed between two evidence files of one provider, and what each change did: every
//! fact added, removed or changed (value, status, source, dates, note, scope) is applied alone on top
//! of the old file and scored, so a committee sees which answer moved the verdict; both files
//! are also scored whole. Facts interact (an `all` control, a gate), so the single-change
//! effects need not add up to the whole difference; the report shows both.

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::engine::{Engine, Options};
use crate::evidence::{Evidence, Fact};
use crate::input::date::Date;
use crate::report::diff::{ChangeKind, EvidenceDiff, FactChange, GateChange, Side, Standing};
use crate::report::Report;
use crate::score::round6;
use crate::score::{BoundProfile, EPS};

impl Engine {
    /// Scores `old` and `new`, and `old` with each differing fact taken from `new` alone.
    pub fn diff(
        &self,
        profile: &BoundProfile,
        old: &Evidence,
        new: &Evidence,
        options: &Options,
    ) -> EvidenceDiff {
        let as_of = options.as_of.unwrap_or_else(Date::today);
        let options = Options {
            as_of: Some(as_of),
            assumptions: options.assumptions.clone(),
        };
        let before = self.score(profile, old, &options);
        let after = self.score(profile, new, &options);
        let keys: BTreeSet<&String> = old.facts.keys().chain(new.facts.keys()).collect();
        let differing: Vec<Differing<'_>> = keys
            .into_iter()
            .filter_map(|k| {
                let (a, b) = (old.facts.get(k), new.facts.get(k));
                let fields = differing_fields(a, b);
                (!fields.is_empty()).then(|| (k.clone(), a, b, fields))
            })
            .collect();
        let mut changes: Vec<FactChange> = differing
            .par_iter()
            .map(|(key, a, b, fields)| {
                let mut one = old.clone();
                match b {
                    Some(f) => {
                        if let Some(s) = f.source.as_ref() {
                            if let Some(src) = new.sources.get(s) {
                                std::sync::Arc::make_mut(&mut one.sources)
                                    .insert(s.clone(), src.clone());
                            }
                        }
                        one.facts.insert(key.clone(), (*f).clone());
                    }
                    None => {
                        one.facts.remove(key);
                    }
                }
                let r = self.score(profile, &one, &options);
                FactChange {
                    key: key.clone(),
                    kind: match (a, b) {
                        (None, _) => ChangeKind::Added,
                        (_, None) => ChangeKind::Removed,
                        _ => ChangeKind::Changed,
                    },
                    fields: fields.clone(),
                    old: a.cloned(),
                    new: b.cloned(),
                    effect: standing(&r, Some(&before)),
                }
            })
            .collect();
        let base = standing(&before, None);
        changes.sort_by(|x, y| {
            let moved = |c: &FactChange| {
                (c.effect.fit - base.fit).abs() + (c.effect.potential - base.potential).abs()
            };
            y.decisive(&base)
                .cmp(&x.decisive(&base))
                .then_with(|| moved(y).total_cmp(&moved(x)))
                .then_with(|| x.key.cmp(&y.key))
        });
        EvidenceDiff {
            labfit: "diff/v1",
            profile: profile.profile.id.clone(),
            title: profile.profile.title.clone(),
            as_of,
            old: side(old, base),
            new: side(new, standing(&after, Some(&before))),
            changes,
            notes: notes(old, new),
        }
    }
}

/// A fact key, its old and new versions, and the fields that differ.
type Differing<'a> = (String, Option<&'a Fact>, Option<&'a Fact>, Vec<String>);

fn side(e: &Evidence, standing: Standing) -> Side {
    Side {
        file: e.file().name().to_owned(),
        sha256: e.file().sha256().to_owned(),
        id: e.id.clone(),
        provider: e.provider.clone(),
        evidence_as_of: e.as_of,
        standing,
    }
}

fn standing(r: &Report, base: Option<&Report>) -> Standing {
    let gates = base
        .map(|b| {
            b.gates
                .iter()
                .filter_map(|g| {
                    let to = r.gate(&g.id)?.state;
                    (to != g.state).then(|| GateChange {
                        id: g.id.clone(),
                        from: g.state,
                        to,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Standing {
        fit: round6(r.fit),
        potential: round6(r.potential),
        verdict: r.verdict,
        gates,
    }
}

fn differing_fields(a: Option<&Fact>, b: Option<&Fact>) -> Vec<String> {
    let (a, b) = match (a, b) {
        (Some(a), Some(b)) => (a, b),
        (None, None) => return Vec::new(),
        // Added or removed: every field the present one carries.
        (Some(f), None) | (None, Some(f)) => {
            let mut v = vec!["status".to_owned()];
            if f.value.is_some() {
                v.insert(0, "value".to_owned());
            }
            return v;
        }
    };
    let mut out = Vec::new();
    let value_differs = match (&a.value, &b.value) {
        (Some(x), Some(y)) => !same_value(x, y),
        (None, None) => false,
        _ => true,
    };
    for (name, differs) in [
        ("value", value_differs),
        ("status", a.status != b.status),
        ("source", a.source != b.source),
        ("as_of", a.as_of != b.as_of),
        ("expires", a.expires != b.expires),
        ("note", a.note != b.note),
        ("covers", a.covers != b.covers),
        ("history", a.history != b.history),
    ] {
        if differs {
            out.push(name.to_owned());
        }
    }
    out
}

/// Fact values compared without `==` on floats.
fn same_value(x: &crate::evidence::FactValue, y: &crate::evidence::FactValue) -> bool {
    use crate::evidence::FactValue as V;
    match (x, y) {
        (V::Number(a), V::Number(b)) => (a - b).abs() <= EPS,
        (V::Bool(a), V::Bool(b)) => a == b,
        (V::Integer(a), V::Integer(b)) => a == b,
        (V::Text(a), V::Text(b)) => a == b,
        (V::List(a), V::List(b)) => a == b,
        _ => false,
    }
}

fn notes(old: &Evidence, new: &Evidence) -> Vec<String> {
    let mut notes = Vec::new();
    if old.id != new.id {
        notes.push(format!(
            "the files describe different providers: `{}` and `{}`",
            old.id, new.id
        ));
    }
    if old.provider != new.provider {
        notes.push(format!(
            "provider name changed from `{}` to `{}`",
            old.provider, new.provider
        ));
    }
    if old.as_of != new.as_of {
        notes.push(format!(
            "evidence as_of moved from {} to {} (the default date of facts without their own)",
            old.as_of, new.as_of
        ));
    }
    let ids: BTreeSet<&String> = old.sources.keys().chain(new.sources.keys()).collect();
    for id in ids {
        match (old.sources.get(id), new.sources.get(id)) {
            (None, Some(_)) => notes.push(format!("source `{id}` added")),
            (Some(_), None) => notes.push(format!("source `{id}` removed")),
            (Some(a), Some(b)) if a != b => notes.push(format!(
                "source `{id}` changed (title, address or date); facts citing it may change age"
            )),
            _ => {}
        }
    }
    notes
}
