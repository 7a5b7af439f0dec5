//! JSON rendering of reports: pretty-printed, fields in declaration order, maps sorted, so
//! the same inputs give byte-identical output.

use serde::Serialize;

/// Renders any report value as pretty JSON with a trailing newline.
pub fn render<T: Serialize>(value: &T) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Serialising plain data with string keys cannot fail; keep the output valid JSON anyway.
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}
