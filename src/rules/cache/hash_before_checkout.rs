//! `cache/hash-before-checkout`: a cache step whose key (or path) uses `hashFiles()` runs before
//! the job's checkout: the workspace is still empty, `hashFiles()` gives an empty string and the
//! key never changes. The checkout is the caller's, so a cache step inside a composite action is
//! judged at each `uses:` of it (and not at all in the action's own file). A local `./` action
//! cannot run before the checkout; a `$/` one can.

use crate::diagnostic::{Diagnostic, Severity};
use crate::expr;
use crate::facts::cache::{EnvChain, Lookup};
use crate::facts::{CacheStep, JobFacts, runs_before};
use crate::rules::{Context, Rule, RuleMeta};
use crate::workflow::{ActionRef, FileKind, Job};

/// The rule's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "cache/hash-before-checkout",
    summary: "A cache key uses hashFiles() before the job checks the repository out.",
    severity: Severity::Error,
};

/// See the module docs.
pub struct HashBeforeCheckout;

/// Whether a text calls `hashFiles()`, directly or through `${{ env.X }}` declared in scope.
fn hashes(text: &str, env: &EnvChain<'_, '_>, depth: usize) -> bool {
    if depth > 4 {
        return false;
    }
    expr::find(text).iter().any(|site| {
        let Some(e) = expr::parse(site.body) else {
            return false;
        };
        !expr::hash_files(&e).is_empty()
            || expr::contexts(&e).iter().any(|(ctx, _)| {
                ctx.strip_prefix("env.")
                    .is_some_and(|name| match env.get(name) {
                        Lookup::Declared(v) => hashes(v.value, env, depth + 1),
                        _ => false,
                    })
            })
    })
}

fn uses_hash(cache: &CacheStep<'_>) -> bool {
    cache.key.is_some_and(|k| hashes(k.value, &cache.env, 0))
        || cache.path.is_some_and(|p| hashes(p.value, &cache.env, 0))
}

impl Rule for HashBeforeCheckout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(
        &self,
        cx: &Context<'_>,
        _job: &Job<'_>,
        facts: &JobFacts<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        if cx.workflow.kind != FileKind::Workflow {
            return;
        }
        let Some(first) = facts.checkouts.first() else {
            return;
        };
        for cache in &facts.caches {
            if !facts
                .checkouts
                .iter()
                .all(|c| runs_before(cache.when(), c.when()))
                || !uses_hash(cache)
            {
                continue;
            }
            // A `./` action is read from the checkout: it cannot run before it.
            let local = cache.via.first().is_some_and(|v| {
                matches!(
                    cx.text.get(v.span.clone()).map(ActionRef::parse),
                    Some(ActionRef::Local { .. })
                )
            });
            if local {
                continue;
            }
            let checkout_at = first.via.first().unwrap_or(&first.at).clone();
            let mut d = Diagnostic::new(
                &META,
                cache.key_reported(),
                "this cache key uses `hashFiles()` before the repository is checked out: the hash is empty, so the key never changes",
            )
            .with_primary_label(if cache.via.is_empty() {
                "hashes files that are not there yet"
            } else {
                "this action's cache key hashes files that are not there yet"
            })
            .with_via(cache.via.clone())
            .with_label(checkout_at, "the checkout runs later");
            if !cache.via.is_empty()
                && let Some(k) = &cache.key_at
            {
                d = d.with_label(k.clone(), "the key, inside the composite action");
            }
            out.push(d.with_help("move the cache step after the checkout step"));
        }
    }
}
