//! Applying fixes to a file's text, as ruff does: in rounds, each applying every fix whose
//! edits neither overlap nor touch another's, then linting the result again. A round is kept
//! only when the text still lints as valid YAML and a valid workflow, each fixed finding is gone
//! and no rule reports more than before; else the round tries its first fix alone, and a fix
//! that fails alone is withheld (a bug to report). Repeat until no fix is left (a bounded
//! number of rounds). Pure: the text comes from and goes back to the source database; writing
//! the file is the caller's business.
//!
//! Edits into other files (a composite action's `action.yml` reached from the linted file)
//! are not applied here: such a fix is reported and left for that file's own run.

use std::collections::HashMap;
use std::ops::Range;

use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::engine::{Settings, lint};
use crate::knowledge::Knowledge;
use crate::source::{FileId, SourceDb, SourceFile};

/// At most this many rounds per file (each costs one or two lints of the file).
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

/// A finding and its fix's edits in the file being fixed.
type Candidate<'d, 't> = (&'d Diagnostic, Vec<(Range<usize>, &'t str)>);

/// Whether `d`'s fix was withheld before.
fn is_withheld(withheld: &[(&'static str, String)], d: &Diagnostic) -> bool {
    withheld
        .iter()
        .any(|(r, m)| *r == d.rule && *m == d.message)
}

/// The fixes, in order, whose edits neither overlap nor touch those of a fix taken before
/// (two insertions at one place, or an edit ending where another starts, go to later rounds).
fn non_overlapping<'d, 't>(
    fixes: impl Iterator<Item = Candidate<'d, 't>>,
) -> Vec<Candidate<'d, 't>> {
    let mut taken: Vec<Range<usize>> = vec![];
    let mut out = vec![];
    for (d, edits) in fixes {
        let clear = edits
            .iter()
            .all(|(r, _)| taken.iter().all(|t| r.end < t.start || t.end < r.start));
        if clear {
            taken.extend(edits.iter().map(|(r, _)| r.clone()));
            out.push((d, edits));
        }
    }
    out
}

/// Whether the findings `after` a set of fixes say they worked: each fixed finding is gone
/// (as many fewer of its rule and message as fixes were made for it), nothing breaks the file,
/// and no rule reports more than `before`.
fn checks_out<'d>(
    before: &[Diagnostic],
    after: &[Diagnostic],
    fixed: impl Iterator<Item = &'d Diagnostic>,
) -> bool {
    let mut wanted: HashMap<(&str, &str), usize> = HashMap::new();
    for d in fixed {
        *wanted.entry((d.rule, d.message.as_str())).or_insert(0) += 1;
    }
    let count = |diags: &[Diagnostic], rule: &str, message: &str| {
        diags
            .iter()
            .filter(|d| d.rule == rule && d.message == message)
            .count()
    };
    let gone = wanted.iter().all(|(&(rule, message), &n)| {
        count(after, rule, message) + n <= count(before, rule, message)
    });
    let (before, now) = (counts(before), counts(after));
    gone && now
        .iter()
        .all(|(rule, n)| !breaks_the_file(rule) && *n <= before.get(rule).copied().unwrap_or(0))
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
    // Each round applies every applicable fix whose edits touch no other's and lints once.
    // When that batch does not check out, the round tries its first fix alone instead, so
    // every round keeps a fix or withholds one, and a file with many findings is fixed in a
    // few lints.
    for _ in 0..MAX_ATTEMPTS {
        let batch = non_overlapping(diags.iter().filter_map(|d| {
            let fix = d.fix.as_ref()?;
            if !mode.applies(fix.applicability) || is_withheld(&out.withheld, d) {
                return None;
            }
            Some((d, local_edits(id, &fix.edits)?))
        }));
        let Some(first) = batch.first() else { break };
        let first_key = (first.0.rule, first.0.message.clone());
        // `None`: the database lost the file; `Some(None)`: refused (the text is put back).
        let attempt = |fixes: &[Candidate<'_, '_>]| -> Option<Option<(String, Vec<Diagnostic>)>> {
            let edits: Vec<(Range<usize>, &str)> =
                fixes.iter().flat_map(|(_, e)| e.iter().cloned()).collect();
            let Some(text) = apply(&out.text, &edits) else {
                return Some(None);
            };
            if text == out.text {
                return Some(None);
            }
            if !set_text(&text) {
                return None; // The database lost the file: nothing more can be checked.
            }
            let after = lint(db, id, knowledge, settings);
            if checks_out(&diags, &after, fixes.iter().map(|(d, _)| *d)) {
                Some(Some((text, after)))
            } else {
                set_text(&out.text);
                Some(None)
            }
        };
        let kept = if batch.len() > 1 {
            match attempt(&batch) {
                None => break,
                Some(Some(k)) => Some((k, batch.iter().map(|(d, _)| d.rule).collect())),
                Some(None) => None,
            }
        } else {
            None
        };
        let kept = match kept {
            Some(k) => Some(k),
            None => match attempt(&batch[..1]) {
                None => break,
                Some(k) => k.map(|k| (k, vec![first_key.0])),
            },
        };
        match kept {
            Some(((text, after), rules)) => {
                out.fixed.extend(rules);
                out.text = text;
                diags = after;
            }
            None => out.withheld.push(first_key),
        }
    }
    for d in &mut diags {
        if is_withheld(&out.withheld, d) {
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

    #[test]
    fn a_round_takes_the_fixes_whose_edits_neither_overlap_nor_touch() {
        use crate::diagnostic::Severity;
        use crate::source::Location;
        let d = Diagnostic::with_id(
            "x/y",
            Severity::Warning,
            Location::new(FileId(0), 0..1),
            "m",
        );
        let fixes = vec![
            (&d, vec![(0..2, "")]),
            (&d, vec![(2..2, "a")]), // touches the first: next round
            (&d, vec![(3..4, "b")]),
            (&d, vec![(5..6, ""), (1..1, "c")]), // one edit inside the first
            (&d, vec![(5..6, "d")]),
        ];
        let taken: Vec<_> = non_overlapping(fixes.into_iter())
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        assert_eq!(
            taken,
            vec![vec![(0..2, "")], vec![(3..4, "b")], vec![(5..6, "d")]]
        );
    }
}
