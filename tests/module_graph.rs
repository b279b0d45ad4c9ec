//! The modules of `src/` form a DAG: no module uses, directly or through others, a module that
//! uses it back.
//!
//! Edges come from the `crate::`, `super::` and `self::` paths in each file (`use` lines, `{...}`
//! groups and inline paths), resolved to the deepest module they name. A parent module's uses of
//! its own submodules (`mod.rs` declaring, re-exporting and dispatching to them) are the module
//! tree, not imports, and are left out; a submodule's use of its parent's items is kept. So a
//! cycle here is one between siblings or across subtrees, like `shell::emit` <-> `shell::posix`
//! was.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/a/b.rs` and `src/a/b/mod.rs` -> `[a, b]`; `src/lib.rs` -> `[]`.
fn module_of(src: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Module = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The text without `//` comments (doc links like ``[`super::x`]`` are not uses).
fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|l| l.find("//").map_or(l, |i| &l[..i]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path starting at `crate::`, `super::` or `self::` in `text`, as its segments (the
/// items of a `{...}` group each give one path).
fn paths(text: &str) -> Vec<Vec<String>> {
    let mut out = vec![];
    for root in ["crate", "super", "self"] {
        let pat = format!("{root}::");
        let mut from = 0;
        while let Some(i) = text[from..].find(&pat).map(|i| from + i) {
            from = i + pat.len();
            if text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| is_ident(c) || c == ':')
            {
                continue;
            }
            let mut prefix = vec![root.to_string()];
            expand(&text[from..], &mut prefix, &mut out);
        }
    }
    out
}

/// Reads path segments from `rest` after `prefix::`; a `{...}` group expands each item.
fn expand(rest: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut s = rest;
    let base = prefix.len();
    loop {
        let s_trim = s.trim_start();
        if let Some(inner) = s_trim.strip_prefix('{') {
            let mut depth = 1;
            let end = inner
                .char_indices()
                .find(|&(_, c)| {
                    if c == '{' {
                        depth += 1;
                    } else if c == '}' {
                        depth -= 1;
                    }
                    depth == 0
                })
                .map_or(inner.len(), |(i, _)| i);
            let mut depth = 0;
            let mut start = 0;
            let group = &inner[..end];
            for (i, c) in group.char_indices().chain([(group.len(), ',')]) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let item = group[start..i].trim();
                        if !item.is_empty() {
                            expand(item, prefix, out);
                        }
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            prefix.truncate(base);
            return;
        }
        let len = s_trim.find(|c: char| !is_ident(c)).unwrap_or(s_trim.len());
        if len == 0 {
            break;
        }
        prefix.push(s_trim[..len].to_string());
        match s_trim[len..].strip_prefix("::") {
            Some(next) => s = next,
            None => break,
        }
    }
    out.push(prefix.clone());
    prefix.truncate(base);
}

/// The deepest module of `modules` that `path`, written in module `at`, names.
fn resolve(at: &Module, path: &[String], modules: &BTreeSet<Module>) -> Module {
    let mut cur: Module = at.clone();
    let mut segs = path.iter().peekable();
    match segs.next().map(String::as_str) {
        Some("crate") => cur.clear(),
        Some("super") => {
            cur.pop();
        }
        _ => {}
    }
    while segs.peek().is_some_and(|s| *s == "super") {
        segs.next();
        cur.pop();
    }
    for s in segs {
        cur.push(s.clone());
        if !modules.contains(&cur) {
            cur.pop();
            break;
        }
    }
    cur
}

fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    // main.rs is the binary's own crate root: its `crate::` is not the library's.
    files.retain(|f| f != &src.join("main.rs"));
    let modules: BTreeSet<Module> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for f in &files {
        let m = module_of(&src, f);
        let text = strip_comments(&std::fs::read_to_string(f).unwrap());
        for p in paths(&text) {
            let t = resolve(&m, &p, &modules);
            if t != m && !t.starts_with(&m) {
                edges.entry(m.clone()).or_default().insert(t);
            }
        }
    }
    edges
}

fn name(m: &Module) -> String {
    std::iter::once("crate")
        .chain(m.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("::")
}

/// A cycle in `edges`, as the modules along it, if there is one.
fn find_cycle(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        m: &Module,
        edges: &BTreeMap<Module, BTreeSet<Module>>,
        marks: &mut BTreeMap<Module, Mark>,
        stack: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        match marks.get(m) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = stack.iter().position(|s| s == m).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(m.clone());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(m.clone(), Mark::Open);
        stack.push(m.clone());
        for t in edges.get(m).into_iter().flatten() {
            if let Some(c) = visit(t, edges, marks, stack) {
                return Some(c);
            }
        }
        stack.pop();
        marks.insert(m.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    edges
        .keys()
        .find_map(|m| visit(m, edges, &mut marks, &mut vec![]))
}

#[test]
fn modules_form_a_dag() {
    let edges = graph();
    // The graph is real: the shell lexers use the emitter, the rules use the tool knowledge.
    let has = |a: &[&str], b: &[&str]| {
        let (a, b): (Module, Module) = (
            a.iter().map(|s| s.to_string()).collect(),
            b.iter().map(|s| s.to_string()).collect(),
        );
        edges.get(&a).is_some_and(|t| t.contains(&b))
    };
    assert!(has(&["shell", "posix"], &["shell", "emit"]), "{edges:?}");
    assert!(has(&["yaml", "fast"], &["yaml"]), "{edges:?}");
    assert!(edges.values().map(BTreeSet::len).sum::<usize>() > 50);
    if let Some(cycle) = find_cycle(&edges) {
        panic!(
            "import cycle: {}",
            cycle.iter().map(name).collect::<Vec<_>>().join(" -> ")
        );
    }
}

#[test]
fn the_checker_sees_a_cycle() {
    let m = |s: &str| -> Module { s.split("::").map(str::to_string).collect() };
    let mut edges = BTreeMap::new();
    edges.insert(m("a::x"), BTreeSet::from([m("a::y")]));
    edges.insert(m("a::y"), BTreeSet::from([m("b")]));
    assert_eq!(find_cycle(&edges), None);
    edges.insert(m("b"), BTreeSet::from([m("a::x")]));
    assert!(find_cycle(&edges).is_some_and(|c| c.len() == 4));
    // Paths in `use` groups, nested groups and inline calls all count.
    let p = paths("use super::{emit::{emit, X}, word::Lexed};\nlet v = crate::yaml::parse(s);");
    assert!(
        p.contains(&vec!["super".into(), "emit".into(), "emit".into()]),
        "{p:?}"
    );
    assert!(
        p.contains(&vec!["super".into(), "word".into(), "Lexed".into()]),
        "{p:?}"
    );
    assert!(
        p.contains(&vec!["crate".into(), "yaml".into(), "parse".into()]),
        "{p:?}"
    );
}
