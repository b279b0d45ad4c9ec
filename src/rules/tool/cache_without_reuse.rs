//! `<tool>/cache-without-reuse`: a cache step restores the tool's envdir, but the first run of
//! the tool after it that uses that envdir recreates its environments, throwing the restored
//! ones away. Reuse follows the tool's precedence (command line, config file, each selected
//! session); with no config file to read, only a command line that decides alone counts.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::facts::{Answer, JobFacts, Reuse, runs_before};
use crate::rules::{Context, RuleMeta, ToolCx, ToolRule};
use crate::workflow::Job;

use super::{cache_covers, show_dir};

/// The check's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "cache-without-reuse",
    summary: "A cache restores {tool}'s environments, but {tool} recreates them.",
    severity: Severity::Warning,
};

/// See the module docs.
pub struct CacheWithoutReuse;

/// At most this many runs of the tool after one cache step are matched against its paths.
const MAX_RUNS: usize = 64;

impl ToolRule for CacheWithoutReuse {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(
        &self,
        cx: &Context<'_>,
        tool: &ToolCx<'_>,
        _job: &Job<'_>,
        facts: &JobFacts<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let spec = tool.spec;
        let name = &spec.name;
        let invocations = facts.invocations(tool.index);
        // Only a run that is known to recreate its environments can be reported.
        if !invocations
            .iter()
            .any(|i| i.creates_envs && i.reuses == Answer::No)
        {
            return;
        }
        let mut reported = vec![];
        for cache in facts.caches.iter().filter(|c| c.restores) {
            // The first run after the restore that uses the restored envdir. Each candidate is
            // matched against every path line, so only the first MAX_RUNS are looked at: past
            // them, say nothing.
            let Some(inv) = invocations
                .iter()
                .filter(|i| i.creates_envs && runs_before(cache.when(), i.when()))
                .take(MAX_RUNS)
                .find(|i| cache_covers(cache, i.envdir.as_deref()) == Answer::Yes)
            else {
                continue;
            };
            if inv.reuses != Answer::No || reported.contains(&inv.at) {
                continue;
            }
            reported.push(inv.at.clone());
            let dir = show_dir(inv.envdir.as_deref());
            let on = spec
                .reuse
                .values
                .iter()
                .find_map(|v| Some(format!("{}={}", v.options.first()?, v.on.first()?)))
                .or_else(|| spec.reuse.on_options.first().cloned())
                .unwrap_or_default();
            let help = match inv.reuse {
                Reuse::Off | Reuse::On => format!(
                    "replace the option that turns reuse off with `{on}`, so {name} reuses the restored environments"
                ),
                Reuse::Default => format!(
                    "run {name} with `{on}`, so it reuses the restored environments (a session's own `reuse_venv=False` needs `--reuse-venv=always`)"
                ),
            };
            let mut d = tool
                .diagnostic(
                    inv.reported(),
                    format!(
                        "{name} recreates the environments in `{dir}` that the cache step restored, so the cache saves nothing"
                    ),
                )
                .with_primary_label(format!("recreates every environment in `{dir}`"))
                .with_via(inv.via.clone())
                .with_label(cache.reported(), format!("restores `{dir}`"));
            if let Some(label) = inv.inside_label(name) {
                d = d.with_label(inv.at.clone(), label);
            }
            // The fix (unsafe: it changes a command): the option that turns reuse on, right after
            // the tool word, for a command that says nothing about reuse.
            if inv.reuse == Reuse::Default
                && !inv.runner_action
                && inv.via.is_empty()
                && !on.is_empty()
                && let Some(edit) =
                    crate::rules::edit::insert_after_word(cx.text, cx.file, &inv.at, &on)
            {
                d = d.with_fix(Fix {
                    title: format!("run {name} with `{on}`"),
                    applicability: Applicability::Unsafe,
                    edits: vec![edit],
                });
            }
            out.push(d.with_help(help));
        }
    }
}
