//! Text rendering of a score: a summary that fits 100 columns — fit and potential, verdict,
//! gates, the weakest areas, the first questions to ask. Colour only when asked (the CLI asks
//! on a terminal without `NO_COLOR`).

use std::fmt::Write as _;

use crate::render::toolkit::{bar, clip, delta, wrap, WIDTH};
use crate::render::view::{ComparisonView, Safest};
use crate::render::words::{current_answer, guide_topic};
use crate::render::words::{decision_headline, unverified_mark, UNVERIFIED_LEGEND};
use crate::report::comparison::Comparison;
use crate::report::diff::EvidenceDiff;
use crate::report::Report;

pub use crate::render::toolkit::Style;

/// What a score was computed from, under its title: the same line for a score and its
/// questions, so the two can be matched.
fn scored_from(r: &Report) -> String {
    format!(
        "profile {} · evidence {} (as of {}) · scored as of {}",
        r.profile.id, r.provider.id, r.provider.as_of, r.as_of
    )
}

/// Renders the summary of one score.
pub fn report(r: &Report, style: Style) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} × {}",
        style.bold(&r.provider.name),
        style.bold(&clip(&r.profile.title, 70))
    );
    let _ = writeln!(o, "{}", style.dim(&scored_from(r)));
    o.push('\n');
    let _ = writeln!(o, "  verdict    {}", style.verdict(r.verdict));
    let _ = writeln!(
        o,
        "  fit        {:>5.1}  {}",
        r.fit,
        bar(r.fit, r.potential, 40)
    );
    let _ = writeln!(
        o,
        "  potential  {:>5.1}  {}",
        r.potential,
        style.dim("if every open question is answered favourably")
    );
    if !r.gates.is_empty() {
        o.push('\n');
        let _ = writeln!(o, "{}", style.bold("Must-haves"));
        for g in &r.gates {
            let id = format!("{}{}", g.id, unverified_mark(r, &g.id));
            let head = format!("  {:<7} {:<28} ", style.gate(g.state), clip(&id, 28));
            let visible = 2 + 7 + 1 + 28 + 1;
            let _ = writeln!(o, "{head}{}", wrap(&g.reason, WIDTH, visible));
        }
    }
    let flagged = r.gates.iter().any(|g| r.unverified(&g.id))
        || r.profile.frameworks.iter().any(|f| r.unverified(&f.id));
    let mut areas: Vec<_> = r
        .profile
        .frameworks
        .iter()
        .filter(|f| f.share > 0.0)
        .collect();
    areas.sort_by(|a, b| a.lo.total_cmp(&b.lo).then_with(|| a.id.cmp(&b.id)));
    if !areas.is_empty() {
        o.push('\n');
        let _ = writeln!(o, "{}", style.bold("Frameworks, weakest first"));
        for f in areas.iter().take(8) {
            let id = format!("{}{}", f.id, unverified_mark(r, &f.id));
            let _ = writeln!(
                o,
                "  {:<16} {:>5.1} – {:>5.1}  {}  weight {:>4.1}%",
                clip(&id, 16),
                100.0 * f.lo,
                100.0 * f.hi,
                bar(100.0 * f.lo, 100.0 * f.hi, 30),
                100.0 * f.share
            );
        }
    }
    if flagged {
        let _ = writeln!(o, "{}", style.dim(&wrap(UNVERIFIED_LEGEND, WIDTH, 0)));
    }
    if !r.questions.is_empty() {
        o.push('\n');
        let _ = writeln!(
            o,
            "{} ({} in all; `labfit questions` lists them)",
            style.bold("Ask the provider first"),
            r.questions.len()
        );
        for (n, q) in r.questions.iter().take(5).enumerate() {
            let tag = if q.gate {
                "gate".to_string()
            } else {
                format!("+{:.1}", q.swing)
            };
            let head = format!("  {}. [{:<4}] {:<6}", n + 1, q.question, tag);
            let visible = head.chars().count() + 1;
            let _ = writeln!(o, "{head} {}", wrap(&q.ask, WIDTH, visible));
        }
    }
    if !r.errors.is_empty() {
        o.push('\n');
        let _ = writeln!(
            o,
            "{}",
            style.paint("1;31", &format!("{} rule error(s)", r.errors.len()))
        );
        for e in r.errors.iter().take(10) {
            let _ = writeln!(
                o,
                "  {}  {}: {}",
                e.location,
                e.requirement,
                clip(&e.message, 60)
            );
        }
    }
    if !r.warnings.is_empty() {
        o.push('\n');
        for w in &r.warnings {
            let _ = writeln!(
                o,
                "{} {}",
                style.paint("33", "warning:"),
                wrap(&w.message, WIDTH, 9)
            );
        }
    }
    o
}

/// Renders a ranking of providers: the table, the dominance notes and the minimax-regret choice.
pub fn comparison(c: &Comparison, style: Style) -> String {
    let v = ComparisonView::new(c);
    let mut o = String::new();
    let _ = writeln!(o, "{}", style.bold(&clip(&c.title, WIDTH)));
    let _ = writeln!(
        o,
        "{}",
        style.dim(&format!(
            "profile {} · scored as of {} · {} provider{}",
            c.profile,
            c.as_of,
            v.counts.providers,
            if v.counts.providers == 1 { "" } else { "s" }
        ))
    );
    for n in &v.notes {
        let _ = writeln!(o, "{}", style.dim(&wrap(&format!("note: {n}"), WIDTH, 6)));
    }
    o.push('\n');
    ranking(&mut o, &v, style);
    o.push('\n');
    dominance(&mut o, &v, style);
    safest(&mut o, &v);
    o
}

fn ranking(o: &mut String, v: &ComparisonView<'_>, style: Style) {
    let _ = writeln!(
        o,
        "rank  provider               verdict       fit   pot. settled  fit █ pot. ░    o/f   weakest area"
    );
    for r in &v.rows {
        let pad = " ".repeat(11usize.saturating_sub(r.verdict.as_str().len()));
        let gates = format!("{}/{}", r.open.len(), r.failed.len());
        let _ = writeln!(
            o,
            "{:>4}  {:<22} {}{pad} {:>5.1} {:>6.1} {:>6.0} %  {}  {:<5} {}",
            r.rank,
            clip(r.name, 22),
            style.verdict(r.verdict),
            r.fit,
            r.potential,
            100.0 * r.settled,
            bar(r.fit, r.potential, 14),
            gates,
            clip(r.weakest.unwrap_or("-"), 14)
        );
    }
    let _ = writeln!(
        o,
        "{}",
        style.dim(&wrap("settled: how much of the score the evidence already decides; o/f: must-haves open / failed; weakest area: the framework with the lowest fit", WIDTH, 0))
    );
}

fn dominance(o: &mut String, v: &ComparisonView<'_>, style: Style) {
    if v.beats.is_empty() && v.counts.providers < 2 {
        return;
    }
    if v.beats.is_empty() {
        let _ = writeln!(
            o,
            "{}",
            wrap(
                "No provider is necessarily better than another: the open questions could still reorder any two of them.",
                WIDTH,
                0
            )
        );
        return;
    }
    let _ = writeln!(
        o,
        "{}",
        style.bold("Necessarily better (its fit is at least the other's potential)")
    );
    for b in &v.beats {
        let losers: Vec<&str> = b.losers.iter().map(|l| l.id).collect();
        let head = format!("  {} beats ", b.winner.id);
        let indent = head.chars().count();
        let _ = writeln!(o, "{head}{}", wrap(&losers.join(", "), WIDTH, indent));
    }
}

fn safest(o: &mut String, v: &ComparisonView<'_>) {
    let d = &v.decision;
    let _ = writeln!(o, "\n{}", wrap(&decision_headline(d), WIDTH, 0));
    if !d.pending.is_empty() {
        let _ = writeln!(
            o,
            "The answers that would settle it (the must-haves still open for each provider):"
        );
        for p in &d.pending {
            let head = format!("  {:<22} ", clip(p.who.name(), 22));
            let list = if p.must_haves.is_empty() {
                "its open questions (`labfit questions`)".to_owned()
            } else {
                p.must_haves.join(", ")
            };
            let _ = writeln!(o, "{head}{}", wrap(&list, WIDTH, head.chars().count()));
        }
    }
    let line = match v.safest {
        // The decision sentence already names the only (or unbeatable) eligible provider.
        Safest::Only(_) | Safest::Unbeatable(_) | Safest::None => return,
        Safest::Behind { choice, by, against } => format!(
            "Minimax regret among the providers that meet every must-have: {} (at worst {by:.1} fit points behind {} once every answer is in).",
            choice.id, against.id
        ),
    };
    let _ = writeln!(o, "{}", wrap(&line, WIDTH, 0));
}

/// Renders the questionnaire for one provider: every question, most important first, with
/// why it matters and by how much.
pub fn questions(r: &Report, style: Style) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}",
        style.bold(&format!("Questions for {}", r.provider.name))
    );
    let _ = writeln!(o, "{}", style.dim(&scored_from(r)));
    o.push('\n');
    if r.questions.is_empty() {
        let _ = writeln!(
            o,
            "Nothing to ask: every fact the profile's checks read is known, current and assured enough."
        );
        return o;
    }
    let gated = r.questions.iter().filter(|q| q.gate).count();
    let count = match r.questions.len() {
        1 => "1 question".to_owned(),
        n => format!("{n} questions"),
    };
    let order = match gated {
        0 => "ordered by how many fit points a favourable answer can add".to_owned(),
        1 => {
            "the one on a must-have first, then by how many fit points a favourable answer can add"
                .to_owned()
        }
        g => format!(
            "the {g} on must-haves first, then by how many fit points a favourable answer can add"
        ),
    };
    let _ = writeln!(
        o,
        "{}",
        wrap(
            &format!(
                "{count}, {order} (fit {:.1} today, {:.1} if every answer is favourable).",
                r.fit, r.potential
            ),
            WIDTH,
            0
        )
    );
    for (n, q) in r.questions.iter().enumerate() {
        o.push('\n');
        let topic = guide_topic(&q.question).unwrap_or("");
        let tag = if q.gate {
            format!("must-have · +{:.1} fit", q.swing)
        } else {
            format!("+{:.1} fit", q.swing)
        };
        let head = format!("{:>3}. ", n + 1);
        let _ = writeln!(
            o,
            "{head}{} {}",
            style.bold(&format!("[{}] {tag}", q.question)),
            style.dim(&format!(
                "· {}",
                clip(topic, WIDTH.saturating_sub(head.len() + tag.len() + 10))
            ))
        );
        let _ = writeln!(o, "     {}", wrap(&q.ask, WIDTH, 5));
        let mut why = Vec::new();
        if !q.gates.is_empty() {
            why.push(format!("must-haves: {}", q.gates.join(", ")));
        }
        let reqs: Vec<String> = q
            .impact
            .requirements
            .iter()
            .map(|m| format!("{} {:.0} → {:.0} (+{:.1})", m.id, m.from, m.to, m.swing))
            .collect();
        if !reqs.is_empty() {
            why.push(format!("requirements: {}", reqs.join(", ")));
        }
        let fws: Vec<String> = q
            .impact
            .frameworks
            .iter()
            .map(|m| format!("{} {:.1} → {:.1} (+{:.1})", m.id, m.from, m.to, m.swing))
            .collect();
        if !fws.is_empty() {
            why.push(format!("frameworks: {}", fws.join(", ")));
        }
        let _ = writeln!(o, "     why: {}", wrap(&why.join("; "), WIDTH, 10));
        if let Some(now) = current_answer(r, q) {
            let _ = writeln!(o, "     now: {}", wrap(&now, WIDTH, 10));
        }
    }
    o
}

/// Renders what changed between two evidence files and how each change moved the score.
pub fn diff(d: &EvidenceDiff, style: Style) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}",
        style.bold(&format!("{}: what changed in the evidence", d.new.provider))
    );
    let _ = writeln!(
        o,
        "{}",
        style.dim(&wrap(
            &format!(
                "{} → {} · profile {} · scored as of {}",
                d.old.file, d.new.file, d.profile, d.as_of
            ),
            WIDTH,
            0
        ))
    );
    o.push('\n');
    let (a, b) = (&d.old.standing, &d.new.standing);
    let _ = writeln!(
        o,
        "  verdict    {} → {}",
        style.verdict(a.verdict),
        style.verdict(b.verdict)
    );
    let _ = writeln!(
        o,
        "  fit        {:>5.1} → {:>5.1}  ({})",
        a.fit,
        b.fit,
        delta(a.fit, b.fit)
    );
    let _ = writeln!(
        o,
        "  potential  {:>5.1} → {:>5.1}  ({})",
        a.potential,
        b.potential,
        delta(a.potential, b.potential)
    );
    for g in &b.gates {
        let _ = writeln!(
            o,
            "  must-have  {} {} → {}",
            g.id,
            style.gate(g.from),
            style.gate(g.to)
        );
    }
    o.push('\n');
    if d.changes.is_empty() {
        let _ = writeln!(o, "No fact differs between the two files.");
    } else {
        let _ = writeln!(
            o,
            "{}",
            style.bold(&format!(
                "{} fact(s) differ; each is scored alone on top of the old file",
                d.changes.len()
            ))
        );
        for c in &d.changes {
            o.push('\n');
            let _ = writeln!(o, "  {:<8} {}", c.kind.as_str(), style.bold(&c.key));
            let fact = |f: Option<&crate::evidence::Fact>| match f {
                None => "absent".to_owned(),
                Some(f) => match &f.value {
                    Some(v) => format!("{v} ({})", f.status),
                    None => f.status.to_string(),
                },
            };
            let _ = writeln!(
                o,
                "           {}",
                wrap(
                    &format!(
                        "{} → {}   [{}]",
                        fact(c.old.as_ref()),
                        fact(c.new.as_ref()),
                        c.fields.join(", ")
                    ),
                    WIDTH,
                    11
                )
            );
            let e = &c.effect;
            let mut moved = vec![
                format!("fit {:.1} → {:.1} ({})", a.fit, e.fit, delta(a.fit, e.fit)),
                format!(
                    "potential {:.1} → {:.1} ({})",
                    a.potential,
                    e.potential,
                    delta(a.potential, e.potential)
                ),
            ];
            if e.verdict != a.verdict {
                moved.push(format!("verdict {} → {}", a.verdict, e.verdict));
            }
            for g in &e.gates {
                moved.push(format!("{} {} → {}", g.id, g.from, g.to));
            }
            let _ = writeln!(o, "           {}", wrap(&moved.join(" · "), WIDTH, 11));
        }
    }
    if !d.notes.is_empty() {
        o.push('\n');
        for n in &d.notes {
            let _ = writeln!(o, "{} {}", style.paint("33", "note:"), wrap(n, WIDTH, 6));
        }
    }
    o
}
