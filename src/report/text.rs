//! Text rendering of a score: a summary that fits 100 columns — fit and potential, verdict,
//! gates, the weakest areas, the first questions to ask. Colour only when asked (the CLI asks
//! on a terminal without `NO_COLOR`).

use std::fmt::Write as _;

use crate::report::{GateState, Report, Verdict};

/// Width the text output is kept within.
pub const WIDTH: usize = 100;

/// ANSI styling, or none.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    color: bool,
}

impl Style {
    /// Colours on or off.
    pub fn new(color: bool) -> Self {
        Style { color }
    }
    fn paint(self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
    /// Bold.
    pub fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }
    /// Dim.
    pub fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }
    /// The colour of a verdict.
    pub fn verdict(self, v: Verdict) -> String {
        let code = match v {
            Verdict::Strong => "1;32",
            Verdict::Moderate => "1;36",
            Verdict::Weak => "1;33",
            Verdict::Conditional => "1;35",
            Verdict::Ineligible => "1;31",
        };
        self.paint(code, v.as_str())
    }
    /// The colour of a gate state.
    pub fn gate(self, g: GateState) -> String {
        let code = match g {
            GateState::Met => "32",
            GateState::Open => "35",
            GateState::Failed => "31",
        };
        self.paint(code, g.as_str())
    }
}

/// Shortens `s` to at most `max` characters, marking the cut with `…`.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Wraps `text` that starts at column `indent` so no line passes `width` columns; lines after
/// the first are indented by `indent` spaces.
pub fn wrap(text: &str, width: usize, indent: usize) -> String {
    let mut out = String::new();
    let mut col = indent;
    for word in text.split_whitespace() {
        let w = word.chars().count();
        if col > indent && col + 1 + w > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            col = indent;
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += w;
    }
    out
}

/// A bar of `width` cells: solid up to `fit`, shaded up to `potential` (both 0–100).
pub fn bar(fit: f64, potential: f64, width: usize) -> String {
    let cells = |x: f64| ((x.clamp(0.0, 100.0) / 100.0) * width as f64).round() as usize;
    let f = cells(fit);
    let p = cells(potential).max(f);
    format!(
        "{}{}{}",
        "█".repeat(f),
        "░".repeat(p - f),
        " ".repeat(width - p)
    )
}

/// Renders the summary of one score.
pub fn render(r: &Report, style: Style) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} × {}",
        style.bold(&r.provider.name),
        style.bold(&clip(&r.profile.title, 70))
    );
    let _ = writeln!(
        o,
        "{}",
        style.dim(&format!(
            "profile {} · evidence {} (as of {}) · scored as of {}",
            r.profile.id, r.provider.id, r.provider.as_of, r.as_of
        ))
    );
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
            let head = format!("  {:<7} {:<28} ", style.gate(g.state), clip(&g.id, 28));
            let visible = 2 + 7 + 1 + 28 + 1;
            let _ = writeln!(o, "{head}{}", wrap(&g.reason, WIDTH, visible));
        }
    }
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
            let _ = writeln!(
                o,
                "  {:<16} {:>5.1} – {:>5.1}  {}  weight {:>4.1}%",
                clip(&f.id, 16),
                100.0 * f.lo,
                100.0 * f.hi,
                bar(100.0 * f.lo, 100.0 * f.hi, 30),
                100.0 * f.share
            );
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_clips() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(wrap("aa bb cc dd", 7, 2), "aa bb\n  cc dd");
        assert_eq!(wrap("aa bb", 10, 5), "aa bb");
        assert_eq!(bar(25.0, 50.0, 4), "█░  ");
    }
}
