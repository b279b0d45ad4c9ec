//! GitHub Actions workflow commands: one `::error` / `::warning` / `::notice` line per
//! diagnostic, which the runner turns into an annotation on the file and line
//! (<https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions>).
//! Forgejo and Gitea runners print the lines as they are.

use std::fmt::Write;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceFile;

pub(super) fn render(file: &SourceFile, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    let path = property(&file.name.replace('\\', "/"));
    for d in diags {
        let start = file.lines().line_col(&file.text, d.primary.span.start);
        let end = file.lines().line_col(&file.text, d.primary.span.end);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let _ = writeln!(
            out,
            "::{command} file={path},line={},col={},endLine={},endColumn={},title={}::{}",
            start.line,
            start.column,
            end.line,
            end.column,
            property(&format!("cachelint ({})", d.rule)),
            data(&d.message),
        );
    }
    out
}

/// A command's message, escaped as the runner unescapes it (`%`, CR, LF).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command property's value: as a message, and `:` and `,` too (they end a property).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_the_runner_unescapes() {
        assert_eq!(data("50% of\r\nit"), "50%25 of%0D%0Ait");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
        // Only what GitHub documents: other text is kept as it is.
        assert_eq!(data("`.nox` (job: t, py=3.12)"), "`.nox` (job: t, py=3.12)");
    }
}
