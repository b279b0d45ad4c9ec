//! An error-tolerant shell lexer that finds the commands a `run:` script executes.
//!
//! This is deliberately not a full parser: it never fails, returns partial results on broken
//! input, runs in linear time, and reports exact byte spans for every word it finds.
//!
//! * [`Dialect::Posix`] (bash/sh/zsh-like) understands quoting, separators, compound commands,
//!   here-documents, command/process substitution, wrappers (`sudo`, `env`, `xargs`, ...) and
//!   `bash -c STRING` (the string is scanned too, with spans mapped back into the script).
//! * [`Dialect::PowerShell`] and [`Dialect::Cmd`] get a line-level lexer.
//! * [`Dialect::Other`] (python, node, ...) yields no commands.

mod emit;
mod posix;
mod simple;
mod word;

#[cfg(test)]
mod tests;

/// Maximum nesting depth (command substitutions, `bash -c` strings) that is descended into.
/// Deeper constructs are skipped as opaque text without recursion.
const MAX_DEPTH: usize = 64;

/// Which language a `run:` script is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// bash/sh/zsh-like shells.
    Posix,
    /// `pwsh` / `powershell`.
    PowerShell,
    /// Windows `cmd`.
    Cmd,
    /// python, node, ...: no commands are reported.
    Other,
}

/// One word of a simple command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Byte range of the word in the scanned text (including its quotes).
    pub span: std::ops::Range<usize>,
    /// The word after quote removal. `${{ ... }}` GitHub expressions are kept verbatim as opaque text
    /// (never split, even with spaces or quotes inside). Parameter expansions like `$VAR` stay as text.
    pub text: String,
    /// True when any part of the word was quoted.
    pub quoted: bool,
}

/// A simple command: the words that run, after leading `VAR=value` assignments and wrappers are removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// `words[0]` is the command word; never empty.
    pub words: Vec<Word>,
}

/// Finds the commands `script` executes, in source order (by the start of the command word).
///
/// Never panics and runs in linear time on any input.
pub fn scan(script: &str, dialect: Dialect) -> Vec<Command> {
    scan_for(script, dialect, &[])
}

/// Like [`scan`], but keeps only the commands one of whose words contains one of `needles`
/// (all commands when `needles` is empty). Commands are dropped as they are found, so a
/// million-line script costs memory only for the commands that matter.
///
/// A command whose words hold a `<shell> -c` / `eval` string is always scanned into, since quote
/// removal inside the string can join a needle that no word shows.
pub fn scan_for(script: &str, dialect: Dialect, needles: &[&str]) -> Vec<Command> {
    match dialect {
        Dialect::Posix => posix::scan_text(script, &[], 0, needles),
        Dialect::PowerShell => simple::scan(script, true, needles),
        Dialect::Cmd => simple::scan(script, false, needles),
        Dialect::Other => Vec::new(),
    }
}

/// Whether a command with these words is kept under `needles`.
fn wanted<'w>(mut texts: impl Iterator<Item = &'w str>, needles: &[&str]) -> bool {
    needles.is_empty()
        || texts.any(|t| {
            needles
                .iter()
                .any(|n| memchr::memmem::find(t.as_bytes(), n.as_bytes()).is_some())
        })
}

/// Makes sure commands are sorted by the start of their command word (stable, so equal starts
/// keep their order). The lexers keep them sorted already; this is a cheap safety net.
fn sort_commands(out: &mut [Command]) {
    if !out.is_sorted_by_key(emit::start_key) {
        out.sort_by_key(emit::start_key);
    }
}
