//! `<tool>/key-missing-os`: the job's matrix runs it on runners of different operating systems
//! (or of one OS and different architectures), and the key the job saves the tool's envdir
//! under is the same on two of them: environments hold native binaries and absolute paths.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::JobFacts;
use crate::facts::matrix::{self, Cell, Scope};
use crate::rules::{Context, RuleMeta, ToolCx, ToolRule};
use crate::workflow::Job;

use super::key_missing_python::{conflict, names_runtime, runtime_setups};
use super::{covered, default_envdir, envdir_targets, saved_keys, show_dir};

/// The check's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "key-missing-os",
    summary: "The cache key for {tool}'s environments does not tell the matrix's runners apart.",
    severity: Severity::Error,
};

/// See the module docs.
pub struct KeyMissingOs;

impl ToolRule for KeyMissingOs {
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
        let drivers = matrix::runs_on_names(job);
        if drivers.is_empty() {
            return;
        }
        let matrix = facts.matrix(job);
        let Some(cells) = matrix.cells.as_deref() else {
            return;
        };
        let runners: Vec<_> = cells
            .iter()
            .map(|c| matrix::runner(cx.knowledge, job, c))
            .collect();
        let index = |cell: &Cell| cells.iter().position(|c| std::ptr::eq(c, cell));
        let runner_of = |cell: &Cell| {
            index(cell)
                .and_then(|i| runners.get(i).copied())
                .unwrap_or((None, None))
        };
        let spec = tool.spec;
        let default = default_envdir(spec);
        let targets = envdir_targets(spec, facts, tool.index, &default);
        let setups = runtime_setups(spec, facts);
        let driver = drivers.first().cloned().unwrap_or_default();
        for saved in saved_keys(facts) {
            let Some((envdir, _)) = covered(saved.cache, &targets) else {
                continue;
            };
            let key = saved.key.value;
            if names_runtime(cx.knowledge, spec, &setups, key, saved.env, false) {
                continue;
            }
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
            let label = |cell: &Cell| cell.get(&driver).flatten().unwrap_or("").to_string();
            let os = |cell: &Cell| runner_of(cell).0.map(str::to_string);
            let os_arch = |cell: &Cell| {
                let (o, a) = runner_of(cell);
                Some(format!("{}\u{1}{}", o?, a?))
            };
            let (found, what, context) = match conflict(cells, fp, os) {
                Some(c) => (Some(c), "operating systems", "runner.os"),
                None => (conflict(cells, fp, os_arch), "architectures", "runner.arch"),
            };
            let Some((a, b, _, _)) = found else { continue };
            let mut d = super::label_action_key(
                tool.diagnostic(
                    saved.cache.key_reported(),
                    format!(
                        "the cache key for `{}` is the same on `{}` and `{}`: runners of different {what} restore each other's {} environments",
                        show_dir(envdir),
                        label(a),
                        label(b),
                        spec.name
                    ),
                )
                .with_primary_label(format!("no `{context}` or `matrix.{driver}` in this key"))
                .with_via(saved.cache.via.clone())
                .with_help(format!(
                    "add `${{{{ {context} }}}}` to the key (environments hold native binaries and absolute paths)"
                ))
                , saved.cache,
            );
            // The fix: the help's part, after the key's leading literal and in each restore key
            // that was a prefix of the key (a fallback must not cross to another runner's).
            if let Some(fix) =
                super::key_part_fix(cx, facts, &saved, &format!("${{{{ {context} }}}}"))
            {
                d = d.with_fix(fix);
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Applicability;
    use crate::rules::tool::test_support::fix_of;

    const RULE: &str = "nox/key-missing-os";

    fn job(key: &str, restore: &str) -> String {
        format!(
            "on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        os: [ubuntu-latest, windows-latest]\n    runs-on: ${{{{ matrix.os }}}}\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/cache@v4\n        with:\n          path: .nox\n          key: {key}\n{restore}      - run: nox -R -s tests\n"
        )
    }

    #[test]
    fn the_os_goes_after_the_literal_and_into_the_restore_keys() {
        let text = job(
            "nox-${{ hashFiles('noxfile.py') }}",
            "          restore-keys: |\n            nox-\n            other-\n",
        );
        let (a, fixed) = fix_of(&text, RULE).expect("a fix");
        assert_eq!(a, Applicability::Safe);
        assert!(
            fixed.contains("key: nox-${{ runner.os }}-${{ hashFiles('noxfile.py') }}\n"),
            "{fixed}"
        );
        assert!(
            fixed.contains("            nox-${{ runner.os }}-\n            other-\n"),
            "{fixed}"
        );
        // Single quotes stay valid.
        let text = job("'nox-${{ hashFiles(''noxfile.py'') }}'", "");
        let (_, fixed) = fix_of(&text, RULE).expect("a fix");
        assert!(
            fixed.contains("key: 'nox-${{ runner.os }}-${{ hashFiles(''noxfile.py'') }}'"),
            "{fixed}"
        );
    }

    #[test]
    fn no_fix_for_a_key_that_is_one_expression_or_through_an_alias() {
        let text = job("${{ format('nox-{0}', hashFiles('noxfile.py')) }}", "");
        assert_eq!(fix_of(&text, RULE), None);
        // The key is an anchor's that another step uses: shown, not applied.
        let text = job("&k nox-${{ hashFiles('noxfile.py') }}", "")
            + "  u:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/cache@v4\n        with:\n          path: ~/.cache/pip\n          key: *k\n";
        let (a, fixed) = fix_of(&text, RULE).expect("a display-only fix");
        assert_eq!(a, Applicability::DisplayOnly);
        assert!(fixed.contains("key: &k nox-${{ runner.os }}-"), "{fixed}");
    }
}
