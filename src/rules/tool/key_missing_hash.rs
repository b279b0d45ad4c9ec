//! `<tool>/key-missing-hash`: the key of a cache step covering the tool's envdir has no
//! `hashFiles(...)` whose patterns match one of the project's dependency files.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::cache::key_hashes;
use crate::facts::{Answer, JobFacts};
use crate::knowledge::glob;
use crate::rules::{Context, RuleMeta, ToolCx, ToolRule};
use crate::workflow::Job;

use super::{cache_covers, dependency_files, either, show_dir};

/// The check's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "key-missing-hash",
    summary: "The cache key for {tool}'s environments does not hash {deps}.",
    severity: Severity::Error,
};

/// See the module docs.
pub struct KeyMissingHash;

/// At most this many distinct envdirs of one job are matched against its cache steps.
const MAX_TARGETS: usize = 64;

impl ToolRule for KeyMissingHash {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(
        &self,
        _cx: &Context<'_>,
        tool: &ToolCx<'_>,
        _job: &Job<'_>,
        facts: &JobFacts<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let spec = tool.spec;
        // The envdirs the tool uses in this job; with no visible run, the default one.
        let mut targets: Vec<(Option<&str>, Option<&str>)> = facts
            .invocations(tool.index)
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
        let default_envdir = crate::facts::invocation::envdir(
            spec,
            &crate::facts::invocation::parse_args(spec, &[], 0),
            None,
        );
        if targets.is_empty() {
            targets.push((default_envdir.as_deref(), Some("")));
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
            let deps = dependency_files(spec, project);
            let mut answer = Answer::No;
            for dep in &deps {
                match key_hashes(key.value, &cache.env, dep) {
                    Answer::Yes => answer = Answer::Yes,
                    Answer::Unknown if answer == Answer::No => answer = Answer::Unknown,
                    _ => {}
                }
            }
            if answer != Answer::No {
                continue;
            }
            let covering = cache.paths.iter().flatten().find(|l| {
                !l.exclude
                    && envdir
                        .zip(l.path.as_deref())
                        .is_some_and(|(dir, p)| glob::covers(p, dir))
            });
            let shown = either(&deps);
            let first = deps.first().cloned().unwrap_or_default();
            let mut d = tool
                .diagnostic(
                    cache.key_reported(),
                    format!(
                        "the cache key for `{}` does not change when {shown} changes",
                        show_dir(*envdir)
                    ),
                )
                .with_primary_label(format!("no `hashFiles()` of {shown} in this key"))
                .with_via(cache.via.clone())
                .with_help(format!(
                    "add `${{{{ hashFiles('{first}') }}}}` to the key, so new dependencies get fresh environments"
                ));
            if !cache.via.is_empty()
                && let Some(k) = &cache.key_at
            {
                d = d.with_label(k.clone(), "the key, inside the composite action");
            }
            if let Some(line) = covering {
                d = d.with_label(
                    line.location.clone(),
                    format!("caches {}'s environments", spec.name),
                );
            }
            out.push(d);
        }
    }
}
