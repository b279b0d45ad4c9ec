//! `path:line:col: severity: message [rule]`: what VS Code's `$gcc` problem matcher reads.
//! With colour, the location is bold and the severity word coloured (as gcc and ruff do); with
//! the escapes stripped the line is the same as without colour.

use std::fmt::Write;

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

use super::{BOLD, paint, severity_style};

pub(super) fn render(file: &SourceFile, diags: &[Diagnostic], color: bool) -> String {
    let mut out = String::new();
    for d in diags {
        let at = file.lines().line_col(&file.text, d.primary.span.start);
        let message = d.message.replace(['\n', '\r'], " ");
        let _ = writeln!(
            out,
            "{}: {}: {} [{}]",
            paint(
                color,
                BOLD,
                &format!("{}:{}:{}", file.name, at.line, at.column)
            ),
            paint(color, severity_style(d.severity), d.severity.as_str()),
            message,
            d.rule
        );
    }
    out
}
