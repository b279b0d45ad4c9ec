//! Runs many files: reads each into the source database, lints it, renders it while its text
//! is in memory, then lets the text go, so memory stays flat however many files there are.
//! Files are linted in parallel; a panic on one file is caught and reported as an internal
//! error for that file, and the others are still linted.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diagnostic::{Applicability, Diagnostic};
use crate::fix::{FixMode, fix_file};
use crate::knowledge::Knowledge;
use crate::source::{FileId, InputError, SourceDb, SourceFile};

use super::{Settings, lint};

/// One input of a run.
#[derive(Clone, Debug)]
pub enum Input {
    /// A file on disk (or in the database's memory).
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
        /// With fixing on: what was fixed (the counts and the rendering are of what is left).
        fixed: Option<Box<FileFixes>>,
    },
    /// The input could not be read.
    Unreadable(InputError),
}

/// What fixing one file did (see [`crate::fix::Fixed`]).
#[derive(Clone, Debug)]
pub struct FileFixes {
    /// The file on disk (`None`: standard input or a stream).
    pub path: Option<PathBuf>,
    /// Its name in reports.
    pub name: String,
    /// The text before.
    pub original: String,
    /// The text after.
    pub text: String,
    /// The rule of each finding fixed.
    pub fixed: Vec<&'static str>,
    /// Findings whose fix was withheld.
    pub withheld: usize,
    /// Findings left with an unsafe fix that was not applied.
    pub unsafe_left: usize,
}

/// Lints every input in parallel and returns the outcomes in input order. `render` turns one
/// file's diagnostics into output while the file's text is still in memory.
pub fn run<T: Send>(
    db: &SourceDb,
    inputs: &[Input],
    knowledge: &Knowledge,
    settings: &Settings,
    render: &(dyn Fn(&SourceDb, &SourceFile, &[Diagnostic]) -> T + Sync),
) -> Vec<Outcome<T>> {
    run_with(db, inputs, knowledge, settings, None, render)
}

/// As [`run`], and with `fix` set, each file is fixed first ([`crate::fix::fix_file`]): what is
/// rendered and counted is what is left, and the outcome says what was fixed. Nothing is
/// written.
pub fn run_with<T: Send>(
    db: &SourceDb,
    inputs: &[Input],
    knowledge: &Knowledge,
    settings: &Settings,
    fix: Option<FixMode>,
    render: &(dyn Fn(&SourceDb, &SourceFile, &[Diagnostic]) -> T + Sync),
) -> Vec<Outcome<T>> {
    let load = |input: &Input| -> Result<FileId, InputError> {
        match input {
            Input::Path(p) => db.open(p),
            Input::Stdin(name) => SourceFile::read_stdin(name).map(|f| db.add(f)),
            Input::Stream(p) => SourceFile::read_stream(p).map(|f| db.add(f)),
        }
    };
    let lint_input = |input: &Input| -> Outcome<T> {
        let id = match load(input) {
            Ok(id) => id,
            Err(e) => return Outcome::Unreadable(e),
        };
        let Some(file) = db.get(id) else {
            return Outcome::Unreadable(InputError {
                path: db.name(id),
                message: "the file could not be read again".into(),
            });
        };
        let (diags, fixed, file) = match fix {
            None => (lint(db, id, knowledge, settings), None, file),
            Some(mode) => {
                let f = fix_file(db, id, knowledge, settings, mode);
                let unsafe_left = f
                    .remaining
                    .iter()
                    .filter(|d| {
                        !mode.unsafe_fixes
                            && d.fix
                                .as_ref()
                                .is_some_and(|x| x.applicability == Applicability::Unsafe)
                    })
                    .count();
                let summary = FileFixes {
                    path: file.path.clone(),
                    name: file.name.clone(),
                    fixed: f.fixed,
                    withheld: f.withheld.len(),
                    unsafe_left,
                    original: f.original,
                    text: f.text,
                };
                let now = db.get(id).unwrap_or(file);
                (f.remaining, Some(Box::new(summary)), now)
            }
        };
        let mut counts = [0; 3];
        for d in &diags {
            counts[d.severity as usize] += 1;
        }
        let rendered = render(db, &file, &diags);
        db.release(id);
        Outcome::Linted {
            counts,
            rendered,
            fixed,
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
    // One file: no thread, and no reading of the cgroup files `available_parallelism` does.
    let threads = if inputs.len() <= 1 {
        1
    } else {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(inputs.len())
    };
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
