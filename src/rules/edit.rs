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
    let Kind::Scalar(_, style) = &node.kind else {
        return None;
    };
    if node.alias.is_some() || text.get(node.span.clone())?.contains(['\n', '\r']) {
        return None;
    }
    let lines = written_lines(text, node)?;
    let [line] = lines.as_slice() else {
        return None;
    };
    let written = write_in(*style, addition, false)?;
    let at = match style {
        // Before the closing quote, after any space inside the quotes.
        Style::SingleQuoted | Style::DoubleQuoted => node.span.end - 1,
        _ => *line.offsets.last()?,
    };
    Some(Edit::insert(file, at, written))
}

/// An edit that replaces the one line of the scalar `node` (plain, quoted, or a block scalar
/// with one line) with `value`, written in the scalar's style (`in_flow`: inside a flow
/// collection). `None` when the scalar came through an alias, has more than one line or
/// escapes, or `value` cannot be written in its style (a plain scalar cannot start with an
/// indicator).
pub fn replace_scalar(
    text: &str,
    file: FileId,
    node: &Node<'_>,
    value: &str,
    in_flow: bool,
) -> Option<Edit> {
    let Kind::Scalar(_, style) = &node.kind else {
        return None;
    };
    if node.alias.is_some() || value.is_empty() || value.trim() != value {
        return None;
    }
    let lines = written_lines(text, node)?;
    let [line] = lines.as_slice() else {
        return None;
    };
    if *style == Style::Plain
        && (value.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`',
        ]) || value == "~")
    {
        return None;
    }
    let written = write_in(*style, value, in_flow)?;
    let (start, end) = (*line.offsets.first()?, *line.offsets.last()?);
    Some(Edit {
        location: Location::new(file, start..end),
        content: written,
    })
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

/// The characters a key's parts are joined with (`nox-Linux-3.12`).
pub const KEY_SEPARATORS: [char; 4] = ['-', '_', '/', '.'];

/// One line of a scalar's value as written in the file: its text (trimmed, as `actions/cache`
/// trims each key) and, for each byte offset of that text, the file offset it is written at.
struct Written {
    text: String,
    offsets: Vec<usize>,
    style: Style,
}

fn trimmed(text: String, offsets: Vec<usize>, style: Style) -> Option<Written> {
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len().max(start);
    Some(Written {
        text: text.get(start..end)?.to_string(),
        offsets: offsets.get(start..=end)?.to_vec(),
        style,
    })
}

/// The lines of the scalar `node` as written in `text`: one for a plain or quoted scalar on
/// one line, one per line of a literal block scalar (a folded one only when it has one line).
/// `None` when the value cannot be mapped back to the text byte for byte (escapes, a plain or
/// quoted scalar over several lines, a span that does not hold the value).
fn written_lines(text: &str, node: &Node<'_>) -> Option<Vec<Written>> {
    let Kind::Scalar(value, style) = &node.kind else {
        return None;
    };
    let start = node.span.start;
    let source = text.get(node.span.clone())?;
    let single = !source.contains(['\n', '\r']);
    match style {
        Style::Plain if single && source == value.as_ref() => {
            let offsets = (0..=source.len()).map(|i| start + i).collect();
            Some(vec![trimmed(source.to_string(), offsets, *style)?])
        }
        Style::SingleQuoted if single => {
            let inner = source.strip_prefix('\'')?.strip_suffix('\'')?;
            let mut decoded = String::new();
            let mut offsets = vec![];
            let mut chars = inner.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                if c == '\'' {
                    // `''` is one quote.
                    if chars.next().map(|(_, c)| c) != Some('\'') {
                        return None;
                    }
                }
                offsets.extend(std::iter::repeat_n(start + 1 + i, c.len_utf8()));
                decoded.push(c);
            }
            offsets.push(start + 1 + inner.len());
            if decoded != value.as_ref() {
                return None;
            }
            Some(vec![trimmed(decoded, offsets, *style)?])
        }
        Style::DoubleQuoted if single => {
            let inner = source.strip_prefix('"')?.strip_suffix('"')?;
            if inner.contains('\\') || inner != value.as_ref() {
                return None;
            }
            let offsets = (0..=inner.len()).map(|i| start + 1 + i).collect();
            Some(vec![trimmed(inner.to_string(), offsets, *style)?])
        }
        Style::Literal | Style::Folded => {
            let mut out = vec![];
            let mut at = start;
            for line in source.split('\n') {
                let body = line.strip_suffix('\r').unwrap_or(line);
                if body.contains('\r') {
                    return None;
                }
                let offsets = (0..=body.len()).map(|i| at + i).collect();
                let w = trimmed(body.to_string(), offsets, *style)?;
                if !w.text.is_empty() {
                    out.push(w);
                }
                at += line.len() + 1;
            }
            // The value's lines are the written ones: a literal block has no escapes.
            let lines: Vec<&str> = value
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let same =
                lines.len() == out.len() && lines.iter().zip(&out).all(|(a, b)| *a == b.text);
            (same && (*style == Style::Literal || out.len() == 1)).then_some(out)
        }
        _ => None,
    }
}

/// `addition` as written inside a scalar of `style` (`None` when it cannot be: a quote or
/// backslash in double quotes, a line break, what would end a plain scalar or, in a flow
/// collection, the indicators that end one there).
fn write_in(style: Style, addition: &str, in_flow: bool) -> Option<String> {
    if addition.contains(['\n', '\r']) {
        return None;
    }
    match style {
        Style::Plain => {
            let flow = in_flow && addition.contains([',', '[', ']', '{', '}']);
            (!flow
                && !addition.contains(" #")
                && !addition.contains(": ")
                && !addition.ends_with(':'))
            .then(|| addition.to_string())
        }
        Style::SingleQuoted => Some(addition.replace('\'', "''")),
        Style::DoubleQuoted => (!addition.contains(['"', '\\'])).then(|| addition.to_string()),
        Style::Literal | Style::Folded => Some(addition.to_string()),
    }
}

/// Where the scalar `target` sits in the document `root`: whether an alias shares its text
/// (it came through one, or its text is an anchor's that an alias uses elsewhere), and whether
/// it is inside a flow collection (`{...}` or `[...]`).
pub fn placement(text: &str, root: Option<&Node<'_>>, target: &Node<'_>) -> (bool, bool) {
    let span = &target.span;
    let mut shared = target.alias.is_some();
    let mut in_flow = false;
    let mut stack: Vec<&Node<'_>> = root.into_iter().collect();
    while let Some(n) = stack.pop() {
        let contains = n.span.start <= span.start && span.end <= n.span.end;
        if n.alias.is_some() {
            // An alias's node carries its anchor's span; its children are the anchor's too.
            shared |= contains;
            continue;
        }
        if !contains && !matches!(n.kind, Kind::Map(_) | Kind::Seq(_)) {
            continue;
        }
        match &n.kind {
            Kind::Map(entries) => {
                if contains && text.get(n.span.start..).is_some_and(|t| t.starts_with('{')) {
                    in_flow = true;
                }
                for (k, v) in entries {
                    stack.push(k);
                    stack.push(v);
                }
            }
            Kind::Seq(items) => {
                if contains && text.get(n.span.start..).is_some_and(|t| t.starts_with('[')) {
                    in_flow = true;
                }
                stack.extend(items.iter());
            }
            Kind::Scalar(..) => {}
        }
    }
    (shared, in_flow)
}

/// The edits that add `part` (one `${{ }}` expression) to a cache key so that it separates
/// what the key did not (an OS, a Python version, a session), and to every restore key that
/// was a prefix of the key, so each stays a prefix of the new key and none falls back across
/// the new part: the part goes right after the key's leading literal (`nox-` of
/// `nox-${{ hashFiles(..) }}`), or earlier, at the end of a shorter restore key that is a
/// prefix ending with a separator; at the start when the key starts with an expression.
/// `restore` is the `restore-keys:` node. Each of `key` and `restore` comes with whether it is
/// in a flow collection.
///
/// `None` when the key is one expression (what it evaluates to is not known), spans lines or
/// is written with escapes; when a restore key that is a prefix cannot be edited; or when the
/// part cannot be written in a scalar's style.
pub fn insert_key_part(
    text: &str,
    file: FileId,
    key: (&Node<'_>, bool),
    restore: Option<(&Node<'_>, bool)>,
    part: &str,
) -> Option<Vec<Edit>> {
    let [line] = <[Written; 1]>::try_from(written_lines(text, key.0)?).ok()?;
    let k = line.text.as_str();
    if k.is_empty() {
        return None;
    }
    let sites = crate::expr::find(k);
    if sites.iter().any(|s| !s.closed) {
        return None;
    }
    // A key that is one expression: nothing tells what it evaluates to.
    if sites.first().is_some_and(|s| s.range == (0..k.len())) {
        return None;
    }
    let literal = sites.first().map_or(k.len(), |s| s.range.start);
    let restore_lines = match restore {
        None => vec![],
        Some((node, in_flow)) => match written_lines(text, node) {
            Some(lines) => lines.into_iter().map(|l| (l, in_flow)).collect(),
            None => {
                // Lines it cannot edit are fine only when none is a prefix of the key.
                let value = node.as_str()?;
                if value
                    .lines()
                    .map(str::trim)
                    .any(|l| !l.is_empty() && k.starts_with(l))
                {
                    return None;
                }
                vec![]
            }
        },
    };
    let prefixes: Vec<&(Written, bool)> = restore_lines
        .iter()
        .filter(|(l, _)| !l.text.is_empty() && k.starts_with(l.text.as_str()))
        .collect();
    let at = prefixes
        .iter()
        .map(|(l, _)| l.text.len())
        .fold(literal, usize::min);
    let before = k.get(..at)?;
    let last = before.chars().next_back();
    let sep_before = last.filter(|c| KEY_SEPARATORS.contains(c));
    if at < literal && sep_before.is_none() {
        return None;
    }
    let insertion = match (at, sep_before) {
        (0, _) => format!("{part}-"),
        (_, Some(_)) if at == k.len() => part.to_string(),
        (_, None) if at == k.len() => format!("-{part}"),
        (_, Some(s)) => format!("{part}{s}"),
        (_, None) => format!("-{part}-"),
    };
    let mut edits = vec![];
    let mut add = |w: &Written, in_flow: bool| -> Option<()> {
        let offset = *w.offsets.get(at)?;
        let content = write_in(w.style, &insertion, in_flow)?;
        // A plain scalar may not start with what the insertion starts with only when it is
        // an indicator; an expression starts with `$`.
        if w.style == Style::Plain && at == 0 && !insertion.starts_with('$') {
            return None;
        }
        edits.push(Edit::insert(file, offset, content));
        Some(())
    };
    add(&line, key.1)?;
    for (w, in_flow) in prefixes {
        add(w, *in_flow)?;
    }
    Some(edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replaced(yaml: &str, value: &str) -> Option<String> {
        let doc = crate::yaml::parse(yaml);
        let root = doc.root.expect("a root");
        let node = root.get("k").expect("k").clone();
        let (_, in_flow) = placement(yaml, Some(&root), &node);
        let e = replace_scalar(yaml, FileId(0), &node, value, in_flow)?;
        let mut t = yaml.to_string();
        t.replace_range(e.location.span.clone(), &e.content);
        Some(t)
    }

    #[test]
    fn a_scalar_is_replaced_in_its_own_style() {
        assert_eq!(
            replaced("k: .nox # c\n", "pkg/.nox").as_deref(),
            Some("k: pkg/.nox # c\n")
        );
        assert_eq!(
            replaced("k: '.nox'\n", "it's").as_deref(),
            Some("k: 'it''s'\n")
        );
        assert_eq!(
            replaced("k: \".nox\"\n", "a b").as_deref(),
            Some("k: \"a b\"\n")
        );
        assert_eq!(
            replaced("k: |\n  .nox\n", "x/.nox").as_deref(),
            Some("k: |\n  x/.nox\n")
        );
        assert_eq!(
            replaced("{k: .nox}\n", "a/.nox").as_deref(),
            Some("{k: a/.nox}\n")
        );
        // What a plain scalar cannot hold, or would read as something else.
        assert_eq!(replaced("k: .nox\n", "*x"), None);
        assert_eq!(replaced("k: .nox\n", "a #b"), None);
        assert_eq!(replaced("{k: .nox}\n", "a,b"), None);
        assert_eq!(replaced("k: \"a\\tb\"\n", "x"), None);
        assert_eq!(replaced("k: |\n  a\n  b\n", "x"), None);
    }

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

    /// `yaml`'s `key` (and `restore-keys`, if any) with `part` inserted, or `None`.
    fn part(yaml: &str, part: &str) -> Option<String> {
        let doc = crate::yaml::parse(yaml);
        let root = doc.root.as_ref().expect("a root");
        let with = root.get("with").expect("with");
        let key = with.get("key").expect("key");
        let restore = with.get("restore-keys");
        let flow = |n: &Node<'_>| placement(yaml, Some(root), n).1;
        let edits = insert_key_part(
            yaml,
            FileId(0),
            (key, flow(key)),
            restore.map(|r| (r, flow(r))),
            part,
        )?;
        let ranges: Vec<(std::ops::Range<usize>, &str)> = edits
            .iter()
            .map(|e| (e.location.span.clone(), e.content.as_str()))
            .collect();
        crate::fix::apply(yaml, &ranges)
    }

    const OS: &str = "${{ runner.os }}";

    #[test]
    fn the_part_goes_after_the_leading_literal_and_into_prefix_restore_keys() {
        assert_eq!(
            part(
                "with:\n  key: nox-${{ hashFiles('noxfile.py') }}\n  restore-keys: nox-\n",
                OS
            )
            .as_deref(),
            Some(
                "with:\n  key: nox-${{ runner.os }}-${{ hashFiles('noxfile.py') }}\n  restore-keys: nox-${{ runner.os }}-\n"
            )
        );
        // A literal block of restore keys: each prefix line gains it, the others are left.
        assert_eq!(
            part(
                "with:\n  key: nox-${{ hashFiles('a') }}\n  restore-keys: |\n    nox-\n    pip-\n    nox-${{ hashFiles('a') }}\n",
                OS
            )
            .as_deref(),
            Some("with:\n  key: nox-${{ runner.os }}-${{ hashFiles('a') }}\n  restore-keys: |\n    nox-${{ runner.os }}-\n    pip-\n    nox-${{ runner.os }}-${{ hashFiles('a') }}\n")
        );
        // CRLF, and the separator the key uses.
        assert_eq!(
            part(
                "with:\r\n  key: nox_${{ hashFiles('a') }}\r\n  restore-keys: |\r\n    nox_\r\n",
                OS
            )
            .as_deref(),
            Some(
                "with:\r\n  key: nox_${{ runner.os }}_${{ hashFiles('a') }}\r\n  restore-keys: |\r\n    nox_${{ runner.os }}_\r\n"
            )
        );
        // No separator after the literal: one on each side.
        assert_eq!(
            part("with:\n  key: nox${{ hashFiles('a') }}\n", OS).as_deref(),
            Some("with:\n  key: nox-${{ runner.os }}-${{ hashFiles('a') }}\n")
        );
        // A key with no expression: at its end.
        assert_eq!(
            part("with:\n  key: nox-venvs\n", OS).as_deref(),
            Some("with:\n  key: nox-venvs-${{ runner.os }}\n")
        );
    }

    #[test]
    fn a_shorter_prefix_restore_key_moves_the_part_before_it_ends() {
        // `nox-` would fall back across runners after `nox-venv-${{ runner.os }}-`.
        assert_eq!(
            part("with:\n  key: nox-venv-${{ hashFiles('a') }}\n  restore-keys: |\n    nox-venv-\n    nox-\n", OS).as_deref(),
            Some("with:\n  key: nox-${{ runner.os }}-venv-${{ hashFiles('a') }}\n  restore-keys: |\n    nox-${{ runner.os }}-venv-\n    nox-${{ runner.os }}-\n")
        );
        // A prefix that does not end at a separator: no place for the part.
        assert_eq!(
            part(
                "with:\n  key: nox-venv-${{ hashFiles('a') }}\n  restore-keys: nox-ve\n",
                OS
            ),
            None
        );
    }

    #[test]
    fn quoted_and_flow_keys_keep_their_quoting() {
        assert_eq!(
            part(
                "with:\n  key: 'nox-${{ hashFiles(''a'') }}'\n  restore-keys: 'nox-'\n",
                "${{ matrix.p }}"
            )
            .as_deref(),
            Some(
                "with:\n  key: 'nox-${{ matrix.p }}-${{ hashFiles(''a'') }}'\n  restore-keys: 'nox-${{ matrix.p }}-'\n"
            )
        );
        assert_eq!(
            part(
                "with: {key: \"nox-${{ hashFiles('a') }}\", restore-keys: \"nox-\"}\n",
                OS
            )
            .as_deref(),
            Some(
                "with: {key: \"nox-${{ runner.os }}-${{ hashFiles('a') }}\", restore-keys: \"nox-${{ runner.os }}-\"}\n"
            )
        );
        // A single quote in the part is doubled inside single quotes.
        assert_eq!(
            part(
                "with:\n  key: 'nox-${{ hashFiles(''a'') }}'\n",
                "${{ format('{0}', runner.os) }}"
            )
            .as_deref(),
            Some("with:\n  key: 'nox-${{ format(''{0}'', runner.os) }}-${{ hashFiles(''a'') }}'\n")
        );
        // A plain key in a flow mapping cannot take braces.
        assert_eq!(part("with: {key: nox-venvs}\n", OS), None);
    }

    #[test]
    fn a_key_starting_with_an_expression_gets_the_part_first() {
        assert_eq!(
            part("with:\n  key: ${{ runner.os }}-nox-${{ hashFiles('a') }}\n  restore-keys: ${{ runner.os }}-nox-\n", "${{ github.job }}").as_deref(),
            Some("with:\n  key: ${{ github.job }}-${{ runner.os }}-nox-${{ hashFiles('a') }}\n  restore-keys: ${{ github.job }}-${{ runner.os }}-nox-\n")
        );
    }

    #[test]
    fn keys_it_cannot_edit_get_no_part() {
        // One expression: what it evaluates to is not known.
        assert_eq!(part("with:\n  key: ${{ steps.k.outputs.key }}\n", OS), None);
        assert_eq!(part("with:\n  key: \"${{ env.KEY }}\"\n", OS), None);
        // Escapes, several lines, an unclosed expression.
        assert_eq!(
            part("with:\n  key: \"nox-\\t${{ hashFiles('a') }}\"\n", OS),
            None
        );
        assert_eq!(
            part("with:\n  key: nox-\n    ${{ hashFiles('a') }}\n", OS),
            None
        );
        assert_eq!(part("with:\n  key: nox-${{ hashFiles('a')\n", OS), None);
        // A restore key that is a prefix, written with an escape (not editable in place).
        assert_eq!(
            part(
                "with:\n  key: nox-${{ hashFiles('a') }}\n  restore-keys: \"nox\\x2d\"\n",
                OS
            ),
            None
        );
        // Folded restore keys are one line, `pip- uv-`, not a prefix: the key alone.
        assert_eq!(
            part(
                "with:\n  key: nox-${{ hashFiles('a') }}\n  restore-keys: >\n    pip-\n    uv-\n",
                OS
            )
            .as_deref(),
            Some(
                "with:\n  key: nox-${{ runner.os }}-${{ hashFiles('a') }}\n  restore-keys: >\n    pip-\n    uv-\n"
            )
        );
    }

    #[test]
    fn aliases_and_anchors_used_elsewhere_are_shared() {
        let yaml = "a:\n  key: &k nox-${{ hashFiles('a') }}\nb:\n  key: *k\nc:\n  key: nox-x\n";
        let doc = crate::yaml::parse(yaml);
        let root = doc.root.as_ref().expect("a root");
        let key = |m: &str| root.get(m).and_then(|n| n.get("key")).expect("key").clone();
        assert!(placement(yaml, Some(root), &key("a")).0);
        assert!(placement(yaml, Some(root), &key("b")).0);
        assert!(!placement(yaml, Some(root), &key("c")).0);
        // An anchor no alias uses shares nothing; a whole mapping through an alias does.
        let placement_of_a_key = |yaml: &str| {
            let doc = crate::yaml::parse(yaml);
            let root = doc.root.as_ref().expect("a root");
            let a = root.get("a").and_then(|n| n.get("key")).expect("key");
            placement(yaml, Some(root), a)
        };
        assert!(placement_of_a_key("a: &w\n  key: nox-x\nb: *w\n").0);
        assert_eq!(placement_of_a_key("a: &w\n  key: nox-x\n"), (false, false));
    }
}
