//! Sets `CACHELINT_VERSION`: the package version, and the git commit it was built from when the
//! source is a git checkout and git is installed (`0.1.0 (2db2f03)`); the version alone
//! otherwise (a crates.io tarball, no git). Never fails the build on that.
//!
//! Writes `tools.rs` into `OUT_DIR`: every `rules/tools/*.yml` but `launchers.yml`, embedded,
//! sorted by name, so a new tool is a new data file and no Rust.

use std::path::Path;
use std::process::Command;

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
        println!("cargo:rerun-if-changed={}", tools.join(n).display());
        out.push_str(&format!(
            "    (\"rules/tools/{n}\", include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/rules/tools/{n}\"))),\n"
        ));
    }
    out.push(']');
    if let Some(out_dir) = std::env::var_os("OUT_DIR") {
        let _ = std::fs::write(Path::new(&out_dir).join("tools.rs"), out);
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
