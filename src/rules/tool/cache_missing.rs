//! `<tool>/cache-missing`: a job runs the tool in a way that creates environments, and no cache
//! step of that job restores a path covering the envdir.

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::facts::{Answer, CacheStep, Invocation, JobFacts, Reuse};
use crate::knowledge::{Knowledge, SetupAction, ToolSpec};
use crate::rules::{Context, RuleMeta, ToolCx, ToolRule};
use crate::workflow::{ActionRef, Job, Step};
use crate::yaml::Kind;

use super::{cache_covers, hash_files_expr, restored, show_dir, strictly_below, wiped};

/// The check's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "cache-missing",
    summary: "A job runs {tool} but no cache step restores its environments.",
    severity: Severity::Warning,
};

/// See the module docs.
pub struct CacheMissing;

impl ToolRule for CacheMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(
        &self,
        cx: &Context<'_>,
        tool: &ToolCx<'_>,
        job: &Job<'_>,
        facts: &JobFacts<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let spec = tool.spec;
        let name = &spec.name;
        let invocations = facts.invocations(tool.index);
        let Some(inv) = uncached(facts, invocations) else {
            return;
        };
        // A cache meant for the envdir that misses it is `<tool>/cache-path-mismatch`.
        if super::mismatched(spec, facts, invocations, inv).is_some() {
            return;
        }
        let dir = show_dir(inv.envdir.as_deref());
        let path = inv
            .envdir
            .as_deref()
            .map_or(spec.envdir.default.clone(), |_| dir.clone());
        let step = suggested_step(cx, spec, job, invocations, inv, &path);
        let mut help = format!("add a cache step before the first {name} run:\n{step}");
        let mut d = tool
            .diagnostic(
                inv.reported(),
                format!(
                    "job `{}` runs {name} but does not cache its environments in `{dir}`{}",
                    job.id.value,
                    super::in_cell(inv)
                ),
            )
            .with_primary_label(if inv.in_action() {
                format!("this action runs {name}, which creates environments in `{dir}`")
            } else if inv.in_script() {
                format!("this script runs {name}, which creates environments in `{dir}`")
            } else {
                format!("creates {name} environments in `{dir}`")
            })
            .with_via(inv.via.clone())
            .with_label(cx.at(job.id.span()), "in this job");
        if let Some(label) = inv.inside_label(name) {
            d = d.with_label(inv.at.clone(), label);
        }
        let envdir = inv.envdir.as_deref();
        let covering = |c: &&CacheStep<'_>| cache_covers(c, envdir) == Answer::Yes;
        // A cache step that would cover it, restored before the checkout empties the workspace.
        let early = facts.caches.iter().find_map(|c| {
            let checkout = facts.wiped_by(c)?;
            (wiped(facts, c, envdir) && covering(&c)).then_some((c, checkout))
        });
        // Near misses: a step for the envdir that restores nothing.
        let kind = |c: &CacheStep<'_>| {
            ActionRef::parse(c.uses.value)
                .name()
                .and_then(|n| cx.knowledge.cache_action(&n))
                .map(|a| a.restores)
        };
        let lookup_only = facts
            .caches
            .iter()
            .filter(covering)
            .find(|c| !c.restores && kind(c) == Some(true));
        let save_only = facts
            .caches
            .iter()
            .filter(covering)
            .find(|c| !c.restores && kind(c) == Some(false));
        // A restored folder inside the envdir (a build folder), not the environments.
        let inside = envdir.and_then(|e| {
            facts.caches.iter().filter(|c| c.restores).find_map(|c| {
                let line = c.paths.as_ref()?.iter().find(|l| {
                    !l.exclude && l.path.as_deref().is_some_and(|p| strictly_below(p, e))
                })?;
                Some((c, line))
            })
        });
        if let Some((c, checkout)) = early {
            d = d
                .with_label(c.reported(), "restored here, before the checkout")
                .with_label(
                    checkout.via.first().unwrap_or(&checkout.at).clone(),
                    "the checkout empties the workspace",
                );
            help = format!(
                "move the cache step for `{dir}` after the checkout: `actions/checkout` empties the workspace, and `{dir}` with it"
            );
        } else if let Some(c) = lookup_only {
            d = d.with_label(
                c.reported(),
                "`lookup-only: true`: this step only checks for an entry, it restores nothing",
            );
            help = format!(
                "remove `lookup-only: true` from this cache step, so that it restores `{dir}`"
            );
            if tag_triggered(cx) {
                help.push_str(
                    " (or, to keep tag builds from using the cache, write `lookup-only: ${{ startsWith(github.ref, 'refs/tags/') }}`)",
                );
            }
        } else if let Some(c) = save_only {
            d = d.with_label(
                c.reported(),
                format!("this step saves `{dir}` but restores nothing"),
            );
            help = format!(
                "make this step `uses: {}` (it restores `{dir}` and saves it when the job ends) and place it before the first {name} run",
                suggested_uses(cx)
            );
        } else if let Some((c, line)) = inside {
            let shown = line
                .path
                .as_deref()
                .map(|p| show_dir(Some(p)))
                .unwrap_or_default();
            d = d.with_label(
                super::path_reported(c),
                format!("caches `{shown}`, a folder inside `{dir}`, not the environments"),
            );
            help = format!(
                "the cache of `{shown}` keeps a folder inside `{dir}`, not {name}'s environments; {help}"
            );
        }
        if let Some(advice) = reuse_advice(spec, inv) {
            help.push('\n');
            help.push_str(&advice);
        }
        let plain =
            early.is_none() && lookup_only.is_none() && save_only.is_none() && inside.is_none();
        if plain && let Some(mut fix) = insert_step(cx, spec, job, facts, tool.index, inv, &path) {
            // zizmor's cache-poisoning audit counts a push to a branch named like a release as
            // a release, where any cache step is a finding: the edit is shown, not made.
            if release_branch_push(cx) {
                fix.applicability = Applicability::DisplayOnly;
                help.push_str(
                    "\nthis workflow runs on pushes to a release branch, where zizmor's `cache-poisoning` audit reports every cache step: the fix is shown, not applied; add the step if the cache is worth it there, with `lookup-only: true` on the release pushes",
                );
            }
            d = d.with_fix(fix);
        }
        out.push(d.with_help(help));
    }
}

/// The fix (unsafe: it adds a step): the suggested cache step inserted right before the step
/// of the first run, above the comment lines directly over it, indented as that step and in
/// its form (`- name:` first when the job's other steps are named), with the file's line
/// ending; and, for a tool that recreates its environments by default, the option that turns
/// reuse on after the tool word of each run in the job that says nothing about reuse.
/// `None` when the run is not in a block-style step of the linted file, or a run turns reuse
/// off on purpose.
fn insert_step(
    cx: &Context<'_>,
    spec: &ToolSpec,
    job: &Job<'_>,
    facts: &JobFacts<'_>,
    tool_index: usize,
    inv: &Invocation,
    path: &str,
) -> Option<Fix> {
    if !inv.via.is_empty() || inv.runner_action || inv.at.file != cx.file || inv.derived_dir {
        return None;
    }
    // A checkout into the workspace after the new step and before a later run empties a
    // cache restored inside it: one step before the first run would not be enough.
    let inside = inv.envdir.as_deref().is_none_or(|d| !d.starts_with('/'));
    if inside
        && facts.checkouts.iter().any(|c| {
            c.workspace
                && c.order >= inv.order
                && facts
                    .invocations(tool_index)
                    .iter()
                    .any(|i| i.creates_envs && i.envdir == inv.envdir && i.order > c.order)
        })
    {
        return None;
    }
    let steps = job.steps();
    let step = steps.iter().find(|s| s.index == inv.step)?;
    // A step of a `parallel:` group shares its `order` with the others: left alone.
    if steps.iter().filter(|s| s.order == step.order).count() > 1 {
        return None;
    }
    let text = cx.text;
    let lines_at = crate::rules::edit::step_lines(text, step.node)?;
    let eol = lines_at.eol;
    let named = steps.iter().filter(|s| s.name.is_some()).count();
    let uses = suggested_uses(cx);
    let key = suggested_key(cx, spec, job, facts.invocations(tool_index), inv);
    let mut lines = vec![];
    let (first, rest) = (lines_at.first_prefix(), lines_at.rest_prefix());
    if 2 * named > steps.len() {
        lines.push(format!("{first}name: Cache {} environments", spec.name));
        lines.push(format!("{rest}uses: {uses}"));
    } else {
        lines.push(format!("{first}uses: {uses}"));
    }
    lines.push(format!("{rest}with:"));
    lines.push(format!("{rest}  path: {path}"));
    lines.push(format!("{rest}  key: {key}"));
    if tag_triggered(cx) {
        lines.push(format!(
            "{rest}  lookup-only: ${{{{ startsWith(github.ref, 'refs/tags/') }}}}"
        ));
    }
    let mut content = lines.join(eol);
    content.push_str(eol);
    // Steps set apart by a blank line: the new one is set apart from the next one too.
    let before = text[..lines_at.start].trim_end();
    let above = &text[before.rfind('\n').map_or(0, |i| i + 1)..before.len()];
    let blank_above = before.len() < lines_at.start
        && text[before.len()..lines_at.start].matches('\n').count() >= 2;
    if blank_above && !above.trim_end().ends_with("steps:") {
        content.push_str(eol);
    }
    let mut edits = vec![Edit::insert(cx.file, lines_at.start, content)];
    // Reuse, for a tool that recreates its environments unless told not to.
    if !spec.reuse.default {
        let on = spec
            .reuse
            .values
            .iter()
            .find_map(|v| Some(format!("{}={}", v.options.first()?, v.on.first()?)))
            .or_else(|| spec.reuse.on_options.first().cloned())?;
        // The runs of a matrix-driven directory repeat one command: edited once.
        let mut edited = std::collections::HashSet::new();
        for i in facts
            .invocations(tool_index)
            .iter()
            .filter(|i| i.creates_envs)
        {
            match i.reuse {
                Reuse::Off => return None,
                Reuse::On => {}
                Reuse::Default => {
                    // Reused already (the noxfile turns reuse on): no flag needed.
                    if !i.via.is_empty()
                        || i.runner_action
                        || i.envdir != inv.envdir
                        || i.reuses == Answer::Yes
                    {
                        continue;
                    }
                    let e = crate::rules::edit::insert_after_word(text, cx.file, &i.at, &on)?;
                    if edited.insert(e.location.span.start) {
                        edits.push(e);
                    }
                }
            }
        }
    }
    Some(Fix {
        title: format!(
            "add a cache step for `{path}` before the first {} run",
            spec.name
        ),
        applicability: Applicability::Unsafe,
        edits,
    })
}

/// The first run of the tool that creates environments in an envdir no cache step restores.
pub(crate) fn uncached<'i>(
    facts: &JobFacts<'_>,
    invocations: &'i [Invocation],
) -> Option<&'i Invocation> {
    invocations
        .iter()
        .filter(|i| i.creates_envs)
        .find(|i| restored(facts, i.envdir.as_deref()) == Answer::No)
}

/// Whether the workflow runs on pushes to a branch whose filter names a release (holds one of
/// the data's `release_branch_words`, any case), as zizmor's `cache-poisoning` audit reads it.
fn release_branch_push(cx: &Context<'_>) -> bool {
    let words = &cx.knowledge.release.release_branch_words;
    let Some(branches) = cx
        .workflow
        .root
        .and_then(|r| r.get("on"))
        .and_then(|on| on.get("push"))
        .and_then(|p| p.get("branches"))
    else {
        return false;
    };
    let names: Vec<&str> = match &branches.kind {
        Kind::Seq(items) => items.iter().filter_map(|i| i.as_str()).collect(),
        _ => branches.as_str().into_iter().collect(),
    };
    names.iter().any(|n| {
        let n = n.to_ascii_lowercase();
        words.iter().any(|w| n.contains(w.as_str()))
    })
}

/// Whether the workflow runs for tags (a `release` event or a push filtered to tags): there
/// zizmor's `cache-poisoning` audit asks that the cache restore nothing.
fn tag_triggered(cx: &Context<'_>) -> bool {
    let Some(on) = cx.workflow.root.and_then(|r| r.get("on")) else {
        return false;
    };
    let release = |e: &str| cx.knowledge.release.release_events.iter().any(|r| r == e);
    match &on.kind {
        Kind::Scalar(..) => on.as_str().is_some_and(release),
        Kind::Seq(items) => items.iter().any(|i| i.as_str().is_some_and(release)),
        Kind::Map(entries) => entries.iter().any(|(k, v)| {
            k.as_str()
                .is_some_and(|e| release(e) || (e == "push" && v.get("tags").is_some()))
        }),
    }
}

/// The `uses:` value to suggest in this file (see [`Knowledge::suggested_cache_uses`]).
pub(crate) fn suggested_uses(cx: &Context<'_>) -> String {
    cx.suggested_uses
        .get_or_init(|| file_cache_uses(cx))
        .clone()
}

fn file_cache_uses(cx: &Context<'_>) -> String {
    let name = cx.name.replace('\\', "/");
    let forge = name.contains(".forgejo/") || name.contains(".gitea/");
    let wf = cx.workflow;
    let hosts: Vec<Option<&str>> = wf
        .jobs
        .iter()
        .flat_map(|j| j.steps().iter())
        .chain(wf.action_steps.iter())
        .filter_map(|s| match s.action()? {
            ActionRef::Remote { host, .. } => Some(*host),
            _ => None,
        })
        .take(256)
        .collect();
    cx.knowledge.suggested_cache_uses(forge, &hosts)
}

/// The key the help and the fix suggest: the tool, OS, architecture, Python version, job, the
/// matrix values the runs' session names are made of (`-s ${{ matrix.session }}`: the cells
/// run different sessions), and the hash of the project's dependency and config files.
fn suggested_key(
    cx: &Context<'_>,
    spec: &ToolSpec,
    job: &Job<'_>,
    runs: &[Invocation],
    inv: &Invocation,
) -> String {
    let project = inv.project_dir.as_deref().unwrap_or("");
    let version = version_expr(cx.knowledge, spec, job);
    // Each `${{ }}` of a session name, as written: it evaluates to the part of the name that
    // differs between cells (`matrix.python.NOXSESSION`, not the object `matrix.python`).
    let setup = setup_version(cx.knowledge, spec, job).map(expr_body);
    let mut sessions = String::new();
    let mut seen: Vec<String> = vec![];
    for w in runs
        .iter()
        .filter(|i| i.creates_envs && i.envdir == inv.envdir)
        .flat_map(|i| i.sessions.iter().flatten())
    {
        for site in crate::expr::find(w) {
            let body = site.body.trim();
            if !body.to_ascii_lowercase().contains("matrix.") {
                continue;
            }
            let part = format!("${{{{ {body} }}}}");
            // The Python version in the key already follows the value that picks it.
            let python = !version.is_empty()
                && setup
                    .as_deref()
                    .is_some_and(|v| v.eq_ignore_ascii_case(body));
            if seen.len() < 4 && !python && !version.contains(&part) && !seen.contains(&part) {
                sessions.push_str(&part);
                sessions.push('-');
                seen.push(part);
            }
        }
    }
    format!(
        "{}-${{{{ runner.os }}}}-${{{{ runner.arch }}}}-{version}${{{{ github.job }}}}-{sessions}{}",
        spec.name,
        hash_files_expr(spec, project)
    )
}

/// The cache step help texts suggest, as YAML lines to paste into `steps:` (indented by two
/// spaces): the file's form of `actions/cache`, the envdir, and a key that separates OS,
/// architecture, Python version and job, and follows the dependency files and config file of
/// the project the tool runs in.
pub(crate) fn suggested_step(
    cx: &Context<'_>,
    spec: &ToolSpec,
    job: &Job<'_>,
    runs: &[Invocation],
    inv: &Invocation,
    path: &str,
) -> String {
    let key = suggested_key(cx, spec, job, runs, inv);
    let mut step = format!(
        "  - uses: {}\n    with:\n      path: {path}\n      key: {key}",
        suggested_uses(cx)
    );
    if tag_triggered(cx) {
        step.push_str("\n      lookup-only: ${{ startsWith(github.ref, 'refs/tags/') }}");
    }
    step
}

/// What to add so the cache is used: for a tool that recreates its environments by default,
/// the option that turns reuse on.
pub(crate) fn reuse_advice(spec: &ToolSpec, inv: &Invocation) -> Option<String> {
    let reuse = inv.reuse;
    // The noxfile on disk (or the tool's default) already reuses them.
    if spec.reuse.default || inv.reuses == Answer::Yes {
        return None;
    }
    let name = &spec.name;
    let on_value = spec
        .reuse
        .values
        .iter()
        .find_map(|v| Some(format!("{}={}", v.options.first()?, v.on.first()?)));
    let on_option = spec.reuse.on_options.first();
    let turn_on = match (&on_value, on_option) {
        (Some(v), Some(o)) => format!("`{v}` (or `{o}`)"),
        (Some(v), None) => format!("`{v}`"),
        (None, Some(o)) => format!("`{o}`"),
        (None, None) => return None,
    };
    let first_on = on_value.clone().or(on_option.cloned())?;
    match reuse {
        Reuse::On => None,
        Reuse::Default => Some(format!(
            "and run {name} with {turn_on}: without it {name} recreates every environment"
        )),
        Reuse::Off => {
            let off_value = spec
                .reuse
                .values
                .iter()
                .find_map(|v| Some(format!("{}={}", v.options.first()?, v.off.first()?)));
            let offs: Vec<String> = spec
                .reuse
                .off_options
                .first()
                .into_iter()
                .cloned()
                .chain(off_value)
                .map(|o| format!("`{o}`"))
                .collect();
            Some(format!(
                "and replace {} with `{first_on}`: with reuse off {name} recreates every environment",
                offs.join("/")
            ))
        }
    }
}

/// `${{ steps.<id>.outputs.<version> }}-` when the job has a setup step for the tool's runtime
/// with an id; without one, the matrix value its version input names, else
/// `${{ env.<version_env> }}-`; with no setup step, a matrix value named for the runtime
/// (`matrix.python-version`); else nothing.
/// The body of a value that is one `${{ }}` expression, trimmed; else the value.
fn expr_body(v: &str) -> String {
    let t = v.trim();
    t.strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(t)
        .trim()
        .to_string()
}

/// The version input of the job's setup step for the tool's runtime, as written.
/// The job's steps that set up the tool's runtime (`actions/setup-python` for nox), in order,
/// with what the knowledge says of each action.
fn setup_steps<'j, 'a, 'k>(
    k: &'k Knowledge,
    spec: &ToolSpec,
    job: &'j Job<'a>,
) -> impl Iterator<Item = (&'j Step<'a>, &'k SetupAction)> {
    let runtime = spec.runtime.as_deref();
    job.steps().iter().filter_map(move |s| match s.action() {
        Some(a @ ActionRef::Remote { .. }) => Some((s, k.setup_action(&a.name()?, runtime?)?)),
        _ => None,
    })
}

/// The version input of the first runtime setup step that has one.
fn setup_version<'j>(k: &Knowledge, spec: &ToolSpec, job: &'j Job<'_>) -> Option<&'j str> {
    setup_steps(k, spec, job)
        .find_map(|(s, sa)| s.input(sa.version_input.as_deref()?).map(|v| v.value))
}

fn version_expr(k: &Knowledge, spec: &ToolSpec, job: &Job<'_>) -> String {
    let Some(runtime) = spec.runtime.as_deref() else {
        return String::new();
    };
    let setup = setup_steps(k, spec, job).next();
    let matrix_key = |name: &str| {
        let m = job.matrix?.as_map()?;
        m.iter().find_map(|(key, _)| {
            let key = key.as_str()?;
            (key != "include"
                && key != "exclude"
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && key.to_ascii_lowercase().contains(name))
            .then(|| format!("${{{{ matrix.{key} }}}}-"))
        })
    };
    match setup {
        Some((s, sa)) => {
            if let Some(id) = s.id {
                return format!(
                    "${{{{ steps.{}.outputs.{} }}}}-",
                    id.value, sa.version_output
                );
            }
            let from_matrix = sa
                .version_input
                .as_deref()
                .and_then(|i| s.input(i))
                .map(|v| v.value.trim())
                .filter(|v| {
                    v.starts_with("${{")
                        && v.ends_with("}}")
                        && v.matches("${{").count() == 1
                        && v[3..v.len() - 2].trim().starts_with("matrix.")
                })
                // A name the job's matrix does not define is empty in every run: the version
                // the setup step reports tells the runs apart instead.
                .filter(|v| {
                    let body = v[3..v.len() - 2].trim();
                    crate::facts::matrix::matrix_name(body).is_some_and(|n| {
                        crate::facts::matrix::Matrix::of(job).defines(n) == Some(true)
                    })
                })
                .map(|v| format!("{v}-"));
            match (from_matrix, &sa.version_env) {
                (Some(m), _) => m,
                (None, Some(env)) => format!("${{{{ env.{env} }}}}-"),
                (None, None) => String::new(),
            }
        }
        None => matrix_key(runtime).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::tool::test_support::lint;

    fn help(name: &str, head: &str, steps: &str) -> (String, Vec<String>) {
        let d = lint(name, head, steps);
        let d = d
            .iter()
            .find(|d| d.rule == "nox/cache-missing")
            .expect("nox/cache-missing");
        (
            d.help.clone().unwrap_or_default(),
            d.labels.iter().map(|l| l.message.clone()).collect(),
        )
    }

    #[test]
    fn suggested_step_follows_the_file() {
        let (h, _) = help(
            "w.yml",
            "on: push\n",
            "      - uses: actions/checkout@v4\n      - uses: actions/setup-python@v5\n        id: py\n      - run: nox -s t\n        working-directory: sub\n",
        );
        // Pinned by SHA even among tags (zizmor's `unpinned-uses` reports any tag).
        assert!(
            h.contains(
                "  - uses: actions/cache@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0\n"
            ),
            "{h}"
        );
        assert!(h.contains("path: sub/.nox"), "{h}");
        assert!(
            h.contains("key: nox-${{ runner.os }}-${{ runner.arch }}-${{ steps.py.outputs.python-version }}-${{ github.job }}-${{ hashFiles('sub/pyproject.toml', 'sub/noxfile.py') }}"),
            "{h}"
        );
        assert!(!h.contains("lookup-only"), "{h}");
        // Lookup-only on tags with tag pushes.
        let (h, _) = help(
            "w.yml",
            "on:\n  push:\n    tags: [v*]\n  pull_request:\n",
            "      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n      - run: nox -s t\n",
        );
        assert!(
            h.contains("uses: actions/cache@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0\n"),
            "{h}"
        );
        assert!(
            h.contains("lookup-only: ${{ startsWith(github.ref, 'refs/tags/') }}"),
            "{h}"
        );
        // Forgejo: the form of the file's other `uses:`.
        let (h, _) = help(
            ".forgejo/workflows/w.yml",
            "on: push\n",
            "      - uses: https://code.forgejo.org/actions/checkout@v4\n      - run: nox -s t\n",
        );
        assert!(
            h.contains("uses: https://code.forgejo.org/actions/cache@v4\n"),
            "{h}"
        );
        // A matrix Python given to a setup step without an id, in a job whose matrix does
        // not define it (it is empty in every run): the version the setup step reports.
        let (h, _) = help(
            "w.yml",
            "on: push\n",
            "      - uses: actions/checkout@v4\n      - uses: actions/setup-python@v5\n        with:\n          python-version: ${{ matrix.py }}\n      - run: nox -s t\n",
        );
        assert!(
            h.contains("-${{ env.pythonLocation }}-${{ github.job }}-"),
            "{h}"
        );
    }

    #[test]
    fn near_misses_name_the_step() {
        let (h, labels) = help(
            "w.yml",
            "on: push\n",
            "      - uses: actions/checkout@v4\n      - uses: actions/cache@v4\n        with:\n          path: .nox\n          key: k\n          lookup-only: true\n      - run: nox -s t\n",
        );
        assert!(h.starts_with("remove `lookup-only: true`"), "{h}");
        assert!(
            labels.iter().any(|l| l.contains("lookup-only")),
            "{labels:?}"
        );
        let (h, labels) = help(
            "w.yml",
            "on: push\n",
            "      - uses: actions/checkout@v4\n      - run: nox -s t\n      - uses: actions/cache/save@v4\n        with:\n          path: .nox\n          key: k\n",
        );
        assert!(
            h.starts_with(
                "make this step `uses: actions/cache@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0`"
            ),
            "{h}"
        );
        assert!(
            labels.iter().any(|l| l.contains("restores nothing")),
            "{labels:?}"
        );
        let (h, labels) = help(
            "w.yml",
            "on: push\n",
            "      - uses: actions/checkout@v4\n      - uses: actions/cache@v4\n        with:\n          path: .nox/emscripten\n          key: k\n      - run: nox -s t\n",
        );
        assert!(h.starts_with("the cache of `.nox/emscripten`"), "{h}");
        assert!(
            labels.iter().any(|l| l.contains("a folder inside")),
            "{labels:?}"
        );
    }
}
