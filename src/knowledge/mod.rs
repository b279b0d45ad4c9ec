//! Tool knowledge, loaded from the YAML files under the top-level `rules/` folder: a LIST of
//! tools (`rules/tools/*.yml`, one tool-neutral schema: nox today, tox or pre-commit as data
//! tomorrow), the launchers that start them, the cache actions and the setup actions.
//!
//! Each data field is declared once, in the structs below (`#[derive(Deserialize)]`, read from
//! our own YAML tree by [`de`]); unknown keys are errors with a line, so a typo in the data cannot
//! silently switch a check off. A test checks that every key the data files' comments document
//! is a field declared here, and the other way round.

pub mod de;
pub mod glob;

use serde::Deserialize;

use crate::yaml;

/// The embedded data files: (path, text). Tools are every `rules/tools/*.yml` but launchers.
const TOOLS: &[(&str, &str)] = &[(
    "rules/tools/nox.yml",
    include_str!("../../rules/tools/nox.yml"),
)];
const LAUNCHERS: (&str, &str) = (
    "rules/tools/launchers.yml",
    include_str!("../../rules/tools/launchers.yml"),
);
const CACHE_ACTIONS: (&str, &str) = (
    "rules/cache-actions.yml",
    include_str!("../../rules/cache-actions.yml"),
);
const SETUP_ACTIONS: (&str, &str) = (
    "rules/setup-actions.yml",
    include_str!("../../rules/setup-actions.yml"),
);

/// Every embedded data file (path, text), for tests and docs.
pub fn embedded_files() -> Vec<(&'static str, &'static str)> {
    let mut v: Vec<_> = TOOLS.to_vec();
    v.extend([LAUNCHERS, CACHE_ACTIONS, SETUP_ACTIONS]);
    v
}

/// A tool whose invocations the rules look for (`rules/tools/<tool>.yml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolSpec {
    /// Display name, and the first part of its rule ids (`nox/cache-missing`).
    pub name: String,
    /// Package name for `uvx` / `pipx run` / `uv tool run`.
    pub package: String,
    /// Module name for `python -m`.
    pub module: String,
    /// Command words (last path component) that are the tool itself.
    pub executables: Vec<String>,
    /// The tool's config file and the options that name it.
    pub config: ConfigSpec,
    /// Where the tool puts its environments.
    pub envdir: EnvdirSpec,
    /// Options whose value is the next word (unless written `--opt=value`).
    #[serde(default)]
    pub options_with_value: Vec<String>,
    /// Options with which the tool creates no environment.
    #[serde(default)]
    pub no_environment_options: Vec<String>,
    /// Option values with which the tool creates no environment.
    #[serde(default)]
    pub no_environment_values: Vec<OptionValues>,
    /// Whether the tool reuses existing environments, and the options that change it.
    pub reuse: ReuseSpec,
    /// Files whose change means new dependencies, relative to the config file's directory: a
    /// cache key should hash one of them.
    pub dependency_files: Vec<String>,
    /// The language runtime the environments are built for (`python`): which setup actions
    /// (`rules/setup-actions.yml`) tell its version.
    #[serde(default)]
    pub runtime: Option<String>,
    /// Actions (`uses:`) that run the tool.
    #[serde(default)]
    pub runner_actions: Vec<RunnerAction>,
    /// Actions with an input that is a shell script.
    #[serde(default)]
    pub script_actions: Vec<ScriptAction>,
}

/// The tool's config file (`noxfile.py`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigSpec {
    /// Its file names, looked up in the working directory, first match wins.
    pub files: Vec<String>,
    /// Options whose value is the config file.
    #[serde(default)]
    pub options: Vec<String>,
}

/// Where environments go.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvdirSpec {
    /// The default envdir.
    pub default: String,
    /// What the default and a relative option value are relative to.
    pub relative_to: RelativeTo,
    /// Options whose value is the envdir.
    #[serde(default)]
    pub options: Vec<String>,
}

/// What an envdir is relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelativeTo {
    /// The config file's directory (nox changes into it; tox's `toxinidir`).
    Config,
    /// The home directory (pre-commit's `~/.cache/pre-commit`).
    Home,
}

/// Options and the values that matter for them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionValues {
    /// Option spellings.
    pub options: Vec<String>,
    /// Values.
    pub values: Vec<String>,
}

/// Environment reuse.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReuseSpec {
    /// Whether existing environments are reused when no option says otherwise.
    pub default: bool,
    /// Options that turn reuse on.
    #[serde(default)]
    pub on_options: Vec<String>,
    /// Options that turn reuse on and beat every option that turns it off.
    #[serde(default)]
    pub force_options: Vec<String>,
    /// Options that turn reuse off.
    #[serde(default)]
    pub off_options: Vec<String>,
    /// Options whose value turns reuse on or off.
    #[serde(default)]
    pub values: Vec<ReuseValues>,
}

/// `--reuse-venv=yes|no|...`
#[derive(Debug, Clone, Deserialize)]
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
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunnerAction {
    /// `owner/repo[/path]`, lowercase.
    pub uses: String,
    /// The input that sets the directory the tool runs in.
    #[serde(default)]
    pub working_directory_input: Option<String>,
}

/// An action with a shell-script input.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptAction {
    /// `owner/repo[/path]`, lowercase.
    pub uses: String,
    /// The input holding the script.
    pub input: String,
}

/// What the word after a launcher must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// The tool's Python module (`python -m nox`).
    Module,
    /// A package spec (`uvx nox[uv]`).
    Package,
    /// The tool's executable (`uv run nox`).
    Executable,
}

/// A command that runs a Python tool.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Launcher {
    /// Glob patterns for the command word's last path component. (Globs, not regexes: compiling
    /// five regexes took 1.3 million instructions, a quarter of a one-file run.)
    pub program: Vec<String>,
    /// Words that must follow (options may come between).
    #[serde(default)]
    pub before: Vec<String>,
    /// What the next non-option word must be.
    pub target: Target,
    /// Options whose value is the next word.
    #[serde(default)]
    pub options_with_value: Vec<String>,
}

fn default_path_input() -> String {
    "path".into()
}
fn default_key_input() -> String {
    "key".into()
}
fn default_restore_keys_input() -> String {
    "restore-keys".into()
}
fn default_lookup_only_input() -> String {
    "lookup-only".into()
}

/// An action that restores and/or saves a cache (`rules/cache-actions.yml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheAction {
    /// `owner/repo[/path]`, lowercase.
    pub uses: String,
    /// Whether the step restores a cache.
    pub restores: bool,
    /// Whether the step (or its post step) saves a cache.
    pub saves: bool,
    /// The input with the paths.
    #[serde(default = "default_path_input")]
    pub path_input: String,
    /// The input with the key.
    #[serde(default = "default_key_input")]
    pub key_input: String,
    /// The input with the restore keys.
    #[serde(default = "default_restore_keys_input")]
    pub restore_keys_input: String,
    /// The input that, when `true`, makes the step check for a cache without restoring it.
    #[serde(default = "default_lookup_only_input")]
    pub lookup_only_input: String,
    /// The release help texts suggest (`v4`), for the action help texts name.
    #[serde(default)]
    pub release: Option<String>,
}

/// An action that installs a runtime and tells its version (`rules/setup-actions.yml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupAction {
    /// `owner/repo[/path]`, lowercase.
    pub uses: String,
    /// The runtime it installs (`python`), as tools name it in `runtime:`.
    pub runtime: String,
    /// Its output holding the exact version installed.
    pub version_output: String,
    /// An environment variable it sets that differs per version (for steps without an `id:`).
    #[serde(default)]
    pub version_env: Option<String>,
}

/// A command that runs the command after its options (`xvfb-run -a nox`). The shell layer
/// knows the shell's own (`env`, `sudo`, `time`, `timeout`, `exec`, `xargs`...); these are
/// the ones seen in CI scripts around Python tools.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wrapper {
    /// Glob patterns for the command word's last path component.
    pub program: Vec<String>,
    /// Options whose value is the next word.
    #[serde(default)]
    pub options_with_value: Vec<String>,
    /// Options with which it runs no command (`ionice -p PID`).
    #[serde(default)]
    pub no_command_options: Vec<String>,
}

impl Wrapper {
    /// Whether a command word's last path component is this wrapper.
    pub fn matches_program(&self, program: &str) -> bool {
        !program.contains('/') && self.program.iter().any(|p| glob::matches_name(p, program))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LaunchersFile {
    launchers: Vec<Launcher>,
    #[serde(default)]
    wrappers: Vec<Wrapper>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CacheActionsFile {
    actions: Vec<CacheAction>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetupActionsFile {
    actions: Vec<SetupAction>,
}

/// All tool knowledge.
#[derive(Debug, Clone)]
pub struct Knowledge {
    /// The tools, in the order their rules are listed.
    pub tools: Vec<ToolSpec>,
    /// Launchers shared by all Python tools.
    pub launchers: Vec<Launcher>,
    /// Wrappers around any command.
    pub wrappers: Vec<Wrapper>,
    /// Cache actions.
    pub cache_actions: Vec<CacheAction>,
    /// Setup actions.
    pub setup_actions: Vec<SetupAction>,
}

impl Knowledge {
    /// Parses and validates the embedded data.
    pub fn load() -> Result<Knowledge, String> {
        Self::load_with(&[])
    }

    /// The embedded data plus more tool definitions (`(name, yaml text)`), e.g. a tool that is
    /// only test data. A tool may not share a name with another.
    pub fn load_with(extra_tools: &[(&str, &str)]) -> Result<Knowledge, String> {
        let mut tools = vec![];
        for (name, text) in TOOLS.iter().chain(extra_tools) {
            tools.push(parse_file::<ToolSpec>(name, text)?);
        }
        let launchers = parse_file::<LaunchersFile>(LAUNCHERS.0, LAUNCHERS.1)?;
        let k = Knowledge {
            tools,
            launchers: launchers.launchers,
            wrappers: launchers.wrappers,
            cache_actions: parse_file::<CacheActionsFile>(CACHE_ACTIONS.0, CACHE_ACTIONS.1)?
                .actions,
            setup_actions: parse_file::<SetupActionsFile>(SETUP_ACTIONS.0, SETUP_ACTIONS.1)?
                .actions,
        };
        k.validate()?;
        Ok(k)
    }

    fn validate(&self) -> Result<(), String> {
        let programs = self
            .launchers
            .iter()
            .map(|l| &l.program)
            .chain(self.wrappers.iter().map(|w| &w.program));
        for l in programs {
            if l.is_empty() || l.iter().any(|p| p.is_empty() || p.contains('/')) {
                return Err(format!(
                    "rules/tools/launchers.yml: bad program patterns {l:?}"
                ));
            }
        }
        let lower = |s: &str| s == s.to_ascii_lowercase() && s.split('/').count() >= 2;
        for a in &self.cache_actions {
            if !lower(&a.uses) {
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
        for a in &self.setup_actions {
            if !lower(&a.uses) {
                return Err(format!(
                    "rules/setup-actions.yml: bad action name {:?}",
                    a.uses
                ));
            }
        }
        for (i, t) in self.tools.iter().enumerate() {
            t.validate()?;
            if self.tools[..i].iter().any(|o| o.name == t.name) {
                return Err(format!("two tools are named {:?}", t.name));
            }
        }
        Ok(())
    }

    /// The cache action a step's `uses:` names, if any (`name` is lowercase `owner/repo[/path]`).
    pub fn cache_action(&self, name: &str) -> Option<&CacheAction> {
        self.cache_actions.iter().find(|a| a.uses == name)
    }

    /// The setup action for `runtime` a step's `uses:` names, if any.
    pub fn setup_action(&self, name: &str, runtime: &str) -> Option<&SetupAction> {
        self.setup_actions
            .iter()
            .find(|a| a.uses == name && a.runtime == runtime)
    }

    /// The action help texts suggest for a cache step (`actions/cache@v4`).
    pub fn suggested_cache_action(&self) -> String {
        self.cache_actions
            .iter()
            .find_map(|a| {
                let release = a.release.as_deref()?;
                Some(format!("{}@{release}", a.uses))
            })
            .unwrap_or_else(|| "actions/cache@v4".to_string())
    }
}

impl ToolSpec {
    fn validate(&self) -> Result<(), String> {
        let file = format!("rules/tools/{}.yml", self.name);
        let name_ok = !self.name.is_empty()
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !name_ok {
            return Err(format!(
                "{file}: the name is a rule-id prefix: lowercase letters, digits and `-`"
            ));
        }
        for a in self
            .runner_actions
            .iter()
            .map(|a| &a.uses)
            .chain(self.script_actions.iter().map(|a| &a.uses))
        {
            if *a != a.to_ascii_lowercase() {
                return Err(format!("{file}: action names are lowercase: {a:?}"));
            }
        }
        let r = &self.reuse;
        let all_options = self
            .envdir
            .options
            .iter()
            .chain(&self.config.options)
            .chain(&self.no_environment_options)
            .chain(&r.on_options)
            .chain(&r.force_options)
            .chain(&r.off_options)
            .chain(r.values.iter().flat_map(|v| &v.options))
            .chain(self.no_environment_values.iter().flat_map(|v| &v.options));
        for o in all_options {
            if !o.starts_with('-') {
                return Err(format!("{file}: option {o:?} does not start with '-'"));
            }
        }
        let valued = self
            .envdir
            .options
            .iter()
            .chain(&self.config.options)
            .chain(r.values.iter().flat_map(|v| &v.options))
            .chain(self.no_environment_values.iter().flat_map(|v| &v.options));
        for o in valued {
            if !self.options_with_value.contains(o) {
                return Err(format!(
                    "{file}: {o} takes a value but is not in options_with_value"
                ));
            }
        }
        if self.executables.is_empty()
            || self.package.is_empty()
            || self.envdir.default.is_empty()
            || self.config.files.is_empty()
            || self.dependency_files.is_empty()
        {
            return Err(format!(
                "{file}: executables, package, envdir.default, config.files and dependency_files must not be empty"
            ));
        }
        Ok(())
    }

    /// Words one of which every invocation of the tool contains (its package, module and
    /// executable names).
    pub fn needles(&self) -> Vec<&str> {
        let mut n: Vec<&str> = vec![&self.package, &self.module];
        n.extend(self.executables.iter().map(String::as_str));
        n.sort_unstable();
        n.dedup();
        // A needle that contains another is redundant.
        let all = n.clone();
        n.retain(|x| !all.iter().any(|y| y != x && x.contains(y)));
        n
    }

    /// The config file help texts name (`noxfile.py`).
    pub fn config_file(&self) -> &str {
        self.config.files.first().map_or("", String::as_str)
    }
}

impl Launcher {
    /// Whether a command word's last path component is this launcher's program.
    pub fn matches_program(&self, program: &str) -> bool {
        !program.contains('/') && self.program.iter().any(|p| glob::matches_name(p, program))
    }
}

/// Parses one data file; errors name the file and the line.
fn parse_file<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Result<T, String> {
    let doc = yaml::parse(text);
    let line = |offset: usize| text.get(..offset).map_or(0, |t| t.matches('\n').count()) + 1;
    if let Some(p) = doc.problems.first() {
        return Err(format!("{name}: invalid YAML: {p:?}"));
    }
    let root = doc.root.as_ref().ok_or_else(|| format!("{name}: empty"))?;
    de::from_node(root).map_err(|e| match e.span {
        Some(s) => format!("{name}:{}: {}", line(s.start), e.message),
        None => format!("{name}: {}", e.message),
    })
}

#[cfg(test)]
mod tests;
