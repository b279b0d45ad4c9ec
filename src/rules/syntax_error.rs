//! `syntax-error`: the file is not valid YAML, or not UTF-8. Reported by the parser; a file
//! with a syntax error was not (fully) linted, so it is reported whatever the selection says.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Location;

use super::RuleMeta;

/// The rule's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "syntax-error",
    summary: "The file is not valid YAML (or not UTF-8).",
    severity: Severity::Error,
};

/// Invalid YAML: the byte at fault, what is wrong there, the bracket or quote left open, and
/// how to fix that kind of error.
pub fn invalid_yaml(
    at: Location,
    message: &str,
    label: &str,
    unclosed: Option<(Location, &str)>,
    help: &str,
) -> Diagnostic {
    let d = Diagnostic::new(&META, at, format!("invalid YAML: {message}"))
        .with_primary_label(label)
        .with_help(help);
    match unclosed {
        Some((opener, what)) => d.with_label(opener, what),
        None => d,
    }
}

/// Bytes that are not UTF-8.
pub fn invalid_utf8(at: Location) -> Diagnostic {
    let offset = at.span.start;
    Diagnostic::new(
        &META,
        at,
        format!("file is not valid UTF-8: invalid byte at offset {offset}"),
    )
    .with_primary_label("invalid UTF-8 starts here")
    .with_help("workflow files must be UTF-8; re-save the file as UTF-8")
}
