//! miette's graphical report: the source snippet with the span underlined and labelled.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{LineIndex, SourceFile};

use super::{Summary, summary_line};

/// The file's text with its name, for miette's snippet header. miette's own `str` source finds
/// a span by walking from the start of the text; this one cuts out the lines around the span
/// with the line index first, so each snippet costs what it shows (a file with 20,000
/// diagnostics rendered in minutes before).
struct Named<'a> {
    name: &'a str,
    text: &'a str,
    lines: &'a LineIndex,
}

impl SourceCode for Named<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (start, end) = (span.offset(), span.offset() + span.len());
        let first = self.lines.line_col(self.text, start).line - 1;
        let last = self.lines.line_col(self.text, end).line - 1;
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
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
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
    source: Named<'a>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.d.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let len = self.source.text.len();
        let clamp = move |s: &std::ops::Range<usize>| {
            let start = s.start.min(len);
            (start, s.end.min(len).saturating_sub(start))
        };
        let (start, l) = clamp(&self.d.span);
        let primary = LabeledSpan::new_primary_with_span(self.d.primary_label.clone(), (start, l));
        let rest = self.d.labels.iter().map(move |lab| {
            let (start, l) = clamp(&lab.span);
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
    let short = |offset: usize| {
        let line = file.lines().line_col(text, offset).line - 1;
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
    short(d.span.start) && d.labels.iter().all(|l| short(l.span.start))
}

fn one_line(file: &SourceFile, d: &Diagnostic, out: &mut String) {
    let at = file.lines().line_col(&file.text, d.span.start);
    out.push_str(&format!(
        "{}:{}:{}: {}: {} [{}]\n",
        file.name, at.line, at.column, d.severity, d.message, d.rule
    ));
    if let Some(help) = &d.help {
        out.push_str(&format!("  help: {help}\n"));
    }
}

pub(super) fn render(file: &SourceFile, diags: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100)
        .with_wrap_lines(false)
        .with_context_lines(2);
    // miette splits lines at `\n` only: a file with old Mac line endings is one long line to it.
    let lone_cr = file
        .text
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'\r' && w[1] != b'\n')
        || file.text.ends_with('\r');
    let mut out = String::new();
    for d in diags {
        if lone_cr || !drawable(file, d) {
            one_line(file, d, &mut out);
            out.push('\n');
            continue;
        }
        let report = Report {
            d,
            source: Named {
                name: &file.name,
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
        if matches!(ok, Ok(true)) {
            out.push_str(&drawn);
        } else {
            // miette could not draw the snippet: the one-line form says the same.
            one_line(file, d, &mut out);
        }
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
