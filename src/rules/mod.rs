//! Lint rules: one file per rule behind the [`Rule`] trait, and [`registry`], the one list of
//! rules with their ids, summaries, default severities and documentation.

pub mod nox;
pub mod registry;

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;
use crate::tools::{JobFacts, Knowledge};
use crate::workflow::{Job, Step, Workflow};

pub use registry::{RULES, RuleMeta, by_id};

/// What a rule sees of the file being linted.
pub struct Context<'a> {
    /// The file (its text, for spans and help texts).
    pub file: &'a SourceFile,
    /// Tool knowledge from `rules/*.yml`.
    pub knowledge: &'a Knowledge,
    /// The workflow AST.
    pub workflow: &'a Workflow<'a>,
}

/// A lint rule. Hooks run workflow first, then for each job the job hook and its steps' hooks.
/// Rules hold no state between files; what a job-level rule needs across steps is in
/// [`JobFacts`], computed once per job by the engine.
pub trait Rule: Sync {
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
}
