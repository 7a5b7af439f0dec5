//! JUnit XML for pipelines: one testsuite per provider, one testcase per requirement the
//! profile reaches, valid against the JUnit 10 XSD that CI servers read (the Jenkins xunit
//! plugin's). The mapping, documented in docs/reports.md:
//!
//! - `<failure type="fail">`: the requirement fails; `<failure type="must-have">`: a must-have
//!   on it failed (it cannot reach the required minimum whatever the answers);
//! - `<skipped>`: not applicable or waived;
//! - `<error>`: its rule errored (the location is in the body);
//! - no child element: pass, partial or unknown. JUnit has no "unknown", so the status,
//!   interval and note are in `<system-out>`, and the verdict, fit, potential and every gate
//!   are testsuite properties: gate a pipeline on those (or `--require-eligible`), not on
//!   the absence of failures, since missing evidence is never a pass.

use std::fmt::Write as _;

use crate::render::toolkit::exact;
use crate::report::comparison::Comparison;
use crate::report::{GateState, NodeKindName, NodeResult, NodeStatus, Report};

/// Escapes text for an XML 1.0 attribute or element; characters XML 1.0 cannot carry
/// (most control characters) become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\n' => o.push_str("&#10;"),
            '\r' => o.push_str("&#13;"),
            '\t' => o.push_str("&#9;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}

/// The testcases of one report, with their counts.
struct Suite {
    xml: String,
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

fn classname(provider: &str, id: &str) -> String {
    let area = id.split('.').next().unwrap_or(id);
    format!("{provider}.{area}")
}

fn testcase(r: &Report, n: &NodeResult, s: &mut Suite) {
    s.tests += 1;
    let _ = writeln!(
        s.xml,
        "    <testcase name=\"{}\" classname=\"{}\">",
        escape(&format!("{}: {}", n.id, n.title)),
        escape(&classname(&r.provider.id, &n.id))
    );
    let error = r.errors.iter().find(|e| *e.requirement == *n.id);
    let failed_gate = r
        .gate(&n.id)
        .filter(|g| g.state == GateState::Failed && n.status != NodeStatus::Fail);
    if let Some(e) = error {
        s.errors += 1;
        let _ = writeln!(
            s.xml,
            "      <error type=\"rule-error\" message=\"{}\">{}</error>",
            escape(&e.message),
            escape(&e.location.to_string())
        );
    } else if n.status == NodeStatus::Fail {
        s.failures += 1;
        let _ = writeln!(
            s.xml,
            "      <failure type=\"fail\" message=\"{}\">{}</failure>",
            escape(if n.note.is_empty() {
                "the requirement fails"
            } else {
                &n.note
            }),
            escape(&detail(n))
        );
    } else if let Some(g) = failed_gate {
        s.failures += 1;
        let _ = writeln!(
            s.xml,
            "      <failure type=\"must-have\" message=\"{}\">{}</failure>",
            escape(&format!(
                "must-have failed: needs at least {}, at most {:.2} is possible",
                g.min, g.hi
            )),
            escape(&g.reason)
        );
    } else if n.status == NodeStatus::NotApplicable || n.status == NodeStatus::Waived {
        s.skipped += 1;
        let what = if n.status == NodeStatus::Waived {
            "waived"
        } else {
            "not applicable"
        };
        let msg = if n.note.is_empty() {
            what.to_owned()
        } else {
            format!("{what}: {}", n.note)
        };
        let _ = writeln!(s.xml, "      <skipped message=\"{}\"/>", escape(&msg));
    }
    let _ = writeln!(
        s.xml,
        "      <system-out>{}</system-out>",
        escape(&detail(n))
    );
    let _ = writeln!(s.xml, "    </testcase>");
}

fn detail(n: &NodeResult) -> String {
    let kind = match n.kind {
        NodeKindName::Leaf => "check",
        NodeKindName::Composite | NodeKindName::Profile => "composite",
    };
    if n.status == NodeStatus::NotApplicable || n.status == NodeStatus::Waived {
        let mut d = format!("{kind} {}, excluded from the score", n.status);
        if !n.note.is_empty() {
            let _ = write!(d, "; {}", n.note);
        }
        return d;
    }
    let mut d = format!(
        "{kind} {}, interval [{:.2}, {:.2}], global weight {:.4}, contribution {:.2} fit points",
        n.status, n.lo, n.hi, n.weight, n.contribution
    );
    if let Some(c) = &n.citation {
        let _ = write!(d, "; {c}");
    }
    if !n.note.is_empty() {
        let _ = write!(d, "; {}", n.note);
    }
    d
}

fn suite(r: &Report) -> Suite {
    let mut s = Suite {
        xml: String::new(),
        tests: 0,
        failures: 0,
        errors: 0,
        skipped: 0,
    };
    for n in &r.nodes {
        testcase(r, n, &mut s);
    }
    let mut head = String::new();
    let _ = writeln!(
        head,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" timestamp=\"{}T00:00:00\" package=\"{}\">",
        escape(&format!("{} under {}", r.provider.id, r.profile.id)),
        s.tests,
        s.failures,
        s.errors,
        s.skipped,
        r.as_of,
        escape(&r.profile.id)
    );
    let _ = writeln!(head, "    <properties>");
    let mut prop = |name: &str, value: &str| {
        let _ = writeln!(
            head,
            "      <property name=\"{}\" value=\"{}\"/>",
            escape(name),
            escape(value)
        );
    };
    prop("profile", &r.profile.id);
    prop("provider", &r.provider.name);
    prop("as_of", &r.as_of.to_string());
    prop("verdict", r.verdict.as_str());
    prop("fit", &exact(r.fit));
    prop("potential", &exact(r.potential));
    for g in &r.gates {
        prop(&format!("must_have.{}", g.id), g.state.as_str());
    }
    prop("questions", &r.questions.len().to_string());
    prop("engine", &format!("{} {}", r.engine.name, r.engine.version));
    let _ = writeln!(head, "    </properties>");
    s.xml = format!("{head}{}  </testsuite>\n", s.xml);
    s
}

fn document(name: &str, suites: &[Suite]) -> String {
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        o,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        escape(name),
        suites.iter().map(|s| s.tests).sum::<usize>(),
        suites.iter().map(|s| s.failures).sum::<usize>(),
        suites.iter().map(|s| s.errors).sum::<usize>()
    );
    for s in suites {
        o.push_str(&s.xml);
    }
    o.push_str("</testsuites>\n");
    o
}

/// One provider: a testsuite of its requirements.
pub fn report(r: &Report) -> String {
    document(
        &format!("labfit {} × {}", r.profile.id, r.provider.id),
        &[suite(r)],
    )
}

/// Several providers: one testsuite each, in ranking order.
pub fn comparison(c: &Comparison) -> String {
    let suites: Vec<Suite> = c.reports.iter().map(suite).collect();
    document(&format!("labfit compare {}", c.profile), &suites)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
        assert_eq!(escape("x\u{1}y\nz"), "x\u{fffd}y&#10;z");
    }
}
