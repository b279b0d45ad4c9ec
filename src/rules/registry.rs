//! The one list of rules. Ids are a contract: scripts and editors depend on them.
//! Each rule's documentation is its page under `docs/rules/`, embedded here so that
//! `cachelint explain` prints the same text (a test checks both stay in step).

use crate::diagnostic::Severity;

use super::Rule;
use super::nox;

/// A rule's metadata.
pub struct RuleMeta {
    /// The id (`nox/cache-missing`).
    pub id: &'static str,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// The documentation page (Markdown).
    pub doc: &'static str,
    /// The check; `None` for diagnostics the parser emits (`syntax-error`, ...).
    pub rule: Option<&'static dyn Rule>,
}

/// Every rule, in the order `cachelint rules` lists them.
pub static RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "syntax-error",
        summary: "The file is not valid YAML (or not UTF-8).",
        severity: Severity::Error,
        doc: include_str!("../../docs/rules/syntax-error.md"),
        rule: None,
    },
    RuleMeta {
        id: "invalid-workflow",
        summary: "Valid YAML, but not a valid workflow: a wrong type or a duplicate key.",
        severity: Severity::Error,
        doc: include_str!("../../docs/rules/invalid-workflow.md"),
        rule: None,
    },
    RuleMeta {
        id: "limit-exceeded",
        summary: "The file is too large, or its aliases expand past the budget.",
        severity: Severity::Error,
        doc: include_str!("../../docs/rules/limit-exceeded.md"),
        rule: None,
    },
    RuleMeta {
        id: nox::cache_missing::ID,
        summary: "A job runs nox but no cache step restores its environments.",
        severity: Severity::Warning,
        doc: include_str!("../../docs/rules/nox/cache-missing.md"),
        rule: Some(&nox::cache_missing::CacheMissing),
    },
    RuleMeta {
        id: nox::cache_after_use::ID,
        summary: "The cache step for nox's environments comes after nox has run.",
        severity: Severity::Error,
        doc: include_str!("../../docs/rules/nox/cache-after-use.md"),
        rule: Some(&nox::cache_after_use::CacheAfterUse),
    },
    RuleMeta {
        id: nox::key_missing_hash::ID,
        summary: "The cache key for nox's environments does not hash pyproject.toml.",
        severity: Severity::Error,
        doc: include_str!("../../docs/rules/nox/key-missing-hash.md"),
        rule: Some(&nox::key_missing_hash::KeyMissingHash),
    },
];

/// The rule with this id.
pub fn by_id(id: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.id == id)
}
