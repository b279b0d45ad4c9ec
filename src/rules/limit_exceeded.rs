//! `limit-exceeded`: the file is too large, has too many nodes, or its aliases expand past the
//! budget (docs/limits.md). A file over a limit was not (fully) linted, so it is reported
//! whatever the selection says.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{Location, MAX_FILE_BYTES};
use crate::yaml::{MAX_ALIAS_NODES, MAX_NODES};

use super::RuleMeta;

/// The rule's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "limit-exceeded",
    summary: "The file is too large, or its aliases expand past the budget.",
    severity: Severity::Error,
};

/// A file over [`MAX_FILE_BYTES`].
pub fn too_large(at: Location, size: u64) -> Diagnostic {
    Diagnostic::new(
        &META,
        at,
        if size > MAX_FILE_BYTES + 1 {
            format!(
                "file is {size} bytes, over the limit of {MAX_FILE_BYTES} bytes; it was not read"
            )
        } else {
            // A stream is read up to the limit plus one byte: its real size is not known.
            format!("file is over the limit of {MAX_FILE_BYTES} bytes; it was not read")
        },
    )
    .with_help("workflow files are a few kilobytes; check that this is the file you meant to lint")
}

/// More than [`MAX_NODES`] nodes.
pub fn too_many_nodes(at: Location) -> Diagnostic {
    Diagnostic::new(
        &META,
        at,
        format!("the file has more than {MAX_NODES} YAML nodes; it was not checked further"),
    )
    .with_primary_label("the limit was reached here")
}

/// Aliases that expand past [`MAX_ALIAS_NODES`].
pub fn alias_budget(at: Location) -> Diagnostic {
    Diagnostic::new(
        &META,
        at,
        format!("aliases expand to more than {MAX_ALIAS_NODES} nodes; expansion stopped here"),
    )
    .with_primary_label("this alias was not expanded")
}
