//! The language server's lint path (`server::state::Session::diagnostics`: the database of open
//! buffers, the settings lookup, the lint, the conversion to LSP diagnostics with UTF-16
//! ranges) on a typical workflow and on a generated 10,000-line one, and one edit followed by
//! that lint. Before the timings, the resident memory over 10,000 edits of the typical file
//! (each an incremental change and a lint; every 100th also the code actions) is printed.
//! Inputs: the workflows of `../shared/corpus` when present (the numbers in
//! docs/performance.md), else the repository's fixtures. Run: `cargo bench --bench server`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use lsp_types::{Position, Range, Uri};

use cachelint::engine::{Settings, lint, lint_buffer};
use cachelint::knowledge::Knowledge;
use cachelint::rules::Registry;
use cachelint::server::actions::code_actions;
use cachelint::server::positions::{Encoding, apply_change};
use cachelint::server::state::{InitOptions, Session};
use cachelint::source::{SourceFile, is_workflow_path};

fn typical() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpus");
    let start = if corpus.is_dir() {
        corpus
    } else {
        root.join("tests/fixtures")
    };
    let mut texts = vec![];
    let mut stack = vec![start];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for p in rd.filter_map(|e| e.ok().map(|e| e.path())) {
            if p.is_dir() {
                stack.push(p);
            } else if (is_workflow_path(&p) || p.extension().is_some_and(|e| e == "yml"))
                && let Ok(t) = std::fs::read_to_string(&p)
            {
                texts.push(t);
            }
        }
    }
    texts.sort_by_key(|t| t.len());
    texts[texts.len() / 2].clone()
}

/// A workflow of about 10,000 lines: many jobs that run nox, cache it, and have a finding each.
fn large() -> String {
    let mut t = String::from("name: large\non: push\njobs:\n");
    let mut i = 0;
    while t.lines().count() < 10_000 {
        t.push_str(&format!(
            "  job-{i}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-python@v5\n        with:\n          python-version: '3.12'\n      - uses: actions/cache@v4\n        with:\n          path: .nox\n          key: nox-{i}-${{{{ runner.os }}}}\n      - run: |\n          python -m pip install nox\n          nox -s tests-{i}\n"
        ));
        i += 1;
    }
    t
}

fn uri() -> Uri {
    "file:///bench/repo/.github/workflows/ci.yml"
        .parse()
        .expect("a URI")
}

fn session(text: &str) -> Session {
    let mut s = Session::new(Encoding::Utf16, InitOptions::default()).expect("rule data");
    s.open(uri(), text.to_string(), 1);
    s
}

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One edit: types a character at the end of line 1, or deletes it again.
fn edit(s: &mut Session, u: &Uri, n: usize) {
    let Some(doc) = s.get_mut(u) else { return };
    let line = doc
        .text
        .lines()
        .next()
        .map_or(0, |l| l.encode_utf16().count()) as u32;
    let (range, text) = if n.is_multiple_of(2) {
        (
            Range::new(Position::new(0, line), Position::new(0, line)),
            "x",
        )
    } else {
        (
            Range::new(
                Position::new(0, line.saturating_sub(1)),
                Position::new(0, line),
            ),
            "",
        )
    };
    apply_change(&mut doc.text, Some(range), text, Encoding::Utf16);
    doc.version += 1;
}

fn memory(text: &str) {
    let u = uri();
    let mut s = session(text);
    // Warm up: the first lints fill the caches (configuration lookups, interned ids).
    for n in 0..100 {
        edit(&mut s, &u, n);
        black_box(s.diagnostics(&u));
    }
    let before = rss_kib();
    for n in 0..10_000 {
        edit(&mut s, &u, n);
        black_box(s.diagnostics(&u));
        if n.is_multiple_of(100) {
            let all = Range::new(Position::new(0, 0), Position::new(u32::MAX, 0));
            black_box(code_actions(&mut s, &u, all, None));
        }
    }
    let after = rss_kib();
    eprintln!(
        "server memory: VmRSS {} KiB after 100 edits, {} KiB after 10,000 more ({} bytes of text)",
        before.map_or("?".into(), |v| v.to_string()),
        after.map_or("?".into(), |v| v.to_string()),
        text.len()
    );
}

fn benches(c: &mut Criterion) {
    let typical = typical();
    memory(&typical);
    let large = large();
    // The README's example: three findings with labels and fixes.
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/.github/workflows/ci.yml"),
    )
    .expect("examples/.github/workflows/ci.yml");
    let u = uri();
    let mut g = c.benchmark_group("server");
    // The engine alone on the large file, to see what the server adds.
    let k = Knowledge::load().expect("rule data");
    let settings = Settings::all(&Registry::new(&k));
    let (db, id, _) = lint_buffer(
        SourceFile::from_text("ci.yml", large.clone()),
        &k,
        &settings,
    );
    g.sample_size(20);
    g.bench_function("engine_lint_10k_lines", |b| {
        b.iter(|| black_box(lint(&db, id, &k, &settings).len()))
    });
    g.sample_size(100);
    for (name, text) in [
        ("typical", &typical),
        ("example", &example),
        ("10k_lines", &large),
    ] {
        let mut s = session(text);
        eprintln!(
            "server/{name}: {} lines, {} bytes, {} diagnostics",
            text.lines().count(),
            text.len(),
            s.diagnostics(&u).map_or(0, |d| d.len())
        );
        g.throughput(Throughput::Bytes(text.len() as u64));
        if name == "10k_lines" {
            g.sample_size(20);
        }
        g.bench_function(format!("lint_{name}"), |b| {
            b.iter(|| black_box(s.diagnostics(&u).map(|d| d.len())))
        });
        // An editor asks for the actions at the cursor (the first finding's line) on every move.
        let line = s
            .diagnostics(&u)
            .and_then(|d| d.first().map(|d| d.range.start.line))
            .unwrap_or(0);
        let at = Range::new(Position::new(line, 0), Position::new(line + 1, 0));
        g.bench_function(format!("code_actions_at_a_line_{name}"), |b| {
            b.iter(|| black_box(code_actions(&mut s, &u, at, None).len()))
        });
        // A client that resolves edits (VS Code): fix-all is computed only when chosen.
        s.resolve_edits = true;
        g.bench_function(format!("code_actions_at_a_line_resolving_{name}"), |b| {
            b.iter(|| black_box(code_actions(&mut s, &u, at, None).len()))
        });
        s.resolve_edits = false;
        let mut n = 0;
        g.bench_function(format!("edit_and_lint_{name}"), |b| {
            b.iter(|| {
                edit(&mut s, &u, n);
                n += 1;
                black_box(s.diagnostics(&u).map(|d| d.len()))
            })
        });
    }
    g.finish();
}

criterion_group!(server, benches);
criterion_main!(server);
