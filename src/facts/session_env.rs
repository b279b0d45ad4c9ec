//! The sessions a run takes from the tool's session variable (`session_env`: nox's
//! `NOXSESSION`) when its command line names none.
//!
//! nox (`nox/_option_set.py`, `expand`): a value given on the command line (`-s/-e/--session`)
//! wins; else a non-empty `NOXSESSION`, split on commas; and either one makes nox ignore the
//! noxfile's `nox.options.sessions` (`nox/_merge.py`). The variable is read as the step sees
//! it: its `env:`, the calling steps' (inside composite actions), the job's, the workflow's. A
//! matrix expression picks the sessions per cell (kept as written, as `-s ${{ matrix.s }}` is);
//! a literal is the sessions; anything else, or a variable a script may set (`export`,
//! `NOXSESSION=x nox`, `$GITHUB_ENV`), is unknown (`$unknown`, matching nothing known).
//!
//! Worked out after the steps are visited: the steps are walked again in the order
//! [`super::visit`] numbers them (`seq`). A run written in another file than its step (a script
//! the step runs) gets unknown sessions when the step sees the variable; a run whose step is not
//! found, when any step does.

use super::cache::Lookup;
use super::{
    Answer, Cx, JobFacts, MAX_COMPOSITE_DEPTH, env_chain_at, is_literally_false, local_action_key,
    with_config,
};
use crate::expr;
use crate::facts::matrix::matrix_name;
use crate::source::FileId;
use crate::workflow::{Env, Step};
use crate::yaml::{Kind, Node};

/// The sessions of a run whose variable is set to something not known statically.
const UNKNOWN: &str = "$unknown";

/// At most this many steps (composite actions' included) are walked in one job.
const MAX_STEPS: usize = 4096;

/// A visited step, in visit order.
struct Seen<'a> {
    /// Its step index in the job (the caller's, inside a composite action).
    index: usize,
    /// The file it is written in.
    file: FileId,
    step: &'a Step<'a>,
    /// The `env:` blocks of the calling steps, innermost first.
    callers: Vec<&'a Env<'a>>,
}

/// What a session variable's value says about the sessions.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FromEnv {
    /// Not set (or empty): the command's own default.
    Unset,
    /// These sessions (a matrix expression is kept as written).
    Sessions(Vec<String>),
    /// Not known statically.
    Unknown,
}

/// Reads a session variable's value.
pub(crate) fn read_value(value: &str) -> FromEnv {
    let v = value.trim();
    if v.is_empty() {
        return FromEnv::Unset;
    }
    let sites = expr::find(v);
    let mut outside = String::new();
    let mut at = 0;
    for site in &sites {
        let Some(text) = v.get(at..site.range.start) else {
            return FromEnv::Unknown;
        };
        outside.push_str(text);
        at = site.range.end;
        let body = site.body.trim();
        // Only `matrix.x` or `matrix.x.y`, nothing else in the expression.
        let plain = body.split('.').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
        if !plain || matrix_name(body).is_none() {
            return FromEnv::Unknown;
        }
    }
    outside.push_str(v.get(at..).unwrap_or(""));
    if outside.contains(['$', '`']) {
        return FromEnv::Unknown;
    }
    if !sites.is_empty() {
        return FromEnv::Sessions(vec![v.to_string()]);
    }
    let names: Vec<String> = v
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect();
    if names.is_empty() {
        FromEnv::Unset
    } else {
        FromEnv::Sessions(names)
    }
}

/// Whether `text` is one `${{ }}` and nothing else.
fn is_one_expression(text: &str) -> bool {
    let t = text.trim();
    matches!(expr::find(t).as_slice(), [one] if one.range == (0..t.len()))
}

/// Whether `text` names `var` outside its `${{ }}` expressions (any case: Windows shells).
fn mentions(text: &str, var: &str) -> bool {
    let mut at = 0;
    let mut outside = String::new();
    for site in expr::find(text) {
        outside.push_str(text.get(at..site.range.start).unwrap_or(""));
        at = site.range.end;
    }
    outside.push_str(text.get(at..).unwrap_or(""));
    outside
        .to_ascii_lowercase()
        .contains(&var.to_ascii_lowercase())
}

/// Whether any scalar in `node` names `var` (outside expressions).
fn node_mentions(node: &Node<'_>, var: &str, depth: usize) -> bool {
    if depth > 16 {
        return true;
    }
    match &node.kind {
        Kind::Scalar(s, _) => mentions(s, var),
        Kind::Seq(items) => items.iter().any(|n| node_mentions(n, var, depth + 1)),
        Kind::Map(pairs) => pairs
            .iter()
            .any(|(k, v)| node_mentions(k, var, depth + 1) || node_mentions(v, var, depth + 1)),
    }
}

/// Whether a step may set `var` for itself or the steps after it: its script or an input
/// names it (`export NOXSESSION=...`, `echo NOXSESSION=... >> $GITHUB_ENV`).
fn step_mentions(step: &Step<'_>, var: &str) -> bool {
    step.run().is_some_and(|r| mentions(r.script.value, var))
        || step.with.iter().any(|(_, v)| node_mentions(v, var, 0))
}

/// Walks the steps as [`super::visit`] does, numbering them the same way.
fn walk<'a>(
    cx: &Cx<'_, 'a>,
    step: &'a Step<'a>,
    (file, index): (FileId, usize),
    callers: &[&'a Env<'a>],
    out: &mut Vec<Seen<'a>>,
) {
    if is_literally_false(step.if_cond) || out.len() >= MAX_STEPS {
        return;
    }
    out.push(Seen {
        index,
        file,
        step,
        callers: callers.to_vec(),
    });
    let Some(key) = step.action().and_then(local_action_key) else {
        return;
    };
    if callers.len() >= MAX_COMPOSITE_DEPTH {
        return;
    }
    let Some(composite) = cx.actions.iter().find(|a| a.key == key) else {
        return;
    };
    let mut inner = vec![&step.env];
    inner.extend(callers.iter().copied());
    for s in &composite.action.action_steps {
        walk(cx, s, (composite.file, index), &inner, out);
    }
}

/// Gives the invocations that name no session the sessions of the tool's session variable,
/// and judges their config file again with those sessions.
pub(crate) fn apply<'a>(
    cx: &Cx<'_, 'a>,
    file: FileId,
    steps: &'a [Step<'a>],
    facts: &mut JobFacts<'a>,
) {
    let vars: Vec<(usize, &str)> =
        cx.k.tools
            .iter()
            .enumerate()
            .filter_map(|(t, tool)| tool.session_env.as_deref().map(|v| (t, v)))
            .filter(|(t, _)| {
                facts
                    .tools
                    .get(*t)
                    .is_some_and(|invs| invs.iter().any(|i| i.sessions.is_none()))
            })
            .collect();
    if vars.is_empty() {
        return;
    }
    let mut seen = vec![];
    for step in steps {
        walk(cx, step, (file, step.index), &[], &mut seen);
    }
    for (t, var) in vars {
        let Some(tool) = cx.k.tools.get(t) else {
            continue;
        };
        // The job's container may set it.
        let container = cx.job.container.is_some_and(|c| node_mentions(c, var, 0));
        // The first step that may set it: from there on, it is unknown.
        let first_mention = seen.iter().position(|s| step_mentions(s.step, var));
        let Some(invs) = facts.tools.get_mut(t) else {
            continue;
        };
        for inv in invs.iter_mut().filter(|i| i.sessions.is_none()) {
            let lookup =
                |s: &Seen<'a>| match env_chain_at(cx.wf, cx.job, s.step, &s.callers).get(var) {
                    // Without a matrix, `${{ matrix.s }}` is empty: the variable is unset.
                    Lookup::Declared(v)
                        if cx.job.matrix.is_none()
                            && is_one_expression(v.value)
                            && matches!(read_value(v.value), FromEnv::Sessions(_)) =>
                    {
                        FromEnv::Unset
                    }
                    Lookup::Declared(v) => read_value(v.value),
                    Lookup::Undeclared => FromEnv::Unset,
                    Lookup::Dynamic => FromEnv::Unknown,
                };
            let from = if container || first_mention.is_some_and(|m| m <= inv.seq) {
                FromEnv::Unknown
            } else {
                match seen.get(inv.seq).filter(|s| s.index == inv.step) {
                    Some(s) => match lookup(s) {
                        // A run written in another file than its step (a script the step
                        // runs) sees the step's variable, unless that script sets it.
                        v if s.file != inv.at.file && v != FromEnv::Unset => FromEnv::Unknown,
                        v => v,
                    },
                    // The step is not found: unknown if any step may see the variable.
                    None if seen.iter().any(|s| lookup(s) != FromEnv::Unset) => FromEnv::Unknown,
                    None => FromEnv::Unset,
                }
            };
            let sessions = match from {
                FromEnv::Unset => continue,
                FromEnv::Sessions(s) => s,
                FromEnv::Unknown => vec![UNKNOWN.to_string()],
            };
            inv.sessions = Some(sessions);
            // The config file's say (reuse, whether environments are created) with the
            // sessions the variable selects.
            let mut args = inv.args.clone();
            args.sessions.clone_from(&inv.sessions);
            inv.creates_envs = args.creates_envs;
            inv.reuses = Answer::Unknown;
            if inv.creates_envs && !inv.runner_action {
                with_config(cx, tool, &args, inv);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        let s = |v: &[&str]| FromEnv::Sessions(v.iter().map(|x| x.to_string()).collect());
        assert_eq!(read_value("tests"), s(&["tests"]));
        assert_eq!(read_value("pep8,packaging"), s(&["pep8", "packaging"]));
        assert_eq!(read_value(" lint , docs "), s(&["lint", "docs"]));
        assert_eq!(read_value(""), FromEnv::Unset);
        assert_eq!(read_value(","), FromEnv::Unset);
        assert_eq!(
            read_value("${{ matrix.session }}"),
            s(&["${{ matrix.session }}"])
        );
        assert_eq!(
            read_value("${{ matrix.python.NOXSESSION }}"),
            s(&["${{ matrix.python.NOXSESSION }}"])
        );
        assert_eq!(
            read_value("tests-${{ matrix.python }}"),
            s(&["tests-${{ matrix.python }}"])
        );
        for unknown in [
            "${{ inputs.session }}",
            "${{ env.S }}",
            "${{ matrix.a || 'tests' }}",
            "${{ case(endsWith(matrix.id, 'x'), 'a', 'b') }}",
            "$SESSION",
            "`cat s`",
            "${{ matrix.s }}-$X",
        ] {
            assert_eq!(read_value(unknown), FromEnv::Unknown, "{unknown}");
        }
    }

    /// Whether `nox/key-missing-session` reports the two cells of `text`'s matrix.
    fn reported(env_and_steps: &str) -> bool {
        let text = format!(
            "on: push\n{env_and_steps}"
        )
        .replace(
            "CACHE\n",
            "      - uses: actions/cache@v4\n        with:\n          path: .nox\n          key: nox-${{ hashFiles('pyproject.toml') }}\n",
        );
        crate::rules::tool::test_support::lint_text(&text)
            .iter()
            .any(|d| d.rule == "nox/key-missing-session")
    }

    const JOB: &str = "jobs:\n  t:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        s: [lint, tests]\n";

    #[test]
    fn the_variable_as_the_step_sees_it() {
        // The workflow's, the job's, the step's.
        assert!(reported(&format!(
            "env:\n  NOXSESSION: ${{{{ matrix.s }}}}\n{JOB}    steps:\nCACHE\n      - run: nox -R\n"
        )));
        assert!(reported(&format!(
            "{JOB}    env:\n      NOXSESSION: ${{{{ matrix.s }}}}\n    steps:\nCACHE\n      - run: nox -R\n"
        )));
        assert!(reported(&format!(
            "{JOB}    steps:\nCACHE\n      - run: nox -R\n        env:\n          NOXSESSION: ${{{{ matrix.s }}}}\n"
        )));
        // The step's literal beats the job's per-cell value: one session.
        assert!(!reported(&format!(
            "{JOB}    env:\n      NOXSESSION: ${{{{ matrix.s }}}}\n    steps:\nCACHE\n      - run: nox -R\n        env:\n          NOXSESSION: tests\n"
        )));
        // Set on the command's own line: the scanner drops the assignment, so unknown.
        assert!(!reported(&format!(
            "{JOB}    env:\n      NOXSESSION: ${{{{ matrix.s }}}}\n    steps:\nCACHE\n      - run: NOXSESSION=tests nox -R\n"
        )));
        // A whole-block `env:` expression: unknown.
        assert!(!reported(&format!(
            "{JOB}    steps:\nCACHE\n      - run: nox -R\n        env: ${{{{ fromJSON(matrix.s) }}}}\n"
        )));
        // Set in a later step only: this run still sees the job's value.
        assert!(reported(&format!(
            "{JOB}    env:\n      NOXSESSION: ${{{{ matrix.s }}}}\n    steps:\nCACHE\n      - run: nox -R\n      - run: echo NOXSESSION=x >> $GITHUB_ENV\n"
        )));
    }

    #[test]
    fn a_matrix_value_in_a_job_without_a_matrix_is_empty() {
        // Two jobs, neither with a matrix: `NOXSESSION` is empty in both, nox runs the default
        // sessions in both (nothing to tell apart), and the suggested key has no matrix value.
        let text = "on: push\nenv:\n  NOXSESSION: ${{ matrix.session }}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: nox\n";
        let d = crate::rules::tool::test_support::lint_text(text);
        let help = d
            .iter()
            .find(|d| d.rule == "nox/cache-missing")
            .and_then(|d| d.help.clone())
            .unwrap_or_default();
        assert!(help.contains("${{ github.job }}-${{ hashFiles("), "{help}");
    }

    #[test]
    fn mentions_outside_expressions_only() {
        assert!(mentions("export NOXSESSION=lint", "NOXSESSION"));
        assert!(mentions("echo noxsession=x >> $GITHUB_ENV", "NOXSESSION"));
        assert!(!mentions(
            "nox -s ${{ matrix.python.NOXSESSION }}",
            "NOXSESSION"
        ));
        assert!(!mentions("nox", "NOXSESSION"));
    }
}
