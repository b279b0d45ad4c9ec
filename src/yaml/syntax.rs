//! Syntax errors at the place a user would fix, with a help line for each kind.
//!
//! granit-parser stops at a marker that is sometimes not the byte at fault: for a tab in
//! indentation it can point at the start of the plain scalar on the line above (the scanner was
//! still looking for that scalar's continuation), or just after the tab; for a `[` closed by `}`
//! it points at the `[`. [`locate`] moves the span to the offending byte, names the flow
//! collection or quote that was left open, and picks a label and a help line by the error's
//! kind. It reads only `src` around the marker (at most up to the next content line), so it is
//! linear like the parsers.

use granit_parser::ErrorKind;

use crate::source::Span;

/// A syntax error ready for a diagnostic.
pub(super) struct Located {
    /// The offending byte (one character), or an empty span at a line break or the end.
    pub span: Span,
    /// The primary label.
    pub label: &'static str,
    /// The bracket or quote that was opened and not closed, and its label.
    pub unclosed: Option<(Span, &'static str)>,
    /// How to fix this kind of error.
    pub help: &'static str,
}

/// Where the error is and what to say: `at` is granit-parser's marker (a byte offset in `src`),
/// `open_flows` the byte offsets of the `[`/`{` of the flow collections open at the error
/// (outermost first).
pub(super) fn locate(src: &str, kind: &ErrorKind, at: usize, open_flows: &[usize]) -> Located {
    let at = floor_char(src, at.min(src.len()));
    let mut out = Located {
        span: one_char(src, at),
        label: "the parser stopped here",
        unclosed: None,
        help: GENERIC_HELP,
    };
    let in_flow = !open_flows.is_empty();
    match kind {
        ErrorKind::TabInPlainScalar
        | ErrorKind::TabInBlockIndentation
        | ErrorKind::TabInIndentation
        | ErrorKind::TabNotAllowed
        | ErrorKind::TabAtBlockScalarStart => {
            let tab =
                tab_in_indentation(src, at, false).or_else(|| tab_on_next_content_line(src, at));
            if let Some(tab) = tab {
                out.span = tab..tab + 1;
            }
            out.label = "a tab in indentation";
            out.help = TAB_HELP;
        }
        ErrorKind::UnclosedFlowCollection { open } => {
            out.label = never_closed(*open);
            out.help = close_help(*open);
        }
        ErrorKind::UnexpectedEofFlowSequence
        | ErrorKind::UnexpectedEofFlowMapping
        | ErrorKind::UnexpectedEofImplicitFlowMapping => {
            if let Some(&open) = open_flows.last() {
                let c = bracket(src, open);
                out.unclosed = Some((open..open + 1, never_closed(c)));
                out.help = close_help(c);
            }
            out.label = "the file ends here";
        }
        ErrorKind::ExpectedFlowSequenceSeparator
        | ErrorKind::ExpectedFlowMappingSeparator
        | ErrorKind::InvalidColonPlacement
        | ErrorKind::BlockEntryInFlowCollection
        | ErrorKind::MappingValueNotAllowed
        | ErrorKind::ExpectedNodeContent
            if in_flow =>
        {
            let open = open_flows.last().copied().unwrap_or(0);
            let c = bracket(src, open);
            let never_closed_here =
                line_of(src, open) < line_of(src, at) && indent(src, at) <= indent(src, open);
            out.label = match kind {
                ErrorKind::ExpectedFlowSequenceSeparator => "expected `,` or `]` here",
                ErrorKind::ExpectedFlowMappingSeparator => "expected `,` or `}` here",
                ErrorKind::BlockEntryInFlowCollection => "a `- ` item inside brackets",
                _ if never_closed_here => "still inside the brackets here",
                _ => "the parser stopped here",
            };
            if never_closed_here {
                // The text went back to the block structure: the bracket was left open.
                out.unclosed = Some((open..open + 1, never_closed(c)));
                out.help = close_help(c);
            } else {
                let label = if c == '[' {
                    "the flow sequence opened here"
                } else {
                    "the flow mapping opened here"
                };
                out.unclosed = Some((open..open + 1, label));
                out.help = FLOW_HELP;
            }
        }
        ErrorKind::MismatchedFlowCollectionEnd { open, close } => {
            if matches!(src.as_bytes().get(at), Some(b'[' | b'{'))
                && let Some(closer) = closer_of(src, at)
                && src[closer..].starts_with(*close)
            {
                out.span = closer..closer + 1;
                out.unclosed = Some((at..at + 1, never_closed(*open)));
            }
            out.label = "this bracket does not match";
            out.help = close_help(*open);
        }
        ErrorKind::MisplacedFlowCollectionEnd => {
            out.label = "this bracket closes nothing";
            out.help = "remove the extra bracket, or add the one it was meant to close; quote the \
                value if the bracket is text";
        }
        ErrorKind::UnclosedQuotedScalar => {
            out.label = "this quote is never closed";
            out.help = "close the string with the same quote it opens with (inside \"...\", write a \
                `\"` as `\\\"`; inside '...', write a `'` as `''`)";
        }
        ErrorKind::InvalidTrailingSingleQuotedScalar
        | ErrorKind::InvalidTrailingDoubleQuotedScalar => {
            out.label = "text after the closing quote";
            out.help = "only a comment may follow a quoted value on its line: put the whole value \
                inside the quotes";
        }
        ErrorKind::UnknownQuotedScalarEscape
        | ErrorKind::InvalidQuotedScalarHexEscape
        | ErrorKind::InvalidUnicodeEscape => {
            out.label = "the string with the bad escape";
            out.help = "inside \"...\" a backslash starts an escape (`\\n`, `\\\"`, `\\\\`): write \
                `\\\\` for a backslash, or use single quotes, where a backslash is plain text";
        }
        ErrorKind::UnknownAnchor => {
            out.label = "no anchor of this name is defined before here";
            out.help = "define the anchor (`&name`) on an earlier node, or quote the value if the \
                `*` is text";
        }
        ErrorKind::UnexpectedCharacter {
            character: '@' | '`',
        } => {
            out.label = "a reserved character";
            out.help = "`@` and `` ` `` cannot start a plain value in YAML: quote the value";
        }
        ErrorKind::CommentNotSeparated => {
            out.help = "a comment's `#` must follow a space: add one before it, or quote the value \
                if the `#` is text";
        }
        ErrorKind::RecursionLimitExceeded => {
            out.label = "nested too deeply";
            out.help = "collections may be nested at most 255 levels deep";
        }
        ErrorKind::MappingValueNotAllowed
        | ErrorKind::ExpectedBlockMappingKey
        | ErrorKind::ExpectedBlockSequenceEntry
        | ErrorKind::BlockSequenceEntryNotAllowed
        | ErrorKind::InvalidIndentation
        | ErrorKind::ExpectedNodeContent => {
            if let Some(tab) = tab_in_indentation(src, at, true) {
                // A tab in this line's indentation is what broke it (YAML reads a tab after
                // the indentation as a blank inside the line, so the error shows up later).
                out.span = tab..tab + 1;
                out.label = "a tab in indentation";
                out.help = TAB_HELP;
                return out;
            }
            match kind {
                ErrorKind::MappingValueNotAllowed => {
                    out.label = "a `: ` inside a plain value";
                    out.help = "a plain value cannot contain `: `: quote the whole value, or write \
                        it as a block scalar (`|`); if this is a key, line it up with the keys of \
                        its mapping";
                }
                ErrorKind::ExpectedBlockMappingKey => {
                    out.label = "not indented like the keys of its mapping";
                    out.help = "indent this line like the other keys of its mapping (with \
                        spaces); if it continues the value above, quote that value or make it a \
                        block scalar (`|`)";
                }
                ErrorKind::ExpectedBlockSequenceEntry => {
                    out.label = "expected a `- ` item here";
                    out.help = "the items of a sequence all start with `- ` at the same \
                        indentation: line this up with them, or indent it under an item";
                }
                ErrorKind::BlockSequenceEntryNotAllowed => {
                    out.label = "a `- ` item where a value was expected";
                    out.help = "start the sequence's items on the next lines, indented under the \
                        key; quote the value if the `- ` is text";
                }
                _ => {}
            }
        }
        _ => {}
    }
    out
}

const GENERIC_HELP: &str = "the YAML is not valid at this point; quoting a value that holds \
    special characters (`: `, ` #`, `[`, `]`, `{`, `}`, `,`, `&`, `*`, `!`, `|`, `>`, `@`) is the \
    usual fix";

const TAB_HELP: &str = "YAML indentation is spaces only: replace the tab with spaces";

const FLOW_HELP: &str = "separate the items of a flow collection with `,` and close it with its \
    bracket; quote an item that contains `: `, `,`, `[`, `]`, `{` or `}`";

fn never_closed(open: char) -> &'static str {
    match open {
        '{' => "this `{` is never closed",
        _ => "this `[` is never closed",
    }
}

fn close_help(open: char) -> &'static str {
    match open {
        '{' => "close the mapping with `}` where it ends, or quote the value if the `{` is text",
        _ => "close the sequence with `]` where it ends, or quote the value if the `[` is text",
    }
}

fn bracket(src: &str, at: usize) -> char {
    if src.as_bytes().get(at) == Some(&b'{') {
        '{'
    } else {
        '['
    }
}

/// The largest char boundary at or before `at`.
fn floor_char(src: &str, mut at: usize) -> usize {
    while at > 0 && !src.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The character at `at` (empty at a line break or the end).
fn one_char(src: &str, at: usize) -> Span {
    match src[at..].chars().next() {
        Some('\n' | '\r') | None => at..at,
        Some(c) => at..at + c.len_utf8(),
    }
}

fn line_start(src: &str, at: usize) -> usize {
    memchr::memrchr(b'\n', &src.as_bytes()[..at]).map_or(0, |i| i + 1)
}

/// The 0-based line of `at` (only compared, so counting from the start is fine: errors are rare
/// and this runs once per file).
fn line_of(src: &str, at: usize) -> usize {
    memchr::memchr_iter(b'\n', &src.as_bytes()[..at.min(src.len())]).count()
}

/// The width of the indentation of the line holding `at`.
fn indent(src: &str, at: usize) -> usize {
    let ls = line_start(src, at);
    src.as_bytes()[ls..]
        .iter()
        .take_while(|&&c| c == b' ' || c == b'\t')
        .count()
}

/// The first tab in the indentation of the line holding `at`, if there is one, and (unless
/// `anywhere`) `at` is in that indentation or at the first character after it.
fn tab_in_indentation(src: &str, at: usize, anywhere: bool) -> Option<usize> {
    let b = src.as_bytes();
    let ls = line_start(src, at);
    let lead = b[ls..]
        .iter()
        .take_while(|&&c| c == b' ' || c == b'\t')
        .count();
    if at > ls + lead && !anywhere {
        return None;
    }
    b[ls..ls + lead]
        .iter()
        .position(|&c| c == b'\t')
        .map(|i| ls + i)
}

/// The first tab in the indentation of the next line after `at` that has text on it.
fn tab_on_next_content_line(src: &str, at: usize) -> Option<usize> {
    let b = src.as_bytes();
    let mut ls = memchr::memchr(b'\n', &b[at..]).map(|i| at + i + 1)?;
    loop {
        let lead = b[ls..]
            .iter()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
        match b.get(ls + lead) {
            None => return None,
            Some(b'\n' | b'\r') => {
                ls = memchr::memchr(b'\n', &b[ls..]).map(|i| ls + i + 1)?;
            }
            Some(_) => {
                return b[ls..ls + lead]
                    .iter()
                    .position(|&c| c == b'\t')
                    .map(|i| ls + i);
            }
        }
    }
}

/// The bracket that closes the flow collection whose `[` or `{` is at `open` (whichever kind
/// it is), skipping nested collections, quoted scalars and comments.
fn closer_of(src: &str, open: usize) -> Option<usize> {
    let b = src.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while let Some(&c) = b.get(i) {
        match c {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            b'"' | b'\''
                if matches!(b[i - 1], b' ' | b'\t' | b'\n' | b',' | b'[' | b'{' | b':') =>
            {
                // To the closing quote: `\"` escapes in double quotes, `''` in single ones.
                i += 1;
                while let Some(&q) = b.get(i) {
                    if c == b'"' && q == b'\\' {
                        i += 2;
                        continue;
                    }
                    if q == c {
                        if c == b'\'' && b.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
            }
            b'#' if matches!(b[i - 1], b' ' | b'\t' | b'\r' | b'\n') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |k| i + k);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_tab() {
        let src = "a: 1\n\n  \t b: 2\n";
        assert_eq!(tab_on_next_content_line(src, 3), Some(8));
        assert_eq!(tab_in_indentation(src, 10, false), Some(8));
        assert_eq!(tab_in_indentation(src, 11, false), None);
        assert_eq!(tab_in_indentation(src, 11, true), Some(8));
        assert_eq!(tab_in_indentation("a: b\tc", 4, true), None);
        assert_eq!(tab_on_next_content_line("a: 1\nb: 2\n\tc\n", 3), None);
        assert_eq!(tab_on_next_content_line("a: 1", 3), None);
    }

    #[test]
    fn finds_the_closing_bracket() {
        let src = "a: [b, {c: '}', d: \"]\\\"\"}, [x] # ]\n ]";
        assert_eq!(closer_of(src, 3), Some(src.len() - 1));
        assert_eq!(closer_of(src, 7), src.find("}, ["));
        assert_eq!(closer_of("{a: 'it''s]'}", 0), Some(12));
        assert_eq!(closer_of("[a", 0), None);
    }

    #[test]
    fn spans_stay_on_char_boundaries() {
        assert_eq!(floor_char("é", 1), 0);
        assert_eq!(one_char("aé", 1), 1..3);
        assert_eq!(one_char("a\r\n", 1), 1..1);
        assert_eq!(one_char("a", 1), 1..1);
    }
}
