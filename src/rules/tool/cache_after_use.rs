//! `<tool>/cache-after-use`: the first cache step that restores the tool's envdir comes after
//! the job's first run of the tool that creates environments.

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::facts::{Answer, CacheStep, Invocation, JobFacts, runs_before};
use crate::rules::edit::step_lines;
use crate::rules::{Context, RuleMeta, ToolCx, ToolRule};
use crate::source::Location;
use crate::workflow::{Job, Step, StepKind};

use super::{cache_covers, first_creating, show_dir};

/// The check's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "cache-after-use",
    summary: "The cache step for {tool}'s environments comes after {tool} has run.",
    severity: Severity::Error,
};

/// See the module docs.
pub struct CacheAfterUse;

impl ToolRule for CacheAfterUse {
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
        let name = &tool.spec.name;
        let Some(inv) = first_creating(facts.invocations(tool.index)) else {
            return;
        };
        let Some(envdir) = inv.envdir.as_deref() else {
            return;
        };
        let Some(cache) = facts
            .caches
            .iter()
            .filter(|c| c.restores)
            .find(|c| cache_covers(c, Some(envdir)) == Answer::Yes)
        else {
            return;
        };
        // A cache step in the same `parallel:` group as the tool does not run before it either.
        if runs_before(cache.when(), inv.when()) {
            return;
        }
        let dir = show_dir(Some(envdir));
        let mut d = tool
            .diagnostic(
                cache.reported(),
                format!(
                    "the cache for `{dir}` is restored after {name} has already created its environments in job `{}`",
                    job.id.value
                ),
            )
            .with_primary_label("restores the cache too late")
            .with_via(cache.via.clone());
        if !cache.via.is_empty() {
            d = d.with_label(
                cache.at.clone(),
                "the cache step, inside the composite action",
            );
        }
        d = d.with_label(
            inv.reported(),
            if inv.in_action() {
                format!("this action runs {name}, which creates its environments first")
            } else if inv.in_script() {
                format!("this script runs {name}, which creates its environments first")
            } else {
                format!("{name} creates its environments here first")
            },
        );
        if let Some(label) = inv.inside_label(name) {
            d = d.with_label(inv.at.clone(), label);
        }
        if let Some(fix) = move_step(cx, job, facts, cache, inv) {
            d = d.with_fix(fix);
        }
        out.push(d.with_help(format!(
            "move this cache step before the first step that runs {name}"
        )));
    }
}

/// The fix (unsafe: it moves a step): the cache step's text, whole (its comments and the
/// comment lines right above it included), moved to right before the step of the first run
/// (above that step's own comment lines). `None` unless both are block-style steps of the
/// linted file in one sequence, outside `parallel:` groups, and the steps it would jump over
/// give it nothing it reads: no checkout (its hashes and path need the files), no step whose
/// outputs it reads (`steps.<id>`), and none that may set an environment variable it reads
/// (an action, or a script writing `$GITHUB_ENV`).
fn move_step(
    cx: &Context<'_>,
    job: &Job<'_>,
    facts: &JobFacts<'_>,
    cache: &CacheStep<'_>,
    inv: &Invocation,
) -> Option<Fix> {
    if !cache.via.is_empty()
        || cache.at.file != cx.file
        || !inv.via.is_empty()
        || inv.runner_action
        || inv.at.file != cx.file
    {
        return None;
    }
    let steps = job.steps();
    let alone = |s: &Step<'_>| steps.iter().filter(|o| o.order == s.order).count() == 1;
    let target = steps
        .iter()
        .find(|s| s.index == inv.step)
        .filter(|s| alone(s))?;
    let moved = steps
        .iter()
        .find(|s| s.index == cache.step)
        .filter(|s| alone(s))?;
    if target.order >= moved.order {
        return None;
    }
    let text = cx.text;
    let from = step_lines(text, moved.node)?;
    let to = step_lines(text, target.node)?;
    if from.dash != to.dash || from.gap != to.gap || to.end > from.start {
        return None;
    }
    let body = &text[from.start..from.end];
    let jumped = steps
        .iter()
        .filter(|s| s.order >= target.order && s.order < moved.order);
    if facts
        .checkouts
        .iter()
        .any(|c| c.order >= target.order && c.order < moved.order)
    {
        return None;
    }
    let reads_env = body.contains("env.");
    for s in jumped {
        if s.id
            .as_ref()
            .is_some_and(|id| body.contains(&format!("steps.{}.", id.value)))
        {
            return None;
        }
        let sets_env = match &s.kind {
            StepKind::Uses { .. } => true,
            StepKind::Run(r) => r.script.value.contains("GITHUB_ENV"),
            StepKind::Invalid => true,
        };
        if reads_env && sets_env {
            return None;
        }
    }
    let mut content = body.to_string();
    if !content.ends_with('\n') {
        content.push_str(from.eol);
    }
    // A last step without a line ending: the line before it keeps its own.
    let cut = if from.end == text.len() && !body.ends_with('\n') {
        let trimmed = text[..from.start].trim_end_matches(['\n', '\r']).len();
        trimmed.max(to.start + 1)..from.end
    } else {
        from.start..from.end
    };
    Some(Fix {
        title: "move the cache step before the first run".into(),
        applicability: Applicability::Unsafe,
        edits: vec![
            Edit::insert(cx.file, to.start, content),
            Edit {
                location: Location::new(cx.file, cut),
                content: String::new(),
            },
        ],
    })
}
