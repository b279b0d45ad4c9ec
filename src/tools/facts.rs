//! What a job does, as far as the rules care: where it runs the tool and where it caches.
//! Computed once per job by the engine and handed to every rule.

use crate::shell::{self, Dialect};
use crate::source::Span;
use crate::workflow::{Job, Step, StepKind, Str, Workflow};
use crate::yaml::Node;

use super::cache::{EnvChain, PathLine, path_lines};
use super::data::Knowledge;
use super::invocation::{Reuse, envdir, match_tool, parse_args, project_dir};

/// One invocation of the tool.
#[derive(Clone, Debug)]
pub struct Invocation {
    /// Index of the step in the job.
    pub step: usize,
    /// When the step runs (steps of one `parallel:` group share it).
    pub order: usize,
    /// From the command word to the tool word (`python -m nox`), in the file.
    pub span: Span,
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
                "bash" | "sh" | "zsh" | "dash" | "ksh" | "ash" | "busybox" => Dialect::Posix,
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

/// Analyses a job's steps.
pub fn analyze_job<'a>(k: &Knowledge, src: &str, job: &Job<'a>) -> JobFacts<'a> {
    let mut facts = JobFacts::default();
    if is_literally_false(job.if_cond) {
        return facts;
    }
    for step in job.steps() {
        if is_literally_false(step.if_cond) {
            continue;
        }
        if let Some(run) = step.run() {
            let dialect = dialect(run.shell.map(|s| s.value), job);
            let wd = run.working_directory.map(|w| w.value);
            scan_script(k, src, step, &run.script, dialect, wd, &mut facts);
        } else if let Some(name) = step.action().and_then(|a| a.name()) {
            if let Some(action) = k.cache_action(&name) {
                if let Some(uses) = uses_of(step) {
                    facts.caches.push(CacheStep {
                        step: step.index,
                        order: step.order,
                        uses,
                        restores: action.restores,
                        saves: action.saves,
                        paths: step.input(&action.path_input).map(|p| path_lines(src, &p)),
                        key: step.input(&action.key_input),
                    });
                }
            } else if let Some(runner) = k.nox.runner_actions.iter().find(|a| a.uses == name) {
                if let Some(uses) = uses_of(step) {
                    let wd = runner
                        .working_directory_input
                        .as_deref()
                        .and_then(|i| step.input(i))
                        .map(|w| w.value);
                    let args = parse_args(&k.nox, &[], 0);
                    facts.invocations.push(Invocation {
                        step: step.index,
                        order: step.order,
                        span: uses.span(),
                        creates_envs: true,
                        envdir: envdir(&k.nox, &args, wd),
                        project_dir: project_dir(&args, wd),
                        reuse: Reuse::Default,
                    });
                }
            } else if let Some(sa) = k.nox.script_actions.iter().find(|a| a.uses == name)
                && let Some(script) = step.input(&sa.input)
            {
                scan_script(k, src, step, &script, Dialect::Posix, None, &mut facts);
            }
        }
    }
    facts
}

fn uses_of<'a>(step: &Step<'a>) -> Option<Str<'a>> {
    match &step.kind {
        StepKind::Uses { uses, .. } => Some(*uses),
        _ => None,
    }
}

fn scan_script(
    k: &Knowledge,
    src: &str,
    step: &Step<'_>,
    script: &Str<'_>,
    dialect: Dialect,
    wd: Option<&str>,
    facts: &mut JobFacts<'_>,
) {
    let tool = &k.nox;
    // Cheap filter: every way to run the tool names it.
    if memchr::memmem::find(script.value.as_bytes(), tool.package.as_bytes()).is_none()
        && !tool
            .executables
            .iter()
            .any(|e| memchr::memmem::find(script.value.as_bytes(), e.as_bytes()).is_some())
    {
        return;
    }
    let mut map = None;
    for cmd in shell::scan(script.value, dialect) {
        let Some(i) = match_tool(k, tool, &cmd.words) else {
            continue;
        };
        let args = parse_args(tool, &cmd.words, i);
        let map = map.get_or_insert_with(|| script.node.scalar_map(src));
        let (Some(first), Some(last)) = (cmd.words.first(), cmd.words.get(i)) else {
            continue;
        };
        facts.invocations.push(Invocation {
            step: step.index,
            order: step.order,
            span: map.to_source(first.span.start..last.span.end),
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
