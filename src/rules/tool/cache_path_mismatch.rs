//! `<tool>/cache-path-mismatch`: a job has a cache step whose path is meant for the tool's
//! environments (`.nox`, or the value of an `--envdir`), but no cache step covers the envdir
//! the tool really uses (the working directory, `-f`, `--envdir` and the config file decide
//! it). Reported instead of `<tool>/cache-missing` for that job.

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::facts::{CacheStep, Invocation, JobFacts, PathLine};
use crate::rules::{Context, RuleMeta, ToolCx, ToolRule};
use crate::workflow::Job;
use crate::yaml::{Kind, Style};

use super::cache_missing::{reuse_advice, uncached};
use super::{mismatched, path_reported, show_dir};

/// The check's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "cache-path-mismatch",
    summary: "A cache step meant for {tool}'s environments caches a path {tool} does not use.",
    severity: Severity::Warning,
};

/// See the module docs.
pub struct CachePathMismatch;

impl ToolRule for CachePathMismatch {
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
        let Some((cache, line)) = mismatched(spec, facts, invocations, inv) else {
            return;
        };
        let dir = show_dir(inv.envdir.as_deref());
        let cached = show_dir(line.path.as_deref());
        let mut d = tool
            .diagnostic(
                if cache.via.is_empty() {
                    line.location.clone()
                } else {
                    path_reported(cache)
                },
                format!(
                    "job `{}` caches `{cached}`, but {name} creates its environments in `{dir}`{}",
                    job.id.value,
                    super::in_cell(inv)
                ),
            )
            .with_primary_label(format!("does not cover `{dir}`"))
            .with_via(cache.via.clone())
            .with_label(
                inv.reported(),
                if inv.in_action() {
                    format!("this action runs {name}, which creates environments in `{dir}`")
                } else if inv.in_script() {
                    format!("this script runs {name}, which creates environments in `{dir}`")
                } else {
                    format!("creates {name} environments in `{dir}`")
                },
            );
        if !cache.via.is_empty() {
            d = d.with_label(
                line.location.clone(),
                "the path, inside the composite action",
            );
        }
        if let Some(label) = inv.inside_label(name) {
            d = d.with_label(inv.at.clone(), label);
        }
        let what = if inv.cell.is_some() {
            format!(
                "cache every matrix cell's envdir (`{dir}` in this one): the `path:` can use the matrix value the `working-directory` uses"
            )
        } else {
            format!("cache `{dir}` instead (`path: {dir}`)")
        };
        let mut help = format!(
            "{what}: {name} puts its environments beside its config file (the step's `working-directory` and `-f` decide where that is) or in the envdir it is given, and a cache step's `path:` is relative to the workspace, never to a `working-directory`"
        );
        if let Some(advice) = reuse_advice(spec, inv) {
            help.push('\n');
            help.push_str(&advice);
        }
        if let Some(fix) = path_fix(cx, tool, job, facts, (cache, line), inv) {
            d = d.with_fix(fix);
        }
        out.push(d.with_help(help));
    }
}

/// The checks whose findings about a cache of the envdir the path fix brings along, with
/// their own fixes: a cache that covers the envdir is judged by them, one that misses it is
/// not (the key rules, and whether the runs reuse what it restores).
const BROUGHT_ALONG: [&str; 5] = [
    "cache-without-reuse",
    "key-missing-hash",
    "key-missing-python",
    "key-missing-os",
    "key-missing-session",
];

/// The fix: `path:` pointed at the envdir the run really uses (safe), when the path is one
/// literal line of an `actions/cache` step (restoring and saving) written in the linted file.
/// Once the path covers the envdir, the key rules and the reuse rule judge the step: what
/// they would then report comes along in the same fix (their own edits: the key's missing
/// part, `--reuse-venv=yes`, which makes the fix unsafe). No fix when one of them would have
/// none, when their edits touch, or when anything else would be reported anew.
fn path_fix(
    cx: &Context<'_>,
    tool: &ToolCx<'_>,
    job: &Job<'_>,
    facts: &JobFacts<'_>,
    (cache, line): (&CacheStep<'_>, &PathLine),
    inv: &Invocation,
) -> Option<Fix> {
    let envdir = inv.envdir.as_deref()?;
    // A directory from an input, a matrix or `env` value: writing it out would fix one value.
    if inv.derived_dir {
        return None;
    }
    if !(cache.via.is_empty() && cache.restores && cache.saves) || cache.lookup_only {
        return None;
    }
    let lines = cache.paths.as_deref()?;
    let path = cache.path?;
    let at = lines.iter().position(|l| std::ptr::eq(l, line))?;
    let line = &lines[at];
    if line.exclude || line.location.file != cx.file || path.value.contains("${{") {
        return None;
    }
    let value = show_dir(Some(envdir));
    if value.contains('$') {
        return None;
    }
    let (shared, in_flow) = crate::rules::edit::placement(cx.text, cx.workflow.root, path.node);
    if shared {
        return None;
    }
    let edit = if lines.len() == 1 {
        crate::rules::edit::replace_scalar(cx.text, cx.file, path.node, &value, in_flow)?
    } else {
        // One line of a literal block: the line's text as written, whole.
        let literal = matches!(path.node.kind, Kind::Scalar(_, Style::Literal));
        let written = cx.text.get(line.location.span.clone())?;
        let same = line
            .path
            .as_deref()
            .is_some_and(|p| crate::facts::invocation::cache_path(written).as_deref() == Some(p));
        if !literal || !same || written.trim() != written || written.starts_with('!') {
            return None;
        }
        Edit {
            location: line.location.clone(),
            content: value.clone(),
        }
    };
    // The job as it would be with the new path.
    let mut caches = facts.caches.clone();
    let i = facts.caches.iter().position(|c| std::ptr::eq(c, cache))?;
    if let Some(paths) = caches[i].paths.as_mut()
        && let Some(l) = paths.get_mut(at)
    {
        *l = PathLine {
            path: Some(envdir.to_string()),
            exclude: false,
            location: line.location.clone(),
        };
    }
    let fixed = JobFacts {
        tools: facts.tools.clone(),
        caches,
        checkouts: facts.checkouts.clone(),
        setups: facts.setups.clone(),
        matrix: Default::default(),
    };
    let findings = |facts: &JobFacts<'_>, check: &dyn ToolRule| {
        let mut out = vec![];
        check.check_job(cx, tool, job, facts, &mut out);
        check.check_jobs(cx, tool, &[(job, facts)], &mut out);
        out
    };
    let mut edits = vec![edit];
    let mut applicability = Applicability::Safe;
    // Every run's envdir is cached then (else this rule or `<tool>/cache-missing` still
    // reports the job; this rule is not run again on `fixed`: it would fix again).
    if uncached(&fixed, fixed.invocations(tool.index)).is_some() {
        return None;
    }
    for check in crate::rules::registry::TOOL_RULES {
        let id = check.meta().id;
        if id == META.id {
            continue;
        }
        let before = findings(facts, *check);
        let after = findings(&fixed, *check);
        let new = after.iter().filter(|d| {
            !before
                .iter()
                .any(|b| b.message == d.message && b.primary == d.primary)
        });
        for d in new {
            let f = d.fix.as_ref().filter(|_| BROUGHT_ALONG.contains(&id))?;
            if f.applicability == Applicability::DisplayOnly {
                return None;
            }
            if f.applicability == Applicability::Unsafe {
                applicability = Applicability::Unsafe;
            }
            for e in &f.edits {
                let r = &e.location.span;
                let clear = e.location.file == cx.file
                    && edits.iter().all(|x: &Edit| {
                        let t = &x.location.span;
                        r.end < t.start || t.end < r.start
                    });
                if !clear {
                    return None;
                }
                edits.push(e.clone());
            }
        }
    }
    Some(Fix {
        title: format!(
            "cache `{value}`, where {} puts its environments",
            tool.spec.name
        ),
        applicability,
        edits,
    })
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Diagnostic;
    use crate::rules::tool::strictly_below;
    use crate::rules::tool::test_support::lint;

    fn rules(d: &[Diagnostic]) -> Vec<&str> {
        d.iter()
            .map(|d| d.rule)
            .filter(|r| r.starts_with("nox/cache-"))
            .collect()
    }

    const CHECKOUT: &str = "      - uses: actions/checkout@v4\n";

    fn cache(path: &str) -> String {
        format!(
            "      - uses: actions/cache@v4\n        with:\n          path: {path}\n          key: k-${{{{ hashFiles('pyproject.toml') }}}}\n"
        )
    }

    #[test]
    fn below() {
        assert!(strictly_below(".nox/emscripten", ".nox"));
        assert!(!strictly_below(".nox", ".nox"));
        assert!(!strictly_below(".noxx/a", ".nox"));
        assert!(!strictly_below("a", ""));
    }

    #[test]
    fn mismatch_instead_of_missing() {
        let steps = format!(
            "{CHECKOUT}{}      - run: nox -r -s tests\n        working-directory: pkg\n",
            cache(".nox")
        );
        let d = lint("w.yml", "on: push\n", &steps);
        assert_eq!(rules(&d), ["nox/cache-path-mismatch"]);
        assert!(d[0].message.contains("`pkg/.nox`"), "{}", d[0].message);
        // The envdir option's value is meant for nox too.
        let steps = format!(
            "{CHECKOUT}{}      - run: nox -r -f sub/noxfile.py --envdir envs\n",
            cache("envs")
        );
        let d = lint("w.yml", "on: push\n", &steps);
        assert_eq!(rules(&d), ["nox/cache-path-mismatch"]);
        assert!(d[0].message.contains("`sub/envs`"), "{}", d[0].message);
    }

    #[test]
    fn not_a_mismatch() {
        // Covered, unknown, a folder inside the envdir, a cache for something else.
        for (path, cached) in [
            ("pkg/.nox", true),
            ("${{ steps.x.outputs.dir }}", true),
            ("pkg/.nox/emscripten", false),
            ("~/.cache/pip", false),
        ] {
            let steps = format!(
                "{CHECKOUT}{}      - run: nox -r -s tests\n        working-directory: pkg\n",
                cache(path)
            );
            let d = lint("w.yml", "on: push\n", &steps);
            let want: &[&str] = if cached { &[] } else { &["nox/cache-missing"] };
            assert_eq!(rules(&d), want, "{path}");
        }
        // A `.nox` that serves another run of the job.
        let steps = format!(
            "{CHECKOUT}{}      - run: nox -r -s tests\n      - run: nox -r -s docs\n        working-directory: docs\n",
            cache(".nox")
        );
        let d = lint("w.yml", "on: push\n", &steps);
        assert_eq!(rules(&d), ["nox/cache-missing"]);
    }
}
