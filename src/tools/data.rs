//! Tool knowledge, loaded from the YAML files under the top-level `rules/` folder. The files are
//! embedded at build time; [`Knowledge::load`] parses and validates them once per process.

use regex::Regex;
use serde::Deserialize;

const NOX: &str = include_str!("../../rules/tools/nox.yml");
const LAUNCHERS: &str = include_str!("../../rules/tools/launchers.yml");
const CACHE_ACTIONS: &str = include_str!("../../rules/cache-actions.yml");

/// A tool whose invocations the rules look for (`rules/tools/<tool>.yml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolSpec {
    /// Display name.
    pub name: String,
    /// Package name for `uvx` / `pipx run` / `uv tool run`.
    pub package: String,
    /// Module name for `python -m`.
    pub module: String,
    /// Command words that are the tool itself.
    pub executables: Vec<String>,
    /// Where the tool puts its environments, relative to its config file's directory.
    pub default_envdir: String,
    /// Options whose value is the next word.
    pub options_with_value: Vec<String>,
    /// Options that set the envdir.
    pub envdir_options: Vec<String>,
    /// Options that name the config file (noxfile).
    pub noxfile_options: Vec<String>,
    /// Options that mean no environment is created.
    pub no_environment_options: Vec<String>,
    /// Option values that mean no environment is created.
    pub no_environment_values: Vec<OptionValues>,
    /// Options that turn environment reuse on.
    pub reuse_on_options: Vec<String>,
    /// Options that turn environment reuse off.
    pub reuse_off_options: Vec<String>,
    /// An option whose value turns reuse on or off.
    pub reuse_values: ReuseValues,
    /// Actions (`uses:`) that run the tool.
    #[serde(default)]
    pub runner_actions: Vec<RunnerAction>,
    /// Actions with an input that is a shell script.
    #[serde(default)]
    pub script_actions: Vec<ScriptAction>,
}

/// Options and the values that matter for them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionValues {
    /// Option spellings.
    pub options: Vec<String>,
    /// Values.
    pub values: Vec<String>,
}

/// `--reuse-venv=yes|no|...`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReuseValues {
    /// Option spellings.
    pub options: Vec<String>,
    /// Values that turn reuse on.
    pub on: Vec<String>,
    /// Values that turn reuse off.
    pub off: Vec<String>,
}

/// An action that runs the tool.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunnerAction {
    /// `owner/repo[/path]`, lowercase.
    pub uses: String,
    /// The input that sets the directory the tool runs in.
    pub working_directory_input: Option<String>,
}

/// An action with a shell-script input.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptAction {
    /// `owner/repo[/path]`, lowercase.
    pub uses: String,
    /// The input holding the script.
    pub input: String,
}

/// What the word after a launcher must be.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// The tool's Python module (`python -m nox`).
    Module,
    /// A package spec (`uvx nox[uv]`).
    Package,
    /// The tool's executable (`uv run nox`).
    Executable,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LauncherFile {
    launchers: Vec<LauncherSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LauncherSpec {
    program: String,
    #[serde(default)]
    before: Vec<String>,
    target: Target,
    #[serde(default)]
    options_with_value: Vec<String>,
}

/// A command that runs a Python tool.
#[derive(Debug)]
pub struct Launcher {
    /// Matches the command word's last path component.
    pub program: Regex,
    /// Words that must follow (options may come between).
    pub before: Vec<String>,
    /// What the next non-option word must be.
    pub target: Target,
    /// Options whose value is the next word.
    pub options_with_value: Vec<String>,
}

/// An action that restores and/or saves a cache (`rules/cache-actions.yml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheAction {
    /// `owner/repo[/path]`, lowercase.
    pub uses: String,
    /// Whether the step restores a cache.
    pub restores: bool,
    /// Whether the step (or its post step) saves a cache.
    pub saves: bool,
    /// The input with the paths.
    #[serde(default = "default_path")]
    pub path_input: String,
    /// The input with the key.
    #[serde(default = "default_key")]
    pub key_input: String,
    /// The input with the restore keys.
    #[serde(default = "default_restore_keys")]
    pub restore_keys_input: String,
}

fn default_path() -> String {
    "path".into()
}
fn default_key() -> String {
    "key".into()
}
fn default_restore_keys() -> String {
    "restore-keys".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CacheFile {
    actions: Vec<CacheAction>,
}

/// All tool knowledge.
#[derive(Debug)]
pub struct Knowledge {
    /// nox.
    pub nox: ToolSpec,
    /// Launchers shared by all Python tools.
    pub launchers: Vec<Launcher>,
    /// Cache actions.
    pub cache_actions: Vec<CacheAction>,
}

impl Knowledge {
    /// Parses and validates the embedded data.
    pub fn load() -> Result<Knowledge, String> {
        let nox: ToolSpec = parse("rules/tools/nox.yml", NOX)?;
        let launchers: LauncherFile = parse("rules/tools/launchers.yml", LAUNCHERS)?;
        let caches: CacheFile = parse("rules/cache-actions.yml", CACHE_ACTIONS)?;
        let launchers = launchers
            .launchers
            .into_iter()
            .map(|l| {
                Ok(Launcher {
                    program: Regex::new(&l.program)
                        .map_err(|e| format!("rules/tools/launchers.yml: {e}"))?,
                    before: l.before,
                    target: l.target,
                    options_with_value: l.options_with_value,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let k = Knowledge {
            nox,
            launchers,
            cache_actions: caches.actions,
        };
        k.validate()?;
        Ok(k)
    }

    fn validate(&self) -> Result<(), String> {
        let lower = |s: &str| s == s.to_ascii_lowercase();
        for a in &self.cache_actions {
            if !lower(&a.uses) || a.uses.split('/').count() < 2 {
                return Err(format!(
                    "rules/cache-actions.yml: bad action name {:?}",
                    a.uses
                ));
            }
            if !a.restores && !a.saves {
                return Err(format!(
                    "rules/cache-actions.yml: {} neither restores nor saves",
                    a.uses
                ));
            }
        }
        let t = &self.nox;
        for a in t
            .runner_actions
            .iter()
            .map(|a| &a.uses)
            .chain(t.script_actions.iter().map(|a| &a.uses))
        {
            if !lower(a) {
                return Err(format!(
                    "rules/tools/{}.yml: action names are lowercase: {a:?}",
                    t.name
                ));
            }
        }
        let all_options = t
            .envdir_options
            .iter()
            .chain(&t.noxfile_options)
            .chain(&t.no_environment_options)
            .chain(&t.reuse_on_options)
            .chain(&t.reuse_off_options);
        for o in all_options {
            if !o.starts_with('-') {
                return Err(format!(
                    "rules/tools/{}.yml: option {o:?} does not start with '-'",
                    t.name
                ));
            }
        }
        for o in t.envdir_options.iter().chain(&t.noxfile_options) {
            if !t.options_with_value.contains(o) {
                return Err(format!(
                    "rules/tools/{}.yml: {o} takes a value but is not in options_with_value",
                    t.name
                ));
            }
        }
        if t.executables.is_empty() || t.package.is_empty() || t.default_envdir.is_empty() {
            return Err(format!(
                "rules/tools/{}.yml: executables, package and default_envdir are required",
                t.name
            ));
        }
        Ok(())
    }

    /// The cache action a step's `uses:` names, if any (`name` is lowercase `owner/repo[/path]`).
    pub fn cache_action(&self, name: &str) -> Option<&CacheAction> {
        self.cache_actions.iter().find(|a| a.uses == name)
    }
}

fn parse<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Result<T, String> {
    serde_saphyr::from_str(text).map_err(|e| format!("{name}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_loads_and_validates() {
        let k = Knowledge::load().unwrap();
        assert_eq!(k.nox.default_envdir, ".nox");
        assert!(
            k.cache_action("actions/cache/restore")
                .is_some_and(|a| a.restores && !a.saves)
        );
        assert!(
            k.cache_action("actions/cache/save")
                .is_some_and(|a| !a.restores && a.saves)
        );
        assert!(k.launchers.iter().any(|l| l.program.is_match("python3.12")));
        // The uv options anchor is shared by three launchers.
        assert!(
            k.launchers
                .iter()
                .filter(|l| l.options_with_value.iter().any(|o| o == "--from"))
                .count()
                >= 3
        );
    }

    #[test]
    fn validation_rejects_bad_data() {
        let mut k = Knowledge::load().unwrap();
        k.nox.envdir_options.push("--elsewhere".into());
        assert!(k.validate().is_err());
        let mut k = Knowledge::load().unwrap();
        k.cache_actions[0].uses = "Actions/Cache".into();
        assert!(k.validate().is_err());
    }
}
