//! Hover: on a rule name inside a `# cachelint: ignore[...]` comment, and on a finding's range,
//! the rule's documentation (its page under `docs/rules/`, as `cachelint explain` prints it).

use std::ops::Range;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position, Uri};

use crate::engine::selector_matches;
use crate::rules::Registry;

use super::positions::Lines;
use super::state::Session;

/// The rule names of an ignore comment on `line` (byte ranges in the line).
fn ignore_names(line: &str) -> Vec<Range<usize>> {
    let mut out = vec![];
    let Some(hash) = line.find('#') else {
        return out;
    };
    for (at, _) in line[hash..].match_indices("cachelint:") {
        let rest_at = hash + at + "cachelint:".len();
        let rest = &line[rest_at..];
        let lead = rest.len() - rest.trim_start().len();
        let after = &rest[lead..];
        let word = if after.starts_with("ignore-file[") {
            "ignore-file["
        } else if after.starts_with("ignore[") {
            "ignore["
        } else {
            continue;
        };
        let list_at = rest_at + lead + word.len();
        let list = &line[list_at..];
        let end = list.find(']').unwrap_or(list.len());
        let mut offset = 0;
        for part in list[..end].split(',') {
            let start = part.len() - part.trim_start().len();
            let name = part.trim();
            if !name.is_empty() {
                let from = list_at + offset + start;
                out.push(from..from + name.len());
            }
            offset += part.len() + 1;
        }
    }
    out
}

/// The documentation shown for a rule selector: the rule's page, or for a prefix the rules it
/// names.
fn docs_for(selector: &str) -> Option<String> {
    let registry = Registry::builtin();
    if let Some(r) = registry.get(selector) {
        return Some(r.doc());
    }
    let named: Vec<String> = registry
        .rules
        .iter()
        .filter(|r| selector_matches(selector, r.id))
        .map(|r| format!("- `{}`: {}", r.id, r.summary))
        .collect();
    (!named.is_empty()).then(|| format!("`{selector}` names these rules:\n\n{}", named.join("\n")))
}

/// The hover's Markdown text, marked `plaintext` for a client that reads no Markdown (the
/// source of a rule's page reads well as it is).
fn markup(markdown: bool, value: String, range: lsp_types::Range) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: if markdown {
                MarkupKind::Markdown
            } else {
                MarkupKind::PlainText
            },
            value,
        }),
        range: Some(range),
    }
}

/// The hover at `pos` of the document `uri`.
pub fn hover(session: &mut Session, uri: &Uri, pos: Position) -> Option<Hover> {
    let enc = session.encoding;
    let md = session.hover_markdown;
    let text = session.get(uri)?.text.clone();
    let lines = Lines::new(&text);
    let offset = lines.offset(pos, enc);
    let line = lines.line_span(pos.line as usize)?;
    for name in ignore_names(&text[line.clone()]) {
        let span = line.start + name.start..line.start + name.end;
        if span.start <= offset && offset <= span.end {
            let doc = docs_for(&text[span.clone()])?;
            return Some(markup(md, doc, lines.range(&span, enc)));
        }
    }
    let linted = session.lint(uri)?;
    let hit: Vec<_> = linted
        .diags
        .iter()
        .filter(|d| d.primary.span.start <= offset && offset <= d.primary.span.end)
        .collect();
    let first = hit.first()?;
    let mut parts = vec![];
    for d in &hit {
        let mut part = format!("**{}** `{}`: {}", d.severity, d.rule, d.message);
        if let Some(h) = &d.help {
            part.push_str(&format!("\n\n{h}"));
        }
        if let Some(doc) = docs_for(d.rule) {
            part.push_str("\n\n---\n\n");
            part.push_str(&doc);
        }
        parts.push(part);
    }
    Some(markup(
        md,
        parts.join("\n\n---\n\n"),
        lines.range(&first.primary.span, enc),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_ignore_comments() {
        let line = "  - run: nox # cachelint: ignore[nox/cache-missing,  nox/key] why";
        let names: Vec<&str> = ignore_names(line).into_iter().map(|r| &line[r]).collect();
        assert_eq!(names, ["nox/cache-missing", "nox/key"]);
        let line = "# cachelint: ignore-file[suppression/unused";
        let names: Vec<&str> = ignore_names(line).into_iter().map(|r| &line[r]).collect();
        assert_eq!(names, ["suppression/unused"]);
        assert!(ignore_names("run: nox # cachelint: noqa").is_empty());
        assert!(ignore_names("cachelint: ignore[x]").is_empty());
    }

    #[test]
    fn docs_for_ids_and_prefixes() {
        let doc = docs_for("nox/cache-missing").unwrap();
        assert_eq!(
            doc,
            Registry::builtin().get("nox/cache-missing").unwrap().doc()
        );
        assert!(doc.contains("## What it does"));
        let prefix = docs_for("nox/key-missing").unwrap();
        assert!(prefix.contains("`nox/key-missing-hash`"));
        assert!(!prefix.contains("`nox/cache-missing`"));
        assert_eq!(docs_for("nope"), None);
    }
}
