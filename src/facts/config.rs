//! What a tool's config file (a noxfile) adds to an invocation: its envdir setting, its reuse
//! settings, and its sessions (which ones the command selects, whether they create
//! environments, whether they reuse them), following the tool's own precedence. The vocabulary
//! (setting names, decorator, arguments) is the tool's data (`python_config:`); the reader is
//! [`crate::python`]. Anything the reader cannot follow makes the answer unknown.

use crate::knowledge::{PythonConfig, ToolSpec};
use crate::python::{Module, Value};

use super::cache::Answer;
use super::invocation::ToolArgs;

/// The config file of an invocation, as far as the linter can see it.
#[derive(Clone, Copy, Debug)]
pub enum Config<'m> {
    /// Read from the repository.
    Read(&'m Module),
    /// The repository is not on disk, or the file is not there or could not be read.
    Unknown,
}

/// What the config and the command line say together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judged {
    /// Whether the command creates environments (`No`: every session it selects runs without).
    pub creates_envs: Answer,
    /// Whether the environments it creates are reused (`No`: every one is recreated).
    pub reuses: Answer,
    /// The envdir the config sets (`Some(None)`: set, but not to a literal).
    pub envdir: Option<Option<String>>,
}

/// A session, as the config defines it.
struct Session<'m> {
    name: String,
    /// The reuse argument (`None`: not given).
    reuse: Option<bool>,
    /// Whether it runs without being named.
    default: bool,
    /// Whether it needs no environment (`None`: unknown; `Some(false)`: it needs one unless
    /// the default backend is one that creates none).
    no_env: Option<bool>,
    /// Whether its own backend argument was given.
    own_backend: bool,
    _m: std::marker::PhantomData<&'m ()>,
}

/// Reuse as a value: on or off, and whether it beats a session's own argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Global {
    on: bool,
    strong: bool,
}

/// Judges one invocation of `tool` with arguments `args` and its config.
pub fn judge(tool: &ToolSpec, args: &ToolArgs, config: Config<'_>) -> Judged {
    let py = tool.python_config.as_ref();
    let module = match config {
        Config::Read(m) if !m.broken => Some(m),
        _ => None,
    };
    let global = global_reuse(tool, args, py.zip(module));
    let envdir = match (py.and_then(|p| p.envdir.as_deref()), module) {
        (Some(name), Some(m)) => setting(m, py, name).map(|v| v.as_str().map(str::to_string)),
        _ => None,
    };
    let unknown = Judged {
        creates_envs: Answer::Unknown,
        reuses: Answer::Unknown,
        envdir: envdir.clone(),
    };
    let (Some(py), Some(m)) = (py, module) else {
        // Without the config, only a strong value on the command line decides reuse.
        return Judged {
            reuses: match global {
                Some(g) if g.strong => yes_no(g.on),
                _ => Answer::Unknown,
            },
            ..unknown
        };
    };
    let Some(sessions) = sessions(m, py) else {
        return Judged {
            reuses: match global {
                Some(g) if g.strong => yes_no(g.on),
                _ => Answer::Unknown,
            },
            ..unknown
        };
    };
    let selected = select(tool, args, m, py, &sessions);
    let default_backend_none = match &args.default_backend {
        Some(b) => Some(py.no_environment_backends.contains(b)),
        None => match py
            .default_backend
            .as_deref()
            .map(|n| setting(m, Some(py), n))
        {
            Some(Some(Value::Str(b))) => Some(py.no_environment_backends.contains(&b)),
            Some(Some(Value::None)) | Some(None) | None => Some(false),
            Some(Some(_)) => None,
        },
    };
    let mut creates = Answer::No;
    let (mut reused, mut recreated, mut unknown_reuse) = (0, 0, false);
    for s in &selected {
        let no_env = match (s.no_env, s.own_backend) {
            (Some(true), _) => Some(true),
            (Some(false), true) => Some(false),
            (Some(false), false) => default_backend_none,
            (None, _) => None,
        };
        match no_env {
            Some(true) => continue,
            Some(false) => creates = Answer::Yes,
            None => {
                if creates == Answer::No {
                    creates = Answer::Unknown;
                }
            }
        }
        match global {
            None => unknown_reuse = true,
            Some(g) => {
                let on = if g.strong {
                    g.on
                } else if g.on {
                    s.reuse != Some(false)
                } else {
                    s.reuse == Some(true)
                };
                if on {
                    reused += 1;
                } else {
                    recreated += 1;
                }
            }
        }
    }
    let reuses = if unknown_reuse || selected.is_empty() {
        Answer::Unknown
    } else if reused == 0 && recreated > 0 {
        Answer::No
    } else if recreated == 0 && reused > 0 {
        Answer::Yes
    } else {
        Answer::Unknown
    };
    Judged {
        creates_envs: creates,
        reuses,
        envdir,
    }
}

fn yes_no(b: bool) -> Answer {
    if b { Answer::Yes } else { Answer::No }
}

/// A setting's module-level value: `None` when it is not set; `Some(Value::Dynamic)` when it
/// is set where the reader cannot follow (inside an `if`, through an alias, computed).
fn setting(m: &Module, py: Option<&PythonConfig>, name: &str) -> Option<Value> {
    let py = py?;
    let dotted = format!("{}.{name}", py.settings);
    let assigned = m.assignment_count(&dotted);
    // Every other appearance of the name (`opts.reuse_venv = ...`, `setattr`, inside an `if`)
    // may set it too.
    let elsewhere = m.mentions(&format!(".{name}")) > assigned
        || m.mentions(&dotted) > assigned
        || m.imports.iter().any(|(_, full)| *full == py.settings);
    match (m.assigned(&dotted), elsewhere) {
        (_, true) => Some(Value::Dynamic),
        (Some(v), false) => Some(v.clone()),
        (None, false) => None,
    }
}

/// What the command line and the config say about reuse before the sessions do: `None` when
/// unknown (the config sets it in a way the reader cannot follow).
fn global_reuse(
    tool: &ToolSpec,
    args: &ToolArgs,
    config: Option<(&PythonConfig, &Module)>,
) -> Option<Global> {
    let strong = |v: &str| {
        tool.python_config
            .as_ref()
            .is_some_and(|p| p.strong_reuse_values.iter().any(|s| s == v))
    };
    let of_value = |v: &str| -> Option<Global> {
        let on = tool.reuse.values.iter().find_map(|rv| {
            if rv.on.iter().any(|x| x == v) {
                Some(true)
            } else if rv.off.iter().any(|x| x == v) {
                Some(false)
            } else {
                None
            }
        })?;
        Some(Global {
            on,
            strong: strong(v),
        })
    };
    let cli = &args.cli_reuse;
    if cli.force {
        return Some(Global {
            on: true,
            strong: false,
        });
    }
    if let Some(v) = &cli.value {
        return of_value(v);
    }
    if let Some(on) = cli.flag {
        return Some(Global { on, strong: false });
    }
    let default = Global {
        on: tool.reuse.default,
        strong: false,
    };
    let Some((py, m)) = config else {
        // Not known: the config may set it. Report the default so a strong command-line value
        // is the only thing that decides (see `judge`).
        return if tool.python_config.is_some() {
            None
        } else {
            Some(default)
        };
    };
    // The boolean flag, when true, wins over the value setting (nox's merge order).
    if let Some(flag) = py.reuse_flag.as_deref() {
        match setting(m, Some(py), flag) {
            Some(Value::Bool(true)) => {
                return Some(Global {
                    on: true,
                    strong: false,
                });
            }
            Some(Value::Bool(false)) | None => {}
            Some(_) => return None,
        }
    }
    if let Some(name) = py.reuse.as_deref() {
        match setting(m, Some(py), name) {
            Some(Value::Str(v)) => return of_value(&v),
            None => {}
            Some(_) => return None,
        }
    }
    Some(default)
}

/// The sessions the module defines (`None`: it defines sessions in ways the reader cannot
/// follow, e.g. by calling the decorator).
fn sessions<'m>(m: &'m Module, py: &PythonConfig) -> Option<Vec<Session<'m>>> {
    // The decorator's names: the dotted one and any `from ... import` of it.
    let mut names = vec![py.decorator.clone()];
    names.extend(
        m.imports
            .iter()
            .filter(|(_, full)| *full == py.decorator)
            .map(|(local, _)| local.clone()),
    );
    let mut out = vec![];
    let mut decorated = 0;
    for f in &m.functions {
        for d in f.decorators.iter().filter(|d| names.contains(&d.name)) {
            decorated += 1;
            if !f.top_level || d.dynamic {
                return None;
            }
            let arg = |name: &Option<String>| name.as_deref().and_then(|n| d.kwarg(n));
            let name = match arg(&py.name_argument) {
                Some(Value::Str(n)) => n.clone(),
                None | Some(Value::None) => f.name.clone(),
                Some(_) => return None,
            };
            let reuse = match arg(&py.reuse_argument) {
                Some(Value::Bool(b)) => Some(*b),
                None | Some(Value::None) => None,
                Some(_) => return None,
            };
            let default = match arg(&py.default_argument) {
                Some(Value::Bool(b)) => *b,
                None => true,
                Some(_) => return None,
            };
            let python_false = match arg(&py.python_argument) {
                Some(Value::Bool(false)) => Some(true),
                Some(Value::Dynamic) => None,
                _ => Some(false),
            };
            let (backend_none, own_backend) = match arg(&py.backend_argument) {
                Some(Value::Str(b)) => (Some(py.no_environment_backends.contains(b)), true),
                None | Some(Value::None) => (Some(false), false),
                Some(_) => (None, true),
            };
            let no_env = match (python_false, backend_none) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
            out.push(Session {
                name,
                reuse,
                default,
                no_env,
                own_backend,
                _m: std::marker::PhantomData,
            });
        }
    }
    // Every appearance of the decorator must be one of those read (not `nox.session(...)(f)`).
    let mentioned: usize = names.iter().map(|n| m.mentions(n)).sum();
    let imported = names.len() - 1;
    if mentioned > decorated + imported || out.is_empty() {
        return None;
    }
    Some(out)
}

/// The sessions a command runs. When the names cannot all be matched, every session.
fn select<'s, 'm>(
    _tool: &ToolSpec,
    args: &ToolArgs,
    m: &Module,
    py: &PythonConfig,
    sessions: &'s [Session<'m>],
) -> Vec<&'s Session<'m>> {
    let all = || sessions.iter().collect::<Vec<_>>();
    let names: Vec<String> = match &args.sessions {
        Some(names) => names.clone(),
        None => match py.sessions.as_deref().map(|n| setting(m, Some(py), n)) {
            Some(Some(Value::List(items))) => {
                let mut v = vec![];
                for i in items {
                    match i {
                        Value::Str(s) => v.push(s),
                        _ => return all(),
                    }
                }
                v
            }
            Some(Some(Value::Str(s))) => vec![s],
            Some(Some(_)) => return all(),
            _ => return sessions.iter().filter(|s| s.default).collect(),
        },
    };
    let mut out: Vec<&Session<'m>> = vec![];
    for n in &names {
        // `tests`, `tests-3.12`, `tests(django='4')`.
        let matched: Vec<&Session<'m>> = sessions
            .iter()
            .filter(|s| {
                n == &s.name
                    || n.strip_prefix(s.name.as_str())
                        .is_some_and(|rest| rest.starts_with(['-', '(']))
            })
            .collect();
        if matched.is_empty() {
            return all();
        }
        for s in matched {
            if !out.iter().any(|o| std::ptr::eq(*o, s)) {
                out.push(s);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::invocation::parse_args;
    use crate::knowledge::Knowledge;
    use crate::shell::Word;

    fn judge_cmd(cmd: &str, noxfile: Option<&str>) -> Judged {
        let k = Knowledge::load().unwrap();
        let tool = &k.tools[0];
        let words: Vec<Word> = cmd
            .split_whitespace()
            .map(|w| Word {
                text: w.to_string(),
                span: 0..0,
                quoted: false,
            })
            .collect();
        let args = parse_args(tool, &words, 0);
        let m = noxfile.map(crate::python::read);
        judge(
            tool,
            &args,
            m.as_ref().map_or(Config::Unknown, Config::Read),
        )
    }

    const PLAIN: &str = "import nox\n\n@nox.session\ndef tests(session):\n    session.run('pytest')\n\n@nox.session(python=False)\ndef release(session):\n    pass\n";

    #[test]
    fn reuse_follows_nox_precedence() {
        use Answer::*;
        let r = |cmd: &str, f: Option<&str>| judge_cmd(cmd, f).reuses;
        // The default recreates.
        assert_eq!(r("nox -s tests", Some(PLAIN)), No);
        assert_eq!(r("nox -r -s tests", Some(PLAIN)), Yes);
        assert_eq!(r("nox --reuse-venv=yes", Some(PLAIN)), Yes);
        // An explicit value beats -r.
        assert_eq!(r("nox -r --reuse-venv=no", Some(PLAIN)), No);
        assert_eq!(r("nox --reuse-venv=no -r", Some(PLAIN)), No);
        // -R beats an explicit value.
        assert_eq!(r("nox -R --reuse-venv=never", Some(PLAIN)), Yes);
        // The noxfile.
        let on =
            "import nox\nnox.options.reuse_venv = 'yes'\n@nox.session\ndef tests(session): pass\n";
        assert_eq!(r("nox", Some(on)), Yes);
        assert_eq!(r("nox -N", Some(on)), No);
        let legacy = "import nox\nnox.options.reuse_existing_virtualenvs = True\nnox.options.reuse_venv = 'no'\n@nox.session\ndef tests(session): pass\n";
        assert_eq!(r("nox", Some(legacy)), Yes);
        // A session's own argument beats yes/no but not always/never.
        let own = "import nox\n@nox.session(reuse_venv=True)\ndef tests(session): pass\n";
        assert_eq!(r("nox", Some(own)), Yes);
        assert_eq!(r("nox -N", Some(own)), Yes);
        assert_eq!(r("nox --reuse-venv=never", Some(own)), No);
        let off = "import nox\n@nox.session(reuse_venv=False)\ndef tests(session): pass\n";
        assert_eq!(r("nox -r", Some(off)), No);
        assert_eq!(r("nox -R", Some(off)), No);
        assert_eq!(r("nox --reuse-venv=always", Some(off)), Yes);
        // Without the noxfile only a strong value decides.
        assert_eq!(r("nox -s tests", None), Unknown);
        assert_eq!(r("nox -N", None), Unknown);
        assert_eq!(r("nox --reuse-venv=never", None), No);
        assert_eq!(r("nox --reuse-venv=always", None), Yes);
        // Set where the reader cannot follow: unknown.
        let dynamic = "import nox, os\nif os.environ.get('CI'):\n    nox.options.reuse_venv = 'yes'\n@nox.session\ndef tests(session): pass\n";
        assert_eq!(r("nox", Some(dynamic)), Unknown);
        let computed = "import nox, os\nnox.options.reuse_venv = os.environ.get('R', 'no')\n@nox.session\ndef tests(session): pass\n";
        assert_eq!(r("nox", Some(computed)), Unknown);
    }

    #[test]
    fn sessions_without_environments() {
        use Answer::*;
        let c = |cmd: &str, f: &str| judge_cmd(cmd, Some(f)).creates_envs;
        assert_eq!(c("nox -s release", PLAIN), No);
        assert_eq!(c("nox -s tests", PLAIN), Yes);
        assert_eq!(c("nox -s tests release", PLAIN), Yes);
        assert_eq!(c("nox", PLAIN), Yes);
        assert_eq!(c("nox -s tests-3.12", PLAIN), Yes);
        // An unknown name: every session is judged.
        assert_eq!(c("nox -s other", PLAIN), Yes);
        let none = "import nox\nnox.options.default_venv_backend = 'none'\n@nox.session\ndef a(session): pass\n@nox.session(venv_backend='uv')\ndef b(session): pass\n";
        assert_eq!(c("nox -s a", none), No);
        assert_eq!(c("nox -s b", none), Yes);
        assert_eq!(c("nox -db uv -s a", none), Yes);
        let backend = "import nox\n@nox.session(venv_backend='none')\ndef a(session): pass\n";
        assert_eq!(c("nox", backend), No);
        // A session made by calling the decorator: unknown.
        let called = "import nox\ndef f(session): pass\nnox.session(name='x')(f)\n@nox.session(python=False)\ndef a(session): pass\n";
        assert_eq!(c("nox -s a", called), Unknown);
        // nox.options.sessions is used when the command names none.
        let opts = "import nox\nnox.options.sessions = ['a']\n@nox.session(python=False)\ndef a(session): pass\n@nox.session\ndef b(session): pass\n";
        assert_eq!(c("nox", opts), No);
        assert_eq!(c("nox -s b", opts), Yes);
        // default=False sessions do not run unless named.
        let nondefault = "import nox\n@nox.session(python=False)\ndef a(session): pass\n@nox.session(default=False)\ndef b(session): pass\n";
        assert_eq!(c("nox", nondefault), No);
    }

    #[test]
    fn envdir_setting() {
        let f =
            "import nox\nnox.options.envdir = '.cache/nox'\n@nox.session\ndef a(session): pass\n";
        assert_eq!(
            judge_cmd("nox", Some(f)).envdir,
            Some(Some(".cache/nox".into()))
        );
        let d = "import nox\nnox.options.envdir = ROOT / 'x'\n@nox.session\ndef a(session): pass\n";
        assert_eq!(judge_cmd("nox", Some(d)).envdir, Some(None));
        assert_eq!(judge_cmd("nox", Some(PLAIN)).envdir, None);
    }
}
