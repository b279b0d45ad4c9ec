//! GitLab Code Quality reports
//! (<https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format>): a JSON array
//! of issues, each with a fingerprint that stays the same while the finding does (it hashes
//! the rule, the file, the message and the text under the finding, and the finding's place
//! among identical ones; not its line, so lines added above it do not make it new).

use std::collections::HashMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceFile;

#[derive(Serialize)]
struct Issue<'a> {
    description: &'a str,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation<'a>,
}

#[derive(Serialize)]
struct IssueLocation<'a> {
    path: &'a str,
    positions: Positions,
}

#[derive(Serialize)]
struct Positions {
    begin: LineColumn,
    end: LineColumn,
}

#[derive(Serialize)]
struct LineColumn {
    line: usize,
    column: usize,
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// The issues of one file, comma-separated, without the array brackets.
pub(super) fn render(file: &SourceFile, diags: &[Diagnostic]) -> String {
    let path = file.name.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut seen: HashMap<[u8; 32], usize> = HashMap::new();
    let mut parts = Vec::with_capacity(diags.len());
    for d in diags {
        let span = &d.primary.span;
        let under = file.text.get(span.start..span.end).unwrap_or("");
        let mut h = Sha256::new();
        for part in [d.rule, path, &d.message, under] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        let base: [u8; 32] = h.clone().finalize().into();
        let n = seen.entry(base).or_insert(0);
        *n += 1;
        h.update(n.to_le_bytes());
        let digest = h.finalize();
        let fingerprint: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        let start = file.lines().line_col(&file.text, span.start);
        let end = file.lines().line_col(&file.text, span.end);
        let issue = Issue {
            description: &d.message,
            check_name: d.rule,
            fingerprint,
            severity: severity(d.severity),
            location: IssueLocation {
                path,
                positions: Positions {
                    begin: LineColumn {
                        line: start.line,
                        column: start.column,
                    },
                    end: LineColumn {
                        line: end.line,
                        column: end.column,
                    },
                },
            },
        };
        if let Ok(s) = serde_json::to_string(&issue) {
            parts.push(format!("  {s}"));
        }
    }
    parts.join(",\n")
}
