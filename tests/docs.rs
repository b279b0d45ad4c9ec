//! The docs cannot drift from the code: every registered rule has a page at
//! `docs/rules/<id>.md` in ruff's sections, every page belongs to a rule, `cachelint explain`
//! prints the page, and each page's "Example" fires its rule and its "Use instead" is clean when
//! run through the real binary (as actionlint checks its docs).
//!
//! Example blocks: in the `## Example` and `## Use instead` sections, the one ` ```yaml ` block
//! without a name is the workflow (written to `.github/workflows/x.yml` in an empty repository).
//! A block whose info string names a file, ` ```python file=noxfile.py `, is written at that
//! path, relative to the repository root, beside it (a noxfile, a composite action).

use std::path::{Path, PathBuf};
use std::process::Command;

use cachelint::rules::RULES;

const SECTIONS: &[&str] = &[
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
];

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules")
}

/// A fenced code block: its info string (`yaml`, `python file=noxfile.py`) and its text.
struct Block {
    info: String,
    text: String,
}

impl Block {
    /// The `file=PATH` the block names, if any.
    fn file(&self) -> Option<&str> {
        self.info
            .split_whitespace()
            .find_map(|w| w.strip_prefix("file="))
    }
}

/// The fenced blocks of the `## {section}` section (up to the next `## ` heading).
fn blocks(page: &str, section: &str) -> Vec<Block> {
    let heading = format!("## {section}");
    let mut out = vec![];
    let mut inside = false;
    let mut open: Option<Block> = None;
    for line in page.lines() {
        if let Some(block) = open.as_mut() {
            if line.trim_end() == "```" {
                out.extend(open.take());
            } else {
                block.text.push_str(line);
                block.text.push('\n');
            }
            continue;
        }
        if line.starts_with("## ") {
            inside = line.trim_end() == heading;
        } else if inside && let Some(info) = line.strip_prefix("```") {
            open = Some(Block {
                info: info.trim().to_string(),
                text: String::new(),
            });
        }
    }
    assert!(open.is_none(), "unclosed code block in {section}");
    out
}

/// Runs the binary on a repository made of `blocks` and returns the rule ids it reports (in
/// output order) and its exit code.
fn lint_blocks(id: &str, section: &str, blocks: &[Block]) -> (Vec<String>, Option<i32>) {
    let dir = tempfile::tempdir().unwrap();
    let workflows: Vec<&Block> = blocks
        .iter()
        .filter(|b| b.file().is_none() && b.info == "yaml")
        .collect();
    assert_eq!(
        workflows.len(),
        1,
        "{id}: `## {section}` needs exactly one ```yaml block (the workflow)"
    );
    let mut files = vec![(".github/workflows/x.yml", &workflows[0].text)];
    files.extend(blocks.iter().filter_map(|b| b.file().map(|f| (f, &b.text))));
    for (rel, text) in files {
        assert!(
            !rel.starts_with('/') && !rel.contains(".."),
            "{id}: {rel} must be inside the repository"
        );
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .current_dir(dir.path())
        .args(["check", ".github/workflows/x.yml", "--format", "json"])
        .output()
        .unwrap();
    let v: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{id}: {section}: no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let rules = v
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect();
    (rules, out.status.code())
}

#[test]
fn every_example_fires_its_rule_and_every_use_instead_is_clean() {
    let mut wrong = vec![];
    for rule in RULES {
        let (found, code) = lint_blocks(rule.id, "Example", &blocks(rule.doc, "Example"));
        if found.is_empty() || found.iter().any(|r| r != rule.id) || code != Some(1) {
            wrong.push(format!(
                "{}: the Example must fire {} and nothing else; got {found:?} (exit {code:?})",
                rule.id, rule.id
            ));
        }
        let (found, code) = lint_blocks(rule.id, "Use instead", &blocks(rule.doc, "Use instead"));
        if !found.is_empty() || code != Some(0) {
            wrong.push(format!(
                "{}: Use instead must be clean; got {found:?} (exit {code:?})",
                rule.id
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn block_extraction_reads_sections_info_strings_and_files() {
    let page = "# r\n## Example\n```yaml\na: 1\n```\n```python file=noxfile.py\nimport nox\n```\n## Use instead\ntext\n```yaml\nb: 2\n```\n";
    let ex = blocks(page, "Example");
    assert_eq!(ex.len(), 2);
    assert_eq!(
        (ex[0].info.as_str(), ex[0].text.as_str()),
        ("yaml", "a: 1\n")
    );
    assert_eq!(ex[1].file(), Some("noxfile.py"));
    assert_eq!(ex[1].text, "import nox\n");
    let instead = blocks(page, "Use instead");
    assert_eq!(instead.len(), 1);
    assert_eq!(instead[0].text, "b: 2\n");
    assert!(blocks(page, "Why is this bad?").is_empty());
}

#[test]
fn named_blocks_are_written_beside_the_workflow() {
    // The cache step is in a local composite action: with the action's file the job is
    // cached; without it the action is unknown to the linter and the job is not.
    let page = "## Example\n```yaml\non: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - uses: ./.github/actions/nox-cache\n      - run: nox -r -s tests\n```\n## Use instead\n```yaml file=.github/actions/nox-cache/action.yml\nruns:\n  using: composite\n  steps:\n    - uses: actions/cache@v4\n      with:\n        path: .nox\n        key: nox-${{ hashFiles('pyproject.toml') }}\n```\n";
    let workflow = blocks(page, "Example");
    let (alone, code) = lint_blocks("test", "Example", &workflow);
    assert_eq!(
        (alone, code),
        (vec!["nox/cache-missing".to_string()], Some(1))
    );
    let mut with_action = workflow;
    with_action.extend(blocks(page, "Use instead"));
    let (found, code) = lint_blocks("test", "Use instead", &with_action);
    assert_eq!((found, code), (vec![], Some(0)));
}

#[test]
fn every_rule_has_a_page_in_ruff_sections() {
    for rule in RULES {
        let path = docs_dir().join(format!("{}.md", rule.id));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(text, rule.doc, "{}: embedded doc differs", rule.id);
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
                RULES.iter().any(|r| r.id == id),
                "docs/rules/{rel} has no rule in the registry"
            );
        }
    }
}

#[test]
fn explain_prints_the_page() {
    for rule in RULES {
        let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
            .args(["explain", rule.id])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(String::from_utf8_lossy(&out.stdout), rule.doc);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .args(["explain", "nox/no-such-rule"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn rule_ids_are_unique_and_kebab_case() {
    let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
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
