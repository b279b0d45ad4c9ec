//! The peer linters' test inputs and the real-workflow corpus in `../shared` (skipped when that
//! folder is absent): no crash, exit 0 or 1, no syntax or structure diagnostic on valid
//! workflows, a syntax error at the right line on broken YAML.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    p.is_dir().then_some(p)
}

fn lint(cwd: &Path, files: &[PathBuf]) -> (i32, Vec<serde_json::Value>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .current_dir(cwd)
        .args(["check", "--format", "json"])
        .args(files)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).expect("JSON output");
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn peer_suites_parse_as_their_authors_say() {
    let Some(shared) = shared() else {
        eprintln!("../shared is absent: skipped");
        return;
    };
    let root = shared.join("peer-suites");
    let files: Vec<PathBuf> = common::yaml_files(&root)
        .into_iter()
        .map(|p| p.strip_prefix(&root).unwrap().to_path_buf())
        .collect();
    assert!(files.len() > 500, "{} files", files.len());
    let (code, diags, stderr) = lint(&root, &files);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let valid = |p: &str| {
        p.starts_with("actionlint/testdata/ok/")
            || (p.starts_with("zizmor/test-data/") && !p.contains("/invalid/"))
    };
    for d in &diags {
        let (rule, path) = (d["rule"].as_str().unwrap(), d["path"].as_str().unwrap());
        if valid(path) {
            assert!(
                !matches!(rule, "syntax-error" | "invalid-workflow" | "limit-exceeded"),
                "a valid workflow got a diagnostic about its form: {d}"
            );
        }
    }
    let broken: &[(&str, Option<u64>)] = &[
        ("actionlint/testdata/err/yaml_syntax_error.yaml", Some(2)),
        ("actionlint/testdata/err/undefined_anchor.yaml", None),
        ("actionlint/testdata/examples/broken_yaml.yaml", Some(6)),
        ("actionlint/testdata/examples/dangling_alias.yaml", None),
        ("zizmor/test-data/invalid/bad-yaml-2.yml", Some(3)),
        (
            "zizmor/test-data/invalid/invalid-action-2/action.yml",
            Some(3),
        ),
    ];
    for (path, line) in broken {
        let lines: Vec<u64> = diags
            .iter()
            .filter(|d| d["rule"] == "syntax-error" && d["path"] == *path)
            .map(|d| d["line"].as_u64().unwrap())
            .collect();
        assert!(!lines.is_empty(), "{path}: no syntax-error");
        if let Some(line) = line {
            assert!(
                lines.iter().any(|l| l.abs_diff(*line) <= 1),
                "{path}: at {lines:?}, expected {line}"
            );
        }
    }
}

#[test]
fn the_corpus_lints_without_a_crash() {
    let Some(shared) = shared() else {
        eprintln!("../shared is absent: skipped");
        return;
    };
    let corpus = shared.join("corpus");
    let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .args(["check", "--format", "json"])
        .arg(&corpus)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {stderr}",
        out.status.code()
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let diags: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    // Real workflows are valid: nothing about their form. The cache rules' findings were each
    // read in the file and judged real (a new one must be judged too, then added here).
    let judged = [
        // actions/cache below v4.2.0 fails on github.com.
        (
            "cache/deprecated-action",
            "esphome__esphome/.github/actions/restore-python/action.yml",
            25,
        ),
        (
            "cache/deprecated-action",
            "esphome__esphome/.github/workflows/ci.yml",
            49,
        ),
        (
            "cache/deprecated-action",
            "esphome__esphome/.github/workflows/ci.yml",
            305,
        ),
        (
            "cache/deprecated-action",
            "esphome__esphome/.github/workflows/ci.yml",
            312,
        ),
        // `hashFiles('**/go.sum')` before the checkout: the key is always `<os>-go-`.
        (
            "cache/hash-before-checkout",
            "ossf__scorecard/.github/workflows/main.yml",
            112,
        ),
        (
            "cache/hash-before-checkout",
            "ossf__scorecard/.github/workflows/main.yml",
            232,
        ),
        (
            "cache/hash-before-checkout",
            "ossf__scorecard/.github/workflows/main.yml",
            272,
        ),
        // A cargo registry cache keyed on github.sha that nothing restores.
        (
            "cache/key-never-hits",
            "rust-lang__rust-analyzer/.github/workflows/metrics.yaml",
            36,
        ),
    ];
    let mut cache_findings = vec![];
    for d in &diags {
        let rule = d["rule"].as_str().unwrap();
        if rule.starts_with("cache/") {
            let path = d["path"].as_str().unwrap().replace('\\', "/");
            let line = d["line"].as_u64().unwrap();
            assert!(
                judged
                    .iter()
                    .any(|(r, p, l)| *r == rule && path.ends_with(p) && *l == line),
                "a cache finding nobody judged: {d}"
            );
            cache_findings.push((rule, path, line));
            continue;
        }
        assert!(
            rule.starts_with("nox/"),
            "unexpected {rule} on real workflow: {d}"
        );
    }
    assert_eq!(cache_findings.len(), judged.len(), "{cache_findings:?}");
    assert!(
        diags.len() > 100,
        "the corpus runs nox in many uncached jobs"
    );
}
