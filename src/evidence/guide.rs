//! The LIMSWiki guide's questions a lab should ask a cloud provider (`q01`…`q18`, and `mss`
//! for managed security services), kept in one table: vocabularies and catalogs may name only
//! these ids, and questionnaires group and introduce questions by their topics, so the two
//! can never disagree about which questions exist.

/// Every guide question: its id and its topic, in the guide's order.
pub const QUESTIONS: [(&str, &str); 19] = [
    (
        "q01",
        "Experience with laboratory customers in the lab's field",
    ),
    ("q02", "Integration with the lab's systems and processes"),
    ("q03", "Historical downtime and availability commitments"),
    ("q04", "Support during downtime"),
    ("q05", "Where data are kept and how they travel"),
    ("q06", "Who can reach the lab's data, and their credentials"),
    (
        "q07",
        "Machines or environments dedicated to regulated data",
    ),
    ("q08", "Segregation from other customers' data"),
    ("q09", "Documented data security policies"),
    ("q10", "How the provider tests its security"),
    (
        "q11",
        "Security audits, intrusion detection and intrusion reporting",
    ),
    ("q12", "What the provider logs and acts upon"),
    ("q13", "Audit logs the lab can read on demand"),
    ("q14", "A business associate agreement for ePHI"),
    ("q15", "What happens to the data when the contract ends"),
    (
        "q16",
        "What happens to the data after a catastrophe or the provider's failure",
    ),
    ("q17", "Extracting data on demand, and in which formats"),
    ("q18", "Native or outsourced support"),
    ("mss", "Managed security services"),
];

/// The topic of a guide question, or `None` for an id the guide does not have.
pub fn topic(q: &str) -> Option<&'static str> {
    QUESTIONS
        .iter()
        .find(|(id, _)| *id == q)
        .map(|(_, topic)| *topic)
}

/// True for an id of the guide's questions.
pub fn is_question_id(q: &str) -> bool {
    topic(q).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_exactly_the_guides_ids() {
        for ok in ["q01", "q09", "q18", "mss"] {
            assert!(is_question_id(ok), "{ok}");
        }
        for bad in ["q00", "q19", "q1", "q001", "Q01", "", "ms"] {
            assert!(!is_question_id(bad), "{bad}");
        }
        assert_eq!(
            topic("q14"),
            Some("A business associate agreement for ePHI")
        );
    }
}
