//! `cache/key-never-hits`: a step that restores under a key holding a value that differs on
//! every run (`github.sha`, `github.run_id`, `github.run_number`), with no `restore-keys`, where
//! no other job of the run saves or restores under a key that can be equal: it never restores
//! anything (and `actions/cache` uploads a new entry every run). Hand-offs between the jobs of
//! one run, and the "always save the newest" pattern with `restore-keys`, are deliberate and
//! not reported. A workflow that calls, or is, a reusable workflow is not judged: the other
//! side's jobs are in another file.

use crate::diagnostic::{Diagnostic, Severity};
use crate::expr;
use crate::facts::{JobFacts, runs_before};
use crate::rules::{Context, Rule, RuleMeta};
use crate::workflow::{FileKind, Job, JobBody};
use crate::yaml::Node;

use super::template::{Budget, MAX_COMPARED_STEPS, Piece, can_be_equal, pieces};

/// The rule's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "cache/key-never-hits",
    summary: "A cache key that differs on every run, with nothing else saving under it.",
    severity: Severity::Warning,
};

/// See the module docs.
pub struct KeyNeverHits;

/// Contexts whose value differs on every run (`github.run_attempt` does not: it is 1 on every
/// first attempt).
const PER_RUN: &[&str] = &["sha", "run_id", "run_number"];

fn per_run(body: &str) -> bool {
    let b = body.trim();
    ["github.", "forgejo.", "forge.", "gitea."].iter().any(|p| {
        b.strip_prefix(p)
            .is_some_and(|rest| PER_RUN.contains(&rest))
    })
}

/// Whether the workflow runs as a reusable workflow (`on: workflow_call`).
fn reusable(root: Option<&Node<'_>>) -> bool {
    let Some(on) = root.and_then(|r| r.get("on")) else {
        return false;
    };
    match on.as_str() {
        Some(s) => s == "workflow_call",
        None => match on.as_seq() {
            Some(items) => items.iter().any(|i| i.as_str() == Some("workflow_call")),
            None => on.get("workflow_call").is_some(),
        },
    }
}

impl Rule for KeyNeverHits {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_jobs(
        &self,
        cx: &Context<'_>,
        jobs: &[(&Job<'_>, JobFacts<'_>)],
        out: &mut Vec<Diagnostic>,
    ) {
        let wf = cx.workflow;
        if wf.kind != FileKind::Workflow
            || reusable(wf.root)
            || wf
                .jobs
                .iter()
                .any(|j| matches!(j.body, JobBody::Call { .. }))
        {
            return;
        }
        // Every restore is compared with every other step: bounded.
        if jobs.iter().map(|(_, f)| f.caches.len()).sum::<usize>() > MAX_COMPARED_STEPS {
            return;
        }
        let budget = Budget::new();
        // Every step's key, split once.
        let keys: Vec<Vec<Option<Vec<Piece>>>> = jobs
            .iter()
            .map(|(job, f)| {
                f.caches
                    .iter()
                    .map(|c| c.key.map(|k| pieces(k.value.trim(), job)))
                    .collect()
            })
            .collect();
        for (ji, (job, facts)) in jobs.iter().enumerate() {
            // The cells of a matrix are jobs of the same run.
            let matrix = job.matrix.is_some_and(|m| !m.is_null());
            for cache in facts.caches.iter().filter(|c| c.restores) {
                let Some(key) = &cache.key else { continue };
                if cache
                    .restore_keys
                    .is_some_and(|rk| !rk.value.trim().is_empty())
                {
                    continue;
                }
                let text = key.value;
                let Some(site) = expr::find(text)
                    .into_iter()
                    .find(|s| s.closed && per_run(s.body))
                else {
                    continue;
                };
                let mine = pieces(text.trim(), job);
                let shared = jobs
                    .iter()
                    .zip(&keys)
                    .enumerate()
                    .any(|(oj, ((_, of), ok))| {
                        of.caches.iter().zip(ok).any(|(o, key)| {
                            let counts = if oj == ji {
                                matrix || (o.saves && runs_before(o.when(), cache.when()))
                            } else {
                                true
                            };
                            counts
                                && key
                                    .as_ref()
                                    .is_some_and(|k| can_be_equal(&mine, k, true, &budget))
                        })
                    });
                if shared {
                    continue;
                }
                let shown = site.body.trim();
                let primary = match (cache.via.first(), &cache.key_at) {
                    (Some(v), _) => v.clone(),
                    (None, _) => super::at_range(cx.file, cx.text, key, site.range.clone()),
                };
                let saves = if cache.saves {
                    ", and saves a new entry on every run"
                } else {
                    ""
                };
                let mut d = Diagnostic::new(
                    &META,
                    primary,
                    format!(
                        "this cache key holds `{shown}`, which differs on every run, and no other job saves under it: the step never restores anything{saves}"
                    ),
                )
                .with_primary_label(format!("`{shown}` is new on every run"))
                .with_via(cache.via.clone());
                if !cache.via.is_empty()
                    && let Some(k) = &cache.key_at
                {
                    d = d.with_label(k.clone(), "the key, inside the composite action");
                }
                out.push(d.with_help(
                    "key the cache on what its content depends on (`hashFiles()` of the lock files), or add `restore-keys` with the key's first part so a run restores the newest entry",
                ));
            }
        }
    }
}
