//! `cache/key-invalid`: a `key:` or `restore-keys:` line the cache service rejects: its literal
//! text (outside `${{ }}`) has a comma, or is longer than 512 characters by itself.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::JobFacts;
use crate::rules::{Context, Rule, RuleMeta};
use crate::source::{Span, SpanMap};
use crate::workflow::Job;

use super::lines;
use super::template::literal_parts;

/// The rule's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "cache/key-invalid",
    summary: "A cache key or restore key has a comma or is longer than 512 characters.",
    severity: Severity::Error,
};

/// The longest key the cache service takes.
pub const MAX_KEY_LEN: usize = 512;

/// See the module docs.
pub struct KeyInvalid;

impl Rule for KeyInvalid {
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
        // A composite action's steps are judged in its own file.
        for cache in facts.caches.iter().filter(|c| c.via.is_empty()) {
            if let Some(key) = &cache.key {
                let map = key.node.scalar_map(cx.text);
                for (text, range) in lines(key.value) {
                    check_line(cx, &map, text, range, "cache key", out);
                }
            }
            if cache.restores
                && let Some(rk) = &cache.restore_keys
            {
                let map = rk.node.scalar_map(cx.text);
                for (text, range) in lines(rk.value) {
                    check_line(cx, &map, text, range, "restore key", out);
                }
            }
        }
    }
}

fn check_line(
    cx: &Context<'_>,
    map: &SpanMap,
    text: &str,
    range: Span,
    what: &str,
    out: &mut Vec<Diagnostic>,
) {
    let parts = literal_parts(text);
    let comma = parts
        .iter()
        .find_map(|(at, lit)| lit.find(',').map(|i| at + i));
    let at = |r: Span| cx.at(map.to_source(r));
    if let Some(i) = comma {
        let c = range.start + i;
        out.push(
            Diagnostic::new(
                &META,
                at(range.clone()),
                format!("this {what} has a comma, which the cache service rejects"),
            )
            .with_primary_label("the cache step fails on this key")
            .with_label(at(c..c + 1), "a comma")
            .with_help("use another separator, such as `-`"),
        );
    }
    let literal: usize = parts.iter().map(|(_, lit)| lit.chars().count()).sum();
    if literal > MAX_KEY_LEN {
        out.push(
            Diagnostic::new(
                &META,
                at(range),
                format!(
                    "this {what} is longer than {MAX_KEY_LEN} characters ({literal} without its expressions), which the cache service rejects"
                ),
            )
            .with_primary_label("the cache step fails on this key")
            .with_help("shorten it: hash long inputs with `hashFiles()` instead of writing them out"),
        );
    }
}
