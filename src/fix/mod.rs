//! Applying fixes to a file's text, as ruff does: take one fix at a time from the findings,
//! apply its edits, lint the result again, and keep it only when the text still lints as
//! valid YAML and a valid workflow, the finding is gone and no rule reports more than before;
//! else the fix is withheld (a bug to report). Repeat until no fix is left (a bounded number
//! of rounds). Pure: the text comes from and goes back to the source database; writing the
//! file is the caller's business.
//!
//! Edits into other files (a composite action's `action.yml` reached from the linted file)
//! are not applied here: such a fix is reported and left for that file's own run.

use std::collections::HashMap;
use std::ops::Range;

use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::engine::{Settings, lint};
use crate::knowledge::Knowledge;
use crate::source::{FileId, SourceDb, SourceFile};

/// At most this many fixes are tried per file (each costs a lint of the file).
pub const MAX_ATTEMPTS: usize = 64;

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FixMode {
    /// Unsafe fixes too (`--unsafe-fixes`).
    pub unsafe_fixes: bool,
}

impl FixMode {
    /// Whether a fix of this applicability is applied.
    pub fn applies(self, a: Applicability) -> bool {
        match a {
            Applicability::Safe => true,
            Applicability::Unsafe => self.unsafe_fixes,
            Applicability::DisplayOnly => false,
        }
    }
}

/// What fixing one file did.
#[derive(Clone, Debug, Default)]
pub struct Fixed {
    /// The text before.
    pub original: String,
    /// The text after (the same when nothing was fixed).
    pub text: String,
    /// The findings fixed, by rule id.
    pub fixed: Vec<&'static str>,
    /// The findings whose fix was withheld (rule id and message).
    pub withheld: Vec<(&'static str, String)>,
    /// What is left to report, on the fixed text.
    pub remaining: Vec<Diagnostic>,
}

impl Fixed {
    /// Whether the text changed.
    pub fn changed(&self) -> bool {
        self.text != self.original
    }
}

/// `text` with `edits` applied (byte ranges into `text`), or `None` when two overlap or one
/// is out of bounds or not on character boundaries.
pub fn apply(text: &str, edits: &[(Range<usize>, &str)]) -> Option<String> {
    let mut sorted: Vec<&(Range<usize>, &str)> = edits.iter().collect();
    sorted.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(text.len() + 256);
    let mut at = 0;
    for (r, content) in sorted {
        if r.start < at
            || r.end < r.start
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            return None;
        }
        out.push_str(&text[at..r.start]);
        out.push_str(content);
        at = r.end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// The edits of a fix as ranges of the file `id`, if they are all in it.
fn local_edits(id: FileId, edits: &[Edit]) -> Option<Vec<(Range<usize>, &str)>> {
    edits
        .iter()
        .map(|e| (e.location.file == id).then(|| (e.location.span.clone(), e.content.as_str())))
        .collect()
}

/// Rules whose findings mean the text is not a workflow any more.
fn breaks_the_file(rule: &str) -> bool {
    matches!(rule, "syntax-error" | "invalid-workflow" | "limit-exceeded")
}

fn counts(diags: &[Diagnostic]) -> HashMap<&'static str, usize> {
    let mut m = HashMap::new();
    for d in diags {
        *m.entry(d.rule).or_insert(0) += 1;
    }
    m
}

/// Fixes the file `id` of `db` (its text in the database is the fixed one afterwards).
pub fn fix_file(
    db: &SourceDb,
    id: FileId,
    knowledge: &Knowledge,
    settings: &Settings,
    mode: FixMode,
) -> Fixed {
    let Some(file) = db.get(id) else {
        return Fixed::default();
    };
    let original = file.text.clone();
    let mut out = Fixed {
        original: original.clone(),
        text: original,
        ..Fixed::default()
    };
    let mut diags = lint(db, id, knowledge, settings);
    // A file that is not valid YAML, or too large, is not fixed: its spans mean nothing.
    if diags.iter().any(|d| breaks_the_file(d.rule)) || file.invalid_utf8.is_some() {
        out.remaining = diags;
        return out;
    }
    let set_text = |text: &str| {
        let mut f = SourceFile::from_text(file.name.clone(), text.to_string());
        f.path = file.path.clone();
        db.replace(id, f)
    };
    for _ in 0..MAX_ATTEMPTS {
        let candidate = diags.iter().find_map(|d| {
            let fix = d.fix.as_ref()?;
            if !mode.applies(fix.applicability)
                || out
                    .withheld
                    .iter()
                    .any(|(r, m)| *r == d.rule && *m == d.message)
            {
                return None;
            }
            Some((d, local_edits(id, &fix.edits)?))
        });
        let Some((d, edits)) = candidate else { break };
        let key = (d.rule, d.message.clone());
        let Some(text) = apply(&out.text, &edits) else {
            out.withheld.push(key);
            continue;
        };
        if !set_text(&text) {
            break; // The database lost the file: nothing more can be checked.
        }
        let after = lint(db, id, knowledge, settings);
        let before = counts(&diags);
        let now = counts(&after);
        let gone = after
            .iter()
            .filter(|a| a.rule == key.0 && a.message == key.1)
            .count()
            < diags
                .iter()
                .filter(|b| b.rule == key.0 && b.message == key.1)
                .count();
        let no_new = now.iter().all(|(rule, n)| {
            !breaks_the_file(rule) && *n <= before.get(rule).copied().unwrap_or(0)
        });
        if gone && no_new && text != out.text {
            out.fixed.push(key.0);
            out.text = text;
            diags = after;
        } else {
            set_text(&out.text);
            out.withheld.push(key);
        }
    }
    for d in &mut diags {
        if out
            .withheld
            .iter()
            .any(|(r, m)| *r == d.rule && *m == d.message)
        {
            let note = "cachelint made a fix for this but withheld it: the fixed file did not lint \
                        cleanly (please report it)";
            d.help = Some(match d.help.take() {
                Some(h) => format!("{h}\n{note}"),
                None => note.to_string(),
            });
        }
    }
    out.remaining = diags;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_in_order_and_overlaps_are_refused() {
        let t = "abcdef";
        assert_eq!(
            apply(t, &[(4..4, "X"), (0..1, "")]).as_deref(),
            Some("bcdXef")
        );
        assert_eq!(apply(t, &[(0..3, "1"), (2..4, "2")]), None);
        assert_eq!(apply(t, &[(5..9, "")]), None);
        assert_eq!(apply("é", &[(1..1, "x")]), None);
        assert_eq!(apply(t, &[]).as_deref(), Some(t));
    }
}
