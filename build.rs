//! Sets `CACHELINT_VERSION`: the package version, and the git commit it was built from when the
//! source is a git checkout and git is installed (`0.1.0 (2db2f03)`); the version alone
//! otherwise (a crates.io tarball, no git). Never fails the build on that.
//!
//! Writes `tools.rs` into `OUT_DIR`: every `rules/tools/*.yml` but `launchers.yml`, embedded,
//! sorted by name, so a new tool is a new data file and no Rust. Each data file is embedded
//! twice: as written (for error messages with lines, and the tests) and converted to compact
//! JSON, which the binary reads at start-up (reading the YAML was a third of a one-file run:
//! 0.44 M of 1.26 M instructions). The same serde structs read both; a test checks that they
//! give the same knowledge.

use std::path::Path;
use std::process::Command;

use granit_parser::{Event, Parser, ScalarStyle};

/// A YAML data file as compact JSON, mapping scalars as `src/knowledge/de.rs` reads them: plain
/// `true`/`false` are booleans, plain `null`/`~`/empty are null, every other scalar a string.
/// Aliases repeat their anchor's node. `None` when the YAML is not plain data (then the binary
/// reads the YAML itself and reports the error with its line).
fn yaml_to_json(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    // Per open collection: (is a map, items written so far, anchor id, where its JSON starts).
    let mut stack: Vec<(bool, usize, usize, usize)> = vec![];
    // The JSON of each anchored node, by anchor id.
    let mut anchors: std::collections::HashMap<usize, String> = Default::default();
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0;
    while let Some(item) = parser.next_event() {
        let (event, _) = item.ok()?;
        let value_start = |out: &mut String, stack: &mut Vec<(bool, usize, usize, usize)>| {
            if let Some((map, n, ..)) = stack.last_mut() {
                if *n > 0 {
                    out.push(if *map && *n % 2 == 1 { ':' } else { ',' });
                }
                *n += 1;
            }
        };
        match event {
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return None;
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                if tag.is_some() {
                    return None;
                }
                let is_key = matches!(stack.last(), Some((true, n, ..)) if n % 2 == 0);
                value_start(&mut out, &mut stack);
                let start = out.len();
                let plain = style == ScalarStyle::Plain;
                match &*value {
                    "true" | "false" if plain && !is_key => out.push_str(&value),
                    "" | "~" | "null" if plain && !is_key => out.push_str("null"),
                    v => {
                        out.push('"');
                        for c in v.chars() {
                            match c {
                                '"' => out.push_str("\\\""),
                                '\\' => out.push_str("\\\\"),
                                c if (c as u32) < 0x20 => {
                                    out.push_str(&format!("\\u{:04x}", c as u32))
                                }
                                c => out.push(c),
                            }
                        }
                        out.push('"');
                    }
                }
                if anchor != 0 {
                    anchors.insert(anchor, out[start..].to_string());
                }
            }
            Event::SequenceStart(_, _, Some(_)) | Event::MappingStart(_, _, Some(_)) => {
                return None;
            }
            Event::SequenceStart(_, anchor, None) => {
                value_start(&mut out, &mut stack);
                stack.push((false, 0, anchor, out.len()));
                out.push('[');
            }
            Event::MappingStart(_, anchor, None) => {
                value_start(&mut out, &mut stack);
                stack.push((true, 0, anchor, out.len()));
                out.push('{');
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (map, _, anchor, start) = stack.pop()?;
                out.push(if map { '}' } else { ']' });
                if anchor != 0 {
                    anchors.insert(anchor, out[start..].to_string());
                }
            }
            Event::Alias(id) => {
                // A key that is an alias is not plain data.
                if matches!(stack.last(), Some((true, n, ..)) if n % 2 == 0) {
                    return None;
                }
                let json = anchors.get(&id)?.clone();
                value_start(&mut out, &mut stack);
                out.push_str(&json);
            }
            Event::UnresolvedAlias(_) => return None,
            _ => {}
        }
    }
    Some(out)
}

/// `(path, yaml text, json text)` for one embedded data file, as Rust source.
fn embed_entry(dir: &Path, rel: &str) -> String {
    let file = dir.join(rel);
    println!("cargo:rerun-if-changed={}", file.display());
    let json = std::fs::read_to_string(&file)
        .ok()
        .and_then(|t| yaml_to_json(&t))
        .unwrap_or_default();
    format!(
        "    (\"{rel}\", include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{rel}\")), {json:?}),\n"
    )
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// `rules/tools/*.yml` (but `launchers.yml`) as a Rust array of (path, text) pairs.
fn embed_tools() {
    let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from) else {
        return;
    };
    let tools = dir.join("rules/tools");
    println!("cargo:rerun-if-changed={}", tools.display());
    let mut names: Vec<String> = std::fs::read_dir(&tools)
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.ends_with(".yml") && n != "launchers.yml")
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from("&[\n");
    for n in &names {
        out.push_str(&embed_entry(&dir, &format!("rules/tools/{n}")));
    }
    out.push(']');
    // The other data files, in this order: launchers, cache actions, setup actions, release, runners.
    let mut others = String::from("[\n");
    for rel in [
        "rules/tools/launchers.yml",
        "rules/cache-actions.yml",
        "rules/setup-actions.yml",
        "rules/release.yml",
        "rules/runners.yml",
    ] {
        others.push_str(&embed_entry(&dir, rel));
    }
    others.push(']');
    if let Some(out_dir) = std::env::var_os("OUT_DIR") {
        let _ = std::fs::write(Path::new(&out_dir).join("tools.rs"), out);
        let _ = std::fs::write(Path::new(&out_dir).join("data.rs"), others);
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    embed_tools();
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from);
    // Only this package's own checkout: a crate vendored inside another repository must not
    // report that repository's commit.
    let commit = dir
        .as_deref()
        .filter(|d| d.join(".git").exists())
        .and_then(|d| {
            // Rebuild when HEAD moves (a commit, a checkout); `--git-path` also finds them in a
            // worktree, whose `.git` is a file.
            for name in ["HEAD", "packed-refs"] {
                if let Some(p) = git(d, &["rev-parse", "--git-path", name]) {
                    println!("cargo:rerun-if-changed={}", d.join(p).display());
                }
            }
            if let Some(branch) = git(d, &["symbolic-ref", "-q", "HEAD"])
                && let Some(p) = git(d, &["rev-parse", "--git-path", &branch])
            {
                println!("cargo:rerun-if-changed={}", d.join(p).display());
            }
            git(d, &["rev-parse", "--short", "HEAD"])
        })
        .filter(|c| c.bytes().all(|b| b.is_ascii_hexdigit()));
    match commit {
        Some(c) => println!("cargo:rustc-env=CACHELINT_VERSION={version} ({c})"),
        None => println!("cargo:rustc-env=CACHELINT_VERSION={version}"),
    }
}
