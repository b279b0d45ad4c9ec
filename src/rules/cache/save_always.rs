//! The fixes of `cache/deprecated-action`'s `save-always` finding on `actions/cache`.
//!
//! `save-always: true` becomes the replacement actions/cache documents (its `save/README.md`,
//! "Always save cache"): the step becomes `actions/cache/restore` (same ref, same `id:`, its
//! `if:`, `restore-keys`, `lookup-only`, `fail-on-cache-miss` and the rest kept, `save-always`
//! and `upload-chunk-size` taken out: the restore action has neither), and a step
//!
//! ```yaml
//! - uses: actions/cache/save@<same ref>
//!   if: always() && steps.<id>.outcome == 'success' && steps.<id>.outputs.cache-hit != 'true'
//!   with:
//!     path: <the path, as written>
//!     key: ${{ steps.<id>.outputs.cache-primary-key }}
//!     enableCrossOsArchive / upload-chunk-size: <as written, when the step had them>
//! ```
//!
//! goes after the job's last step. That is what the original step's post step did, made to
//! run after a failure too: it saved, once the job was over, under the key computed when the
//! cache was restored (`cache-primary-key`: the key text evaluated again at the end of the job
//! can differ when it hashes files the job changed), and not after an exact hit. The save runs
//! only when the restore step ran and succeeded (`outcome`): a restore skipped by its `if:` or
//! by an earlier failure restored nothing to save, and the step's `if:` is not evaluated a
//! second time at the end of the job, where it can mean something else. A step with no `id:`
//! gets one (`cache-restore`, made unique in the job). The end of the job is always after the
//! steps that write the cached path: which step last writes it is not known from the text.
//!
//! When the ref is a release that no longer works, the restore and save steps get the current
//! release (the ref bump's edits are part of this fix), so the fix never makes two broken
//! steps; when that bump cannot be made, there is no fix.
//!
//! No fix when the value is not the literal `true` (an expression, `false`: that one is simply
//! deleted, a safe fix of its own), in a composite action's file (its caller's job goes on
//! after it), for a step in a `parallel:` group, a step or a last step reached through an
//! alias or written as a flow mapping (or in a flow sequence), a `with:` that is an alias or
//! holds one or an anchor used elsewhere, a path that reads a step-level `env:`, or a step
//! whose lines are not laid out plainly (see [`step_lines`]).

use std::ops::Range;

use crate::diagnostic::{Applicability, Edit, Fix};
use crate::rules::Context;
use crate::rules::edit::{StepLines, placement, step_lines};
use crate::workflow::{FileKind, Job, Step, StepKind};
use crate::yaml::{Kind, Node, Style};

/// Inputs of `actions/cache` that go to the save step too (they change the cache version or
/// only the save reads them), and those that go to it only (`actions/cache/restore` has no
/// `upload-chunk-size`: see restore/action.yml and save/action.yml of actions/cache).
const COPIED: [&str; 1] = ["enableCrossOsArchive"];
const MOVED: [&str; 1] = ["upload-chunk-size"];
const REMOVED: &str = "save-always";

/// The start of the line `at` is on.
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The start of the line after the one `at` is on (the text's end on the last line).
fn next_line(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// The end of the value `node` as written: past a quoted scalar's closing quote.
fn value_end(text: &str, node: &Node<'_>) -> usize {
    let end = node.span.end;
    if let Kind::Scalar(_, Style::SingleQuoted | Style::DoubleQuoted) = node.kind {
        let close = if matches!(node.kind, Kind::Scalar(_, Style::SingleQuoted)) {
            b'\''
        } else {
            b'"'
        };
        if text.as_bytes().get(end.wrapping_sub(1)) != Some(&close)
            && text.as_bytes().get(end) == Some(&close)
        {
            return end + 1;
        }
    }
    end
}

/// Whether only spaces and a comment follow `at` on its line.
fn rest_of_line_is_blank(text: &str, at: usize) -> bool {
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let rest = text[at..end].trim();
    rest.is_empty() || rest.starts_with('#')
}

/// One input of `with:`: its name, its text as written (`path: x`, from the key to the end of
/// the value), and, in a block mapping, its whole lines.
struct Entry<'t> {
    name: String,
    text: &'t str,
    /// The column of its key.
    column: usize,
    lines: Range<usize>,
    /// How its value is written.
    style: Style,
}

/// A step's `with:` as written.
struct With<'t> {
    /// Its text and where it is.
    text: &'t str,
    span: Range<usize>,
    entries: Vec<Entry<'t>>,
    /// Whether it is a flow mapping (`{path: x, key: y}`).
    flow: bool,
}

/// The `with:` of `step`, entry by entry; `None` when it is not plainly written in the linted
/// file (an alias, an anchor used elsewhere, a value that is not a scalar, a block entry that
/// does not start its line or is followed by more than a comment, a flow mapping over several
/// lines).
fn with_entries<'t>(cx: &Context<'t>, step: &Step<'_>) -> Option<With<'t>> {
    let text = cx.text;
    let with = step.node.get("with")?;
    if with.alias.is_some() {
        return None;
    }
    let Kind::Map(entries) = &with.kind else {
        return None;
    };
    let flow = text.get(with.span.clone())?.starts_with('{');
    if flow && text.get(with.span.clone())?.contains(['\n', '\r']) {
        return None;
    }
    let mut out = vec![];
    for (k, v) in entries {
        if k.alias.is_some() || v.alias.is_some() {
            return None;
        }
        let (shared, _) = placement(text, cx.workflow.root, v);
        let Kind::Scalar(_, style) = v.kind else {
            return None;
        };
        if shared {
            return None;
        }
        let name = k.as_str()?;
        let end = value_end(text, v);
        let entry = text.get(k.span.start..end)?;
        let lines = if flow {
            k.span.start..end
        } else {
            let first = line_start(text, k.span.start);
            if !text[first..k.span.start].bytes().all(|b| b == b' ')
                || !rest_of_line_is_blank(text, end)
            {
                return None;
            }
            first..next_line(text, end)
        };
        out.push(Entry {
            name: name.to_string(),
            text: entry,
            column: k.span.start - line_start(text, k.span.start),
            lines,
            style,
        });
    }
    Some(With {
        text: text.get(with.span.clone())?,
        span: with.span.clone(),
        entries: out,
        flow,
    })
}

/// A flow mapping of `entries`, padded inside its braces as `original` is (`{ a: b }` or
/// `{a: b}`).
fn flow_map(original: &str, entries: &[&str]) -> String {
    let pad = if original.starts_with("{ ") { " " } else { "" };
    format!("{{{pad}{}{pad}}}", entries.join(", "))
}

/// The edits that take the entries named in `names` out of the `with:` of a step: their lines
/// in a block mapping, or the flow mapping written again without them.
fn remove_entries(cx: &Context<'_>, with: &With<'_>, names: &[&str]) -> Vec<Edit> {
    let gone = |e: &Entry<'_>| names.contains(&e.name.as_str());
    if !with.entries.iter().any(gone) {
        return vec![];
    }
    if with.flow {
        let kept: Vec<&str> = with
            .entries
            .iter()
            .filter(|e| !gone(e))
            .map(|e| e.text)
            .collect();
        return vec![Edit::replace(
            cx.at(with.span.clone()),
            flow_map(with.text, &kept),
        )];
    }
    let text = cx.text;
    with.entries
        .iter()
        .filter(|e| gone(e))
        .map(|e| {
            let mut lines = e.lines.clone();
            // The file's last line, with no line ending: the one before gives up its own, so
            // the file still ends without one.
            if lines.end == text.len() && !text.ends_with('\n') {
                let before = &text[..lines.start];
                let eol = if before.ends_with("\r\n") {
                    2
                } else {
                    usize::from(before.ends_with('\n'))
                };
                lines.start -= eol;
            }
            Edit::replace(cx.at(lines), "")
        })
        .collect()
}

/// Whether `id` can be read as `steps.<id>` in an expression.
fn plain_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The safe fix of `save-always: false`: the entry deleted (it asks for the default).
pub(super) fn remove_false(cx: &Context<'_>, step: &Step<'_>, value: &Node<'_>) -> Option<Fix> {
    if value.as_str()? != "false" {
        return None;
    }
    let with = with_entries(cx, step)?;
    // A `with:` with nothing else is left alone: the step is broken anyway.
    if with.entries.len() < 2 {
        return None;
    }
    let edits = remove_entries(cx, &with, &[REMOVED]);
    (!edits.is_empty()).then(|| Fix {
        title: "remove `save-always: false` (the default)".into(),
        applicability: Applicability::Safe,
        edits,
    })
}

/// The unsafe fix of `save-always: true` (see the module docs). `bump` is the fix of the
/// step's ref when it is a release that no longer works (`deprecated`), if one can be made.
pub(super) fn split(
    cx: &Context<'_>,
    job: &Job<'_>,
    step: &Step<'_>,
    value: &Node<'_>,
    deprecated: bool,
    bump: Option<&Fix>,
) -> Option<Fix> {
    let text = cx.text;
    if value.as_str()? != "true" || value.alias.is_some() || cx.workflow.kind == FileKind::Action {
        return None;
    }
    if deprecated && bump.is_none() {
        return None;
    }
    let StepKind::Uses { uses, .. } = &step.kind else {
        return None;
    };
    let steps = job.steps();
    let alone = |s: &Step<'_>| steps.iter().filter(|o| o.order == s.order).count() == 1;
    let last = steps.last()?;
    if !alone(step) || !alone(last) {
        return None;
    }
    let root = cx.workflow.root;
    for node in [step.node, last.node] {
        let (shared, in_flow) = placement(text, root, node);
        if shared || in_flow || text.get(node.span.start..)?.starts_with('{') {
            return None;
        }
    }
    let from: StepLines = step_lines(text, step.node)?;
    let to: StepLines = step_lines(text, last.node)?;
    if from.dash != to.dash || from.gap != to.gap {
        return None;
    }
    let (first, rest, eol) = (to.first_prefix(), to.rest_prefix(), to.eol);

    // `uses:`: `actions/cache@REF` to `actions/cache/restore@REF`, and the save's text.
    let node = uses.node;
    if node.alias.is_some() {
        return None;
    }
    let uses_key = step
        .node
        .as_map()?
        .iter()
        .find(|(k, _)| k.as_str() == Some("uses"))
        .map(|(k, _)| k)?;
    if uses_key.span.start - line_start(text, uses_key.span.start) != from.dash + from.gap {
        return None;
    }
    let written = text.get(node.span.clone())?;
    let at = node.span.start + written.rfind('@')?;
    let name_start = node.span.start + usize::from(written.starts_with(['"', '\'']));
    if !text
        .get(name_start..at)?
        .eq_ignore_ascii_case("actions/cache")
    {
        return None;
    }
    let uses_end = value_end(text, node);
    if !rest_of_line_is_blank(text, uses_end) {
        return None;
    }
    let line_end = text[uses_end..].find('\n').map(|i| uses_end + i)?;
    let line_content_end = uses_end + text[uses_end..line_end].trim_end().len();
    let segment = &text[node.span.start..line_content_end];
    let mut edits: Vec<Edit> = vec![Edit::insert(cx.file, at, "/restore")];
    let mut relative: Vec<(Range<usize>, &str)> =
        vec![(at - node.span.start..at - node.span.start, "/save")];
    let mut release = None;
    if let Some(b) = bump {
        for e in &b.edits {
            let r = &e.location.span;
            if e.location.file != cx.file || r.start <= at || r.end > line_content_end {
                return None;
            }
            relative.push((
                r.start - node.span.start..r.end - node.span.start,
                e.content.as_str(),
            ));
            edits.push(e.clone());
        }
        release = b
            .title
            .rsplit_once('@')
            .map(|(_, r)| r.trim_end_matches('`'));
    }
    let save_uses = crate::fix::apply(segment, &relative)?;

    // `id:`: kept, or one made for the restore step, after its `uses:` line.
    let id = match &step.id {
        Some(id) => {
            if id.node.alias.is_some() || !plain_id(id.value) {
                return None;
            }
            id.value.to_string()
        }
        None => {
            let taken = |c: &str| {
                steps
                    .iter()
                    .any(|s| s.id.is_some_and(|i| i.value.eq_ignore_ascii_case(c)))
            };
            let mut id = "cache-restore".to_string();
            let mut n = 2;
            while taken(&id) {
                id = format!("cache-restore-{n}");
                n += 1;
            }
            edits.push(Edit::insert(
                cx.file,
                line_end + 1,
                format!("{rest}id: {id}{eol}"),
            ));
            id
        }
    };

    // `with:`: path and key required; what goes to the save step.
    let with = with_entries(cx, step)?;
    let path = with.entries.iter().rfind(|e| e.name == "path")?;
    let key = with.entries.iter().rfind(|e| e.name == "key")?;
    let copied: Vec<&Entry<'_>> = with
        .entries
        .iter()
        .filter(|e| COPIED.contains(&e.name.as_str()) || MOVED.contains(&e.name.as_str()))
        .collect();
    // A path that reads the step's own `env:` would mean something else on the save step.
    let reads_env = std::iter::once(path)
        .chain(copied.iter().copied())
        .any(|e| e.text.contains("env."));
    if reads_env && (step.env.dynamic || !step.env.vars.is_empty()) {
        return None;
    }
    let mut remove = vec![REMOVED];
    remove.extend(MOVED);
    edits.extend(remove_entries(cx, &with, &remove));

    // The save step.
    let primary = format!("${{{{ steps.{id}.outputs.cache-primary-key }}}}");
    let mut lines = vec![];
    let named = steps.iter().filter(|s| s.name.is_some()).count();
    if 2 * named > steps.len() {
        lines.push(format!("{first}name: Save the cache"));
        lines.push(format!("{rest}uses: {save_uses}"));
    } else {
        lines.push(format!("{first}uses: {save_uses}"));
    }
    lines.push(format!(
        "{rest}if: always() && steps.{id}.outcome == 'success' && steps.{id}.outputs.cache-hit != 'true'"
    ));
    let mut content = lines.join(eol);
    content.push_str(eol);
    if with.flow {
        // Quoted as the key was (an expression cannot be a plain scalar in a flow mapping).
        let key_text = match key.style {
            Style::SingleQuoted => format!("key: '{primary}'"),
            _ => format!("key: \"{primary}\""),
        };
        let mut parts = vec![path.text.to_string(), key_text];
        parts.extend(copied.iter().map(|e| e.text.to_string()));
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        content.push_str(&format!("{rest}with: {}{eol}", flow_map(with.text, &parts)));
    } else {
        let indent = path.column;
        content.push_str(&format!("{rest}with:{eol}"));
        let chunk = |content: &mut String, r: &Range<usize>| {
            let t = &text[r.clone()];
            content.push_str(t);
            if !t.ends_with('\n') {
                content.push_str(eol);
            }
        };
        chunk(&mut content, &path.lines);
        content.push_str(&format!("{}key: {primary}{eol}", " ".repeat(indent)));
        for e in &copied {
            chunk(&mut content, &e.lines);
        }
    }
    // Set apart by a blank line when the last step is set apart from the one before it.
    let before = text[..to.start].trim_end();
    let above = &text[before.rfind('\n').map_or(0, |i| i + 1)..before.len()];
    if text[before.len()..to.start].matches('\n').count() >= 2
        && !above.trim_end().ends_with("steps:")
    {
        content.insert_str(0, eol);
    }
    // A last step without a line ending: the new step starts a line and ends without one.
    if to.end == text.len() && !text.ends_with('\n') {
        content.insert_str(0, eol);
        content.truncate(content.len() - eol.len());
    }
    edits.push(Edit::insert(cx.file, to.end, content));
    let at_release = release.map(|r| format!(" at `{r}`")).unwrap_or_default();
    Some(Fix {
        title: format!(
            "replace `save-always` with `actions/cache/restore` and an `if: always()` `actions/cache/save` step at the end of the job{at_release}"
        ),
        applicability: Applicability::Unsafe,
        edits,
    })
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Applicability;
    use crate::engine::{Settings, lint_buffer};
    use crate::knowledge::Knowledge;
    use crate::rules::registry::Registry;
    use crate::source::SourceFile;

    /// The fix of the `save-always` finding in the file `name` holding `text`: its
    /// applicability and the text with its edits applied; `None` when there is no finding or
    /// no fix. Panics when there is no finding at all.
    fn fix_in(name: &str, text: &str) -> Option<(Applicability, String)> {
        let k = Knowledge::load().expect("rule data loads");
        let (_, _, d) = lint_buffer(
            SourceFile::from_text(name, text.to_string()),
            &k,
            &Settings::all(Registry::builtin()),
        );
        let d = d
            .iter()
            .find(|d| d.message.contains("`save-always`"))
            .expect("a save-always finding");
        let fix = d.fix.as_ref()?;
        let edits: Vec<(std::ops::Range<usize>, &str)> = fix
            .edits
            .iter()
            .map(|e| (e.location.span.clone(), e.content.as_str()))
            .collect();
        Some((fix.applicability, crate::fix::apply(text, &edits)?))
    }

    fn fix(text: &str) -> Option<(Applicability, String)> {
        fix_in(".github/workflows/ci.yml", text)
    }

    fn job(steps: &str) -> String {
        format!("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n{steps}")
    }

    const CACHE: &str = "      - uses: actions/cache@v4\n        with:\n          path: ~/.cache/pip\n          key: pip-${{ hashFiles('r.txt') }}\n          restore-keys: pip-\n          save-always: true\n";
    const SAVE: &str = "      - uses: actions/cache/save@v4\n        if: always() && steps.cache-restore.outcome == 'success' && steps.cache-restore.outputs.cache-hit != 'true'\n        with:\n          path: ~/.cache/pip\n          key: ${{ steps.cache-restore.outputs.cache-primary-key }}\n";

    #[test]
    fn the_step_is_split_into_a_restore_and_a_save_at_the_end_of_the_job() {
        let text = job(&format!(
            "      - uses: actions/checkout@v4\n{CACHE}      - run: pip install -r r.txt\n      - run: pytest\n"
        ));
        let (a, fixed) = fix(&text).expect("a fix");
        assert_eq!(a, Applicability::Unsafe);
        assert_eq!(
            fixed,
            job(&format!(
                "      - uses: actions/checkout@v4\n      - uses: actions/cache/restore@v4\n        id: cache-restore\n        with:\n          path: ~/.cache/pip\n          key: pip-${{{{ hashFiles('r.txt') }}}}\n          restore-keys: pip-\n      - run: pip install -r r.txt\n      - run: pytest\n{SAVE}"
            ))
        );
    }

    #[test]
    fn crlf_a_missing_final_newline_and_a_last_cache_step() {
        let text = job(CACHE).replace('\n', "\r\n");
        let text = text.strip_suffix("\r\n").expect("an ending").to_string();
        let (_, fixed) = fix(&text).expect("a fix");
        let want = job(&format!(
            "      - uses: actions/cache/restore@v4\n        id: cache-restore\n        with:\n          path: ~/.cache/pip\n          key: pip-${{{{ hashFiles('r.txt') }}}}\n          restore-keys: pip-\n{SAVE}"
        ))
        .replace('\n', "\r\n");
        assert_eq!(fixed, want.strip_suffix("\r\n").expect("an ending"));
    }

    #[test]
    fn an_id_is_kept_and_a_new_one_does_not_collide() {
        let text = job(&format!(
            "{}      - id: cache-restore\n        run: pytest\n",
            CACHE.replace(
                "- uses: actions/cache@v4\n",
                "- id: pip\n        uses: actions/cache@v4\n"
            )
        ));
        let (_, fixed) = fix(&text).expect("a fix");
        assert!(
            fixed.contains("- id: pip\n        uses: actions/cache/restore@v4\n        with:"),
            "{fixed}"
        );
        assert!(
            fixed.contains(
                "steps.pip.outcome == 'success' && steps.pip.outputs.cache-hit != 'true'"
            ),
            "{fixed}"
        );
        let text = job(&format!(
            "{CACHE}      - id: cache-restore\n        run: pytest\n"
        ));
        let (_, fixed) = fix(&text).expect("a fix");
        assert!(fixed.contains("id: cache-restore-2\n"), "{fixed}");
        assert!(
            fixed.contains("key: ${{ steps.cache-restore-2.outputs.cache-primary-key }}"),
            "{fixed}"
        );
    }

    #[test]
    fn inputs_go_where_the_sub_actions_take_them() {
        let text = job(&CACHE.replace(
            "          save-always: true\n",
            "          save-always: true # please\n          upload-chunk-size: 1000\n          enableCrossOsArchive: true\n          lookup-only: false\n",
        ));
        let (_, fixed) = fix(&text).expect("a fix");
        assert_eq!(
            fixed,
            job(
                "      - uses: actions/cache/restore@v4\n        id: cache-restore\n        with:\n          path: ~/.cache/pip\n          key: pip-${{ hashFiles('r.txt') }}\n          restore-keys: pip-\n          enableCrossOsArchive: true\n          lookup-only: false\n      - uses: actions/cache/save@v4\n        if: always() && steps.cache-restore.outcome == 'success' && steps.cache-restore.outputs.cache-hit != 'true'\n        with:\n          path: ~/.cache/pip\n          key: ${{ steps.cache-restore.outputs.cache-primary-key }}\n          upload-chunk-size: 1000\n          enableCrossOsArchive: true\n"
            )
        );
    }

    #[test]
    fn a_flow_with_keeps_its_quoting() {
        let text = job(
            "      - uses: actions/cache@v4\n        with: {path: \"~/.cache/pip\", key: 'pip-${{ hashFiles(''r.txt'') }}', save-always: true}\n      - run: pytest\n",
        );
        let (_, fixed) = fix(&text).expect("a fix");
        assert!(
            fixed.contains("        with: {path: \"~/.cache/pip\", key: 'pip-${{ hashFiles(''r.txt'') }}'}\n      - run: pytest\n"),
            "{fixed}"
        );
        assert!(
            fixed.ends_with("        with: {path: \"~/.cache/pip\", key: '${{ steps.cache-restore.outputs.cache-primary-key }}'}\n"),
            "{fixed}"
        );
    }

    #[test]
    fn a_dead_release_is_bumped_in_both_steps() {
        let text = job(&format!(
            "{}      - run: pytest\n",
            CACHE.replace(
                "actions/cache@v4",
                "actions/cache@13aacd865c20de90d75de3b17ebe84f7a17d57d2 # v4.0.0"
            )
        ));
        let (_, fixed) = fix(&text).expect("a fix");
        assert!(
            fixed.contains(
                "- uses: actions/cache/restore@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0\n"
            ),
            "{fixed}"
        );
        assert!(
            fixed.contains(
                "- uses: actions/cache/save@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0\n"
            ),
            "{fixed}"
        );
        // A working SHA keeps its SHA and comment.
        let sha = "actions/cache@0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0";
        let text = job(&format!(
            "{}      - run: pytest\n",
            CACHE.replace("actions/cache@v4", sha)
        ));
        let (_, fixed) = fix(&text).expect("a fix");
        assert!(
            fixed.contains(
                "- uses: actions/cache/restore@0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0\n"
            ),
            "{fixed}"
        );
        assert!(
            fixed.contains(
                "- uses: actions/cache/save@0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0\n"
            ),
            "{fixed}"
        );
    }

    #[test]
    fn named_steps_get_a_named_save_and_blank_lines_are_followed() {
        let text = job(
            "      - name: Cache\n        uses: actions/cache@v4\n        with:\n          path: x\n          key: k\n          save-always: true\n\n      - name: Test\n        run: pytest\n",
        );
        let (_, fixed) = fix(&text).expect("a fix");
        assert!(
            fixed.ends_with("      - name: Test\n        run: pytest\n\n      - name: Save the cache\n        uses: actions/cache/save@v4\n        if: always() && steps.cache-restore.outcome == 'success' && steps.cache-restore.outputs.cache-hit != 'true'\n        with:\n          path: x\n          key: ${{ steps.cache-restore.outputs.cache-primary-key }}\n"),
            "{fixed}"
        );
    }

    #[test]
    fn a_quoted_uses_keeps_its_quotes() {
        let text = job(&format!(
            "{}      - run: pytest\n",
            CACHE.replace("actions/cache@v4", "\"actions/cache@v4\"  # pinned by tag")
        ));
        let (_, fixed) = fix(&text).expect("a fix");
        assert!(
            fixed.contains(
                "- uses: \"actions/cache/restore@v4\"  # pinned by tag\n        id: cache-restore\n"
            ),
            "{fixed}"
        );
        assert!(
            fixed.contains("- uses: \"actions/cache/save@v4\"  # pinned by tag\n"),
            "{fixed}"
        );
        // Another action with the input is not rewritten.
        let text = job(&CACHE.replace("actions/cache@v4", "actions/cache/restore@v4"));
        let k = crate::knowledge::Knowledge::load().expect("rule data loads");
        let (_, _, d) = crate::engine::lint_buffer(
            crate::source::SourceFile::from_text(".github/workflows/ci.yml", text),
            &k,
            &crate::engine::Settings::all(crate::rules::registry::Registry::builtin()),
        );
        assert!(
            d.iter().all(|d| !d.message.contains("save-always")),
            "{d:#?}"
        );
    }

    #[test]
    fn false_is_deleted_safely() {
        let text = job(&CACHE.replace("save-always: true", "save-always: false"));
        let (a, fixed) = fix(&text).expect("a fix");
        assert_eq!(a, Applicability::Safe);
        assert_eq!(fixed, text.replace("          save-always: false\n", ""));
        let text = job(
            "      - uses: actions/cache@v4\n        with: { path: x, save-always: false, key: k }\n",
        );
        let (_, fixed) = fix(&text).expect("a fix");
        assert!(fixed.contains("with: { path: x, key: k }\n"), "{fixed}");
    }

    #[test]
    fn no_fix_where_the_edit_is_not_plain() {
        // An expression value.
        let text = job(&CACHE.replace(
            "save-always: true",
            "save-always: ${{ github.ref == 'refs/heads/main' }}",
        ));
        assert_eq!(fix(&text), None);
        // A one-line flow step.
        let text =
            job("      - {uses: actions/cache@v4, with: {path: x, key: k, save-always: true}}\n");
        assert_eq!(fix(&text), None);
        // A step shared through an anchor.
        let text = format!(
            "{}  other:\n    runs-on: ubuntu-latest\n    steps:\n      - *c\n",
            job(&CACHE.replace(
                "- uses: actions/cache@v4",
                "- &c\n        uses: actions/cache@v4"
            ))
        );
        assert_eq!(fix(&text), None);
        // A path through an alias.
        let text = format!(
            "x: &p ~/.cache/pip\n{}",
            job(&CACHE.replace("path: ~/.cache/pip", "path: *p"))
        );
        assert_eq!(fix(&text), None);
        // In a `parallel:` group, or with the last step in one.
        let text = job(&format!(
            "      - parallel:\n{}          - run: pytest\n",
            CACHE.replace("      ", "          ")
        ));
        assert_eq!(fix(&text), None);
        let text = job(&format!(
            "{CACHE}      - parallel:\n          - run: a\n          - run: b\n"
        ));
        assert_eq!(fix(&text), None);
        // A path that reads the step's own env.
        let text = job(&CACHE
            .replace("path: ~/.cache/pip", "path: ${{ env.D }}")
            .replace(
                "        with:\n",
                "        env:\n          D: x\n        with:\n",
            ));
        assert_eq!(fix(&text), None);
        // A composite action: its caller's job goes on after it.
        let action = format!(
            "name: a\nruns:\n  using: composite\n  steps:\n{}    - run: pytest\n      shell: bash\n",
            CACHE.replace("      ", "    ")
        );
        assert_eq!(fix_in(".github/actions/a/action.yml", &action), None);
    }
}
