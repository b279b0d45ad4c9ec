//! `cache/save-path-mismatch`: a save step (`actions/cache/save`) saving what an earlier
//! restore step (`actions/cache/restore`) restored (the same key, or
//! `steps.<restore>.outputs.cache-primary-key`) with other `path` text. The cache version hashes
//! the path lines as written, so the restore step never finds what the save step stores.
//! Expressions stand for any text: paths that can be equal are not reported.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::{CacheStep, JobFacts, runs_before};
use crate::rules::{Context, Rule, RuleMeta};
use crate::workflow::Job;

use super::same_action_call;
use super::template::{Budget, can_be_equal, normalized, pieces};

/// The rule's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "cache/save-path-mismatch",
    summary: "A save step's path differs from the path of the restore step it pairs with.",
    severity: Severity::Error,
};

/// See the module docs.
pub struct SavePathMismatch;

/// The path lines as the action reads them: trimmed, blank lines dropped, `! x` is `!x`.
fn path_text(value: &str) -> String {
    value
        .split('\n')
        .map(|l| {
            let l = l.trim();
            match l.strip_prefix('!') {
                Some(rest) => format!("!{}", rest.trim_start()),
                None => l.to_string(),
            }
        })
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `save` saves under the key `restore` restored: the same key text, or the restore
/// step's `cache-primary-key` output (a step of the same scope).
fn pairs(restore: &CacheStep<'_>, save: &CacheStep<'_>) -> bool {
    let (Some(rk), Some(sk)) = (&restore.key, &save.key) else {
        return false;
    };
    let sk = normalized(sk.value.trim());
    if normalized(rk.value.trim()) == sk {
        return true;
    }
    restore.via == save.via
        && restore.id.is_some_and(|id| {
            sk == format!("${{{{steps.{}.outputs.cache-primary-key}}}}", id.value)
        })
}

impl Rule for SavePathMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(
        &self,
        _cx: &Context<'_>,
        job: &Job<'_>,
        facts: &JobFacts<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let budget = Budget::new();
        for save in facts.caches.iter().filter(|c| c.saves && !c.restores) {
            let Some(restore) = facts
                .caches
                .iter()
                .filter(|r| r.restores && !r.saves && runs_before(r.when(), save.when()))
                .rfind(|r| pairs(r, save))
            else {
                continue;
            };
            // A pair inside one composite action is reported in the action's own file.
            if same_action_call(&restore.via, &save.via) {
                continue;
            }
            let (Some(sp), Some(rp), Some(sp_at), Some(rp_at)) =
                (&save.path, &restore.path, &save.path_at, &restore.path_at)
            else {
                continue;
            };
            let (s_text, r_text) = (path_text(sp.value), path_text(rp.value));
            if can_be_equal(&pieces(&s_text, job), &pieces(&r_text, job), false, &budget) {
                continue;
            }
            let primary = save.via.first().unwrap_or(sp_at).clone();
            let mut d = Diagnostic::new(
                &META,
                primary,
                format!(
                    "this save step's `path` ({}) is not the restore step's ({}): the restore never finds what this step saves",
                    show(&s_text),
                    show(&r_text)
                ),
            )
            .with_primary_label(if save.via.is_empty() {
                "saved under another cache version"
            } else {
                "this action saves under another cache version"
            })
            .with_via(save.via.clone())
            .with_label(rp_at.clone(), "the restore step's path")
            .with_help(
                "write `path` exactly as the restore step does: the cache version hashes the path text",
            );
            if !save.via.is_empty() {
                d = d.with_label(
                    sp_at.clone(),
                    "the save step's path, inside the composite action",
                );
            }
            out.push(d);
        }
    }
}

fn show(text: &str) -> String {
    format!("`{}`", text.replace('\n', "`, `"))
}
