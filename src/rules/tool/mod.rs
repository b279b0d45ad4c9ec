//! Checks written once for every tool in `rules/tools/` (the registry makes `nox/cache-missing`
//! and, for another tool, `<tool>/cache-missing`): whether a job caches the tool's environments,
//! in time, under a key that changes with the dependencies. Everything tool-specific (envdir,
//! config file, dependency files, reuse options) comes from the tool's data.

pub mod cache_after_use;
pub mod cache_missing;
pub mod key_missing_hash;

use crate::facts::cache::covers;
use crate::facts::{Answer, CacheStep, Invocation, JobFacts};
use crate::knowledge::ToolSpec;

/// Whether a restoring cache step of the job covers `envdir` (any position in the job).
pub(crate) fn restored(facts: &JobFacts<'_>, envdir: Option<&str>) -> Answer {
    let mut answer = Answer::No;
    for cache in facts.caches.iter().filter(|c| c.restores) {
        match cache_covers(cache, envdir) {
            Answer::Yes => return Answer::Yes,
            Answer::Unknown => answer = Answer::Unknown,
            Answer::No => {}
        }
    }
    answer
}

/// Whether one cache step covers `envdir` (`None`: the envdir is unknown).
pub(crate) fn cache_covers(cache: &CacheStep<'_>, envdir: Option<&str>) -> Answer {
    match (&cache.paths, envdir) {
        (Some(lines), Some(dir)) => covers(lines, dir),
        _ => Answer::Unknown,
    }
}

/// The tool's first invocation in the job that creates environments.
pub(crate) fn first_creating(invocations: &[Invocation]) -> Option<&Invocation> {
    invocations.iter().find(|i| i.creates_envs)
}

/// How an envdir is shown in messages.
pub(crate) fn show_dir(dir: Option<&str>) -> String {
    match dir {
        Some(d) => match d.strip_prefix(crate::facts::invocation::HOME) {
            Some(rest) => format!("~{rest}"),
            None if d.is_empty() => ".".to_string(),
            None => d.to_string(),
        },
        None => "its envdir".to_string(),
    }
}

/// `file` in the project directory `project` (workspace-relative; `""` is the workspace).
pub(crate) fn in_project(project: &str, file: &str) -> String {
    if project.is_empty() {
        file.to_string()
    } else {
        format!("{project}/{file}")
    }
}

/// The tool's dependency files in `project`, as help texts and messages name them.
pub(crate) fn dependency_files(tool: &ToolSpec, project: &str) -> Vec<String> {
    tool.dependency_files
        .iter()
        .map(|f| in_project(project, f))
        .collect()
}

/// `a`, `a` or `b`, `a`, `b` or `c` (each in backticks).
pub(crate) fn either(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}
