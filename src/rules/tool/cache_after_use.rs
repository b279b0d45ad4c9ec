//! `<tool>/cache-after-use`: the first cache step that restores the tool's envdir comes after
//! the job's first run of the tool that creates environments.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::{Answer, JobFacts, runs_before};
use crate::rules::{Context, RuleMeta, ToolCx, ToolRule};
use crate::workflow::Job;

use super::{cache_covers, first_creating, show_dir};

/// The check's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "cache-after-use",
    summary: "The cache step for {tool}'s environments comes after {tool} has run.",
    severity: Severity::Error,
};

/// See the module docs.
pub struct CacheAfterUse;

impl ToolRule for CacheAfterUse {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(
        &self,
        _cx: &Context<'_>,
        tool: &ToolCx<'_>,
        job: &Job<'_>,
        facts: &JobFacts<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let name = &tool.spec.name;
        let Some(inv) = first_creating(facts.invocations(tool.index)) else {
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
        // A cache step in the same `parallel:` group as the tool does not run before it either.
        if runs_before(cache.when(), inv.when()) {
            return;
        }
        let dir = show_dir(Some(envdir));
        let mut d = tool
            .diagnostic(
                cache.reported(),
                format!(
                    "the cache for `{dir}` is restored after {name} has already created its environments in job `{}`",
                    job.id.value
                ),
            )
            .with_primary_label("restores the cache too late")
            .with_via(cache.via.clone());
        if !cache.via.is_empty() {
            d = d.with_label(
                cache.at.clone(),
                "the cache step, inside the composite action",
            );
        }
        d = d.with_label(
            inv.reported(),
            if inv.in_action() {
                format!("this action runs {name}, which creates its environments first")
            } else {
                format!("{name} creates its environments here first")
            },
        );
        if !inv.via.is_empty() {
            d = d.with_label(
                inv.at.clone(),
                format!("{name} runs here, inside the composite action"),
            );
        }
        out.push(d.with_help(format!(
            "move this cache step before the first step that runs {name}"
        )));
    }
}
