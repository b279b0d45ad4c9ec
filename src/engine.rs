//! Runs the registry over each file: parse, build the workflow, compute job facts once, call
//! every enabled rule's hooks, apply select/ignore, sort. Files are linted in parallel, each on
//! its own (read, lint, render, drop), so memory stays flat however many files there are.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diagnostic::Diagnostic;
use crate::rules::{Context, RULES, RuleMeta};
use crate::source::{InputError, MAX_FILE_BYTES, SourceFile};
use crate::tools::facts::local_action_key;
use crate::tools::{Knowledge, analyze_job};
use crate::workflow::{self, FileKind};
use crate::yaml::{self, MAX_ALIAS_NODES, MAX_NODES, Problem};

/// Which rules run.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Rule ids or prefixes to run (empty: all).
    pub select: Vec<String>,
    /// Rule ids or prefixes not to run.
    pub ignore: Vec<String>,
}

/// Whether `selector` (an id, `nox`, or `nox/`) names `id`.
pub fn selector_matches(selector: &str, id: &str) -> bool {
    let s = selector.trim();
    id == s
        || (s.ends_with('/') && id.starts_with(s))
        || (id.len() > s.len() && id.starts_with(s) && id.as_bytes()[s.len()] == b'/')
}

impl Selection {
    /// Selectors that name no rule (a usage error).
    pub fn unknown_selectors(&self) -> Vec<String> {
        self.select
            .iter()
            .chain(&self.ignore)
            .filter(|s| !RULES.iter().any(|r| selector_matches(s, r.id)))
            .cloned()
            .collect()
    }

    /// Whether the rule with this id runs.
    pub fn enabled(&self, id: &str) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| selector_matches(s, id)))
            && !self.ignore.iter().any(|s| selector_matches(s, id))
    }
}

fn meta(id: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.id == id)
}

/// Lints one file. Never fails: every problem is a diagnostic.
pub fn lint(file: &SourceFile, knowledge: &Knowledge, selection: &Selection) -> Vec<Diagnostic> {
    let mut out = vec![];
    lint_into(file, knowledge, selection, &mut out);
    out.retain(|d| selection.enabled(d.rule));
    for d in &mut out {
        if let Some(m) = meta(d.rule) {
            d.severity = m.severity;
        }
    }
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out.dedup();
    out
}

fn lint_into(
    file: &SourceFile,
    knowledge: &Knowledge,
    selection: &Selection,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(size) = file.too_large {
        out.push(
            Diagnostic::new(
                "limit-exceeded",
                0..0,
                format!("file is {size} bytes, over the limit of {MAX_FILE_BYTES} bytes; it was not read"),
            )
            .with_help("workflow files are a few kilobytes; check that this is the file you meant to lint"),
        );
        return;
    }
    if let Some(at) = file.invalid_utf8 {
        out.push(
            Diagnostic::new(
                "syntax-error",
                at..at,
                format!("file is not valid UTF-8: invalid byte at offset {at}"),
            )
            .with_primary_label("invalid UTF-8 starts here")
            .with_help("workflow files must be UTF-8; re-save the file as UTF-8"),
        );
        return;
    }
    let doc = yaml::parse(&file.text);
    for p in &doc.problems {
        out.push(match p {
            Problem::Syntax { span, message } => Diagnostic::new(
                "syntax-error",
                span.clone(),
                format!("invalid YAML: {message}"),
            )
            .with_primary_label("the parser stopped here"),
            Problem::DuplicateKey { key, first, dup } => Diagnostic::new(
                "invalid-workflow",
                dup.clone(),
                format!("duplicate key `{key}`"),
            )
            .with_primary_label("repeated here")
            .with_label(first.clone(), "first defined here")
            .with_help("remove one of the two; GitHub rejects a mapping with duplicate keys"),
            Problem::TooManyNodes { span } => Diagnostic::new(
                "limit-exceeded",
                span.clone(),
                format!(
                    "the file has more than {MAX_NODES} YAML nodes; it was not checked further"
                ),
            )
            .with_primary_label("the limit was reached here"),
            Problem::AliasBudget { span } => Diagnostic::new(
                "limit-exceeded",
                span.clone(),
                format!(
                    "aliases expand to more than {MAX_ALIAS_NODES} nodes; expansion stopped here"
                ),
            )
            .with_primary_label("this alias was not expanded"),
        });
    }
    let (wf, problems) = workflow::build_as(doc.root.as_ref(), FileKind::from_name(&file.name));
    for p in problems {
        out.push(Diagnostic::new("invalid-workflow", p.span, p.message));
    }
    if wf.kind != FileKind::Workflow {
        return;
    }
    let rules: Vec<_> = RULES
        .iter()
        .filter(|r| selection.enabled(r.id))
        .filter_map(|r| r.rule)
        .collect();
    if rules.is_empty() {
        return;
    }
    // Local composite actions (`uses: ./path`, `uses: $/path`) run their steps inline: read them
    // once per file, from the repository the workflow belongs to.
    let action_files = read_local_actions(file, &wf);
    let action_docs: Vec<_> = action_files
        .iter()
        .map(|(_, f)| yaml::parse(&f.text))
        .collect();
    let actions: Vec<(String, workflow::Workflow<'_>)> = action_files
        .iter()
        .zip(&action_docs)
        .map(|((key, _), doc)| (key.clone(), workflow::build(doc.root.as_ref()).0))
        .filter(|(_, a)| a.kind == FileKind::Action)
        .collect();
    let cx = Context {
        file,
        knowledge,
        workflow: &wf,
    };
    for rule in &rules {
        rule.check_workflow(&cx, out);
    }
    for job in &wf.jobs {
        let facts = analyze_job(knowledge, &file.text, &wf, job, &actions);
        for rule in &rules {
            rule.check_job(&cx, job, &facts, out);
            for step in job.steps() {
                rule.check_step(&cx, job, step, out);
            }
        }
    }
}

/// At most this many local actions are read for one workflow.
const MAX_LOCAL_ACTIONS: usize = 32;

/// Reads the `action.yml` of every local action the workflow's steps use (unreadable ones are
/// skipped: the rules then know nothing about them).
fn read_local_actions(file: &SourceFile, wf: &workflow::Workflow<'_>) -> Vec<(String, SourceFile)> {
    let mut out: Vec<(String, SourceFile)> = vec![];
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
        if out.len() >= MAX_LOCAL_ACTIONS || out.iter().any(|(k, _)| *k == key) {
            continue;
        }
        let Some(f) = ["action.yml", "action.yaml"]
            .iter()
            .find_map(|name| SourceFile::read(&root.join(&key).join(name)).ok())
        else {
            continue;
        };
        // Composite actions may use further local actions.
        let doc = yaml::parse(&f.text);
        let (action, _) = workflow::build(doc.root.as_ref());
        let mut nested = keys(&action.action_steps);
        nested.reverse();
        todo.extend(nested);
        out.push((key, f));
    }
    out
}

/// One input of a run.
#[derive(Clone, Debug)]
pub enum Input {
    /// A file on disk.
    Path(PathBuf),
    /// Standard input, named for reports.
    Stdin(String),
    /// A stream named on the command line (`/dev/stdin`, a FIFO), read to its end.
    Stream(PathBuf),
}

/// What linting one input produced.
pub enum Outcome<T> {
    /// The file was linted: its diagnostics and what the render function made of them.
    Linted {
        /// Number of diagnostics per severity: errors, warnings, infos.
        counts: [usize; 3],
        /// The rendered output.
        rendered: T,
    },
    /// The input could not be read.
    Unreadable(InputError),
}

/// Lints every input in parallel and returns the outcomes in input order. `render` turns one
/// file's diagnostics into output while the file's text is still in memory.
pub fn run<T: Send>(
    inputs: &[Input],
    knowledge: &Knowledge,
    selection: &Selection,
    render: &(dyn Fn(&SourceFile, &[Diagnostic]) -> T + Sync),
) -> Vec<Outcome<T>> {
    let lint_input = |input: &Input| -> Outcome<T> {
        let file = match input {
            Input::Path(p) => SourceFile::read(p),
            Input::Stdin(name) => SourceFile::read_stdin(name),
            Input::Stream(p) => SourceFile::read_stream(p),
        };
        match file {
            Err(e) => Outcome::Unreadable(e),
            Ok(file) => {
                let diags = lint(&file, knowledge, selection);
                let mut counts = [0; 3];
                for d in &diags {
                    counts[d.severity as usize] += 1;
                }
                Outcome::Linted {
                    counts,
                    rendered: render(&file, &diags),
                }
            }
        }
    };
    let one = |input: &Input| -> Outcome<T> {
        // A panic is a bug; it must not take the other files down with it.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lint_input(input))).unwrap_or_else(
            |_| {
                let path = match input {
                    Input::Path(p) | Input::Stream(p) => crate::source::display_path(p),
                    Input::Stdin(name) => name.clone(),
                };
                Outcome::Unreadable(InputError {
                    path,
                    message: "internal error: cachelint panicked on this file (please report it)"
                        .into(),
                })
            },
        )
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(inputs.len());
    if threads <= 1 {
        return inputs.iter().map(one).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome<T>>>> =
        Mutex::new((0..inputs.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = inputs.get(i) else { break };
                    let outcome = one(input);
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(outcome);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|o| {
            o.unwrap_or_else(|| {
                Outcome::Unreadable(InputError {
                    path: String::new(),
                    message: "internal error: a worker stopped".into(),
                })
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors() {
        assert!(selector_matches("nox/", "nox/cache-missing"));
        assert!(selector_matches("nox", "nox/cache-missing"));
        assert!(selector_matches("nox/cache-missing", "nox/cache-missing"));
        assert!(!selector_matches("no", "nox/cache-missing"));
        assert!(!selector_matches("nox/cache", "nox/cache-missing"));
        let s = Selection {
            select: vec!["nox/".into()],
            ignore: vec!["nox/key-missing-hash".into()],
        };
        assert!(s.enabled("nox/cache-missing"));
        assert!(!s.enabled("nox/key-missing-hash"));
        assert!(!s.enabled("syntax-error"));
        let s = Selection {
            select: vec!["bogus".into()],
            ignore: vec![],
        };
        assert_eq!(s.unknown_selectors(), ["bogus"]);
    }
}
