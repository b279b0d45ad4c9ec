//! Criterion benchmarks for the hot parts: YAML to AST, the shell scanner, the expression
//! parser, and the whole lint of one typical file. Inputs: the workflows of `../shared/corpus`
//! when present (the numbers in docs/performance.md), else the repository's own fixtures.
//! Run: `cargo bench --bench hot_paths`.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use cachelint::engine::{Settings, lint};
use cachelint::knowledge::Knowledge;
use cachelint::rules::Registry;
use cachelint::shell::{Dialect, scan};
use cachelint::source::{SourceDb, SourceFile, is_workflow_path};
use cachelint::{expr, workflow, yaml};

fn inputs() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpus");
    let mut files = vec![];
    let mut stack = vec![if corpus.is_dir() {
        corpus
    } else {
        root.join("tests/fixtures")
    }];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for p in rd.filter_map(|e| e.ok().map(|e| e.path())) {
            if p.is_dir() {
                stack.push(p);
            } else if is_workflow_path(&p) || p.extension().is_some_and(|e| e == "yml") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
        .iter()
        .filter_map(|p: &PathBuf| std::fs::read_to_string(p).ok())
        .collect()
}

fn benches(c: &mut Criterion) {
    let texts = inputs();
    let total: usize = texts.iter().map(String::len).sum();
    let k = Knowledge::load().expect("rule data");

    let mut g = c.benchmark_group("yaml");
    g.throughput(Throughput::Bytes(total as u64));
    g.sample_size(10);
    g.bench_function("yaml_to_ast", |b| {
        b.iter(|| {
            for t in &texts {
                let doc = yaml::parse(t);
                let (wf, problems) = workflow::build(doc.root.as_ref());
                black_box((wf.jobs.len(), problems.len()));
            }
        })
    });
    // The same through granit-parser alone (what the fast path saves).
    g.bench_function("yaml_to_ast_granit_only", |b| {
        b.iter(|| {
            for t in &texts {
                let doc = yaml::parse_granit(t);
                let (wf, problems) = workflow::build(doc.root.as_ref());
                black_box((wf.jobs.len(), problems.len()));
            }
        })
    });
    g.finish();

    // Every `run:` body, as the shell scanner sees it.
    let mut scripts = vec![];
    let mut expressions = vec![];
    for t in &texts {
        let doc = yaml::parse(t);
        let (wf, _) = workflow::build(doc.root.as_ref());
        for job in &wf.jobs {
            for step in job.steps() {
                if let Some(run) = step.run() {
                    scripts.push(run.script.value.to_string());
                }
            }
        }
        expressions.extend(expr::find(t).iter().map(|s| s.body.to_string()));
    }
    let script_bytes: usize = scripts.iter().map(String::len).sum();
    let mut g = c.benchmark_group("shell");
    g.throughput(Throughput::Bytes(script_bytes as u64));
    g.sample_size(10);
    g.bench_function("scan_all_run_bodies", |b| {
        b.iter(|| {
            for s in &scripts {
                black_box(scan(s, Dialect::Posix).len());
            }
        })
    });
    g.finish();

    let expr_bytes: usize = expressions.iter().map(String::len).sum();
    let mut g = c.benchmark_group("expr");
    g.throughput(Throughput::Bytes(expr_bytes as u64));
    g.sample_size(10);
    g.bench_function("parse_all_expressions", |b| {
        b.iter(|| {
            for e in &expressions {
                black_box(expr::parse(e).is_some());
            }
        })
    });
    g.finish();

    // One typical file: the one closest to the median size.
    let mut by_size: Vec<&String> = texts.iter().collect();
    by_size.sort_by_key(|t| t.len());
    let typical = by_size[by_size.len() / 2].clone();
    let db = SourceDb::in_memory();
    let file = db.add(SourceFile::from_text("typical.yml", typical.clone()));
    let settings = Settings::all(&Registry::new(&k));
    let mut g = c.benchmark_group("lint");
    g.throughput(Throughput::Bytes(typical.len() as u64));
    g.bench_function("one_typical_file", |b| {
        b.iter(|| black_box(lint(&db, file, &k, &settings).len()))
    });
    g.bench_function("load_rule_data", |b| {
        b.iter(|| black_box(Knowledge::load().is_ok()))
    });
    g.finish();
}

criterion_group!(hot_paths, benches);
criterion_main!(hot_paths);
