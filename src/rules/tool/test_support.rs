//! What the rules' unit tests share.

use crate::diagnostic::Diagnostic;
use crate::engine::{Settings, lint_buffer};
use crate::knowledge::Knowledge;
use crate::rules::registry::Registry;
use crate::source::SourceFile;

/// Every finding for a workflow `name` with `head` (its `on:` and so on) and `steps` under
/// one job (`jobs.test`).
pub(crate) fn lint(name: &str, head: &str, steps: &str) -> Vec<Diagnostic> {
    let k = Knowledge::load().expect("rule data loads");
    let text = format!("{head}jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n{steps}");
    let (_, _, d) = lint_buffer(
        SourceFile::from_text(name, text),
        &k,
        &Settings::all(Registry::builtin()),
    );
    d
}

/// The fix of the first finding of `rule` (`nox/...`) in the workflow `text`: its
/// applicability and the text with its edits applied; `None` when it has no finding or no fix.
pub(crate) fn fix_of(text: &str, rule: &str) -> Option<(crate::diagnostic::Applicability, String)> {
    let k = Knowledge::load().expect("rule data loads");
    let (_, _, d) = lint_buffer(
        SourceFile::from_text(".github/workflows/ci.yml", text.to_string()),
        &k,
        &Settings::all(Registry::builtin()),
    );
    let fix = d.iter().find(|d| d.rule == rule)?.fix.as_ref()?;
    let edits: Vec<(std::ops::Range<usize>, &str)> = fix
        .edits
        .iter()
        .map(|e| (e.location.span.clone(), e.content.as_str()))
        .collect();
    Some((fix.applicability, crate::fix::apply(text, &edits)?))
}

/// Every finding for the workflow `text`.
pub(crate) fn lint_text(text: &str) -> Vec<Diagnostic> {
    let k = Knowledge::load().expect("rule data loads");
    let (_, _, d) = lint_buffer(
        SourceFile::from_text(".github/workflows/ci.yml", text.to_string()),
        &k,
        &Settings::all(Registry::builtin()),
    );
    d
}
