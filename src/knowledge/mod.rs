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

/// An embedded data file: its path, its YAML text, and the same data as compact JSON made by
/// `build.rs` (empty when the YAML is not plain data: then the YAML is read, and its error
/// reported with a line).
type Embedded = (&'static str, &'static str, &'static str);

/// The tools: every `rules/tools/*.yml` but `launchers.yml`, found by `build.rs`, by name.
const TOOLS: &[Embedded] = include!(concat!(env!("OUT_DIR"), "/tools.rs"));
/// `rules/tools/launchers.yml`, `rules/cache-actions.yml`, `rules/setup-actions.yml`,
/// `rules/release.yml`, `rules/runners.yml`.
const OTHERS: [Embedded; 5] = include!(concat!(env!("OUT_DIR"), "/data.rs"));
const LAUNCHERS: Embedded = OTHERS[0];
const CACHE_ACTIONS: Embedded = OTHERS[1];
const SETUP_ACTIONS: Embedded = OTHERS[2];
const RELEASE: Embedded = OTHERS[3];
const RUNNERS: Embedded = OTHERS[4];

/// Every embedded data file (path, text), for tests and docs.
pub fn embedded_files() -> Vec<(&'static str, &'static str)> {
    TOOLS
        .iter()
        .chain(&OTHERS)
        .map(|(path, text, _)| (*path, *text))
        .collect()
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
    /// Options whose values (up to the next option) name the sessions to run.
    #[serde(default)]
    pub session_options: Vec<String>,
    /// An environment variable naming the sessions to run when no option does.
    #[serde(default)]
    pub session_env: Option<String>,
    /// Options whose values (up to the next option) name the interpreters the environments
    /// are built with (nox's `-p`, `--force-python`).
    #[serde(default)]
    pub python_options: Vec<String>,
    /// Options whose value is the default environment backend.
    #[serde(default)]
    pub default_backend_options: Vec<String>,
    /// How settings are read from a Python config file.
    #[serde(default)]
    pub python_config: Option<PythonConfig>,
    /// Files whose change means new dependencies, relative to the config file's directory: a
    /// cache key should hash one of them.
    pub dependency_files: Vec<String>,
    /// Last path components of a cache path meant for the tool's environments.
    #[serde(default)]
    pub cache_path_names: Vec<String>,
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

/// How a tool's settings and sessions are read from its Python config file (`noxfile.py`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythonConfig {
    /// The object whose attributes the module assigns (`nox.options`).
    pub settings: String,
    /// The setting naming the envdir.
    pub envdir: Option<String>,
    /// The setting listing the sessions run by default.
    pub sessions: Option<String>,
    /// The setting whose value says whether to reuse (values as in `reuse.values`).
    pub reuse: Option<String>,
    /// A boolean setting that turns reuse on when true.
    pub reuse_flag: Option<String>,
    /// The setting naming the default backend.
    pub default_backend: Option<String>,
    /// The decorator that makes a function a session (`nox.session`).
    pub decorator: String,
    /// Its argument naming the session.
    pub name_argument: Option<String>,
    /// Its boolean argument for the session's reuse.
    pub reuse_argument: Option<String>,
    /// Its boolean argument: false means the session runs only when named.
    pub default_argument: Option<String>,
    /// Its argument naming the session's backend.
    pub backend_argument: Option<String>,
    /// Its argument that, false, means no environment.
    pub python_argument: Option<String>,
    /// Backends that create no environment.
    #[serde(default)]
    pub no_environment_backends: Vec<String>,
    /// Reuse values that beat a session's own reuse argument.
    #[serde(default)]
    pub strong_reuse_values: Vec<String>,
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
    /// The commit of `release`, suggested in files that pin actions by SHA.
    #[serde(default)]
    pub release_sha: Option<String>,
    /// The ref suggested in Forgejo and Gitea files.
    #[serde(default)]
    pub forge_release: Option<String>,
    /// The name of the [`DeprecatedReleases`] entry for this action.
    #[serde(default)]
    pub deprecated: Option<String>,
    /// That entry, shared with the action's sub-actions (set when the data is loaded).
    #[serde(skip)]
    pub deprecated_releases: Option<std::sync::Arc<DeprecatedReleases>>,
    /// Deprecated inputs.
    #[serde(default)]
    pub deprecated_inputs: Vec<DeprecatedInput>,
}

/// Releases of an action that no longer work on github.com.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeprecatedReleases {
    /// What a [`CacheAction::deprecated`] calls it.
    pub name: String,
    /// Tag and branch patterns of those releases.
    #[serde(default)]
    pub refs: Vec<String>,
    /// Their commits.
    #[serde(default)]
    pub shas: Vec<DeprecatedSha>,
}

/// A commit of a release that no longer works.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeprecatedSha {
    /// The 40-hex commit, lowercase.
    pub sha: String,
    /// The tags pointing at it.
    pub version: String,
}

/// A deprecated input of an action.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeprecatedInput {
    /// The input's name.
    pub name: String,
    /// What to do instead.
    pub instead: String,
}

impl CacheAction {
    /// Whether a ref (a tag, branch or commit) names a release that no longer works; for a
    /// commit, the tags pointing at it.
    pub fn deprecated_ref<'s>(&'s self, git_ref: &'s str) -> Option<&'s str> {
        let releases = self.deprecated_releases.as_deref()?;
        if git_ref.len() == 40
            && let Some(s) = releases
                .shas
                .iter()
                .find(|s| s.sha.eq_ignore_ascii_case(git_ref))
        {
            return Some(&s.version);
        }
        // The patterns are lowercase (checked when the data is validated).
        let lower = git_ref.to_ascii_lowercase();
        releases
            .refs
            .iter()
            .any(|p| glob::matches_name(p, &lower))
            .then_some(git_ref)
    }
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
    /// The input naming the version to install.
    #[serde(default)]
    pub version_input: Option<String>,
}

/// What a runner label says about the machine (`rules/runners.yml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunnerLabel {
    /// The label, `*` matching any text.
    pub pattern: String,
    /// `runner.os` on it.
    pub os: String,
    /// `runner.arch` on it.
    pub arch: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunnersFile {
    labels: Vec<RunnerLabel>,
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
    /// Words after the options and before the command (`taskset MASK COMMAND`: 1).
    #[serde(default, deserialize_with = "de::whole_number")]
    pub operands: usize,
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
    #[serde(default)]
    deprecated_releases: Vec<DeprecatedReleases>,
    #[serde(default)]
    checkout_actions: Vec<String>,
}

impl CacheActionsFile {
    /// The actions, each with its deprecated releases (an unknown name is a data error).
    fn resolved(self) -> Result<Vec<CacheAction>, String> {
        let releases: Vec<_> = self
            .deprecated_releases
            .into_iter()
            .map(std::sync::Arc::new)
            .collect();
        let mut actions = self.actions;
        for a in &mut actions {
            if let Some(name) = &a.deprecated {
                let r = releases.iter().find(|r| &r.name == name).ok_or_else(|| {
                    format!(
                        "rules/cache-actions.yml: {}: no deprecated_releases entry {name:?}",
                        a.uses
                    )
                })?;
                a.deprecated_releases = Some(r.clone());
            }
        }
        Ok(actions)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetupActionsFile {
    actions: Vec<SetupAction>,
}

/// What a project adds to the built-in knowledge, in the built-in data's own schema (see
/// [`Knowledge::extended`]).
#[derive(Debug, Clone, Default)]
pub struct Extension {
    /// More launchers (`rules/tools/launchers.yml`'s `launchers`).
    pub launchers: Vec<Launcher>,
    /// More wrappers (its `wrappers`).
    pub wrappers: Vec<Wrapper>,
    /// More cache actions (`rules/cache-actions.yml`'s `actions`); one with the `uses` of a
    /// built-in one replaces it.
    pub cache_actions: Vec<CacheAction>,
    /// More actions that run a tool, by tool name (a tool file's `runner_actions`).
    pub runner_actions: Vec<(String, Vec<RunnerAction>)>,
    /// More dependency files for every tool (a tool file's `dependency_files`).
    pub dependency_files: Vec<String>,
}

/// Release workflows and jobs (`rules/release.yml`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// Actions that publish a release: a job using one is a release job.
    pub publishing_actions: Vec<String>,
    /// Events that run only for releases.
    pub release_events: Vec<String>,
    /// Events that do not stop a workflow from being a release workflow.
    #[serde(default)]
    pub manual_events: Vec<String>,
    /// Words (lowercase) that make a pushed branch filter a release branch for zizmor.
    #[serde(default)]
    pub release_branch_words: Vec<String>,
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
    /// Actions that check the repository out into the workspace (`owner/repo`, lowercase).
    pub checkout_actions: Vec<String>,
    /// Setup actions.
    pub setup_actions: Vec<SetupAction>,
    /// Hosted runner labels, first match wins.
    pub runner_labels: Vec<RunnerLabel>,
    /// Release workflows and jobs.
    pub release: Release,
}

impl Knowledge {
    /// The embedded data, validated. Read from the JSON `build.rs` made of it; from the YAML
    /// (with line numbers in errors) when that fails.
    pub fn load() -> Result<Knowledge, String> {
        Self::from_json().or_else(|_| Self::load_with(&[]))
    }

    /// The embedded data read from its JSON form (see `build.rs`).
    pub fn from_json() -> Result<Knowledge, String> {
        fn json<T: for<'de> Deserialize<'de>>((name, _, json): Embedded) -> Result<T, String> {
            serde_json::from_str(json).map_err(|e| format!("{name}: {e}"))
        }
        let mut tools = Vec::with_capacity(TOOLS.len());
        for file in TOOLS {
            tools.push(json::<ToolSpec>(*file)?);
        }
        let launchers = json::<LaunchersFile>(LAUNCHERS)?;
        let mut caches = json::<CacheActionsFile>(CACHE_ACTIONS)?;
        let k = Knowledge {
            tools,
            launchers: launchers.launchers,
            wrappers: launchers.wrappers,
            checkout_actions: std::mem::take(&mut caches.checkout_actions),
            cache_actions: caches.resolved()?,
            setup_actions: json::<SetupActionsFile>(SETUP_ACTIONS)?.actions,
            release: json::<Release>(RELEASE)?,
            runner_labels: json::<RunnersFile>(RUNNERS)?.labels,
        };
        // The JSON is made from the embedded YAML at build time, so it cannot change after the
        // tests have validated it (`load_with` validates, and the tests check that both forms
        // give the same knowledge): a release build skips the check (6% of a small run).
        #[cfg(debug_assertions)]
        k.validate()?;
        Ok(k)
    }

    /// The embedded data read from its YAML, plus more tool definitions (`(name, yaml text)`),
    /// e.g. a tool that is only test data. A tool may not share a name with another.
    pub fn load_with(extra_tools: &[(&str, &str)]) -> Result<Knowledge, String> {
        let mut tools = vec![];
        let embedded = TOOLS.iter().map(|(name, text, _)| (*name, *text));
        for (name, text) in embedded.chain(extra_tools.iter().copied()) {
            tools.push(parse_file::<ToolSpec>(name, text)?);
        }
        let launchers = parse_file::<LaunchersFile>(LAUNCHERS.0, LAUNCHERS.1)?;
        let mut caches = parse_file::<CacheActionsFile>(CACHE_ACTIONS.0, CACHE_ACTIONS.1)?;
        let k = Knowledge {
            tools,
            launchers: launchers.launchers,
            wrappers: launchers.wrappers,
            checkout_actions: std::mem::take(&mut caches.checkout_actions),
            cache_actions: caches.resolved()?,
            setup_actions: parse_file::<SetupActionsFile>(SETUP_ACTIONS.0, SETUP_ACTIONS.1)?
                .actions,
            release: parse_file::<Release>(RELEASE.0, RELEASE.1)?,
            runner_labels: parse_file::<RunnersFile>(RUNNERS.0, RUNNERS.1)?.labels,
        };
        k.validate()?;
        Ok(k)
    }

    /// This knowledge with what a project adds (its configuration's `knowledge` table and
    /// `extra-cache-actions` / `dependency-files`), validated as the built-in data is.
    pub fn extended(&self, ext: &Extension) -> Result<Knowledge, String> {
        let mut k = self.clone();
        k.launchers.extend(ext.launchers.iter().cloned());
        k.wrappers.extend(ext.wrappers.iter().cloned());
        for a in &ext.cache_actions {
            let mut a = a.clone();
            a.uses = a.uses.to_ascii_lowercase();
            if let Some(name) = &a.deprecated {
                // Share the built-in releases list of that name (`actions-cache`).
                a.deprecated_releases = self
                    .cache_actions
                    .iter()
                    .filter(|c| c.deprecated.as_ref() == Some(name))
                    .find_map(|c| c.deprecated_releases.clone());
                if a.deprecated_releases.is_none() {
                    return Err(format!(
                        "cache action {}: no deprecated releases named {name:?}",
                        a.uses
                    ));
                }
            }
            k.cache_actions.retain(|c| c.uses != a.uses);
            k.cache_actions.push(a);
        }
        for (tool, actions) in &ext.runner_actions {
            let Some(spec) = k.tools.iter_mut().find(|t| &t.name == tool) else {
                let known: Vec<&str> = self.tools.iter().map(|t| t.name.as_str()).collect();
                return Err(format!(
                    "runner actions for `{tool}`: no such tool (the tools are {})",
                    known.join(", ")
                ));
            };
            spec.runner_actions
                .extend(actions.iter().cloned().map(|mut a| {
                    a.uses = a.uses.to_ascii_lowercase();
                    a
                }));
        }
        for spec in &mut k.tools {
            for f in &ext.dependency_files {
                if !spec.dependency_files.contains(f) {
                    spec.dependency_files.push(f.clone());
                }
            }
        }
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
            let sha_ok = |s: &str| {
                s.len() == 40 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            };
            if let Some(bad) = a
                .deprecated_releases
                .iter()
                .flat_map(|r| &r.refs)
                .find(|p| **p != p.to_ascii_lowercase())
            {
                return Err(format!(
                    "rules/cache-actions.yml: {}: a ref pattern is not lowercase: {bad:?}",
                    a.uses
                ));
            }
            let shas = a.deprecated_releases.iter().flat_map(|r| &r.shas);
            if let Some(bad) = shas.clone().find(|s| !sha_ok(&s.sha)) {
                return Err(format!(
                    "rules/cache-actions.yml: {}: not a lowercase 40-hex commit: {:?}",
                    a.uses, bad.sha
                ));
            }
            if !a.restores && !a.saves {
                return Err(format!(
                    "rules/cache-actions.yml: {} neither restores nor saves",
                    a.uses
                ));
            }
        }
        if let Some(bad) = self.checkout_actions.iter().find(|a| !lower(a)) {
            return Err(format!(
                "rules/cache-actions.yml: bad checkout action name {bad:?}"
            ));
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

    /// `runner.os` and `runner.arch` of a hosted runner label (`None`: not a known label).
    pub fn runner_label(&self, label: &str) -> Option<&RunnerLabel> {
        let l = label.trim().to_ascii_lowercase();
        self.runner_labels
            .iter()
            .find(|r| glob::matches_name(&r.pattern, &l))
    }

    /// The setup action for `runtime` a step's `uses:` names, if any.
    pub fn setup_action(&self, name: &str, runtime: &str) -> Option<&SetupAction> {
        self.setup_actions
            .iter()
            .find(|a| a.uses == name && a.runtime == runtime)
    }

    /// The action help texts suggest for a cache step (`actions/cache@v6.1.0`).
    pub fn suggested_cache_action(&self) -> String {
        self.cache_actions
            .iter()
            .find_map(|a| {
                let release = a.release.as_deref()?;
                Some(format!("{}@{release}", a.uses))
            })
            .unwrap_or_else(|| "actions/cache@v4".to_string())
    }

    /// The `uses:` value help texts suggest for a cache step in a file: on Forgejo and Gitea
    /// (`forge`) the forge release, written the way the file's other `uses:` are (with the
    /// `https://host/` of the first that has one: `hosts` are the file's remote actions' hosts);
    /// on GitHub the current release pinned to its commit, with a `# <release>` comment (when the
    /// data knows the commit). zizmor's `unpinned-uses` audit (1.32, default policy) reports
    /// every `uses:` not pinned by SHA, `actions/*` too, so a step pasted with a tag would bring
    /// a new finding even into a file whose other steps use tags.
    pub fn suggested_cache_uses(&self, forge: bool, hosts: &[Option<&str>]) -> String {
        let Some(a) = self.cache_actions.iter().find(|a| a.release.is_some()) else {
            return self.suggested_cache_action();
        };
        let release = a.release.as_deref().unwrap_or("v4");
        if forge {
            let r = a.forge_release.as_deref().unwrap_or(release);
            let host = hosts.iter().find_map(|h| *h);
            return match host {
                Some(h) => format!("https://{h}/{}@{r}", a.uses),
                None => format!("{}@{r}", a.uses),
            };
        }
        match &a.release_sha {
            Some(sha) => format!("{}@{sha} # {release}", a.uses),
            None => format!("{}@{release}", a.uses),
        }
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
