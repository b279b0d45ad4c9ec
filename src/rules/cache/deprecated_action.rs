//! `cache/deprecated-action`: on GitHub, an actions/cache release (or a commit of one) that
//! calls the cache service retired in 2025, and deprecated inputs (`save-always`). Which refs,
//! commits and inputs are which is data (`rules/cache-actions.yml`).

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::facts::is_literally_false;
use crate::rules::{Context, Rule, RuleMeta};
use crate::workflow::{ActionRef, Job, RefKind, Step, StepKind};

use super::{on_github, save_always};

/// The rule's metadata.
pub static META: RuleMeta = RuleMeta {
    id: "cache/deprecated-action",
    summary: "An actions/cache release that no longer works on github.com, or a deprecated input.",
    severity: Severity::Error,
};

/// See the module docs.
pub struct DeprecatedAction;

impl Rule for DeprecatedAction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_step(
        &self,
        cx: &Context<'_>,
        job: &Job<'_>,
        step: &Step<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        if is_literally_false(step.if_cond) {
            return;
        }
        let StepKind::Uses { uses, action } = &step.kind else {
            return;
        };
        let ActionRef::Remote {
            host,
            git_ref,
            ref_kind,
            ..
        } = action
        else {
            return;
        };
        if host.is_some_and(|h| !h.eq_ignore_ascii_case("github.com")) {
            return;
        }
        let Some(name) = action.name() else { return };
        let Some(cache) = cx.knowledge.cache_action(&name) else {
            return;
        };
        if !on_github(cx.name) {
            return;
        }
        let release = || {
            cx.knowledge
                .suggested_cache_action()
                .rsplit_once('@')
                .map(|(_, r)| r.to_string())
                .unwrap_or_default()
        };
        // The bump of a release that no longer works: the `save-always` fix carries it too.
        let mut deprecated = false;
        let mut bumped = None;
        if let Some(r) = git_ref
            && let Some(version) = cache.deprecated_ref(r)
        {
            deprecated = true;
            let release = release();
            let what = match ref_kind {
                RefKind::Sha => format!("`{name}@{}` ({version})", r.get(..12).unwrap_or(r)),
                RefKind::Named => format!("`{name}@{r}`"),
            };
            let mut d = Diagnostic::new(
                &META,
                cx.at(uses.span()),
                format!(
                    "{what} no longer works on github.com: it calls the cache service GitHub retired in 2025"
                ),
            )
            .with_primary_label("fails when it restores or saves")
            .with_help(format!(
                "use `{name}@{release}` (any release from v3.4.0 or v4.2.0 on works)"
            ));
            if let Some(fix) = bump(cx, &name, uses.span(), r, *ref_kind) {
                bumped = Some(fix.clone());
                d = d.with_fix(fix);
            }
            out.push(d);
        }
        for input in &cache.deprecated_inputs {
            if let Some((k, v)) = step.with.iter().find(|(k, _)| k.value == input.name) {
                let mut d = Diagnostic::new(
                    &META,
                    cx.at(k.span()),
                    format!("the `{}` input of `{name}` is deprecated", input.name),
                )
                .with_primary_label("deprecated input")
                .with_help(input.instead.clone());
                d.severity = Severity::Warning;
                if input.name == "save-always" {
                    let fix = save_always::remove_false(cx, step, v).or_else(|| {
                        save_always::split(cx, job, step, v, deprecated, bumped.as_ref())
                    });
                    if let Some(fix) = fix {
                        d = d.with_fix(fix);
                    }
                }
                out.push(d);
            }
        }
    }
}

/// The fix: the ref of `uses` bumped to the current release of the same action: a tag to the
/// release tag (`v4` to the release's major, a full version to the full one), a commit to the
/// release's commit with its `# <release>` comment (replacing a version comment that was there).
/// `None` when the ref is not written plainly in the source, or the release is not known.
fn bump(
    cx: &Context<'_>,
    name: &str,
    span: std::ops::Range<usize>,
    git_ref: &str,
    kind: RefKind,
) -> Option<Fix> {
    let repo: String = name.split('/').take(2).collect::<Vec<_>>().join("/");
    let action = cx
        .knowledge
        .cache_actions
        .iter()
        .find(|a| a.uses == repo && a.release.is_some())?;
    let release = action.release.as_deref()?;
    let source = cx.text.get(span.clone())?;
    let at = source.rfind('@')?;
    let ref_start = span.start + at + 1;
    let ref_end = ref_start + git_ref.len();
    if cx.text.get(ref_start..ref_end)? != git_ref {
        return None;
    }
    // The end of the scalar as written: past its closing quote when it is quoted.
    let mut value_end = span.end;
    if let (Some(open), Some(close)) = (
        span.start
            .checked_sub(1)
            .and_then(|i| cx.text.as_bytes().get(i)),
        cx.text.as_bytes().get(span.end),
    ) && matches!(open, b'"' | b'\'')
        && open == close
    {
        value_end += 1;
    }
    let span = span.start..value_end;
    let mut edits = vec![];
    let mut shown = release.to_string();
    match kind {
        RefKind::Named => {
            let major_only = git_ref
                .trim_start_matches(['v', 'V'])
                .bytes()
                .all(|b| b.is_ascii_digit());
            let new = if major_only {
                release.split('.').next().unwrap_or(release)
            } else {
                release
            };
            shown = new.to_string();
            edits.push(Edit::replace(cx.at(ref_start..ref_end), new));
        }
        RefKind::Sha => {
            let sha = action.release_sha.as_deref()?;
            edits.push(Edit::replace(cx.at(ref_start..ref_end), sha));
            // The comment after the value on its line: a version comment is replaced, else
            // one is added.
            let line_end = cx.text[span.end..]
                .find(['\n', '\r'])
                .map_or(cx.text.len(), |i| span.end + i);
            let rest = &cx.text[span.end..line_end];
            match rest.find('#') {
                Some(h) => {
                    let comment = rest[h + 1..].trim();
                    let is_version = comment
                        .trim_start_matches(['v', 'V'])
                        .starts_with(|c: char| c.is_ascii_digit());
                    if is_version && !comment.contains(' ') {
                        let start = span.end + h;
                        let end = span.end + rest.trim_end().len();
                        edits.push(Edit::replace(cx.at(start..end), format!("# {release}")));
                    }
                }
                None => edits.push(Edit::insert(cx.file, span.end, format!(" # {release}"))),
            }
        }
    }
    Some(Fix {
        title: format!("use `{name}@{shown}`"),
        applicability: Applicability::Safe,
        edits,
    })
}
