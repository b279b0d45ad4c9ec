//! The one list of rules. Ids are a contract: scripts and editors depend on them.
//!
//! Rules with one id are listed in [`RULES`]; checks written once for every tool in
//! [`TOOL_RULES`]. [`Registry::new`] makes the full list for a knowledge base: the single rules,
//! then for each tool each check as `<tool>/<check>`. Each rule's documentation is its page under
//! `docs/rules/`, embedded here so that `cachelint explain` prints the same text (a test checks
//! both stay in step); a tool that is only data and has no page gets a generated one.

use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

use crate::diagnostic::Severity;
use crate::knowledge::Knowledge;

use super::{
    Rule, RuleMeta, ToolRule, cache, invalid_workflow, limit_exceeded, suppression, syntax_error,
    tool,
};

/// Rules with one id, in the order `cachelint rules` lists them. `None`: reported by the
/// parser and the workflow builder, not by a check.
pub static RULES: &[(&RuleMeta, Option<&dyn Rule>)] = &[
    (&syntax_error::META, None),
    (&invalid_workflow::META, None),
    (&limit_exceeded::META, None),
    (&suppression::invalid::META, None),
    (&suppression::unused::META, None),
    (
        &cache::deprecated_action::META,
        Some(&cache::deprecated_action::DeprecatedAction),
    ),
    (
        &cache::key_invalid::META,
        Some(&cache::key_invalid::KeyInvalid),
    ),
    (
        &cache::restore_keys_not_prefix::META,
        Some(&cache::restore_keys_not_prefix::RestoreKeysNotPrefix),
    ),
    (
        &cache::save_path_mismatch::META,
        Some(&cache::save_path_mismatch::SavePathMismatch),
    ),
    (
        &cache::key_never_hits::META,
        Some(&cache::key_never_hits::KeyNeverHits),
    ),
    (
        &cache::hash_before_checkout::META,
        Some(&cache::hash_before_checkout::HashBeforeCheckout),
    ),
];

/// Checks made for every tool, in the order `cachelint rules` lists them.
pub static TOOL_RULES: &[&dyn ToolRule] = &[
    &tool::cache_missing::CacheMissing,
    &tool::cache_path_mismatch::CachePathMismatch,
    &tool::cache_after_use::CacheAfterUse,
    &tool::cache_without_reuse::CacheWithoutReuse,
    &tool::key_missing_hash::KeyMissingHash,
    &tool::key_missing_python::KeyMissingPython,
    &tool::key_missing_os::KeyMissingOs,
    &tool::key_missing_session::KeyMissingSession,
];

/// The documentation pages, by rule id.
static DOCS: &[(&str, &str)] = &[
    (
        "syntax-error",
        include_str!("../../docs/rules/syntax-error.md"),
    ),
    (
        "invalid-workflow",
        include_str!("../../docs/rules/invalid-workflow.md"),
    ),
    (
        "limit-exceeded",
        include_str!("../../docs/rules/limit-exceeded.md"),
    ),
    (
        "suppression/invalid",
        include_str!("../../docs/rules/suppression/invalid.md"),
    ),
    (
        "suppression/unused",
        include_str!("../../docs/rules/suppression/unused.md"),
    ),
    (
        "cache/deprecated-action",
        include_str!("../../docs/rules/cache/deprecated-action.md"),
    ),
    (
        "cache/key-invalid",
        include_str!("../../docs/rules/cache/key-invalid.md"),
    ),
    (
        "cache/restore-keys-not-prefix",
        include_str!("../../docs/rules/cache/restore-keys-not-prefix.md"),
    ),
    (
        "cache/save-path-mismatch",
        include_str!("../../docs/rules/cache/save-path-mismatch.md"),
    ),
    (
        "cache/key-never-hits",
        include_str!("../../docs/rules/cache/key-never-hits.md"),
    ),
    (
        "cache/hash-before-checkout",
        include_str!("../../docs/rules/cache/hash-before-checkout.md"),
    ),
    (
        "nox/cache-missing",
        include_str!("../../docs/rules/nox/cache-missing.md"),
    ),
    (
        "nox/cache-path-mismatch",
        include_str!("../../docs/rules/nox/cache-path-mismatch.md"),
    ),
    (
        "nox/cache-after-use",
        include_str!("../../docs/rules/nox/cache-after-use.md"),
    ),
    (
        "nox/cache-without-reuse",
        include_str!("../../docs/rules/nox/cache-without-reuse.md"),
    ),
    (
        "nox/key-missing-hash",
        include_str!("../../docs/rules/nox/key-missing-hash.md"),
    ),
    (
        "nox/key-missing-python",
        include_str!("../../docs/rules/nox/key-missing-python.md"),
    ),
    (
        "nox/key-missing-os",
        include_str!("../../docs/rules/nox/key-missing-os.md"),
    ),
    (
        "nox/key-missing-session",
        include_str!("../../docs/rules/nox/key-missing-session.md"),
    ),
];

/// What runs a rule.
#[derive(Clone, Copy)]
pub enum RuleKind {
    /// Reported while parsing (`syntax-error`, ...).
    Parser,
    /// A rule with one id.
    Single(&'static dyn Rule),
    /// A check for one tool.
    Tool {
        /// The tool's index in [`Knowledge::tools`].
        tool: usize,
        /// The check.
        check: &'static dyn ToolRule,
    },
}

impl std::fmt::Debug for RuleKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RuleKind::Parser => f.write_str("Parser"),
            RuleKind::Single(r) => write!(f, "Single({})", r.meta().id),
            RuleKind::Tool { tool, check } => write!(f, "Tool({tool}, {})", check.meta().id),
        }
    }
}

/// One rule of a registry.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    /// The id (`nox/cache-missing`).
    pub id: &'static str,
    /// One line: what it reports.
    pub summary: String,
    /// Default severity.
    pub severity: Severity,
    /// The documentation page, when the rule has one under `docs/rules/`.
    pub page: Option<&'static str>,
    /// What runs it.
    pub kind: RuleKind,
}

impl RuleInfo {
    /// The rule's documentation: its page, or for a tool that is only data, a generated one.
    pub fn doc(&self) -> String {
        match self.page {
            Some(p) => p.to_string(),
            None => format!(
                "# {}\n\n{}\n\nThis tool is defined by data only and has no page of its own; the check \
                 works as for every tool (see `cachelint explain nox/{}`).\n",
                self.id,
                self.summary,
                self.id.rsplit('/').next().unwrap_or(self.id)
            ),
        }
    }
}

/// `pyproject.toml` (or another dependency file).
fn deps_summary(deps: &[String]) -> String {
    match deps {
        [] => String::new(),
        [one] => one.clone(),
        [first, ..] => format!("{first} (or another dependency file)"),
    }
}

/// Rule ids made at run time (`<tool>/<check>`) live for the whole process: each distinct id
/// is allocated once, however often a registry is built.
fn intern(id: String) -> &'static str {
    static IDS: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut ids = IDS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(&known) = ids.get(id.as_str()) {
        return known;
    }
    let leaked: &'static str = Box::leak(id.into_boxed_str());
    ids.insert(leaked);
    leaked
}

fn page(id: &str) -> Option<&'static str> {
    DOCS.iter().find(|(i, _)| *i == id).map(|(_, d)| *d)
}

/// Every rule for one knowledge base.
#[derive(Debug, Clone)]
pub struct Registry {
    /// The rules, in the order `cachelint rules` lists them.
    pub rules: Vec<RuleInfo>,
}

impl Registry {
    /// The rules for the tools in `k`.
    pub fn new(k: &Knowledge) -> Self {
        let mut rules = vec![];
        for (meta, rule) in RULES {
            rules.push(RuleInfo {
                id: meta.id,
                summary: meta.summary.to_string(),
                severity: meta.severity,
                page: page(meta.id),
                kind: rule.map_or(RuleKind::Parser, RuleKind::Single),
            });
        }
        for (t, spec) in k.tools.iter().enumerate() {
            for check in TOOL_RULES {
                let meta = check.meta();
                let id = intern(format!("{}/{}", spec.name, meta.id));
                rules.push(RuleInfo {
                    id,
                    summary: meta
                        .summary
                        .replace("{tool}", &spec.name)
                        .replace("{deps}", &deps_summary(&spec.dependency_files)),
                    severity: meta.severity,
                    page: page(id),
                    kind: RuleKind::Tool {
                        tool: t,
                        check: *check,
                    },
                });
            }
        }
        Registry { rules }
    }

    /// The registry of the embedded knowledge (built once).
    pub fn builtin() -> &'static Registry {
        static R: OnceLock<Registry> = OnceLock::new();
        R.get_or_init(|| match Knowledge::load() {
            Ok(k) => Registry::new(&k),
            // The embedded data is checked by tests; without it only the parser rules exist.
            Err(_) => Registry {
                rules: RULES
                    .iter()
                    .map(|(m, _)| RuleInfo {
                        id: m.id,
                        summary: m.summary.to_string(),
                        severity: m.severity,
                        page: page(m.id),
                        kind: RuleKind::Parser,
                    })
                    .collect(),
            },
        })
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The index of the rule with this id.
    pub fn index(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.id == id)
    }

    /// Every documentation page, by id (for tests and docs).
    pub fn pages() -> &'static [(&'static str, &'static str)] {
        DOCS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_rules_are_made_per_tool_with_interned_ids() {
        let r = Registry::builtin();
        let ids: Vec<_> = r.rules.iter().map(|r| r.id).collect();
        assert_eq!(
            ids,
            [
                "syntax-error",
                "invalid-workflow",
                "limit-exceeded",
                "suppression/invalid",
                "suppression/unused",
                "cache/deprecated-action",
                "cache/key-invalid",
                "cache/restore-keys-not-prefix",
                "cache/save-path-mismatch",
                "cache/key-never-hits",
                "cache/hash-before-checkout",
                "nox/cache-missing",
                "nox/cache-path-mismatch",
                "nox/cache-after-use",
                "nox/cache-without-reuse",
                "nox/key-missing-hash",
                "nox/key-missing-python",
                "nox/key-missing-os",
                "nox/key-missing-session"
            ]
        );
        let again = Registry::new(&Knowledge::load().unwrap());
        assert!(std::ptr::eq(again.rules[9].id, r.rules[9].id));
        assert!(r.rules.iter().all(|r| r.page.is_some()));
        assert_eq!(
            r.get("nox/key-missing-hash").map(|r| r.summary.as_str()),
            Some(
                "The cache key for nox's environments does not hash pyproject.toml (or another dependency file)."
            )
        );
    }
}
