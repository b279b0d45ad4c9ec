//! What a job does, as far as the rules care: where it runs the tool and where it caches.
//! Computed once per job by the engine and handed to every rule.

use crate::expr;
use crate::shell::{self, Dialect};
use crate::source::Span;
use crate::workflow::{ActionRef, Job, Step, StepKind, Str, Workflow};
use crate::yaml::Node;

use super::cache::{EnvChain, Lookup, PathLine, path_lines};
use super::data::Knowledge;
use super::glob;
use super::invocation::{Reuse, envdir, match_tool, parse_args, project_dir};

/// One invocation of the tool.
#[derive(Clone, Debug)]
pub struct Invocation {
    /// Index of the step in the job.
    pub step: usize,
    /// When the step runs (steps of one `parallel:` group share it).
    pub order: usize,
    /// From the command word to the tool word (`python -m nox`), in the file; for an invocation
    /// inside a local composite action, the caller's `uses:` value.
    pub span: Span,
    /// Whether the invocation is inside a local composite action (or a runner action).
    pub in_action: bool,
    /// Whether it creates environments.
    pub creates_envs: bool,
    /// Where they go, workspace-relative (`None`: unknown).
    pub envdir: Option<String>,
    /// The noxfile's directory, workspace-relative (`None`: unknown).
    pub project_dir: Option<String>,
    /// Reuse flags.
    pub reuse: Reuse,
}

/// A step that restores and/or saves a cache.
#[derive(Clone, Debug)]
pub struct CacheStep<'a> {
    /// Index of the step in the job.
    pub step: usize,
    /// When the step runs (steps of one `parallel:` group share it).
    pub order: usize,
    /// The `uses:` value.
    pub uses: Str<'a>,
    /// `Some` when the step is inside a local composite action: the caller's `uses:` span, where
    /// everything about this step is reported.
    pub via: Option<Span>,
    /// Whether it restores.
    pub restores: bool,
    /// Whether it saves.
    pub saves: bool,
    /// The `path:` lines (`None`: no path input, or not a string).
    pub paths: Option<Vec<PathLine>>,
    /// The `key:` input.
    pub key: Option<Str<'a>>,
}

/// Everything the rules need to know about one job.
#[derive(Debug, Default)]
pub struct JobFacts<'a> {
    /// Tool invocations, in step order.
    pub invocations: Vec<Invocation>,
    /// Cache steps, in step order.
    pub caches: Vec<CacheStep<'a>>,
}

/// Whether an `if:` is literally false (the job or step never runs).
pub fn is_literally_false(cond: Option<&Node<'_>>) -> bool {
    let Some(text) = cond.and_then(|n| n.as_str()) else {
        return false;
    };
    let t = text.trim();
    let t = t
        .strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(t)
        .trim();
    t == "false"
}

/// The script language of a `run:` step: its effective shell, else the runner's default.
pub fn dialect(shell: Option<&str>, job: &Job<'_>) -> Dialect {
    match shell {
        Some(s) => {
            let program = s.split_whitespace().next().unwrap_or("");
            let program = program.rsplit(['/', '\\']).next().unwrap_or(program);
            match program.trim_end_matches(".exe") {
                "bash" | "sh" | "zsh" | "dash" | "ksh" | "ash" | "busybox" | "msys2" => {
                    Dialect::Posix
                }
                "pwsh" | "powershell" => Dialect::PowerShell,
                "cmd" => Dialect::Cmd,
                "{0}" => Dialect::Posix,
                _ => Dialect::Other,
            }
        }
        None => {
            let windows = job
                .runs_on
                .and_then(|n| n.as_str())
                .is_some_and(|r| r.to_ascii_lowercase().contains("windows") && !r.contains("${{"));
            if windows {
                Dialect::PowerShell
            } else {
                Dialect::Posix
            }
        }
    }
}

/// Resolves `${{ env.NAME }}` and `${{ github.workspace }}` in a path from the `env:` blocks in
/// scope. `None` when any part is not known statically (a step output, a variable set at run
/// time).
pub fn resolve_path(text: &str, env: &EnvChain<'_, '_>) -> Option<String> {
    resolve_depth(text, env, 0)
}

fn resolve_depth(text: &str, env: &EnvChain<'_, '_>, depth: usize) -> Option<String> {
    let sites = expr::find(text);
    if sites.is_empty() {
        return Some(text.to_string());
    }
    if depth > 4 {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for site in sites {
        out.push_str(text.get(at..site.range.start)?);
        let name = site.body.trim();
        let value = if name == "github.workspace" {
            ".".to_string()
        } else {
            let var = name.strip_prefix("env.")?;
            let Lookup::Declared(declared) = env.get(var) else {
                return None;
            };
            resolve_depth(declared.value, env, depth + 1)?
        };
        out.push_str(&value);
        at = site.range.end;
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

/// Local composite actions a workflow uses, by the path its `uses:` names (see [`local_action_key`]).
pub type LocalActions<'a> = [(String, Workflow<'a>)];

/// The key under which a `uses: ./path` or `uses: $/path` action is looked up: the normalised
/// path from the repository root (`""` for the root action).
pub fn local_action_key(action: &ActionRef<'_>) -> Option<String> {
    match action {
        ActionRef::Local { path } | ActionRef::SelfRepo { path } => Some(glob::normalize(path)),
        _ => None,
    }
}

/// How deep composite actions are followed into each other.
const MAX_COMPOSITE_DEPTH: usize = 4;

struct Cx<'c, 'a> {
    k: &'c Knowledge,
    src: &'c str,
    wf: &'c Workflow<'a>,
    job: &'c Job<'a>,
    actions: &'c LocalActions<'a>,
}

/// Where a step of a composite action is used: what it is reported as.
#[derive(Clone)]
struct Caller {
    /// The caller's `uses:` value span (in the linted file).
    span: Span,
    index: usize,
    order: usize,
}

/// Analyses a job's steps, following the local composite actions in `actions`.
pub fn analyze_job<'a>(
    k: &Knowledge,
    src: &str,
    wf: &Workflow<'a>,
    job: &Job<'a>,
    actions: &LocalActions<'a>,
) -> JobFacts<'a> {
    let mut facts = JobFacts::default();
    if is_literally_false(job.if_cond) {
        return facts;
    }
    let cx = Cx {
        k,
        src,
        wf,
        job,
        actions,
    };
    for step in job.steps() {
        visit(&cx, step, None, 0, &mut facts);
    }
    facts
}

fn visit<'a>(
    cx: &Cx<'_, 'a>,
    step: &Step<'a>,
    caller: Option<&Caller>,
    depth: usize,
    facts: &mut JobFacts<'a>,
) {
    if is_literally_false(step.if_cond) {
        return;
    }
    let k = cx.k;
    let (index, order) = caller.map_or((step.index, step.order), |c| (c.index, c.order));
    let chain = env_chain(cx.wf, cx.job, step);
    // An unresolvable working directory makes the envdir unknown (`$` marks it so).
    let resolve = |w: Str<'_>| resolve_path(w.value, &chain).unwrap_or_else(|| "$unknown".into());
    let at = Site {
        index,
        order,
        span: caller.map(|c| c.span.clone()),
    };
    if let Some(run) = step.run() {
        let dialect = dialect(run.shell.map(|s| s.value), cx.job);
        let wd = run.working_directory.map(resolve);
        scan_script(cx, &at, &run.script, dialect, wd.as_deref(), facts);
        return;
    }
    let (Some(action), Some(uses)) = (step.action(), uses_of(step)) else {
        return;
    };
    if let Some(key) = local_action_key(action) {
        if depth >= MAX_COMPOSITE_DEPTH {
            return;
        }
        let Some((_, composite)) = cx.actions.iter().find(|(k, _)| *k == key) else {
            return;
        };
        let inner = Caller {
            span: caller.map_or_else(|| uses.span(), |c| c.span.clone()),
            index,
            order,
        };
        for s in &composite.action_steps {
            visit(cx, s, Some(&inner), depth + 1, facts);
        }
        return;
    }
    let Some(name) = action.name() else { return };
    if let Some(cache) = k.cache_action(&name) {
        let paths = step.input(&cache.path_input).map(|p| {
            let mut lines = path_lines(cx.src, &p);
            if let Some(span) = &at.span {
                lines.iter_mut().for_each(|l| l.span = span.clone());
            }
            lines
        });
        facts.caches.push(CacheStep {
            step: index,
            order,
            uses,
            via: at.span.clone(),
            // `lookup-only: true` checks for a cache without restoring it.
            restores: cache.restores
                && step.input(&cache.lookup_only_input).map(|v| v.value.trim()) != Some("true"),
            saves: cache.saves,
            paths,
            key: step.input(&cache.key_input),
        });
    } else if let Some(runner) = k.nox.runner_actions.iter().find(|a| a.uses == name) {
        let wd = runner
            .working_directory_input
            .as_deref()
            .and_then(|i| step.input(i))
            .map(resolve);
        let wd = wd.as_deref();
        let args = parse_args(&k.nox, &[], 0);
        facts.invocations.push(Invocation {
            step: index,
            order,
            span: at.span.clone().unwrap_or_else(|| uses.span()),
            in_action: true,
            creates_envs: true,
            envdir: envdir(&k.nox, &args, wd),
            project_dir: project_dir(&args, wd),
            reuse: Reuse::Default,
        });
    } else if let Some(sa) = k.nox.script_actions.iter().find(|a| a.uses == name)
        && let Some(script) = step.input(&sa.input)
    {
        scan_script(cx, &at, &script, Dialect::Posix, None, facts);
    }
}

/// Where facts found in a step are reported.
struct Site {
    index: usize,
    order: usize,
    /// `Some` inside a composite action: the caller's `uses:` span.
    span: Option<Span>,
}

fn uses_of<'a>(step: &Step<'a>) -> Option<Str<'a>> {
    match &step.kind {
        StepKind::Uses { uses, .. } => Some(*uses),
        _ => None,
    }
}

fn scan_script(
    cx: &Cx<'_, '_>,
    at: &Site,
    script: &Str<'_>,
    dialect: Dialect,
    wd: Option<&str>,
    facts: &mut JobFacts<'_>,
) {
    let (k, src) = (cx.k, cx.src);
    let tool = &k.nox;
    // Every way to run the tool names it: scripts that do not are not scanned, and commands
    // that do not are dropped while scanning.
    let needles = tool.needles();
    if !needles
        .iter()
        .any(|n| memchr::memmem::find(script.value.as_bytes(), n.as_bytes()).is_some())
    {
        return;
    }
    let mut map = None;
    for cmd in shell::scan_for(script.value, dialect, &needles) {
        let Some(i) = match_tool(k, tool, &cmd.words) else {
            continue;
        };
        let args = parse_args(tool, &cmd.words, i);
        let (Some(first), Some(last)) = (cmd.words.first(), cmd.words.get(i)) else {
            continue;
        };
        let span = match &at.span {
            Some(span) => span.clone(),
            None => map
                .get_or_insert_with(|| script.node.scalar_map(src))
                .to_source(first.span.start..last.span.end),
        };
        facts.invocations.push(Invocation {
            step: at.index,
            order: at.order,
            span,
            in_action: at.span.is_some(),
            creates_envs: args.creates_envs,
            envdir: envdir(tool, &args, wd),
            project_dir: project_dir(&args, wd),
            reuse: args.reuse,
        });
    }
}

/// The `env:` scopes of a step: step, job, workflow.
pub fn env_chain<'e, 'a>(
    wf: &'e Workflow<'a>,
    job: &'e Job<'a>,
    step: &'e Step<'a>,
) -> EnvChain<'e, 'a> {
    EnvChain {
        scopes: [&step.env, &job.env, &wf.env],
    }
}
