//! The docs cannot drift from the code: every registered rule has a page at
//! `docs/rules/<id>.md` in ruff's sections, every page belongs to a rule, `cachelint explain`
//! prints the page, and each page's "Example" fires its rule and its "Use instead" is clean when
//! run through the real binary (as actionlint checks its docs).
//!
//! Example blocks: in the `## Example` and `## Use instead` sections, the one ` ```yaml ` block
//! without a name is the workflow (written to `.github/workflows/x.yml` in an empty repository).
//! A block whose info string names a file, ` ```python file=noxfile.py `, is written at that
//! path, relative to the repository root, beside it (a noxfile, a composite action).
//!
//! Sample output: every fenced block in `README.md` and `docs/*.md` whose first line is
//! `$ cachelint ARGS` is run (in the repository root, without colour) and must be exactly what
//! follows that line, trailing whitespace aside. Rule messages change; after such a change,
//! `UPDATE_DOCS=1 cargo test --test docs` rewrites the blocks with the real output (review the
//! diff before committing).

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
    for rule in &Registry::builtin().rules {
        let doc = rule.doc();
        let (found, code) = lint_blocks(rule.id, "Example", &blocks(&doc, "Example"));
        if found.is_empty() || found.iter().any(|r| r != rule.id) || code != Some(1) {
            wrong.push(format!(
                "{}: the Example must fire {} and nothing else; got {found:?} (exit {code:?})",
                rule.id, rule.id
            ));
        }
        let (found, code) = lint_blocks(rule.id, "Use instead", &blocks(&doc, "Use instead"));
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

/// The repository root.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A `$ cachelint ARGS` sample in a page: its 0-based line numbers and its arguments.
struct Sample {
    /// The `$ cachelint ...` line.
    command_line: usize,
    /// The closing fence.
    end_line: usize,
    args: Vec<String>,
}

/// The `$ cachelint` samples of a page, in order.
fn samples(page: &str) -> Vec<Sample> {
    let lines: Vec<&str> = page.lines().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].starts_with("```") {
            i += 1;
            continue;
        }
        let Some(end) = (i + 1..lines.len()).find(|&j| lines[j].trim_end() == "```") else {
            break;
        };
        if let Some(cmd) = lines
            .get(i + 1)
            .and_then(|l| l.strip_prefix("$ cachelint "))
        {
            out.push(Sample {
                command_line: i + 1,
                end_line: end,
                args: cmd.split_whitespace().map(String::from).collect(),
            });
        }
        i = end + 1;
    }
    out
}

/// What the binary prints for `args` in the repository root, without colour, each line's
/// trailing whitespace removed.
fn sample_output(args: &[String]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect()
}

/// The pages whose `$ cachelint` samples are checked.
fn sample_pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    for entry in std::fs::read_dir(root().join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    pages.sort();
    pages
}

#[test]
fn sample_output_in_readme_and_docs_is_real() {
    let update = std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1");
    let mut wrong = vec![];
    let mut commands = vec![];
    for page in sample_pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut rewritten = String::new();
        let mut copied = 0;
        for sample in samples(&text) {
            let shown: String = lines[sample.command_line + 1..sample.end_line]
                .iter()
                .map(|l| format!("{}\n", l.trim_end()))
                .collect();
            let real = sample_output(&sample.args);
            let name = page.strip_prefix(root()).unwrap().display().to_string();
            commands.push(format!("{name}: {}", sample.args.join(" ")));
            if shown != real {
                wrong.push(format!(
                    "{name}:{}: `cachelint {}` prints\n{real}\nbut the page shows\n{shown}",
                    sample.command_line + 1,
                    sample.args.join(" ")
                ));
            }
            for line in &lines[copied..=sample.command_line] {
                rewritten.push_str(line);
                rewritten.push('\n');
            }
            rewritten.push_str(&real);
            copied = sample.end_line;
        }
        for line in &lines[copied..] {
            rewritten.push_str(line);
            rewritten.push('\n');
        }
        if update && rewritten != text {
            std::fs::write(&page, rewritten).unwrap();
        }
    }
    // The samples this test exists for are there (a renamed block cannot skip the check).
    for expected in [
        "README.md: check examples/",
        "docs/output-formats.md: check examples/ --format json --select nox/key-missing-hash",
    ] {
        assert!(
            commands.iter().any(|c| c == expected),
            "no `$ cachelint` sample for {expected}; found {commands:?}"
        );
    }
    assert!(
        update || wrong.is_empty(),
        "{}\n\nrun `UPDATE_DOCS=1 cargo test --test docs` to rewrite the samples",
        wrong.join("\n\n")
    );
}

/// Integrations that do not exist yet. A paragraph of the docs that names one must say it is
/// planned; when one ships, take it off this list with the code.
const NOT_YET: &[&str] = &["noqa"];

#[test]
fn no_page_promises_what_does_not_exist() {
    let mut pages = sample_pages();
    pages.extend(files_under(&docs_dir()));
    pages.retain(|p| p.extension().is_some_and(|e| e == "md"));
    pages.dedup();
    let mut wrong = vec![];
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap().to_lowercase();
        for paragraph in text.split("\n\n") {
            for word in NOT_YET {
                if paragraph.contains(word) && !paragraph.contains("planned") {
                    wrong.push(format!("{}: {word}: {paragraph}", page.display()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn readme_sample_is_what_the_quick_start_runs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let quick = readme
        .split("## Quick start")
        .nth(1)
        .expect("README has a Quick start");
    assert!(
        quick.contains("cargo run --release -- check examples/"),
        "the quick start runs `check examples/`"
    );
    let first = samples(&readme);
    assert_eq!(
        first.first().map(|s| s.args.join(" ")),
        Some("check examples/".to_string()),
        "the README's first sample is the quick start's command, in the default format"
    );
}

#[test]
fn sample_extraction_finds_command_blocks_only() {
    let page = "x\n```\npath:line: template\n```\n```console\n$ cachelint check a --format json\n[]\n```\n```\n$ cachelint rules\n```\n";
    let s = samples(page);
    assert_eq!(s.len(), 2, "a template is no command");
    assert_eq!(s[0].args, ["check", "a", "--format", "json"]);
    assert_eq!((s[0].command_line, s[0].end_line), (5, 7));
    // A command that prints nothing.
    assert_eq!(s[1].args, ["rules"]);
    assert_eq!((s[1].command_line, s[1].end_line), (9, 10));
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
        // The page says whether the rule has a fix, after the other sections.
        let fix = text[at..]
            .split("\n## Fix\n\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{}: no `## Fix` section at the end", rule.id));
        assert!(
            ["Safe fix", "Unsafe fix", "No fix"]
                .iter()
                .any(|p| fix.starts_with(p)),
            "{}: the Fix section starts with `Safe fix`, `Unsafe fix` or `No fix`",
            rule.id
        );
        let fixes = std::fs::read_to_string(root().join("docs/fixes.md")).unwrap();
        let listed = fixes.contains(&format!("| `{}` |", rule.id));
        assert_eq!(
            listed,
            !fix.starts_with("No fix"),
            "{}: docs/fixes.md's table and the rule page disagree",
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
    for path in files_under(&docs_dir()) {
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

/// Every file under `root`, at any depth.
fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
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

#[test]
fn readme_rules_table_lists_every_rule_at_its_default_severity() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Rules\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("README has a ## Rules section");
    let mut table: Vec<(String, String)> = section
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let id = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((id.to_string(), cells.get(2)?.to_string()))
        })
        .collect();
    let mut rules: Vec<(String, String)> = Registry::builtin()
        .rules
        .iter()
        .map(|r| (r.id.to_string(), r.severity.as_str().to_string()))
        .collect();
    table.sort();
    rules.sort();
    assert_eq!(
        table, rules,
        "the README's rules table and the registry differ"
    );
}

/// The settings reference of docs/configuration.md, as made from the code's list.
fn settings_reference() -> String {
    let mut out = String::new();
    for s in cachelint::config::SETTINGS {
        out.push_str(&format!(
            "\n### `{}`\n\n{}\n\nType: {}. Default: {}.\n\n```toml\n{}\n```\n",
            s.name, s.doc, s.kind, s.default, s.example
        ));
    }
    out.push('\n');
    out
}

#[test]
fn configuration_page_documents_every_setting_and_its_examples_parse() {
    let path = root().join("docs/configuration.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let start_marker = "<!-- settings:start";
    let start = text.find(start_marker).expect("settings:start marker");
    let start = start + text[start..].find("-->\n").unwrap() + 4;
    let end = text
        .find("<!-- settings:end -->")
        .expect("settings:end marker");
    let want = settings_reference();
    if std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1") && text[start..end] != want {
        std::fs::write(&path, format!("{}{want}{}", &text[..start], &text[end..])).unwrap();
    } else {
        assert_eq!(
            text[start..end],
            want,
            "docs/configuration.md's settings differ from src/config/docs.rs: run `UPDATE_DOCS=1 cargo test --test docs`"
        );
    }
    // Every `toml` block of the page is a valid configuration, in the file it names.
    let text = std::fs::read_to_string(&path).unwrap();
    let mut n = 0;
    for block in text.split("```toml\n").skip(1) {
        let body = &block[..block.find("```").unwrap()];
        let name = if body.contains("[tool.cachelint") {
            "pyproject.toml"
        } else {
            "cachelint.toml"
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), body).unwrap();
        write_workflow(dir.path());
        let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
            .current_dir(dir.path())
            .args(["check", "--show-settings"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{body}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        n += 1;
    }
    assert!(n > cachelint::config::SETTINGS.len());
}

fn write_workflow(dir: &Path) {
    let wf = dir.join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    std::fs::write(
        wf.join("ci.yml"),
        "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: nox -s t\n",
    )
    .unwrap();
}
