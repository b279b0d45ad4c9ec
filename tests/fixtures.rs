//! One fixture folder per rule: `tests/fixtures/<rule-id>/fire/*.yml` must give exactly the
//! diagnostics their `# expect: LINE:COL` comments list, `pass/*.yml` must give none. Runs the
//! real binary, once per rule, with `--select <rule> --format json`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use cachelint::rules::{Registry, RuleKind};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The fixtures of a `fire`/`pass` folder: its `*.yml` files, and the workflows and local
/// actions of the small repositories inside it (`<repo>/.github/workflows/*.yml`, for rules
/// `<repo>/**/action.yml`, linted as actions).
fn yml_files(dir: &Path) -> Vec<PathBuf> {
    let workflows = |d: &Path| {
        [
            ".github/workflows",
            ".forgejo/workflows",
            ".gitea/workflows",
        ]
        .iter()
        .any(|w| d.ends_with(w))
    };
    let mut files = common::yaml_files_in(dir, |d| d == dir || workflows(d));
    files.extend(
        common::yaml_files_in(dir, |d| d != dir)
            .into_iter()
            .filter(|f| is_action(f) && !f.parent().is_some_and(workflows)),
    );
    files.sort();
    files.dedup();
    files
}

fn is_action(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == "action.yml" || n == "action.yaml")
}

/// The fixture a file belongs to: itself, or the repository folder it is in.
fn unit(dir: &Path, file: &Path) -> PathBuf {
    let rel = file.strip_prefix(dir).unwrap_or(file);
    dir.join(
        rel.components()
            .next()
            .map_or(rel, |c| Path::new(c.as_os_str())),
    )
}

/// `# expect: 12:7` lines of a fixture (read as bytes: some fixtures are not UTF-8).
fn expectations(path: &Path) -> Vec<(u64, u64)> {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("# expect:"))
        .map(|e| {
            let (l, c) = e.trim().split_once(':').expect("# expect: LINE:COL");
            (l.parse().unwrap(), c.parse().unwrap())
        })
        .collect()
}

fn run(rule: &str, files: &[PathBuf]) -> (i32, Vec<serde_json::Value>) {
    // The suppression rules judge ignore comments against the findings of the other rules:
    // every rule runs, and only the rule's own findings are kept.
    let all;
    let select = if rule.starts_with("suppression/") {
        all = Registry::builtin()
            .rules
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>()
            .join(",");
        all.as_str()
    } else {
        rule
    };
    let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .args(["check", "--format", "json", "--select", select])
        .args(files)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let json: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap_or(-1), json)
}

#[test]
fn every_rule_has_fire_and_pass_fixtures() {
    for rule in &Registry::builtin().rules {
        let dir = fixtures_dir().join(rule.id);
        assert!(
            !yml_files(&dir.join("fire")).is_empty(),
            "{}: no fire fixtures",
            rule.id
        );
        assert!(
            !yml_files(&dir.join("pass")).is_empty(),
            "{}: no pass fixtures",
            rule.id
        );
    }
}

#[test]
fn fixtures_give_exactly_the_expected_diagnostics() {
    let mut failures = vec![];
    for rule in &Registry::builtin().rules {
        let dir = fixtures_dir().join(rule.id);
        let fire = yml_files(&dir.join("fire"));
        let pass = yml_files(&dir.join("pass"));
        let all: Vec<PathBuf> = fire.iter().chain(&pass).cloned().collect();
        let (code, diags) = run(rule.id, &all);
        let own =
            |d: &&serde_json::Value| !rule.id.starts_with("suppression/") || d["rule"] == rule.id;
        let diags: Vec<serde_json::Value> = diags.iter().filter(own).cloned().collect();
        let mut got: BTreeMap<String, Vec<(u64, u64)>> = BTreeMap::new();
        for d in &diags {
            assert_eq!(d["rule"], rule.id, "--select let another rule through: {d}");
            got.entry(d["path"].as_str().unwrap().to_string())
                .or_default()
                .push((d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()));
        }
        // Each fire fixture (a file, or a repository folder: its workflows and actions) expects
        // something; within a repository a file may expect nothing.
        let fire_dir = dir.join("fire");
        for f in &fire {
            let u = unit(&fire_dir, f);
            assert!(
                fire.iter()
                    .filter(|g| unit(&fire_dir, g) == u)
                    .any(|g| !expectations(g).is_empty()),
                "{}: a fire fixture needs `# expect:` lines",
                u.display()
            );
        }
        for f in &fire {
            let mut want = expectations(f);
            want.sort();
            let mut have = got.remove(&f.display().to_string()).unwrap_or_default();
            have.sort();
            if have != want {
                failures.push(format!("{}: expected {want:?}, got {have:?}", f.display()));
            }
        }
        for f in &pass {
            if let Some(have) = got.remove(&f.display().to_string()) {
                failures.push(format!("{}: expected nothing, got {have:?}", f.display()));
            }
        }
        assert!(got.is_empty(), "diagnostics for unknown paths: {got:?}");
        assert_eq!(
            code,
            if fire.is_empty() { 0 } else { 1 },
            "{}: exit code",
            rule.id
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn pass_fixtures_are_clean_under_every_rule() {
    // A fixture that must not fire for its own rule should not trip the structure checks either.
    let mut files = vec![];
    for rule in &Registry::builtin().rules {
        if !matches!(rule.kind, RuleKind::Parser) || rule.id.starts_with("suppression/") {
            files.extend(yml_files(&fixtures_dir().join(rule.id).join("pass")));
        }
    }
    let (_, diags) = run("syntax-error,invalid-workflow,limit-exceeded", &files);
    assert!(diags.is_empty(), "{diags:#?}");
}
