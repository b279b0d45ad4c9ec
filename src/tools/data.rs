//! Tool knowledge, loaded from the YAML files under the top-level `rules/` folder. The files are
//! embedded at build time; [`Knowledge::load`] reads them with the crate's own YAML layer (about
//! 0.1 ms; a serde-based loader took 0.5 ms of a 2 ms pre-commit run) and validates them. Unknown
//! keys are errors, so a typo in the data cannot silently switch a check off.

use crate::yaml::{self, Node};

use super::glob;

const NOX: &str = include_str!("../../rules/tools/nox.yml");
const LAUNCHERS: &str = include_str!("../../rules/tools/launchers.yml");
const CACHE_ACTIONS: &str = include_str!("../../rules/cache-actions.yml");

/// A tool whose invocations the rules look for (`rules/tools/<tool>.yml`).
#[derive(Debug)]
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
    pub runner_actions: Vec<RunnerAction>,
    /// Actions with an input that is a shell script.
    pub script_actions: Vec<ScriptAction>,
}

/// Options and the values that matter for them.
#[derive(Debug)]
pub struct OptionValues {
    /// Option spellings.
    pub options: Vec<String>,
    /// Values.
    pub values: Vec<String>,
}

/// `--reuse-venv=yes|no|...`
#[derive(Debug)]
pub struct ReuseValues {
    /// Option spellings.
    pub options: Vec<String>,
    /// Values that turn reuse on.
    pub on: Vec<String>,
    /// Values that turn reuse off.
    pub off: Vec<String>,
}

/// An action that runs the tool.
#[derive(Debug)]
pub struct RunnerAction {
    /// `owner/repo[/path]`, lowercase.
    pub uses: String,
    /// The input that sets the directory the tool runs in.
    pub working_directory_input: Option<String>,
}

/// An action with a shell-script input.
#[derive(Debug)]
pub struct ScriptAction {
    /// `owner/repo[/path]`, lowercase.
    pub uses: String,
    /// The input holding the script.
    pub input: String,
}

/// What the word after a launcher must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The tool's Python module (`python -m nox`).
    Module,
    /// A package spec (`uvx nox[uv]`).
    Package,
    /// The tool's executable (`uv run nox`).
    Executable,
}

/// A command that runs a Python tool.
#[derive(Debug)]
pub struct Launcher {
    /// Glob patterns for the command word's last path component. (Globs, not regexes: compiling
    /// five regexes took 1.3 million instructions, a quarter of a one-file run.)
    pub program: Vec<String>,
    /// Words that must follow (options may come between).
    pub before: Vec<String>,
    /// What the next non-option word must be.
    pub target: Target,
    /// Options whose value is the next word.
    pub options_with_value: Vec<String>,
}

/// An action that restores and/or saves a cache (`rules/cache-actions.yml`).
#[derive(Debug)]
pub struct CacheAction {
    /// `owner/repo[/path]`, lowercase.
    pub uses: String,
    /// Whether the step restores a cache.
    pub restores: bool,
    /// Whether the step (or its post step) saves a cache.
    pub saves: bool,
    /// The input with the paths.
    pub path_input: String,
    /// The input with the key.
    pub key_input: String,
    /// The input with the restore keys.
    pub restore_keys_input: String,
    /// The input that, when `true`, makes the step check for a cache without restoring it.
    pub lookup_only_input: String,
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
        let k = Knowledge {
            nox: with_root("rules/tools/nox.yml", NOX, tool_spec)?,
            launchers: with_root("rules/tools/launchers.yml", LAUNCHERS, |r| {
                r.only(&["launchers"])?;
                r.list("launchers", |l| {
                    l.only(&["program", "before", "target", "options_with_value"])?;
                    Ok(Launcher {
                        program: l.strings("program")?,
                        before: l.strings_or_empty("before")?,
                        target: match l.string("target")?.as_str() {
                            "module" => Target::Module,
                            "package" => Target::Package,
                            "executable" => Target::Executable,
                            other => return Err(format!("unknown target {other:?}")),
                        },
                        options_with_value: l.strings_or_empty("options_with_value")?,
                    })
                })
            })?,
            cache_actions: with_root("rules/cache-actions.yml", CACHE_ACTIONS, |r| {
                r.only(&["actions"])?;
                r.list("actions", |a| {
                    a.only(&[
                        "uses",
                        "restores",
                        "saves",
                        "path_input",
                        "key_input",
                        "restore_keys_input",
                    ])?;
                    Ok(CacheAction {
                        uses: a.string("uses")?,
                        restores: a.bool("restores")?,
                        saves: a.bool("saves")?,
                        path_input: a.string_or("path_input", "path")?,
                        key_input: a.string_or("key_input", "key")?,
                        restore_keys_input: a.string_or("restore_keys_input", "restore-keys")?,
                        lookup_only_input: a.string_or("lookup_only_input", "lookup-only")?,
                    })
                })
            })?,
        };
        k.validate()?;
        Ok(k)
    }

    fn validate(&self) -> Result<(), String> {
        for l in &self.launchers {
            if l.program.is_empty() || l.program.iter().any(|p| p.is_empty() || p.contains('/')) {
                return Err(format!(
                    "rules/tools/launchers.yml: bad program patterns {:?}",
                    l.program
                ));
            }
        }
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

impl ToolSpec {
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
}

impl Launcher {
    /// Whether a command word's last path component is this launcher's program.
    pub fn matches_program(&self, program: &str) -> bool {
        !program.contains('/') && self.program.iter().any(|p| glob::matches_name(p, program))
    }
}

fn tool_spec(r: &Data<'_, '_>) -> Result<ToolSpec, String> {
    r.only(&[
        "name",
        "package",
        "module",
        "executables",
        "default_envdir",
        "options_with_value",
        "envdir_options",
        "noxfile_options",
        "no_environment_options",
        "no_environment_values",
        "reuse_on_options",
        "reuse_off_options",
        "reuse_values",
        "runner_actions",
        "script_actions",
    ])?;
    Ok(ToolSpec {
        name: r.string("name")?,
        package: r.string("package")?,
        module: r.string("module")?,
        executables: r.strings("executables")?,
        default_envdir: r.string("default_envdir")?,
        options_with_value: r.strings("options_with_value")?,
        envdir_options: r.strings("envdir_options")?,
        noxfile_options: r.strings("noxfile_options")?,
        no_environment_options: r.strings("no_environment_options")?,
        no_environment_values: r.list("no_environment_values", |v| {
            v.only(&["options", "values"])?;
            Ok(OptionValues {
                options: v.strings("options")?,
                values: v.strings("values")?,
            })
        })?,
        reuse_on_options: r.strings("reuse_on_options")?,
        reuse_off_options: r.strings("reuse_off_options")?,
        reuse_values: r.map("reuse_values", |v| {
            v.only(&["options", "on", "off"])?;
            Ok(ReuseValues {
                options: v.strings("options")?,
                on: v.strings("on")?,
                off: v.strings("off")?,
            })
        })?,
        runner_actions: r.list_or_empty("runner_actions", |a| {
            a.only(&["uses", "working_directory_input"])?;
            Ok(RunnerAction {
                uses: a.string("uses")?,
                working_directory_input: a.opt_string("working_directory_input")?,
            })
        })?,
        script_actions: r.list_or_empty("script_actions", |a| {
            a.only(&["uses", "input"])?;
            Ok(ScriptAction {
                uses: a.string("uses")?,
                input: a.string("input")?,
            })
        })?,
    })
}

/// Parses one embedded file and hands its root mapping to `f`; errors name the file and line.
fn with_root<T>(
    name: &str,
    text: &str,
    f: impl FnOnce(&Data<'_, '_>) -> Result<T, String>,
) -> Result<T, String> {
    let doc = yaml::parse(text);
    if let Some(p) = doc.problems.first() {
        return Err(format!("{name}: invalid YAML: {p:?}"));
    }
    let root = doc.root.as_ref().ok_or_else(|| format!("{name}: empty"))?;
    f(&Data { node: root, text }).map_err(|e| format!("{name}: {e}"))
}

/// A mapping in the data files, with typed accessors that report where a value is wrong.
struct Data<'n, 'a> {
    node: &'n Node<'a>,
    text: &'n str,
}

impl<'n, 'a> Data<'n, 'a> {
    fn at(&self, node: &Node<'_>) -> String {
        let line = self
            .text
            .get(..node.span.start)
            .map_or(0, |t| t.matches('\n').count())
            + 1;
        format!("line {line}")
    }

    /// Rejects keys other than `allowed`.
    fn only(&self, allowed: &[&str]) -> Result<(), String> {
        let entries = self
            .node
            .as_map()
            .ok_or_else(|| format!("{}: expected a mapping", self.at(self.node)))?;
        for (k, _) in entries {
            let key = k.as_str().unwrap_or("");
            if !allowed.contains(&key) {
                return Err(format!("{}: unknown key {key:?}", self.at(k)));
            }
        }
        Ok(())
    }

    fn get(&self, key: &str) -> Result<&'n Node<'a>, String> {
        self.node
            .get(key)
            .ok_or_else(|| format!("{}: missing key {key:?}", self.at(self.node)))
    }

    fn string(&self, key: &str) -> Result<String, String> {
        let v = self.get(key)?;
        match v.as_str() {
            Some(s) if !v.is_null() => Ok(s.to_string()),
            _ => Err(format!("{}: {key} must be a string", self.at(v))),
        }
    }

    fn opt_string(&self, key: &str) -> Result<Option<String>, String> {
        match self.node.get(key) {
            None => Ok(None),
            Some(_) => self.string(key).map(Some),
        }
    }

    fn string_or(&self, key: &str, default: &str) -> Result<String, String> {
        Ok(self.opt_string(key)?.unwrap_or_else(|| default.to_string()))
    }

    fn bool(&self, key: &str) -> Result<bool, String> {
        let v = self.get(key)?;
        match v.as_str() {
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            _ => Err(format!("{}: {key} must be true or false", self.at(v))),
        }
    }

    fn strings(&self, key: &str) -> Result<Vec<String>, String> {
        let v = self.get(key)?;
        let items = v
            .as_seq()
            .ok_or_else(|| format!("{}: {key} must be a list", self.at(v)))?;
        items
            .iter()
            .map(|i| match i.as_str() {
                Some(s) if !i.is_null() => Ok(s.to_string()),
                _ => Err(format!("{}: {key} must hold strings", self.at(i))),
            })
            .collect()
    }

    fn strings_or_empty(&self, key: &str) -> Result<Vec<String>, String> {
        if self.node.get(key).is_none() {
            return Ok(vec![]);
        }
        self.strings(key)
    }

    fn map<T>(
        &self,
        key: &str,
        f: impl FnOnce(&Data<'n, 'a>) -> Result<T, String>,
    ) -> Result<T, String> {
        f(&Data {
            node: self.get(key)?,
            text: self.text,
        })
    }

    fn list<T>(
        &self,
        key: &str,
        mut f: impl FnMut(&Data<'n, 'a>) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let v = self.get(key)?;
        let items = v
            .as_seq()
            .ok_or_else(|| format!("{}: {key} must be a list", self.at(v)))?;
        items
            .iter()
            .map(|node| {
                f(&Data {
                    node,
                    text: self.text,
                })
            })
            .collect()
    }

    fn list_or_empty<T>(
        &self,
        key: &str,
        f: impl FnMut(&Data<'n, 'a>) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        if self.node.get(key).is_none() {
            return Ok(vec![]);
        }
        self.list(key, f)
    }
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
        assert!(k.launchers.iter().any(|l| l.matches_program("python3.12")));
        assert!(
            !k.launchers
                .iter()
                .any(|l| l.matches_program("pythonista") || l.matches_program("pip"))
        );
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

    #[test]
    fn typos_and_wrong_types_in_data_are_errors() {
        let err = with_root("x.yml", "name: nox\npackag: nox\n", tool_spec).unwrap_err();
        assert!(err.contains("unknown key \"packag\""), "{err}");
        let err = with_root(
            "x.yml",
            "actions: [{uses: a/b, restores: yes, saves: true}]",
            |r| r.list("actions", |a| a.bool("restores")),
        )
        .unwrap_err();
        assert!(err.contains("restores must be true or false"), "{err}");
    }
}
