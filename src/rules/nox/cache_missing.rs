//! `nox/cache-missing`: a job runs nox in a way that creates environments, and no cache step
//! of that job restores a path covering the envdir.

use crate::diagnostic::Diagnostic;
use crate::rules::{Context, Rule};
use crate::tools::invocation::Reuse;
use crate::tools::{Answer, JobFacts};
use crate::workflow::{ActionRef, Job};

use super::{restored, show_dir};

/// The rule id.
pub const ID: &str = "nox/cache-missing";

/// See the module docs.
pub struct CacheMissing;

impl Rule for CacheMissing {
    fn check_job(
        &self,
        _cx: &Context<'_>,
        job: &Job<'_>,
        facts: &JobFacts<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let Some(inv) = facts
            .invocations
            .iter()
            .filter(|i| i.creates_envs)
            .find(|i| restored(facts, i.envdir.as_deref()) == Answer::No)
        else {
            return;
        };
        let dir = show_dir(inv.envdir.as_deref());
        let path = inv
            .envdir
            .as_deref()
            .map_or(".nox".to_string(), |_| dir.clone());
        let pyproject = match inv.project_dir.as_deref() {
            Some(d) if !d.is_empty() => format!("{d}/pyproject.toml"),
            _ => "pyproject.toml".to_string(),
        };
        let python = python_version_expr(job);
        let key = format!(
            "nox-${{{{ runner.os }}}}-{python}${{{{ hashFiles('{pyproject}', 'noxfile.py') }}}}"
        );
        let mut help = format!(
            "add a cache step before the first nox run:\n  - uses: actions/cache@v4\n    with:\n      path: {path}\n      key: {key}"
        );
        match inv.reuse {
            Reuse::On => {}
            Reuse::Default => help.push_str(
                "\nand run nox with `--reuse-venv=yes` (or `-r`): without it nox recreates every environment",
            ),
            Reuse::Off => help.push_str(
                "\nand replace `-N`/`--reuse-venv=no` with `--reuse-venv=yes`: with reuse off nox recreates every environment",
            ),
        }
        out.push(
            Diagnostic::new(
                ID,
                inv.span.clone(),
                format!(
                    "job `{}` runs nox but does not cache its environments in `{dir}`",
                    job.id.value
                ),
            )
            .with_primary_label(if inv.in_action {
                format!("this action runs nox, which creates environments in `{dir}`")
            } else {
                format!("creates nox environments in `{dir}`")
            })
            .with_label(job.id.span(), "in this job")
            .with_help(help),
        );
    }
}

/// `${{ steps.<id>.outputs.python-version }}-` when the job has a setup-python step with an id,
/// `${{ env.pythonLocation }}-` when it has one without, else nothing.
fn python_version_expr(job: &Job<'_>) -> String {
    let setup = job.steps().iter().find(|s| {
        matches!(s.action(), Some(a @ ActionRef::Remote { .. }) if a.name().as_deref() == Some("actions/setup-python"))
    });
    match setup {
        Some(s) => match s.id {
            Some(id) => format!("${{{{ steps.{}.outputs.python-version }}}}-", id.value),
            None => "${{ env.pythonLocation }}-".to_string(),
        },
        None => String::new(),
    }
}
