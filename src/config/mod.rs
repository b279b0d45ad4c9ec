//! Project settings: `[tool.cachelint]` in `pyproject.toml`, or `cachelint.toml` /
//! `.cachelint.toml` (the same keys at the top level). For each linted file the nearest of
//! these in its folder or a folder above wins (in one folder: `.cachelint.toml`, then
//! `cachelint.toml`, then a `pyproject.toml` that has a `[tool.cachelint]` table), as ruff finds
//! its settings; `--config PATH` names one file for every linted file and `--isolated` reads
//! none. Every key is documented once, in [`SETTINGS`] (printed by `cachelint config KEY`,
//! and checked against `docs/configuration.md` by a test).
//!
//! This module reads configuration files from the disk; the engine it configures does not.

mod docs;
mod groups;
mod resolve;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Severity;
use crate::engine::Layer;
use crate::knowledge::{CacheAction, Extension, Launcher, RunnerAction, Wrapper};

pub use docs::{SETTINGS, Setting};
pub use groups::{Group, Groups};
pub use resolve::Resolver;

/// The file names read, in the order they win within one folder.
pub const FILE_NAMES: [&str; 3] = [".cachelint.toml", "cachelint.toml", "pyproject.toml"];

/// A severity as a configuration file spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// `error`.
    Error,
    /// `warning`.
    Warning,
    /// `info`.
    Info,
}

impl From<Level> for Severity {
    fn from(l: Level) -> Severity {
        match l {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info => Severity::Info,
        }
    }
}

/// The settings of one configuration file, as written (each key is documented in
/// [`SETTINGS`]).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Rules to run (ids or prefixes); without it, every rule.
    pub select: Option<Vec<Spanned<String>>>,
    /// Rules to run as well as `select`'s.
    #[serde(default)]
    pub extend_select: Vec<Spanned<String>>,
    /// Rules not to run.
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    /// Rules not to run for the files a glob matches.
    #[serde(default)]
    pub per_file_ignores: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    /// Severity per rule selector.
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Level>,
    /// Actions that restore and save a cache as `actions/cache` does.
    #[serde(default)]
    pub extra_cache_actions: Vec<Spanned<String>>,
    /// Files whose hash a cache key may carry, beyond the tool data's.
    #[serde(default)]
    pub dependency_files: Vec<String>,
    /// Globs a directory search leaves out, instead of the default folders.
    pub exclude: Option<Vec<String>>,
    /// Globs a directory search leaves out, as well.
    #[serde(default)]
    pub extend_exclude: Vec<String>,
    /// Tool knowledge the project adds, in the built-in data's schema.
    #[serde(default)]
    pub knowledge: KnowledgeTable,
}

/// `[tool.cachelint.knowledge]`: more of the built-in data (`rules/`), in its own schema.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeTable {
    /// As `rules/tools/launchers.yml`'s `launchers`.
    #[serde(default)]
    pub launchers: Vec<Launcher>,
    /// As its `wrappers`.
    #[serde(default)]
    pub wrappers: Vec<Wrapper>,
    /// As `rules/cache-actions.yml`'s `actions`.
    #[serde(default)]
    pub cache_actions: Vec<CacheAction>,
    /// As a tool file's `runner_actions`, by tool name: `[[knowledge.runner_actions.nox]]`.
    #[serde(default)]
    pub runner_actions: BTreeMap<String, Vec<RunnerAction>>,
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<PyprojectTool>,
}

#[derive(Deserialize)]
struct PyprojectTool {
    cachelint: Option<Options>,
}

/// A configuration file that was read.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file.
    pub path: PathBuf,
    /// Its text (for error spans).
    pub text: String,
    /// Where its relative globs start: its folder.
    pub dir: PathBuf,
    /// What it says.
    pub options: Options,
}

/// A configuration file that is wrong: where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// Its text (empty when it could not be read).
    pub text: String,
    /// The bytes the error is about, when it is about some.
    pub span: Option<Range<usize>>,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    fn new(config: &Config, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        ConfigError {
            path: config.path.clone(),
            text: config.text.clone(),
            span,
            message: message.into(),
        }
    }

    /// `path:line:column: message`, then the line with the span underlined (plain text: a
    /// configuration error stops the run before any report is made).
    pub fn render(&self) -> String {
        let shown = shown_path(&self.path);
        let name = shown.display();
        let Some(span) = self.span.clone() else {
            return format!("{name}: {}", self.message);
        };
        let start = span.start.min(self.text.len());
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let line_no = self.text[..start].matches('\n').count() + 1;
        let col = self.text[line_start..start].chars().count() + 1;
        let line = &self.text[line_start..line_end];
        let width = self.text[start..span.end.clamp(start, line_end)]
            .chars()
            .count()
            .max(1);
        let gutter = line_no.to_string().len();
        format!(
            "{name}:{line_no}:{col}: {}\n{:gutter$} |\n{line_no} | {line}\n{:gutter$} | {}{}",
            self.message,
            "",
            "",
            " ".repeat(col - 1),
            "^".repeat(width)
        )
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

/// A path relative to the working directory when it is below it (as linted files are shown).
pub(crate) fn shown_path(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|c| path.strip_prefix(c).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// Reads the settings in `text`, a file named `path`: `Ok(None)` for a `pyproject.toml`
/// without a `[tool.cachelint]` table (it is not a cachelint configuration, and is not
/// judged even when it is not valid TOML, unless it mentions cachelint).
pub fn parse(path: &Path, text: &str) -> Result<Option<Config>, ConfigError> {
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let error = |e: toml::de::Error| ConfigError {
        path: path.to_path_buf(),
        text: text.to_string(),
        span: e.span(),
        message: e.message().trim_end().to_string(),
    };
    let options = if is_pyproject {
        match toml::from_str::<Pyproject>(text) {
            Ok(p) => p.tool.and_then(|t| t.cachelint),
            Err(_) if !text.contains("cachelint") => None,
            Err(e) => return Err(error(e)),
        }
    } else {
        Some(toml::from_str::<Options>(text).map_err(error)?)
    };
    let Some(options) = options else {
        return Ok(None);
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    Ok(Some(Config {
        path: path.to_path_buf(),
        text: text.to_string(),
        dir,
        options,
    }))
}

fn strings(list: &[Spanned<String>]) -> Vec<String> {
    list.iter().map(|s| s.get_ref().clone()).collect()
}

impl Config {
    /// The rule selection layer this file makes.
    pub fn layer(&self) -> Layer {
        let o = &self.options;
        Layer {
            select: o.select.as_deref().map(strings),
            extend_select: strings(&o.extend_select),
            ignore: strings(&o.ignore),
        }
    }

    /// The severity overrides, by selector.
    pub fn severities(&self) -> Vec<(String, Severity)> {
        self.options
            .severity
            .iter()
            .map(|(s, l)| (s.get_ref().clone(), (*l).into()))
            .collect()
    }

    /// Every rule selector the file names, with its span (for errors that point at it).
    pub fn selectors(&self) -> Vec<&Spanned<String>> {
        let o = &self.options;
        o.select
            .iter()
            .flatten()
            .chain(&o.extend_select)
            .chain(&o.ignore)
            .chain(o.per_file_ignores.values().flatten())
            .chain(o.severity.keys())
            .collect()
    }

    /// The file's additions to the tool knowledge (empty when it adds none).
    pub fn extension(&self) -> Result<Extension, ConfigError> {
        let o = &self.options;
        let mut cache_actions = o.knowledge.cache_actions.clone();
        for a in &o.extra_cache_actions {
            let uses = a.get_ref().trim();
            if uses.split('/').filter(|p| !p.is_empty()).count() < 2 || uses.contains('@') {
                return Err(ConfigError::new(
                    self,
                    Some(a.span()),
                    format!(
                        "`{uses}` is not an action name: write `owner/repo` or `owner/repo/path`, without `@ref`"
                    ),
                ));
            }
            let action = serde_json::json!({ "uses": uses, "restores": true, "saves": true });
            match serde_json::from_value::<CacheAction>(action) {
                Ok(a) => cache_actions.push(a),
                Err(e) => return Err(ConfigError::new(self, Some(a.span()), e.to_string())),
            }
        }
        Ok(Extension {
            launchers: o.knowledge.launchers.clone(),
            wrappers: o.knowledge.wrappers.clone(),
            cache_actions,
            runner_actions: o
                .knowledge
                .runner_actions
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            dependency_files: o.dependency_files.clone(),
        })
    }

    /// Whether the file adds to the tool knowledge.
    pub fn extends_knowledge(&self) -> bool {
        let o = &self.options;
        let k = &o.knowledge;
        !(o.extra_cache_actions.is_empty()
            && o.dependency_files.is_empty()
            && k.launchers.is_empty()
            && k.wrappers.is_empty()
            && k.cache_actions.is_empty()
            && k.runner_actions.is_empty())
    }

    /// The `per-file-ignores` selectors for `file` (a path as linted): those of every glob
    /// that matches its path relative to this file's folder, or, for a glob without a `/`, its
    /// name.
    pub fn per_file_ignores(&self, file: &Path) -> Result<Vec<String>, ConfigError> {
        let mut out = vec![];
        if self.options.per_file_ignores.is_empty() {
            return Ok(out);
        }
        let abs = resolve::absolute(file);
        let dir = resolve::absolute(&self.dir);
        let rel = abs.strip_prefix(&dir).unwrap_or(&abs);
        for (glob, rules) in &self.options.per_file_ignores {
            let pattern = glob.get_ref();
            let matcher = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| {
                    ConfigError::new(self, Some(glob.span()), format!("invalid glob: {e}"))
                })?
                .compile_matcher();
            let hit = matcher.is_match(rel)
                || (!pattern.contains('/') && abs.file_name().is_some_and(|n| matcher.is_match(n)));
            if hit {
                out.extend(strings(rules));
            }
        }
        Ok(out)
    }

    /// An error about a selector of this file.
    pub fn selector_error(&self, selector: &Spanned<String>, message: String) -> ConfigError {
        ConfigError::new(self, Some(selector.span()), message)
    }

    /// An error about the file as a whole.
    pub fn error(&self, message: String) -> ConfigError {
        ConfigError::new(self, None, message)
    }
}

#[cfg(test)]
mod tests;
