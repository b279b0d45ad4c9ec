//! The workflow AST: `Workflow` / `Job` / `Step`, built by an error-tolerant walk over the YAML
//! node tree. Wrong shapes become [`Problem`]s; the walk goes on with what it can use.
//!
//! Nothing here copies text: values borrow the YAML tree, spans are byte ranges in the file.

mod action_ref;

pub use action_ref::{ActionRef, RefKind};

use crate::source::Span;
use crate::yaml::{Kind, Node};

/// A decoded string value and the span of the node it came from.
#[derive(Clone, Copy, Debug)]
pub struct Str<'a> {
    /// The decoded value.
    pub value: &'a str,
    /// The value node.
    pub node: &'a Node<'a>,
}

impl<'a> Str<'a> {
    /// The value's span (the alias site when the value came through an alias).
    pub fn span(&self) -> Span {
        self.node.report_span()
    }
}

/// A problem with the workflow's shape (valid YAML, not a valid workflow).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where.
    pub span: Span,
    /// What is wrong.
    pub message: String,
}

/// What the file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A workflow (`jobs:`).
    Workflow,
    /// An action's metadata (`runs:`), e.g. a composite action's `action.yml`.
    Action,
    /// Neither (empty, or an unrecognised mapping).
    Unknown,
}

/// A `defaults: run:` block.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunDefaults<'a> {
    /// `shell:`
    pub shell: Option<Str<'a>>,
    /// `working-directory:`
    pub working_directory: Option<Str<'a>>,
}

/// An `env:` block.
#[derive(Clone, Debug, Default)]
pub struct Env<'a> {
    /// The variables, in order; values are the raw nodes (usually scalars).
    pub vars: Vec<(Str<'a>, &'a Node<'a>)>,
    /// `env: ${{ ... }}` (a whole-block expression): the variables are unknown.
    pub dynamic: bool,
}

impl<'a> Env<'a> {
    /// The value of a variable, if it is declared with a scalar value.
    pub fn get(&self, name: &str) -> Option<Str<'a>> {
        self.vars
            .iter()
            .rev()
            .find(|(k, _)| k.value == name)
            .and_then(|(_, v)| v.as_str().map(|value| Str { value, node: v }))
    }
}

/// The parsed workflow.
#[derive(Debug)]
pub struct Workflow<'a> {
    /// What the file is.
    pub kind: FileKind,
    /// `name:`
    pub name: Option<Str<'a>>,
    /// Workflow-level `env:`.
    pub env: Env<'a>,
    /// Workflow-level `defaults: run:`.
    pub defaults: RunDefaults<'a>,
    /// The jobs, in source order.
    pub jobs: Vec<Job<'a>>,
    /// For a composite action (`runs: using: composite`): its steps.
    pub action_steps: Vec<Step<'a>>,
    /// The root node (for rules that need more than the AST models).
    pub root: Option<&'a Node<'a>>,
}

/// A job.
#[derive(Debug)]
pub struct Job<'a> {
    /// The job id (the key under `jobs:`).
    pub id: Str<'a>,
    /// `name:`
    pub name: Option<Str<'a>>,
    /// `if:`
    pub if_cond: Option<&'a Node<'a>>,
    /// `runs-on:` (a string, a list, a mapping or an expression).
    pub runs_on: Option<&'a Node<'a>>,
    /// `strategy: matrix:`
    pub matrix: Option<&'a Node<'a>>,
    /// `defaults: run:`
    pub defaults: RunDefaults<'a>,
    /// `env:`
    pub env: Env<'a>,
    /// `container:`
    pub container: Option<&'a Node<'a>>,
    /// Steps, or the called reusable workflow.
    pub body: JobBody<'a>,
    /// The job's mapping node.
    pub node: &'a Node<'a>,
}

/// A normal job has steps; a job with `uses:` calls a reusable workflow.
#[derive(Debug)]
pub enum JobBody<'a> {
    /// `steps:`
    Steps(Vec<Step<'a>>),
    /// `uses: ./.github/workflows/x.yml` (or `owner/repo/path@ref`).
    Call {
        /// The `uses:` value.
        uses: Str<'a>,
        /// The parsed reference.
        action: ActionRef<'a>,
        /// `with:` inputs.
        with: Vec<(Str<'a>, &'a Node<'a>)>,
    },
}

impl<'a> Job<'a> {
    /// The job's steps (none for a reusable-workflow call).
    pub fn steps(&self) -> &[Step<'a>] {
        match &self.body {
            JobBody::Steps(steps) => steps,
            JobBody::Call { .. } => &[],
        }
    }
}

/// What a step does.
#[derive(Debug)]
pub enum StepKind<'a> {
    /// `uses:`
    Uses {
        /// The `uses:` value.
        uses: Str<'a>,
        /// The parsed reference.
        action: ActionRef<'a>,
    },
    /// `run:`
    Run(Run<'a>),
    /// Neither (or a wrong type): already reported.
    Invalid,
}

/// A `run:` step's script and the shell that runs it.
#[derive(Debug)]
pub struct Run<'a> {
    /// The script node (a scalar).
    pub script: Str<'a>,
    /// The effective shell: the step's `shell:`, else the job's, else the workflow's defaults.
    pub shell: Option<Str<'a>>,
    /// The effective working directory: the step's, else the job's, else the workflow's defaults.
    pub working_directory: Option<Str<'a>>,
}

/// A step.
#[derive(Debug)]
pub struct Step<'a> {
    /// Position in the job's steps (0-based), members of `parallel:` groups included.
    pub index: usize,
    /// When the step runs, relative to the others: steps of one `parallel:` group share it.
    pub order: usize,
    /// `background: true`: the step runs beside the steps after it.
    pub background: bool,
    /// `id:`
    pub id: Option<Str<'a>>,
    /// `name:`
    pub name: Option<Str<'a>>,
    /// `if:`
    pub if_cond: Option<&'a Node<'a>>,
    /// `uses:` or `run:`
    pub kind: StepKind<'a>,
    /// `with:` inputs, in order.
    pub with: Vec<(Str<'a>, &'a Node<'a>)>,
    /// `env:`
    pub env: Env<'a>,
    /// The step's mapping node.
    pub node: &'a Node<'a>,
}

impl<'a> Step<'a> {
    /// The value of a `with:` input given as a scalar.
    pub fn input(&self, name: &str) -> Option<Str<'a>> {
        self.with
            .iter()
            .rev()
            .find(|(k, _)| k.value == name)
            .and_then(|(_, v)| v.as_str().map(|value| Str { value, node: v }))
    }

    /// The parsed action reference of a `uses:` step.
    pub fn action(&self) -> Option<&ActionRef<'a>> {
        match &self.kind {
            StepKind::Uses { action, .. } => Some(action),
            _ => None,
        }
    }

    /// The `run:` of a run step.
    pub fn run(&self) -> Option<&Run<'a>> {
        match &self.kind {
            StepKind::Run(run) => Some(run),
            _ => None,
        }
    }

    /// Where to point for the step as a whole: its alias site, else its first key.
    pub fn span(&self) -> Span {
        match (&self.node.alias, self.node.as_map().and_then(|m| m.first())) {
            (Some(site), _) => site.clone(),
            (None, Some((k, _))) => k.span.clone(),
            (None, None) => self.node.span.clone(),
        }
    }
}

impl FileKind {
    /// What a file's name says it is: `Some(Action)` for an `action.yml`/`action.yaml` outside
    /// a workflows folder (a local action's metadata), `None` when only the content can tell.
    /// A relative name is resolved against the current directory, so `action.yml` linted from
    /// inside `.github/workflows` is still that folder's workflow.
    pub fn from_name(name: &str) -> Option<FileKind> {
        let path = std::path::Path::new(name);
        if !crate::source::is_action_path(path) {
            return None;
        }
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        crate::source::is_action_path(&abs).then_some(FileKind::Action)
    }
}

/// Builds the workflow AST from a YAML root. Never fails; shape problems are returned.
pub fn build<'a>(root: Option<&'a Node<'a>>) -> (Workflow<'a>, Vec<Problem>) {
    build_as(root, None)
}

/// Like [`build`], but a `hint` (from [`FileKind::from_name`]) decides the kind instead of
/// the content: an `action.yml` is read as an action even if it has a `jobs:` key.
pub fn build_as<'a>(
    root: Option<&'a Node<'a>>,
    hint: Option<FileKind>,
) -> (Workflow<'a>, Vec<Problem>) {
    let mut w = Walker { problems: vec![] };
    let mut wf = w.workflow(root, hint);
    apply_workflow_defaults(&mut wf);
    (wf, w.problems)
}

struct Walker {
    problems: Vec<Problem>,
}

fn is_expression(node: &Node<'_>) -> bool {
    node.as_str()
        .is_some_and(|s| s.trim_start().starts_with("${{"))
}

impl Walker {
    fn problem(&mut self, node: &Node<'_>, message: String) {
        self.problems.push(Problem {
            span: node.report_span(),
            message,
        });
    }

    fn expect_map<'a>(
        &mut self,
        node: &'a Node<'a>,
        what: &str,
    ) -> Option<&'a [(Node<'a>, Node<'a>)]> {
        match &node.kind {
            Kind::Map(entries) => Some(entries),
            _ if node.is_null() => None,
            _ if is_expression(node) => None,
            _ => {
                self.problem(
                    node,
                    format!("{what} must be a mapping, not {}", node.type_name()),
                );
                None
            }
        }
    }

    fn str<'a>(&mut self, node: &'a Node<'a>, what: &str) -> Option<Str<'a>> {
        match &node.kind {
            Kind::Scalar(value, _) if !node.is_null() => Some(Str { value, node }),
            Kind::Scalar(..) => None,
            _ => {
                self.problem(
                    node,
                    format!("{what} must be a string, not {}", node.type_name()),
                );
                None
            }
        }
    }

    fn key<'a>(&mut self, key: &'a Node<'a>) -> Option<Str<'a>> {
        key.as_str().map(|value| Str { value, node: key })
    }

    fn workflow<'a>(&mut self, root: Option<&'a Node<'a>>, hint: Option<FileKind>) -> Workflow<'a> {
        let mut wf = Workflow {
            kind: FileKind::Unknown,
            name: None,
            env: Env::default(),
            defaults: RunDefaults::default(),
            jobs: vec![],
            action_steps: vec![],
            root,
        };
        let Some(root) = root else { return wf };
        let Some(entries) = self.expect_map(root, "a workflow") else {
            return wf;
        };
        if let Some(kind) = hint {
            wf.kind = kind;
        } else if root.get("jobs").is_some() {
            wf.kind = FileKind::Workflow;
        } else if root.get("runs").is_some() {
            wf.kind = FileKind::Action;
        }
        for (k, v) in entries {
            match k.as_str() {
                Some("name") => wf.name = self.str(v, "`name`"),
                Some("env") => wf.env = self.env(v),
                Some("defaults") => wf.defaults = self.defaults(v),
                Some("runs") if wf.kind == FileKind::Action => {
                    if self.expect_map(v, "`runs`").is_some()
                        && v.get("using").and_then(|u| u.as_str()) == Some("composite")
                        && let Some(steps) = v.get("steps")
                    {
                        wf.action_steps = self.steps(steps, &RunDefaults::default());
                    }
                }
                Some("jobs") if wf.kind == FileKind::Workflow => {
                    if let Some(jobs) = self.expect_map(v, "`jobs`") {
                        for (id, job) in jobs {
                            if let Some(id) = self.key(id)
                                && let Some(job) = self.job(id, job)
                            {
                                wf.jobs.push(job);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        wf
    }

    fn env<'a>(&mut self, node: &'a Node<'a>) -> Env<'a> {
        let mut env = Env {
            vars: vec![],
            dynamic: is_expression(node),
        };
        if let Some(entries) = self.expect_map(node, "`env`") {
            for (k, v) in entries {
                if let Some(k) = self.key(k) {
                    env.vars.push((k, v));
                }
            }
        }
        env
    }

    fn defaults<'a>(&mut self, node: &'a Node<'a>) -> RunDefaults<'a> {
        let mut d = RunDefaults::default();
        if self.expect_map(node, "`defaults`").is_some()
            && let Some(run) = node.get("run")
            && let Some(entries) = self.expect_map(run, "`defaults.run`")
        {
            for (k, v) in entries {
                match k.as_str() {
                    Some("shell") => d.shell = self.str(v, "`shell`"),
                    Some("working-directory") => {
                        d.working_directory = self.str(v, "`working-directory`")
                    }
                    _ => {}
                }
            }
        }
        d
    }

    fn inputs<'a>(&mut self, node: &'a Node<'a>) -> Vec<(Str<'a>, &'a Node<'a>)> {
        let mut out = vec![];
        if let Some(entries) = self.expect_map(node, "`with`") {
            for (k, v) in entries {
                if let Some(k) = self.key(k) {
                    out.push((k, v));
                }
            }
        }
        out
    }

    fn job<'a>(&mut self, id: Str<'a>, node: &'a Node<'a>) -> Option<Job<'a>> {
        let entries = self.expect_map(node, &format!("job `{}`", id.value))?;
        let mut job = Job {
            id,
            name: None,
            if_cond: None,
            runs_on: None,
            matrix: None,
            defaults: RunDefaults::default(),
            env: Env::default(),
            container: None,
            body: JobBody::Steps(vec![]),
            node,
        };
        let mut steps_node = None;
        let mut uses = None;
        let mut with = vec![];
        for (k, v) in entries {
            match k.as_str() {
                Some("name") => job.name = v.as_str().map(|value| Str { value, node: v }),
                Some("if") => job.if_cond = Some(v),
                Some("runs-on") => job.runs_on = Some(v),
                Some("strategy") if self.expect_map(v, "`strategy`").is_some() => {
                    job.matrix = v.get("matrix");
                }
                Some("defaults") => job.defaults = self.defaults(v),
                Some("env") => job.env = self.env(v),
                Some("container") => job.container = Some(v),
                Some("steps") => steps_node = Some(v),
                Some("uses") => uses = self.str(v, "`uses`"),
                Some("with") => with = self.inputs(v),
                _ => {}
            }
        }
        if let Some(uses) = uses {
            job.body = JobBody::Call {
                uses,
                action: ActionRef::parse(uses.value),
                with,
            };
            return Some(job);
        }
        let steps = match steps_node {
            Some(node) => self.steps(node, &job.defaults),
            None => vec![],
        };
        job.body = JobBody::Steps(steps);
        Some(job)
    }

    /// A `steps:` sequence (of a job, or of a composite action), `parallel:` groups flattened.
    fn steps<'a>(&mut self, node: &'a Node<'a>, defaults: &RunDefaults<'a>) -> Vec<Step<'a>> {
        let mut steps = vec![];
        match &node.kind {
            Kind::Seq(items) => {
                for (order, item) in items.iter().enumerate() {
                    // `- parallel: [steps]` runs its steps concurrently (GitHub, 2026-06).
                    if let Some(group) = item.get("parallel") {
                        match group.as_seq() {
                            Some(members) => {
                                for m in members {
                                    if let Some(step) = self.step(steps.len(), order, m, defaults) {
                                        steps.push(step);
                                    }
                                }
                            }
                            None if group.is_null() || is_expression(group) => {}
                            None => self.problem(
                                group,
                                format!(
                                    "`parallel` must be a sequence of steps, not {}",
                                    group.type_name()
                                ),
                            ),
                        }
                        continue;
                    }
                    if let Some(step) = self.step(steps.len(), order, item, defaults) {
                        steps.push(step);
                    }
                }
            }
            _ if node.is_null() || is_expression(node) => {}
            _ => self.problem(
                node,
                format!("`steps` must be a sequence, not {}", node.type_name()),
            ),
        }
        steps
    }

    fn step<'a>(
        &mut self,
        index: usize,
        order: usize,
        node: &'a Node<'a>,
        defaults: &RunDefaults<'a>,
    ) -> Option<Step<'a>> {
        let entries = self.expect_map(node, "a step")?;
        let mut step = Step {
            index,
            order,
            background: false,
            id: None,
            name: None,
            if_cond: None,
            kind: StepKind::Invalid,
            with: vec![],
            env: Env::default(),
            node,
        };
        let (mut uses, mut run, mut shell, mut wd) = (None, None, None, None);
        for (k, v) in entries {
            match k.as_str() {
                Some("id") => step.id = v.as_str().map(|value| Str { value, node: v }),
                Some("name") => step.name = v.as_str().map(|value| Str { value, node: v }),
                Some("if") => step.if_cond = Some(v),
                Some("uses") => uses = self.str(v, "`uses`").map(|s| (k, s)),
                Some("run") => run = self.str(v, "`run`").map(|s| (k, s)),
                Some("shell") => shell = self.str(v, "`shell`"),
                Some("working-directory") => wd = self.str(v, "`working-directory`"),
                Some("with") => step.with = self.inputs(v),
                Some("env") => step.env = self.env(v),
                Some("background") => step.background = v.as_str() == Some("true"),
                _ => {}
            }
        }
        step.kind = match (uses, run) {
            (Some((_, uses)), None) => StepKind::Uses {
                uses,
                action: ActionRef::parse(uses.value),
            },
            (None, Some((_, script))) => StepKind::Run(Run {
                script,
                shell: shell.or(defaults.shell),
                working_directory: wd.or(defaults.working_directory),
            }),
            (Some((k, _)), Some(_)) => {
                self.problem(k, "a step cannot have both `uses` and `run`".to_string());
                StepKind::Invalid
            }
            (None, None) => {
                // `wait:`, `wait-all:` and `cancel:` steps control background steps (GitHub, 2026-06).
                let known = ["uses", "run", "wait", "wait-all", "cancel", "parallel"];
                if !entries
                    .iter()
                    .any(|(k, _)| k.as_str().is_some_and(|k| known.contains(&k)))
                {
                    self.problem(node, "a step needs `uses` or `run`".to_string());
                }
                StepKind::Invalid
            }
        };
        Some(step)
    }
}

/// Fills in workflow-level run defaults that jobs did not override (the job walk cannot see
/// them when `defaults:` comes after `jobs:`).
fn apply_workflow_defaults(wf: &mut Workflow<'_>) {
    let defaults = wf.defaults;
    for job in &mut wf.jobs {
        if let JobBody::Steps(steps) = &mut job.body {
            for step in steps {
                if let StepKind::Run(run) = &mut step.kind {
                    run.shell = run.shell.or(defaults.shell);
                    run.working_directory = run.working_directory.or(defaults.working_directory);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
