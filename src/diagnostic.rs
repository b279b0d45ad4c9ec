//! The one diagnostic type every output format renders.

use std::fmt;

use serde::Serialize;

use crate::source::{Location, Span};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be fixed.
    Error,
    /// Should be fixed.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// `error`, `warning`, `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's metadata (for a tool rule (`crate::rules::ToolRule`), the summary may name `{tool}` and `{deps}`).
#[derive(Debug)]
pub struct RuleMeta {
    /// The id (`syntax-error`), or for a tool rule the check's name (`cache-missing`).
    pub id: &'static str,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// Default severity.
    pub severity: Severity,
}

/// A secondary location with a message (possibly in another file: inside a composite action).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub location: Location,
    /// What the location shows.
    pub message: String,
}

/// How sure a fix is to keep the workflow doing what its author meant (ruff's model).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Applied by `--fix`: it changes nothing but what the finding is about.
    Safe,
    /// Applied with `--unsafe-fixes`: it adds or moves steps or changes a command, which a
    /// reader should look at.
    Unsafe,
    /// Never applied: shown in the help only (the edit lands in text an alias or anchor shares,
    /// or a part of it is not known).
    DisplayOnly,
}

impl Applicability {
    /// `safe`, `unsafe`, `display-only`.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

/// One edit: the bytes of `location` (in the file it names) replaced by `content` (an empty
/// span inserts, an empty content deletes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// The file and the bytes replaced.
    pub location: Location,
    /// The new text.
    pub content: String,
}

impl Edit {
    /// Inserts `content` at `offset` of `file`.
    pub fn insert(file: crate::source::FileId, offset: usize, content: impl Into<String>) -> Self {
        Edit {
            location: Location::new(file, offset..offset),
            content: content.into(),
        }
    }

    /// Replaces the bytes of `location` with `content`.
    pub fn replace(location: Location, content: impl Into<String>) -> Self {
        Edit {
            location,
            content: content.into(),
        }
    }
}

/// A fix: edits applied together, what they do, and how safe they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, as a command (`add a cache step for .nox`).
    pub title: String,
    /// How safe it is.
    pub applicability: Applicability,
    /// The edits, none overlapping.
    pub edits: Vec<Edit>,
}

/// A finding: rule, severity, message, where, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule id (`nox/cache-missing`).
    pub rule: &'static str,
    /// Severity: the rule's default, then what the settings say.
    pub severity: Severity,
    /// One sentence saying what is wrong.
    pub message: String,
    /// Where it is reported: always in the linted file (for a fact inside a composite action,
    /// the outermost `uses:` that led there).
    pub primary: Location,
    /// The chain of `uses:` sites from the linted file into the composite action where the fact
    /// is, outermost first (empty when the fact is in the linted file itself).
    pub via: Vec<Location>,
    /// Text under the primary location.
    pub primary_label: Option<String>,
    /// Secondary locations.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// The edits that fix it, when the rule can make them.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic of `rule` at `primary`, with the rule's default severity.
    pub fn new(rule: &RuleMeta, primary: Location, message: impl Into<String>) -> Self {
        Self::with_id(rule.id, rule.severity, primary, message)
    }

    /// A diagnostic of a rule known by id (rules made per tool, see [`crate::rules::registry`]).
    pub fn with_id(
        rule: &'static str,
        severity: Severity,
        primary: Location,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule,
            severity,
            message: message.into(),
            primary,
            via: vec![],
            primary_label: None,
            labels: vec![],
            help: None,
            fix: None,
        }
    }

    /// Sets the fix.
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Sets the text under the primary location.
    pub fn with_primary_label(mut self, message: impl Into<String>) -> Self {
        self.primary_label = Some(message.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, location: Location, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            location,
            message: message.into(),
        });
        self
    }

    /// Sets the `uses:` chain that led to the fact.
    pub fn with_via(mut self, via: Vec<Location>) -> Self {
        self.via = via;
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The primary span (in the linted file).
    pub fn span(&self) -> &Span {
        &self.primary.span
    }

    /// Sort key: position, then rule, then message.
    pub fn sort_key(&self) -> (usize, usize, &'static str, &str) {
        (
            self.primary.span.start,
            self.primary.span.end,
            self.rule,
            &self.message,
        )
    }
}
