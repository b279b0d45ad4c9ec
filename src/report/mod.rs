//! Output formats. Each renders the one [`Diagnostic`] type; one file per format.

mod concise;
mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;

use crate::diagnostic::{Diagnostic, Severity};

/// Where each rule's page is read on the web.
const DOCS_BASE: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/rules/");

/// The address of a rule's page (SARIF's `helpUri`, the language server's
/// `codeDescription.href`).
pub fn rule_url(id: &str) -> String {
    format!("{DOCS_BASE}{id}.md")
}
use crate::rules::Registry;
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
    /// The same objects, one per line (no array).
    JsonLines,
    /// GitHub Actions workflow commands (`::error file=...::message`), which become annotations.
    Github,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML.
    Junit,
}

impl Format {
    /// Whether the format is read by programs: it escapes control characters itself, and
    /// its text keeps the linted file's characters as they are.
    fn escapes_itself(self) -> bool {
        matches!(
            self,
            Format::Json | Format::JsonLines | Format::Sarif | Format::Gitlab
        )
    }
}

pub use human::install_panic_hook;

/// Rendering options.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The format.
    pub format: Format,
    /// Whether to use ANSI colours.
    pub color: bool,
    /// Diagnostics only: no summary line (`--quiet`).
    pub quiet: bool,
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
        Format::Json => return json::render(db, file, diags),
        Format::JsonLines => return json::render_lines(db, file, diags),
        Format::Sarif => return sarif::render(db, file, diags),
        Format::Gitlab => return gitlab::render(file, diags),
        _ => debug_assert!(!opts.format.escapes_itself()),
    }
    // A terminal must not receive escape sequences from the linted text (a job id with an ESC
    // in it, in a pull request): the text formats print control characters escaped, and the
    // snippets draw them as `?` (same length, so every span still fits).
    let printable: Vec<Diagnostic>;
    let diags = if diags.iter().any(has_control) {
        printable = diags.iter().map(escaped).collect();
        &printable
    } else {
        diags
    };
    let clean_file;
    let file = if file.text.chars().any(is_unsafe) || file.name.chars().any(is_unsafe) {
        let text: String = file.text.chars().map(same_len).collect();
        let mut clean = SourceFile::from_text(escape(&file.name).into_owned(), text);
        clean.path = file.path.clone();
        clean.invalid_utf8 = file.invalid_utf8;
        clean.too_large = file.too_large;
        clean_file = clean;
        &clean_file
    } else {
        file
    };
    match opts.format {
        Format::Human => human::render(db, file, diags, opts.color),
        Format::Concise => concise::render(file, diags, opts.color),
        Format::Github => github::render(file, diags),
        Format::Junit => junit::render(file, diags),
        Format::Json | Format::JsonLines | Format::Sarif | Format::Gitlab => String::new(),
    }
}

/// A control character a terminal may act on (not a tab or a line break).
fn is_unsafe(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

fn has_control(d: &Diagnostic) -> bool {
    d.message.chars().any(is_unsafe)
        || d.help.as_deref().is_some_and(|h| h.chars().any(is_unsafe))
        || d.primary_label
            .as_deref()
            .is_some_and(|h| h.chars().any(is_unsafe))
        || d.labels.iter().any(|l| l.message.chars().any(is_unsafe))
}

/// `\u{1b}` for each unsafe character.
fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return s.into();
    }
    s.chars()
        .map(|c| {
            if is_unsafe(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

fn escaped(d: &Diagnostic) -> Diagnostic {
    let mut d = d.clone();
    d.message = escape(&d.message).into_owned();
    d.help = d.help.map(|h| escape(&h).into_owned());
    d.primary_label = d.primary_label.map(|h| escape(&h).into_owned());
    for l in &mut d.labels {
        l.message = escape(&l.message).into_owned();
    }
    d
}

/// An unsafe character as printable text of the same UTF-8 length (`?`, or `¿` for the
/// two-byte C1 controls).
fn same_len(c: char) -> char {
    if !is_unsafe(c) {
        c
    } else if c.len_utf8() == 1 {
        '?'
    } else {
        '\u{bf}'
    }
}

/// Joins the rendered files and adds what goes around them (the JSON brackets, the SARIF log
/// with the registry's rules, the summary).
pub fn finish(
    opts: &Options,
    rendered: &[String],
    summary: &Summary,
    registry: &Registry,
) -> String {
    match opts.format {
        Format::Json | Format::Gitlab => json::finish(rendered),
        Format::JsonLines | Format::Github => rendered.concat(),
        Format::Sarif => sarif::finish(rendered, summary, registry),
        Format::Junit => junit::finish(rendered, summary),
        Format::Human => {
            let mut out: String = rendered.concat();
            if !opts.quiet {
                out.push_str(&human::summary(summary, opts.color));
            }
            out
        }
        Format::Concise => {
            let mut out: String = rendered.concat();
            if !opts.quiet && (summary.total() > 0 || summary.not_linted > 0) {
                out.push_str(&human::summary(summary, opts.color));
            }
            out
        }
    }
}

/// `--statistics`: how many diagnostics each rule reported, most first (then by id), as a
/// JSON array for the JSON formats and a table otherwise (`count  rule  severity  summary`, as
/// ruff prints it), then the summary line for the text formats.
pub fn statistics(
    opts: &Options,
    rules: &[&'static str],
    summary: &Summary,
    registry: &Registry,
) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in rules {
        *counts.entry(r).or_default() += 1;
    }
    let mut rows: Vec<(&str, usize)> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let info = |id: &str| registry.get(id);
    if matches!(opts.format, Format::Json | Format::JsonLines) {
        let items: Vec<serde_json::Value> = rows
            .iter()
            .map(|(id, n)| {
                serde_json::json!({
                    "rule": id,
                    "count": n,
                    "severity": info(id).map(|r| r.severity.as_str()),
                    "summary": info(id).map(|r| r.summary.as_str()),
                })
            })
            .collect();
        return match opts.format {
            Format::JsonLines => items.iter().map(|i| format!("{i}\n")).collect(),
            _ => format!(
                "{}\n",
                serde_json::to_string_pretty(&items).unwrap_or_default()
            ),
        };
    }
    let count_w = rows
        .iter()
        .map(|r| r.1.to_string().len())
        .max()
        .unwrap_or(1);
    let id_w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (id, n) in &rows {
        let (severity, text) = info(id).map_or(("", ""), |r| (r.severity.as_str(), &r.summary));
        out.push_str(&format!(
            "{n:>count_w$}  {id:<id_w$}  {severity:<7}  {text}\n"
        ));
    }
    if !opts.quiet && matches!(opts.format, Format::Human | Format::Concise) {
        out.push_str(&human::summary(summary, opts.color));
    }
    out
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

/// `Found 3 problems (2 errors, 1 warning) in 2 of 4 files checked.` or `All checks passed (4 files
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
    // `in 2 files` when those are all the files checked, else `in 2 of 5 files checked`.
    let files = if s.files_with_problems == s.files {
        plural(s.files_with_problems, "file")
    } else {
        format!(
            "{} of {} checked",
            s.files_with_problems,
            plural(s.files, "file")
        )
    };
    format!(
        "Found {} ({}) in {files}{not_linted}.",
        plural(s.total(), "problem"),
        parts.join(", "),
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
            "Found 3 problems (2 errors, 1 warning) in 2 of 3 files checked."
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
            "Found 2 problems (2 warnings) in 1 of 2 files checked; 1 input could not be linted (see the error on stderr)."
        );
    }
}
