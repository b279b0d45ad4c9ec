//! miette's graphical report: the source snippet with the span underlined and labelled.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceFile;

use super::{Summary, summary_line};

/// The file's text with its name, for miette's snippet header.
struct Named<'a> {
    name: &'a str,
    text: &'a str,
}

impl SourceCode for Named<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
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
    let mut out = String::new();
    for d in diags {
        let report = Report {
            d,
            source: Named {
                name: &file.name,
                text: &file.text,
            },
        };
        if handler.render_report(&mut out, &report).is_err() {
            // Rendering the snippet failed (it should not): fall back to one line.
            let at = file.lines.line_col(&file.text, d.span.start);
            out.push_str(&format!(
                "{}:{}:{}: {}: {} [{}]\n",
                file.name, at.line, at.column, d.severity, d.message, d.rule
            ));
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
    let code = if s.counts[0] > 0 {
        "1;31"
    } else if s.total() > 0 {
        "1;33"
    } else {
        "1;32"
    };
    format!("\x1b[{code}m{line}\x1b[0m\n")
}
