//! A spanned YAML node tree, built by our fast path (`fast.rs`) or from granit-parser events.
//!
//! Every node keeps its byte span in the original text; scalars keep their decoded value and
//! their style (so `on` stays `on` and `3.10` stays `3.10`: nothing is typed here). Aliases are
//! expanded with a budget and remember where the alias was written. Duplicate keys and syntax
//! errors are reported as [`Problem`]s; the tree holds whatever was parsed before an error.
//! Comments are kept beside the tree (their spans, and whether each fills its line), for
//! suppressions and fixes.

use std::borrow::Cow;
use std::collections::HashMap;

use granit_parser::{Event, Options, Parser, ScalarStyle};

use crate::source::{Span, SpanMap};

mod fast;
mod syntax;

/// At most this many nodes are created by expanding aliases in one file (a billion-laughs file
/// stops here).
pub const MAX_ALIAS_NODES: usize = 100_000;
/// Collections nested deeper than this are a syntax error (the parser's own limit).
pub const MAX_NESTING: usize = 255;
/// At most this many nodes are built for one file (about 50 MB); past it the file gets one
/// `limit-exceeded` diagnostic and no rule runs on it. Real workflows have a few thousand.
pub const MAX_NODES: usize = 500_000;

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `value`
    Plain,
    /// `'value'`
    SingleQuoted,
    /// `"value"`
    DoubleQuoted,
    /// `|` block
    Literal,
    /// `>` block
    Folded,
}

/// A YAML node with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Node<'a> {
    /// Byte range of the node in the source (for a block scalar: its content lines, trimmed).
    pub span: Span,
    /// When the node arrived through an alias: the span of the `*alias` token.
    pub alias: Option<Span>,
    /// What the node is.
    pub kind: Kind<'a>,
}

/// The three kinds of YAML node.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind<'a> {
    /// A scalar: decoded value and style.
    Scalar(Cow<'a, str>, Style),
    /// A sequence.
    Seq(Vec<Node<'a>>),
    /// A mapping, in source order.
    Map(Vec<(Node<'a>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// The scalar's decoded value, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(v, _) => Some(v),
            _ => None,
        }
    }

    /// Whether the node is a null (`~`, `null`, or nothing) written as a plain scalar.
    pub fn is_null(&self) -> bool {
        match &self.kind {
            Kind::Scalar(v, Style::Plain) => matches!(&**v, "" | "~" | "null" | "Null" | "NULL"),
            _ => false,
        }
    }

    /// The sequence's items, if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node<'a>]> {
        match &self.kind {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The mapping's entries, if this is a mapping.
    pub fn as_map(&self) -> Option<&[(Node<'a>, Node<'a>)]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of `key` in a mapping (the last one if the key is duplicated).
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.as_map()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// A word describing the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar(..) if self.is_null() => "null",
            Kind::Scalar(..) => "a scalar",
            Kind::Seq(_) => "a sequence",
            Kind::Map(_) => "a mapping",
        }
    }

    /// The span diagnostics should point at: the alias site for aliased nodes.
    pub fn report_span(&self) -> Span {
        self.alias.clone().unwrap_or_else(|| self.span.clone())
    }

    /// Maps offsets in the scalar's decoded value back to the source.
    pub fn scalar_map(&self, src: &str) -> SpanMap {
        let Kind::Scalar(value, style) = &self.kind else {
            return SpanMap::identity(self.span.start, 0);
        };
        if let Some(site) = &self.alias {
            // The value is written elsewhere; point at the alias as a whole.
            return SpanMap::whole(site.clone());
        }
        let mut raw_span = self.span.clone();
        if matches!(style, Style::SingleQuoted | Style::DoubleQuoted) && raw_span.len() >= 2 {
            raw_span = raw_span.start + 1..raw_span.end - 1;
        }
        let raw = src.get(raw_span.clone()).unwrap_or("");
        SpanMap::align(value, raw, raw_span.start, *style == Style::DoubleQuoted)
    }
}

/// Something wrong with the YAML itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Not valid YAML: the byte at fault, and why.
    Syntax {
        /// The offending character (a tab in indentation, a bracket, a `:`), or an empty span
        /// at a line break or the end of the file.
        span: Span,
        /// The parser's message.
        message: String,
        /// What the span's label says.
        label: &'static str,
        /// The `[`, `{` or quote that was opened and not closed when that is (or may be) the
        /// cause, with its label.
        unclosed: Option<(Span, &'static str)>,
        /// How to fix this kind of error.
        help: &'static str,
    },
    /// A mapping key that appears twice.
    DuplicateKey {
        /// The key's text.
        key: String,
        /// The first occurrence.
        first: Span,
        /// The repeated occurrence.
        dup: Span,
    },
    /// Alias expansion stopped at [`MAX_ALIAS_NODES`].
    AliasBudget {
        /// The alias that would have exceeded the budget.
        span: Span,
    },
    /// A second document with content (after `---` or `...`): only the first is read.
    ExtraDocument {
        /// The start of the second document's content.
        span: Span,
    },
    /// The file has more than [`MAX_NODES`] nodes; the tree was dropped.
    TooManyNodes {
        /// Where the limit was reached.
        span: Span,
    },
}

/// A `# ...` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// From the `#` to the end of its line, without the line break (`\r\n` or `\n`).
    pub span: Span,
    /// Only blanks precede the `#` on its line (otherwise the comment trails content).
    pub whole_line: bool,
}

impl Comment {
    /// The comment's text after the `#`, as written (leading and trailing blanks kept).
    pub fn text<'s>(&self, src: &'s str) -> &'s str {
        src.get(self.span.start + 1..self.span.end).unwrap_or("")
    }
}

/// A parsed YAML document: its root (if any), the problems found, and the comments.
#[derive(Debug, Default, PartialEq)]
pub struct Document<'a> {
    /// The first document's root node; `None` for an empty file.
    pub root: Option<Node<'a>>,
    /// Syntax errors, duplicate keys, exceeded limits.
    pub problems: Vec<Problem>,
    /// Every comment in source order. After a syntax error or an exceeded node limit: those
    /// before the place where parsing stopped.
    pub comments: Vec<Comment>,
}

/// Parses `src` into a node tree. Never fails: problems are collected in the document.
///
/// Files in the block style workflows are written in (almost all of them) take the fast path
/// in [`fast`]; anything it does not handle, including every syntax error, is parsed by
/// granit-parser, which is the reference the fast path is tested against.
pub fn parse(src: &str) -> Document<'_> {
    parse_fast(src).unwrap_or_else(|| parse_granit(src))
}

/// The fast path alone: `None` when the input is outside what it handles.
pub fn parse_fast(src: &str) -> Option<Document<'_>> {
    let mut b = Builder::new(src);
    fast::parse(src, &mut b).ok()?;
    Some(b.doc)
}

/// Why the fast path gives up on `src`: the line of `fast.rs` that bailed out, or `None` when it
/// does not.
pub fn fast_path_bail(src: &str) -> Option<u32> {
    let mut b = Builder::new(src);
    fast::parse(src, &mut b).err().map(|e| e.0)
}

/// The reference path alone: granit-parser events into the tree.
pub fn parse_granit(src: &str) -> Document<'_> {
    let mut options = Options::default();
    options.emit_comments = true;
    // The parser buffers the comments it meets while looking ahead after a `:` or `-`, and past
    // a cap (96 by default) reports an error: lift it, no comment block makes a file invalid.
    options.max_buffered_comment_events = usize::MAX;
    options.flow_nesting_limit = MAX_NESTING;
    options.block_nesting_limit = MAX_NESTING;
    let mut parser = Parser::new_from_str_with_options(src, options);
    let mut b = Builder::new(src);
    while let Some(item) = parser.next_event() {
        match item {
            Ok((event, span)) => {
                if matches!(
                    event,
                    Event::Scalar(..) | Event::SequenceStart(..) | Event::MappingStart(..)
                ) {
                    b.nodes += 1;
                    if b.nodes > MAX_NODES {
                        let at = span.start.byte_offset().unwrap_or(0).min(src.len());
                        b.doc.problems.push(Problem::TooManyNodes { span: at..at });
                        b.stack.clear();
                        b.doc.root = None;
                        b.anchors.clear();
                        break;
                    }
                }
                let range = span.byte_range().unwrap_or_else(|| {
                    char_to_byte(src, span.start.index())..char_to_byte(src, span.end.index())
                });
                if let Event::Comment(..) = event {
                    b.comment(range.start, range.end);
                    continue;
                }
                b.event(event, range);
            }
            Err(err) => {
                let m = err.marker();
                let at = m
                    .byte_offset()
                    .unwrap_or_else(|| char_to_byte(src, m.index()));
                let open_flows: Vec<usize> = b
                    .stack
                    .iter()
                    .filter_map(|f| match f {
                        Frame::Seq {
                            start, flow: true, ..
                        }
                        | Frame::Map {
                            start, flow: true, ..
                        } if matches!(src.as_bytes().get(*start), Some(b'[' | b'{')) => {
                            Some(*start)
                        }
                        _ => None,
                    })
                    .collect();
                let found = syntax::locate(src, err.kind(), at, &open_flows);
                b.doc.problems.push(Problem::Syntax {
                    span: found.span,
                    message: err.info(),
                    label: found.label,
                    unclosed: found.unclosed,
                    help: found.help,
                });
                b.finish_partial();
                break;
            }
        }
    }
    // The parser emits a comment it read while looking ahead after the tokens before it.
    if !b.doc.comments.is_sorted_by_key(|c| c.span.start) {
        b.doc.comments.sort_by_key(|c| c.span.start);
    }
    b.doc
}

fn char_to_byte(src: &str, chars: usize) -> usize {
    src.char_indices().nth(chars).map_or(src.len(), |(i, _)| i)
}

enum Frame<'a> {
    Seq {
        start: usize,
        /// A flow collection (`[...]`), not a block one.
        flow: bool,
        anchor: usize,
        items: Vec<Node<'a>>,
        end: usize,
    },
    Map {
        start: usize,
        /// A flow collection (`{...}`, or a single pair inside `[...]`), not a block one.
        flow: bool,
        anchor: usize,
        entries: Vec<(Node<'a>, Node<'a>)>,
        pending_key: Option<Node<'a>>,
        end: usize,
        /// Key text -> entry, built once a mapping is large (duplicate checks stay linear).
        index: Option<HashMap<String, usize>>,
    },
}

struct Builder<'a> {
    src: &'a str,
    stack: Vec<Frame<'a>>,
    anchors: HashMap<usize, Node<'a>>,
    alias_nodes: usize,
    budget_hit: bool,
    doc: Document<'a>,
    docs_seen: usize,
    extra_document: bool,
    nodes: usize,
}

/// A document with no content: an empty plain scalar (`---` alone, or a trailing `...`).
fn is_empty_document(node: &Node<'_>) -> bool {
    node.span.is_empty() || node.is_null()
}

impl<'a> Builder<'a> {
    fn new(src: &'a str) -> Self {
        Builder {
            src,
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes: 0,
            budget_hit: false,
            doc: Document::default(),
            docs_seen: 0,
            extra_document: false,
            nodes: 0,
        }
    }

    fn event(&mut self, event: Event<'a>, span: Span) {
        match event {
            Event::DocumentStart(..) => self.document_start(),
            Event::Scalar(value, style, anchor, _) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                self.scalar(value, style, anchor, span);
            }
            Event::SequenceStart(_, anchor, _) => self.start(false, anchor, span),
            Event::MappingStart(_, anchor, _) => self.start(true, anchor, span),
            Event::SequenceEnd | Event::MappingEnd => self.end(span),
            Event::Alias(id) => self.alias(id, span),
            _ => {}
        }
    }

    fn document_start(&mut self) {
        self.docs_seen += 1;
    }

    /// A comment from its `#` at `start` to `end` (its line break or the end of the text).
    fn comment(&mut self, start: usize, end: usize) {
        let before = self.src.as_bytes().get(..start).unwrap_or_default();
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        let whole_line = before[line_start..]
            .iter()
            .all(|&c| c == b' ' || c == b'\t');
        self.doc.comments.push(Comment {
            span: start..end,
            whole_line,
        });
    }

    /// A scalar; for block scalars `span` may run past the content (it is trimmed here).
    fn scalar(&mut self, value: Cow<'a, str>, style: Style, anchor: usize, span: Span) {
        let span = if matches!(style, Style::Literal | Style::Folded) {
            let raw = self.src.get(span.clone()).unwrap_or("");
            span.start..span.start + raw.trim_end().len()
        } else {
            span
        };
        let node = Node {
            span,
            alias: None,
            kind: Kind::Scalar(value, style),
        };
        self.remember(anchor, &node);
        self.push(node);
    }

    /// The start of a mapping (`map`) or sequence; `span` is its first token (its bracket for a
    /// flow collection, empty for a block one).
    fn start(&mut self, map: bool, anchor: usize, span: Span) {
        let flow = span.end > span.start;
        self.stack.push(if map {
            Frame::Map {
                start: span.start,
                flow,
                anchor,
                entries: Vec::new(),
                pending_key: None,
                end: span.end,
                index: None,
            }
        } else {
            Frame::Seq {
                start: span.start,
                flow,
                anchor,
                items: Vec::new(),
                end: span.end,
            }
        });
    }

    /// The end of the innermost collection: its closing bracket, or an empty span for a block
    /// collection (which then ends at its last child).
    fn end(&mut self, span: Span) {
        if let Some(frame) = self.stack.pop() {
            let (node, anchor) = close(frame, Some(span));
            self.remember(anchor, &node);
            self.push(node);
        }
    }

    fn alias(&mut self, id: usize, span: Span) {
        let node = match self.anchors.get(&id) {
            Some(target) if !self.budget_hit => {
                let size = count_nodes(target);
                if self.alias_nodes + size > MAX_ALIAS_NODES {
                    self.budget_hit = true;
                    self.doc
                        .problems
                        .push(Problem::AliasBudget { span: span.clone() });
                    null_at(span)
                } else {
                    self.alias_nodes += size;
                    let mut copy = target.clone();
                    mark_alias(&mut copy, &span);
                    copy
                }
            }
            _ => null_at(span),
        };
        self.push(node);
    }

    fn remember(&mut self, anchor: usize, node: &Node<'a>) {
        if anchor != 0 && !self.budget_hit {
            let size = count_nodes(node);
            if self.alias_nodes + size > MAX_ALIAS_NODES {
                self.budget_hit = true;
                self.doc.problems.push(Problem::AliasBudget {
                    span: node.span.clone(),
                });
                return;
            }
            self.alias_nodes += size;
            self.anchors.insert(anchor, node.clone());
        }
    }

    fn push(&mut self, node: Node<'a>) {
        match self.stack.last_mut() {
            None => {
                if self.docs_seen <= 1 && self.doc.root.is_none() {
                    self.doc.root = Some(node);
                } else if !self.extra_document && !is_empty_document(&node) {
                    // Reported once, at the first line of the second document's content.
                    self.extra_document = true;
                    let start = node.span.start;
                    let line_end = self.src[start..]
                        .find(['\n', '\r'])
                        .map_or(self.src.len(), |i| start + i)
                        .min(node.span.end.max(start));
                    self.doc.problems.push(Problem::ExtraDocument {
                        span: start..line_end,
                    });
                }
            }
            Some(Frame::Seq { items, end, .. }) => {
                *end = (*end).max(node.span.end);
                items.push(node);
            }
            Some(Frame::Map {
                entries,
                pending_key,
                end,
                index,
                ..
            }) => {
                *end = (*end).max(node.span.end);
                match pending_key.take() {
                    None => *pending_key = Some(node),
                    Some(key) => {
                        if let Some(k) = key.as_str()
                            && key.alias.is_none()
                            && k != "<<"
                            && let Some(first) = find_key(entries, index, k)
                        {
                            self.doc.problems.push(Problem::DuplicateKey {
                                key: k.to_string(),
                                first: first.span.clone(),
                                dup: key.span.clone(),
                            });
                        }
                        if let (Some(ix), Some(k)) = (index.as_mut(), key.as_str())
                            && key.alias.is_none()
                        {
                            ix.entry(k.to_string()).or_insert(entries.len());
                        }
                        entries.push((key, node));
                        if index.is_none() && entries.len() >= INDEX_KEYS_FROM {
                            let mut ix = HashMap::with_capacity(entries.len() * 2);
                            for (i, (k, _)) in entries.iter().enumerate() {
                                if let Some(t) = k.as_str()
                                    && k.alias.is_none()
                                {
                                    ix.entry(t.to_string()).or_insert(i);
                                }
                            }
                            *index = Some(ix);
                        }
                    }
                }
            }
        }
    }

    /// After a syntax error: close the open collections so rules can still see what was parsed.
    fn finish_partial(&mut self) {
        while let Some(frame) = self.stack.pop() {
            let (node, _) = close(frame, None);
            self.push(node);
        }
    }
}

/// Mappings with this many keys get a hash index for duplicate detection.
const INDEX_KEYS_FROM: usize = 16;

/// The first key of a mapping equal to `k` (written directly, not through an alias).
fn find_key<'n, 'a>(
    entries: &'n [(Node<'a>, Node<'a>)],
    index: &Option<HashMap<String, usize>>,
    k: &str,
) -> Option<&'n Node<'a>> {
    match index {
        Some(ix) => ix.get(k).and_then(|&i| entries.get(i)).map(|(f, _)| f),
        None => entries
            .iter()
            .find(|(f, _)| f.as_str() == Some(k) && f.alias.is_none())
            .map(|(f, _)| f),
    }
}

fn close(frame: Frame<'_>, end_event: Option<Span>) -> (Node<'_>, usize) {
    match frame {
        Frame::Seq {
            start,
            anchor,
            items,
            end,
            ..
        } => {
            let end = flow_end(end_event, end);
            (
                Node {
                    span: start..end.max(start),
                    alias: None,
                    kind: Kind::Seq(items),
                },
                anchor,
            )
        }
        Frame::Map {
            start,
            anchor,
            mut entries,
            pending_key,
            end,
            ..
        } => {
            if let Some(key) = pending_key {
                let value = null_at(key.span.end..key.span.end);
                entries.push((key, value));
            }
            let end = flow_end(end_event, end);
            (
                Node {
                    span: start..end.max(start),
                    alias: None,
                    kind: Kind::Map(entries),
                },
                anchor,
            )
        }
    }
}

/// Flow collections end at their closing bracket; block collections at their last child
/// (the parser's end event for them is an empty span at the next token).
fn flow_end(end_event: Option<Span>, children_end: usize) -> usize {
    match end_event {
        Some(s) if s.end > s.start => s.end.max(children_end),
        _ => children_end,
    }
}

fn null_at(span: Span) -> Node<'static> {
    Node {
        span,
        alias: None,
        kind: Kind::Scalar(Cow::Borrowed(""), Style::Plain),
    }
}

fn count_nodes(node: &Node<'_>) -> usize {
    let mut count = 0;
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        count += 1;
        match &n.kind {
            Kind::Scalar(..) => {}
            Kind::Seq(items) => todo.extend(items),
            Kind::Map(entries) => {
                for (k, v) in entries {
                    todo.push(k);
                    todo.push(v);
                }
            }
        }
    }
    count
}

fn mark_alias(node: &mut Node<'_>, site: &Span) {
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        // The outermost alias wins: that is where the node appears in the document.
        n.alias = Some(site.clone());
        match &mut n.kind {
            Kind::Scalar(..) => {}
            Kind::Seq(items) => todo.extend(items.iter_mut()),
            Kind::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    todo.push(k);
                    todo.push(v);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
