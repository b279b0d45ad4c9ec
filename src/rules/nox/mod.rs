//! Rules about nox's environments (`.nox`) and how jobs cache them.

pub mod cache_after_use;
pub mod cache_missing;
pub mod key_missing_hash;

use crate::tools::cache::covers;
use crate::tools::{Answer, CacheStep, Invocation, JobFacts};

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

/// The job's first invocation that creates environments.
pub(crate) fn first_creating<'f>(facts: &'f JobFacts<'_>) -> Option<&'f Invocation> {
    facts.invocations.iter().find(|i| i.creates_envs)
}

/// How an envdir is shown in messages.
pub(crate) fn show_dir(dir: Option<&str>) -> String {
    match dir {
        Some(d) => match d.strip_prefix(crate::tools::invocation::HOME) {
            Some(rest) => format!("~{rest}"),
            None if d.is_empty() => ".".to_string(),
            None => d.to_string(),
        },
        None => "its envdir".to_string(),
    }
}
