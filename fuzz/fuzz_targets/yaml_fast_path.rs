//! The YAML fast path against granit-parser: whenever the fast path takes an input, it must
//! build exactly the tree granit-parser's events build.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Some(fast) = cachelint::yaml::parse_fast(text) {
        let reference = cachelint::yaml::parse_granit(text);
        assert!(
            fast == reference,
            "fast path differs from granit-parser on {text:?}\nfast:   {fast:?}\ngranit: {reference:?}"
        );
    }
});
