//! `<tool>/cache-path-mismatch`: a job has a cache step whose path is meant for the tool's
//! environments (`.nox`, or the value of an `--envdir`), but no cache step covers the envdir
//! the tool really uses (the working directory, `-f`, `--envdir` and the config file decide
//! it). Reported instead of `<tool>/cache-missing` for that job.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::JobFacts;
use crate::rules::{Context, RuleMeta, ToolCx, ToolRule};
use crate::workflow::Job;

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
        _cx: &Context<'_>,
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
                    "job `{}` caches `{cached}`, but {name} creates its environments in `{dir}`",
                    job.id.value
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
        let mut help = format!(
            "cache `{dir}` instead (`path: {dir}`): {name} puts its environments beside its config file (the step's `working-directory` and `-f` decide where that is) or in the envdir it is given, and a cache step's `path:` is relative to the workspace, never to a `working-directory`"
        );
        if let Some(advice) = reuse_advice(spec, inv.reuse) {
            help.push('\n');
            help.push_str(&advice);
        }
        out.push(d.with_help(help));
    }
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
