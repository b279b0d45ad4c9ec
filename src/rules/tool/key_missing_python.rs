//! `<tool>/key-missing-python`: the job's matrix builds the environments for more than one
//! version of the tool's runtime (a matrix value feeds the setup action's version input, the
//! tool's interpreter option, or a session name), and the key the job saves its envdir under
//! is the same for two of them; or the key refers to a `matrix.X` the matrix does not define.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::matrix::{self, Cell, Matrix, Scope};
use crate::facts::{EnvChain, JobFacts, SetupStep};
use crate::knowledge::{Knowledge, ToolSpec};
use crate::rules::{Context, RuleMeta, ToolCx, ToolRule};
use crate::workflow::Job;

use super::{SavedKey, covered, default_envdir, envdir_targets, saved_keys, show_dir};

/// The check's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "key-missing-python",
    summary: "The cache key for {tool}'s environments does not tell the matrix's Python versions apart.",
    severity: Severity::Error,
};

/// See the module docs.
pub struct KeyMissingPython;

/// The job's setup steps for the tool's runtime.
pub(crate) fn runtime_setups<'f, 'a>(
    spec: &ToolSpec,
    facts: &'f JobFacts<'a>,
) -> Vec<&'f SetupStep<'a>> {
    let Some(runtime) = spec.runtime.as_deref() else {
        return vec![];
    };
    facts
        .setups
        .iter()
        .filter(|s| s.runtime == runtime)
        .collect()
}

/// Whether the key names a variable a setup action of the tool's runtime sets per version
/// and per machine (`env.pythonLocation`), or (with `output`) a setup step's version output.
pub(crate) fn names_runtime(
    k: &Knowledge,
    spec: &ToolSpec,
    setups: &[&SetupStep<'_>],
    key: &str,
    env: &EnvChain<'_, '_>,
    output: bool,
) -> bool {
    let runtime = spec.runtime.as_deref().unwrap_or("");
    let vars: Vec<&str> = k
        .setup_actions
        .iter()
        .filter(|a| a.runtime == runtime)
        .filter_map(|a| a.version_env.as_deref())
        .collect();
    contexts_deep(key, env, 0).iter().any(|ctx| {
        if let Some(name) = ctx.strip_prefix("env.")
            && vars.iter().any(|v| v.eq_ignore_ascii_case(name))
        {
            return true;
        }
        output
            && setups.iter().any(|s| {
                s.id.is_some_and(|id| {
                    ctx.eq_ignore_ascii_case(&format!(
                        "steps.{}.outputs.{}",
                        id.value, s.version_output
                    ))
                })
            })
    })
}

/// The contexts of a text's expressions, through declared `env:` variables.
fn contexts_deep(text: &str, env: &EnvChain<'_, '_>, depth: usize) -> Vec<String> {
    let mut out = vec![];
    if depth > 4 {
        return out;
    }
    for site in crate::expr::find(text) {
        let Some(e) = crate::expr::parse(site.body) else {
            continue;
        };
        for (ctx, _) in crate::expr::contexts(&e) {
            if let Some(name) = ctx.strip_prefix("env.")
                && let crate::facts::cache::Lookup::Declared(v) = env.get(name)
            {
                out.extend(contexts_deep(v.value, env, depth + 1));
            }
            out.push(ctx);
        }
    }
    out
}

/// Whether a matrix value looks like an interpreter version (`3.12`, `pypy3.10`, `3.13t`).
pub(crate) fn looks_like_version(v: &str) -> bool {
    let v = v.trim().to_ascii_lowercase();
    let v = v
        .strip_prefix("pypy")
        .or_else(|| v.strip_prefix("cpython"))
        .or_else(|| v.strip_prefix("python"))
        .unwrap_or(&v);
    v.trim_start_matches(['-', '@'])
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit())
}

/// The matrix names that pick the runtime version the tool's environments are built with.
fn python_names(
    spec: &ToolSpec,
    job: &Job<'_>,
    facts: &JobFacts<'_>,
    tool: usize,
    envdir: Option<&str>,
    matrix: &Matrix,
    wf_env: &EnvChain<'_, '_>,
) -> Vec<String> {
    let mut names: Vec<String> = vec![];
    let mut add = |n: String| {
        if !names.iter().any(|x| x.eq_ignore_ascii_case(&n)) {
            names.push(n);
        }
    };
    for s in runtime_setups(spec, facts) {
        if let Some(v) = s.version {
            matrix::matrix_names_in(v.value, wf_env)
                .into_iter()
                .for_each(&mut add);
        }
    }
    let versions = |name: &str| {
        matrix.cells.as_ref().is_some_and(|cells| {
            cells
                .iter()
                .filter_map(|c| c.get(name).flatten())
                .all(looks_like_version)
        })
    };
    for inv in facts
        .invocations(tool)
        .iter()
        .filter(|i| i.creates_envs && i.envdir.as_deref() == envdir)
    {
        for w in &inv.pythons {
            matrix::matrix_names_in(w, wf_env)
                .into_iter()
                .for_each(&mut add);
        }
        for w in inv.sessions.iter().flatten() {
            // `tests-${{ matrix.python }}` with versions for values. A matrix value that is
            // no version (`bump-${{ matrix.dependency }}`) picks a session, not a Python:
            // `<tool>/key-missing-session` judges that.
            for n in matrix::matrix_names_in(w, wf_env) {
                if versions(&n) {
                    add(n);
                }
            }
        }
    }
    let _ = job;
    names
}

/// The values of `names` in a cell, joined (`None`: one is unknown).
pub(crate) fn cell_value(cell: &Cell, names: &[String]) -> Option<String> {
    let mut out = String::new();
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match cell.get(n) {
            Some(Some(v)) => out.push_str(v),
            Some(None) => return None,
            None => {}
        }
    }
    Some(out)
}

/// Two cells of the matrix whose keys are surely equal but whose `property` differs (each
/// `None` when unknown; such cells are left out).
pub(crate) fn conflict(
    cells: &[Cell],
    key: impl Fn(&Cell) -> Option<String>,
    property: impl Fn(&Cell) -> Option<String>,
) -> Option<(&Cell, &Cell, String, String)> {
    let mut seen: std::collections::HashMap<String, (&Cell, String)> = Default::default();
    for cell in cells {
        let (Some(fp), Some(p)) = (key(cell), property(cell)) else {
            continue;
        };
        match seen.get(&fp) {
            Some((other, q)) if *q != p => return Some((other, cell, q.clone(), p)),
            Some(_) => {}
            None => {
                seen.insert(fp, (cell, p));
            }
        }
    }
    None
}

impl ToolRule for KeyMissingPython {
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
        if facts.caches.is_empty() {
            return;
        }
        let spec = tool.spec;
        let default = default_envdir(spec);
        let targets = envdir_targets(spec, facts, tool.index, &default);
        let saved: Vec<(SavedKey<'_, '_>, Option<&str>)> = saved_keys(facts)
            .into_iter()
            .filter_map(|s| covered(s.cache, &targets).map(|(dir, _)| (s, dir)))
            .collect();
        if saved.is_empty() {
            return;
        }
        let matrix = facts.matrix(job);
        let setups = runtime_setups(spec, facts);
        let wf_env = EnvChain {
            scopes: vec![&job.env, &cx.workflow.env],
        };
        let runners: Vec<_> = matrix
            .cells
            .iter()
            .flatten()
            .map(|c| matrix::runner(cx.knowledge, job, c))
            .collect();
        for (saved, envdir) in saved {
            let key = saved.key.value;
            // A `matrix.X` the matrix does not define is empty in every cell.
            if saved.cache.via.is_empty()
                && cx.workflow.kind != crate::workflow::FileKind::Action
                && let Some(name) = matrix::matrix_names_in(key, saved.env)
                    .into_iter()
                    .find(|n| matrix.defines(n) == Some(false))
            {
                out.push(
                    tool.diagnostic(
                        saved.cache.key_reported(),
                        format!(
                            "the cache key for `{}` uses `matrix.{name}`, which the job's matrix does not define: it is empty in every run",
                            show_dir(envdir)
                        ),
                    )
                    .with_primary_label(format!("`matrix.{name}` is empty here"))
                    .with_help(match matrix.names.as_deref() {
                        Some([]) | None => "the job has no matrix: remove it from the key, or use the value it stands for".to_string(),
                        Some(names) => format!(
                            "use one of the matrix's names: {}",
                            super::either(&names.iter().map(|n| format!("matrix.{n}")).collect::<Vec<_>>())
                        ),
                    }),
                );
                continue;
            }
            if names_runtime(cx.knowledge, spec, &setups, key, saved.env, true) {
                continue;
            }
            let Some(cells) = matrix.cells.as_deref() else {
                continue;
            };
            let names = python_names(spec, job, facts, tool.index, envdir, matrix, &wf_env);
            if names.is_empty() {
                continue;
            }
            let runner_of = |cell: &Cell| {
                cells
                    .iter()
                    .position(|c| std::ptr::eq(c, cell))
                    .and_then(|i| runners.get(i).copied())
                    .unwrap_or((None, None))
            };
            let fp = |cell: &Cell| {
                matrix::fingerprint(
                    key,
                    &Scope {
                        cell,
                        runner: runner_of(cell),
                        job: job.id.value,
                        env: saved.env,
                        setups: &facts.setups,
                        in_action: !saved.cache.via.is_empty(),
                    },
                )
            };
            let Some((_, _, a, b)) = conflict(cells, fp, |c| cell_value(c, &names)) else {
                continue;
            };
            let shown = names
                .iter()
                .map(|n| format!("matrix.{n}"))
                .collect::<Vec<_>>();
            let setup_id = setups.iter().find_map(|s| s.id.map(|id| (id, s)));
            let suggestion = match setup_id {
                Some((id, s)) => {
                    format!("${{{{ steps.{}.outputs.{} }}}}", id.value, s.version_output)
                }
                None => format!("${{{{ {} }}}}", shown.first().cloned().unwrap_or_default()),
            };
            // The fix adds the help's part, when it is sure to tell the versions apart: the
            // setup step's output only when that step runs before the key is read, a matrix
            // value only when it is the one that picks the version.
            let fixable = match setup_id {
                Some((id, _)) => job
                    .steps()
                    .iter()
                    .position(|s| s.id.is_some_and(|i| i.value == id.value))
                    .is_some_and(|i| i < saved.holder.step),
                None => names.len() == 1,
            };
            let mut d = super::label_action_key(
                tool.diagnostic(
                    saved.cache.key_reported(),
                    format!(
                        "the cache key for `{}` is the same for Python `{a}` and `{b}`: the matrix builds {}'s environments for each, and they restore each other's",
                        show_dir(envdir),
                        spec.name
                    ),
                )
                .with_primary_label(format!("no {} in this key", super::either(&shown)))
                .with_via(saved.cache.via.clone())
                .with_help(format!("add `{suggestion}` to the key"))
                , saved.cache,
            );
            if fixable && let Some(fix) = super::key_part_fix(cx, facts, &saved, &suggestion) {
                d = d.with_fix(fix);
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(looks_like_version("3.12"));
        assert!(looks_like_version("pypy3.10"));
        assert!(!looks_like_version("lint"));
        assert!(!looks_like_version("tests"));
    }
}

#[cfg(test)]
mod fix_tests {
    use crate::diagnostic::Applicability;
    use crate::rules::tool::test_support::fix_of;

    const RULE: &str = "nox/key-missing-python";

    fn job(setup_id: &str, cache_first: bool, key: &str) -> String {
        let setup = format!(
            "      - uses: actions/setup-python@v5\n{setup_id}        with:\n          python-version: ${{{{ matrix.python }}}}\n"
        );
        let cache = format!(
            "      - uses: actions/cache@v4\n        with:\n          path: .nox\n          key: {key}\n          restore-keys: nox-\n"
        );
        let (a, b) = if cache_first {
            (cache, setup)
        } else {
            (setup, cache)
        };
        format!(
            "on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        python: ['3.11', '3.12']\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{a}{b}      - run: nox -R -s tests\n"
        )
    }

    const KEY: &str = "nox-${{ runner.os }}-${{ hashFiles('noxfile.py') }}";

    #[test]
    fn the_setup_output_or_the_matrix_value_goes_in() {
        let (a, fixed) = fix_of(&job("        id: py\n", false, KEY), RULE).expect("a fix");
        assert_eq!(a, Applicability::Safe);
        assert!(
            fixed.contains("key: nox-${{ steps.py.outputs.python-version }}-${{ runner.os }}-${{ hashFiles('noxfile.py') }}\n          restore-keys: nox-${{ steps.py.outputs.python-version }}-\n"),
            "{fixed}"
        );
        let (_, fixed) = fix_of(&job("", false, KEY), RULE).expect("a fix");
        assert!(
            fixed.contains("key: nox-${{ matrix.python }}-${{ runner.os }}-"),
            "{fixed}"
        );
        // With no setup step before the cache step, the matrix value is still known.
        let (_, fixed) = fix_of(&job("", true, KEY), RULE).expect("a fix");
        assert!(fixed.contains("key: nox-${{ matrix.python }}-"), "{fixed}");
    }

    #[test]
    fn no_fix_when_the_setup_output_is_read_before_it_is_set() {
        // The help names the output, which is empty when the cache step runs first.
        let text = job("        id: py\n", true, KEY);
        assert_eq!(fix_of(&text, RULE), None);
        // A key that is one expression.
        let text = job("", false, "${{ env.NOX_KEY }}");
        assert_eq!(fix_of(&text, RULE), None);
    }
}
