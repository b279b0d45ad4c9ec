//! `path:line:col: severity: message [rule]`: what VS Code's `$gcc` problem matcher reads.

use std::fmt::Write;

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

pub(super) fn render(file: &SourceFile, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let at = file.lines().line_col(&file.text, d.primary.span.start);
        let message = d.message.replace(['\n', '\r'], " ");
        let _ = writeln!(
            out,
            "{}:{}:{}: {}: {} [{}]",
            file.name, at.line, at.column, d.severity, message, d.rule
        );
    }
    out
}
