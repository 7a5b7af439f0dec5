//! Text rendering of a score: a summary that fits 100 columns — fit and potential, verdict,
//! gates, the weakest areas, the first questions to ask. Colour only when asked (the CLI asks
//! on a terminal without `NO_COLOR`).

use std::fmt::Write as _;

use crate::profile::judgements::format_value;
use crate::render::toolkit::{bar, clip, delta, pct, wrap, WIDTH};
use crate::render::view::{ComparisonView, RobustnessView};
use crate::render::words;
use crate::render::words::{
    answer_hint, comparison_summary, current_answer, found_for_provider, guide_topic, held_reasons,
    idle_reason, letter_groups, letter_intro, Answers,
};
use crate::render::words::{unverified_mark, UNVERIFIED_LEGEND};
use crate::report::comparison::Comparison;
use crate::report::diff::EvidenceDiff;
use crate::report::weighting::{WeightSet, WeightingReport};
use crate::report::{Question, Report};

pub use crate::render::toolkit::Style;

/// What a score was computed from, under its title: the same line for a score and its
/// questions, so the two can be matched.
fn scored_from(r: &Report) -> String {
    format!(
        "profile {} · evidence {} (as of {}) · scored as of {}",
        r.profile.id, r.provider.id, r.provider.as_of, r.as_of
    )
}

/// A title in bold, wrapped at word boundaries to the width (never cut).
fn title(o: &mut String, text: &str, style: Style) {
    for line in wrap(text, WIDTH, 0).lines() {
        let _ = writeln!(o, "{}", style.bold(line));
    }
}

/// Renders the summary of one score.
pub fn report(r: &Report, style: Style) -> String {
    let mut o = String::new();
    title(
        &mut o,
        &format!("{} × {}", r.provider.name, r.profile.title),
        style,
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

/// Renders a ranking of providers: the table, the summary every format gives (where the
/// decision stands, what the intervals settle, the minimax-regret choice, expired evidence,
/// the next step), and the answers that would settle the decision.
pub fn comparison(c: &Comparison, style: Style) -> String {
    let v = ComparisonView::new(c);
    let mut o = String::new();
    title(&mut o, &c.title, style);
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
    // Notes on the inputs are said once, in the summary.
    o.push('\n');
    ranking(&mut o, &v, style);
    o.push('\n');
    // The summary every format gives (the HTML report's first section), then the answers.
    let _ = writeln!(o, "{}", style.bold("Summary"));
    for s in comparison_summary(&v, Answers::Apart) {
        let _ = writeln!(o, "  - {}", wrap(&s, WIDTH, 4));
    }
    settling(&mut o, &v);
    if let Some(r) = &v.robustness {
        robustness(&mut o, r, style);
    }
    o
}

fn robustness(o: &mut String, v: &RobustnessView<'_>, style: Style) {
    let _ = writeln!(o, "\n{}", style.bold("Robustness (SMAA-2)"));
    let mut head = format!("{:<24}", "provider");
    for r in 1..=v.ranks {
        head.push_str(&format!(" {:>6}", format!("b{r}")));
    }
    head.push_str(&format!(" {:>6}", "conf."));
    let _ = writeln!(o, "{head}");
    for row in &v.rows {
        let mut line = format!("{:<24}", clip(row.who.name(), 24));
        for b in &row.acceptability {
            line.push_str(&format!(" {:>6}", pct(*b)));
        }
        let conf = row.confidence.map_or_else(|| "-".to_owned(), pct);
        line.push_str(&format!(" {conf:>6}"));
        let _ = writeln!(o, "{line}");
    }
    let _ = writeln!(
        o,
        "{}",
        style.dim(&wrap(&words::robustness_method(v), WIDTH, 0))
    );
    if let Some((first, intervals)) = &v.stability {
        let _ = writeln!(
            o,
            "\nHow far each weight can move (the others rescaled) before {} loses first place:",
            first.name()
        );
        for iv in intervals {
            let _ = writeln!(
                o,
                "  {}",
                wrap(&words::stability_sentence(first.name(), iv), WIDTH, 4)
            );
        }
    }
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

/// Which answers, from which providers, would settle the decision: a line per provider.
fn settling(o: &mut String, v: &ComparisonView<'_>) {
    let d = &v.decision;
    if d.pending.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "\nThe answers that would settle it (the must-haves still open for each provider):"
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
        question_entry(&mut o, r, n + 1, q, style);
    }
    o
}

/// One question of the committee's list: its tag, the question, why it matters (the moves it
/// makes, or why it makes none) and what the evidence says now.
fn question_entry(o: &mut String, r: &Report, n: usize, q: &Question, style: Style) {
    let topic = guide_topic(&q.question).unwrap_or("");
    let tag = match (q.gate, q.settled) {
        (true, _) => format!("must-have · +{:.1} fit", q.swing),
        (false, true) => "confirms only".to_owned(),
        (false, false) => format!("+{:.1} fit", q.swing),
    };
    let head = format!("{n:>3}. ");
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
    // Only what an answer moves; a requirement or framework it leaves where it is would read
    // as "100 → 100 (+0.0)" with nothing saying why, so the reason is given instead.
    let reqs: Vec<String> = q
        .impact
        .requirements
        .iter()
        .filter(|m| m.to - m.from >= 0.5)
        .map(|m| format!("{} {:.0} → {:.0} (+{:.1})", m.id, m.from, m.to, m.swing))
        .collect();
    if !reqs.is_empty() {
        why.push(format!("requirements: {}", reqs.join(", ")));
    }
    let fws: Vec<String> = q
        .impact
        .frameworks
        .iter()
        .filter(|m| m.swing >= 0.05)
        .map(|m| format!("{} {:.1} → {:.1} (+{:.1})", m.id, m.from, m.to, m.swing))
        .collect();
    if !fws.is_empty() {
        why.push(format!("frameworks: {}", fws.join(", ")));
    }
    match idle_reason(q) {
        Some(idle) => why.push(idle),
        None => {
            let held = held_reasons(q);
            if !held.is_empty() && fws.len() < q.impact.frameworks.len() {
                why.push(format!("held: {}", held.join("; ")));
            }
        }
    }
    let _ = writeln!(o, "     why: {}", wrap(&why.join("; "), WIDTH, 10));
    if let Some(now) = current_answer(r, q) {
        let _ = writeln!(o, "     now: {}", wrap(&now, WIDTH, 10));
    }
    if let Some(doc) = &q.document {
        let _ = writeln!(o, "     send: {}", wrap(doc, WIDTH, 11));
    }
}

/// The questionnaire for the provider, as plain text: a letter with numbered questions
/// grouped by topic, each with the kind of answer it takes, room for the answer and the
/// document to attach. No scores, ids or weights: it can be sent as it is.
pub fn provider_letter(r: &Report) -> String {
    let mut o = String::new();
    let name = &r.provider.name;
    let _ = writeln!(o, "Questions for {name}\n");
    let _ = writeln!(o, "To:      {name}");
    let _ = writeln!(o, "From:    [laboratory, contact name and address]");
    let _ = writeln!(o, "Date:    {}", r.as_of);
    let _ = writeln!(
        o,
        "Subject: Due-diligence questions before placing laboratory data with {name}\n"
    );
    let _ = writeln!(o, "Dear {name} team,\n");
    let groups = letter_groups(r);
    for para in letter_intro(r, &groups) {
        let _ = writeln!(o, "{}\n", wrap(&para, WIDTH, 0));
    }
    for (topic, list) in &groups {
        let _ = writeln!(o, "{}\n", topic.to_uppercase());
        for (n, q) in list {
            let star = if q.gate { " *" } else { "" };
            let head = format!("{n:>3}.{star} ");
            let _ = writeln!(o, "{head}{}", wrap(&q.ask, WIDTH, 5));
            let _ = writeln!(o, "     Answer type: {}", answer_hint(&q.answer));
            if let Some(found) = found_for_provider(q) {
                let _ = writeln!(
                    o,
                    "     {}",
                    wrap(&format!("What we found: {found}."), WIDTH, 5)
                );
            }
            if let Some(doc) = &q.document {
                let _ = writeln!(
                    o,
                    "     {}",
                    wrap(&format!("Please attach: {doc}."), WIDTH, 5)
                );
            }
            let _ = writeln!(
                o,
                "     Answer: ______________________________________________\n"
            );
        }
    }
    let _ = writeln!(o, "Kind regards,\n\n[name]\n[role, laboratory]");
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
            for line in diff_history(c) {
                let _ = writeln!(o, "           {}", wrap(&line, WIDTH, 11));
            }
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

/// The statements a change moved into a fact's history (those the old file's fact did not
/// have yet): who said what, as of when, until when.
fn diff_history(c: &crate::report::diff::FactChange) -> Vec<String> {
    let old = c
        .old
        .as_ref()
        .map(|f| f.history.as_slice())
        .unwrap_or_default();
    let Some(new) = &c.new else {
        return Vec::new();
    };
    let by = new
        .source
        .as_ref()
        .map(|s| format!(" by `{s}`"))
        .unwrap_or_default();
    new.history
        .iter()
        .filter(|e| !old.contains(e))
        .map(|e| {
            let said = e
                .value
                .as_ref()
                .map_or_else(|| "unknown".to_owned(), |v| format!("{v} ({})", e.status));
            let who = e
                .source
                .as_ref()
                .map(|s| format!(", source `{s}`"))
                .unwrap_or_default();
            format!(
                "history: {said}{who}, as of {}; superseded on {}{by}",
                e.as_of, e.superseded
            )
        })
        .collect()
}

/// The account of an import: the facts it set (and what each said before), what became of
/// every mapped question, the questions no mapping covers, and the facts the questionnaire
/// cannot answer. The rejected cells are diagnostics, shown apart.
#[cfg(feature = "sheets")]
pub fn imported(
    answers: &crate::answers::import::Answers,
    merged: &[crate::answers::merge::Merged],
    into: &str,
    source: &str,
) -> String {
    let mut o = String::new();
    let changed = merged.iter().filter(|m| m.changed).count();
    let _ = writeln!(
        o,
        "{}",
        wrap(
            &format!(
                "{} into `{into}`: {changed} fact{} set (source `{source}`), {} unchanged, {} rejected cell{}.",
                answers.questionnaire,
                if changed == 1 { "" } else { "s" },
                merged.len() - changed,
                answers.rejected.len(),
                if answers.rejected.len() == 1 { "" } else { "s" }
            ),
            WIDTH,
            0
        )
    );
    for s in &answers.settings {
        let m = merged.iter().find(|m| m.fact == s.fact);
        if !m.is_some_and(|m| m.changed) {
            continue;
        }
        let before = match m.and_then(|m| m.before.as_ref()) {
            Some(b) => match &b.value {
                Some(v) => format!(" (was {v}, {}, as of {})", b.status, b.as_of),
                None => format!(" (was unknown, as of {})", b.as_of),
            },
            None => String::new(),
        };
        let _ = writeln!(o, "  set {} = {} ({}){before}", s.fact, s.value, s.status);
    }
    mapped_questions(&mut o, answers);
    if !answers.unmapped.is_empty() {
        let shown: Vec<&str> = answers
            .unmapped
            .iter()
            .take(12)
            .map(String::as_str)
            .collect();
        let more = answers.unmapped.len().saturating_sub(shown.len());
        let _ = writeln!(
            o,
            "\n{}",
            wrap(
                &format!(
                    "{} answered question{} no mapping covers: {}{}.",
                    answers.unmapped.len(),
                    if answers.unmapped.len() == 1 { "" } else { "s" },
                    shown.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                ),
                WIDTH,
                0
            )
        );
    }
    if !answers.uncovered.is_empty() {
        let _ = writeln!(
            o,
            "\n{}",
            wrap(
                &format!(
                    "{} fact{} the rules read that this questionnaire cannot answer; `labfit questions --for provider` on the new evidence asks them: {}.",
                    answers.uncovered.len(),
                    if answers.uncovered.len() == 1 { "" } else { "s" },
                    answers.uncovered.join(", ")
                ),
                WIDTH,
                0
            )
        );
    }
    o
}

/// What became of each answered question a mapping covers.
#[cfg(feature = "sheets")]
fn mapped_questions(o: &mut String, answers: &crate::answers::import::Answers) {
    use crate::answers::import::Outcome;
    if !answers.mapped.is_empty() {
        let count = |k: Outcome| answers.mapped.iter().filter(|m| m.outcome == k).count();
        let _ = writeln!(
        o,
        "\n{}",
        wrap(
            &format!(
                "{} answered question{} the mapping covers: {} set facts, {} answered NA (not a pass), {} customer-owned (no credit), {} gave no value, {} conflict.",
                answers.mapped.len(),
                if answers.mapped.len() == 1 { "" } else { "s" },
                count(Outcome::Set),
                count(Outcome::NotApplicable),
                count(Outcome::CustomerOwned),
                count(Outcome::NoValue),
                count(Outcome::Conflict)
            ),
            WIDTH,
            0
        )
    );
        for m in &answers.mapped {
            let what = match m.outcome {
                Outcome::Set => "sets",
                Outcome::NotApplicable => "NA, sets nothing:",
                Outcome::CustomerOwned => "CSC-owned, sets nothing:",
                Outcome::NoValue => "gives no value to",
                Outcome::Conflict => "conflicts with another answer on",
            };
            let _ = writeln!(
                o,
                "  {:<10} {:<4} {what} {}",
                m.id,
                clip(&m.answer, 4),
                m.facts.join(", ")
            );
            // The mapping's words beside the sheet's own question, so a reader sees a
            // question the mapping has misnumbered.
            let _ = writeln!(
                o,
                "             {}",
                wrap(&format!("mapping: {}", m.about), WIDTH, 13)
            );
            if let Some(q) = &m.question {
                let _ = writeln!(
                    o,
                    "             {}",
                    wrap(&format!("the sheet asks: {q}"), WIDTH, 13)
                );
            }
        }
    }
}

/// What `labfit weights` prints: each set of weights, largest first, with its consistency when
/// it comes from judgements and the judgements to revisit.
pub fn weighting(profile: &str, w: &WeightingReport) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Weights of profile {profile}");
    weight_set(&mut o, "frameworks", &w.frameworks);
    for (id, set) in &w.nodes {
        weight_set(&mut o, &format!("children of {id}"), set);
    }
    o
}

fn weight_set(o: &mut String, title: &str, s: &WeightSet) {
    let _ = writeln!(o);
    match (s.lambda_max, s.ci, s.cr) {
        (Some(l), Some(ci), Some(cr)) => {
            let who = if s.members.is_empty() {
                String::new()
            } else {
                format!(" of {}", s.members.join(", "))
            };
            let _ = writeln!(o, "{title}: from the judgements{who}");
            let _ = writeln!(
                o,
                "  λ_max {l:.4} · CI {ci:.4} · CR {cr:.4} · random index {} · missing pairs {}",
                s.random_index,
                s.completion.as_deref().unwrap_or("none")
            );
        }
        _ => {
            let _ = writeln!(o, "{title}: as numbers (normalised)");
        }
    }
    let mut rows: Vec<(&String, &f64)> = s.weights.iter().collect();
    rows.sort_by(|a, b| b.1.total_cmp(a.1).then_with(|| a.0.cmp(b.0)));
    for (id, x) in rows {
        let _ = writeln!(o, "  {:<40} {:>6.1} %", clip(id, 40), 100.0 * x);
    }
    for f in &s.filled {
        let _ = writeln!(
            o,
            "  nobody judged {} over {}: filled in as {:.3}",
            f.a, f.b, f.value
        );
    }
    if s.accepted {
        let _ = writeln!(o, "  CR is above 0.10, and the profile accepts it");
    }
    for r in &s.revisit {
        let _ = writeln!(
            o,
            "  revisit: {} over {} is {}; the derived weights put it at {:.2}; {} instead brings CR to {:.3}",
            r.a,
            r.b,
            format_value(r.value),
            r.consistent,
            format_value(r.suggested),
            r.cr_after
        );
    }
}
