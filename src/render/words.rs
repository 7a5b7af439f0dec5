//! The sentences every report format shares: what a verdict means, what a comparison settles
//! (said from its [`ComparisonView`]), how a ranking is ordered, what a what-if assumes, a
//! provider's current answer, the topics of the guide's questions, the method. Renderers put
//! them in their own markup; none writes them itself, so the formats say the same thing.

use crate::render::view::{ComparisonView, Counts, DecisionView, Named, Safest, Settling};
use crate::report::comparison::DecisionState;
use crate::report::{AskReason, Question, Report};
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

/// What a committee should take from a comparison, as plain sentences (no markup): where the
/// decision stands, what the intervals settle, the safest choice, and what to do next.
pub fn comparison_summary(v: &ComparisonView<'_>) -> Vec<String> {
    let Counts {
        providers: n,
        eligible,
        conditional,
        ineligible,
        questions,
        gate_questions,
        expired,
    } = v.counts;
    let mut out = vec![format!(
        "Of {n} provider{} compared, {eligible} {} every must-have, {conditional} {} must-haves still open (conditional) and {ineligible} {} at least one (ineligible).",
        if n == 1 { "" } else { "s" },
        if eligible == 1 { "meets" } else { "meet" },
        if conditional == 1 { "has" } else { "have" },
        if ineligible == 1 { "fails" } else { "fail" },
    )];
    out.extend(v.notes.iter().map(|n| format!("Note: {n}.")));
    out.push(decision_sentence(&v.decision));
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
    if questions > 0 {
        out.push(format!(
            "Next step: send each provider its questions ({questions} in all, {gate_questions} of them on must-haves, which come first in each list)."
        ));
    }
    if expired > 0 {
        out.push(format!(
            "The evidence for {expired} of {n} provider{} includes expired documents, counted as unknown: ask for the current ones before deciding.",
            if n == 1 { "" } else { "s" }
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
