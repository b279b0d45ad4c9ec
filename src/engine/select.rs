//! Which rules run and at which severity: `--select` / `--ignore` selectors over a registry.

use crate::diagnostic::Severity;
use crate::rules::{Registry, RuleInfo};

/// Rules whose findings mean the file was not linted: reported whatever the selection says
/// (a run that skipped a file must not look clean).
pub const ALWAYS_REPORTED: [&str; 2] = [
    crate::rules::syntax_error::META.id,
    crate::rules::limit_exceeded::META.id,
];

impl Selection {
    /// The `--ignore` selectors that name a rule of [`ALWAYS_REPORTED`], with that rule's id.
    pub fn ignored_but_always_reported(&self) -> Vec<(&str, &'static str)> {
        self.ignore
            .iter()
            .flat_map(|s| {
                ALWAYS_REPORTED
                    .iter()
                    .filter(|id| selector_matches(s, id))
                    .map(move |id| (s.as_str(), *id))
            })
            .collect()
    }
}

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
        if self.selector.trim().is_empty() {
            return write!(
                f,
                "an empty rule selector: give a rule id or a prefix such as `nox/`"
            );
        }
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

/// One layer of rule selection, applied over the layers before it: `select` (when given)
/// replaces the rules on so far, `extend_select` adds to them, `ignore` takes away (and wins
/// over both within the layer). The configuration file is one layer, the command line the
/// next, a file's `per-file-ignores` the last.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layer {
    /// The rules on from this layer on (`None`: those of the layers before).
    pub select: Option<Vec<String>>,
    /// Rules to turn on as well.
    pub extend_select: Vec<String>,
    /// Rules to turn off.
    pub ignore: Vec<String>,
}

impl From<&Selection> for Layer {
    fn from(s: &Selection) -> Layer {
        Layer {
            select: (!s.select.is_empty()).then(|| s.select.clone()),
            extend_select: vec![],
            ignore: s.ignore.clone(),
        }
    }
}

impl Layer {
    /// Every selector of the layer.
    pub fn selectors(&self) -> impl Iterator<Item = &String> {
        self.select
            .iter()
            .flatten()
            .chain(&self.extend_select)
            .chain(&self.ignore)
    }
}

/// The selectors among `selectors` that name no rule of `registry`, as errors.
pub fn unknown_selectors<'s>(
    registry: &Registry,
    selectors: impl IntoIterator<Item = &'s String>,
) -> Vec<SelectionError> {
    selectors
        .into_iter()
        .filter(|s| !registry.rules.iter().any(|r| selector_matches(s, r.id)))
        .map(|s| SelectionError {
            selector: s.clone(),
            suggestion: suggest(s, registry),
        })
        .collect()
}

impl Settings {
    /// Every rule of `registry`, filtered by `selection`. Selectors that name no rule are errors.
    pub fn new(
        registry: &Registry,
        selection: &Selection,
    ) -> Result<Settings, Vec<SelectionError>> {
        Self::layered(registry, &[Layer::from(selection)], &[])
    }

    /// Every rule of `registry`, on or off as the layers say in order, at the severity of the
    /// most specific selector in `severities` that names it (else its default). Selectors that
    /// name no rule are errors.
    pub fn layered(
        registry: &Registry,
        layers: &[Layer],
        severities: &[(String, Severity)],
    ) -> Result<Settings, Vec<SelectionError>> {
        let selectors = layers
            .iter()
            .flat_map(Layer::selectors)
            .chain(severities.iter().map(|(s, _)| s));
        let errors = unknown_selectors(registry, selectors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let any = |list: &[String], id: &str| list.iter().any(|s| selector_matches(s, id));
        let enabled = |id: &str| {
            let mut on = true;
            for l in layers {
                if let Some(select) = &l.select {
                    on = any(select, id);
                }
                on = (on || any(&l.extend_select, id)) && !any(&l.ignore, id);
            }
            on
        };
        let severity = |r: &RuleInfo| {
            severities
                .iter()
                .filter(|(s, _)| selector_matches(s, r.id))
                .max_by_key(|(s, _)| s.trim().len())
                .map_or(r.severity, |(_, sev)| *sev)
        };
        Ok(Settings {
            rules: registry
                .rules
                .iter()
                .map(|r| (r.clone(), enabled(r.id), severity(r)))
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

    /// The severity the settings give the rule with this id when it is not the rule's default
    /// (a rule may report some findings below its default, `cache/deprecated-action`'s
    /// deprecated inputs; only a severity the user chose overrides them).
    pub fn overridden_severity(&self, id: &str) -> Option<Severity> {
        self.rules
            .iter()
            .find(|(r, ..)| r.id == id)
            .and_then(|(r, _, s)| (*s != r.severity).then_some(*s))
    }

    /// Whether `selector` names at least one rule (on or off).
    pub fn known(&self, selector: &str) -> bool {
        self.rules
            .iter()
            .any(|(r, ..)| selector_matches(selector, r.id))
    }

    /// Whether `selector` names at least one rule that runs.
    pub fn any_enabled(&self, selector: &str) -> bool {
        self.rules
            .iter()
            .any(|(r, on, _)| *on && selector_matches(selector, r.id))
    }

    /// The rule id closest to a selector that names none, when one is close (a typo).
    pub fn closest(&self, selector: &str) -> Option<&'static str> {
        let s = selector.trim().to_lowercase();
        self.rules
            .iter()
            .map(|(r, ..)| (strsim::damerau_levenshtein(&s, r.id), r.id))
            .filter(|(d, id)| *d <= (id.len() / 4).max(2))
            .min()
            .map(|(_, id)| id)
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
        let sel = Selection {
            select: vec![],
            ignore: vec!["syntax".into(), "nox/".into(), "limit-exceeded".into()],
        };
        assert_eq!(
            sel.ignored_but_always_reported(),
            [
                ("syntax", "syntax-error"),
                ("limit-exceeded", "limit-exceeded")
            ]
        );
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
        assert_eq!(
            on,
            [
                "nox/cache-missing",
                "nox/cache-path-mismatch",
                "nox/cache-without-reuse"
            ]
        );
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
    fn layers_apply_in_order_and_severities_by_the_most_specific_selector() {
        let reg = Registry::builtin();
        let on = |layers: &[Layer]| -> Vec<&str> {
            Settings::layered(reg, layers, &[])
                .unwrap()
                .enabled_rules()
                .map(|r| r.id)
                .filter(|id| id.starts_with("nox/cache-"))
                .collect()
        };
        let config = Layer {
            select: Some(vec!["nox/cache-missing".into()]),
            extend_select: vec!["nox/cache-after-use".into()],
            ignore: vec![],
        };
        assert_eq!(
            on(std::slice::from_ref(&config)),
            ["nox/cache-missing", "nox/cache-after-use"]
        );
        // The command line's select replaces the configuration's; its ignore takes away.
        let cli = Layer {
            select: Some(vec!["nox/cache".into()]),
            extend_select: vec![],
            ignore: vec!["nox/cache-path-mismatch".into()],
        };
        assert_eq!(
            on(&[config.clone(), cli]),
            [
                "nox/cache-missing",
                "nox/cache-after-use",
                "nox/cache-without-reuse"
            ]
        );
        // Per-file ignores come last.
        let file = Layer {
            ignore: vec!["nox/cache-missing".into()],
            ..Layer::default()
        };
        assert_eq!(on(&[config, file]), ["nox/cache-after-use"]);
        let s = Settings::layered(
            reg,
            &[],
            &[
                ("nox/".into(), Severity::Info),
                ("nox/key-missing-hash".into(), Severity::Error),
            ],
        )
        .unwrap();
        assert_eq!(s.severity("nox/cache-missing"), Some(Severity::Info));
        assert_eq!(s.severity("nox/key-missing-hash"), Some(Severity::Error));
        assert_eq!(s.severity("cache/key-invalid"), Some(Severity::Error));
        assert!(Settings::layered(reg, &[], &[("nox/nope".into(), Severity::Info)]).is_err());
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
