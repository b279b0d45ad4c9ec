//! Checks written once for every tool in `rules/tools/` (the registry makes `nox/cache-missing`
//! and, for another tool, `<tool>/cache-missing`): whether a job caches the tool's environments,
//! in time, under a key that changes with the dependencies. Everything tool-specific (envdir,
//! config file, dependency files, reuse options) comes from the tool's data.

pub mod cache_after_use;
pub mod cache_missing;
pub mod cache_path_mismatch;
pub mod cache_without_reuse;
pub mod key_missing_hash;
pub mod key_missing_os;
pub mod key_missing_python;
pub mod key_missing_session;
#[cfg(test)]
pub(crate) mod test_support;

use crate::facts::cache::covers;
use crate::facts::{Answer, CacheStep, Invocation, JobFacts, PathLine};
use crate::knowledge::ToolSpec;
use crate::workflow::Str;

/// At most this many distinct envdirs of one job are matched against its cache steps.
pub(crate) const MAX_TARGETS: usize = 64;

/// The envdirs (with their project directories) the tool uses in this job, distinct and
/// bounded; with no visible invocation, the default one.
pub(crate) fn envdir_targets<'f>(
    spec: &ToolSpec,
    facts: &'f JobFacts<'_>,
    tool: usize,
    default_envdir: &'f Option<String>,
) -> Vec<(Option<&'f str>, Option<&'f str>)> {
    let mut targets: Vec<(Option<&str>, Option<&str>)> = Vec::new();
    for i in facts.invocations(tool).iter().filter(|i| i.creates_envs) {
        let t = (i.envdir.as_deref(), i.project_dir.as_deref());
        if targets.len() >= MAX_TARGETS {
            break;
        }
        if !targets.contains(&t) {
            targets.push(t);
        }
    }
    let _ = spec;
    if targets.is_empty() {
        targets.push((default_envdir.as_deref(), Some("")));
    }
    targets
}

/// The tool's default envdir.
pub(crate) fn default_envdir(spec: &ToolSpec) -> Option<String> {
    crate::facts::invocation::envdir(
        spec,
        &crate::facts::invocation::parse_args(spec, &[], 0),
        None,
    )
}

/// A key under which the job saves: an `actions/cache` step that is not `lookup-only`, or a
/// save step (its key resolved through `steps.<restore>.outputs.cache-primary-key`).
pub(crate) struct SavedKey<'f, 'a> {
    /// The step that saves (its paths are what is saved).
    pub cache: &'f CacheStep<'a>,
    /// The key's text.
    pub key: Str<'a>,
    /// The step whose `key:` it is (a restore step, for a save step's
    /// `steps.<restore>.outputs.cache-primary-key`): its `restore-keys:` go with it.
    pub holder: &'f CacheStep<'a>,
    /// The `env:` scopes the key's expressions see.
    pub env: &'f crate::facts::EnvChain<'a, 'a>,
}

/// The keys the job saves under (a restore-only step is not one).
pub(crate) fn saved_keys<'f, 'a>(facts: &'f JobFacts<'a>) -> Vec<SavedKey<'f, 'a>> {
    let mut out = vec![];
    for cache in facts.caches.iter().filter(|c| c.saves && !c.lookup_only) {
        let Some(key) = cache.key else { continue };
        let (key, env, holder) = match primary_key_of(key.value) {
            Some(id) => {
                let Some(restore) = facts
                    .caches
                    .iter()
                    .find(|c| c.id.is_some_and(|i| i.value == id) && c.via == cache.via)
                else {
                    continue;
                };
                let Some(k) = restore.key else { continue };
                (k, &restore.env, restore)
            }
            None => (key, &cache.env, cache),
        };
        out.push(SavedKey {
            cache,
            key,
            holder,
            env,
        });
    }
    out
}

/// The safe fix that adds `part` (a `${{ }}` expression that separates runs: OS, Python
/// version, session) to a saved key and to each of its restore keys that is a prefix of it
/// (see [`crate::rules::edit::insert_key_part`]); display-only when an alias or an anchor used
/// elsewhere shares the text. `None` for a key not written in the linted file, or written in a
/// save step that a separate restore step's equal key pairs with (the two would part).
pub(crate) fn key_part_fix(
    cx: &crate::rules::Context<'_>,
    facts: &JobFacts<'_>,
    saved: &SavedKey<'_, '_>,
    part: &str,
) -> Option<crate::diagnostic::Fix> {
    use crate::diagnostic::{Applicability, Fix};
    use crate::rules::edit::{insert_key_part, placement};
    let holder = saved.holder;
    if !saved.cache.via.is_empty()
        || !holder.via.is_empty()
        || holder.key_at.as_ref().is_none_or(|k| k.file != cx.file)
    {
        return None;
    }
    if !holder.restores
        && facts.caches.iter().any(|c| {
            c.seq != holder.seq && c.restores && c.key.is_some_and(|k| k.value == saved.key.value)
        })
    {
        return None;
    }
    let root = cx.workflow.root;
    let (key_shared, key_flow) = placement(cx.text, root, saved.key.node);
    let restore = holder.restore_keys.map(|r| {
        let (shared, flow) = placement(cx.text, root, r.node);
        (r.node, flow, shared)
    });
    let edits = insert_key_part(
        cx.text,
        cx.file,
        (saved.key.node, key_flow),
        restore.map(|(n, flow, _)| (n, flow)),
        part,
    )?;
    let shared = key_shared || (edits.len() > 1 && restore.is_some_and(|(_, _, s)| s));
    Some(Fix {
        title: if edits.len() > 1 {
            format!("add `{part}` to the key and its restore keys")
        } else {
            format!("add `{part}` to the key")
        },
        applicability: if shared {
            Applicability::DisplayOnly
        } else {
            Applicability::Safe
        },
        edits,
    })
}

/// `ID` of a key that is `${{ steps.ID.outputs.cache-primary-key }}`.
fn primary_key_of(key: &str) -> Option<&str> {
    let body = key.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let rest = body.strip_prefix("steps.")?;
    let (id, output) = rest.split_once('.')?;
    (output == "outputs.cache-primary-key").then_some(id)
}

/// Labels the key inside a composite action when the finding is reported at its call site.
pub(crate) fn label_action_key(
    d: crate::diagnostic::Diagnostic,
    cache: &CacheStep<'_>,
) -> crate::diagnostic::Diagnostic {
    match (&cache.key_at, cache.via.is_empty()) {
        (Some(k), false) => d.with_label(k.clone(), "the key, inside the composite action"),
        _ => d,
    }
}

/// The envdir (of `targets`) a saving step covers.
pub(crate) fn covered<'t>(
    cache: &CacheStep<'_>,
    targets: &[(Option<&'t str>, Option<&'t str>)],
) -> Option<(Option<&'t str>, Option<&'t str>)> {
    targets
        .iter()
        .find(|(dir, _)| dir.is_some() && cache_covers(cache, *dir) == Answer::Yes)
        .copied()
}

/// Whether a restoring cache step of the job covers `envdir` (any position in the job). A
/// cache restored into the workspace before the checkout empties it does not count.
pub(crate) fn restored(facts: &JobFacts<'_>, envdir: Option<&str>) -> Answer {
    let mut answer = Answer::No;
    for cache in facts
        .caches
        .iter()
        .filter(|c| c.restores && !wiped(facts, c, envdir))
    {
        match cache_covers(cache, envdir) {
            Answer::Yes => return Answer::Yes,
            Answer::Unknown => answer = Answer::Unknown,
            Answer::No => {}
        }
    }
    answer
}

/// Whether the checkout empties what `cache` restored of `envdir` (a workspace path; the
/// home folder and absolute paths survive it).
pub(crate) fn wiped(facts: &JobFacts<'_>, cache: &CacheStep<'_>, envdir: Option<&str>) -> bool {
    envdir.is_some_and(|d| !d.starts_with('/')) && facts.wiped_by(cache).is_some()
}

/// Whether one cache step covers `envdir` (`None`: the envdir is unknown).
pub(crate) fn cache_covers(cache: &CacheStep<'_>, envdir: Option<&str>) -> Answer {
    match (&cache.paths, envdir) {
        (Some(lines), Some(dir)) => covers(lines, dir),
        _ => Answer::Unknown,
    }
}

/// The tool's first invocation in the job that creates environments.
pub(crate) fn first_creating(invocations: &[Invocation]) -> Option<&Invocation> {
    invocations.iter().find(|i| i.creates_envs)
}

/// How an envdir is shown in messages.
/// ` (matrix cell `name: value`)` for an invocation judged in one matrix cell, else nothing.
pub(crate) fn in_cell(inv: &crate::facts::Invocation) -> String {
    inv.cell
        .as_deref()
        .map_or_else(String::new, |c| format!(" (matrix cell `{c}`)"))
}

pub(crate) fn show_dir(dir: Option<&str>) -> String {
    match dir {
        Some(d) => match d.strip_prefix(crate::facts::invocation::HOME) {
            Some(rest) => format!("~{rest}"),
            None if d.is_empty() => ".".to_string(),
            None => d.to_string(),
        },
        None => "its envdir".to_string(),
    }
}

/// `file` in the project directory `project` (workspace-relative; `""` is the workspace).
/// `${{ hashFiles('pyproject.toml', 'noxfile.py') }}`: the first dependency file and the config
/// file of the project the tool runs in (what help texts and fixes put in a key).
pub(crate) fn hash_files_expr(tool: &ToolSpec, project: &str) -> String {
    let mut hashed: Vec<String> = dependency_files(tool, project)
        .into_iter()
        .take(1)
        .collect();
    hashed.push(in_project(project, tool.config_file()));
    let hashed: Vec<String> = hashed.iter().map(|f| format!("'{f}'")).collect();
    format!("${{{{ hashFiles({}) }}}}", hashed.join(", "))
}

pub(crate) fn in_project(project: &str, file: &str) -> String {
    if project.is_empty() {
        file.to_string()
    } else {
        format!("{project}/{file}")
    }
}

/// The tool's dependency files in `project`, as help texts and messages name them.
pub(crate) fn dependency_files(tool: &ToolSpec, project: &str) -> Vec<String> {
    tool.dependency_files
        .iter()
        .map(|f| in_project(project, f))
        .collect()
}

/// `a`, `a` or `b`, `a`, `b` or `c` (each in backticks).
pub(crate) fn either(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// At most this many envdirs of one job are compared with a cache path that looks meant for
/// the tool (each comparison is a glob match; hostile inputs have thousands of runs).
const MAX_ENVDIRS: usize = 64;

/// The value an invocation's envdir option or setting has, relative to its config file's
/// directory (`.nox` for `sub/.nox` of a noxfile in `sub/`), or the envdir itself.
fn envdir_value(inv: &Invocation) -> Option<&str> {
    let dir = inv.envdir.as_deref()?;
    match inv.project_dir.as_deref() {
        Some(p) if !p.is_empty() => Some(
            dir.strip_prefix(p)
                .and_then(|r| r.strip_prefix('/'))
                .unwrap_or(dir),
        ),
        _ => Some(dir),
    }
}

/// Whether `dir` is strictly below `envdir` (`.nox/emscripten` below `.nox`).
pub(crate) fn strictly_below(dir: &str, envdir: &str) -> bool {
    !envdir.is_empty()
        && dir.len() > envdir.len() + 1
        && dir.starts_with(envdir)
        && dir.as_bytes().get(envdir.len()) == Some(&b'/')
}

/// For an invocation whose envdir no cache restores (`restored` is `No`): a restoring cache
/// step, and its path line, meant for the tool's environments (its last component is one of
/// the tool's `cache_path_names`, or it is the value of an envdir option or setting of a run
/// in the job) that covers no envdir of the job's runs. A folder strictly below the envdir
/// is not one (a build folder kept inside `.nox`); nor is a path that covers another run's
/// envdir (it serves that run).
pub(crate) fn mismatched<'f, 'a>(
    spec: &ToolSpec,
    facts: &'f JobFacts<'a>,
    invocations: &[Invocation],
    inv: &Invocation,
) -> Option<(&'f CacheStep<'a>, &'f PathLine)> {
    let envdir = inv.envdir.as_deref()?;
    let mut runs: Vec<&Invocation> = Vec::new();
    for i in invocations.iter().filter(|i| i.creates_envs) {
        if runs.len() >= MAX_ENVDIRS {
            break;
        }
        if !runs.iter().any(|r| r.envdir == i.envdir) {
            runs.push(i);
        }
    }
    let meant = |p: &str| {
        let last = p.trim_end_matches('/').rsplit('/').next().unwrap_or(p);
        spec.cache_path_names.iter().any(|n| n == last)
            || runs
                .iter()
                .any(|r| envdir_value(r).is_some_and(|v| !v.is_empty() && v == p))
    };
    facts
        .caches
        .iter()
        .filter(|c| c.restores && !wiped(facts, c, Some(envdir)))
        .find_map(|c| {
            let lines = c.paths.as_ref()?;
            let line = lines.iter().find(|l| {
                let Some(p) = l.path.as_deref() else {
                    return false;
                };
                !l.exclude
                    && meant(p)
                    && !strictly_below(p, envdir)
                    && !runs.iter().any(|r| {
                        r.envdir.as_deref().is_some_and(|d| {
                            crate::knowledge::glob::covers_normalized(p, d) || strictly_below(p, d)
                        })
                    })
            })?;
            Some((c, line))
        })
}

/// Where a cache step's `path:` is reported: in the linted file.
pub(crate) fn path_reported(c: &CacheStep<'_>) -> crate::source::Location {
    match (c.via.first(), &c.path_at) {
        (Some(v), _) => v.clone(),
        (None, Some(p)) => p.clone(),
        (None, None) => c.at.clone(),
    }
}
