//! From configuration files to what the engine runs: the linted files that share settings
//! (the same configuration file and the same `per-file-ignores`) form one group, with its
//! knowledge (the built-in data plus what the file adds) and its rule settings.

use std::path::Path;
use std::sync::Arc;

use crate::engine::{Layer, Settings, unknown_selectors};
use crate::knowledge::Knowledge;
use crate::rules::Registry;

use super::{Config, ConfigError};

/// Files with the same settings.
#[derive(Debug)]
pub struct Group {
    /// The configuration file (`None`: defaults).
    pub config: Option<Arc<Config>>,
    /// The `per-file-ignores` selectors that apply.
    pub per_file: Vec<String>,
    /// The tool knowledge.
    pub knowledge: Arc<Knowledge>,
    /// The rules, on or off, and their severities.
    pub settings: Settings,
}

/// The groups of a run.
#[derive(Debug)]
pub struct Groups {
    base: Arc<Knowledge>,
    cli: Layer,
    /// The groups, in the order they were first needed.
    pub groups: Vec<Group>,
    /// Knowledge per configuration file that extends it.
    extended: Vec<(std::path::PathBuf, Arc<Knowledge>)>,
}

impl Groups {
    /// No groups yet; `cli` is the command line's `--select` / `--ignore`, applied after a
    /// configuration file's.
    pub fn new(base: Arc<Knowledge>, cli: Layer) -> Groups {
        Groups {
            base,
            cli,
            groups: vec![],
            extended: vec![],
        }
    }

    /// The group of a file (or, with `file` a folder, of a stream read there) under `config`.
    pub fn group_of(
        &mut self,
        config: Option<Arc<Config>>,
        file: &Path,
    ) -> Result<usize, ConfigError> {
        let per_file = match &config {
            Some(c) => c.per_file_ignores(file)?,
            None => vec![],
        };
        let same = |g: &Group| {
            g.per_file == per_file
                && match (&g.config, &config) {
                    (None, None) => true,
                    (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                    _ => false,
                }
        };
        if let Some(i) = self.groups.iter().position(same) {
            return Ok(i);
        }
        let knowledge = match &config {
            Some(c) if c.extends_knowledge() => self.knowledge_for(c)?,
            _ => self.base.clone(),
        };
        let registry = Registry::new(&knowledge);
        let mut layers = vec![];
        let mut severities = vec![];
        if let Some(c) = &config {
            for sel in c.selectors() {
                if let Some(e) = unknown_selectors(&registry, [sel.get_ref()]).pop() {
                    return Err(
                        c.selector_error(sel, format!("{e} (`cachelint rules` lists the rules)"))
                    );
                }
            }
            layers.push(c.layer());
            severities = c.severities();
        }
        layers.push(self.cli.clone());
        layers.push(Layer {
            ignore: per_file.clone(),
            ..Layer::default()
        });
        let settings = Settings::layered(&registry, &layers, &severities).map_err(|errors| {
            let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
            ConfigError {
                path: file.to_path_buf(),
                text: String::new(),
                span: None,
                message: text.join("; "),
            }
        })?;
        self.groups.push(Group {
            config,
            per_file,
            knowledge,
            settings,
        });
        Ok(self.groups.len() - 1)
    }

    fn knowledge_for(&mut self, c: &Config) -> Result<Arc<Knowledge>, ConfigError> {
        if let Some((_, k)) = self.extended.iter().find(|(p, _)| *p == c.path) {
            return Ok(k.clone());
        }
        let ext = c.extension()?;
        let k = Arc::new(
            self.base
                .extended(&ext)
                .map_err(|e| c.error(format!("`knowledge`: {e}")))?,
        );
        self.extended.push((c.path.clone(), k.clone()));
        Ok(k)
    }

    /// `--show-settings`: what a group runs, as `key = value` lines.
    pub fn describe(&self, g: usize, file: Option<&str>) -> String {
        let Some(group) = self.groups.get(g) else {
            return String::new();
        };
        let mut out = String::new();
        let push = |out: &mut String, key: &str, value: String| {
            out.push_str(&format!("{key:<19} = {value}\n"));
        };
        let list = |items: Vec<String>| -> String {
            if items.is_empty() {
                "[]".to_string()
            } else {
                format!(
                    "[\n{}\n]",
                    items
                        .iter()
                        .map(|i| format!("  {i},"))
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            }
        };
        if let Some(f) = file {
            push(&mut out, "file", format!("{f:?}"));
        }
        push(
            &mut out,
            "configuration",
            match &group.config {
                Some(c) => format!("{:?}", super::shown_path(&c.path).display().to_string()),
                None => "none (the defaults)".to_string(),
            },
        );
        let on: Vec<&str> = group.settings.enabled_rules().map(|r| r.id).collect();
        let mut rules: Vec<String> = vec![];
        for id in crate::engine::ALWAYS_REPORTED
            .iter()
            .filter(|id| !on.contains(id))
        {
            let sev = group.settings.severity(id).map_or("error", |s| s.as_str());
            rules.push(format!("{id:?} ({sev}, always reported)"));
        }
        for r in group.settings.enabled_rules() {
            let sev = group.settings.severity(r.id).unwrap_or(r.severity);
            rules.push(format!("{:?} ({sev})", r.id));
        }
        push(&mut out, "rules", list(rules));
        push(
            &mut out,
            "per-file-ignores",
            list(group.per_file.iter().map(|s| format!("{s:?}")).collect()),
        );
        let k = &group.knowledge;
        push(
            &mut out,
            "cache-actions",
            list(
                k.cache_actions
                    .iter()
                    .map(|a| format!("{:?}", a.uses))
                    .collect(),
            ),
        );
        for t in &k.tools {
            push(
                &mut out,
                &format!("{}.dependency-files", t.name),
                list(
                    t.dependency_files
                        .iter()
                        .map(|f| format!("{f:?}"))
                        .collect(),
                ),
            );
        }
        if let Some(c) = &group.config {
            let o = &c.options;
            if let Some(ex) = &o.exclude {
                push(
                    &mut out,
                    "exclude",
                    list(ex.iter().map(|f| format!("{f:?}")).collect()),
                );
            }
            if !o.extend_exclude.is_empty() {
                push(
                    &mut out,
                    "extend-exclude",
                    list(o.extend_exclude.iter().map(|f| format!("{f:?}")).collect()),
                );
            }
        }
        out
    }
}
