//! The one diagnostic type every output format renders.

use std::fmt;

use serde::Serialize;

use crate::source::Span;

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

/// A secondary span with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Byte range in the file.
    pub span: Span,
    /// What the span shows.
    pub message: String,
}

/// A finding: rule, severity, message, where, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule id (`nox/cache-missing`).
    pub rule: &'static str,
    /// Severity.
    pub severity: Severity,
    /// One sentence saying what is wrong.
    pub message: String,
    /// The primary span, a byte range in the file.
    pub span: Span,
    /// Text under the primary span.
    pub primary_label: Option<String>,
    /// Secondary spans.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of `rule`. Its severity is set by the engine from the rule registry.
    pub fn new(rule: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: Severity::Error,
            message: message.into(),
            span,
            primary_label: None,
            labels: vec![],
            help: None,
        }
    }

    /// Sets the text under the primary span.
    pub fn with_primary_label(mut self, message: impl Into<String>) -> Self {
        self.primary_label = Some(message.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sort key: position, then rule, then message.
    pub fn sort_key(&self) -> (usize, usize, &'static str, &str) {
        (self.span.start, self.span.end, self.rule, &self.message)
    }
}
