//! The whole lint of one file (any bytes), then every report format.
#![no_main]

use std::sync::OnceLock;

use cachelint::engine::{self, Settings};
use cachelint::rules::Registry;
use cachelint::report::{self, Format, Options};
use cachelint::source::SourceFile;
use cachelint::knowledge::Knowledge;
use libfuzzer_sys::fuzz_target;

fn knowledge() -> &'static Knowledge {
    static K: OnceLock<Knowledge> = OnceLock::new();
    K.get_or_init(|| Knowledge::load().expect("rule data loads"))
}

/// `CACHELINT_FUZZ_NO_HUMAN=1` leaves out the human format (miette), e.g. while a known crash
/// there would stop every run at once.
fn formats() -> &'static [Format] {
    static F: OnceLock<Vec<Format>> = OnceLock::new();
    F.get_or_init(|| {
        let mut v = vec![
            Format::Json,
            Format::JsonLines,
            Format::Concise,
            Format::Github,
            Format::Sarif,
            Format::Gitlab,
            Format::Junit,
        ];
        if std::env::var_os("CACHELINT_FUZZ_NO_HUMAN").is_none_or(|v| v.is_empty() || v == "0") {
            v.push(Format::Human);
        }
        v
    })
}

fuzz_target!(|data: &[u8]| {
    let (db, id, diags) = engine::lint_buffer(
        SourceFile::from_bytes("fuzz.yml", data.to_vec()),
        knowledge(),
        &Settings::all(Registry::builtin()),
    );
    let Some(file) = db.get(id) else { return };
    for d in &diags {
        assert!(
            d.span().start <= d.span().end && d.span().end <= file.text.len(),
            "{d:?}"
        );
    }
    for &format in formats() {
        let opts = Options {
            format,
            color: false,
            quiet: false,
        };
        let _ = report::render_file(&opts, &db, &file, &diags);
    }
});
