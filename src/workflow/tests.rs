use super::*;
use crate::yaml;

fn with_workflow(src: &str, f: impl FnOnce(&Workflow<'_>, &[Problem])) {
    let doc = yaml::parse(src);
    assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    let (wf, problems) = build(doc.root.as_ref());
    f(&wf, &problems);
}

const WF: &str = r#"
on: push
defaults:
  run:
    shell: bash
jobs:
  test:
    runs-on: ubuntu-latest
    defaults:
      run:
        working-directory: pkg
    strategy:
      matrix:
        python: ["3.10", "3.12"]
    steps:
      - uses: actions/checkout@v4
      - id: c
        uses: https://code.forgejo.org/actions/cache@v4
        with:
          path: .nox
          key: k
      - run: nox
        shell: pwsh
      - run: |
          nox -s t
        working-directory: other
  call:
    uses: ./.github/workflows/x.yml
    with:
      a: 1
"#;

#[test]
fn builds_jobs_and_steps() {
    with_workflow(WF, |wf, problems| {
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(wf.kind, FileKind::Workflow);
        assert_eq!(wf.jobs.len(), 2);
        let test = &wf.jobs[0];
        assert_eq!(test.id.value, "test");
        assert!(test.matrix.is_some());
        let steps = test.steps();
        assert_eq!(steps.len(), 4);
        assert_eq!(steps[1].id.unwrap().value, "c");
        assert_eq!(steps[1].input("path").unwrap().value, ".nox");
        assert_eq!(
            steps[1].action().and_then(|a| a.name()).as_deref(),
            Some("actions/cache")
        );
        let run = steps[2].run().unwrap();
        assert_eq!(run.shell.unwrap().value, "pwsh");
        assert_eq!(run.working_directory.unwrap().value, "pkg");
        let run = steps[3].run().unwrap();
        assert_eq!(run.shell.unwrap().value, "bash");
        assert_eq!(run.working_directory.unwrap().value, "other");
        assert!(matches!(wf.jobs[1].body, JobBody::Call { .. }));
    });
}

#[test]
fn wrong_shapes_are_problems_not_failures() {
    let src = "on: push\njobs:\n  a:\n    steps: 3\n  b: [1]\n  c:\n    steps:\n      - run: [x]\n      - 7\n      - uses: a/b@v1\n        run: x\n      - name: nothing\n  d:\n    steps:\n      - run: ok\n";
    with_workflow(src, |wf, problems| {
        let messages: Vec<_> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`steps` must be a sequence, not a scalar",
                "job `b` must be a mapping, not a sequence",
                "`run` must be a string, not a sequence",
                "a step must be a mapping, not a scalar",
                "a step cannot have both `uses` and `run`",
                "a step needs `uses` or `run`",
            ]
        );
        // The valid job is still there.
        assert_eq!(
            wf.jobs
                .iter()
                .find(|j| j.id.value == "d")
                .unwrap()
                .steps()
                .len(),
            1
        );
    });
}

#[test]
fn expressions_are_allowed_where_mappings_go() {
    let src = "on: push\nenv: ${{ fromJSON(inputs.env) }}\njobs:\n  a:\n    strategy: ${{ fromJSON(x) }}\n    steps:\n      - uses: a/b@v1\n        with: ${{ inputs.w }}\n";
    with_workflow(src, |wf, problems| {
        assert!(problems.is_empty(), "{problems:?}");
        assert!(wf.env.dynamic);
    });
}

#[test]
fn action_files_are_recognised() {
    with_workflow(
        "name: x\nruns:\n  using: composite\n  steps: []\n",
        |wf, problems| {
            assert!(problems.is_empty());
            assert_eq!(wf.kind, FileKind::Action);
        },
    );
}

#[test]
fn aliased_steps_report_at_the_alias() {
    let src = "on: push\njobs:\n  a:\n    steps:\n      - &s\n        run: nox\n  b:\n    steps:\n      - *s\n";
    with_workflow(src, |wf, _| {
        let b = &wf.jobs[1].steps()[0];
        assert_eq!(&src[b.span()], "*s");
        assert_eq!(&src[b.run().unwrap().script.span()], "*s");
    });
}
