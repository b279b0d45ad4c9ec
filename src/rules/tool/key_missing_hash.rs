//! `<tool>/key-missing-hash`: the key of a cache step covering the tool's envdir has no
//! `hashFiles(...)` whose patterns match one of the project's dependency files.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::facts::cache::key_hashes;
use crate::facts::{Answer, JobFacts};

use crate::knowledge::glob;
use crate::rules::{Context, RuleMeta, ToolCx, ToolRule};
use crate::workflow::Job;

use super::{
    covered, default_envdir, dependency_files, either, envdir_targets, hash_files_expr, saved_keys,
    show_dir,
};

/// The check's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "key-missing-hash",
    summary: "The cache key for {tool}'s environments does not hash {deps}.",
    severity: Severity::Warning,
};

/// See the module docs.
pub struct KeyMissingHash;

impl ToolRule for KeyMissingHash {
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
        let default_envdir = default_envdir(spec);
        let targets = envdir_targets(spec, facts, tool.index, &default_envdir);
        for saved in saved_keys(facts) {
            let (cache, key) = (saved.cache, saved.key);
            let Some((envdir, project)) = covered(cache, &targets) else {
                continue;
            };
            let envdir = &envdir;
            let Some(project) = project else { continue };
            let deps = dependency_files(spec, project);
            let mut answer = Answer::No;
            for dep in &deps {
                match key_hashes(key.value, saved.env, dep) {
                    Answer::Yes => answer = Answer::Yes,
                    Answer::Unknown if answer == Answer::No => answer = Answer::Unknown,
                    _ => {}
                }
            }
            // A key with a value that differs on every run changes whenever anything does
            // (whether it ever hits is `cache/key-never-hits`' question).
            if answer != Answer::No || has_per_run_value(key.value) {
                continue;
            }
            let covering = cache.paths.iter().flatten().find(|l| {
                !l.exclude
                    && envdir
                        .zip(l.path.as_deref())
                        .is_some_and(|(dir, p)| glob::covers(p, dir))
            });
            let first = deps.first().cloned().unwrap_or_default();
            let hashes_none = if deps.len() > 1 {
                format!("it hashes neither `{first}` nor any other dependency file")
            } else {
                format!("it does not hash {}", either(&deps))
            };
            let mut d = tool
                .diagnostic(
                    cache.key_reported(),
                    format!(
                        "the cache key for `{}` does not change when the dependencies do: {hashes_none}",
                        show_dir(*envdir)
                    ),
                )
                .with_primary_label("no `hashFiles()` of a dependency file in this key")
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
            // The fix: the hash at the end of the key (every restore key that was a prefix of
            // the key still is one), for a key written in the linted file itself.
            let hash = hash_files_expr(spec, project);
            let in_file =
                cache.via.is_empty() && cache.key_at.as_ref().is_some_and(|k| k.file == cx.file);
            if in_file {
                let sep = if key.value.ends_with(['-', '_', '/', '.']) {
                    ""
                } else {
                    "-"
                };
                if let Some(edit) = crate::rules::edit::append_to_scalar(
                    cx.text,
                    cx.file,
                    key.node,
                    &format!("{sep}{hash}"),
                ) {
                    d = d.with_fix(Fix {
                        title: format!("add `{hash}` to the key"),
                        applicability: Applicability::Safe,
                        edits: vec![edit],
                    });
                }
            }
            out.push(d);
        }
    }
}

/// Whether a key holds a value that differs on every run (`github.sha`, `github.run_id`,
/// `github.run_number`; not `github.run_attempt`, which is 1 on every first attempt).
fn has_per_run_value(key: &str) -> bool {
    crate::expr::find(key).iter().any(|site| {
        crate::expr::parse(site.body).is_some_and(|e| {
            crate::expr::contexts(&e).iter().any(|(ctx, _)| {
                let c = ctx.to_ascii_lowercase();
                let c = c
                    .strip_prefix("github.")
                    .or_else(|| c.strip_prefix("forgejo."))
                    .or_else(|| c.strip_prefix("gitea."));
                matches!(c, Some("sha" | "run_id" | "run_number"))
            })
        })
    })
}
