//! Text rendering of an [`Explanation`]: the requirement tree drawn with box characters, one
//! line of numbers per node and, under each leaf, its check's outcome and note and every fact
//! and parameter it read. A shared node is drawn in full once; later it is marked `↑` and
//! refers back.

use std::fmt::Write as _;

use crate::graph::catalog::Verification;
use crate::profile::ParamOrigin;
use crate::render::toolkit::{compact, pct, wrap, WIDTH};
use crate::render::words::{UNVERIFIED_LEGEND, UNVERIFIED_MARK};
use crate::report::explain::{ExplainNode, ExplainStatus, Explanation};
use crate::report::{NodeKindName, NodeStatus};

pub use crate::render::toolkit::Style;

/// Renders the tree.
pub fn explanation(e: &Explanation, style: Style) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}",
        style.bold(&format!(
            "Why {} scores {:.1} (potential {:.1}) for {}: {}",
            e.provider_name, e.fit, e.potential, e.profile, e.verdict
        ))
    );
    let _ = writeln!(
        o,
        "{}",
        style.dim(&format!(
            "evidence {} as of {} · scored as of {}",
            e.provider, e.evidence_as_of, e.as_of
        ))
    );
    let legend = "[lo, hi] is the interval ×100; w is the edge weight and (its share of the parent); global is the share of the fit the node carries; + is its contribution in fit points (the leaves' add up to the fit); ↑ marks a shared requirement shown in full above";
    let _ = writeln!(o, "{}", style.dim(&wrap(legend, WIDTH, 0)));
    if any_unverified(&e.root) {
        let _ = writeln!(o, "{}", style.dim(&wrap(UNVERIFIED_LEGEND, WIDTH, 0)));
    }
    o.push('\n');
    draw(&mut o, &e.root, "", "", style);
    o
}

/// True when some node of the tree has an unverified citation.
fn any_unverified(n: &ExplainNode) -> bool {
    n.verification == Some(Verification::Unverified) || n.children.iter().any(any_unverified)
}

fn head(n: &ExplainNode) -> String {
    let mut h = n.id.to_string();
    if n.verification == Some(Verification::Unverified) {
        h.push(' ');
        h.push_str(UNVERIFIED_MARK);
    }
    let excluded = matches!(
        n.status,
        ExplainStatus::Node(NodeStatus::NotApplicable | NodeStatus::Waived)
            | ExplainStatus::NotScored
    );
    if n.repeated {
        h.push_str("  ↑");
    } else if excluded {
        let _ = write!(h, "  {} (excluded)", n.status);
    } else {
        let _ = write!(
            h,
            "  {} [{:.1}, {:.1}]",
            n.status,
            100.0 * n.lo,
            100.0 * n.hi
        );
    }
    if let (Some(w), Some(s)) = (n.edge_weight, n.share) {
        let _ = write!(h, "  w {} ({})", compact(w), pct(s));
    }
    if !n.repeated && !excluded {
        let _ = write!(h, "  global {}  +{:.2}", pct(n.weight), n.contribution);
        if let Some(a) = &n.aggregate {
            let _ = write!(h, "  {a}");
        }
    }
    h
}

fn draw(o: &mut String, n: &ExplainNode, lead: &str, rest: &str, style: Style) {
    let _ = writeln!(o, "{lead}{}", head(n));
    if n.repeated {
        return;
    }
    let more = !n.children.is_empty();
    let detail_lead = format!("{rest}{}", if more { "│  " } else { "   " });
    let indent = detail_lead.chars().count();
    let mut detail = |text: String| {
        let wrapped = wrap(&text, WIDTH, indent);
        let shown = wrapped.replace(
            &format!("\n{}", " ".repeat(indent)),
            &format!("\n{detail_lead}"),
        );
        let _ = writeln!(o, "{detail_lead}{shown}");
    };
    if !n.title.is_empty() && n.kind != NodeKindName::Profile {
        detail(style.dim(&n.title));
    }
    if let Some(citation) = &n.citation {
        detail(style.dim(&format!("cites {citation}")));
    }
    if let Some(check) = &n.check {
        let note = if n.note.is_empty() {
            String::new()
        } else {
            format!(": {}", n.note)
        };
        detail(format!("{check} → {}{note}", n.status));
    } else if n.status == ExplainStatus::Node(NodeStatus::Waived) && !n.note.is_empty() {
        detail(n.note.to_string());
    }
    for f in &n.facts {
        let value = match (&f.value, f.known) {
            (Some(v), true) => v.to_string(),
            (Some(v), false) => match &f.lapse {
                Some(l) => format!("{v} (not used: {})", l.reason()),
                None => format!("{v} (not used: unknown)"),
            },
            (None, _) => "?".into(),
        };
        let mut t = format!("fact {} = {value} · {}", f.key, f.status);
        if f.missing {
            t.push_str(" (not in the evidence)");
        }
        if let Some(s) = &f.source {
            let _ = write!(t, " · source {s}");
            if let Some(title) = &f.source_title {
                let _ = write!(t, " ({title})");
            }
        }
        if let Some(a) = f.age_days {
            let _ = write!(t, " · {a} days old");
        }
        detail(t);
    }
    for p in &n.params {
        let v = p
            .value
            .as_ref()
            .map_or_else(|| "not set".to_owned(), ToString::to_string);
        let from = match (p.origin, p.set_by.as_deref()) {
            (Some(ParamOrigin::Default), _) => " (default)".to_owned(),
            (Some(ParamOrigin::Strictest), Some(who)) => {
                format!(" (strictest of the profile chain: {who})")
            }
            (_, Some(who)) => format!(" (set by {who})"),
            _ => String::new(),
        };
        let why = p
            .source
            .as_deref()
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        detail(format!("param {} = {v}{from}{why}", p.name));
    }
    let count = n.children.len();
    for (i, c) in n.children.iter().enumerate() {
        let last = i + 1 == count;
        let (branch, cont) = if last {
            ("└─ ", "   ")
        } else {
            ("├─ ", "│  ")
        };
        draw(
            o,
            c,
            &format!("{rest}{branch}"),
            &format!("{rest}{cont}"),
            style,
        );
    }
}
