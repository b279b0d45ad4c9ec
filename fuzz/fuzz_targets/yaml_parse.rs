//! The YAML layer on any string: never panics, never hangs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let doc = cachelint::yaml::parse(text);
    // Every span the tree and the problems hold must lie inside the text.
    if let Some(root) = &doc.root {
        let mut todo = vec![root];
        while let Some(n) = todo.pop() {
            assert!(
                n.span.start <= n.span.end && n.span.end <= text.len(),
                "{:?}",
                n.span
            );
            match &n.kind {
                cachelint::yaml::Kind::Scalar(..) => {}
                cachelint::yaml::Kind::Seq(items) => todo.extend(items),
                cachelint::yaml::Kind::Map(entries) => {
                    for (k, v) in entries {
                        todo.push(k);
                        todo.push(v);
                    }
                }
            }
        }
    }
});
