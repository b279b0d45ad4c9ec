//! `suppression/invalid`: a `# cachelint:` comment that cannot be read, or names no rule.

use crate::diagnostic::Severity;

use super::super::RuleMeta;

/// The rule's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "suppression/invalid",
    summary: "A `# cachelint:` comment that cannot be read, or that names no known rule.",
    severity: Severity::Warning,
};
