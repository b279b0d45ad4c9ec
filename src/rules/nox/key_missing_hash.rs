//! `nox/key-missing-hash`: the key of a cache step covering nox's envdir has no
//! `hashFiles(...)` whose patterns match the project's `pyproject.toml`.

use crate::diagnostic::Diagnostic;
use crate::rules::{Context, Rule};
use crate::tools::cache::key_hashes;
use crate::tools::facts::env_chain;
use crate::tools::glob;
use crate::tools::{Answer, JobFacts};
use crate::workflow::Job;

use super::{cache_covers, show_dir};

/// The rule id.
pub const ID: &str = "nox/key-missing-hash";

/// See the module docs.
pub struct KeyMissingHash;

/// At most this many distinct envdirs of one job are matched against its cache steps.
const MAX_TARGETS: usize = 64;

impl Rule for KeyMissingHash {
    fn check_job(
        &self,
        cx: &Context<'_>,
        job: &Job<'_>,
        facts: &JobFacts<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        // The envdirs nox uses in this job; with no visible nox run, the default `.nox`.
        let mut targets: Vec<(Option<&str>, Option<&str>)> = facts
            .invocations
            .iter()
            .filter(|i| i.creates_envs)
            .map(|i| (i.envdir.as_deref(), i.project_dir.as_deref()))
            .collect();
        // Distinct envdirs only, and a bounded number of them: each is checked against every
        // path line of every cache step.
        let mut seen = Vec::with_capacity(targets.len().min(MAX_TARGETS));
        targets.retain(|t| {
            let new = seen.len() < MAX_TARGETS && !seen.contains(t);
            if new {
                seen.push(*t);
            }
            new
        });
        if targets.is_empty() {
            targets.push((Some(".nox"), Some("")));
        }
        for cache in &facts.caches {
            let Some(key) = cache.key else { continue };
            let Some((envdir, project)) = targets
                .iter()
                .find(|(dir, _)| dir.is_some() && cache_covers(cache, *dir) == Answer::Yes)
            else {
                continue;
            };
            let Some(project) = project else { continue };
            let pyproject = if project.is_empty() {
                "pyproject.toml".to_string()
            } else {
                format!("{project}/pyproject.toml")
            };
            let Some(step) = job.steps().get(cache.step) else {
                continue;
            };
            let env = env_chain(cx.workflow, job, step);
            if key_hashes(key.value, &env, &pyproject) != Answer::No {
                continue;
            }
            let covering = cache.paths.iter().flatten().find(|l| {
                !l.exclude
                    && envdir
                        .zip(l.path.as_deref())
                        .is_some_and(|(dir, p)| glob::covers(p, dir))
            });
            let mut d = Diagnostic::new(
                    ID,
                    cache.via.clone().unwrap_or_else(|| key.span()),
                    format!(
                        "the cache key for `{}` does not change when `{pyproject}` changes",
                        show_dir(*envdir)
                    ),
                )
                .with_primary_label(format!("no `hashFiles()` of `{pyproject}` in this key"))
                .with_help(format!(
                    "add `${{{{ hashFiles('{pyproject}') }}}}` to the key, so new dependencies get fresh environments"
                ));
            if let Some(line) = covering {
                d = d.with_label(line.span.clone(), "caches nox's environments");
            }
            out.push(d);
        }
    }
}
