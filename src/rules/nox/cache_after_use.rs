//! `nox/cache-after-use`: the first cache step that restores nox's envdir comes after the
//! job's first nox run that creates environments.

use crate::diagnostic::Diagnostic;
use crate::rules::{Context, Rule};
use crate::tools::{Answer, JobFacts};
use crate::workflow::Job;

use super::{cache_covers, first_creating, show_dir};

/// The rule id.
pub const ID: &str = "nox/cache-after-use";

/// See the module docs.
pub struct CacheAfterUse;

impl Rule for CacheAfterUse {
    fn check_job(
        &self,
        _cx: &Context<'_>,
        job: &Job<'_>,
        facts: &JobFacts<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let Some(inv) = first_creating(facts) else {
            return;
        };
        let Some(envdir) = inv.envdir.as_deref() else {
            return;
        };
        let Some(cache) = facts
            .caches
            .iter()
            .filter(|c| c.restores)
            .find(|c| cache_covers(c, Some(envdir)) == Answer::Yes)
        else {
            return;
        };
        // A cache step in the same `parallel:` group as nox does not run before it either.
        if cache.order < inv.order {
            return;
        }
        let dir = show_dir(Some(envdir));
        out.push(
            Diagnostic::new(
                ID,
                cache.via.clone().unwrap_or_else(|| cache.uses.span()),
                format!(
                    "the cache for `{dir}` is restored after nox has already created its environments in job `{}`",
                    job.id.value
                ),
            )
            .with_primary_label("restores the cache too late")
            .with_label(
                inv.span.clone(),
                if inv.in_action {
                    "this action runs nox, which creates its environments first"
                } else {
                    "nox creates its environments here first"
                },
            )
            .with_help("move this cache step before the first step that runs nox"),
        );
    }
}
