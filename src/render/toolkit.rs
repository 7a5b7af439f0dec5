//! Helpers every renderer may use: terminal styling and the width of text output, clipping and
//! wrapping. Nothing here knows a format's markup.

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
