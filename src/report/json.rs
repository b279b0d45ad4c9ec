//! A JSON array of diagnostics (documented in docs/output-formats.md).

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceFile, Span};

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    offset: usize,
    length: usize,
}

impl Position {
    fn of(file: &SourceFile, span: &Span) -> Self {
        let start = file.lines().line_col(&file.text, span.start);
        let end = file.lines().line_col(&file.text, span.end);
        Position {
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            offset: span.start,
            length: span.end.saturating_sub(span.start),
        }
    }
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    #[serde(flatten)]
    position: Position,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    path: &'a str,
    #[serde(flatten)]
    position: Position,
    primary_label: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
}

/// The objects of one file, comma-separated, without the array brackets.
pub(super) fn render(file: &SourceFile, diags: &[Diagnostic]) -> String {
    let mut parts = Vec::with_capacity(diags.len());
    for d in diags {
        let j = JsonDiagnostic {
            rule: d.rule,
            severity: d.severity,
            message: &d.message,
            path: &file.name,
            position: Position::of(file, &d.span),
            primary_label: d.primary_label.as_deref(),
            labels: d
                .labels
                .iter()
                .map(|l| JsonLabel {
                    message: &l.message,
                    position: Position::of(file, &l.span),
                })
                .collect(),
            help: d.help.as_deref(),
        };
        if let Ok(s) = serde_json::to_string(&j) {
            parts.push(format!("  {s}"));
        }
    }
    parts.join(",\n")
}

pub(super) fn finish(rendered: &[String]) -> String {
    let parts: Vec<&str> = rendered
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        return "[]\n".to_string();
    }
    format!("[\n{}\n]\n", parts.join(",\n"))
}
