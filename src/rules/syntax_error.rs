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

/// Invalid YAML: where the parser stopped, and why.
pub fn invalid_yaml(at: Location, message: &str) -> Diagnostic {
    Diagnostic::new(&META, at, format!("invalid YAML: {message}"))
        .with_primary_label("the parser stopped here")
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
