//! Output formats. Each renders the one [`Diagnostic`] type; one file per format.

mod concise;
mod human;
mod json;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceDb, SourceFile};

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `severity[rule]: message`, ` --> path:line:col`, miette's snippet, help and docs, then a
    /// summary.
    Human,
    /// `path:line:col: severity: message [rule]`, one line each.
    Concise,
    /// A JSON array of objects.
    Json,
}

pub use human::install_panic_hook;

/// Rendering options.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The format.
    pub format: Format,
    /// Whether to use ANSI colours.
    pub color: bool,
}

/// Totals for the summary line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Summary {
    /// Files linted.
    pub files: usize,
    /// Files with at least one diagnostic.
    pub files_with_problems: usize,
    /// Diagnostics per severity: errors, warnings, infos.
    pub counts: [usize; 3],
    /// Inputs that were not linted (unreadable, missing, a directory with no workflows); each
    /// has its own error on stderr.
    pub not_linted: usize,
}

impl Summary {
    /// Total diagnostics.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }
}

/// Renders one file's diagnostics (called while the file is in memory).
pub fn render_file(
    opts: &Options,
    db: &SourceDb,
    file: &SourceFile,
    diags: &[Diagnostic],
) -> String {
    match opts.format {
        Format::Human => human::render(db, file, diags, opts.color),
        Format::Concise => concise::render(file, diags, opts.color),
        Format::Json => json::render(db, file, diags),
    }
}

/// Joins the rendered files and adds what goes around them (the JSON brackets, the summary).
pub fn finish(opts: &Options, rendered: &[String], summary: &Summary) -> String {
    match opts.format {
        Format::Json => json::finish(rendered),
        Format::Human => {
            let mut out: String = rendered.concat();
            out.push_str(&human::summary(summary, opts.color));
            out
        }
        Format::Concise => {
            let mut out: String = rendered.concat();
            if summary.total() > 0 || summary.not_linted > 0 {
                out.push_str(&human::summary(summary, opts.color));
            }
            out
        }
    }
}

/// ANSI styles shared by the formats (bold red / yellow / cyan for the severities, as rustc and
/// ruff colour them).
const BOLD: &str = "1";
const ARROW: &str = "1;34";

fn severity_style(s: Severity) -> &'static str {
    match s {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;36",
    }
}

/// `text` in the ANSI style `code` when `color` is set, else `text` unchanged.
fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `Found 3 problems (2 errors, 1 warning) in 2 files.` or `All checks passed (4 files
/// checked).`; when an input was not linted it says so, and never that all checks passed.
pub fn summary_line(s: &Summary) -> String {
    let not_linted = match s.not_linted {
        0 => String::new(),
        1 => "; 1 input could not be linted (see the error on stderr)".to_string(),
        n => format!("; {n} inputs could not be linted (see the errors on stderr)"),
    };
    if s.total() == 0 {
        if s.not_linted > 0 {
            return format!(
                "No problems found in {} checked{not_linted}.",
                plural(s.files, "file")
            );
        }
        return format!("All checks passed ({} checked).", plural(s.files, "file"));
    }
    let parts: Vec<String> = [(0, "error"), (1, "warning"), (2, "info")]
        .iter()
        .filter(|(i, _)| s.counts[*i] > 0)
        .map(|(i, w)| {
            if *w == "info" {
                format!("{} info", s.counts[*i])
            } else {
                plural(s.counts[*i], w)
            }
        })
        .collect();
    format!(
        "Found {} ({}) in {}{not_linted}.",
        plural(s.total(), "problem"),
        parts.join(", "),
        plural(s.files_with_problems, "file")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines() {
        let s = Summary {
            files: 3,
            files_with_problems: 2,
            counts: [2, 1, 0],
            not_linted: 0,
        };
        assert_eq!(
            summary_line(&s),
            "Found 3 problems (2 errors, 1 warning) in 2 files."
        );
        let s = Summary {
            files: 1,
            files_with_problems: 1,
            counts: [1, 0, 0],
            not_linted: 0,
        };
        assert_eq!(summary_line(&s), "Found 1 problem (1 error) in 1 file.");
        assert_eq!(
            summary_line(&Summary {
                files: 4,
                ..Default::default()
            }),
            "All checks passed (4 files checked)."
        );
    }

    #[test]
    fn summary_lines_say_what_was_not_linted() {
        let s = Summary {
            files: 2,
            not_linted: 1,
            ..Default::default()
        };
        assert_eq!(
            summary_line(&s),
            "No problems found in 2 files checked; 1 input could not be linted (see the error on stderr)."
        );
        let s = Summary {
            files: 0,
            not_linted: 3,
            ..Default::default()
        };
        assert_eq!(
            summary_line(&s),
            "No problems found in 0 files checked; 3 inputs could not be linted (see the errors on stderr)."
        );
        let s = Summary {
            files: 2,
            files_with_problems: 1,
            counts: [0, 2, 0],
            not_linted: 1,
        };
        assert_eq!(
            summary_line(&s),
            "Found 2 problems (2 warnings) in 1 file; 1 input could not be linted (see the error on stderr)."
        );
    }
}
