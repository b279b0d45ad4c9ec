//! The YAML fast path against the reference (granit-parser): on every file the fast path
//! accepts, both must build the same tree (values, styles, spans, problems) and find the same
//! comments. Runs over this repository's fixtures and examples, and over `../shared` (corpus and
//! peer suites) when present.

mod common;

use std::path::Path;

use cachelint::yaml::{fast_path_bail, parse_fast, parse_granit};
use common::{first_difference, yaml_files};

/// Compares the two paths on every file under `root`; returns (files, fast-path files, comments
/// compared).
fn compare(root: &Path) -> (usize, usize, usize) {
    let mut files = 0;
    let mut fast = 0;
    let mut comments = 0;
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
            comments += doc.comments.len();
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
        "{}: {fast} of {files} files on the fast path, {comments} comments",
        root.display()
    );
    let mut why: Vec<_> = bails.into_iter().collect();
    why.sort_by_key(|(line, n)| (std::cmp::Reverse(*n), *line));
    eprintln!("  bail-outs by line of src/yaml/fast.rs: {why:?}");
    (files, fast, comments)
}

#[test]
fn fast_path_matches_granit_on_fixtures() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (files, fast, comments) = compare(&here.join("tests"));
    assert!(files > 50);
    assert!(comments > 50, "{comments} comments");
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
    let (files, fast, comments) = compare(&shared.join("corpus"));
    // Real workflows are commented: the comparison covers thousands of comments.
    assert!(comments > 1000, "{comments} comments");
    // Real workflows: nearly all take the fast path (anchors and tags are what sends one back).
    assert!(fast * 10 >= files * 9, "{fast} of {files}");
    compare(&shared.join("peer-suites"));
}
