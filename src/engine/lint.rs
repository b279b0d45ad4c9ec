//! Lints one file. Pure: the file and everything it uses (local composite actions) come from
//! the source database; nothing here opens a file itself.

use crate::diagnostic::Diagnostic;
use crate::facts::{Linted, LocalAction, analyze_job, local_action_key};
use crate::knowledge::Knowledge;
use crate::rules::{Context, RuleKind, ToolCx, invalid_workflow, limit_exceeded, syntax_error};
use crate::source::{FileId, Location, SourceDb, SourceFile};
use crate::workflow::{self, FileKind};
use crate::yaml::{self, Problem};

use super::Settings;

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
    lint_into(db, id, &file, knowledge, settings, &mut blocking, &mut out);
    out.retain(|d| settings.enabled(d.rule));
    out.extend(blocking);
    for d in &mut out {
        if let Some(s) = settings.severity(d.rule) {
            d.severity = s;
        }
    }
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out.dedup();
    out
}

fn lint_into(
    db: &SourceDb,
    id: FileId,
    file: &SourceFile,
    knowledge: &Knowledge,
    settings: &Settings,
    blocking: &mut Vec<Diagnostic>,
    out: &mut Vec<Diagnostic>,
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
    if wf.kind != FileKind::Workflow {
        return;
    }
    let rules: Vec<_> = settings
        .enabled_rules()
        .filter(|r| !matches!(r.kind, RuleKind::Parser))
        .collect();
    if rules.is_empty() {
        return;
    }
    // Local composite actions (`uses: ./path`, `uses: $/path`) run their steps inline: read them
    // once per file, from the repository the workflow belongs to, through the database.
    let action_files = local_action_files(db, file, &wf);
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
        text: &file.text,
        knowledge,
        workflow: &wf,
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
    let linted = Linted {
        file: id,
        text: &file.text,
    };
    for job in &wf.jobs {
        let facts = analyze_job(knowledge, linted, &wf, job, &actions);
        for (r, tcx) in rules.iter().zip(&tool_cxs) {
            match (r.kind, tcx) {
                (RuleKind::Single(rule), _) => {
                    rule.check_job(&cx, job, &facts, out);
                    for step in job.steps() {
                        rule.check_step(&cx, job, step, out);
                    }
                }
                (RuleKind::Tool { check, .. }, Some(tcx)) => {
                    check.check_job(&cx, tcx, job, &facts, out);
                }
                _ => {}
            }
        }
    }
}

/// At most this many local actions are read for one workflow.
const MAX_LOCAL_ACTIONS: usize = 32;

/// The `action.yml` of every local action the workflow's steps use, through the database
/// (missing ones are skipped: the rules then know nothing about them).
fn local_action_files(
    db: &SourceDb,
    file: &SourceFile,
    wf: &workflow::Workflow<'_>,
) -> Vec<(String, FileId, std::sync::Arc<SourceFile>)> {
    let mut out: Vec<(String, FileId, std::sync::Arc<SourceFile>)> = vec![];
    let Some(root) = file.repo_root() else {
        return out;
    };
    let keys = |steps: &[workflow::Step<'_>]| -> Vec<String> {
        steps
            .iter()
            .filter_map(|s| s.action().and_then(local_action_key))
            .collect()
    };
    let mut todo: Vec<String> = wf.jobs.iter().flat_map(|j| keys(j.steps())).collect();
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
