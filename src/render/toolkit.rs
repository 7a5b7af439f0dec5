//! Helpers every renderer may use, so a number or a clipped name reads the same in every
//! format: the number formats, clipping and wrapping, splitting prose around its code spans,
//! and the terminal's styling. Nothing here knows a format's markup; each renderer passes its
//! own escaping in.

use crate::score::{GateState, Verdict};

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
    /// `s` in the ANSI style `code` (when colours are on).
    pub fn paint(self, code: &str, s: &str) -> String {
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

/// Shortens `s` to at most `max` characters at a word boundary, marking the cut with `…`
/// (a title in a narrow column: "California Confidentiality of…", never "Califo…"); a single
/// word longer than `max` is clipped.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let room: String = s.chars().take(max.saturating_sub(1)).collect();
    match room.rfind(' ') {
        Some(i) if i > 0 => {
            let kept = room.get(..i).unwrap_or_default();
            format!("{}…", kept.trim_end_matches([',', ';', ':', ' ', '(', '-']))
        }
        _ => clip(s, max),
    }
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

/// One decimal: how a score (fit, potential, fit points) is shown.
pub fn num1(x: f64) -> String {
    format!("{x:.1}")
}

/// A 0–1 value (a framework's bound) as a score on the 0–100 scale, one decimal.
pub fn of100(x: f64) -> String {
    num1(100.0 * x)
}

/// A 0–1 share as a percentage with one decimal and no space (`12.5%`), for the terminal's
/// narrow columns.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// A 0–1 share as a percentage with `places` decimals and a space before the sign (`12.5 %`),
/// as the documents (Markdown, HTML) set it.
pub fn pct_spaced(x: f64, places: usize) -> String {
    format!("{:.*} %", places, 100.0 * x)
}

/// Every digit, in the shortest form that reads back as the same number: for data (CSV
/// cells, JUnit properties) that other programs parse.
pub fn exact(x: f64) -> String {
    format!("{x}")
}

/// [`exact`], except that a value within float noise of a whole number is shown whole: a
/// weight someone wrote as `2` should not read `1.9999999999999998`.
pub fn compact(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        exact(x.round())
    } else {
        exact(x)
    }
}

/// How far a score moved, with its sign and one decimal; `±0.0` when it did not move at that
/// precision (so a rounding difference never reads as a change).
pub fn delta(from: f64, to: f64) -> String {
    let d = to - from;
    if d.abs() < 0.05 {
        "±0.0".into()
    } else {
        format!("{d:+.1}")
    }
}

/// A sentence whose `` `code` `` spans (rule notes, gate reasons and warnings use them) are
/// marked up by `code`, the rest by `text`: the split is the same in every format, the
/// escaping is each format's own.
pub fn prose(s: &str, text: impl Fn(&str) -> String, code: impl Fn(&str) -> String) -> String {
    let mut o = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            o.push_str(&code(part));
        } else {
            o.push_str(&text(part));
        }
    }
    o
}

/// Ids marked up by `mark` and joined with commas, or `–` when there are none (an empty table
/// cell would read as missing data).
pub fn list_or_dash<S: AsRef<str>>(ids: &[S], mark: impl Fn(&str) -> String) -> String {
    if ids.is_empty() {
        "–".to_owned()
    } else {
        ids.iter()
            .map(|g| mark(g.as_ref()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Whether an address may become a link: only http(s), so an input file cannot smuggle a
/// `javascript:` or `file:` link into a report.
pub fn is_web_address(u: &str) -> bool {
    u.starts_with("https://") || u.starts_with("http://")
}

/// A title lowered to run on inside a sentence: only a capitalised common word is lowered, so
/// "US clinical…" keeps its capitals.
pub fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase() => {
            a.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_owned(),
    }
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
        assert_eq!(
            shorten("California Confidentiality of Medical Information Act", 32),
            "California Confidentiality of…"
        );
        assert_eq!(
            shorten("HIPAA Privacy, Security and Breach", 17),
            "HIPAA Privacy…"
        );
        assert_eq!(shorten("short", 32), "short");
        assert_eq!(shorten("Unbreakableword", 6), "Unbre…");
    }

    #[test]
    fn formats_numbers_one_way_each() {
        assert_eq!(num1(72.25), "72.2");
        assert_eq!(of100(0.4567), "45.7");
        assert_eq!(pct(0.125), "12.5%");
        assert_eq!(pct_spaced(0.125, 1), "12.5 %");
        assert_eq!(pct_spaced(0.126, 0), "13 %");
        assert_eq!(exact(0.1), "0.1");
        assert_eq!(compact(1.999_999_999_99), "2");
        assert_eq!(compact(0.25), "0.25");
        assert_eq!(delta(50.0, 50.04), "±0.0");
        assert_eq!(delta(50.0, 47.5), "-2.5");
    }

    #[test]
    fn splits_prose_around_code() {
        let shown = prose("a `b` c", |t| t.to_uppercase(), |c| format!("[{c}]"));
        assert_eq!(shown, "A [b] C");
        assert_eq!(list_or_dash::<String>(&[], str::to_owned), "–");
        assert_eq!(lowercase_first("Our lab"), "our lab");
        assert_eq!(lowercase_first("US lab"), "US lab");
    }
}
