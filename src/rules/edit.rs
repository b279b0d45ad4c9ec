//! Building the edits of fixes from the AST: exact byte edits that keep everything around them
//! (ruff's model; see `crate::fix` for how they are applied and checked).

use crate::diagnostic::Edit;
use crate::source::{FileId, Location};
use crate::yaml::{Kind, Node, Style};

/// An edit that appends `addition` to the scalar `node` of the file `file` (text `text`), as
/// written: after a plain scalar, before a quoted one's closing quote (doubling `'` inside
/// single quotes), after a block scalar's only line. `None` when the scalar came through an
/// alias (the edit would change every use of the anchor), spans lines, is written with escapes
/// or folding, or the addition cannot be written in its style.
pub fn append_to_scalar(text: &str, file: FileId, node: &Node<'_>, addition: &str) -> Option<Edit> {
    if node.alias.is_some() {
        return None;
    }
    let Kind::Scalar(value, style) = &node.kind else {
        return None;
    };
    let source = text.get(node.span.clone())?;
    if source.contains(['\n', '\r']) && !matches!(style, Style::Literal | Style::Folded) {
        return None;
    }
    match style {
        Style::Plain => {
            if source != value.as_ref() || addition.contains(" #") || addition.contains(": ") {
                return None;
            }
            Some(Edit::insert(file, node.span.end, addition))
        }
        Style::SingleQuoted | Style::DoubleQuoted => {
            let quote = if *style == Style::SingleQuoted {
                '\''
            } else {
                '"'
            };
            let inner = source.strip_prefix(quote)?.strip_suffix(quote)?;
            let plain_inner = match style {
                Style::SingleQuoted => inner.replace("''", "'"),
                _ if inner.contains('\\') => return None,
                _ => inner.to_string(),
            };
            if plain_inner != value.as_ref() {
                return None;
            }
            let written = match style {
                Style::SingleQuoted => addition.replace('\'', "''"),
                _ if addition.contains(['"', '\\']) => return None,
                _ => addition.to_string(),
            };
            Some(Edit::insert(file, node.span.end - 1, written))
        }
        Style::Literal | Style::Folded => {
            // The span holds the content lines, trimmed: one line only.
            if source.contains(['\n', '\r']) || value.trim_end() != source {
                return None;
            }
            Some(Edit::insert(file, node.span.end, addition))
        }
    }
}

/// An edit that inserts ` word` right after the word that ends at `at`'s span in the linted
/// file `text` (an option after a command's tool word), when that is plainly a word there.
pub fn insert_after_word(text: &str, file: FileId, at: &Location, word: &str) -> Option<Edit> {
    if at.file != file {
        return None;
    }
    let end = at.span.end;
    let before = text.get(..end)?.chars().next_back()?;
    let after = text.get(end..)?.chars().next();
    let word_char = |c: char| c.is_alphanumeric() || matches!(c, ']' | '_' | '-' | '.');
    if !word_char(before) || after.is_some_and(word_char) {
        return None;
    }
    Some(Edit::insert(file, end, format!(" {word}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(yaml: &str) -> (String, Option<String>) {
        let doc = crate::yaml::parse(yaml);
        let root = doc.root.expect("a root");
        let node = root.get("k").expect("k").clone();
        let edit = append_to_scalar(yaml, FileId(0), &node, "-X'y'");
        let fixed = edit.map(|e| {
            let mut t = yaml.to_string();
            t.replace_range(e.location.span.clone(), &e.content);
            t
        });
        (yaml.to_string(), fixed)
    }

    #[test]
    fn appends_in_each_style() {
        assert_eq!(scalar("k: a-b\n").1.as_deref(), Some("k: a-b-X'y'\n"));
        assert_eq!(
            scalar("k: \"a-b\" # c\n").1.as_deref(),
            Some("k: \"a-b-X'y'\" # c\n")
        );
        assert_eq!(
            scalar("k: 'a''b'\n").1.as_deref(),
            Some("k: 'a''b-X''y'''\n")
        );
        assert_eq!(
            scalar("k: |\n  a-b\n").1.as_deref(),
            Some("k: |\n  a-b-X'y'\n")
        );
        // Escapes, several lines and aliases are left alone.
        assert_eq!(scalar("k: \"a\\tb\"\n").1, None);
        assert_eq!(scalar("k: a\n  b\n").1, None);
        assert_eq!(scalar("x: &a v\nk: *a\n").1, None);
    }
}
