//! `<tool>/cache-missing`: a job runs the tool in a way that creates environments, and no cache
//! step of that job restores a path covering the envdir.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::{Answer, JobFacts, Reuse};
use crate::knowledge::{Knowledge, ToolSpec};
use crate::rules::{Context, RuleMeta, ToolCx, ToolRule};
use crate::workflow::{ActionRef, Job};

use super::{dependency_files, in_project, restored, show_dir};

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
        let Some(inv) = facts
            .invocations(tool.index)
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
            .map_or(spec.envdir.default.clone(), |_| dir.clone());
        let project = inv.project_dir.as_deref().unwrap_or("");
        let mut hashed = dependency_files(spec, project);
        hashed.push(in_project(project, spec.config_file()));
        let hashed: Vec<String> = hashed.iter().map(|f| format!("'{f}'")).collect();
        let version = version_expr(cx.knowledge, spec, job);
        let key = format!(
            "{name}-${{{{ runner.os }}}}-{version}${{{{ hashFiles({}) }}}}",
            hashed.join(", ")
        );
        let mut help = format!(
            "add a cache step before the first {name} run:\n  - uses: {}\n    with:\n      path: {path}\n      key: {key}",
            cx.knowledge.suggested_cache_action()
        );
        if let Some(advice) = reuse_advice(spec, inv.reuse) {
            help.push('\n');
            help.push_str(&advice);
        }
        let mut d = tool
            .diagnostic(
                inv.reported(),
                format!(
                    "job `{}` runs {name} but does not cache its environments in `{dir}`",
                    job.id.value
                ),
            )
            .with_primary_label(if inv.in_action() {
                format!("this action runs {name}, which creates environments in `{dir}`")
            } else {
                format!("creates {name} environments in `{dir}`")
            })
            .with_via(inv.via.clone())
            .with_label(cx.at(job.id.span()), "in this job");
        if !inv.via.is_empty() {
            d = d.with_label(
                inv.at.clone(),
                format!("{name} runs here, inside the composite action"),
            );
        }
        out.push(d.with_help(help));
    }
}

/// What to add so the cache is used: for a tool that recreates its environments by default,
/// the option that turns reuse on.
fn reuse_advice(spec: &ToolSpec, reuse: Reuse) -> Option<String> {
    if spec.reuse.default {
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
/// with an id, `${{ env.<version_env> }}-` when it has one without, else nothing.
fn version_expr(k: &Knowledge, spec: &ToolSpec, job: &Job<'_>) -> String {
    let Some(runtime) = spec.runtime.as_deref() else {
        return String::new();
    };
    let setup = job.steps().iter().find_map(|s| match s.action() {
        Some(a @ ActionRef::Remote { .. }) => {
            let name = a.name()?;
            k.setup_action(&name, runtime).map(|sa| (s, sa))
        }
        _ => None,
    });
    match setup {
        Some((s, sa)) => match (s.id, &sa.version_env) {
            (Some(id), _) => format!(
                "${{{{ steps.{}.outputs.{} }}}}-",
                id.value, sa.version_output
            ),
            (None, Some(env)) => format!("${{{{ env.{env} }}}}-"),
            (None, None) => String::new(),
        },
        None => String::new(),
    }
}
