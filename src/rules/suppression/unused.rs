//! `suppression/unused`: an ignore comment names a rule that reports nothing where it applies.

use crate::diagnostic::Severity;

use super::super::RuleMeta;

/// The rule's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "suppression/unused",
    summary: "An ignore comment names a rule that reports nothing where the comment applies.",
    severity: Severity::Warning,
};
