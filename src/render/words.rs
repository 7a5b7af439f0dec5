//! The sentences every report format shares: what a verdict means, what a comparison settles
//! (said from its [`ComparisonView`]), how a ranking is ordered, what a what-if assumes, a
//! provider's current answer, the topics of the guide's questions, the method. Renderers put
//! them in their own markup; none writes them itself, so the formats say the same thing.

use crate::evidence::vocabulary::FactType;
use crate::evidence::FactValue;
use crate::render::toolkit::lowercase_first;
use crate::render::view::{
    ComparisonView, Counts, DecisionView, Named, RobustnessView, Safest, Settling, StabilityRow,
};
use crate::report::comparison::DecisionState;
use crate::report::{AnswerKind, AskReason, HeldHow, Question, Report};
use crate::score::Verdict;

/// The provider's current answer to a question, in words, when it has one worth showing: a
/// stale value, or one whose assurance is below what a must-have needs.
pub fn current_answer(r: &Report, q: &Question) -> Option<String> {
    let v = q.current.as_ref()?;
    match q.reason {
        AskReason::Unknown => None,
        AskReason::Stale => Some(format!("{v} ({}, out of date)", q.status)),
        AskReason::Expired => Some(format!("{v} ({}, expired)", q.status)),
        AskReason::OutOfScope => Some(format!(
            "{v} ({}, for other services than the lab's)",
            q.status
        )),
        AskReason::WeakAssurance => {
            let need = q
                .gates
                .iter()
                .filter_map(|g| r.gate(g)?.min_assurance)
                .max_by_key(|s| s.rank());
            Some(match need {
                Some(n) => format!("{v} ({} only; a must-have needs {n} or better)", q.status),
                None => format!("{v} ({} only)", q.status),
            })
        }
    }
}

/// What a verdict means, in one sentence for a committee.
pub fn verdict_meaning(v: Verdict) -> &'static str {
    match v {
        Verdict::Strong => "every must-have is met and the fit is in the strong band",
        Verdict::Moderate => "every must-have is met and the fit is in the moderate band",
        Verdict::Weak => "every must-have is met but the fit is below the moderate band",
        Verdict::Conditional => {
            "no must-have has failed, but some are still open: the provider's answers decide"
        }
        Verdict::Ineligible => {
            "a must-have failed: no answer to the open questions can make this provider acceptable"
        }
    }
}

/// Whether a summary says which answers would settle the decision in its decision sentence,
/// or leaves them to a list of its own (the renderer's, from `v.decision.pending`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answers {
    /// In the decision sentence.
    Inline,
    /// Apart: the decision sentence is the headline alone.
    Apart,
}

/// What a committee should take from a comparison, as plain sentences (no markup): where the
/// decision stands, what the intervals settle, the safest choice, whose evidence has expired,
/// and what to do next. Every format's summary of a comparison is these sentences.
pub fn comparison_summary(v: &ComparisonView<'_>, answers: Answers) -> Vec<String> {
    let Counts {
        providers: n,
        eligible,
        conditional,
        ineligible,
        questions,
        gate_questions,
        expired,
        open,
    } = v.counts;
    let mut out = vec![format!(
        "Of {n} provider{} compared, {eligible} {} every must-have, {conditional} {} must-haves still open (conditional) and {ineligible} {} at least one (ineligible).",
        if n == 1 { "" } else { "s" },
        if eligible == 1 { "meets" } else { "meet" },
        if conditional == 1 { "has" } else { "have" },
        if ineligible == 1 { "fails" } else { "fail" },
    )];
    out.extend(v.notes.iter().map(|n| format!("Note: {n}.")));
    out.push(match answers {
        Answers::Inline => decision_sentence(&v.decision),
        Answers::Apart => decision_headline(&v.decision),
    });
    if v.beats.is_empty() && n > 1 {
        out.push("The open questions could still reorder any two providers: none is necessarily better than another.".into());
    }
    for b in &v.beats {
        let losers: Vec<&str> = b.losers.iter().map(Named::name).collect();
        out.push(format!(
            "{} is necessarily better than {}: its fit already reaches their potential.",
            b.winner.name(),
            losers.join(", ")
        ));
    }
    match v.safest {
        // Only the chosen provider: the decision sentence has said it already.
        Safest::Only(_) | Safest::Unbeatable(_) => {}
        Safest::Behind { choice, by, against } => out.push(format!(
            "Among the providers that meet every must-have, the one with the least to regret (minimax regret) is {}: whatever the answers, it ends at most {by:.1} fit points behind the best of them ({}).",
            choice.name(),
            against.name()
        )),
        Safest::None => {}
    }
    if expired > 0 {
        let names: Vec<&str> = v.expired.iter().map(Named::name).collect();
        out.push(format!(
            "The evidence for {} ({expired} of {n} provider{}) includes expired documents, counted as unknown: ask for the current ones before deciding.",
            and_list(&names),
            if n == 1 { "" } else { "s" }
        ));
    }
    if questions > 0 {
        out.push(format!(
            "Next step: send each provider its questions ({questions} in all, {gate_questions} of them on must-haves, which come first in each list)."
        ));
    } else if open > 0 {
        // A ranking without reports does not count the questions; it knows who has some.
        out.push(format!(
            "Next step: send each of the {open} provider{} with open questions its questionnaire (`labfit questions -p {} -e PROVIDER`, must-haves first).",
            if open == 1 { "" } else { "s" },
            v.profile
        ));
    }
    out
}

/// Names, joined with commas and a final "and".
fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The answers that would settle a decision: per provider, its open must-haves (or, for one
/// that meets them all, its first questions).
pub fn settling_answers(pending: &[Settling<'_>]) -> String {
    let parts: Vec<String> = pending
        .iter()
        .map(|p| {
            let on = if p.must_haves.is_empty() {
                "its open questions".to_owned()
            } else {
                format!("its must-haves {}", p.must_haves.join(", "))
            };
            format!("{} on {on}", p.who.name())
        })
        .collect();
    parts.join("; ")
}

/// Where the decision stands, in one sentence, without the answers that would settle it. It
/// never names a provider with open must-haves as the pick.
pub fn decision_headline(d: &DecisionView<'_>) -> String {
    let others: Vec<&str> = d
        .pending
        .iter()
        .filter(|p| Some(p.who.id) != d.leader.map(|l| l.id))
        .map(|p| p.who.name())
        .collect();
    match d.state {
        DecisionState::Chosen => format!(
            "The evidence settles it: {} meets every must-have, and no provider still in the running could end ahead of it.",
            d.choice.map_or("", |c| c.name())
        ),
        DecisionState::Contested => format!(
            "No provider can be chosen yet: {} meets every must-have, but {} could still end ahead of it.",
            d.leader.map_or("", |c| c.name()),
            and_list(&others),
        ),
        DecisionState::NoneEligible => {
            "No provider can be chosen yet: none meets every must-have on the evidence.".to_owned()
        }
        DecisionState::AllIneligible => {
            "No provider is acceptable under this profile: each has failed at least one must-have.".to_owned()
        }
        DecisionState::Empty => "No provider was compared.".to_owned(),
    }
}

/// What a committee should do on this evidence, in one sentence, after the decision headline:
/// choose, wait for which answers, or look further. Like the headline, it never recommends a
/// provider with open must-haves.
pub fn recommendation(v: &ComparisonView<'_>) -> String {
    let d = &v.decision;
    let expired = if v.expired.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = v.expired.iter().map(Named::name).collect();
        format!(
            " Ask {} for current documents: some of the evidence has expired.",
            and_list(&names)
        )
    };
    let body = match d.state {
        DecisionState::Chosen => format!(
            "Recommendation: choose {}, after the committee has read the open points below.",
            d.choice.map_or("", |c| c.name())
        ),
        DecisionState::Contested => match v.safest {
            Safest::Behind { choice, by, against } => format!(
                "Recommendation: do not choose yet; ask the providers below first. Should a choice be needed before the answers are in, {} is the one with the least to regret (at most {by:.1} fit points behind {}).",
                choice.name(),
                against.name()
            ),
            _ => format!(
                "Recommendation: do not choose yet; ask the providers below first ({} is the one to beat).",
                d.leader.map_or("", |c| c.name())
            ),
        },
        DecisionState::NoneEligible => "Recommendation: do not choose yet; send each provider the questions on its open must-haves first (they come first in each questionnaire).".to_owned(),
        DecisionState::AllIneligible => "Recommendation: none of these providers; look at others, or review whether each must-have is truly required.".to_owned(),
        DecisionState::Empty => "Recommendation: compare at least one provider.".to_owned(),
    };
    format!("{body}{expired}")
}

/// Where the decision stands and, when it is open, which answers from which providers would
/// settle it.
pub fn decision_sentence(d: &DecisionView<'_>) -> String {
    if d.pending.is_empty() {
        decision_headline(d)
    } else {
        format!(
            "{} The answers that settle it: {}.",
            decision_headline(d),
            settling_answers(&d.pending)
        )
    }
}

/// The mark after a requirement whose citation could not be checked.
pub const UNVERIFIED_MARK: &str = "‡";

/// What the mark means, for the legend under any list that shows it.
pub const UNVERIFIED_LEGEND: &str = "‡ unverified: the requirement's citation could not be checked against the regulation's own text; verify it before relying on it";

/// The mark for a requirement of `r`, with a leading space, or nothing.
pub fn unverified_mark(r: &Report, id: &str) -> &'static str {
    if r.unverified(id) {
        " ‡"
    } else {
        ""
    }
}

/// How a ranking is ordered, before each format says what fit and potential are.
pub const RANKING_ORDER: &str = "Providers that meet every must-have rank first, then conditional, then ineligible; within a group by fit, then potential.";

/// What a what-if score assumes, given the assumed facts already marked up and joined.
pub fn what_if(facts: &str) -> String {
    format!("this score assumes {facts}. It is hypothetical.")
}

/// The topic of a guide question (`q01`…`q18`, `mss`: the LIMSWiki guide's questions a lab
/// should ask a cloud provider, as the `lab-baseline` framework names them), for grouping and
/// introducing questions in a questionnaire.
pub fn guide_topic(q: &str) -> Option<&'static str> {
    crate::evidence::guide::topic(q)
}

/// The method, in the words of docs/scoring.md, short enough for a report.
pub const METHOD: [&str; 6] = [
    "Each requirement is checked by a rule against the provider's evidence (facts with a status: verified, attested, claimed, reported, unknown). A fact the evidence does not establish is unknown: its requirement counts as anywhere between 0 and 1, never as a pass.",
    "Requirements combine up a graph: a weighted mean over the requirements that apply (weights renormalised), `all` (the weakest child), or `any` (the strongest). A control shared by several frameworks counts in each, with a global weight summed over its paths from the profile's frameworks (the composition AHP uses).",
    "Fit = 100 × the lower bound of the profile's weighted frameworks: what the evidence shows today. Potential = 100 × the upper bound: the score if every open question is answered favourably. Any answer lands in between.",
    "A must-have is met when its requirement reaches the required minimum with enough assurance, failed when no answer can reach it, open otherwise. Verdict: ineligible if a must-have failed, conditional if one is open, else strong, moderate or weak by the fit and the profile's bands.",
    "Providers rank eligible first, then conditional, then ineligible; then by fit, potential and id. One provider necessarily beats another when its fit is at least the other's potential. The minimax-regret choice minimises the most it could end up behind another provider once every answer is in (Salo and Hämäläinen 2001).",
    "A question's swing is how many fit points a favourable answer adds, with the other open questions held unfavourable. Questions that bear on a must-have come first.",
];

/// How a robustness analysis was run and how precise its figures are, in one paragraph.
pub fn robustness_method(v: &RobustnessView<'_>) -> String {
    let r = v.r;
    let weights = match r.spread {
        Some(k) => format!(
            "weights drawn from a Dirichlet distribution around the profile's (concentration {})",
            crate::render::toolkit::compact(k)
        ),
        None => format!(
            "weights drawn uniformly over every way of splitting them between the {} frameworks",
            r.frameworks.len()
        ),
    };
    let left = if r.left_out.is_empty() {
        String::new()
    } else {
        format!(
            " Left out, having failed a must-have: {}.",
            r.left_out.join(", ")
        )
    };
    format!(
        "{} samples (seed {}): {weights}, and each open question answered anywhere between its worst and best case. b1 is the share of samples in which the provider ranks first, b2 second, and so on; confidence is how often it ranks first under its own central weights (the mean of the weights that make it first). Each share is within ±{:.1} points (two standard errors).{left}",
        r.samples,
        r.seed,
        200.0 * v.max_se
    )
}

/// One framework's stability interval as a sentence.
pub fn stability_sentence(first: &str, row: &StabilityRow<'_>) -> String {
    let pct = |x: f64| format!("{:.0} %", 100.0 * x);
    let iv = row.interval;
    let mut s = format!(
        "{}: weighted {}, {first} stays first from {} to {}",
        iv.framework,
        pct(iv.weight),
        pct(iv.lo),
        pct(iv.hi)
    );
    match (row.below.map(|n| n.name()), row.above.map(|n| n.name())) {
        (Some(b), Some(a)) => s.push_str(&format!(" ({b} overtakes below, {a} above)")),
        (Some(b), None) => s.push_str(&format!(" ({b} overtakes below)")),
        (None, Some(a)) => s.push_str(&format!(" ({a} overtakes above)")),
        (None, None) => {}
    }
    s
}

/// Why a favourable answer moves less than the checks it bears on, one phrase per requirement
/// that does not follow it: "cjis.encryption needs ctl.fips_crypto as well".
pub fn held_reasons(q: &Question) -> Vec<String> {
    q.held
        .iter()
        .map(|h| {
            let by: Vec<&str> = h.by.iter().map(|b| &**b).collect();
            match h.how {
                HeldHow::All => format!("{} needs {} as well", h.id, and_list(&by)),
                HeldHow::Any => format!("{} already gets as much from {}", h.id, and_list(&by)),
            }
        })
        .collect()
}

/// Why a question whose answer alone adds no fit (its swing shows as 0.0) is asked at all,
/// or `None` when it adds some.
pub fn idle_reason(q: &Question) -> Option<String> {
    if q.swing >= 0.05 {
        return None;
    }
    if q.settled {
        return Some(
            "every check that reads it is already decided on other facts; it is asked to confirm the record, last"
                .to_owned(),
        );
    }
    let held = held_reasons(q);
    let alone = if q.gate {
        "alone it adds no fit, but it decides a must-have together with the other answers it needs"
    } else {
        "alone it adds no fit"
    };
    Some(if held.is_empty() {
        format!("{alone} (less than 0.05 points)")
    } else {
        format!("{alone}: {}", held.join("; "))
    })
}

/// What an answer may be, for a provider: "Yes or No", "one of: low, moderate, high", "a whole
/// number (days)".
pub fn answer_hint(a: &AnswerKind) -> String {
    let unit = a
        .unit
        .as_ref()
        .map(|u| format!(" ({u})"))
        .unwrap_or_default();
    match a.ty {
        FactType::Bool => "Yes or No".to_owned(),
        FactType::Enum if is_country_codes(&a.values) => {
            "a two-letter ISO 3166 country code, such as US, DE or CN".to_owned()
        }
        FactType::Enum => format!("one of: {}", a.values.join(", ")),
        FactType::Integer => format!("a whole number{unit}"),
        FactType::Number => format!("a number{unit}"),
        FactType::Percent => "a percentage from 0 to 100".to_owned(),
        FactType::Date => "a date (YYYY-MM-DD)".to_owned(),
        FactType::List if is_country_codes(&a.values) => {
            "two-letter ISO 3166 country codes, separated by commas (such as US, SG), or none"
                .to_owned()
        }
        FactType::List if !a.values.is_empty() => format!(
            "a list, separated by commas, of: {} (or none)",
            a.values.join(", ")
        ),
        FactType::List => "a list: separate the items with commas, or write none".to_owned(),
        FactType::Text => "text".to_owned(),
    }
}

/// Whether an enum's values are the ISO 3166 country codes: many, and each two capital
/// letters. A letter that spelled out all 249 would bury its question; the form's `Allowed
/// values` column and the import still hold the provider to the list.
fn is_country_codes(values: &[String]) -> bool {
    values.len() > 100
        && values
            .iter()
            .all(|v| v.len() == 2 && v.bytes().all(|b| b.is_ascii_uppercase()))
}

/// A fact's value as a provider would say it: yes / no for a bool.
pub fn value_words(v: &FactValue) -> String {
    match v {
        FactValue::Bool(true) => "yes".to_owned(),
        FactValue::Bool(false) => "no".to_owned(),
        FactValue::List(items) if items.is_empty() => "none".to_owned(),
        FactValue::List(items) => items.join(", "),
        other => other.to_string(),
    }
}

/// What we hold now, said to the provider (no status words): "we read that the answer is
/// yes, but have no document that shows it".
pub fn found_for_provider(q: &Question) -> Option<String> {
    let v = value_words(q.current.as_ref()?);
    Some(match q.reason {
        AskReason::Unknown => return None,
        AskReason::WeakAssurance => {
            format!("we read that the answer is {v}, but hold no document that shows it")
        }
        AskReason::Stale | AskReason::Expired => {
            format!("what we hold says {v}, but it is out of date")
        }
        AskReason::OutOfScope => format!("what we hold says {v}, for other services"),
    })
}

/// The questions of a letter to the provider, numbered from 1 and grouped by the guide's
/// topics: the topics in the order of their most important question, the questions in the
/// report's order within a topic. Questions already decided on other facts are left out: the
/// provider is asked only what the profile's frameworks still need.
pub fn letter_groups(r: &Report) -> Vec<(String, Vec<(usize, &Question)>)> {
    let mut groups: Vec<(String, Vec<&Question>)> = Vec::new();
    for q in r.questions.iter().filter(|q| !q.settled) {
        let topic = guide_topic(&q.question)
            .map(str::to_owned)
            .unwrap_or_else(|| "Other questions".to_owned());
        match groups.iter_mut().find(|(t, _)| *t == topic) {
            Some((_, list)) => list.push(q),
            None => groups.push((topic, vec![q])),
        }
    }
    let mut n = 0;
    groups
        .into_iter()
        .map(|(t, list)| {
            let numbered = list
                .into_iter()
                .map(|q| {
                    n += 1;
                    (n, q)
                })
                .collect();
            (t, numbered)
        })
        .collect()
}

/// The opening paragraphs of the letter to the provider, after the greeting.
pub fn letter_intro(r: &Report, groups: &[(String, Vec<(usize, &Question)>)]) -> Vec<String> {
    let count: usize = groups.iter().map(|(_, l)| l.len()).sum();
    let essential = groups
        .iter()
        .flat_map(|(_, l)| l.iter())
        .filter(|(_, q)| q.gate)
        .count();
    let mut out = vec![format!(
        "We are assessing cloud providers for our laboratory: {}.",
        lowercase_first(&r.profile.title)
    )];
    if count == 0 {
        out.push("The information we hold answers everything our assessment needs, so we have no questions at this time. Thank you.".to_owned());
        return out;
    }
    out.push(format!(
        "The information we could find about your services leaves {} open. Please answer each in the space provided, by its number, in the form it asks for (Yes or No, a number, one of the listed values); add any explanation after the answer. Where we ask for a document, please attach it or tell us how we may obtain it: an answer we can check counts for more than one we cannot.",
        if count == 1 { "the question below".to_owned() } else { format!("the {count} questions below") }
    ));
    if essential > 0 {
        out.push(format!(
            "{} marked * concern{} requirements we must see met before any regulated data can be placed with a provider.",
            if essential == 1 { "The question" } else { "The questions" },
            if essential == 1 { "s" } else { "" }
        ));
    }
    out
}

/// `s` with its first letter in uppercase, to start a sentence.
pub fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
