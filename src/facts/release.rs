//! Release workflows and jobs (`rules/release.yml`): where a cache is a poisoning risk, so the
//! tool rules ask for none (zizmor's `cache-poisoning` audit flags cache steps there).

use crate::knowledge::Knowledge;
use crate::workflow::{Job, Workflow};
use crate::yaml::{Kind, Node};

/// Whether every trigger of the workflow is a release event, a push filtered to tags, or a
/// manual event, and at least one is one of the first two.
pub fn is_release_workflow(k: &Knowledge, wf: &Workflow<'_>) -> bool {
    let Some(on) = wf.root.and_then(|r| r.get("on")) else {
        return false;
    };
    let r = &k.release;
    let mut release = false;
    let mut judge = |event: &str, filters: Option<&Node<'_>>| -> bool {
        if r.release_events.iter().any(|e| e == event) {
            release = true;
            true
        } else if event == "push" {
            let tags_only = filters.is_some_and(|f| {
                f.get("tags").is_some()
                    && [
                        "branches",
                        "branches-ignore",
                        "paths",
                        "paths-ignore",
                        "tags-ignore",
                    ]
                    .iter()
                    .all(|k| f.get(k).is_none())
            });
            release |= tags_only;
            tags_only
        } else {
            r.manual_events.iter().any(|e| e == event)
        }
    };
    let all = match &on.kind {
        Kind::Scalar(..) => on.as_str().is_some_and(|e| judge(e, None)),
        Kind::Seq(items) => items
            .iter()
            .all(|i| i.as_str().is_some_and(|e| judge(e, None))),
        Kind::Map(entries) => entries
            .iter()
            .all(|(key, v)| key.as_str().is_some_and(|e| judge(e, Some(v)))),
    };
    all && release
}

/// Whether the job uses an action that publishes a release.
pub fn is_release_job(k: &Knowledge, job: &Job<'_>) -> bool {
    job.steps().iter().any(|s| {
        s.action()
            .and_then(|a| a.name())
            .is_some_and(|n| k.release.publishing_actions.contains(&n))
    })
}
