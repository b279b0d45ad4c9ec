//! The step `nox/cache-missing`'s help suggests is pasted into the workflow it was made for,
//! and the result is linted by actionlint and zizmor: the pasted lines must bring no finding of
//! theirs on the pasted lines (zizmor 1.32's default `unpinned-uses` policy reports a tag on any
//! action, so the step is pinned by SHA even in a file of tags), and cachelint must then find the
//! envdir cached.
//!
//! The peers are looked up in `target/peers/bin/` (`scripts/peers.sh` installs them there), then
//! on `PATH`; when one is missing the test says so and skips it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A peer linter's binary, if installed.
fn peer(name: &str) -> Option<PathBuf> {
    let local = root().join("target/peers/bin").join(name);
    if local.is_file() {
        return Some(local);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The workflows: (file name under the temporary repository, text, what the `uses:` must be).
const CASES: &[(&str, &str, &str)] = &[
    (
        ".github/workflows/pinned.yml",
        r#"on: [push, pull_request]
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          persist-credentials: false
      - uses: actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97 # v7.0.0
        id: py
        with:
          python-version: "3.13"
      - run: pipx run nox -s tests
"#,
        "actions/cache@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0",
    ),
    (
        ".github/workflows/matrix.yml",
        r#"on: [push, pull_request]
permissions: {}
jobs:
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
        python-version: ["3.12", "3.13"]
    defaults:
      run:
        working-directory: sub
    steps:
      - uses: actions/checkout@v7
        with:
          persist-credentials: false
      - uses: actions/setup-python@v7
        with:
          python-version: ${{ matrix.python-version }}
      - run: nox -s tests
"#,
        "actions/cache@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0",
    ),
    (
        ".github/workflows/mixed.yml",
        r#"on:
  push:
    tags: ["v*"]
  pull_request:
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          persist-credentials: false
      - name: Tests
        run: |
          pip install nox
          nox -f python/noxfile.py -s tests
"#,
        "actions/cache@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0",
    ),
    (
        ".github/workflows/release-and-pr.yml",
        r#"on:
  release:
    types: [published]
  pull_request:
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
        with:
          persist-credentials: false
      - run: nox --reuse-venv=yes -s tests
"#,
        "actions/cache@55cc8345863c7cc4c66a329aec7e433d2d1c52a9 # v6.1.0",
    ),
    (
        ".forgejo/workflows/forge.yml",
        r#"on: [push, pull_request]
jobs:
  test:
    runs-on: docker
    steps:
      - uses: https://code.forgejo.org/actions/checkout@v4
      - run: nox -s tests
"#,
        "https://code.forgejo.org/actions/cache@v4",
    ),
];

/// Runs cachelint on `file`; its JSON findings.
fn cachelint(file: &Path) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .args(["check", "--format", "json"])
        .arg(file)
        .output()
        .expect("run cachelint");
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// The step in a `nox/cache-missing` help: its lines from `  - uses:` on, without the two
/// spaces of indentation the help gives them.
fn suggested_step(help: &str) -> Vec<String> {
    let mut lines = help.lines().skip_while(|l| !l.starts_with("  - uses:"));
    let mut step: Vec<String> = lines
        .next()
        .map(|l| l[2..].to_string())
        .into_iter()
        .collect();
    step.extend(
        lines
            .take_while(|l| l.starts_with("    "))
            .map(|l| l[2..].to_string()),
    );
    step
}

/// `text` with `step` inserted before the step holding line `line` (1-based); the result and
/// the inserted lines' range (0-based, end exclusive).
fn splice(text: &str, line: usize, step: &[String]) -> (String, std::ops::Range<usize>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut at = line - 1;
    while !lines[at].trim_start().starts_with("- ") {
        at -= 1;
    }
    let indent = lines[at].len() - lines[at].trim_start().len();
    let pad = " ".repeat(indent);
    let mut out: Vec<String> = lines[..at].iter().map(|l| l.to_string()).collect();
    out.extend(step.iter().map(|l| format!("{pad}{l}")));
    out.extend(lines[at..].iter().map(|l| l.to_string()));
    (out.join("\n") + "\n", at..at + step.len())
}

/// actionlint's findings: (0-based line, kind: message).
fn actionlint(bin: &Path, file: &Path) -> Vec<(usize, String)> {
    let out = Command::new(bin)
        .args([
            "-no-color",
            "-format",
            "{{range $e := .}}{{$e.Line}}\t{{$e.Kind}}: {{$e.Message}}\n{{end}}",
        ])
        .arg(file)
        .output()
        .expect("run actionlint");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (n, msg) = l.split_once('\t')?;
            Some((n.parse::<usize>().ok()?.saturating_sub(1), msg.to_string()))
        })
        .collect()
}

/// zizmor's findings: (ident, 0-based rows of its locations).
fn zizmor(bin: &Path, file: &Path) -> Vec<(String, Vec<usize>)> {
    let out = Command::new(bin)
        .args(["--offline", "--no-progress", "--format", "json"])
        .arg(file)
        .output()
        .expect("run zizmor");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "zizmor output for {}: {e}\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v.as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let ident = f["ident"].as_str().unwrap_or("").to_string();
            let rows = f["locations"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l["concrete"]["location"]["start_point"]["row"].as_u64())
                .map(|r| r as usize)
                .collect();
            (ident, rows)
        })
        .collect()
}

#[test]
fn suggested_steps_pass_actionlint_and_zizmor_as_pasted() {
    let dir = root().join("target/peer-suggestions");
    let _ = std::fs::remove_dir_all(&dir);
    let actionlint_bin = peer("actionlint");
    let zizmor_bin = peer("zizmor");
    for (what, bin) in [("actionlint", &actionlint_bin), ("zizmor", &zizmor_bin)] {
        if bin.is_none() {
            println!(
                "skipping the {what} check: {what} is not installed (scripts/peers.sh puts it in target/peers/bin)"
            );
        }
    }
    let mut failures = vec![];
    for (name, text, uses) in CASES {
        let original = dir.join("original").join(name);
        let spliced = dir.join("spliced").join(name);
        for p in [&original, &spliced] {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        }
        std::fs::write(&original, text).unwrap();
        let findings = cachelint(&original);
        let Some(missing) = findings.iter().find(|f| f["rule"] == "nox/cache-missing") else {
            failures.push(format!("{name}: no nox/cache-missing: {findings:#?}"));
            continue;
        };
        let help = missing["help"].as_str().unwrap_or("");
        let step = suggested_step(help);
        if step.first().map(String::as_str) != Some(&format!("- uses: {uses}")) {
            failures.push(format!("{name}: expected `uses: {uses}`, got {step:?}"));
        }
        let line = missing["line"].as_u64().unwrap() as usize;
        let (new_text, inserted) = splice(text, line, &step);
        std::fs::write(&spliced, &new_text).unwrap();
        let after: Vec<_> = cachelint(&spliced)
            .into_iter()
            .filter(|f| {
                f["rule"] == "nox/cache-missing"
                    || f["rule"] == "nox/cache-path-mismatch"
                    || f["rule"].as_str().is_some_and(|r| r.starts_with("cache/"))
            })
            .collect();
        if !after.is_empty() {
            failures.push(format!(
                "{name}: cachelint still reports, with the step:\n{new_text}\n{after:#?}"
            ));
        }
        // Forgejo files are not GitHub workflows: the peers do not know their `uses:` URLs.
        if name.starts_with(".forgejo/") {
            continue;
        }
        if let Some(bin) = &actionlint_bin {
            let errors: Vec<_> = actionlint(bin, &spliced)
                .into_iter()
                .filter(|(l, _)| inserted.contains(l))
                .collect();
            if !errors.is_empty() {
                failures.push(format!("{name}: actionlint:\n{new_text}\n{errors:#?}"));
            }
        }
        if let Some(bin) = &zizmor_bin {
            let new: Vec<_> = zizmor(bin, &spliced)
                .into_iter()
                .filter(|(_, rows)| rows.iter().any(|r| inserted.contains(r)))
                .collect();
            if !new.is_empty() {
                failures.push(format!("{name}: zizmor:\n{new_text}\n{new:#?}"));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// Workflows with `save-always: true` (block and flow `with:`, an `id:` and an `if:`, a SHA pin,
/// `upload-chunk-size`, a dead release).
const SAVE_ALWAYS: &[&str] = &[
    r#"on: push
permissions: {}
jobs:
  test:
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
    runs-on: ${{ matrix.os }}
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - uses: actions/cache@v4
        with:
          path: |
            ~/.cache/pip
            ~/.local
          key: pip-${{ runner.os }}-${{ hashFiles('requirements.txt') }}
          restore-keys: pip-${{ runner.os }}-
          save-always: true
          upload-chunk-size: 33554432
          enableCrossOsArchive: true
      - run: pip install -r requirements.txt
      - run: pytest
"#,
    r#"on: push
permissions: {}
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
    - name: Check out
      uses: actions/checkout@08eba0b27e820071cde6df949e0beb9ba4906955 # v4.3.0
      with:
        persist-credentials: false
    - name: Cache
      id: pc
      if: github.event_name == 'push'
      uses: actions/cache@0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0
      with: {path: '~/.cache/pre-commit', key: 'pc-${{ hashFiles(''.pre-commit-config.yaml'') }}', save-always: true, lookup-only: false}
    - name: Lint
      run: pre-commit run --all-files
    - name: Hit
      run: echo "$HIT"
      env:
        HIT: ${{ steps.pc.outputs.cache-hit }}
"#,
    r#"on: push
permissions: {}
jobs:
  old:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/cache@v4.0.2
        with:
          path: x
          key: x-${{ hashFiles('x.lock') }}
          save-always: true
      - run: make
"#,
];

/// The `save-always` fix brings no finding of actionlint's (the sub-actions' inputs are checked
/// against its data for `@v4` refs) or zizmor's that the workflow did not have, apart from
/// actionlint's note that a `@v4` action runs on a deprecated Node runtime, which the original
/// step had too.
#[test]
fn save_always_fixes_pass_actionlint_and_zizmor() {
    let dir = root().join("target/peer-save-always");
    let _ = std::fs::remove_dir_all(&dir);
    let actionlint_bin = peer("actionlint");
    let zizmor_bin = peer("zizmor");
    if actionlint_bin.is_none() && zizmor_bin.is_none() {
        println!("skipping: neither actionlint nor zizmor is installed");
        return;
    }
    let mut failures = vec![];
    for (i, text) in SAVE_ALWAYS.iter().enumerate() {
        let original = dir.join(format!("original/{i}/.github/workflows/ci.yml"));
        let fixed = dir.join(format!("fixed/{i}/.github/workflows/ci.yml"));
        for p in [&original, &fixed] {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        Command::new(env!("CARGO_BIN_EXE_cachelint"))
            .args(["check", "--fix-only", "--unsafe-fixes"])
            .arg(&fixed)
            .output()
            .expect("run cachelint");
        let new_text = std::fs::read_to_string(&fixed).unwrap();
        if !new_text.contains("uses: actions/cache/save@") {
            failures.push(format!("{i}: not fixed:\n{new_text}"));
            continue;
        }
        if let Some(bin) = &actionlint_bin {
            let before: Vec<String> = actionlint(bin, &original)
                .into_iter()
                .map(|f| f.1)
                .collect();
            let new: Vec<_> = actionlint(bin, &fixed)
                .into_iter()
                .filter(|(_, m)| {
                    !m.contains("is deprecated in GitHub Actions") && !before.contains(m)
                })
                .collect();
            if !new.is_empty() {
                failures.push(format!("{i}: actionlint:\n{new_text}\n{new:#?}"));
            }
        }
        if let Some(bin) = &zizmor_bin {
            let before: Vec<String> = zizmor(bin, &original).into_iter().map(|f| f.0).collect();
            let new: Vec<_> = zizmor(bin, &fixed)
                .into_iter()
                .filter(|(ident, _)| !before.contains(ident))
                .collect();
            if !new.is_empty() {
                failures.push(format!("{i}: zizmor:\n{new_text}\n{new:#?}"));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}
