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
