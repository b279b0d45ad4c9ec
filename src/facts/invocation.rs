//! Recognising a tool's invocations among a script's commands, and what each one does:
//! whether it creates environments, where they go, whether it reuses them.

use crate::shell::Word;

use crate::knowledge::glob;
use crate::knowledge::{Knowledge, RelativeTo, Target, ToolSpec};

/// Whether the tool reuses existing environments, as far as the command line says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reuse {
    /// No option: the config file or the tool's default decides.
    Default,
    /// An option turns it on (nox: `-r`, `-R`, `--reuse-venv=yes|always`).
    On,
    /// An option turns it off (nox: `-N`, `--reuse-venv=no|never`).
    Off,
}

/// What the words of one invocation say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolArgs {
    /// Index of the word that names the tool (`nox` in `python -m nox`).
    pub tool_word: usize,
    /// Whether the invocation creates environments.
    pub creates_envs: bool,
    /// `--envdir` value, as written (`None`: the default).
    pub envdir: Option<String>,
    /// Whether the envdir value started with a `~` the shell expands.
    pub envdir_home: bool,
    /// The config-file option's value (nox's `-f`), as written.
    pub config: Option<String>,
    /// Reuse flags.
    pub reuse: Reuse,
    /// The reuse the command line asks for, in the tool's terms (see [`CliReuse`]).
    pub cli_reuse: CliReuse,
    /// Sessions named on the command line (`None`: none named; a name with `$` or `${{` is
    /// kept as written and matches nothing known).
    pub sessions: Option<Vec<String>>,
    /// The default backend named on the command line.
    pub default_backend: Option<String>,
    /// Interpreters named on the command line (`python_options`), as written.
    pub pythons: Vec<String>,
}

/// What the command line says about reuse, before the config file and the sessions have their
/// say (nox: `-R` sets `yes`; an explicit `--reuse-venv=X` beats `-r`/`-N`; `-r` is `yes`, `-N`
/// is `no`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CliReuse {
    /// An option that forces reuse on (`-R`).
    pub force: bool,
    /// The value of an explicit reuse option (`--reuse-venv=never`).
    pub value: Option<String>,
    /// An on (`true`) or off (`false`) option (`-r` / `-N`), the last one given.
    pub flag: Option<bool>,
}

/// The last path component of a command word.
fn basename(word: &str) -> &str {
    word.rsplit(['/', '\\']).next().unwrap_or(word)
}

/// Whether `word` is a package spec for `package`: `nox`, `nox[uv]`, `nox==1`, `nox@2025.1`.
fn is_package_spec(word: &str, package: &str) -> bool {
    let Some(rest) = word.strip_prefix(package) else {
        return false;
    };
    rest.is_empty() || rest.starts_with(['[', '@', '=', '<', '>', '~', '!', ' ', ';'])
}

/// At most this many wrappers are peeled off one command (`xvfb-run -a chronic nox`).
const MAX_WRAPPERS: usize = 8;

/// If `words` invoke `tool` (directly, through a launcher, or after wrappers such as
/// `xvfb-run -a` from the data): where the command that runs it starts (after the wrappers: the
/// launcher or the tool) and the index of the word naming the tool.
pub fn match_tool(k: &Knowledge, tool: &ToolSpec, words: &[Word]) -> Option<(usize, usize)> {
    let mut start = 0;
    for _ in 0..=MAX_WRAPPERS {
        if let Some(i) = match_direct(k, tool, words.get(start..)?) {
            return Some((start, start + i));
        }
        start += wrapped_start(k, words.get(start..)?)?;
    }
    None
}

/// If `words[0]` is a wrapper from the data, where the wrapped command starts.
fn wrapped_start(k: &Knowledge, words: &[Word]) -> Option<usize> {
    let first = words.first()?;
    let program = basename(&first.text);
    let w = k.wrappers.iter().find(|w| w.matches_program(program))?;
    let mut i = 1;
    while let Some(word) = words.get(i) {
        let t = word.text.as_str();
        if t == "--" {
            i += 1;
            break;
        }
        if !t.starts_with('-') || t == "-" {
            break;
        }
        if w.no_command_options.iter().any(|o| o == t) {
            return None;
        }
        let takes_value = !t.contains('=') && w.options_with_value.iter().any(|o| o == t);
        i += if takes_value { 2 } else { 1 };
    }
    i += w.operands;
    (i < words.len()).then_some(i)
}

fn match_direct(k: &Knowledge, tool: &ToolSpec, words: &[Word]) -> Option<usize> {
    let first = words.first()?;
    if first.text.contains("${{") {
        return None;
    }
    let program = basename(&first.text);
    if tool.executables.iter().any(|e| e == program) {
        return Some(0);
    }
    'launchers: for l in &k.launchers {
        if !l.matches_program(program) {
            continue;
        }
        let mut i = 1;
        let skip_option = |i: &mut usize| -> bool {
            let Some(w) = words.get(*i) else { return false };
            if !w.text.starts_with('-') || w.text == "-" {
                return false;
            }
            let takes_value = !w.text.contains('=') && l.options_with_value.contains(&w.text);
            *i += if takes_value { 2 } else { 1 };
            true
        };
        for expected in &l.before {
            loop {
                match words.get(i) {
                    Some(w) if w.text == *expected => break,
                    Some(_) if skip_option(&mut i) => {}
                    _ => continue 'launchers,
                }
            }
            i += 1;
        }
        while skip_option(&mut i) {}
        let Some(target) = words.get(i) else { continue };
        let ok = match l.target {
            Target::Module => target.text == tool.module,
            Target::Package => is_package_spec(&target.text, &tool.package),
            Target::Executable => tool
                .executables
                .iter()
                .any(|e| *e == basename(&target.text)),
        };
        if ok {
            return Some(i);
        }
    }
    None
}

/// Reads the tool's own options (the words after the tool word).
pub fn parse_args(tool: &ToolSpec, words: &[Word], tool_word: usize) -> ToolArgs {
    let mut a = ToolArgs {
        tool_word,
        creates_envs: true,
        envdir: None,
        envdir_home: false,
        config: None,
        reuse: Reuse::Default,
        cli_reuse: CliReuse::default(),
        sessions: None,
        default_backend: None,
        pythons: vec![],
    };
    let (mut on, mut off, mut force) = (false, false, false);
    // Inside a session option's list of names.
    let mut in_sessions = false;
    // Inside an interpreter option's list of versions.
    let mut in_pythons = false;
    let has = |list: &[String], o: &str| list.iter().any(|x| x == o);
    let mut i = tool_word + 1;
    while let Some(w) = words.get(i) {
        i += 1;
        let text = w.text.as_str();
        if text == "--" {
            break;
        }
        if !text.starts_with('-') {
            if in_sessions {
                a.sessions
                    .get_or_insert_with(Vec::new)
                    .push(text.to_string());
            } else if in_pythons {
                a.pythons.push(text.to_string());
            }
            continue;
        }
        in_sessions = false;
        in_pythons = false;
        if let Some((o, v)) = text.split_once('=')
            && has(&tool.python_options, o)
        {
            a.pythons.push(v.to_string());
            continue;
        }
        if has(&tool.python_options, text) {
            in_pythons = true;
            continue;
        }
        if let Some((o, v)) = text.split_once('=')
            && has(&tool.session_options, o)
        {
            a.sessions.get_or_insert_with(Vec::new).push(v.to_string());
            continue;
        }
        if has(&tool.session_options, text) {
            in_sessions = true;
            a.sessions.get_or_insert_with(Vec::new);
            continue;
        }
        let (opt, inline) = match text.split_once('=') {
            Some((o, v)) if o.starts_with("--") || has(&tool.options_with_value, o) => (o, Some(v)),
            _ => (text, None),
        };
        let value_word = if inline.is_none() && has(&tool.options_with_value, opt) {
            i += 1;
            words.get(i - 1)
        } else {
            None
        };
        let value = inline.or(value_word.map(|w| w.text.as_str()));
        if has(&tool.no_environment_options, opt) {
            a.creates_envs = false;
        }
        if let Some(v) = value {
            if tool
                .no_environment_values
                .iter()
                .any(|ov| has(&ov.options, opt) && has(&ov.values, v))
            {
                a.creates_envs = false;
            }
            if has(&tool.envdir.options, opt) {
                a.envdir = Some(v.to_string());
                // `--envdir ~/x` is expanded by the shell; `--envdir=~/x` and a quoted `~` are not.
                a.envdir_home =
                    inline.is_none() && v.starts_with('~') && value_word.is_some_and(|w| !w.quoted);
            }
            if has(&tool.config.options, opt) {
                a.config = Some(v.to_string());
            }
            if has(&tool.default_backend_options, opt) {
                a.default_backend = Some(v.to_string());
            }
            for rv in tool.reuse.values.iter().filter(|rv| has(&rv.options, opt)) {
                a.cli_reuse.value = Some(v.to_string());
                if has(&rv.on, v) {
                    on = true;
                } else if has(&rv.off, v) {
                    off = true;
                }
            }
        }
        if has(&tool.reuse.force_options, opt) {
            force = true;
            a.cli_reuse.force = true;
        }
        if has(&tool.reuse.on_options, opt) {
            on = true;
            a.cli_reuse.flag = Some(true);
        }
        if has(&tool.reuse.off_options, opt) {
            off = true;
            a.cli_reuse.flag = Some(false);
        }
    }
    a.reuse = if force {
        Reuse::On
    } else if off {
        Reuse::Off
    } else if on {
        Reuse::On
    } else {
        Reuse::Default
    };
    a
}

/// A path that cannot be known statically (a shell variable, an expression).
fn is_dynamic(path: &str) -> bool {
    path.contains('$') || path.contains('`')
}

/// Where the environments of an invocation go, relative to the workspace (`None`: unknown).
/// `working_directory` is the step's effective working directory.
pub fn envdir(tool: &ToolSpec, args: &ToolArgs, working_directory: Option<&str>) -> Option<String> {
    let base = match tool.envdir.relative_to {
        RelativeTo::Config => project_dir(args, working_directory)?,
        RelativeTo::Home => HOME.to_string(),
    };
    match &args.envdir {
        None => Some(glob::join(&base, &tool.envdir.default)),
        Some(e) if is_dynamic(e) => None,
        Some(e) if args.envdir_home => {
            let rest = e.trim_start_matches('~').trim_start_matches('/');
            Some(glob::normalize(&format!("{HOME}/{rest}")))
        }
        Some(e) => Some(glob::join(&base, e)),
    }
}

/// The directory of the config file (the project), relative to the workspace (`None`: unknown).
pub fn project_dir(args: &ToolArgs, working_directory: Option<&str>) -> Option<String> {
    let wd = working_directory.unwrap_or("");
    if is_dynamic(wd) {
        return None;
    }
    let wd = glob::normalize(wd);
    let config_dir = match &args.config {
        Some(f) if is_dynamic(f) => return None,
        Some(f) => f
            .rsplit_once(['/', '\\'])
            .map_or("", |(d, _)| d)
            .to_string(),
        None => String::new(),
    };
    Some(glob::join(&wd, &config_dir))
}

/// How the home directory is written in computed paths: an absolute path with a marker
/// segment, so `~/.nox` never equals a relative folder named `~`.
pub const HOME: &str = "/~";

/// Normalises a path as written in a cache step (`~` is home; `./` and `${{ github.workspace }}/`
/// are the workspace). `None` when the path depends on something unknown.
pub fn cache_path(line: &str) -> Option<String> {
    let mut p = line.trim();
    for prefix in [
        "${{ github.workspace }}",
        "${{github.workspace}}",
        "$GITHUB_WORKSPACE",
        "${GITHUB_WORKSPACE}",
    ] {
        if let Some(rest) = p.strip_prefix(prefix) {
            p = rest.trim_start_matches('/');
            if p.is_empty() {
                return Some(String::new());
            }
        }
    }
    if p.contains("${{") || is_dynamic(p) {
        return None;
    }
    if let Some(rest) = p.strip_prefix('~') {
        return Some(glob::normalize(&format!("{HOME}/{rest}")));
    }
    Some(glob::normalize(p))
}

#[cfg(test)]
#[path = "invocation_tests.rs"]
mod tests;
