//! `cache/restore-keys-not-prefix`: on a step that restores and then saves under its key
//! (`actions/cache`), a `restore-keys` line that can never be a prefix of that key: the step's
//! fallback never finds the entries the step itself saves. Expressions stand for any text,
//! except the contexts whose values are known (`runner.os`, `runner.arch`, matrix values).
//! `actions/cache/restore` steps are not judged: their restore keys look for entries other
//! steps save. For the same reason a restore key that can be a prefix of the key of another
//! saving step of the file (an `actions/cache` step used to read what another job saves) is not
//! reported either.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::{CacheStep, JobFacts};
use crate::rules::{Context, Rule, RuleMeta};
use crate::workflow::Job;

use super::template::{Budget, MAX_COMPARED_STEPS, Piece, can_be_prefix, normalized, pieces};

/// Restore keys past this many are not read (actions/cache takes 9).
const MAX_RESTORE_KEYS: usize = 16;
use super::{at_range, lines};

/// The rule's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "cache/restore-keys-not-prefix",
    summary: "A restore key that can never be a prefix of its step's own key.",
    severity: Severity::Warning,
};

/// See the module docs.
pub struct RestoreKeysNotPrefix;

impl Rule for RestoreKeysNotPrefix {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_jobs(
        &self,
        cx: &Context<'_>,
        jobs: &[(&Job<'_>, JobFacts<'_>)],
        out: &mut Vec<Diagnostic>,
    ) {
        // Each restore key is compared with every other saving step: bounded.
        if jobs.iter().map(|(_, f)| f.caches.len()).sum::<usize>() > MAX_COMPARED_STEPS {
            return;
        }
        let budget = Budget::new();
        // The keys of every saving step, each split once.
        let saving: Vec<(&CacheStep<'_>, Vec<Piece>)> = jobs
            .iter()
            .flat_map(|(job, f)| {
                f.caches
                    .iter()
                    .filter(|c| c.saves)
                    .filter_map(move |c| c.key.map(|k| (c, pieces(k.value.trim(), job))))
            })
            .collect();
        for (job, facts) in jobs {
            check_job(cx, job, facts, &saving, &budget, out);
        }
    }
}

fn check_job(
    cx: &Context<'_>,
    job: &Job<'_>,
    facts: &JobFacts<'_>,
    saving: &[(&CacheStep<'_>, Vec<Piece>)],
    budget: &Budget,
    out: &mut Vec<Diagnostic>,
) {
    {
        for cache in facts.caches.iter().filter(|c| c.via.is_empty()) {
            let (true, true, Some(key), Some(rk)) =
                (cache.restores, cache.saves, &cache.key, &cache.restore_keys)
            else {
                continue;
            };
            let key_text = key.value.trim();
            let key_pieces = pieces(key_text, job);
            // The action takes at most 10 keys: the key and 9 restore keys.
            for (line, range) in lines(rk.value).into_iter().take(MAX_RESTORE_KEYS) {
                let line_pieces = pieces(line, job);
                if normalized(line) == normalized(key_text)
                    || can_be_prefix(&line_pieces, &key_pieces, budget)
                {
                    continue;
                }
                // It finds what another step saves.
                let elsewhere = saving.iter().any(|(o, key)| {
                    !std::ptr::eq(*o, cache) && can_be_prefix(&line_pieces, key, budget)
                });
                if elsewhere {
                    continue;
                }
                let mut d = Diagnostic::new(
                    &META,
                    at_range(cx.file, cx.text, rk, range),
                    format!(
                        "restore key `{line}` can never be a prefix of this step's key, so it never finds what this step saves"
                    ),
                )
                .with_primary_label("never a prefix of the key")
                .with_label(cx.at(key.span()), "the key this step saves under");
                d = match fixed_start(key_text) {
                    Some(start) => d.with_help(format!(
                        "start the restore key with the key's first part, as `{start}` does"
                    )),
                    None => d.with_help("make the restore key a prefix of the key"),
                };
                out.push(d);
            }
        }
    }
}

/// The key up to its last expression (`pip-${{ runner.os }}-` of
/// `pip-${{ runner.os }}-${{ hashFiles('x') }}`), when that is not empty.
fn fixed_start(key: &str) -> Option<&str> {
    let last = crate::expr::find(key).last()?.range.start;
    key.get(..last).filter(|s| !s.is_empty())
}
