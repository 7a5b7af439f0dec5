//! One structured line per request: what was asked, the answer's status, how long it took
//! and which inputs it was computed from (their SHA-256), never a body.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::input::date::Date;
use crate::input::source::InputHash;

/// One answered request.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestLog {
    /// When it was answered, in UTC (RFC 3339, milliseconds).
    pub time: String,
    /// `GET`, `POST`, …
    pub method: String,
    /// The path asked for.
    pub path: String,
    /// The HTTP status answered.
    pub status: u16,
    /// From the request's arrival to its answer, in milliseconds.
    pub ms: f64,
    /// The body's size in bytes.
    pub bytes: usize,
    /// The SHA-256 of the body, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<String>,
    /// The profile and evidence the answer was computed from, as `kind name sha256`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<String>,
}

impl RequestLog {
    pub(crate) fn new(method: &str, path: &str, status: u16, took: Duration) -> Self {
        RequestLog {
            time: utc(SystemTime::now()),
            method: method.to_owned(),
            path: path.to_owned(),
            status,
            ms: (took.as_secs_f64() * 1e6).round() / 1e3,
            bytes: 0,
            body_sha256: None,
            inputs: Vec::new(),
        }
    }

    pub(crate) fn inputs(mut self, inputs: &[InputHash]) -> Self {
        self.inputs = inputs
            .iter()
            .map(|i| format!("{} {} {}", i.kind, i.name, i.sha256))
            .collect();
        self
    }

    /// The line: one JSON object, no newline.
    pub fn json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A time as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn utc(t: SystemTime) -> String {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let day = Date::from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    let s = secs % 86_400;
    format!(
        "{day}T{:02}:{:02}:{:02}.{:03}Z",
        s / 3600,
        s / 60 % 60,
        s % 60,
        since.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc() {
        let t = UNIX_EPOCH + Duration::from_millis(1_767_225_600_123 + 3_723_000);
        assert_eq!(utc(t), "2026-01-01T01:02:03.123Z");
    }
}
