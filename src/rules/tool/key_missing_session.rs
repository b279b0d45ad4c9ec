//! `<tool>/key-missing-session`: jobs of one workflow, or cells of one matrix, that run
//! different sessions save the same envdir (the same `path:` text) under keys that can be equal:
//! the first to save wins, the others restore environments they do not use and, on an exact
//! hit, never save theirs.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::matrix::{self, Scope};
use crate::facts::{CacheStep, JobFacts};
use crate::rules::{Context, RuleMeta, ToolCx, ToolRule};
use crate::source::Location;
use crate::workflow::Job;

use super::{covered, default_envdir, envdir_targets, saved_keys, show_dir};

/// The check's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "key-missing-session",
    summary: "Jobs running different {tool} sessions save their environments under the same key.",
    severity: Severity::Warning,
};

/// See the module docs.
pub struct KeyMissingSession;

/// At most this many (job, cache step, cell) entries are compared in one file.
const MAX_ENTRIES: usize = 4096;

/// At most this much work (cells times the invocations judged in each) in one file.
const MAX_WORK: usize = 1 << 18;

/// The sessions a run selects when none is named.
const DEFAULT: &str = "\u{4}default";

struct Entry<'f> {
    job: usize,
    job_id: &'f str,
    /// The saving step, for reports.
    cache: &'f CacheStep<'f>,
    /// Which step of its job it is (one report per step).
    seq: usize,
    envdir: Option<&'f str>,
    /// What the sessions evaluate to (comparable), and how to show them.
    sessions: Vec<String>,
    shown: String,
}

/// A session word in a cell: comparable text, and the text shown (`${{ matrix.s }}` replaced
/// by its value). `None`: unknown (a shell variable, a step output).
fn session_in(word: &str, scope: &Scope<'_, '_>) -> Option<(String, String)> {
    let outside: String = {
        let mut s = String::new();
        let mut at = 0;
        for site in crate::expr::find(word) {
            s.push_str(word.get(at..site.range.start)?);
            at = site.range.end;
        }
        s.push_str(word.get(at..)?);
        s
    };
    if outside.contains(['$', '`', '*', '?']) {
        return None;
    }
    let fp = matrix::fingerprint(word, scope)?;
    let mut shown = String::new();
    let mut at = 0;
    for site in crate::expr::find(word) {
        shown.push_str(word.get(at..site.range.start)?);
        at = site.range.end;
        let body = site.body.trim();
        let value = matrix::matrix_name(body)
            .filter(|n| body.len() == "matrix.".len() + n.len())
            .and_then(|n| scope.cell.get(n).flatten());
        match value {
            Some(v) => shown.push_str(v),
            None => shown.push_str(&word[site.range.clone()]),
        }
    }
    shown.push_str(word.get(at..)?);
    // A session named through the matrix is the same session as one written out.
    let comparable = if shown.contains("${{") {
        fp
    } else {
        shown.clone()
    };
    Some((comparable, shown))
}

impl ToolRule for KeyMissingSession {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(
        &self,
        _cx: &Context<'_>,
        _tool: &ToolCx<'_>,
        _job: &Job<'_>,
        _facts: &JobFacts<'_>,
        _out: &mut Vec<Diagnostic>,
    ) {
    }

    fn check_jobs(
        &self,
        cx: &Context<'_>,
        tool: &ToolCx<'_>,
        jobs: &[(&Job<'_>, &JobFacts<'_>)],
        out: &mut Vec<Diagnostic>,
    ) {
        let spec = tool.spec;
        let default = default_envdir(spec);
        // Saved keys, grouped by what the key and the path evaluate to.
        let mut groups: HashMap<(String, String), Vec<Entry<'_>>> = HashMap::new();
        let mut entries = 0;
        let mut work = 0usize;
        'jobs: for (j, (job, facts)) in jobs.iter().enumerate() {
            if facts.caches.is_empty() {
                continue;
            }
            // A run that names no session takes them from the session variable (the facts
            // have read it: `NOXSESSION: ${{ matrix.session }}` picks them per cell).
            let matrix = facts.matrix(job);
            let Some(cells) = matrix.cells.as_deref() else {
                continue;
            };
            let targets = envdir_targets(spec, facts, tool.index, &default);
            let invocations = facts.invocations(tool.index);
            for saved in saved_keys(facts) {
                let Some((envdir, _)) = covered(saved.cache, &targets) else {
                    continue;
                };
                let Some(path) = saved.cache.path else {
                    continue;
                };
                let runs: Vec<_> = invocations
                    .iter()
                    .filter(|i| i.creates_envs && i.envdir.as_deref() == envdir)
                    .collect();
                if runs.is_empty() {
                    continue;
                }
                // Session names that differ only in a Python version (`tests-${{ matrix.py }}`)
                // are `<tool>/key-missing-python`'s to report: the same key is not reported
                // twice for one matrix value.
                let versions = python_in_sessions(&runs, cells, saved.env);
                for cell in cells {
                    work += runs.len() + 1;
                    if entries >= MAX_ENTRIES || work > MAX_WORK {
                        break 'jobs;
                    }
                    let scope = Scope {
                        cell,
                        runner: matrix::runner(cx.knowledge, job, cell),
                        job: job.id.value,
                        env: saved.env,
                        setups: &facts.setups,
                        in_action: !saved.cache.via.is_empty(),
                    };
                    let Some(fp) = matrix::fingerprint(saved.key.value, &scope) else {
                        continue;
                    };
                    let masked = cell.masked(&versions, "{python}");
                    let session_scope = Scope {
                        cell: &masked,
                        ..scope
                    };
                    let Some((sessions, shown)) = sessions_of(&runs, &session_scope) else {
                        continue;
                    };
                    entries += 1;
                    groups
                        .entry((path.value.trim().to_string(), fp))
                        .or_default()
                        .push(Entry {
                            job: j,
                            job_id: job.id.value,
                            cache: saved.cache,
                            seq: saved.cache.seq,
                            envdir,
                            sessions,
                            shown,
                        });
                }
            }
        }
        // One report per saving step: at the later one, naming the earlier.
        let mut found: Vec<(usize, usize, &Entry<'_>, &Entry<'_>)> = vec![];
        // Saving steps whose own cells collide: `github.job` alone does not fix them.
        let mut within: Vec<(usize, usize)> = vec![];
        for group in groups.values() {
            let Some(first) = group.first() else { continue };
            for (i, e) in group.iter().enumerate() {
                if group[..i]
                    .iter()
                    .any(|o| o.job == e.job && o.seq == e.seq && o.sessions != e.sessions)
                    && !within.contains(&(e.job, e.seq))
                {
                    within.push((e.job, e.seq));
                }
            }
            for e in &group[1..] {
                if e.sessions != first.sessions
                    && !found.iter().any(|(j, s, ..)| *j == e.job && *s == e.seq)
                {
                    found.push((e.job, e.seq, first, e));
                }
            }
        }
        found.sort_by_key(|(j, s, ..)| (*j, *s));
        for (_, _, earlier, later) in found {
            let same_job = earlier.job == later.job && earlier.seq == later.seq;
            let who = if same_job {
                format!("cells of job `{}`'s matrix", later.job_id)
            } else {
                format!("jobs `{}` and `{}`", earlier.job_id, later.job_id)
            };
            let mut d = tool
                .diagnostic(
                    later.cache.key_reported(),
                    format!(
                        "{who} run different {} sessions ({} and {}) but save `{}` under keys that can be equal: the first to save wins, and the others restore environments they do not use",
                        spec.name,
                        earlier.shown,
                        later.shown,
                        show_dir(later.envdir)
                    ),
                )
                .with_primary_label("nothing in this key tells the sessions apart")
                .with_via(later.cache.via.clone())
                .with_help(if same_job {
                    "add the matrix value that picks the session to the key".to_string()
                } else {
                    "add `${{ github.job }}` (or the session name) to the key".to_string()
                });
            // The fix: the help's part (`github.job`, or the one matrix value the session names
            // are made of), after the key's leading literal and in its restore keys.
            let facts = jobs.get(later.job).map(|(_, f)| *f);
            let saved =
                facts.and_then(|f| saved_keys(f).into_iter().find(|s| s.cache.seq == later.seq));
            let part = match (&saved, facts) {
                (Some(saved), Some(f)) if same_job => {
                    session_matrix_part(f, tool.index, later.envdir, saved.key.value)
                }
                _ if same_job || within.contains(&(later.job, later.seq)) => None,
                _ => Some("${{ github.job }}".to_string()),
            };
            if let (Some(part), Some(facts), Some(saved)) = (part, facts, &saved)
                && let Some(fix) = super::key_part_fix(cx, facts, saved, &part)
            {
                d = d.with_fix(fix);
            }
            if !same_job {
                let at: Location = earlier.cache.reported();
                d = d.with_label(
                    at,
                    format!("job `{}` saves under the same key", earlier.job_id),
                );
            }
            out.push(d);
        }
    }
}

/// The one `${{ }}` with a matrix value that the session names of the runs creating
/// `envdir`'s environments are made of (`-s ${{ matrix.session }}`), as an expression, leaving
/// out those the key already has (`unit-${{ matrix.python }}(${{ matrix.variant }})` with
/// `matrix.python` in the key: `matrix.variant`); `None` when there is none, or more than one.
fn session_matrix_part(
    facts: &JobFacts<'_>,
    tool: usize,
    envdir: Option<&str>,
    key: &str,
) -> Option<String> {
    let in_key: Vec<&str> = crate::expr::find(key)
        .iter()
        .map(|s| s.body.trim())
        .collect();
    let mut bodies: Vec<&str> = vec![];
    for w in facts
        .invocations(tool)
        .iter()
        .filter(|i| i.creates_envs && i.envdir.as_deref() == envdir)
        .flat_map(|i| i.sessions.iter().flatten())
    {
        for site in crate::expr::find(w) {
            let body = site.body.trim();
            if body.to_ascii_lowercase().contains("matrix.")
                && !bodies.contains(&body)
                && !in_key.iter().any(|k| k.eq_ignore_ascii_case(body))
            {
                bodies.push(body);
            }
        }
    }
    match bodies.as_slice() {
        [one] => Some(format!("${{{{ {one} }}}}")),
        _ => None,
    }
}

/// The matrix names in the runs' session words whose values are all Python versions.
fn python_in_sessions(
    runs: &[&crate::facts::Invocation],
    cells: &[matrix::Cell],
    env: &crate::facts::EnvChain<'_, '_>,
) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for w in runs.iter().flat_map(|r| r.sessions.iter().flatten()) {
        for n in matrix::matrix_names_in(w, env) {
            let versions = cells
                .iter()
                .filter_map(|c| c.get(&n).flatten())
                .all(super::key_missing_python::looks_like_version);
            if versions && !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// The sessions the runs select in a cell, sorted (`None`: unknown).
fn sessions_of(
    runs: &[&crate::facts::Invocation],
    scope: &Scope<'_, '_>,
) -> Option<(Vec<String>, String)> {
    let mut sessions = vec![];
    let mut shown = vec![];
    for run in runs {
        match &run.sessions {
            None => {
                sessions.push(DEFAULT.to_string());
                shown.push("the default sessions".to_string());
            }
            Some(words) if words.is_empty() => return None,
            Some(words) => {
                for w in words {
                    let (fp, s) = session_in(w, scope)?;
                    sessions.push(fp);
                    shown.push(format!("`{s}`"));
                }
            }
        }
    }
    sessions.sort();
    sessions.dedup();
    shown.dedup();
    Some((sessions, shown.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::EnvChain;
    use crate::facts::matrix::Cell;

    #[test]
    fn session_words() {
        let cell = Cell {
            values: vec![("s".into(), Some("lint".into()))],
        };
        let env = EnvChain { scopes: vec![] };
        let scope = Scope {
            cell: &cell,
            runner: (None, None),
            job: "j",
            env: &env,
            setups: &[],
            in_action: false,
        };
        assert_eq!(
            session_in("${{ matrix.s }}", &scope).map(|s| s.1),
            Some("lint".to_string())
        );
        assert!(session_in("$SESSION", &scope).is_none());
        assert!(session_in("tests", &scope).is_some());
    }
}

#[cfg(test)]
mod fix_tests {
    use crate::diagnostic::Applicability;
    use crate::rules::tool::test_support::fix_of;

    const RULE: &str = "nox/key-missing-session";

    const CACHE: &str = "      - uses: actions/cache@v4\n        with:\n          path: .nox\n          key: nox-${{ runner.os }}-${{ hashFiles('noxfile.py') }}\n          restore-keys: |\n            nox-${{ runner.os }}-\n";

    #[test]
    fn the_matrix_value_that_picks_the_session_goes_in() {
        let text = format!(
            "on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        session: [lint, tests]\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{CACHE}      - run: nox -R -s ${{{{ matrix.session }}}}\n"
        );
        let (a, fixed) = fix_of(&text, RULE).expect("a fix");
        assert_eq!(a, Applicability::Safe);
        assert!(
            fixed.contains("key: nox-${{ matrix.session }}-${{ runner.os }}-${{ hashFiles('noxfile.py') }}\n          restore-keys: |\n            nox-${{ matrix.session }}-${{ runner.os }}-\n"),
            "{fixed}"
        );
    }

    #[test]
    fn the_matrix_value_noxsession_is_set_from_goes_in() {
        let text = format!(
            "on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        session: [lint, tests]\n    env:\n      NOXSESSION: ${{{{ matrix.session }}}}\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{CACHE}      - run: nox -R\n"
        );
        let (a, fixed) = fix_of(&text, RULE).expect("a fix");
        assert_eq!(a, Applicability::Safe);
        assert!(
            fixed.contains("key: nox-${{ matrix.session }}-${{ runner.os }}-"),
            "{fixed}"
        );
        // The command line's sessions beat the variable: one session, nothing to report.
        let named = text.replace("nox -R\n", "nox -R -s lint\n");
        assert_eq!(fix_of(&named, RULE), None);
        assert!(
            !crate::rules::tool::test_support::lint_text(&named)
                .iter()
                .any(|d| d.rule == RULE)
        );
    }

    #[test]
    fn jobs_get_the_job_id() {
        let job = |id: &str, s: &str| {
            format!(
                "  {id}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{CACHE}      - run: nox -R -s {s}\n"
            )
        };
        let text = format!(
            "on: push\njobs:\n{}{}",
            job("lint", "lint"),
            job("tests", "tests")
        );
        let (_, fixed) = fix_of(&text, RULE).expect("a fix");
        // The later job's key only.
        assert_eq!(fixed.matches("${{ github.job }}").count(), 2, "{fixed}");
        assert!(
            fixed.contains("key: nox-${{ github.job }}-${{ runner.os }}-"),
            "{fixed}"
        );
    }

    #[test]
    fn a_matrix_value_already_in_the_key_is_not_the_part() {
        let text = format!(
            "on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        a: [x, y]\n        b: [unit, e2e]\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{}      - run: nox -R -s ${{{{ matrix.a }}}}-${{{{ matrix.b }}}}\n",
            CACHE.replace("nox-${{ runner.os }}-", "nox-${{ matrix.a }}-")
        );
        let (_, fixed) = fix_of(&text, RULE).expect("a fix");
        assert!(
            fixed.contains(
                "key: nox-${{ matrix.b }}-${{ matrix.a }}-${{ hashFiles('noxfile.py') }}"
            ),
            "{fixed}"
        );
    }

    #[test]
    fn no_fix_when_two_matrix_values_pick_the_session() {
        let text = format!(
            "on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        a: [x, y]\n        b: [1, 2]\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{CACHE}      - run: nox -R -s ${{{{ matrix.a }}}}-${{{{ matrix.b }}}}\n"
        );
        assert!(
            crate::rules::tool::test_support::lint_text(&text)
                .iter()
                .any(|d| d.rule == RULE)
        );
        assert_eq!(fix_of(&text, RULE), None);
    }
}
