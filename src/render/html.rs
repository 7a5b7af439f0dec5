//! One self-contained HTML file for a committee: no external assets, no JavaScript, charts in
//! inline SVG, and a print style sheet (A4: headings kept with what they introduce, tables
//! whole where they fit, every page numbered). It carries the summary, verdict badges, the
//! ranking and a fit/potential chart, a recommendation (what the evidence supports, what is
//! still open) and a decision record to sign, the frameworks and must-haves per provider,
//! each provider's questions, explain tree (collapsible `<details>`, built here from the
//! report's nodes) and sources with links, how the score is computed, and the inputs' hashes.
//! Requirements appear by title, their ids small beside them.
//!
//! Everything that comes from an input file is escaped; only http(s) addresses become links.

use std::fmt::Write as _;

use crate::graph::catalog::Verification;
use crate::input::source::InputHash;
use crate::render::toolkit::{self, clip, is_web_address, num1, of100, pct_spaced, shorten};
use crate::render::view::{
    ComparisonView, FrameworkMatrix, GateMatrix, RobustnessView, Row, Safest,
};
use crate::render::words;
use crate::render::words::{
    comparison_summary, current_answer, decision_headline, guide_topic, recommendation,
    verdict_meaning, what_if, Answers, METHOD, RANKING_ORDER, UNVERIFIED_LEGEND,
};
use crate::report::comparison::Comparison;
use crate::report::explain::{ExplainNode, ExplainStatus};
use crate::report::{GateState, NodeKindName, NodeStatus, Question, Report, Verdict};

/// Escapes text for HTML content and attribute values.
pub fn h(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}

/// The address when it is http(s), for an `href`.
fn safe_url(u: &str) -> Option<String> {
    let t = u.trim();
    is_web_address(t).then(|| h(t))
}

/// Renders `` `code` `` spans of a sentence (rule notes and gate reasons use them) as `<code>`.
fn prose(s: &str) -> String {
    toolkit::prose(s, h, |c| format!("<code>{}</code>", h(c)))
}

fn badge(v: Verdict) -> String {
    format!("<span class=\"badge v-{0}\">{0}</span>", v.as_str())
}

fn gate_badge(g: GateState) -> String {
    format!("<span class=\"gate g-{0}\">{0}</span>", g.as_str())
}

fn anchor(provider: &str) -> String {
    format!("p-{}", h(provider))
}

const CSS: &str = r#"
:root { --ink:#1f2328; --muted:#57606a; --line:#d0d7de; --soft:#f6f8fa; --accent:#0b5cad;
  --strong:#1a7f37; --moderate:#0969da; --weak:#9a6700; --conditional:#8250df; --ineligible:#cf222e;
  --fit:#2f6fb3; --pot:#b9d3ee; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff; font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
main, header.doc, footer { max-width: 1080px; margin: 0 auto; padding: 0 28px; }
header.doc { padding-top: 28px; border-bottom: 3px solid var(--accent); padding-bottom: 14px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: var(--accent); margin: 0; font-weight: 600; }
h1 { font-size: 26px; line-height: 1.25; margin: 4px 0 6px; }
h2 { font-size: 20px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 18px; margin: 26px 0 8px; }
h4 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: var(--muted); font-size: 13px; margin: 0; }
nav.toc { font-size: 13px; margin: 12px 0 0; color: var(--muted); }
nav.toc a { color: var(--accent); text-decoration: none; margin-right: 12px; }
a { color: var(--accent); }
code { font: 12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; background: var(--soft); padding: 0 3px; border-radius: 3px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 13.5px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; color: #fff; font-size: 12px; font-weight: 600; letter-spacing: .02em; white-space: nowrap; }
.v-strong { background: var(--strong); } .v-moderate { background: var(--moderate); } .v-weak { background: var(--weak); }
.v-conditional { background: var(--conditional); } .v-ineligible { background: var(--ineligible); }
.gate { display: inline-block; padding: 0 7px; border-radius: 4px; font-size: 12px; font-weight: 600; border: 1px solid; white-space: nowrap; }
.g-met { color: var(--strong); border-color: var(--strong); background: #dafbe1; }
.g-open { color: var(--conditional); border-color: var(--conditional); background: #fbefff; }
.g-failed { color: var(--ineligible); border-color: var(--ineligible); background: #ffebe9; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { flex: 1 1 150px; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: #fff; }
.card .k { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
.card .v { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .v.small { font-size: 16px; padding-top: 6px; }
.summary { background: #f3f8fe; border-left: 4px solid var(--accent); padding: 10px 16px 10px 30px; margin: 12px 0; }
.summary li { margin: 4px 0; }
.note { color: var(--muted); font-size: 13px; }
.warn { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 8px 12px; font-size: 13.5px; margin: 8px 0; }
.err { background: #ffebe9; border: 1px solid var(--ineligible); border-radius: 6px; padding: 8px 12px; font-size: 13.5px; margin: 8px 0; }
figure { margin: 10px 0 16px; }
figcaption { font-size: 12.5px; color: var(--muted); margin-top: 4px; }
svg { max-width: 100%; height: auto; font-family: system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif; }
svg .lbl { font-size: 12px; fill: var(--ink); }
svg .num { font-size: 11.5px; fill: var(--muted); font-variant-numeric: tabular-nums; }
svg .axis { font-size: 10.5px; fill: var(--muted); }
svg .grid { stroke: #e6e9ed; stroke-width: 1; }
svg .band { stroke: #8c959f; stroke-width: 1; stroke-dasharray: 4 3; }
svg .track { fill: #eef1f4; }
svg .pot { fill: var(--pot); }
svg .fit { fill: var(--fit); }
svg .f-strong { fill: var(--strong); } svg .f-moderate { fill: var(--moderate); } svg .f-weak { fill: var(--weak); }
svg .f-conditional { fill: var(--conditional); } svg .f-ineligible { fill: var(--ineligible); }
svg .p-strong { fill: #aee3bb; } svg .p-moderate { fill: #b6d7fb; } svg .p-weak { fill: #f1dca0; }
svg .p-conditional { fill: #dccdf6; } svg .p-ineligible { fill: #f7c1bd; }
.legend { font-size: 12.5px; color: var(--muted); }
.unv { font-size: 11.5px; color: #8a4b00; white-space: nowrap; }
.legend .sw { display: inline-block; width: 12px; height: 12px; vertical-align: -2px; margin: 0 4px 0 12px; border-radius: 2px; }
article.provider { border-top: 2px solid var(--line); margin-top: 30px; }
article.provider h3 .rank { color: var(--muted); font-weight: 500; }
tr.mh td:first-child { border-left: 3px solid var(--conditional); }
.why { font-size: 12.5px; color: var(--muted); }
.why b { color: var(--ink); font-weight: 600; }
.now { font-size: 12.5px; margin-top: 3px; }
details { margin: 6px 0; }
details > summary { cursor: pointer; }
details.section > summary { font-weight: 600; font-size: 15px; }
.tree { font-size: 13px; margin: 6px 0 0; }
.tree .kids { margin-left: 18px; border-left: 1px dotted var(--line); padding-left: 10px; }
.tree .row { display: inline; }
.tree .leaf { margin: 3px 0 3px 16px; }
.tree .iv { font-variant-numeric: tabular-nums; color: var(--ink); font-weight: 600; }
.tree .w { color: var(--muted); }
.tree ul.facts { margin: 2px 0 4px; padding-left: 18px; color: var(--muted); }
.st { display: inline-block; min-width: 58px; text-align: center; font-size: 11px; border-radius: 3px; padding: 0 4px; margin-right: 4px; background: var(--soft); color: var(--muted); border: 1px solid var(--line); }
.st-pass { color: var(--strong); border-color: var(--strong); } .st-fail, .st-error { color: var(--ineligible); border-color: var(--ineligible); }
.st-partial { color: var(--weak); border-color: var(--weak); } .st-unknown { color: var(--conditional); border-color: var(--conditional); }
ul.sources { font-size: 13px; padding-left: 18px; }
ul.sources a { overflow-wrap: anywhere; }
td.hash code { font-size: 11px; overflow-wrap: anywhere; }
td.ids code { font-size: 11px; }
footer { color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); margin-top: 36px; padding-top: 10px; padding-bottom: 30px; }
code.id { font-size: 10.5px; color: var(--muted); background: none; padding: 0; white-space: nowrap; }
.fwcell svg { display: block; }
.fwcell .num { font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
.supports { background: #f3f8fe; border-left: 4px solid var(--accent); padding: 8px 16px; margin: 10px 0; }
.supports p { margin: 6px 0; }
table.record th { width: 30%; }
table.record td.fill { height: 34px; }
.signatures { display: flex; gap: 18px; margin: 26px 0 8px; }
.signatures div { flex: 1; border-top: 1px solid var(--ink); padding-top: 4px; font-size: 12px; color: var(--muted); min-height: 54px; }
.record-note { font-size: 12px; color: var(--muted); }
.print-only { display: none; }
@page { size: A4; margin: 12mm 11mm 14mm; }
@media print {
  body { font-size: 9.5pt; line-height: 1.4; }
  main, header.doc, footer { max-width: none; padding: 0; }
  header.doc { padding-top: 0; }
  h1 { font-size: 19pt; }
  h2 { font-size: 14pt; margin: 18px 0 8px; }
  h3 { font-size: 12pt; margin: 16px 0 6px; }
  h4 { font-size: 10.5pt; margin: 12px 0 4px; }
  table { font-size: 8.5pt; margin: 4px 0 8px; }
  th, td { padding: 3px 5px; }
  code { font-size: 8pt; }
  code.id { font-size: 7pt; }
  .cards { gap: 6px; margin: 6px 0; }
  .card { flex: 1 1 90px; padding: 4px 8px; }
  .card .v { font-size: 16pt; }
  .card .v.small { font-size: 11pt; padding-top: 2px; }
  .summary { padding: 4px 12px 4px 24px; margin: 6px 0; }
  .summary li { margin: 2px 0; }
  nav.toc { display: none; }
  /* The parts follow one another without forced page breaks: each heading is kept with what
     it introduces, tables that fit on a page are kept whole, and the decision record is
     kept whole (.keep) so its fields and signatures are signed on one sheet. Forcing it
     onto a page of its own left two pages half empty. */
  article.provider { border-top: 1px solid var(--line); margin-top: 14px; }
  details.print-open::details-content { content-visibility: visible; display: block; }
  details.print-open > summary { list-style: none; break-after: avoid; }
  h2, h3, h4, .keep-next { break-after: avoid; }
  .keep-next { break-inside: avoid; }
  table.questions { table-layout: fixed; }
  table.questions th:nth-child(1) { width: 4%; } table.questions th:nth-child(2) { width: 7%; }
  table.questions th:nth-child(3) { width: 36%; } table.questions th:nth-child(5) { width: 7%; }
  table.questions td.why code.id { display: none; }
  tr, figure, .card, .summary, .leaf, .keep, .supports, table.whole, table.record, .signatures { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  ul.sources { font-size: 7pt; columns: 2; column-gap: 18px; margin: 2px 0; }
  ul.sources li { break-inside: avoid; }
  .moves, .moves + .sep, .sep:has(+ .moves), .topic, tr.later, details.more { display: none; }
  .print-only { display: block; }
  .screen-only { display: none; }
  ul.sources a::after { content: " <" attr(href) ">"; font-size: 7pt; color: #57606a; }
  td.hash code { font-size: 6.5pt; overflow-wrap: normal; white-space: nowrap; }
  /* Reference tables, read by looking a row up: smaller type, and an id on one line (a
     profile id broken at its hyphens made every row three lines high). */
  table.params { font-size: 7.5pt; } table.params code { font-size: 7pt; }
  table.params td:nth-child(4) code { white-space: nowrap; font-size: 6.5pt; }
  /* A file and its "(built in)" on one line: wrapped, they doubled the table's height. */
  td.file { white-space: nowrap; } td.file .note { font-size: 7pt; }
  footer { margin-top: 14px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// Text for a CSS string (`content: "…"`): quotes and backslashes escaped, and `<` `>` as
/// code points, so no input can close the style element.
fn css_string(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '<' => o.push_str("\\3c "),
            '>' => o.push_str("\\3e "),
            c if c.is_control() => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// The document's head; `page_note` is printed at the foot of every page, with the page
/// number, so that each sheet of a printed report says what it belongs to.
fn head(o: &mut String, title: &str, version: &str, page_note: &str) {
    let _ = writeln!(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    let _ = writeln!(
        o,
        "<meta name=\"generator\" content=\"labfit {}\">",
        h(version)
    );
    let _ = writeln!(
        o,
        "<title>{}</title>\n<style>{CSS}@page {{ @bottom-left {{ content: \"{}\"; font: 7.5pt system-ui, sans-serif; color: #57606a; }} @bottom-right {{ content: \"page \" counter(page) \" of \" counter(pages); font: 7.5pt system-ui, sans-serif; color: #57606a; }} }}\n</style>\n</head>\n<body>",
        h(title),
        css_string(page_note)
    );
}

fn foot(o: &mut String, version: &str, as_of: &str) {
    let _ = writeln!(
        o,
        "<footer>Generated by labfit {} as of {}. The same inputs (hashes above) give the same report. Not legal advice: the built-in content paraphrases regulations and public provider documents; requirements marked unverified should be checked against the source text.</footer>\n</body>\n</html>",
        h(version),
        h(as_of)
    );
}

/// A horizontal fit/potential bar chart, one row per (label, fit, potential, verdict).
fn fit_chart(
    rows: &[(String, f64, f64, Verdict)],
    strong: f64,
    moderate: f64,
    caption: &str,
) -> String {
    let (left, bar, right, row_h, top) = (200.0, 440.0, 120.0, 26.0, 24.0);
    let width = left + bar + right;
    let height = top + row_h * rows.len() as f64 + 26.0;
    let x = |v: f64| left + bar * v.clamp(0.0, 100.0) / 100.0;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<figure><svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" role=\"img\" aria-labelledby=\"fc-t\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"fc-t\">{}</title>",
        h(caption)
    );
    for t in [0.0, 20.0, 40.0, 60.0, 80.0, 100.0] {
        let _ = writeln!(
            o,
            "<line class=\"grid\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/><text class=\"axis\" x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>",
            x(t),
            top - 4.0,
            height - 22.0,
            top - 8.0,
            t
        );
    }
    for (name, v) in [("moderate", moderate), ("strong", strong)] {
        let _ = writeln!(
            o,
            "<line class=\"band\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/><text class=\"axis\" x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{name} ≥ {v}</text>",
            x(v),
            top - 4.0,
            height - 20.0,
            height - 6.0
        );
    }
    for (i, (label, fit, pot, v)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let _ = writeln!(
            o,
            "<g><title>{}: fit {}, potential {}, {}</title><text class=\"lbl\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect class=\"track\" x=\"{left}\" y=\"{}\" width=\"{bar}\" height=\"14\"/><rect class=\"p-{}\" x=\"{left}\" y=\"{}\" width=\"{:.2}\" height=\"14\"/><rect class=\"f-{}\" x=\"{left}\" y=\"{}\" width=\"{:.2}\" height=\"14\"/><text class=\"num\" x=\"{}\" y=\"{}\">{} – {}</text></g>",
            h(label),
            num1(*fit),
            num1(*pot),
            v.as_str(),
            left - 10.0,
            y + 15.0,
            h(&clip(label, 28)),
            y + 4.0,
            v.as_str(),
            y + 4.0,
            x(*pot) - left,
            v.as_str(),
            y + 4.0,
            x(*fit) - left,
            left + bar + 10.0,
            y + 15.0,
            num1(*fit),
            num1(*pot)
        );
    }
    let _ = writeln!(o, "</svg><figcaption>{}</figcaption></figure>", h(caption));
    o
}

/// A small interval bar for a table cell: fit solid, potential light, on 0–1.
fn cell_bar(lo: f64, hi: f64) -> String {
    let w = 90.0;
    format!(
        "<svg viewBox=\"0 0 {w} 8\" width=\"{w}\" height=\"8\" aria-hidden=\"true\" xmlns=\"http://www.w3.org/2000/svg\"><rect class=\"track\" x=\"0\" y=\"0\" width=\"{w}\" height=\"8\"/><rect class=\"pot\" x=\"0\" y=\"0\" width=\"{:.2}\" height=\"8\"/><rect class=\"fit\" x=\"0\" y=\"0\" width=\"{:.2}\" height=\"8\"/></svg>",
        w * hi.clamp(0.0, 1.0),
        w * lo.clamp(0.0, 1.0)
    )
}

/// A title shortened at a word boundary to `max` characters (the whole title on hover),
/// with the id small after it.
fn titled(title: &str, id: &str, max: usize) -> String {
    let short = shorten(title, max);
    let shown = if short == title {
        h(title)
    } else {
        format!("<span title=\"{}\">{}</span>", h(title), h(&short))
    };
    format!("{shown} <code class=\"id\">{}</code>", h(id))
}

/// Providers × frameworks, as a table: each framework by its title (id small, share of the
/// fit), each cell an interval bar with its numbers.
fn framework_table(o: &mut String, m: &FrameworkMatrix<'_>, first: Option<&Report>) {
    let _ = write!(o, "<table class=\"whole\"><thead><tr><th>provider</th>");
    for (id, share) in &m.columns {
        let title = first.map_or(*id, |r| r.title_of(id));
        let _ = write!(
            o,
            "<th>{}<br><span class=\"note\">{} of the fit</span></th>",
            titled(title, id, 34),
            pct_spaced(*share, 0)
        );
    }
    let _ = writeln!(o, "</tr></thead><tbody>");
    for r in &m.rows {
        let _ = write!(
            o,
            "<tr><td><a href=\"#{}\">{}</a></td>",
            anchor(r.id),
            h(r.name)
        );
        for cell in &r.cells {
            match cell {
                Some((lo, hi)) => {
                    let _ = write!(
                        o,
                        "<td class=\"fwcell\">{}<span class=\"num\">{} – {}</span></td>",
                        cell_bar(*lo, *hi),
                        of100(*lo),
                        of100(*hi)
                    );
                }
                None => o.push_str("<td class=\"note\">not applicable</td>"),
            }
        }
        let _ = writeln!(o, "</tr>");
    }
    let _ = writeln!(
        o,
        "</tbody></table><p class=\"legend\">Each cell: the framework's fit (dark) and potential (light), 0–100.</p>"
    );
}

/// One provider's frameworks as interval bars.
fn framework_chart(r: &Report) -> String {
    let fws: Vec<_> = r.profile.frameworks.iter().collect();
    if fws.is_empty() {
        return String::new();
    }
    let (left, bar, right, row_h, top) = (200.0, 440.0, 120.0, 24.0, 22.0);
    let width = left + bar + right;
    let height = top + row_h * fws.len() as f64 + 6.0;
    let x = |v: f64| bar * v.clamp(0.0, 1.0);
    let id = format!("fw-{}", h(&r.provider.id));
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<figure><svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" role=\"img\" aria-labelledby=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}\">{}: fit and potential per framework</title>",
        h(&r.provider.name)
    );
    for t in [0.0, 0.2, 0.4, 0.6, 0.8, 1.0] {
        let _ = writeln!(
            o,
            "<line class=\"grid\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/><text class=\"axis\" x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>",
            left + x(t),
            top - 4.0,
            height - 4.0,
            top - 8.0,
            100.0 * t
        );
    }
    for (i, f) in fws.iter().enumerate() {
        let y = top + row_h * i as f64;
        // The framework by its title, cut at a word to fit the label column (whole on hover).
        let short = shorten(r.title_of(&f.id), 22);
        let label = format!("{short} ({})", pct_spaced(f.share, 0));
        if f.share > 0.0 {
            let _ = writeln!(
                o,
                "<g><title>{} ({}): fit {}, potential {}</title><text class=\"lbl\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect class=\"track\" x=\"{left}\" y=\"{}\" width=\"{bar}\" height=\"12\"/><rect class=\"pot\" x=\"{left}\" y=\"{}\" width=\"{:.2}\" height=\"12\"/><rect class=\"fit\" x=\"{left}\" y=\"{}\" width=\"{:.2}\" height=\"12\"/><text class=\"num\" x=\"{}\" y=\"{}\">{} – {}</text></g>",
                h(r.title_of(&f.id)),
                h(&f.id),
                of100(f.lo),
                of100(f.hi),
                left - 10.0,
                y + 14.0,
                h(&label),
                y + 4.0,
                y + 4.0,
                x(f.hi),
                y + 4.0,
                x(f.lo),
                left + bar + 10.0,
                y + 14.0,
                of100(f.lo),
                of100(f.hi)
            );
        } else {
            let _ = writeln!(
                o,
                "<text class=\"lbl\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><text class=\"axis\" x=\"{left}\" y=\"{}\">not applicable</text>",
                left - 10.0,
                y + 14.0,
                h(&short),
                y + 14.0
            );
        }
    }
    let _ = writeln!(
        o,
        "</svg><figcaption>Fit (dark) and potential (light) per framework; the percentage is the framework's share of the overall fit.</figcaption></figure>"
    );
    o
}

fn legend() -> &'static str {
    "<p class=\"legend\">Verdicts: <span class=\"badge v-strong\">strong</span> <span class=\"badge v-moderate\">moderate</span> <span class=\"badge v-weak\">weak</span> every must-have met, by fit band · <span class=\"badge v-conditional\">conditional</span> must-haves still open · <span class=\"badge v-ineligible\">ineligible</span> a must-have failed. Bars: dark = fit (what the evidence shows), light = potential (if every open question is answered favourably).</p>"
}

/// The mark of an unverified citation, with its meaning on hover.
const UNVERIFIED_SPAN: &str = " <span class=\"unv\" title=\"the requirement's citation could not be checked against the regulation's own text\">‡ unverified</span>";

/// A provider's must-haves: state, title (id small), what the evidence shows, and with
/// `basis` why the lab requires each (a comparison says that once, under Must-haves).
fn gates_table(o: &mut String, r: &Report, basis: bool) {
    if r.gates.is_empty() {
        return;
    }
    let why = if basis {
        "<th>why the lab requires it</th>"
    } else {
        ""
    };
    let _ = writeln!(o, "<h4>Must-haves</h4>\n<table class=\"whole\"><thead><tr><th>state</th><th>must-have</th>{why}<th>what the evidence shows</th></tr></thead><tbody>");
    for g in &r.gates {
        let why = if basis {
            format!(
                "<td>{}</td>",
                g.basis.as_deref().map_or_else(|| "–".to_owned(), prose)
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{} <code class=\"id\">{}</code>{}</td>{why}<td>{}</td></tr>",
            gate_badge(g.state),
            h(&g.title),
            h(&g.id),
            if r.unverified(&g.id) {
                UNVERIFIED_SPAN
            } else {
                ""
            },
            prose(&g.reason)
        );
    }
    let _ = writeln!(o, "</tbody></table>");
    if r.gates.iter().any(|g| r.unverified(&g.id)) {
        let _ = writeln!(o, "<p class=\"legend\">{}</p>", h(UNVERIFIED_LEGEND));
    }
}

fn question_row(o: &mut String, r: &Report, n: usize, q: &Question) {
    let mut why = Vec::new();
    if !q.gates.is_empty() {
        why.push(format!(
            "<span><b>Must-have:</b> {}</span>",
            q.gates
                .iter()
                .map(|g| {
                    let title = r.gate(g).map_or(&**g, |x| x.title.as_str());
                    format!("{} <code class=\"id\">{}</code>", h(title), h(g))
                })
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    let reqs: Vec<String> = q
        .impact
        .requirements
        .iter()
        .map(|m| {
            let cite = r
                .node(&m.id)
                .and_then(|n| n.citation.as_deref())
                .map(|c| format!(" title=\"{}\"", h(c)))
                .unwrap_or_default();
            format!(
                "{} <code class=\"id\"{cite}>{}</code> {:.0} → {:.0}",
                h(r.title_of(&m.id)),
                h(&m.id),
                m.from,
                m.to
            )
        })
        .collect();
    if !reqs.is_empty() {
        why.push(format!("<span><b>Settles:</b> {}</span>", reqs.join("; ")));
    }
    let fws: Vec<String> = q
        .impact
        .frameworks
        .iter()
        .map(|m| {
            format!(
                "{} {} → {} (+{})",
                titled(r.title_of(&m.id), &m.id, 30),
                num1(m.from),
                num1(m.to),
                num1(m.swing)
            )
        })
        .collect();
    if !fws.is_empty() {
        // The frameworks each answer moves: on screen; on paper the requirement it settles says
        // enough, and the list would double the table's length.
        why.push(format!(
            "<span class=\"moves\"><b>Moves:</b> {}</span>",
            fws.join(", ")
        ));
    }
    let now = current_answer(r, q)
        .map(|a| format!("<div class=\"now\"><b>Now:</b> {}</div>", h(&a)))
        .unwrap_or_default();
    let topic = guide_topic(&q.question)
        .map(|t| format!("<div class=\"why topic\">{}</div>", h(t)))
        .unwrap_or_default();
    let class = match (q.gate, n > PRINTED_QUESTIONS) {
        (true, true) => " class=\"mh later\"",
        (true, false) => " class=\"mh\"",
        (false, true) => " class=\"later\"",
        (false, false) => "",
    };
    let _ = writeln!(
        o,
        "<tr{class}><td class=\"n\">{n}</td><td><code>{}</code></td><td>{}{topic}{now}</td><td class=\"why\">{}</td><td class=\"n\">+{}</td></tr>",
        h(&q.question),
        h(&q.ask),
        why.join("<span class=\"sep\"> · </span>"),
        num1(q.swing)
    );
}

/// How many of a provider's questions a printed report shows: the most important, which
/// come first; the questionnaire (`labfit questions`) has them all.
const PRINTED_QUESTIONS: usize = 6;

fn questions_table(o: &mut String, r: &Report, shown: usize) {
    if r.questions.is_empty() {
        let _ = writeln!(
            o,
            "<h4>Questions</h4><p>Nothing to ask: every fact the checks read is known, current and assured enough.</p>"
        );
        return;
    }
    let gated = r.questions.iter().filter(|q| q.gate).count();
    let shown = shown.max(gated).min(r.questions.len());
    let _ = writeln!(
        o,
        "<h4>Questions to send ({} in all, {gated} on must-haves)</h4>",
        r.questions.len()
    );
    let table_head = "<table class=\"questions\"><thead><tr><th class=\"n\">#</th><th>guide</th><th class=\"q\">question</th><th>why it matters</th><th class=\"n\">points</th></tr></thead><tbody>";
    let _ = writeln!(o, "{table_head}");
    for (n, q) in r.questions.iter().take(shown).enumerate() {
        question_row(o, r, n + 1, q);
    }
    let _ = writeln!(o, "</tbody></table>");
    if r.questions.len() > PRINTED_QUESTIONS {
        let _ = writeln!(
            o,
            "<p class=\"print-only note\">Printed: the first {PRINTED_QUESTIONS} of the {} questions; <code>labfit questions -p {} -e {}</code> lists them all.</p>",
            r.questions.len(),
            h(&r.profile.id),
            h(&r.provider.id)
        );
    }
    if r.questions.len() > shown {
        let _ = writeln!(
            o,
            "<details class=\"more\"><summary>{} more question(s)</summary>{table_head}",
            r.questions.len() - shown
        );
        for (n, q) in r.questions.iter().enumerate().skip(shown) {
            question_row(o, r, n + 1, q);
        }
        let _ = writeln!(o, "</tbody></table></details>");
    }
    let _ = writeln!(
        o,
        "<p class=\"note screen-only\">Must-have questions (marked at the left) come first, then by the fit points a favourable answer adds. <code>labfit questions -p {} -e {} --format markdown</code> writes them as a letter.</p>",
        h(&r.profile.id),
        h(&r.provider.id)
    );
}

fn status_tag(status: &str) -> String {
    format!("<span class=\"st st-{0}\">{0}</span>", h(status))
}

fn node_row(n: &ExplainNode) -> String {
    let iv = if matches!(
        n.status,
        ExplainStatus::Node(NodeStatus::NotApplicable | NodeStatus::Waived)
    ) {
        String::new()
    } else {
        format!(" <span class=\"iv\">{}–{}</span>", of100(n.lo), of100(n.hi))
    };
    let edge = n
        .edge_weight
        .map(|w| format!(" · edge weight {w}"))
        .unwrap_or_default();
    let mark = if n.verification == Some(Verification::Unverified) {
        UNVERIFIED_SPAN
    } else {
        ""
    };
    format!(
        "<span class=\"row\">{} <code>{}</code>{mark} {}{iv} <span class=\"w\">· weight {} · {:.2} fit points{edge}</span></span>",
        status_tag(n.status.as_str()),
        h(&n.id),
        h(&n.title),
        pct_spaced(n.weight, 2),
        n.contribution
    )
}

/// Renders one node of the explain tree (the model of `labfit explain`, see `crate::report::explain`).
fn tree_node(o: &mut String, r: &Report, n: &ExplainNode, depth: usize) {
    let pid = h(&r.provider.id);
    if n.status == ExplainStatus::NotScored {
        let _ = writeln!(
            o,
            "<div class=\"leaf\"><code>{}</code> <span class=\"w\">(not reached)</span></div>",
            h(&n.id)
        );
        return;
    }
    let anchor = format!("t-{pid}-{}", h(&n.id));
    if n.repeated {
        let _ = writeln!(
            o,
            "<div class=\"leaf\">{} <a href=\"#{anchor}\">shared: shown above</a></div>",
            node_row(n)
        );
        return;
    }
    if n.kind == NodeKindName::Composite && depth < 32 {
        let _ = writeln!(
            o,
            "<details id=\"{anchor}\"><summary>{}{}</summary><div class=\"kids\">",
            node_row(n),
            n.aggregate
                .filter(|a| *a != "weighted")
                .map(|a| format!(" <span class=\"w\">({a})</span>"))
                .unwrap_or_default()
        );
        if !n.note.is_empty() {
            let _ = writeln!(o, "<div class=\"note\">{}</div>", prose(&n.note));
        }
        for c in &n.children {
            tree_node(o, r, c, depth + 1);
        }
        let _ = writeln!(o, "</div></details>");
        return;
    }
    let _ = writeln!(o, "<div class=\"leaf\" id=\"{anchor}\">{}", node_row(n));
    if !n.note.is_empty() {
        let _ = writeln!(o, "<div class=\"note\">{}</div>", prose(&n.note));
    }
    if !n.facts.is_empty() {
        let _ = writeln!(o, "<ul class=\"facts\">");
        for f in &n.facts {
            let value = match (&f.value, f.known) {
                (Some(v), true) => format!(" = {}", h(&v.to_string())),
                (Some(v), false) => format!(" = {} (not counted)", h(&v.to_string())),
                (None, _) => " unknown".to_owned(),
            };
            let source = f
                .source
                .as_ref()
                .map(|s| {
                    let title = f.source_title.as_deref().unwrap_or(s);
                    let url = r
                        .provider
                        .sources
                        .get(s)
                        .and_then(|x| x.url.as_deref())
                        .and_then(safe_url);
                    match url {
                        Some(u) => format!(" · <a href=\"{u}\">{}</a>", h(title)),
                        None => format!(" · {}", h(title)),
                    }
                })
                .unwrap_or_default();
            let stale = if f.stale { ", out of date" } else { "" };
            let status = if f.value.is_none() && !f.stale {
                String::new()
            } else {
                format!(" <span class=\"w\">({}{stale})</span>", f.status)
            };
            let _ = writeln!(
                o,
                "<li><code>{}</code>{value}{status}{source}</li>",
                h(&f.key)
            );
        }
        let _ = writeln!(o, "</ul>");
    }
    let _ = writeln!(o, "</div>");
}

fn explain_tree(o: &mut String, r: &Report) {
    let _ = writeln!(
        o,
        "<details class=\"section screen-only\"><summary>How the score is built: the requirement tree ({} requirements)</summary>",
        r.nodes.len()
    );
    let _ = writeln!(
        o,
        "<p class=\"note\">Each line: outcome, requirement, interval (0–100), global weight (its share of the fit) and contribution (fit points). Open a line to see its children; checks list the facts they read and their sources. A control shared by several frameworks is shown once, then linked.</p><div class=\"tree\">"
    );
    // The whole tree always exists: only a missing requirement id can fail, and none is given.
    if let Ok(tree) = crate::report::explain::explain(r, None) {
        for f in &tree.root.children {
            tree_node(o, r, f, 0);
        }
    }
    let _ = writeln!(o, "</div></details>");
}

fn sources(o: &mut String, r: &Report) {
    if r.provider.sources.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<details class=\"section print-open\"><summary>Sources ({})</summary><ul class=\"sources\">",
        r.provider.sources.len()
    );
    for (id, s) in r.provider.sources.iter() {
        let title = h(s.title.as_deref().unwrap_or(id));
        let date = s.date.map(|d| format!(", {d}")).unwrap_or_default();
        let body = match s.url.as_deref().and_then(safe_url) {
            Some(u) => format!("<a href=\"{u}\">{title}</a>"),
            None => title,
        };
        let _ = writeln!(o, "<li><code>{}</code> {body}{date}</li>", h(id));
    }
    let _ = writeln!(o, "</ul></details>");
}

fn notices(o: &mut String, r: &Report) {
    if !r.assumptions.is_empty() {
        let list: Vec<String> = r
            .assumptions
            .iter()
            .map(|a| format!("<code>{}</code> = {}", h(&a.fact), h(&a.value.to_string())))
            .collect();
        let _ = writeln!(
            o,
            "<div class=\"warn\"><b>What-if:</b> {}</div>",
            what_if(&list.join(", "))
        );
    }
    for e in &r.errors {
        let _ = writeln!(
            o,
            "<div class=\"err\"><b>Rule error</b> in <code>{}</code> at <code>{}</code>: {} (counted as unknown)</div>",
            h(&e.requirement),
            h(&e.location.to_string()),
            h(&e.message)
        );
    }
    for w in &r.warnings {
        let _ = writeln!(o, "<div class=\"warn\">{}</div>", prose(&w.message));
    }
    if !r.waivers.is_empty() {
        let _ = writeln!(o, "<h4>Waivers</h4><table><thead><tr><th>requirement</th><th>state</th><th>expires</th><th>approved by</th><th>reason</th></tr></thead><tbody>");
        for w in &r.waivers {
            let _ = writeln!(
                o,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                h(&w.id),
                h(w.state.as_str()),
                w.expires,
                h(&w.approved_by),
                h(&w.reason)
            );
        }
        let _ = writeln!(o, "</tbody></table>");
    }
}

/// One provider's section; `rank` is its place in a comparison (whose Must-haves section
/// already says why the lab requires each, so the table here leaves that out).
fn provider_article(o: &mut String, r: &Report, rank: Option<usize>, shown: usize) {
    let _ = writeln!(
        o,
        "<article class=\"provider\" id=\"{}\"><div class=\"keep\">",
        anchor(&r.provider.id)
    );
    let in_comparison = rank.is_some();
    let rank = rank
        .map(|n| format!("<span class=\"rank\">{n}.</span> "))
        .unwrap_or_default();
    let _ = writeln!(
        o,
        "<h3>{rank}{} {}</h3>",
        h(&r.provider.name),
        badge(r.verdict)
    );
    let (met, open, failed) = gate_counts(r);
    let _ = writeln!(
        o,
        "<p>Fit <b>{}</b> · potential <b>{}</b> · must-haves {met} met, {open} open, {failed} failed · evidence <code>{}</code> as of {}. <span class=\"note\">{}: {}.</span></p>",
        num1(r.fit),
        num1(r.potential),
        h(&r.provider.id),
        r.provider.as_of,
        r.verdict,
        verdict_meaning(r.verdict)
    );
    o.push_str(&framework_chart(r));
    let _ = writeln!(o, "</div>");
    notices(o, r);
    gates_table(o, r, !in_comparison);
    questions_table(o, r, shown);
    explain_tree(o, r);
    sources(o, r);
    let _ = writeln!(o, "</article>");
}

fn gate_counts(r: &Report) -> (usize, usize, usize) {
    let c = |s: GateState| r.gates.iter().filter(|g| g.state == s).count();
    (c(GateState::Met), c(GateState::Open), c(GateState::Failed))
}

fn method(o: &mut String, r: &Report) {
    let _ = writeln!(
        o,
        "<section id=\"method\"><h2>How the score is computed</h2>"
    );
    for p in METHOD {
        let _ = writeln!(o, "<p>{}</p>", prose(p));
    }
    let b = r.profile.bands;
    let _ = writeln!(
        o,
        "<p>Bands of this profile: strong at a fit of {} or more, moderate at {} or more, weak below.</p>",
        b.strong, b.moderate
    );
    let _ = writeln!(o, "<h4>The profile's frameworks</h4><table><thead><tr><th>framework</th><th class=\"n\">weight</th><th class=\"n\">share of the fit</th></tr></thead><tbody>");
    for f in &r.profile.frameworks {
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code> {}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            h(&f.id),
            h(r.title_of(&f.id)),
            f.weight,
            pct_spaced(f.share, 1)
        );
    }
    let _ = writeln!(o, "</tbody></table>");
    if !r.profile.params.is_empty() {
        let _ = writeln!(o, "<details class=\"section print-open\"><summary>The profile's parameters ({})</summary><table class=\"params\"><thead><tr><th>parameter</th><th>value</th><th>from</th><th>set by</th><th>basis</th></tr></thead><tbody>", r.profile.params.len());
        for (k, p) in r.profile.params.iter() {
            let _ = writeln!(
                o,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                h(k),
                h(&p.value.to_string()),
                p.origin.as_str(),
                h(&p.set_by),
                h(p.source.as_deref().unwrap_or("–"))
            );
        }
        let _ = writeln!(o, "</tbody></table></details>");
    }
    let _ = writeln!(o, "</section>");
}

fn inputs(o: &mut String, list: &[&InputHash]) {
    let _ = writeln!(
        o,
        "<section id=\"inputs\"><h2>Inputs</h2><p class=\"note\">The SHA-256 of every file read. The same inputs and date give the same report, byte for byte.</p><details class=\"section print-open\"><summary>{} files</summary><table><thead><tr><th>kind</th><th>file</th><th>SHA-256</th></tr></thead><tbody>",
        list.len()
    );
    for i in list {
        let _ =
            writeln!(
            o,
            "<tr><td>{}</td><td class=\"file\"><code>{}</code>{}</td><td class=\"hash\"><code>{}</code></td></tr>",
            h(i.kind),
            h(&i.name),
            if i.builtin { " <span class=\"note\">(built in)</span>" } else { "" },
            h(&i.sha256)
        );
    }
    let _ = writeln!(o, "</tbody></table></details></section>");
}

/// Renders one score as a report page.
pub fn report(r: &Report) -> String {
    let mut o = String::new();
    let title = format!("{} × {}", r.provider.name, r.profile.title);
    head(
        &mut o,
        &title,
        &r.engine.version,
        &format!(
            "{} × {} · scored as of {} · labfit {}",
            r.provider.id, r.profile.id, r.as_of, r.engine.version
        ),
    );
    let _ = writeln!(
        o,
        "<header class=\"doc\"><p class=\"kicker\">Cloud provider assessment</p><h1>{}</h1><p class=\"meta\">{} · profile <code>{}</code> · scored as of {} · labfit {}</p>",
        h(&r.provider.name),
        h(&r.profile.title),
        h(&r.profile.id),
        r.as_of,
        h(&r.engine.version)
    );
    let _ = writeln!(o, "<nav class=\"toc\"><a href=\"#summary\">Summary</a><a href=\"#{}\">Details</a><a href=\"#method\">Method</a><a href=\"#inputs\">Inputs</a></nav></header>\n<main>", anchor(&r.provider.id));
    let (met, open, failed) = gate_counts(r);
    let _ = writeln!(
        o,
        "<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">"
    );
    let _ = writeln!(
        o,
        "<div class=\"card\"><div class=\"k\">Verdict</div><div class=\"v small\">{}</div></div><div class=\"card\"><div class=\"k\">Fit</div><div class=\"v\">{}</div></div><div class=\"card\"><div class=\"k\">Potential</div><div class=\"v\">{}</div></div><div class=\"card\"><div class=\"k\">Must-haves met / open / failed</div><div class=\"v\">{met} / {open} / {failed}</div></div><div class=\"card\"><div class=\"k\">Questions</div><div class=\"v\">{}</div></div>",
        badge(r.verdict),
        num1(r.fit),
        num1(r.potential),
        r.questions.len()
    );
    let _ = writeln!(o, "</div>");
    let _ = writeln!(
        o,
        "<ul class=\"summary\"><li>{}: {}.</li><li>Fit {} is what the evidence shows today; {} is the most a favourable answer to every open question could reach.</li></ul>",
        h(&r.provider.name),
        verdict_meaning(r.verdict),
        num1(r.fit),
        num1(r.potential)
    );
    o.push_str(&fit_chart(
        &[(r.provider.name.clone(), r.fit, r.potential, r.verdict)],
        r.profile.bands.strong,
        r.profile.bands.moderate,
        "Fit and potential (0–100), with the profile's bands",
    ));
    o.push_str(legend());
    let _ = writeln!(o, "</section>");
    provider_article(&mut o, r, None, usize::MAX);
    method(&mut o, r);
    inputs(&mut o, &r.inputs.iter().collect::<Vec<_>>());
    let _ = writeln!(o, "</main>");
    foot(&mut o, &r.engine.version, &r.as_of.to_string());
    o
}

/// Renders a comparison as a report a committee can read and print: the summary and the
/// ranking on the first page, then what the evidence supports and a decision record to sign,
/// the frameworks and must-haves side by side, each provider, the method and the inputs.
pub fn comparison(c: &Comparison) -> String {
    let v = ComparisonView::new(c);
    let version = v.engine.1;
    let first = c.reports.first();
    let mut o = String::new();
    head(
        &mut o,
        &format!("Cloud provider comparison: {}", c.title),
        version,
        &format!(
            "{} · scored as of {} · labfit {version}",
            c.profile, c.as_of
        ),
    );
    let _ = writeln!(
        o,
        "<header class=\"doc\"><p class=\"kicker\">Cloud provider comparison</p><h1>{}</h1><p class=\"meta\">Profile <code>{}</code> · scored as of {} · {} providers · labfit {}</p>",
        h(&c.title),
        h(&c.profile),
        c.as_of,
        v.counts.providers,
        h(version)
    );
    let _ = writeln!(o, "<nav class=\"toc\"><a href=\"#summary\">Summary</a><a href=\"#ranking\">Ranking</a><a href=\"#recommendation\">Recommendation</a><a href=\"#decision\">Decision record</a><a href=\"#frameworks\">Frameworks</a><a href=\"#gates\">Must-haves</a>{}<a href=\"#providers\">Providers</a><a href=\"#method\">Method</a><a href=\"#inputs\">Inputs</a></nav></header>\n<main>", if v.robustness.is_some() { "<a href=\"#robustness\">Robustness</a>" } else { "" });
    comparison_summary_section(&mut o, &v);
    ranking(&mut o, &v);
    recommendation_section(&mut o, &v);
    decision_record(&mut o, c, &v);
    let _ = writeln!(o, "<section id=\"frameworks\"><h2>By framework</h2>");
    if let Some(m) = &v.frameworks {
        framework_table(&mut o, m, first);
    }
    let _ = writeln!(o, "</section>");
    if let Some(m) = &v.gates {
        gate_matrix(&mut o, m);
    }
    if let Some(r) = &v.robustness {
        robustness(&mut o, r);
    }
    let _ = writeln!(o, "<section id=\"providers\"><h2 class=\"keep-next\">Providers</h2><p>For each provider: its frameworks, must-haves, the questions to send (the most important first; the rest under “more”), how its score is built, and its sources.</p>");
    for r in &v.rows {
        if let Some(rep) = r.report {
            provider_article(&mut o, rep, Some(r.rank), 8);
        }
    }
    let _ = writeln!(o, "</section>");
    if let Some(first) = first {
        method(&mut o, first);
    }
    inputs(&mut o, &v.inputs);
    let _ = writeln!(o, "</main>");
    foot(&mut o, version, &c.as_of.to_string());
    o
}

fn comparison_summary_section(o: &mut String, v: &ComparisonView<'_>) {
    let _ = writeln!(
        o,
        "<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">"
    );
    // Only a provider the evidence settles on is named: never one with must-haves open.
    let decided = v
        .decision
        .choice
        .map_or_else(|| "none yet".to_owned(), |p| h(p.name()));
    let _ = writeln!(
        o,
        "<div class=\"card\"><div class=\"k\">Providers</div><div class=\"v\">{}</div></div><div class=\"card\"><div class=\"k\">Meet every must-have</div><div class=\"v\">{}</div></div><div class=\"card\"><div class=\"k\">Conditional</div><div class=\"v\">{}</div></div><div class=\"card\"><div class=\"k\">Ineligible</div><div class=\"v\">{}</div></div><div class=\"card\"><div class=\"k\">Choice on the evidence</div><div class=\"v small\">{decided}</div></div>",
        v.counts.providers, v.counts.eligible, v.counts.conditional, v.counts.ineligible
    );
    let _ = writeln!(o, "</div><ul class=\"summary\">");
    for s in comparison_summary(v, Answers::Apart) {
        let _ = writeln!(o, "<li>{}</li>", prose(&s));
    }
    let _ = writeln!(o, "</ul></section>");
}

/// The must-haves of a ranking row, in words: how many are open and failed.
fn gate_cell(r: &Row<'_>) -> String {
    let total = r.report.map_or(0, |rep| rep.gates.len());
    match (r.open.len(), r.failed.len()) {
        _ if total == 0 => "–".to_owned(),
        (0, 0) => "all met".to_owned(),
        (open, 0) => format!("{open} open"),
        (0, failed) => format!("<b>{failed} failed</b>"),
        (open, failed) => format!("<b>{failed} failed</b>, {open} open"),
    }
}

fn ranking(o: &mut String, v: &ComparisonView<'_>) {
    let _ = writeln!(o, "<section id=\"ranking\"><h2 class=\"keep-next\">Ranking</h2><p class=\"keep-next\">{RANKING_ORDER} <b>Fit</b> is what the evidence shows today; <b>potential</b> is the score if every open question were answered favourably.</p>");
    let _ = writeln!(o, "<table class=\"whole\"><thead><tr><th class=\"n\">rank</th><th>provider</th><th>verdict</th><th class=\"n\">fit</th><th class=\"n\">potential</th><th class=\"n\">settled</th><th>must-haves</th><th>weakest area (its fit)</th></tr></thead><tbody>");
    // Only rows with a report beside them: the table links to each provider's article.
    for r in v.rows.iter().filter(|r| r.report.is_some()) {
        let weakest = r.weakest.map_or_else(
            || "–".to_owned(),
            |w| {
                let title = r.report.map_or(w, |rep| rep.title_of(w));
                let lo = r.weakest_lo.map(of100).unwrap_or_default();
                format!("{} {lo}", titled(title, w, 30))
            },
        );
        let _ = writeln!(
            o,
            "<tr><td class=\"n\">{}</td><td><a href=\"#{}\">{}</a></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{weakest}</td></tr>",
            r.rank,
            anchor(r.id),
            h(r.name),
            badge(r.verdict),
            num1(r.fit),
            num1(r.potential),
            pct_spaced(r.settled, 0),
            gate_cell(r)
        );
    }
    let _ = writeln!(o, "</tbody></table>");
    let rows: Vec<(String, f64, f64, Verdict)> = v
        .rows
        .iter()
        .map(|r| (r.name.to_owned(), r.fit, r.potential, r.verdict))
        .collect();
    o.push_str(&fit_chart(
        &rows,
        v.bands.strong,
        v.bands.moderate,
        "Fit (dark) and potential (light) per provider, 0–100, coloured by verdict, with the profile's bands",
    ));
    o.push_str(legend());
    intervals(o, v);
    let _ = writeln!(o, "</section>");
}

/// What the intervals settle: who necessarily beats whom, and the minimax-regret choice.
fn intervals(o: &mut String, v: &ComparisonView<'_>) {
    let _ = writeln!(
        o,
        "<div class=\"keep\"><h4>What the intervals settle</h4><ul>"
    );
    if v.pairs.is_empty() {
        let _ = writeln!(o, "<li>No provider is necessarily better than another: the open questions could still reorder any two.</li>");
    }
    for b in &v.beats {
        let losers: Vec<String> = b.losers.iter().map(|l| h(l.name())).collect();
        let _ = writeln!(
            o,
            "<li><b>{}</b> necessarily beats {}: its fit is at least their potential.</li>",
            h(b.winner.name()),
            losers.join(", ")
        );
    }
    let _ = match v.safest {
        Safest::Unbeatable(p) => writeln!(
            o,
            "<li>Minimax-regret choice among the providers that meet every must-have: <b>{}</b>; no answer can put another of them ahead of it.</li>",
            h(p.name())
        ),
        Safest::Behind { choice, by, against } => writeln!(
            o,
            "<li>Minimax-regret choice among the providers that meet every must-have: <b>{}</b>; at worst {} fit points behind <b>{}</b> once every answer is in.</li>",
            h(choice.name()),
            num1(by),
            h(against.name())
        ),
        Safest::Only(p) => writeln!(
            o,
            "<li><b>{}</b> is the only provider that meets every must-have.</li>",
            h(p.name())
        ),
        Safest::None => writeln!(
            o,
            "<li>No provider meets every must-have: there is no minimax-regret choice.</li>"
        ),
    };
    let _ = writeln!(o, "</ul></div>");
}

/// What the evidence supports and what is still open: the decision, the recommendation, and
/// per must-have which providers meet it, have it open or failed it.
fn recommendation_section(o: &mut String, v: &ComparisonView<'_>) {
    let _ = writeln!(
        o,
        "<section id=\"recommendation\"><h2 class=\"keep-next\">Recommendation</h2><div class=\"supports\"><p><b>What the evidence supports.</b> {}</p><p>{}</p></div>",
        h(&decision_headline(&v.decision)),
        h(&recommendation(v))
    );
    let _ = writeln!(o, "<h3 class=\"keep-next\">What is still open</h3>");
    if let Some(m) = &v.gates {
        let _ = writeln!(o, "<table class=\"whole\"><thead><tr><th>must-have</th><th>open for</th><th>failed by</th><th>met by</th></tr></thead><tbody>");
        for (j, g) in m.gates.iter().enumerate() {
            let with = |state: GateState| -> String {
                let names: Vec<String> = m
                    .rows
                    .iter()
                    .filter(|r| {
                        r.cells
                            .get(j)
                            .copied()
                            .flatten()
                            .is_some_and(|x| x.state == state)
                    })
                    .map(|r| h(r.name))
                    .collect();
                if names.is_empty() {
                    "–".to_owned()
                } else {
                    names.join(", ")
                }
            };
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                titled(&g.title, &g.id, 80),
                with(GateState::Open),
                with(GateState::Failed),
                with(GateState::Met)
            );
        }
        let _ = writeln!(o, "</tbody></table>");
    }
    let settle: Vec<String> = v
        .decision
        .pending
        .iter()
        .filter(|p| p.must_haves.is_empty())
        .map(|p| h(p.who.name()))
        .collect();
    if !settle.is_empty() {
        let _ = writeln!(
            o,
            "<p>Meeting every must-have, {} could still change places on the answers to their other questions.</p>",
            settle.join(", ")
        );
    }
    let _ = writeln!(
        o,
        "<p class=\"note screen-only\">Each provider's questions are under Providers, must-haves first; <code>labfit questions -p {} -e PROVIDER --format markdown</code> writes them as a letter.</p></section>",
        h(v.profile)
    );
}

/// A record of the committee's decision: what was compared, on which inputs (one SHA-256 over
/// the list under Inputs, and the profile's own), what the evidence supports, and lines to
/// fill in and sign.
fn decision_record(o: &mut String, c: &Comparison, v: &ComparisonView<'_>) {
    let _ = writeln!(
        o,
        "<section id=\"decision\"><div class=\"keep\"><h2>Decision record</h2><table class=\"record\"><tbody>"
    );
    let _ = writeln!(
        o,
        "<tr><th>Comparison</th><td>{} (<code>{}</code>), {} providers, scored as of {} by labfit {}</td></tr>",
        h(&c.title),
        h(&c.profile),
        v.counts.providers,
        c.as_of,
        h(v.engine.1)
    );
    let profiles: Vec<String> = v
        .inputs
        .iter()
        .filter(|i| i.kind == "profile")
        .map(|i| {
            format!(
                "<code>{}</code> <code class=\"id\">{}</code>",
                h(&i.name),
                h(&i.sha256)
            )
        })
        .collect();
    let _ = writeln!(
        o,
        "<tr><th>Inputs</th><td>the {} files listed under Inputs; SHA-256 of that list: <code class=\"id\">{}</code><br>profile: {}</td></tr>",
        v.inputs.len(),
        h(&v.inputs_digest),
        profiles.join("; ")
    );
    let _ = writeln!(
        o,
        "<tr><th>What the evidence supports</th><td>{}</td></tr>",
        h(&decision_headline(&v.decision))
    );
    for field in [
        "Decision",
        "Provider chosen (or none)",
        "Conditions, and the answers still awaited",
        "Decided by (names and roles)",
        "Date of the decision",
    ] {
        let _ = writeln!(o, "<tr><th>{field}</th><td class=\"fill\"></td></tr>");
    }
    let _ = writeln!(o, "</tbody></table><div class=\"signatures\"><div>Signature, name and role</div><div>Signature, name and role</div><div>Signature, name and role</div></div><p class=\"record-note\">The same inputs and date give this report byte for byte: rerun <code>labfit compare -p {} --as-of {} --format html</code> on the listed files to check it.</p></div></section>",
        h(&c.profile),
        c.as_of
    );
}

/// The rank acceptability heat map (each cell's shade its share of samples), the central
/// weights and the leader's weight stability.
fn robustness(o: &mut String, v: &RobustnessView<'_>) {
    let _ = writeln!(
        o,
        "<section id=\"robustness\"><h2>Robustness</h2><p>{}</p>",
        h(&words::robustness_method(v))
    );
    let (left, cell, row_h, top) = (200.0, 64.0, 30.0, 24.0);
    let width = left + cell * (v.ranks + 1) as f64 + 10.0;
    let height = top + row_h * v.rows.len() as f64 + 8.0;
    let _ = writeln!(
        o,
        "<figure><svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" role=\"img\" aria-labelledby=\"ra-t\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"ra-t\">Rank acceptability: the share of samples in which each provider takes each rank</title>"
    );
    for r in 0..=v.ranks {
        let cx = left + cell * r as f64 + cell / 2.0;
        let label = if r < v.ranks {
            format!("rank {}", r + 1)
        } else {
            "confidence".to_owned()
        };
        let _ = writeln!(
            o,
            "<text class=\"lbl\" x=\"{cx}\" y=\"16\" text-anchor=\"middle\">{label}</text>"
        );
    }
    for (i, row) in v.rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let _ = writeln!(
            o,
            "<text class=\"lbl\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            left - 10.0,
            y + 19.0,
            h(&clip(row.who.name(), 28))
        );
        let cells = row
            .acceptability
            .iter()
            .copied()
            .map(Some)
            .chain([row.confidence]);
        for (r, b) in cells.enumerate() {
            let x0 = left + cell * r as f64 + 2.0;
            let (shade, text) = b.map_or((0.0, "–".to_owned()), |b| (b, pct_spaced(b, 0)));
            let _ = writeln!(
                o,
                "<g><title>{}: {}</title><rect class=\"fit\" fill-opacity=\"{:.3}\" x=\"{x0}\" y=\"{}\" width=\"{}\" height=\"{}\"/><text class=\"num\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{text}</text></g>",
                h(row.who.name()),
                text,
                0.08 + 0.72 * shade,
                y + 2.0,
                cell - 4.0,
                row_h - 4.0,
                x0 + (cell - 4.0) / 2.0,
                y + 19.0
            );
        }
    }
    let _ = writeln!(o, "</svg></figure>");
    let _ = writeln!(o, "<h3>Central weights</h3><p>The mean of the weights under which each provider ranks first: the weighting that argues for it.</p><table><thead><tr><th>provider</th>");
    for f in &v.r.frameworks {
        let _ = write!(o, "<th><code>{}</code></th>", h(f));
    }
    let _ = writeln!(o, "</tr></thead><tbody>");
    for row in &v.rows {
        let _ = write!(o, "<tr><td>{}</td>", h(row.who.name()));
        match &row.central {
            Some(w) => w.iter().for_each(|x| {
                let _ = write!(o, "<td>{}</td>", pct_spaced(*x, 0));
            }),
            None => {
                let _ = write!(
                    o,
                    "<td colspan=\"{}\">never first</td>",
                    v.r.frameworks.len()
                );
            }
        }
        let _ = writeln!(o, "</tr>");
    }
    let _ = writeln!(o, "</tbody></table>");
    if let Some((first, intervals)) = &v.stability {
        let _ = writeln!(o, "<h3>Weight stability</h3><p>How far each framework's weight can move, the others rescaled, before {} loses first place on the evidence as it stands.</p><ul>", h(first.name()));
        for iv in intervals {
            let _ = writeln!(
                o,
                "<li>{}</li>",
                h(&words::stability_sentence(first.name(), iv))
            );
        }
        let _ = writeln!(o, "</ul>");
    }
    let _ = writeln!(o, "</section>");
}

fn gate_matrix(o: &mut String, m: &GateMatrix<'_>) {
    let _ = writeln!(o, "<section id=\"gates\"><div class=\"keep-next\"><h2>Must-haves</h2><p>A provider must meet every must-have to be eligible. <b>Open</b>: the evidence does not settle it yet. <b>Failed</b>: no answer can meet it.</p></div><table class=\"whole\"><thead><tr><th>provider</th>");
    for g in m.gates {
        let _ = write!(o, "<th>{}</th>", titled(&g.title, &g.id, 80));
    }
    let _ = writeln!(o, "</tr></thead><tbody>");
    for r in &m.rows {
        let _ = write!(
            o,
            "<tr><td><a href=\"#{}\">{}</a></td>",
            anchor(r.id),
            h(r.name)
        );
        for cell in &r.cells {
            match cell {
                Some(x) => {
                    let _ = write!(
                        o,
                        "<td title=\"{}\">{}</td>",
                        h(&x.reason),
                        gate_badge(x.state)
                    );
                }
                None => o.push_str("<td>–</td>"),
            }
        }
        let _ = writeln!(o, "</tr>");
    }
    let _ = writeln!(
        o,
        "</tbody></table><h4 class=\"keep-next\">Why the lab requires each</h4><ul class=\"note\">"
    );
    for g in m.gates {
        let _ = writeln!(
            o,
            "<li>{} <code class=\"id\">{}</code>{}</li>",
            h(&g.title),
            h(&g.id),
            g.basis
                .as_deref()
                .map(|b| format!(": {}", prose(b)))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(o, "</ul></section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_refuses_unsafe_links() {
        assert_eq!(
            h("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(
            safe_url("https://example.com/?a=1&b=\"2\"").as_deref(),
            Some("https://example.com/?a=1&amp;b=&quot;2&quot;")
        );
        assert_eq!(prose("needs `x<y` now"), "needs <code>x&lt;y</code> now");
    }
}
