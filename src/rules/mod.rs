//! Lint rules: one file per rule, and [`registry`], the one list of rules with their ids,
//! summaries, default severities and documentation.
//!
//! Two kinds of check: a [`Rule`] has one id (`syntax-error`, later `cache/deprecated-action`);
//! a [`ToolRule`] is written once, generic over a tool, and the registry makes one rule of it
//! for every tool in the knowledge (`nox/cache-missing`, and `tox/cache-missing` once
//! `rules/tools/tox.yml` exists). Rule code names no tool, file or flag: the tool data does.

pub mod cache;
pub mod edit;
pub mod invalid_workflow;
pub mod limit_exceeded;
pub mod registry;
pub mod suppression;
pub mod syntax_error;
pub mod tool;

pub use crate::diagnostic::RuleMeta;
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::JobFacts;
use crate::knowledge::{Knowledge, ToolSpec};
use crate::source::{FileId, Location, Span};
use crate::workflow::{Job, Step, Workflow};

pub use registry::{Registry, RuleInfo, RuleKind};

/// What a rule sees of the file being linted.
pub struct Context<'a> {
    /// The file.
    pub file: FileId,
    /// Its name as reports show it (a path, or `--stdin-filename`).
    pub name: &'a str,
    /// Its text.
    pub text: &'a str,
    /// Tool knowledge from `rules/*.yml`.
    pub knowledge: &'a Knowledge,
    /// The workflow AST.
    pub workflow: &'a Workflow<'a>,
    /// The `uses:` value help texts suggest for a cache step in this file, worked out once per
    /// file (it reads every step of the file; per finding that was quadratic in the jobs).
    pub(crate) suggested_uses: std::cell::OnceCell<String>,
}

impl Context<'_> {
    /// A location in the linted file.
    pub fn at(&self, span: Span) -> Location {
        Location::new(self.file, span)
    }
}

/// A lint rule with one id. Hooks run workflow first, then for each job the job hook and its
/// steps' hooks, then the file's hook with every job. Rules hold no state between files; what a
/// job-level rule needs across steps is in [`JobFacts`], computed once per job by the engine.
///
/// A composite action's `action.yml` is linted too, as one job (see
/// [`crate::facts::action_job`]: no id, no matrix) whose steps are its `runs.steps`; rules tell
/// it by `cx.workflow.kind` ([`crate::workflow::FileKind::Action`]). What a rule can decide
/// from an action's own text it reports there, once; what depends on the caller (the job's
/// other steps, its matrix) it reports at each workflow's `uses:` instead.
pub trait Rule: Sync {
    /// Its metadata.
    fn meta(&self) -> &'static RuleMeta;
    /// Runs once per workflow.
    fn check_workflow(&self, _cx: &Context<'_>, _out: &mut Vec<Diagnostic>) {}
    /// Runs once per job (jobs whose `if:` is literally false get empty facts).
    fn check_job(
        &self,
        _cx: &Context<'_>,
        _job: &Job<'_>,
        _facts: &JobFacts<'_>,
        _out: &mut Vec<Diagnostic>,
    ) {
    }
    /// Runs once per step.
    fn check_step(
        &self,
        _cx: &Context<'_>,
        _job: &Job<'_>,
        _step: &Step<'_>,
        _out: &mut Vec<Diagnostic>,
    ) {
    }
    /// Runs once per file, after the other hooks, with every job and its facts (what a rule
    /// needs across the jobs of one run).
    fn check_jobs(
        &self,
        _cx: &Context<'_>,
        _jobs: &[(&Job<'_>, JobFacts<'_>)],
        _out: &mut Vec<Diagnostic>,
    ) {
    }
}

/// The tool a [`ToolRule`] runs for, and the rule id it reports under.
pub struct ToolCx<'a> {
    /// The rule id (`nox/cache-missing`).
    pub id: &'static str,
    /// The rule's default severity.
    pub severity: Severity,
    /// The tool's index in [`Knowledge::tools`] (and in [`JobFacts::tools`]).
    pub index: usize,
    /// The tool.
    pub spec: &'a ToolSpec,
}

impl ToolCx<'_> {
    /// A diagnostic of this rule.
    pub fn diagnostic(&self, primary: Location, message: impl Into<String>) -> Diagnostic {
        Diagnostic::with_id(self.id, self.severity, primary, message)
    }
}

/// A check written once for every tool.
pub trait ToolRule: Sync {
    /// Its metadata: `id` is the check name, the rule id is `<tool>/<check>`.
    fn meta(&self) -> &'static RuleMeta;
    /// Runs once per job, for one tool.
    fn check_job(
        &self,
        cx: &Context<'_>,
        tool: &ToolCx<'_>,
        job: &Job<'_>,
        facts: &JobFacts<'_>,
        out: &mut Vec<Diagnostic>,
    );
    /// Runs once per file, after every job's [`ToolRule::check_job`], with the jobs the tool
    /// rules judge (not release jobs) and their facts.
    fn check_jobs(
        &self,
        _cx: &Context<'_>,
        _tool: &ToolCx<'_>,
        _jobs: &[(&Job<'_>, &JobFacts<'_>)],
        _out: &mut Vec<Diagnostic>,
    ) {
    }
}
