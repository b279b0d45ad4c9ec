//! Helpers shared by the integration tests (each test crate uses some of them).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Every `*.yml` / `*.yaml` file under `root` (symlinks are not followed), sorted.
pub fn yaml_files(root: &Path) -> Vec<PathBuf> {
    yaml_files_in(root, |_| true)
}

/// The `*.yml` / `*.yaml` files under `root` whose folder passes `keep_dir`, sorted.
pub fn yaml_files_in(root: &Path, keep_dir: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file()
                && path.extension().is_some_and(|e| e == "yml" || e == "yaml")
                && keep_dir(&dir)
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Where two values' pretty debug renderings first differ: a few lines of each, and on the
/// differing line a window around the first differing byte.
pub fn first_difference(a: &impl std::fmt::Debug, b: &impl std::fmt::Debug) -> String {
    let (a, b) = (format!("{a:#?}"), format!("{b:#?}"));
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let at = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let col = match (a.get(at), b.get(at)) {
        (Some(x), Some(y)) => x.bytes().zip(y.bytes()).take_while(|(p, q)| p == q).count(),
        _ => 0,
    };
    let show = |lines: &[&str]| {
        let from = at.saturating_sub(6).min(lines.len());
        lines[from..(at + 2).min(lines.len())]
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let lo = if from + i == at {
                    col.saturating_sub(60)
                } else {
                    0
                };
                let text: String = line
                    .get(lo..)
                    .unwrap_or(line)
                    .trim_start()
                    .chars()
                    .take(160)
                    .collect();
                if lo > 0 { format!("…{text}") } else { text }
            })
            .collect::<Vec<_>>()
            .join("\n    ")
    };
    format!(
        "fast path:\n    {}\ngranit-parser:\n    {}",
        show(&a),
        show(&b)
    )
}

/// Writes `text` to `root/rel`, making its folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// `cachelint check ARGS` run in `dir`, without colour.
pub fn check_in(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cachelint"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .arg("check")
        .args(args)
        .output()
        .unwrap()
}
