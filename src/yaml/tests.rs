use super::*;

fn root(src: &str) -> Node<'_> {
    let doc = parse(src);
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    doc.root.expect("a root node")
}

#[test]
fn keeps_raw_scalars_and_spans() {
    let src = "on: push\npython: 3.10\n";
    let r = root(src);
    let (k, v) = &r.as_map().unwrap()[0];
    assert_eq!(k.as_str(), Some("on"));
    assert_eq!(&src[v.span.clone()], "push");
    assert_eq!(r.get("python").unwrap().as_str(), Some("3.10"));
}

#[test]
fn block_scalar_span_and_map() {
    let src = "run: |\r\n\r\n  echo hi\r\n  nox -s t\r\nx: 1\r\n";
    let r = root(src);
    let run = r.get("run").unwrap();
    assert_eq!(&src[run.span.clone()], "echo hi\r\n  nox -s t");
    let value = run.as_str().unwrap();
    let at = value.find("nox").unwrap();
    let m = run.scalar_map(src);
    assert_eq!(&src[m.to_source(at..at + 3)], "nox");
    let at = value.find("echo").unwrap();
    assert_eq!(&src[m.to_source(at..at + 4)], "echo");
}

#[test]
fn quoted_scalar_map_skips_quotes() {
    let src = "a: 'it''s nox'\nb: \"x\\\"y nox\"\n";
    let r = root(src);
    for key in ["a", "b"] {
        let n = r.get(key).unwrap();
        let v = n.as_str().unwrap();
        let at = v.find("nox").unwrap();
        assert_eq!(&src[n.scalar_map(src).to_source(at..at + 3)], "nox");
    }
}

#[test]
fn collection_spans() {
    let src = "a:\n  b: [1, 2]\n  c:\n    - x\n    - y\n# end\n";
    let r = root(src);
    let a = r.get("a").unwrap();
    assert_eq!(&src[a.span.clone()], "b: [1, 2]\n  c:\n    - x\n    - y");
    assert_eq!(&src[a.get("b").unwrap().span.clone()], "[1, 2]");
}

#[test]
fn duplicate_keys_are_reported_and_kept() {
    let src = "a: 1\nb: 2\na: 3\n";
    let doc = parse(src);
    assert_eq!(
        doc.problems,
        vec![Problem::DuplicateKey {
            key: "a".into(),
            first: 0..1,
            dup: 10..11
        }]
    );
    assert_eq!(doc.root.unwrap().get("a").unwrap().as_str(), Some("3"));
}

#[test]
fn aliases_expand_and_remember_their_site() {
    let src = "x: &s {run: nox}\ny: *s\n";
    let r = root(src);
    let y = r.get("y").unwrap();
    assert_eq!(y.get("run").unwrap().as_str(), Some("nox"));
    assert_eq!(&src[y.get("run").unwrap().report_span()], "*s");
    assert!(r.get("x").unwrap().alias.is_none());
}

#[test]
fn alias_bomb_is_bounded() {
    let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        src.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let doc = parse(&src);
    assert!(
        doc.problems
            .iter()
            .any(|p| matches!(p, Problem::AliasBudget { .. }))
    );
}

#[test]
fn syntax_error_has_a_position() {
    let src = "a: b\nc: [d\n";
    let doc = parse(src);
    let Some(Problem::Syntax { span, .. }) = doc.problems.first() else {
        panic!("{:?}", doc.problems)
    };
    assert!(span.start <= src.len());
    // The partial tree is kept.
    assert_eq!(doc.root.unwrap().get("a").unwrap().as_str(), Some("b"));
}

#[test]
fn deep_nesting_is_a_syntax_error_not_a_crash() {
    let src = "[".repeat(10_000);
    let doc = parse(&src);
    assert!(matches!(doc.problems.first(), Some(Problem::Syntax { .. })));
    let src = (0..10_000)
        .map(|i| format!("{}- ", " ".repeat(i * 2)))
        .collect::<Vec<_>>()
        .join("\n");
    let doc = parse(&src);
    assert!(matches!(doc.problems.first(), Some(Problem::Syntax { .. })));
}

#[test]
fn empty_and_comment_only_files() {
    assert!(parse("").root.is_none());
    assert!(parse("# only a comment\n").root.is_none());
    assert!(parse("").problems.is_empty());
}

#[test]
fn bom_offsets_are_exact() {
    let src = "\u{feff}on: push\n";
    let r = root(src);
    assert_eq!(&src[r.as_map().unwrap()[0].0.span.clone()], "on");
}

#[test]
fn node_count_is_bounded() {
    let src = "x:\n".to_string() + &"- a\n".repeat(MAX_NODES + 10);
    let doc = parse(&src);
    assert!(doc.root.is_none());
    assert!(matches!(
        doc.problems.as_slice(),
        [Problem::TooManyNodes { .. }]
    ));
}

#[test]
fn large_mappings_find_duplicates_in_linear_time() {
    // 200,000 keys: a quadratic duplicate check would take minutes.
    let mut src: String = (0..200_000).map(|i| format!("k{i}: v\n")).collect();
    src.push_str("k7: again\n");
    let doc = parse(&src);
    let dups: Vec<_> = doc
        .problems
        .iter()
        .filter_map(|p| match p {
            Problem::DuplicateKey { key, first, .. } => Some((key.clone(), first.start)),
            _ => None,
        })
        .collect();
    assert_eq!(dups, [("k7".to_string(), src.find("k7:").unwrap())]);
}

/// Inputs the fast path must take, and on which it must build what granit-parser builds.
const FAST_PATH_CASES: &[&str] = &[
    "on: push\n",
    "---\nname: x # comment\non:\n  push:\n    branches: [main, 'release/*']\n",
    "a:\n  - 1\n  -\n  - # c\n  - |\n    t\n\n    u\n  # c\nd:\n- e: f\n  g: \"h\"\n- [x, y]\n- {p: q}\n",
    "steps:\n\n- run: x\n- b\nafter: 1\n",
    "k: >-\n   a\n   b\n\n   c\n    d\n   e\nlast:\n",
    "k: |\n  x\n   \n  y\n",
    "k: |-\n\n  lead\n  tail   \n\n\nnext: 1\n",
    "run: docker run\n  --mount a=b\n\n  --rm 'q' [x]\n  # c\nnext: 1\n",
    "if: a &&\n    b ||\n    c # trailing\n",
    "msg: \"one\n  two\n\n  three \\\n  four\\ttab \\\"q\\\"\"\n",
    "msg: 'it''s\n  folded'\n",
    "matrix:\n  include: [\n    {os: ubuntu, py: '3.12'},\n    {os: macos, py: \"3.13\"},\n  ]\n",
    "a: b\r\nc:\r\n  - d\r\n  - |\r\n    e\r\n    f\r\n",
    "\"quoted key\": 1\n'single': [a, b]\n",
    "a: 1\nb: 2\na: 3\n",
    "url: http://x.y/z#frag\ntime: 12:30\n",
    "- a\n- b:\n  - c\n",
    "",
    "# only a comment\n",
    "key:\n",
    "a: &x 1\nb: *x\nc: &m\n  k: v\nd: &s\n  - 1\nf: &e\ng: [&f a, *f]\nh: *m\n",
    "i:\n- &it x\n- *it   \n- &mm\n  k: v\n- &z\nf: &e # c\nm: &a\n- 1\nb: &b |\n  x\n",
    "x-opts: &o [a, b]\njobs:\n  a: {opts: *o, more: &p {k: v}}\n  b: *p\n  c:\n    <<: *p\n",
    "a: &x 1\nb: &x 2\nc: *x\n",
    "a: &r [*r]\n",
    "a: [\n  # c\n  x, # d\n  y # e\n  ]\nb: {k: v # f\n  }\n",
];

/// Inputs the fast path leaves to granit-parser.
const GRANIT_CASES: &[&str] = &[
    "a: *undefined\n",
    "- &a k: v\n",
    "&a k: v\n",
    "a: !!str 1\n",
    "%YAML 1.2\n---\na: 1\n",
    "a: 1\n---\nb: 2\n",
    "a: |+\n  x\n\n",
    "a: |2\n   x\n",
    "? a\n: b\n",
    "a:\tb\n\tc: d\n",
    "a: b: c\n",
    "a: [1, 2\n",
    "a: {k\n: v}\n",
    "\u{feff}a: 1\n",
    "a: \"\\x41\"\n",
];

#[test]
fn fast_path_builds_what_granit_builds() {
    for src in FAST_PATH_CASES {
        let fast = parse_fast(src).unwrap_or_else(|| {
            panic!(
                "left the fast path at fast.rs:{:?}: {src:?}",
                fast_path_bail(src)
            )
        });
        assert_eq!(fast, parse_granit(src), "{src:?}");
    }
}

#[test]
fn fast_path_leaves_the_rest_to_granit() {
    for src in GRANIT_CASES {
        assert!(parse_fast(src).is_none(), "{src:?}");
        // And `parse` then gives granit-parser's result.
        assert_eq!(parse(src), parse_granit(src), "{src:?}");
    }
}

#[test]
fn fast_path_folds_like_yaml() {
    let r = root("run: docker run\n  --mount a=b\n\n  --rm\nf: >\n  a\n  b\n\n   c\n  d\n");
    assert_eq!(
        r.get("run").unwrap().as_str(),
        Some("docker run --mount a=b\n--rm")
    );
    assert_eq!(r.get("f").unwrap().as_str(), Some("a b\n\n c\nd\n"));
}

/// The comments of `src` as (text from the `#`, whole line), after checking that the fast path
/// takes `src` and finds exactly the comments granit-parser reports.
fn comments(src: &str) -> Vec<(&str, bool)> {
    let fast = parse_fast(src).unwrap_or_else(|| {
        panic!(
            "left the fast path at fast.rs:{:?}: {src:?}",
            fast_path_bail(src)
        )
    });
    assert_eq!(fast.comments, parse_granit(src).comments, "{src:?}");
    fast.comments
        .iter()
        .map(|c| (&src[c.span.clone()], c.whole_line))
        .collect()
}

#[test]
fn comments_inside_block_scalars_are_content() {
    let src = "run: | # header\n  # not a comment\n  echo x # nor this\n\n  # nor this\n# but this\nb: 1\n";
    assert_eq!(comments(src), [("# header", false), ("# but this", true)]);
    // A less indented `#` line ends the scalar and is a comment; a more indented one is content.
    let src = "a:\n  run: >-\n    x\n      # content\n  # comment\n  b: 1\n";
    assert_eq!(comments(src), [("# comment", true)]);
}

#[test]
fn comments_after_quoted_scalars() {
    let src = "a: \"x # y\" # after double\nb: 'it''s # z' # after single\nc: \"#\"\n";
    assert_eq!(
        comments(src),
        [("# after double", false), ("# after single", false)]
    );
    // A quoted scalar over two lines holds a `#` line as text.
    let src = "a: \"one\n  # two\n  three\" # real\n";
    assert_eq!(comments(src), [("# real", false)]);
}

#[test]
fn a_hash_not_after_a_blank_is_text() {
    let src = "a#b: c#d\nurl: http://x.y/#frag #real\nk: v\t# tab before\n";
    assert_eq!(comments(src), [("#real", false), ("# tab before", false)]);
    let r = root(src);
    assert_eq!(r.get("a#b").unwrap().as_str(), Some("c#d"));
}

#[test]
fn comments_in_flow_collections() {
    let src = "a: [1, # one\n  2 # two\n  , {b: 3 # three\n  # four\n  }] # five\n";
    assert_eq!(
        comments(src),
        [
            ("# one", false),
            ("# two", false),
            ("# three", false),
            ("# four", true),
            ("# five", false)
        ]
    );
    assert_eq!(comments("a: [x#y, 'p # q']\n"), []);
}

#[test]
fn comments_end_before_crlf() {
    let src = "a: 1 # one\r\n# two  \r\nb: |\r\n  # content\r\n# three\r\n";
    assert_eq!(
        comments(src),
        [("# one", false), ("# two  ", true), ("# three", true)]
    );
    let doc = parse(src);
    assert_eq!(doc.comments[1].text(src), " two  ");
}

#[test]
fn comment_only_and_empty_files() {
    let src = "# only\n#\n   # indented\n\n# last, no line break";
    assert_eq!(
        comments(src),
        [
            ("# only", true),
            ("#", true),
            ("# indented", true),
            ("# last, no line break", true)
        ]
    );
    assert_eq!(comments(""), []);
    assert!(parse(src).root.is_none());
}

#[test]
fn a_hash_in_a_key() {
    let src = "\"k # x\": 1 # c\n'#': 2\nk#: 3\n";
    assert_eq!(comments(src), [("# c", false)]);
    let r = root(src);
    assert_eq!(r.get("k # x").unwrap().as_str(), Some("1"));
    assert_eq!(r.get("#").unwrap().as_str(), Some("2"));
    assert_eq!(r.get("k#").unwrap().as_str(), Some("3"));
}

#[test]
fn comments_around_nodes_and_markers() {
    let src = "--- # doc\na: &x # anchor\n  - # empty item\n    v\nb: *x # alias\nc: # empty\nd:\n  # above\n  e: 1\n";
    assert_eq!(
        comments(src),
        [
            ("# doc", false),
            ("# anchor", false),
            ("# empty item", false),
            ("# alias", false),
            ("# empty", false),
            ("# above", true)
        ]
    );
}

#[test]
fn granit_path_keeps_comments_too() {
    // Outside the fast path (a tag, a complex key): the comments come from granit-parser.
    let src = "a: !!str 1 # tagged\n? # q\n  k\n: v # r\n";
    assert!(parse_fast(src).is_none());
    let doc = parse(src);
    let got: Vec<_> = doc.comments.iter().map(|c| &src[c.span.clone()]).collect();
    assert_eq!(got, ["# tagged", "# q", "# r"]);
    // After a syntax error: the comments before it.
    let src = "# top\na: [1, # one\nb: c: d # after\n";
    let doc = parse(src);
    assert!(matches!(doc.problems.first(), Some(Problem::Syntax { .. })));
    assert_eq!(
        doc.comments.first().map(|c| &src[c.span.clone()]),
        Some("# top")
    );
}

#[test]
fn a_long_comment_block_is_kept_whole() {
    // granit-parser caps the comments it buffers while looking ahead after a `:` or `-` (96 by
    // default, then an error); the cap is lifted, so no comment block can make a file invalid.
    let src = format!("a:\n{}  b: 1\n", "  # c\n".repeat(500));
    let doc = parse_granit(&src);
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    assert_eq!(doc.comments.len(), 500);
    assert_eq!(parse_fast(&src), Some(doc));
}

#[test]
#[allow(clippy::single_range_in_vec_init)]
fn a_second_document_is_reported_once_and_an_empty_one_not_at_all() {
    let extra = |src: &str| {
        parse_granit(src)
            .problems
            .into_iter()
            .filter_map(|p| match p {
                Problem::ExtraDocument { span } => Some((span.start, span.end)),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(extra("a: 1\n---\nb: 2\n---\nc: 3\n"), vec![(9, 13)]);
    assert!(extra("a: 1\n---\n").is_empty());
    assert!(extra("---\na: 1\n...\n").is_empty());
    assert!(extra("a: 1\n--- ~\n").is_empty());
    assert_eq!(extra("a: 1\n...\n--- [x]\n"), vec![(13, 16)]);
    // The first document is the tree.
    assert!(
        parse("a: 1\n---\nb: 2\n")
            .root
            .is_some_and(|r| r.get("a").is_some())
    );
}
