//! The shell scanner on any script: never panics, linear time, spans inside the script.
#![no_main]

use cachelint::shell::{self, Dialect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|script: &str| {
    for dialect in [Dialect::Posix, Dialect::PowerShell, Dialect::Cmd] {
        for cmd in shell::scan(script, dialect) {
            assert!(!cmd.words.is_empty());
            for w in &cmd.words {
                assert!(
                    w.span.start <= w.span.end && w.span.end <= script.len(),
                    "{w:?}"
                );
            }
        }
    }
});
