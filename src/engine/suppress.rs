//! Inline suppressions, as zizmor and ruff have them:
//!
//! - `# cachelint: ignore[RULE, ...]` after content on a line covers that line and the lines
//!   nested under it (more indented, or blank); on a line of its own it covers the next line
//!   with content and the lines nested under that. A step's `- run: |` line thus covers its
//!   whole script, a job's key line the whole job.
//! - `# cachelint: ignore-file[RULE, ...]` anywhere covers the whole file.
//!
//! A RULE is what `--ignore` takes: a rule id or a prefix of ids (`nox`, `nox/key-missing`).
//! A finding is suppressed when its primary location is covered by a comment naming its rule.
//! Findings that mean the file was not read (`syntax-error`, `limit-exceeded`) are never
//! suppressed. Afterwards, a comment that cannot be read or names no rule is reported as
//! `suppression/invalid`, and a rule named where it reports nothing (and is enabled) as
//! `suppression/unused`, with a safe fix that deletes the name (or the whole comment).

use std::collections::HashMap;
use std::ops::Range;

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::engine::select::{ALWAYS_REPORTED, Settings};
use crate::rules::suppression::{invalid, unused};
use crate::source::{FileId, Location};
use crate::yaml::Comment;

/// The directive word after `cachelint:`.
const PREFIX: &str = "cachelint:";

/// One rule named in a directive.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Name {
    /// As written.
    text: String,
    /// Its bytes in the file.
    span: Range<usize>,
    /// It suppressed at least one finding.
    used: bool,
}

/// One `# cachelint: ignore[...]` or `ignore-file[...]` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Directive {
    /// The whole comment, from `#` to the end of its line.
    comment: Range<usize>,
    /// Only blanks before the `#` on its line.
    whole_line: bool,
    /// The bytes it covers (the whole file for `ignore-file`).
    covers: Range<usize>,
    /// The rules it names.
    names: Vec<Name>,
}

/// The suppression comments of one file.
#[derive(Clone, Debug, Default)]
pub struct Suppressions {
    directives: Vec<Directive>,
    /// `# cachelint:` comments that could not be read: where, and why.
    invalid: Vec<(Range<usize>, String)>,
}

impl Suppressions {
    /// Reads the directives of `comments` (the YAML layer's comments of `text`). A `#` inside
    /// a string or a block scalar is not a comment, so a directive there does nothing.
    pub fn parse(text: &str, comments: &[Comment]) -> Self {
        let mut out = Suppressions::default();
        let mut lines: Option<Lines> = None;
        for c in comments {
            let body = c.text(text);
            let trimmed = body.trim_start();
            let Some(rest) = trimmed.strip_prefix(PREFIX) else {
                continue;
            };
            // Byte offset of `rest` in the file.
            let rest_at = c.span.start + 1 + (body.len() - trimmed.len()) + PREFIX.len();
            match read_directive(rest, rest_at) {
                Ok((file_wide, names)) => {
                    let covers = if file_wide {
                        0..text.len()
                    } else {
                        lines.get_or_insert_with(|| Lines::new(text)).covered(
                            text,
                            c.span.start,
                            c.whole_line,
                        )
                    };
                    out.directives.push(Directive {
                        comment: c.span.clone(),
                        whole_line: c.whole_line,
                        covers,
                        names,
                    });
                }
                Err(why) => out.invalid.push((c.span.clone(), why)),
            }
        }
        out
    }

    /// Whether the file has no directive (the common case: nothing to do).
    pub fn is_empty(&self) -> bool {
        self.directives.is_empty() && self.invalid.is_empty()
    }

    /// Removes the findings of `diags` (in file `id`) that a directive covers, then adds the
    /// findings about the directives themselves that `settings` enables.
    pub fn apply(
        &mut self,
        id: FileId,
        text: &str,
        diags: &mut Vec<Diagnostic>,
        settings: &Settings,
    ) {
        if self.is_empty() {
            return;
        }
        let mut index = Index::new(&self.directives);
        diags.retain(|d| !self.suppresses(&mut index, id, d, true));
        let mut found = vec![];
        if settings.enabled(invalid::META.id) {
            for (span, why) in &self.invalid {
                found.push(
                    Diagnostic::new(&invalid::META, Location::new(id, span.clone()), why.clone())
                        .with_help(
                            "write `# cachelint: ignore[RULE, ...]` or \
                             `# cachelint: ignore-file[RULE, ...]`",
                        ),
                );
            }
            for d in &self.directives {
                for n in &d.names {
                    if !settings.known(&n.text) {
                        let mut diag = Diagnostic::new(
                            &invalid::META,
                            Location::new(id, n.span.clone()),
                            format!(
                                "`{}` names no rule, so this comment ignores nothing",
                                n.text
                            ),
                        )
                        .with_primary_label("no such rule or prefix");
                        diag = match settings.closest(&n.text) {
                            Some(s) => diag.with_help(format!("did you mean `{s}`?")),
                            None => diag.with_help("`cachelint rules` lists the rules"),
                        };
                        found.push(diag);
                    }
                }
            }
        }
        if settings.enabled(unused::META.id) {
            for d in &self.directives {
                for (i, n) in d.names.iter().enumerate() {
                    // A rule that is off here (by the configuration or `--select`) reports
                    // nothing anywhere: its comment is not stale, only dormant.
                    if n.used || !settings.known(&n.text) || !settings.any_enabled(&n.text) {
                        continue;
                    }
                    let what = if d.covers == (0..text.len()) {
                        "in this file"
                    } else {
                        "where this comment applies"
                    };
                    let edit = removal(text, d, i);
                    found.push(
                        Diagnostic::new(
                            &unused::META,
                            Location::new(id, n.span.clone()),
                            format!("`{}` is ignored but reports nothing {what}", n.text),
                        )
                        .with_primary_label("unused")
                        .with_help("remove it: a stale ignore would hide a finding added later")
                        .with_fix(Fix {
                            title: format!("remove `{}` from the ignore comment", n.text),
                            applicability: Applicability::Safe,
                            edits: vec![Edit::replace(Location::new(id, edit.0), edit.1)],
                        }),
                    );
                }
            }
        }
        // A directive may name the suppression rules too.
        found.retain(|d| !self.suppresses(&mut index, id, d, false));
        diags.extend(found);
    }

    /// Whether a directive covers `d`; `mark` records the use.
    fn suppresses(&mut self, index: &mut Index, id: FileId, d: &Diagnostic, mark: bool) -> bool {
        if d.primary.file != id || ALWAYS_REPORTED.contains(&d.rule) {
            return false;
        }
        let mut hit = false;
        for r in index.containing(d.primary.span.start) {
            for selector in selectors_of(d.rule) {
                let Some(bucket) = index.buckets[r].get_mut(selector) else {
                    continue;
                };
                hit = true;
                if mark && !bucket.0 {
                    bucket.0 = true;
                    for &(dir, name) in &bucket.1 {
                        self.directives[dir].names[name].used = true;
                    }
                }
            }
        }
        hit
    }
}

/// The selectors that name `id` (what [`selector_matches`](crate::engine::selector_matches)
/// accepts): `nox/cache-missing`,
/// and its prefixes `nox`, `nox/`, `nox/cache`, `nox/cache-`.
fn selectors_of(id: &str) -> impl Iterator<Item = &str> {
    id.match_indices(['/', '-'])
        .flat_map(move |(i, _)| [&id[..i], &id[..=i]])
        .chain(std::iter::once(id))
}

/// Where the directives apply, for lookups that do not scan every directive: the distinct
/// ranges they cover (nested or apart, as the lines' indentation nests them), each with its
/// enclosing range and its names by selector (with whether one was used yet).
struct Index {
    ranges: Vec<Range<usize>>,
    parent: Vec<Option<usize>>,
    buckets: Vec<Bucket>,
}

/// A range's names by selector: whether one was used yet, and (directive, name) for each.
type Bucket = HashMap<String, (bool, Vec<(usize, usize)>)>;

impl Index {
    fn new(directives: &[Directive]) -> Self {
        let mut by_range: HashMap<Range<usize>, usize> = HashMap::new();
        let mut ranges: Vec<Range<usize>> = vec![];
        for d in directives {
            if !d.covers.is_empty() && !by_range.contains_key(&d.covers) {
                by_range.insert(d.covers.clone(), 0);
                ranges.push(d.covers.clone());
            }
        }
        // Outer ranges first: by start, then the longer one.
        ranges.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        for (i, r) in ranges.iter().enumerate() {
            by_range.insert(r.clone(), i);
        }
        let mut parent = vec![None; ranges.len()];
        let mut open: Vec<usize> = vec![];
        for (i, r) in ranges.iter().enumerate() {
            while open
                .last()
                .is_some_and(|&j| ranges[j].end < r.end || ranges[j].end <= r.start)
            {
                open.pop();
            }
            parent[i] = open.last().copied();
            open.push(i);
        }
        let mut buckets: Vec<Bucket> = vec![HashMap::new(); ranges.len()];
        for (di, d) in directives.iter().enumerate() {
            let Some(&r) = by_range.get(&d.covers) else {
                continue;
            };
            for (ni, n) in d.names.iter().enumerate() {
                buckets[r]
                    .entry(n.text.clone())
                    .or_default()
                    .1
                    .push((di, ni));
            }
        }
        Index {
            ranges,
            parent,
            buckets,
        }
    }

    /// The ranges that contain `at`, innermost first.
    fn containing(&self, at: usize) -> Vec<usize> {
        // The last range that starts at or before `at`: every range containing `at` is it or
        // one of its ancestors.
        let mut cur = self
            .ranges
            .partition_point(|r| r.start <= at)
            .checked_sub(1);
        while let Some(i) = cur {
            if self.ranges[i].contains(&at) {
                break;
            }
            cur = self.parent[i];
        }
        let mut out = vec![];
        while let Some(i) = cur {
            out.push(i);
            cur = self.parent[i];
        }
        out
    }
}

/// Reads what follows `cachelint:`: `ignore[...]` or `ignore-file[...]` (anything after the
/// `]` is a free-text reason). `at` is the byte offset of `rest` in the file.
fn read_directive(rest: &str, at: usize) -> Result<(bool, Vec<Name>), String> {
    let lead = rest.len() - rest.trim_start().len();
    let s = &rest[lead..];
    let (file_wide, after) = if let Some(a) = s.strip_prefix("ignore-file") {
        (true, a)
    } else if let Some(a) = s.strip_prefix("ignore") {
        (false, a)
    } else {
        let word: String = s.chars().take_while(|c| !c.is_whitespace()).collect();
        return Err(if word.is_empty() {
            "a `# cachelint:` comment with no directive".to_string()
        } else {
            format!("unknown directive `{word}`: the directives are `ignore` and `ignore-file`")
        });
    };
    let Some(list) = after.strip_prefix('[') else {
        return Err(
            "an ignore comment must name its rules in brackets: `ignore[RULE, ...]`".to_string(),
        );
    };
    let Some(close) = list.find(']') else {
        return Err("the rule list has no closing `]`".to_string());
    };
    // Offset of the list's first byte in the file.
    let list_at = at + lead + (s.len() - after.len()) + 1;
    let mut names = vec![];
    let mut offset = 0;
    for part in list[..close].split(',') {
        let start = part.len() - part.trim_start().len();
        let name = part.trim();
        if !name.is_empty() {
            let from = list_at + offset + start;
            names.push(Name {
                text: name.to_string(),
                span: from..from + name.len(),
                used: false,
            });
        }
        offset += part.len() + 1;
    }
    if names.is_empty() {
        return Err("the ignore comment names no rule".to_string());
    }
    Ok((file_wide, names))
}

/// The lines of a file, read once for all its directives: where each starts, its indentation
/// (`None`: blank or only a comment), and for each line the next line with content and the
/// next line not nested under it (linear, however many directives and however deep).
struct Lines {
    starts: Vec<usize>,
    /// The first line at or after this one with content (`len`: none).
    next_content: Vec<usize>,
    /// The first line after this one with content indented no deeper (`len`: none).
    next_sibling: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        if starts.last() == Some(&text.len()) && starts.len() > 1 {
            starts.pop();
        }
        let n = starts.len();
        let indent: Vec<Option<usize>> = (0..n)
            .map(|i| {
                let end = starts.get(i + 1).copied().unwrap_or(text.len());
                let line = &text[starts[i]..end];
                let t = line.trim();
                (!t.is_empty() && !t.starts_with('#'))
                    .then(|| line.len() - line.trim_start_matches([' ', '\t']).len())
            })
            .collect();
        let mut next_content = vec![n; n + 1];
        for i in (0..n).rev() {
            next_content[i] = if indent[i].is_some() {
                i
            } else {
                next_content[i + 1]
            };
        }
        // A stack of content lines below, each with a strictly smaller indentation than the
        // one above it: the first one at or under a line's indentation is its next sibling.
        let mut next_sibling = vec![n; n];
        let mut stack: Vec<usize> = vec![];
        for i in (0..n).rev() {
            let Some(ind) = indent[i] else { continue };
            while stack
                .last()
                .is_some_and(|&j| indent[j].is_some_and(|d| d > ind))
            {
                stack.pop();
            }
            next_sibling[i] = stack.last().copied().unwrap_or(n);
            stack.push(i);
        }
        Lines {
            starts,
            next_content,
            next_sibling,
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// The bytes a line-level directive at `hash` covers: its line (or, for a comment on a
    /// line of its own, the next line with content) and the lines nested under it, up to the
    /// end of the last of them.
    fn covered(&self, text: &str, hash: usize, whole_line: bool) -> Range<usize> {
        let n = self.starts.len();
        let own = self.line_of(hash);
        let first = if whole_line {
            self.next_content[(own + 1).min(n)]
        } else {
            own
        };
        if first >= n {
            return text.len()..text.len();
        }
        let after = self.next_sibling[first];
        let end = if after >= n {
            text.len()
        } else {
            self.starts[after]
        };
        self.starts[first]..end
    }
}

/// The edit that removes name `i` of `d`: the name and its comma, or the whole comment when it
/// is the only name (a comment on a line of its own goes with its line).
fn removal(text: &str, d: &Directive, i: usize) -> (Range<usize>, String) {
    if d.names.len() == 1 {
        if d.whole_line {
            let start = text[..d.comment.start].rfind('\n').map_or(0, |i| i + 1);
            let end = text[d.comment.end..]
                .find('\n')
                .map_or(text.len(), |j| d.comment.end + j + 1);
            return (start..end, String::new());
        }
        let before = text[..d.comment.start].trim_end_matches([' ', '\t']).len();
        return (before..d.comment.end, String::new());
    }
    let n = &d.names[i];
    if i + 1 < d.names.len() {
        // Up to the next name: `a, b` loses `a, `.
        (n.span.start..d.names[i + 1].span.start, String::new())
    } else {
        // The last one: from the end of the name before it.
        (d.names[i - 1].span.end..n.span.end, String::new())
    }
}

#[cfg(test)]
mod tests;
