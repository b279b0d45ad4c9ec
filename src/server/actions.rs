//! Code actions: each finding's fix as a quick fix (preferred when safe), "fix all safe
//! problems" (`source.fixAll.cachelint`: what `cachelint check --fix` makes of the file), and
//! "ignore this rule here" (an ignore comment, placed where the suppression code finds it: each
//! candidate place is tried by linting the result, and the first that silences the finding
//! without a new finding wins).

use std::collections::HashMap;
use std::ops::Range;

use lsp_types::{CodeAction, CodeActionKind, TextEdit, Uri, WorkspaceEdit};

use crate::diagnostic::{Applicability, Diagnostic};
use crate::engine::{ALWAYS_REPORTED, lint};
use crate::fix::{FixMode, apply, fix_file};
use crate::source::{FileId, SourceFile};

use super::positions::{Encoding, Lines};
use super::state::{Linted, Session, to_lsp};

/// The kind of the fix-all action.
pub const FIX_ALL: &str = "source.fixAll.cachelint";

/// At most this many findings of one request get an "ignore" action: each costs a few lints
/// (one per place tried), and a request over a whole large file may touch hundreds.
pub const MAX_IGNORE_ACTIONS: usize = 8;

/// Whether an action of `kind` is wanted by a request's `only` list (kinds are hierarchical:
/// `source` asks for `source.fixAll.cachelint` too).
fn wanted(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    match only {
        None => true,
        Some(list) => list.iter().any(|k| {
            let k = k.as_str();
            kind == k || kind.strip_prefix(k).is_some_and(|r| r.starts_with('.'))
        }),
    }
}

fn edit_of(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

/// The byte edits of a finding's fix, when they are all in the linted file.
fn local_edits(id: FileId, d: &Diagnostic) -> Option<Vec<(Range<usize>, String)>> {
    d.fix
        .as_ref()?
        .edits
        .iter()
        .map(|e| (e.location.file == id).then(|| (e.location.span.clone(), e.content.clone())))
        .collect()
}

/// The code actions for the findings that touch `range` of the document `uri`, and the
/// fix-all action.
pub fn code_actions(
    session: &mut Session,
    uri: &Uri,
    range: lsp_types::Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeAction> {
    let enc = session.encoding;
    let Some(linted) = session.lint(uri) else {
        return vec![];
    };
    let Some(text) = session.get(uri).map(|d| d.text.clone()) else {
        return vec![];
    };
    let lines = Lines::new(&text);
    let span = lines.span(range, enc);
    let mut out = vec![];
    let quick = wanted(only, CodeActionKind::QUICKFIX.as_str());
    let mut ignores = 0;
    for d in &linted.diags {
        // The finding's range touches the request's (an empty range at either end counts).
        let p = &d.primary.span;
        if !(quick && p.start <= span.end && span.start <= p.end) {
            continue;
        }
        let lsp_diag = to_lsp(&linted.db, &lines, uri, d, enc);
        if let (Some(fix), Some(edits)) = (&d.fix, local_edits(linted.id, d))
            && fix.applicability != Applicability::DisplayOnly
        {
            let safe = fix.applicability == Applicability::Safe;
            let text_edits = edits.iter().map(|(r, c)| lines.edit(r, c, enc)).collect();
            out.push(CodeAction {
                title: if safe {
                    format!("Fix: {}", fix.title)
                } else {
                    format!("Fix (unsafe): {}", fix.title)
                },
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diag.clone()]),
                edit: Some(edit_of(uri, text_edits)),
                is_preferred: Some(safe),
                ..CodeAction::default()
            });
        }
        if ignores < MAX_IGNORE_ACTIONS
            && !ALWAYS_REPORTED.contains(&d.rule)
            && let Some((at, insert)) = ignore_edit(&linted, &text, d)
        {
            ignores += 1;
            let pos = lines.position(at, enc);
            out.push(CodeAction {
                title: format!("Ignore `{}` here (# cachelint: ignore)", d.rule),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diag]),
                edit: Some(edit_of(
                    uri,
                    vec![TextEdit::new(lsp_types::Range::new(pos, pos), insert)],
                )),
                is_preferred: Some(false),
                ..CodeAction::default()
            });
        }
    }
    // Fix-all lints the file once per fix tried: only when a safe fix exists.
    let safe_fix = linted.diags.iter().any(|d| {
        d.fix
            .as_ref()
            .is_some_and(|f| f.applicability == Applicability::Safe)
            && local_edits(linted.id, d).is_some()
    });
    if safe_fix && wanted(only, FIX_ALL) {
        if session.resolve_edits {
            // Computed by `codeAction/resolve` when chosen: it lints the file once per fix.
            out.push(fix_all_action(uri, None));
        } else if let Some(edit) = fix_all_edit(&linted, &text, enc) {
            out.push(fix_all_action(uri, Some(edit)));
        }
    }
    out
}

fn fix_all_action(uri: &Uri, edit: Option<TextEdit>) -> CodeAction {
    let data = edit
        .is_none()
        .then(|| serde_json::json!({ "uri": uri.as_str() }));
    CodeAction {
        title: "Fix all safe cachelint problems in this file".to_string(),
        kind: Some(CodeActionKind::from(FIX_ALL)),
        edit: edit.map(|e| edit_of(uri, vec![e])),
        data,
        ..CodeAction::default()
    }
}

/// `codeAction/resolve`: the fix-all action's edit, on the document's text now (an action of
/// another kind, or for a document no longer open, comes back as it was).
pub fn resolve(session: &mut Session, mut action: CodeAction) -> CodeAction {
    if action.kind != Some(CodeActionKind::from(FIX_ALL)) || action.edit.is_some() {
        return action;
    }
    let Some(uri) = action
        .data
        .as_ref()
        .and_then(|d| d.get("uri"))
        .and_then(|u| u.as_str())
        .and_then(|u| u.parse::<Uri>().ok())
    else {
        return action;
    };
    let enc = session.encoding;
    let (Some(linted), Some(text)) = (
        session.lint(&uri),
        session.get(&uri).map(|d| d.text.clone()),
    ) else {
        return action;
    };
    // No safe fix left: an empty edit.
    let edits = fix_all_edit(&linted, &text, enc).into_iter().collect();
    action.edit = Some(edit_of(&uri, edits));
    action
}

/// What `cachelint check --fix` makes of the text: the safe fixes, each checked by a lint.
pub fn fix_all_text(linted: &Linted) -> Option<String> {
    let fixed = fix_file(
        &linted.db,
        linted.id,
        &linted.knowledge,
        &linted.settings,
        FixMode {
            unsafe_fixes: false,
        },
    );
    fixed.changed().then_some(fixed.text)
}

/// The fix-all result as one edit: the changed middle of the text (the common start and end
/// are kept, so the editor's cursor and marks outside it stay).
fn fix_all_edit(linted: &Linted, text: &str, enc: Encoding) -> Option<TextEdit> {
    let new = fix_all_text(linted)?;
    let (span, content) = minimal_edit(text, &new);
    let lines = Lines::new(text);
    Some(lines.edit(&span, content, enc))
}

/// The bytes of `old` to replace, and with what, to make `new` (on character boundaries).
pub fn minimal_edit<'n>(old: &str, new: &'n str) -> (Range<usize>, &'n str) {
    let mut pre = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(pre) || !new.is_char_boundary(pre) {
        pre -= 1;
    }
    let max_suf = old.len().min(new.len()) - pre;
    let mut suf = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suf)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suf) || !new.is_char_boundary(new.len() - suf) {
        suf -= 1;
    }
    (pre..old.len() - suf, &new[pre..new.len() - suf])
}

/// Indentation of a line (spaces and tabs), `None` for a blank or comment-only line.
fn indent_of(line: &str) -> Option<usize> {
    let t = line.trim();
    (!t.is_empty() && !t.starts_with('#'))
        .then(|| line.len() - line.trim_start_matches([' ', '\t']).len())
}

/// The places an ignore comment for `d` could go, in order: after the finding's line, on a line
/// of its own above it, then the same on each line it is nested under (a step's `- run: |`
/// line, the step, the job).
fn candidates(text: &str, d: &Diagnostic) -> Vec<(usize, String)> {
    let lines = Lines::new(text);
    let ending = SourceFile::from_text("", text.to_string()).line_ending();
    let directive = format!("# cachelint: ignore[{}]", d.rule);
    let line = lines.position(d.primary.span.start, Encoding::Utf8).line as usize;
    let mut out = vec![];
    let mut push = |l: usize| {
        let Some(span) = lines.line_span(l) else {
            return;
        };
        let body = &text[span.clone()];
        if !body.contains('#') {
            out.push((span.end, format!("  {directive}")));
        }
        let indent = &body[..body.len() - body.trim_start_matches([' ', '\t']).len()];
        out.push((span.start, format!("{indent}{directive}{ending}")));
    };
    push(line);
    let mut depth = lines
        .line_span(line)
        .and_then(|s| indent_of(&text[s]))
        .unwrap_or(0);
    let mut parents = 0;
    for l in (0..line).rev() {
        if depth == 0 || parents >= 8 {
            break;
        }
        let Some(span) = lines.line_span(l) else {
            continue;
        };
        if let Some(ind) = indent_of(&text[span]).filter(|&i| i < depth) {
            push(l);
            depth = ind;
            parents += 1;
        }
    }
    out
}

/// The first candidate ignore comment (offset and text inserted) that the suppression code
/// reads as silencing `d`, with no finding added (checked by linting the result).
fn ignore_edit(linted: &Linted, text: &str, d: &Diagnostic) -> Option<(usize, String)> {
    let file = linted.db.get(linted.id)?;
    let count = |diags: &[Diagnostic], rule: &str| diags.iter().filter(|x| x.rule == rule).count();
    let same = |diags: &[Diagnostic]| {
        diags
            .iter()
            .filter(|x| x.rule == d.rule && x.message == d.message)
            .count()
    };
    let before = same(&linted.diags);
    let mut found = None;
    for (at, insert) in candidates(text, d) {
        let Some(new) = apply(text, &[(at..at, insert.as_str())]) else {
            continue;
        };
        let mut f = SourceFile::from_text(file.name.clone(), new);
        f.path = file.path.clone();
        linted.db.replace(linted.id, f);
        let after = lint(&linted.db, linted.id, &linted.knowledge, &linted.settings);
        let no_new = after
            .iter()
            .all(|a| count(&after, a.rule) <= count(&linted.diags, a.rule));
        if same(&after) < before && no_new {
            found = Some((at, insert));
            break;
        }
    }
    // The database goes back to the document's text.
    let mut f = SourceFile::from_text(file.name.clone(), text.to_string());
    f.path = file.path.clone();
    linted.db.replace(linted.id, f);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_edits_keep_the_common_ends() {
        assert_eq!(minimal_edit("abcdef", "abXYef"), (2..4, "XY"));
        assert_eq!(minimal_edit("abc", "abc"), (3..3, ""));
        assert_eq!(minimal_edit("aaa", "aaaa"), (3..3, "a"));
        assert_eq!(minimal_edit("", "x"), (0..0, "x"));
        // Never inside a character: `é` and `è` share their first byte.
        assert_eq!(minimal_edit("xé", "xè"), (1..3, "è"));
        let old = "a: 🚀\nb: 1\n";
        let new = "a: 🚀\nb: 1 # c\n";
        let (r, c) = minimal_edit(old, new);
        let mut t = old.to_string();
        t.replace_range(r, c);
        assert_eq!(t, new);
    }

    fn ignore_of(text: &str) -> String {
        let mut s = Session::new(Encoding::Utf16, Default::default()).unwrap();
        let uri: Uri = "file:///nowhere-cachelint-test/.github/workflows/ci.yml"
            .parse()
            .unwrap();
        s.open(uri.clone(), text.to_string(), 1);
        let all = lsp_types::Range::new(
            lsp_types::Position::new(0, 0),
            lsp_types::Position::new(99, 0),
        );
        let actions = code_actions(&mut s, &uri, all, None);
        let a = actions
            .iter()
            .find(|a| a.title.starts_with("Ignore `nox/cache-missing`"))
            .expect("an ignore action");
        let edit = &a.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri][0];
        let lines = Lines::new(text);
        let at = lines.offset(edit.range.start, Encoding::Utf16);
        let mut out = text.to_string();
        out.insert_str(at, &edit.new_text);
        out
    }

    #[test]
    fn ignore_comments_go_where_the_suppression_code_reads_them() {
        // Inside a block scalar a `#` is the script's: the comment goes on the `- run: |` line.
        let block = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          pip install nox\n          nox -s t\n";
        assert_eq!(
            ignore_of(block),
            block.replace(
                "- run: |",
                "- run: |  # cachelint: ignore[nox/cache-missing]"
            )
        );
        // A line that has a comment already: a line of its own above it.
        let commented = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s t # why\n";
        assert_eq!(
            ignore_of(commented),
            commented.replace(
                "      - run: nox",
                "      # cachelint: ignore[nox/cache-missing]\n      - run: nox"
            )
        );
    }

    #[test]
    fn a_request_over_many_findings_gets_a_bounded_number_of_ignore_actions() {
        let mut text = String::from("on: push\njobs:\n");
        for i in 0..10 {
            text.push_str(&format!(
                "  j{i}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: nox -s t{i}\n"
            ));
        }
        let mut s = Session::new(Encoding::Utf16, Default::default()).unwrap();
        let uri: Uri = "file:///nowhere-cachelint-test/.github/workflows/ci.yml"
            .parse()
            .unwrap();
        s.open(uri.clone(), text, 1);
        assert_eq!(s.diagnostics(&uri).unwrap().len(), 10);
        let all = lsp_types::Range::new(
            lsp_types::Position::new(0, 0),
            lsp_types::Position::new(99, 0),
        );
        let actions = code_actions(&mut s, &uri, all, None);
        let titles: Vec<&str> = actions.iter().map(|a| a.title.as_str()).collect();
        let ignores = titles.iter().filter(|t| t.starts_with("Ignore")).count();
        assert_eq!(ignores, MAX_IGNORE_ACTIONS, "{titles:#?}");
        // Each finding's (unsafe) fix is offered; no safe fix, so no fix-all.
        assert_eq!(
            titles
                .iter()
                .filter(|t| t.starts_with("Fix (unsafe)"))
                .count(),
            10
        );
        assert!(
            !actions
                .iter()
                .any(|a| a.kind == Some(CodeActionKind::from(FIX_ALL)))
        );
    }

    #[test]
    fn kinds_are_hierarchical() {
        let src = [CodeActionKind::SOURCE];
        assert!(wanted(Some(&src), FIX_ALL));
        assert!(!wanted(Some(&src), "quickfix"));
        assert!(wanted(Some(&[CodeActionKind::SOURCE_FIX_ALL]), FIX_ALL));
        assert!(!wanted(Some(&[CodeActionKind::from("sour")]), FIX_ALL));
        assert!(wanted(None, "quickfix"));
    }
}
