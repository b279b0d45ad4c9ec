//! The full report, in rustc's and ruff's shape: `severity[rule]: message`, ` --> path:line:col`
//! at the primary span (character columns, as in `concise` and `json`), miette's snippet with the
//! spans underlined and labelled, then `= help:` and `= docs: cachelint explain RULE`.

use std::fmt::{self, Write as _};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::Diagnostic;
use crate::source::{LineIndex, SourceDb, SourceFile};

use super::{ARROW, BOLD, Summary, paint, severity_style, summary_line};

/// The file's text, for miette's snippets. miette's own `str` source finds a span by walking
/// from the start of the text; this one cuts out the lines around the span with the line index
/// first, so each snippet costs what it shows (a file with 20,000 diagnostics rendered in
/// minutes before). It has no name, so miette draws each snippet's top border without a
/// location: miette would print the first label of each snippet (the job, say, above the nox
/// command) with a byte column; [`header`] prints the primary location in characters instead.
struct Indexed<'a> {
    text: &'a str,
    lines: &'a LineIndex,
}

impl SourceCode for Indexed<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (start, end) = (span.offset(), span.offset() + span.len());
        let first = self.lines.line_of(self.text, start);
        let last = self.lines.line_of(self.text, end);
        let first = first.saturating_sub(before);
        let last = last + after + 1;
        let region_start = self.lines.line_start(first);
        let region_end = if last < self.lines.len() {
            self.lines.line_start(last)
        } else {
            self.text.len()
        };
        let region = self.text.get(region_start..region_end).unwrap_or("");
        let inner_span = SourceSpan::new((start - region_start).into(), span.len());
        let inner = region.read_span(&inner_span, before, after)?;
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            SourceSpan::new(
                (inner.span().offset() + region_start).into(),
                inner.span().len(),
            ),
            inner.line() + first,
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A [`Diagnostic`] seen through miette's trait.
struct Report<'a> {
    d: &'a Diagnostic,
    source: Indexed<'a>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

/// Empty, so that miette's message line is one line, which [`snippets`] drops.
impl fmt::Display for Report<'_> {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

impl std::error::Error for Report<'_> {}

/// Only the source and the labels: the header, the help and the docs line are drawn by
/// [`render`] itself.
impl miette::Diagnostic for Report<'_> {
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let len = self.source.text.len();
        let clamp = move |s: &std::ops::Range<usize>| {
            let start = s.start.min(len);
            (start, s.end.min(len).saturating_sub(start))
        };
        let (start, l) = clamp(&self.d.primary.span);
        let primary = LabeledSpan::new_primary_with_span(self.d.primary_label.clone(), (start, l));
        let file = self.d.primary.file;
        let rest = self
            .d
            .labels
            .iter()
            .filter(move |lab| lab.location.file == file)
            .map(move |lab| {
                let (start, l) = clamp(&lab.location.span);
                LabeledSpan::new_with_span(Some(lab.message.clone()), (start, l))
            });
        Some(Box::new(std::iter::once(primary).chain(rest)))
    }
}

/// Snippets are drawn only around lines up to this long; longer lines (minified or hostile
/// files) get the one-line form, so rendering stays linear.
const MAX_SNIPPET_LINE: usize = 2000;

thread_local! {
    /// Set while miette draws a snippet: a panic there is caught and reported as a fallback
    /// line, so the panic hook stays quiet (see [`install_panic_hook`]).
    static IN_RENDER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Keeps the default panic message for every panic except one inside miette's renderer, which
/// [`render`] recovers from.
pub fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !IN_RENDER.with(|f| f.get()) {
            default(info);
        }
    }));
}

/// Whether miette can draw this diagnostic's snippet: the lines around its spans are short
/// and end in `\n` (miette does not treat a lone `\r` as a line break).
fn drawable(file: &SourceFile, d: &Diagnostic) -> bool {
    let text = &file.text;
    // A file that was not read (over the size limit) has no lines to show.
    if text.is_empty() {
        return false;
    }
    let short = |offset: usize| {
        let line = file.lines().line_of(text, offset);
        (line.saturating_sub(2)..line + 3).all(|l| {
            let start = file.lines().line_start(l);
            let end = if l + 1 < file.lines().len() {
                file.lines().line_start(l + 1)
            } else {
                text.len()
            };
            l >= file.lines().len() || end.saturating_sub(start) <= MAX_SNIPPET_LINE
        })
    };
    short(d.primary.span.start)
        && d.labels
            .iter()
            .filter(|l| l.location.file == d.primary.file)
            .all(|l| short(l.location.span.start))
}

/// `warning[nox/cache-missing]: message` and ` --> path:line:col`: the primary location, in
/// characters, from the line index (what `concise` and `json` print too). miette's own snippet
/// header names the first label of each snippet, in bytes, so it is not drawn (see [`Indexed`]).
fn header(file: &SourceFile, d: &Diagnostic, color: bool, out: &mut String) {
    let at = file.lines().line_col(&file.text, d.primary.span.start);
    let message = d.message.replace(['\n', '\r'], " ");
    let sev = severity_style(d.severity);
    let _ = writeln!(
        out,
        "{}{}",
        paint(color, sev, &format!("{}[{}]", d.severity, d.rule)),
        paint(color, BOLD, &format!(": {message}"))
    );
    let _ = writeln!(
        out,
        "  {} {}:{}:{}",
        paint(color, ARROW, "-->"),
        file.name,
        at.line,
        at.column
    );
}

/// `= help: ...` (continuation lines aligned under the text) and `= docs: cachelint explain RULE`.
fn footer(d: &Diagnostic, color: bool, out: &mut String) {
    if let Some(help) = &d.help {
        let mut lines = help.lines();
        let first = lines.next().unwrap_or("");
        let _ = writeln!(out, "  {} {first}", paint(color, BOLD, "= help:"));
        for line in lines {
            let _ = writeln!(out, "{:10}{line}", "");
        }
    }
    if let Some(fix) = &d.fix {
        let how = match fix.applicability {
            crate::diagnostic::Applicability::Safe => " (`--fix`)",
            crate::diagnostic::Applicability::Unsafe => " (unsafe: `--fix --unsafe-fixes`)",
            crate::diagnostic::Applicability::DisplayOnly => {
                " (shown only: make this edit by hand)"
            }
        };
        let _ = writeln!(out, "  {} {}{how}", paint(color, BOLD, "= fix:"), fix.title);
    }
    let _ = writeln!(
        out,
        "  {} cachelint explain {}",
        paint(color, BOLD, "= docs:"),
        d.rule
    );
}

/// miette's drawing of the snippets alone: the report it renders has no code and no help, so
/// its output is the message line (dropped here) and then the snippets. `None` when miette
/// failed or panicked.
fn snippets(handler: &GraphicalReportHandler, file: &SourceFile, d: &Diagnostic) -> Option<String> {
    let report = Report {
        d,
        source: Indexed {
            text: &file.text,
            lines: file.lines(),
        },
    };
    let mut drawn = String::new();
    IN_RENDER.with(|f| f.set(true));
    let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        handler.render_report(&mut drawn, &report).is_ok()
    }));
    IN_RENDER.with(|f| f.set(false));
    if !matches!(ok, Ok(true)) {
        return None;
    }
    let (_message, rest) = drawn.split_once('\n')?;
    Some(rest.to_string())
}

/// Labels in other files (inside a composite action) as `= note: path:line:col: message` lines
/// after the snippet.
fn other_files(db: &SourceDb, d: &Diagnostic, color: bool, out: &mut String) {
    for l in d
        .labels
        .iter()
        .filter(|l| l.location.file != d.primary.file)
    {
        if let Some(f) = db.get(l.location.file) {
            let at = f.lines().line_col(&f.text, l.location.span.start);
            let _ = writeln!(
                out,
                "  {} {}:{}:{}: {}",
                paint(color, BOLD, "= note:"),
                f.name,
                at.line,
                at.column,
                l.message
            );
        }
    }
}

pub(super) fn render(
    db: &SourceDb,
    file: &SourceFile,
    diags: &[Diagnostic],
    color: bool,
) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100)
        .with_wrap_lines(false)
        .with_context_lines(2)
        .without_primary_span_start();
    // miette splits lines at `\n` only: a file with old Mac line endings is one long line to it.
    let lone_cr = file
        .text
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'\r' && w[1] != b'\n')
        || file.text.ends_with('\r');
    let mut out = String::new();
    for d in diags {
        header(file, d, color, &mut out);
        if !lone_cr && drawable(file, d) {
            // When miette cannot draw the snippet, the header and the help say the same.
            if let Some(drawn) = snippets(&handler, file, d) {
                out.push_str(&drawn);
            }
        }
        other_files(db, d, color, &mut out);
        footer(d, color, &mut out);
        out.push('\n');
    }
    out
}

pub(super) fn summary(s: &Summary, color: bool) -> String {
    let line = summary_line(s);
    if !color {
        return format!("{line}\n");
    }
    let code = if s.counts[0] > 0 || s.not_linted > 0 {
        "1;31"
    } else if s.total() > 0 {
        "1;33"
    } else {
        "1;32"
    };
    format!("\x1b[{code}m{line}\x1b[0m\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use crate::source::{FileId, Location};

    fn loc(span: std::ops::Range<usize>) -> Location {
        Location::new(FileId(0), span)
    }

    fn cjk() -> (SourceFile, Diagnostic) {
        let text = "a:\n  b: \"日本語\" x\n";
        let at = text.find('x').unwrap();
        let d = Diagnostic::with_id("nox/cache-missing", Severity::Error, loc(at..at + 1), "msg")
            .with_primary_label("here")
            .with_label(loc(0..1), "first in the file")
            .with_help("one\n  two");
        (SourceFile::from_text("f.yml", text), d)
    }

    #[test]
    fn header_is_the_primary_span_in_characters() {
        let (file, d) = cjk();
        let mut out = String::new();
        header(&file, &d, false, &mut out);
        // `  b: "日本語" ` is 11 characters (17 bytes): `x` is at column 12 (byte column 18).
        assert_eq!(out, "error[nox/cache-missing]: msg\n  --> f.yml:2:12\n");
    }

    #[test]
    fn report_has_header_snippet_help_and_docs_in_that_order() {
        let (file, d) = cjk();
        let out = render(
            &SourceDb::in_memory(),
            &file,
            std::slice::from_ref(&d),
            false,
        );
        let header = out.find("error[nox/cache-missing]: msg\n  --> f.yml:2:12\n");
        let snippet = out.find("╰── here");
        let first = out.find("╰── first in the file");
        let help = out.find("  = help: one\n            two\n");
        let docs = out.find("  = docs: cachelint explain nox/cache-missing\n");
        assert_eq!(header, Some(0), "{out}");
        assert!(first.is_some() && snippet.is_some(), "{out}");
        assert!(snippet < help && first < help && help < docs, "{out}");
        // miette's own location (the first label, in bytes) is not drawn.
        assert!(
            !out.contains("f.yml:1:1") && !out.contains(":2:18"),
            "{out}"
        );
    }

    #[test]
    fn lone_cr_files_get_no_snippet() {
        let file = SourceFile::from_text("f.yml", "a: 1\rb: 2\r");
        let d = Diagnostic::new(&crate::rules::invalid_workflow::META, loc(5..6), "msg");
        let out = render(&SourceDb::in_memory(), &file, &[d], false);
        assert_eq!(
            out,
            "error[invalid-workflow]: msg\n  --> f.yml:2:1\n  = docs: cachelint explain invalid-workflow\n\n"
        );
    }
}
