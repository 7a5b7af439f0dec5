//! Markdown for committees and for mail: a score, a comparison, and the questionnaire as a
//! letter a lab can send the provider. CommonMark with pipe tables (GitHub flavour); every
//! value from an input file is escaped, and only http(s) addresses become links.

use std::fmt::Write as _;

use crate::input::source::InputHash;
use crate::render::toolkit::{
    self, is_web_address, list_or_dash, lowercase_first, of100, pct_spaced,
};
use crate::render::view::{ComparisonView, FrameworkMatrix, GateMatrix, RobustnessView};
use crate::render::words;
use crate::render::words::{
    answer_hint, capitalise, comparison_summary, current_answer, found_for_provider, guide_topic,
    held_reasons, idle_reason, letter_groups, letter_intro, unverified_mark, verdict_meaning,
    what_if, Answers, METHOD, RANKING_ORDER, UNVERIFIED_LEGEND,
};
use crate::report::comparison::Comparison;
use crate::report::{GateState, Question, Report};

/// Escapes text so Markdown shows it as written (and a table cell stays one cell).
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                o.push('\\');
                o.push(c);
            }
            '\n' | '\r' | '\t' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// An id or key as inline code.
pub fn code(s: &str) -> String {
    let s = s.replace(['\n', '\r', '|'], " ");
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

/// Escapes a sentence whose `` `code` `` spans (rule notes, gate reasons and warnings use them)
/// stay code.
pub fn prose(s: &str) -> String {
    toolkit::prose(s, esc, code)
}

/// A link when the address is http(s), else the escaped title alone.
fn link(title: &str, url: Option<&str>) -> String {
    match url.filter(|u| is_web_address(u)) {
        Some(u) => {
            let mut dest = String::new();
            for c in u.chars() {
                match c {
                    ' ' => dest.push_str("%20"),
                    '(' => dest.push_str("%28"),
                    ')' => dest.push_str("%29"),
                    '<' => dest.push_str("%3C"),
                    '>' => dest.push_str("%3E"),
                    '"' => dest.push_str("%22"),
                    c if c.is_control() => {}
                    c => dest.push(c),
                }
            }
            format!("[{}]({dest})", esc(title))
        }
        None => esc(title),
    }
}

fn gate_word(s: GateState) -> String {
    format!("**{}**", s.as_str())
}

fn engine_line(r: &Report) -> String {
    format!("{} {}", r.engine.name, r.engine.version)
}

fn sources(o: &mut String, r: &Report) {
    if r.provider.sources.is_empty() {
        return;
    }
    let _ = writeln!(o, "\n## Sources\n");
    for (id, s) in r.provider.sources.iter() {
        let title = s.title.as_deref().unwrap_or(id);
        let date = s.date.map(|d| format!(", {d}")).unwrap_or_default();
        let _ = writeln!(o, "- {}: {}{date}", code(id), link(title, s.url.as_deref()));
    }
}

fn inputs(o: &mut String, list: &[&InputHash]) {
    let _ = writeln!(o, "\n## Inputs\n");
    let _ = writeln!(
        o,
        "The same inputs give the same report. SHA-256 of every file read:\n"
    );
    let _ = writeln!(o, "| kind | file | SHA-256 |\n|---|---|---|");
    for i in list {
        let _ = writeln!(
            o,
            "| {} | {}{} | {} |",
            esc(i.kind),
            code(&i.name),
            if i.builtin { " (built in)" } else { "" },
            code(&i.sha256)
        );
    }
}

/// One question as a table row: #, guide question, question, must-haves, fit points.
fn question_row(o: &mut String, n: usize, q: &Question) {
    let _ = writeln!(
        o,
        "| {n} | {} | {} | {} | +{:.1} |",
        esc(&q.question),
        esc(&q.ask),
        list_or_dash(&q.gates, code),
        q.swing
    );
}

/// Renders one score.
pub fn report(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# {} × {}\n",
        esc(&r.provider.name),
        esc(&r.profile.title)
    );
    let _ = writeln!(
        o,
        "Profile {} · evidence {} (as of {}) · scored as of {} · {}\n",
        code(&r.profile.id),
        code(&r.provider.id),
        r.provider.as_of,
        r.as_of,
        engine_line(r)
    );
    let _ = writeln!(
        o,
        "**Verdict: {}**: {}.\n",
        r.verdict,
        verdict_meaning(r.verdict)
    );
    let _ = writeln!(o, "| | score (0–100) |\n|---|---:|");
    let _ = writeln!(o, "| Fit: what the evidence shows today | {:.1} |", r.fit);
    let _ = writeln!(
        o,
        "| Potential: if every open question is answered favourably | {:.1} |",
        r.potential
    );
    if !r.assumptions.is_empty() {
        let list: Vec<String> = r
            .assumptions
            .iter()
            .map(|a| format!("{} = {}", code(&a.fact), esc(&a.value.to_string())))
            .collect();
        let _ = writeln!(o, "\n> **What-if:** {}", what_if(&list.join(", ")));
    }
    gates(&mut o, r);
    frameworks(&mut o, r);
    top_questions(&mut o, r);
    waivers(&mut o, r);
    rule_errors(&mut o, r);
    if !r.warnings.is_empty() {
        let _ = writeln!(o, "\n## Warnings\n");
        for w in &r.warnings {
            let _ = writeln!(o, "- {}", prose(&w.message));
        }
    }
    sources(&mut o, r);
    inputs(&mut o, &r.inputs.iter().collect::<Vec<_>>());
    o
}

fn gates(o: &mut String, r: &Report) {
    if r.gates.is_empty() {
        return;
    }
    let _ = writeln!(o, "\n## Must-haves\n");
    let _ = writeln!(
        o,
        "| state | must-have | why the lab requires it | what the evidence shows |\n|---|---|---|---|"
    );
    for g in &r.gates {
        let _ = writeln!(
            o,
            "| {} | {}{} {} | {} | {} |",
            gate_word(g.state),
            code(&g.id),
            unverified_mark(r, &g.id),
            esc(&g.title),
            prose(g.basis.as_deref().unwrap_or("–")),
            prose(&g.reason)
        );
    }
    if r.gates.iter().any(|g| r.unverified(&g.id)) {
        let _ = writeln!(o, "\n{}", esc(UNVERIFIED_LEGEND));
    }
}

/// The ten most important questions of a score; the letter (`questions`) has them all.
fn top_questions(o: &mut String, r: &Report) {
    if r.questions.is_empty() {
        return;
    }
    let shown = r.questions.len().min(10);
    let _ = writeln!(
        o,
        "\n## Questions to send the provider\n\n{} question(s); the {shown} most important, must-haves first. The full questionnaire, as a letter: `labfit questions -p {} -e {} --format markdown`.\n",
        r.questions.len(),
        r.profile.id,
        r.provider.id
    );
    let _ = writeln!(
        o,
        "| # | guide | question | must-have | fit points |\n|---:|---|---|---|---:|"
    );
    for (n, q) in r.questions.iter().take(shown).enumerate() {
        question_row(o, n + 1, q);
    }
}

fn waivers(o: &mut String, r: &Report) {
    if r.waivers.is_empty() {
        return;
    }
    let _ = writeln!(o, "\n## Waivers\n");
    let _ = writeln!(
        o,
        "| requirement | state | expires | approved by | reason |\n|---|---|---|---|---|"
    );
    for w in &r.waivers {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            code(&w.id),
            esc(w.state.as_str()),
            w.expires,
            esc(&w.approved_by),
            esc(&w.reason)
        );
    }
}

fn rule_errors(o: &mut String, r: &Report) {
    if r.errors.is_empty() {
        return;
    }
    let _ = writeln!(o, "\n## Rule errors\n");
    let _ = writeln!(
        o,
        "These requirements count as unknown because their rule failed.\n"
    );
    for e in &r.errors {
        let _ = writeln!(
            o,
            "- {} at {}: {}",
            code(&e.requirement),
            code(&e.location.to_string()),
            esc(&e.message)
        );
    }
}

fn frameworks(o: &mut String, r: &Report) {
    if r.profile.frameworks.is_empty() {
        return;
    }
    let _ = writeln!(o, "\n## Frameworks\n");
    let _ = writeln!(
        o,
        "| framework | share of the fit | fit | potential |\n|---|---:|---:|---:|"
    );
    for f in &r.profile.frameworks {
        if f.share > 0.0 {
            let _ = writeln!(
                o,
                "| {} {} | {} | {} | {} |",
                code(&f.id),
                esc(r.title_of(&f.id)),
                pct_spaced(f.share, 1),
                of100(f.lo),
                of100(f.hi)
            );
        } else {
            let _ = writeln!(
                o,
                "| {} {} | – | not applicable | |",
                code(&f.id),
                esc(r.title_of(&f.id))
            );
        }
    }
}

/// Renders a comparison for a committee.
pub fn comparison(c: &Comparison) -> String {
    let v = ComparisonView::new(c);
    let mut o = String::new();
    let _ = writeln!(o, "# Cloud provider comparison: {}\n", esc(&c.title));
    let _ = writeln!(
        o,
        "Profile {} · scored as of {} · {} providers · {} {}\n",
        code(&c.profile),
        c.as_of,
        v.counts.providers,
        v.engine.0,
        v.engine.1
    );
    let _ = writeln!(o, "## Summary\n");
    for s in comparison_summary(&v, Answers::Inline) {
        let _ = writeln!(o, "- {}", esc(&s));
    }
    ranking(&mut o, &v);
    if let Some(m) = &v.frameworks {
        framework_matrix(&mut o, m);
    }
    if let Some(m) = &v.gates {
        gate_matrix(&mut o, m);
    }
    if let Some(r) = &v.robustness {
        robustness(&mut o, r);
    }
    first_questions(&mut o, c);
    let _ = writeln!(o, "\n## How the score is computed\n");
    for p in METHOD {
        let _ = writeln!(o, "{p}\n");
    }
    inputs(&mut o, &v.inputs);
    o
}

fn ranking(o: &mut String, v: &ComparisonView<'_>) {
    let _ = writeln!(o, "\n## Ranking\n");
    let _ = writeln!(
        o,
        "{RANKING_ORDER} Fit is what the evidence shows today, potential what it would be if every open question were answered favourably.\n"
    );
    let _ = writeln!(
        o,
        "| rank | provider | verdict | fit | potential | settled | must-haves open | must-haves failed | weakest area |\n|---:|---|---|---:|---:|---:|---|---|---|"
    );
    for r in &v.rows {
        let _ = writeln!(
            o,
            "| {} | {} | **{}** | {:.1} | {:.1} | {} | {} | {} | {} |",
            r.rank,
            esc(r.name),
            r.verdict,
            r.fit,
            r.potential,
            pct_spaced(r.settled, 0),
            list_or_dash(r.open, code),
            list_or_dash(r.failed, code),
            r.weakest.map_or_else(|| "–".to_owned(), code)
        );
    }
}

fn framework_matrix(o: &mut String, m: &FrameworkMatrix<'_>) {
    let _ = writeln!(o, "\n## By framework\n");
    let _ = writeln!(
        o,
        "Each cell is the framework's fit – potential (0–100); the header gives its share of the overall fit.\n"
    );
    let mut head = String::from("| provider |");
    let mut rule = String::from("|---|");
    for (id, share) in &m.columns {
        let _ = write!(head, " {} ({}) |", code(id), pct_spaced(*share, 0));
        rule.push_str("---|");
    }
    let _ = writeln!(o, "{head}\n{rule}");
    for r in &m.rows {
        let mut line = format!("| {} |", esc(r.name));
        for cell in &r.cells {
            match cell {
                Some((lo, hi)) => {
                    let _ = write!(line, " {} – {} |", of100(*lo), of100(*hi));
                }
                None => line.push_str(" n/a |"),
            }
        }
        let _ = writeln!(o, "{line}");
    }
}

fn gate_matrix(o: &mut String, m: &GateMatrix<'_>) {
    let _ = writeln!(o, "\n## Must-haves\n");
    let mut head = String::from("| provider |");
    let mut rule = String::from("|---|");
    for g in m.gates {
        let _ = write!(head, " {} |", code(&g.id));
        rule.push_str("---|");
    }
    let _ = writeln!(o, "{head}\n{rule}");
    for r in &m.rows {
        let mut line = format!("| {} |", esc(r.name));
        for cell in &r.cells {
            let state = cell.map_or("–".to_owned(), |x| gate_word(x.state));
            let _ = write!(line, " {state} |");
        }
        let _ = writeln!(o, "{line}");
    }
    let _ = writeln!(o);
    for g in m.gates {
        let basis = g
            .basis
            .as_deref()
            .map(|b| format!(": {}", prose(b)))
            .unwrap_or_default();
        let _ = writeln!(o, "- {} {}{basis}", code(&g.id), esc(&g.title));
    }
}

fn first_questions(o: &mut String, c: &Comparison) {
    let _ = writeln!(o, "\n## First questions for each provider\n");
    let _ = writeln!(
        o,
        "The five most important per provider; `labfit questions -p {} -e PROVIDER --format markdown` writes the full letter.",
        c.profile
    );
    for r in &c.reports {
        let _ = writeln!(o, "\n### {} ({})\n", esc(&r.provider.name), r.verdict);
        if r.questions.is_empty() {
            let _ = writeln!(o, "Nothing to ask.");
            continue;
        }
        for (n, q) in r.questions.iter().take(5).enumerate() {
            let tag = if q.gate {
                format!("must-have, +{:.1} fit", q.swing)
            } else {
                format!("+{:.1} fit", q.swing)
            };
            let _ = writeln!(
                o,
                "{}. \\[{}\\] {} ({tag})",
                n + 1,
                esc(&q.question),
                esc(&q.ask)
            );
        }
        if r.questions.len() > 5 {
            let _ = writeln!(o, "\n…and {} more.", r.questions.len() - 5);
        }
    }
}

/// Renders the questionnaire as a letter the lab can send the provider.
pub fn questions(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Questions for {}\n", esc(&r.provider.name));
    let _ = writeln!(o, "**To:** {}  ", esc(&r.provider.name));
    let _ = writeln!(o, "**From:** \\[laboratory, contact name and address\\]  ");
    let _ = writeln!(o, "**Date:** {}  ", r.as_of);
    let _ = writeln!(
        o,
        "**Subject:** Due-diligence questions before placing laboratory data with {}\n",
        esc(&r.provider.name)
    );
    let _ = writeln!(o, "Dear {} team,\n", esc(&r.provider.name));
    let gated: Vec<&Question> = r.questions.iter().filter(|q| q.gate).collect();
    let others: Vec<&Question> = r.questions.iter().filter(|q| !q.gate).collect();
    let _ = writeln!(
        o,
        "We are assessing cloud providers for our laboratory: {}. The information we could find about your services leaves the questions below open.",
        esc(&lowercase_first(&r.profile.title))
    );
    if r.questions.is_empty() {
        let _ = writeln!(
            o,
            "\nIn fact we have no open questions at this time: the information we hold answers everything our assessment needs. Thank you.\n"
        );
    } else {
        let _ = writeln!(
            o,
            "{}\n",
            match (gated.len(), others.len()) {
                (0, _) => "They are listed most important first.".to_owned(),
                (g, 0) => format!(
                    "{} concern{} requirements we must see met before any regulated data can be placed with a provider.",
                    if g == 1 { "It" } else { "All of them" },
                    if g == 1 { "s" } else { "" }
                ),
                (1, _) => "The first concerns a requirement we must see met before any regulated data can be placed with a provider; the others weigh in our comparison and are listed most important first.".to_owned(),
                (g, _) => format!(
                    "The first {g} concern requirements we must see met before any regulated data can be placed with a provider; the others weigh in our comparison and are listed most important first."
                ),
            }
        );
        let _ = writeln!(
            o,
            "For each answer, please point us to something we can check: a contract clause, an audit report or certificate, or a dated public page. An answer we can verify counts for more than one we cannot.\n"
        );
    }
    let mut n = 0;
    for (title, list) in [
        ("Must-have questions", &gated),
        ("Further questions", &others),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(o, "## {title}\n");
        for q in list.iter() {
            n += 1;
            letter_question(&mut o, r, n, q);
        }
    }
    let _ = writeln!(o, "---\n");
    if !r.questions.is_empty() {
        let _ = writeln!(
            o,
            "Please answer each question by its number. We are glad to discuss any of them.\n"
        );
    }
    let _ = writeln!(o, "Kind regards,\n");
    let _ = writeln!(o, "\\[name\\]  \n\\[role, laboratory\\]\n");
    let _ = writeln!(
        o,
        "<sub>Prepared with {} on {} from the evidence {} (as of {}) and the profile {}. \"Fit\" is our 0–100 score of what the evidence shows today.</sub>",
        engine_line(r),
        r.as_of,
        code(&r.provider.id),
        r.provider.as_of,
        code(&r.profile.id)
    );
    o
}

fn letter_question(o: &mut String, r: &Report, n: usize, q: &Question) {
    let topic = guide_topic(&q.question).map_or_else(String::new, |t| format!(" {}", esc(t)));
    let _ = writeln!(
        o,
        "### {n}.{topic} ({})\n",
        if q.question.is_empty() {
            "no guide question".to_owned()
        } else {
            format!("guide question {}", esc(&q.question))
        }
    );
    let _ = writeln!(o, "{}\n", esc(&q.ask));
    let mut why = Vec::new();
    if !q.gates.is_empty() {
        let list: Vec<String> = q
            .gates
            .iter()
            .map(|g| {
                let gate = r.gate(g);
                let title = lowercase_first(gate.map_or(&**g, |x| x.title.as_str()));
                match gate.and_then(|x| x.basis.as_deref()) {
                    Some(b) => format!("{} ({}; {})", esc(&title), code(g), prose(b)),
                    None => format!("{} ({})", esc(&title), code(g)),
                }
            })
            .collect();
        why.push(format!(
            "It decides {}: {}.",
            if list.len() == 1 {
                "one of our must-haves".to_owned()
            } else {
                format!("{} of our must-haves", list.len())
            },
            list.join("; ")
        ));
    }
    let reqs: Vec<String> = q
        .impact
        .requirements
        .iter()
        .map(|m| {
            let cite = r
                .node(&m.id)
                .and_then(|n| n.citation.as_deref())
                .map(|c| format!(", {}", esc(c)))
                .unwrap_or_default();
            format!(
                "{} ({}{cite})",
                esc(&lowercase_first(r.title_of(&m.id))),
                code(&m.id)
            )
        })
        .collect();
    if !reqs.is_empty() {
        why.push(format!(
            "The answer settles whether {}.",
            reqs.join("; whether ")
        ));
    }
    let fws: Vec<String> = q
        .impact
        .frameworks
        .iter()
        .filter(|m| m.to - m.from >= 0.05)
        .map(|m| format!("{} from {:.1} to {:.1}", code(&m.id), m.from, m.to))
        .collect();
    if !fws.is_empty() {
        why.push(format!(
            "A favourable answer would raise our scores for {} (+{:.1} points of overall fit).",
            fws.join(", "),
            q.swing
        ));
    }
    match idle_reason(q) {
        Some(idle) => why.push(format!("{}.", esc(&capitalise(&idle)))),
        None => {
            let held = held_reasons(q);
            if !held.is_empty() && fws.len() < q.impact.frameworks.len() {
                why.push(format!(
                    "It moves less than its checks: {}.",
                    esc(&held.join("; "))
                ));
            }
        }
    }
    if !why.is_empty() {
        let _ = writeln!(o, "*Why we ask:* {}\n", why.join(" "));
    }
    if let Some(now) = current_answer(r, q) {
        let _ = writeln!(o, "*What we have now:* {}\n", esc(&now));
    }
    if let Some(doc) = &q.document {
        let _ = writeln!(o, "*Please send:* {}\n", esc(doc));
    }
}

/// The questionnaire for the provider, as a Markdown letter a procurement lead can send
/// unchanged: numbered questions grouped by topic, each with the kind of answer it takes, the
/// document to attach and room for the answer. No scores, requirement ids or weights.
pub fn provider_letter(r: &Report) -> String {
    let mut o = String::new();
    let name = esc(&r.provider.name);
    let _ = writeln!(o, "# Questions for {name}\n");
    let _ = writeln!(o, "**To:** {name}  ");
    let _ = writeln!(o, "**From:** \\[laboratory, contact name and address\\]  ");
    let _ = writeln!(o, "**Date:** {}  ", r.as_of);
    let _ = writeln!(
        o,
        "**Subject:** Due-diligence questions before placing laboratory data with {name}\n"
    );
    let _ = writeln!(o, "Dear {name} team,\n");
    let groups = letter_groups(r);
    for para in letter_intro(r, &groups) {
        let _ = writeln!(o, "{}\n", esc(&para));
    }
    for (topic, list) in &groups {
        let _ = writeln!(o, "## {}\n", esc(topic));
        for (n, q) in list {
            let star = if q.gate { " \\*" } else { "" };
            let _ = writeln!(o, "**{n}.{star}** {}\n", esc(&q.ask));
            let _ = writeln!(o, "- *Answer type:* {}", esc(&answer_hint(&q.answer)));
            if let Some(found) = found_for_provider(q) {
                let _ = writeln!(o, "- *What we found:* {}", esc(&found));
            }
            if let Some(doc) = &q.document {
                let _ = writeln!(o, "- *Please attach:* {}", esc(doc));
            }
            let _ = writeln!(
                o,
                "- *Answer:* \\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\n"
            );
        }
    }
    let _ = writeln!(o, "---\n");
    let _ = writeln!(o, "Kind regards,\n");
    let _ = writeln!(o, "\\[name\\]  \n\\[role, laboratory\\]");
    o
}

fn robustness(o: &mut String, v: &RobustnessView<'_>) {
    let _ = writeln!(o, "\n## Robustness\n");
    let _ = writeln!(o, "{}\n", esc(&words::robustness_method(v)));
    let mut head = "| provider |".to_owned();
    let mut rule = "|---|".to_owned();
    for r in 1..=v.ranks {
        head.push_str(&format!(" b{r} |"));
        rule.push_str("---:|");
    }
    let _ = writeln!(o, "{head} confidence |\n{rule}---:|");
    for row in &v.rows {
        let mut line = format!("| {} |", esc(row.who.name()));
        for b in &row.acceptability {
            line.push_str(&format!(" {} |", pct_spaced(*b, 1)));
        }
        let conf = row
            .confidence
            .map_or_else(|| "–".to_owned(), |c| pct_spaced(c, 1));
        let _ = writeln!(o, "{line} {conf} |");
    }
    if let Some((first, intervals)) = &v.stability {
        let _ = writeln!(
            o,
            "\nHow far each weight can move (the others rescaled) before {} loses first place:\n",
            esc(first.name())
        );
        for iv in intervals {
            let _ = writeln!(o, "- {}", esc(&words::stability_sentence(first.name(), iv)));
        }
    }
}
