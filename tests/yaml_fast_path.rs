//! The YAML fast path against the reference (granit-parser): on every file the fast path
//! accepts, both must build the same tree (values, styles, spans, problems). Runs over this
//! repository's fixtures and examples, and over `../shared` (corpus and peer suites) when present.

use std::path::{Path, PathBuf};

use cachelint::yaml::{fast_path_bail, parse_fast, parse_granit};

fn yaml_files(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for p in rd.filter_map(|e| e.ok().map(|e| e.path())) {
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Where two trees' debug renderings first differ (a few lines of each).
fn first_difference(a: &impl std::fmt::Debug, b: &impl std::fmt::Debug) -> String {
    let (a, b) = (format!("{a:#?}"), format!("{b:#?}"));
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let at = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = at.saturating_sub(6);
    format!(
        "\n  fast:    {}\n  granit:  {}",
        a[from..(at + 2).min(a.len())].join("\n           "),
        b[from..(at + 2).min(b.len())].join("\n           ")
    )
}

/// Compares the two paths on every file under `root`; returns (files, fast-path files).
fn compare(root: &Path) -> (usize, usize) {
    let mut files = 0;
    let mut fast = 0;
    let mut mismatches = vec![];
    let mut bails = std::collections::HashMap::new();
    for path in yaml_files(root) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        files += 1;
        if let Some(line) = fast_path_bail(&text) {
            *bails.entry(line).or_insert(0usize) += 1;
            if std::env::var_os("SHOW_BAILS").is_some() {
                eprintln!("bail {line}: {}", path.display());
            }
        }
        if let Some(doc) = parse_fast(&text) {
            fast += 1;
            let reference = parse_granit(&text);
            if doc != reference {
                mismatches.push(format!(
                    "{}{}",
                    path.display(),
                    first_difference(&doc, &reference)
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} files parse differently on the fast path:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    eprintln!(
        "{}: {fast} of {files} files on the fast path",
        root.display()
    );
    let mut why: Vec<_> = bails.into_iter().collect();
    why.sort_by_key(|(line, n)| (std::cmp::Reverse(*n), *line));
    eprintln!("  bail-outs by line of src/yaml/fast.rs: {why:?}");
    (files, fast)
}

#[test]
fn fast_path_matches_granit_on_fixtures() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (files, fast) = compare(&here.join("tests"));
    assert!(files > 50);
    // The fixtures are mostly plain block YAML: most must take the fast path.
    assert!(fast * 2 > files, "{fast} of {files}");
    compare(&here.join("examples"));
    compare(&here.join("rules"));
}

#[test]
fn fast_path_matches_granit_on_shared_files() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if !shared.is_dir() {
        eprintln!("../shared is absent: skipped");
        return;
    }
    let (files, fast) = compare(&shared.join("corpus"));
    // Real workflows: nearly all take the fast path (anchors and tags are what sends one back).
    assert!(fast * 10 >= files * 9, "{fast} of {files}");
    compare(&shared.join("peer-suites"));
}
