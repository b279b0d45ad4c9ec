//! A JSON array of diagnostics (documented in docs/output-formats.md).

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{Location, SourceDb, SourceFile, Span};

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
    /// The file the label is in (a composite action's `action.yml`, or the linted file).
    path: String,
    #[serde(flatten)]
    position: Position,
}

#[derive(Serialize)]
struct JsonLocation {
    path: String,
    #[serde(flatten)]
    position: Position,
}

/// The position of a location in the linted file or another file of the database.
fn locate(
    db: &SourceDb,
    file: &SourceFile,
    at: &Location,
    primary: &Location,
) -> (String, Position) {
    if at.file == primary.file {
        return (file.name.clone(), Position::of(file, &at.span));
    }
    match db.get(at.file) {
        Some(other) => (other.name.clone(), Position::of(&other, &at.span)),
        None => (db.name(at.file), Position::of(file, &(0..0))),
    }
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
    /// The `uses:` sites that led into a composite action, outermost first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    via: Vec<JsonLocation>,
    help: Option<&'a str>,
    /// The fix, when the rule has one.
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: &'static str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    path: String,
    #[serde(flatten)]
    position: Position,
    content: &'a str,
}

/// One JSON object (on one line) per diagnostic of a file, each written into `out` after
/// `before` and followed by `after` (one buffer: a file with 30,000 findings renders 40 MB).
fn objects(
    db: &SourceDb,
    file: &SourceFile,
    diags: &[Diagnostic],
    out: &mut String,
    before: &str,
    after: &str,
) {
    for d in diags {
        let j = JsonDiagnostic {
            rule: d.rule,
            severity: d.severity,
            message: &d.message,
            path: &file.name,
            position: Position::of(file, &d.primary.span),
            primary_label: d.primary_label.as_deref(),
            labels: d
                .labels
                .iter()
                .map(|l| {
                    let (path, position) = locate(db, file, &l.location, &d.primary);
                    JsonLabel {
                        message: &l.message,
                        path,
                        position,
                    }
                })
                .collect(),
            via: d
                .via
                .iter()
                .map(|v| {
                    let (path, position) = locate(db, file, v, &d.primary);
                    JsonLocation { path, position }
                })
                .collect(),
            help: d.help.as_deref(),
            fix: d.fix.as_ref().map(|f| JsonFix {
                title: &f.title,
                applicability: f.applicability.as_str(),
                edits: f
                    .edits
                    .iter()
                    .map(|e| {
                        let (path, position) = locate(db, file, &e.location, &d.primary);
                        JsonEdit {
                            path,
                            position,
                            content: &e.content,
                        }
                    })
                    .collect(),
            }),
        };
        if let Ok(s) = serde_json::to_string(&j) {
            out.push_str(before);
            out.push_str(&s);
            out.push_str(after);
        }
    }
}

/// The objects of one file, comma-separated, without the array brackets.
pub(super) fn render(db: &SourceDb, file: &SourceFile, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    objects(db, file, diags, &mut out, "  ", ",\n");
    // No comma after the last object.
    if out.ends_with(",\n") {
        out.truncate(out.len() - 2);
    }
    out
}

/// `json-lines`: the same objects, one per line, no array.
pub(super) fn render_lines(db: &SourceDb, file: &SourceFile, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    objects(db, file, diags, &mut out, "", "\n");
    out
}

pub(super) fn finish(rendered: &[String]) -> String {
    let parts = rendered.iter().filter(|s| !s.is_empty());
    let len: usize = parts.clone().map(|s| s.len() + 2).sum();
    if len == 0 {
        return "[]\n".to_string();
    }
    let mut out = String::with_capacity(len + 4);
    out.push_str("[\n");
    for (i, s) in parts.enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        out.push_str(s);
    }
    out.push_str("\n]\n");
    out
}
