//! `${{ }}` expressions: finding them in a string, parsing each body, and walking the AST.
#![no_main]

use cachelint::expr;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for site in expr::find(text) {
        assert!(site.range.start <= site.body_range.start);
        assert!(site.body_range.end <= site.range.end && site.range.end <= text.len());
        if let Some(e) = expr::parse(site.body) {
            let _ = expr::hash_files(&e);
            let _ = expr::contexts(&e);
        }
    }
    if let Some(e) = expr::parse(text) {
        let _ = expr::hash_files(&e);
        let _ = expr::contexts(&e);
    }
});
