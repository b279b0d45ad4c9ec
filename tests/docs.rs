//! The rule docs and the registry cannot drift: every registered rule has a page at
//! `docs/rules/<id>.md` in ruff's sections, every page belongs to a rule, and
//! `cachelint explain` prints the page.

use std::path::{Path, PathBuf};
use std::process::Command;

use cachelint::rules::Registry;

const SECTIONS: &[&str] = &[
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
];

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules")
}

#[test]
fn every_rule_has_a_page_in_ruff_sections() {
    for rule in &Registry::builtin().rules {
        let path = docs_dir().join(format!("{}.md", rule.id));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            Some(text.as_str()),
            rule.page,
            "{}: embedded doc differs",
            rule.id
        );
        assert_eq!(
            text.lines().next(),
            Some(format!("# {}", rule.id).as_str()),
            "{}: the title must be the rule id",
            rule.id
        );
        let mut at = 0;
        for section in SECTIONS {
            let found = text[at..]
                .find(section)
                .unwrap_or_else(|| panic!("{}: missing or out of order: {section}", rule.id));
            at += found + section.len();
        }
        assert!(
            text.contains("```yaml"),
            "{}: the example needs a YAML block",
            rule.id
        );
        assert!(
            !rule.summary.is_empty() && rule.summary.ends_with('.'),
            "{}: summary",
            rule.id
        );
    }
}

#[test]
fn every_page_belongs_to_a_rule() {
    let mut stack = vec![docs_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(docs_dir())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let id = rel
                .strip_suffix(".md")
                .expect("only .md files in docs/rules");
            assert!(
                Registry::builtin().get(id).is_some(),
                "docs/rules/{rel} has no rule in the registry"
            );
        }
    }
}

#[test]
fn explain_prints_the_page() {
    for rule in &Registry::builtin().rules {
        let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
            .args(["explain", rule.id])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(String::from_utf8_lossy(&out.stdout), rule.doc());
    }
    let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .args(["explain", "nox/no-such-rule"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn rule_ids_are_unique_and_kebab_case() {
    let mut ids: Vec<&str> = Registry::builtin().rules.iter().map(|r| r.id).collect();
    for id in &ids {
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'/'),
            "{id}"
        );
    }
    ids.sort();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate rule ids");
}
