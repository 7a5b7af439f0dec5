//! Diagnostics: what is wrong, where (`file:line:col`), and what to do, rendered like rustc.

use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::input::source::Location;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The input cannot be used.
    Error,
    /// The input works but is probably not what was meant.
    Warning,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Error => "error",
            Level::Warning => "warning",
        })
    }
}

/// A rendered-ready finding: what, where, and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Level,
    /// One line: what is wrong.
    pub message: String,
    /// Where, when known.
    pub location: Option<Location>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error diagnostic.
    pub fn error(
        message: impl Into<String>,
        location: Option<Location>,
        hint: Option<String>,
    ) -> Self {
        Diagnostic {
            severity: Level::Error,
            message: message.into(),
            location,
            hint,
        }
    }

    /// A warning diagnostic.
    pub fn warning(
        message: impl Into<String>,
        location: Option<Location>,
        hint: Option<String>,
    ) -> Self {
        Diagnostic {
            severity: Level::Warning,
            message: message.into(),
            location,
            hint,
        }
    }

    /// Renders like rustc: the message, `--> file:line:col`, the source line with a caret under
    /// the column, then the hint. `color` adds ANSI colours (only for terminals).
    pub fn render(&self, color: bool) -> String {
        let (bold, red, yellow, blue, cyan, reset) = if color {
            (
                "\x1b[1m",
                "\x1b[1;31m",
                "\x1b[1;33m",
                "\x1b[1;34m",
                "\x1b[1;36m",
                "\x1b[0m",
            )
        } else {
            ("", "", "", "", "", "")
        };
        let sev_color = match self.severity {
            Level::Error => red,
            Level::Warning => yellow,
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{sev_color}{}{reset}{bold}: {}{reset}",
            self.severity, self.message
        );
        if let Some(loc) = &self.location {
            let line_no = loc.line().to_string();
            let pad = " ".repeat(line_no.len());
            let _ = writeln!(out, "{pad}{blue}-->{reset} {loc}");
            if let Some(text) = loc.line_text() {
                let shown: String = text.chars().take(160).collect();
                let caret_pad: String = shown
                    .chars()
                    .take(loc.col().saturating_sub(1))
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let _ = writeln!(out, "{pad} {blue}|{reset}");
                let _ = writeln!(out, "{blue}{line_no} |{reset} {shown}");
                let _ = writeln!(out, "{pad} {blue}|{reset} {caret_pad}{sev_color}^{reset}");
            }
            if let Some(hint) = &self.hint {
                let _ = writeln!(out, "{pad} {blue}={reset} {cyan}help{reset}: {hint}");
            }
        } else if let Some(hint) = &self.hint {
            let _ = writeln!(out, "  {blue}={reset} {cyan}help{reset}: {hint}");
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{loc}: {}", self.message)?,
            None => f.write_str(&self.message)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, " (help: {hint})")?;
        }
        Ok(())
    }
}
