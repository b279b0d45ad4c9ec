//! `invalid-workflow`: valid YAML, but not a valid workflow: a wrong type or a duplicate key.
//! Reported by the YAML layer (duplicate keys) and the workflow builder (shapes).

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Location;

use super::RuleMeta;

/// The rule's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "invalid-workflow",
    summary: "Valid YAML, but not a valid workflow: a wrong type or a duplicate key.",
    severity: Severity::Error,
};

/// A key that appears twice in one mapping.
pub fn duplicate_key(dup: Location, first: Location, key: &str) -> Diagnostic {
    Diagnostic::new(&META, dup, format!("duplicate key `{key}`"))
        .with_primary_label("repeated here")
        .with_label(first, "first defined here")
        .with_help("remove one of the two; GitHub rejects a mapping with duplicate keys")
}

/// A shape problem found by the workflow builder.
pub fn shape(at: Location, message: String) -> Diagnostic {
    Diagnostic::new(&META, at, message)
}
