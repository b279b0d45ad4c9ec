//! Which rules run and at which severity: `--select` / `--ignore` selectors over a registry.

use crate::diagnostic::Severity;
use crate::rules::{Registry, RuleInfo};

/// Rule selectors as given.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Rule ids or prefixes to run (empty: all).
    pub select: Vec<String>,
    /// Rule ids or prefixes not to run.
    pub ignore: Vec<String>,
}

/// Whether `selector` names `id`: the id itself, or a prefix of it that ends at a `/` or `-`
/// boundary (`nox`, `nox/`, `nox/cache` and `nox/cache-` all select `nox/cache-missing`; `no`
/// and `nox/cach` do not).
pub fn selector_matches(selector: &str, id: &str) -> bool {
    let s = selector.trim();
    if s.is_empty() || !id.starts_with(s) {
        return false;
    }
    id.len() == s.len()
        || s.ends_with(['/', '-'])
        || matches!(id.as_bytes().get(s.len()), Some(b'/' | b'-'))
}

/// A selector that names no rule, with the closest rule id or prefix when one is close.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectionError {
    /// The selector as given.
    pub selector: String,
    /// A known id or prefix it was probably meant to be.
    pub suggestion: Option<String>,
}

impl std::fmt::Display for SelectionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown rule selector `{}`", self.selector)?;
        if let Some(s) = &self.suggestion {
            write!(f, "; did you mean `{s}`?")?;
        }
        Ok(())
    }
}

/// The closest rule id or id prefix to `selector`, if it is close enough to be a typo.
fn suggest(selector: &str, registry: &Registry) -> Option<String> {
    let mut candidates: Vec<String> = vec![];
    for r in &registry.rules {
        candidates.push(r.id.to_string());
        // Every prefix that selects: `nox/`, `nox/cache`, `nox/key-missing`.
        for (i, b) in r.id.bytes().enumerate() {
            match b {
                b'/' => candidates.push(r.id[..=i].to_string()),
                b'-' => candidates.push(r.id[..i].to_string()),
                _ => {}
            }
        }
    }
    candidates.sort();
    candidates.dedup();
    let s = selector.trim();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(s, &c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The closest full rule id to `id`, if it is close enough to be a typo (for `explain`).
pub fn closest_id(id: &str, registry: &Registry) -> Option<String> {
    registry
        .rules
        .iter()
        .map(|r| (strsim::jaro_winkler(id, r.id), r.id))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, id)| id.to_string())
}

/// What runs, resolved against a registry once per run.
#[derive(Clone, Debug)]
pub struct Settings {
    rules: Vec<(RuleInfo, bool, Severity)>,
}

impl Settings {
    /// Every rule of `registry`, filtered by `selection`. Selectors that name no rule are errors.
    pub fn new(
        registry: &Registry,
        selection: &Selection,
    ) -> Result<Settings, Vec<SelectionError>> {
        let errors: Vec<SelectionError> = selection
            .select
            .iter()
            .chain(&selection.ignore)
            .filter(|s| !registry.rules.iter().any(|r| selector_matches(s, r.id)))
            .map(|s| SelectionError {
                selector: s.clone(),
                suggestion: suggest(s, registry),
            })
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let enabled = |id: &str| {
            (selection.select.is_empty()
                || selection.select.iter().any(|s| selector_matches(s, id)))
                && !selection.ignore.iter().any(|s| selector_matches(s, id))
        };
        Ok(Settings {
            rules: registry
                .rules
                .iter()
                .map(|r| (r.clone(), enabled(r.id), r.severity))
                .collect(),
        })
    }

    /// Every rule of `registry`, at its default severity.
    pub fn all(registry: &Registry) -> Settings {
        Settings {
            rules: registry
                .rules
                .iter()
                .map(|r| (r.clone(), true, r.severity))
                .collect(),
        }
    }

    /// Whether the rule with this id runs.
    pub fn enabled(&self, id: &str) -> bool {
        self.rules.iter().any(|(r, on, _)| r.id == id && *on)
    }

    /// The severity of the rule with this id (`None`: no such rule).
    pub fn severity(&self, id: &str) -> Option<Severity> {
        self.rules
            .iter()
            .find(|(r, ..)| r.id == id)
            .map(|(.., s)| *s)
    }

    /// The enabled rules, in registry order.
    pub fn enabled_rules(&self) -> impl Iterator<Item = &RuleInfo> {
        self.rules.iter().filter(|(_, on, _)| *on).map(|(r, ..)| r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_match_at_slash_and_dash_boundaries() {
        for s in [
            "nox/",
            "nox",
            "nox/cache",
            "nox/cache-",
            "nox/cache-missing",
        ] {
            assert!(selector_matches(s, "nox/cache-missing"), "{s}");
        }
        for s in ["no", "nox/cach", "nox/cache-missing-x", "", "cache-missing"] {
            assert!(!selector_matches(s, "nox/cache-missing"), "{s}");
        }
        assert!(selector_matches("syntax", "syntax-error"));
    }

    #[test]
    fn settings_select_ignore_and_suggest() {
        let reg = Registry::builtin();
        let s = Settings::new(
            reg,
            &Selection {
                select: vec!["nox/cache".into()],
                ignore: vec!["nox/cache-after-use".into()],
            },
        )
        .unwrap();
        let on: Vec<_> = s.enabled_rules().map(|r| r.id).collect();
        assert_eq!(on, ["nox/cache-missing"]);
        let err = Settings::new(
            reg,
            &Selection {
                select: vec!["nox/cache-mising".into(), "zzz".into()],
                ignore: vec![],
            },
        )
        .unwrap_err();
        assert_eq!(err[0].suggestion.as_deref(), Some("nox/cache-missing"));
        assert_eq!(
            err[0].to_string(),
            "unknown rule selector `nox/cache-mising`; did you mean `nox/cache-missing`?"
        );
        assert_eq!(err[1].suggestion, None);
        let err = Settings::new(
            reg,
            &Selection {
                select: vec!["noxx/".into()],
                ignore: vec![],
            },
        )
        .unwrap_err();
        assert_eq!(err[0].suggestion.as_deref(), Some("nox/"));
        let err = Settings::new(
            reg,
            &Selection {
                select: vec!["nox/cach".into()],
                ignore: vec![],
            },
        )
        .unwrap_err();
        assert_eq!(err[0].suggestion.as_deref(), Some("nox/cache"));
    }

    #[test]
    fn closest_rule_id() {
        let reg = Registry::builtin();
        assert_eq!(
            closest_id("nox/cache-mising", reg).as_deref(),
            Some("nox/cache-missing")
        );
        assert_eq!(closest_id("zzz", reg), None);
    }
}
