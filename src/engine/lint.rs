//! Lints one file. Pure: the file and everything it uses (local composite actions) come from
//! the source database; nothing here opens a file itself.

use crate::diagnostic::Diagnostic;
use crate::facts::{self, ConfigSource, Linted, LocalAction, local_action_key};
use crate::knowledge::Knowledge;
use crate::rules::{Context, RuleKind, ToolCx, invalid_workflow, limit_exceeded, syntax_error};
use crate::source::{FileId, Location, SourceDb, SourceFile};
use crate::workflow::{self, FileKind};
use crate::yaml::{self, Problem};

use super::Settings;
use super::suppress::Suppressions;

/// Lints the file `id` of `db`. Never fails: every problem is a diagnostic. Diagnostics that say
/// the file was not (fully) linted (a syntax error, a limit, bytes that are not UTF-8) are kept
/// whatever the selection says, so a run can never look clean when it was not.
pub fn lint(
    db: &SourceDb,
    id: FileId,
    knowledge: &Knowledge,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let Some(file) = db.get(id) else {
        return vec![];
    };
    let mut blocking = vec![];
    let mut out = vec![];
    let mut suppressions = Suppressions::default();
    lint_into(
        db,
        id,
        &file,
        knowledge,
        settings,
        &mut blocking,
        &mut out,
        &mut suppressions,
    );
    out.retain(|d| settings.enabled(d.rule));
    suppressions.apply(id, &file.text, &mut out, settings);
    out.extend(blocking);
    for d in &mut out {
        if let Some(s) = settings.overridden_severity(d.rule) {
            d.severity = s;
        }
    }
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out.dedup();
    out
}

// One argument per thing it fills: the file's findings, those that stop it, its suppressions.
#[allow(clippy::too_many_arguments)]
fn lint_into(
    db: &SourceDb,
    id: FileId,
    file: &SourceFile,
    knowledge: &Knowledge,
    settings: &Settings,
    blocking: &mut Vec<Diagnostic>,
    out: &mut Vec<Diagnostic>,
    suppressions: &mut Suppressions,
) {
    let at = |span| Location::new(id, span);
    if let Some(size) = file.too_large {
        blocking.push(limit_exceeded::too_large(at(0..0), size));
        return;
    }
    if let Some(offset) = file.invalid_utf8 {
        blocking.push(syntax_error::invalid_utf8(at(offset..offset)));
        return;
    }
    let doc = yaml::parse(&file.text);
    *suppressions = Suppressions::parse(&file.text, &doc.comments);
    // A syntax error or the node limit leave a tree that is only a prefix of the file; an alias
    // over its budget leaves a whole tree with that alias unexpanded (checked, and reported).
    let mut partial = false;
    for p in &doc.problems {
        match p {
            Problem::Syntax {
                span,
                message,
                label,
                unclosed,
                help,
            } => {
                partial = true;
                blocking.push(syntax_error::invalid_yaml(
                    at(span.clone()),
                    message,
                    label,
                    unclosed.as_ref().map(|(s, what)| (at(s.clone()), *what)),
                    help,
                ));
            }
            Problem::DuplicateKey { key, first, dup } => {
                out.push(invalid_workflow::duplicate_key(
                    at(dup.clone()),
                    at(first.clone()),
                    key,
                ));
            }
            Problem::ExtraDocument { span } => {
                out.push(invalid_workflow::shape(
                    at(span.clone()),
                    "a second YAML document: a workflow or action file holds one document, and \
                     only the first is read"
                        .to_string(),
                ));
            }
            Problem::TooManyNodes { span } => {
                partial = true;
                blocking.push(limit_exceeded::too_many_nodes(at(span.clone())));
            }
            Problem::AliasBudget { span } => {
                blocking.push(limit_exceeded::alias_budget(at(span.clone())));
            }
        }
    }
    // After a syntax error the tree is whatever came before it: its shape and its facts would
    // be guesses (actionlint, too, reports only the syntax error).
    if partial {
        return;
    }
    let (wf, problems) = workflow::build_as(doc.root.as_ref(), FileKind::from_name(&file.name));
    for p in problems {
        out.push(invalid_workflow::shape(at(p.span), p.message));
    }
    if wf.kind == FileKind::Unknown {
        return;
    }
    let rules: Vec<_> = settings
        .enabled_rules()
        .filter(|r| match r.kind {
            RuleKind::Parser => false,
            // A composite action is linted by the rules with one id; the tool rules judge its
            // steps where a workflow uses them.
            RuleKind::Tool { .. } => wf.kind == FileKind::Workflow,
            RuleKind::Single(_) => true,
        })
        .collect();
    if rules.is_empty() {
        return;
    }
    // Local composite actions (`uses: ./path`, `uses: $/path`) run their steps inline: read them
    // once per file, from the repository the file belongs to, through the database.
    let action_job = facts::action_job(&wf);
    let repo_root = file.repo_root();
    let (root, top_steps): (_, Vec<&[workflow::Step<'_>]>) = if wf.kind == FileKind::Action {
        (action_repo_root(file), vec![&wf.action_steps])
    } else {
        (
            repo_root.clone(),
            wf.jobs.iter().map(|j| j.steps()).collect(),
        )
    };
    let action_files = local_action_files(db, root, &top_steps);
    let action_docs: Vec<_> = action_files
        .iter()
        .map(|(_, _, f)| yaml::parse(&f.text))
        .collect();
    let actions: Vec<LocalAction<'_>> = action_files
        .iter()
        .zip(&action_docs)
        .map(|((key, fid, f), doc)| LocalAction {
            key: key.clone(),
            file: *fid,
            text: &f.text,
            action: workflow::build(doc.root.as_ref()).0,
        })
        .filter(|a| a.action.kind == FileKind::Action)
        .collect();
    let cx = Context {
        file: id,
        name: &file.name,
        text: &file.text,
        knowledge,
        workflow: &wf,
        suggested_uses: Default::default(),
    };
    let tool_cxs: Vec<Option<ToolCx<'_>>> = rules
        .iter()
        .map(|r| match r.kind {
            RuleKind::Tool { tool, .. } => knowledge.tools.get(tool).map(|spec| ToolCx {
                id: r.id,
                severity: r.severity,
                index: tool,
                spec,
            }),
            _ => None,
        })
        .collect();
    for r in &rules {
        if let RuleKind::Single(rule) = r.kind {
            rule.check_workflow(&cx, out);
        }
    }
    let top_inputs = if wf.kind == FileKind::Workflow {
        workflow_inputs(db, file, &wf)
    } else {
        vec![]
    };
    let linted = Linted {
        file: id,
        text: &file.text,
        inputs: &top_inputs,
    };
    let configs = RepoConfigs {
        db,
        root: repo_root,
        read: Default::default(),
        scripts: Default::default(),
    };
    // Release workflows and jobs get no tool rules: a cache there is a poisoning risk.
    let release_workflow = facts::release::is_release_workflow(knowledge, &wf);
    // Every job's facts first: some rules compare the jobs of one run.
    let jobs: Vec<(&workflow::Job<'_>, &[workflow::Step<'_>])> = match &action_job {
        Some(job) if wf.kind == FileKind::Action => vec![(job, wf.action_steps.as_slice())],
        _ => wf.jobs.iter().map(|j| (j, j.steps())).collect(),
    };
    let all: Vec<_> = jobs
        .iter()
        .map(|&(job, steps)| {
            (
                job,
                facts::analyze_steps(knowledge, linted, &wf, job, steps, &actions, &configs),
            )
        })
        .collect();
    let mut judged = Vec::with_capacity(all.len());
    for (&(job, steps), (_, facts)) in jobs.iter().zip(&all) {
        let release = release_workflow || facts::release::is_release_job(knowledge, job);
        if !release {
            judged.push((job, facts));
        }
        for (r, tcx) in rules.iter().zip(&tool_cxs) {
            match (r.kind, tcx) {
                (RuleKind::Single(rule), _) => {
                    rule.check_job(&cx, job, facts, out);
                    for step in steps {
                        rule.check_step(&cx, job, step, out);
                    }
                }
                (RuleKind::Tool { check, .. }, Some(tcx)) if !release => {
                    check.check_job(&cx, tcx, job, facts, out);
                }
                _ => {}
            }
        }
    }
    for (r, tcx) in rules.iter().zip(&tool_cxs) {
        match (r.kind, tcx) {
            (RuleKind::Single(rule), _) => rule.check_jobs(&cx, &all, out),
            (RuleKind::Tool { check, .. }, Some(tcx)) if !judged.is_empty() => {
                check.check_jobs(&cx, tcx, &judged, out);
            }
            _ => {}
        }
    }
}

/// The repository root of a composite action's `action.yml`: the folder holding the
/// `.github` (`.forgejo`, `.gitea`) folder it is in, else its own folder
/// (a repository's root action, which `uses: $/` names). `None` for standard input.
fn action_repo_root(file: &SourceFile) -> Option<std::path::PathBuf> {
    let path = file.path.as_ref()?;
    let dir = path.parent()?;
    let nonempty = |p: &std::path::Path| {
        if p.as_os_str().is_empty() {
            std::path::PathBuf::from(".")
        } else {
            p.to_path_buf()
        }
    };
    for a in dir.ancestors() {
        let name = a.file_name().and_then(|n| n.to_str());
        if matches!(name, Some(".github" | ".forgejo" | ".gitea")) {
            return a.parent().map(nonempty);
        }
    }
    Some(nonempty(dir))
}

/// At most this many sibling workflows are read for the callers of a reusable workflow.
const MAX_CALLERS_READ: usize = 256;

/// The `${{ inputs.x }}` of a reusable workflow (run only by `workflow_call`): each input's
/// default, unless a workflow of the same folder calls this one (`uses: ./.github/workflows/
/// <this file>`) passing it another value (then unknown). A file with no path (standard input)
/// has no callers to see: every input is unknown.
fn workflow_inputs(
    db: &SourceDb,
    file: &SourceFile,
    wf: &workflow::Workflow<'_>,
) -> facts::inputs::Inputs {
    let mut inputs = facts::inputs::of_workflow(wf.root);
    if inputs.is_empty() {
        return inputs;
    }
    // Callers are read only when a working directory, a cache path or a local action's input
    // uses an input: nothing else cachelint reads depends on them.
    let uses_inputs = |v: &str| v.contains("inputs.");
    let used = wf.jobs.iter().flat_map(|j| j.steps()).any(|s| {
        s.run()
            .and_then(|r| r.working_directory)
            .is_some_and(|w| uses_inputs(w.value))
            || s.input("path").is_some_and(|p| uses_inputs(p.value))
            || (s.action().and_then(local_action_key).is_some()
                && s.with
                    .iter()
                    .any(|(_, v)| v.as_str().is_some_and(uses_inputs)))
    });
    if !used {
        return inputs;
    }
    let Some(path) = file.path.as_deref() else {
        return vec![];
    };
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return vec![];
    };
    // The path callers name it by: from the `.github` (`.forgejo`, `.gitea`) folder on.
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let Some(from) = parts
        .iter()
        .rposition(|c| matches!(c.as_str(), ".github" | ".forgejo" | ".gitea"))
    else {
        return vec![];
    };
    let rel = parts[from..].join("/");
    let siblings = db.list(dir);
    // Past the limit a caller may go unseen: the inputs are unknown.
    if siblings.len() > MAX_CALLERS_READ {
        return vec![];
    }
    for other in siblings {
        let yaml = other.extension().is_some_and(|e| e == "yml" || e == "yaml");
        if !yaml || other.file_name() == path.file_name() {
            continue;
        }
        let Some(f) = db.open(&other).ok().and_then(|id| db.get(id)) else {
            continue;
        };
        if memchr::memmem::find(f.text.as_bytes(), name.as_bytes()).is_none() {
            continue;
        }
        let doc = yaml::parse(&f.text);
        let (caller, _) = workflow::build(doc.root.as_ref());
        for job in &caller.jobs {
            let workflow::JobBody::Call { action, with, .. } = &job.body else {
                continue;
            };
            if facts::local_action_key(action).as_deref() != Some(rel.as_str()) {
                continue;
            }
            for (k, v) in with {
                if let Some(slot) = inputs.iter_mut().find(|(n, _)| n == k.value)
                    && slot.1.as_deref() != v.as_str()
                {
                    slot.1 = None;
                }
            }
        }
    }
    inputs
}

/// Whether a repository-relative path stays inside the repository (not `../x`, absolute, or
/// holding a variable): only those are read.
fn in_repository(path: &str) -> bool {
    !(path.starts_with('/') || path.split('/').any(|c| c == "..") || path.contains('$'))
}

/// Tools' config files (noxfiles) of the repository a workflow belongs to, read through the
/// database once per file linted.
struct RepoConfigs<'d> {
    db: &'d SourceDb,
    root: Option<std::path::PathBuf>,
    read: std::cell::RefCell<
        std::collections::HashMap<String, Option<std::sync::Arc<crate::python::Module>>>,
    >,
    /// [`ConfigSource::may_have_scripts`], worked out once.
    scripts: std::cell::OnceCell<bool>,
}

impl ConfigSource for RepoConfigs<'_> {
    fn config(&self, path: &str) -> Option<std::sync::Arc<crate::python::Module>> {
        let root = self.root.as_ref()?;
        if !in_repository(path) {
            return None;
        }
        if let Some(m) = self.read.borrow().get(path) {
            return m.clone();
        }
        let m = self
            .db
            .open(&root.join(path))
            .ok()
            .and_then(|id| self.db.get(id))
            .filter(|f| f.too_large.is_none() && f.invalid_utf8.is_none())
            .map(|f| std::sync::Arc::new(crate::python::read(&f.text)));
        self.read.borrow_mut().insert(path.to_string(), m.clone());
        m
    }

    fn may_have_scripts(&self) -> bool {
        *self.scripts.get_or_init(|| {
            self.root.as_ref().is_some_and(|root| {
                self.db
                    .holds_other_than(root, &[".github", ".forgejo", ".gitea", ".git"])
            })
        })
    }

    fn script(&self, path: &str) -> Option<(FileId, std::sync::Arc<SourceFile>)> {
        let root = self.root.as_ref()?;
        if !in_repository(path) {
            return None;
        }
        let id = self.db.open(&root.join(path)).ok()?;
        let f = self.db.get(id)?;
        (f.too_large.is_none() && f.invalid_utf8.is_none()).then_some((id, f))
    }
}

/// At most this many local actions are read for one workflow.
const MAX_LOCAL_ACTIONS: usize = 32;

/// The `action.yml` of every local action the steps use, through the database
/// (missing ones are skipped: the rules then know nothing about them).
fn local_action_files(
    db: &SourceDb,
    root: Option<std::path::PathBuf>,
    steps: &[&[workflow::Step<'_>]],
) -> Vec<(String, FileId, std::sync::Arc<SourceFile>)> {
    let mut out: Vec<(String, FileId, std::sync::Arc<SourceFile>)> = vec![];
    let Some(root) = root else {
        return out;
    };
    let keys = |steps: &[workflow::Step<'_>]| -> Vec<String> {
        steps
            .iter()
            .filter_map(|s| s.action().and_then(local_action_key))
            .collect()
    };
    let mut todo: Vec<String> = steps.iter().flat_map(|s| keys(s)).collect();
    todo.reverse();
    while let Some(key) = todo.pop() {
        if out.len() >= MAX_LOCAL_ACTIONS || out.iter().any(|(k, ..)| *k == key) {
            continue;
        }
        let Some((fid, f)) = ["action.yml", "action.yaml"].iter().find_map(|name| {
            let id = db.open(&root.join(&key).join(name)).ok()?;
            Some((id, db.get(id)?))
        }) else {
            continue;
        };
        // Composite actions may use further local actions.
        let doc = yaml::parse(&f.text);
        let (action, _) = workflow::build(doc.root.as_ref());
        let mut nested = keys(&action.action_steps);
        nested.reverse();
        todo.extend(nested);
        out.push((key, fid, f));
    }
    out
}

/// Lints one file held in memory, with no other file available: a database of its own that
/// never reads the disk (tests, fuzzing, benchmarks). Returns the database with the file in it.
pub fn lint_buffer(
    file: SourceFile,
    knowledge: &Knowledge,
    settings: &Settings,
) -> (SourceDb, FileId, Vec<Diagnostic>) {
    let db = SourceDb::in_memory();
    let id = db.add(file);
    let diags = lint(&db, id, knowledge, settings);
    (db, id, diags)
}
