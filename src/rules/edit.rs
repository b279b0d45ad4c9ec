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

/// Where a step of a block sequence sits in the linted file `text`: what moving it whole, or
/// inserting a sibling before it, works with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepLines {
    /// The start of its first line, own-line comments right above it at its dash's column
    /// included.
    pub start: usize,
    /// The end of its last line, line ending included, with the comment lines indented deeper
    /// than its dash that follow it.
    pub end: usize,
    /// The dash's column.
    pub dash: usize,
    /// Columns from the dash to the step's keys (`- ` is 2).
    pub gap: usize,
    /// The file's line ending at the step (`\n` or `\r\n`).
    pub eol: &'static str,
}

impl StepLines {
    /// The first line of a sibling step: its dash, and the gap up to its keys.
    pub fn first_prefix(&self) -> String {
        format!("{}-{}", " ".repeat(self.dash), " ".repeat(self.gap - 1))
    }

    /// The prefix of a sibling step's other lines: its keys' column.
    pub fn rest_prefix(&self) -> String {
        " ".repeat(self.dash + self.gap)
    }
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// The [`StepLines`] of the step `node` (a sequence item): `None` unless its dash starts its
/// line after spaces only, its keys follow on the same line, and nothing but a comment follows
/// it on its last line.
pub fn step_lines(text: &str, node: &Node<'_>) -> Option<StepLines> {
    if node.alias.is_some() {
        return None;
    }
    let start = node.span.start;
    let end = node.span.end;
    if end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return None;
    }
    let first = line_start(text, start);
    let prefix = &text[first..start];
    let dash = prefix.find('-')?;
    if !prefix[..dash].bytes().all(|b| b == b' ')
        || !prefix[dash + 1..].bytes().all(|b| b == b' ')
        || prefix.len() <= dash + 1
    {
        return None;
    }
    let line_end = |at: usize| text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    let eol = if text[start..]
        .find('\n')
        .is_some_and(|i| text[..start + i].ends_with('\r'))
    {
        "\r\n"
    } else {
        "\n"
    };
    // Own-line comments right above the step, at its dash's column, go with it.
    let mut top = first;
    while top > 0 {
        let body_end = if text[..top].ends_with("\r\n") {
            top - 2
        } else {
            top - 1
        };
        let prev = line_start(text, body_end);
        let line = &text[prev..body_end];
        let trimmed = line.trim_start_matches(' ');
        if trimmed.starts_with('#') && line.len() - trimmed.len() == dash {
            top = prev;
        } else {
            break;
        }
    }
    // After its last value: nothing, or a comment, to the end of the line.
    let mut bottom = line_end(end);
    let tail = text[end..bottom].trim();
    if !(tail.is_empty() || tail.starts_with('#')) {
        return None;
    }
    while bottom < text.len() {
        let next = line_end(bottom);
        let line = text[bottom..next].trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start_matches(' ');
        if trimmed.starts_with('#') && line.len() - trimmed.len() > dash {
            bottom = next;
        } else {
            break;
        }
    }
    Some(StepLines {
        start: top,
        end: bottom,
        dash,
        gap: prefix.len() - dash,
        eol,
    })
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
