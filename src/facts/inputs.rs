//! What `${{ inputs.x }}` is where a working directory or a cache path uses it: in a local
//! composite action, the value the calling step passes (`with:`), else the action's default; in
//! a reusable workflow (run only by `workflow_call`), the input's default, unless a caller in
//! the same repository passes another value. Anything else is unknown.

use crate::yaml::Node;

/// Input values by name (`None`: not known statically). A name that is not listed is unknown.
pub type Inputs = Vec<(String, Option<String>)>;

/// The value of a scalar input (a default, a `with:` value) as the expression sees it.
fn scalar(node: &Node<'_>) -> Option<String> {
    if node.is_null() {
        return Some(String::new());
    }
    node.as_str().map(str::to_string)
}

/// The `inputs:` of an `action.yml` or of `on.workflow_call`: each name with its default
/// (`""` without one: an input the caller does not pass is empty).
pub fn declared(inputs: Option<&Node<'_>>) -> Inputs {
    let Some(entries) = inputs.and_then(Node::as_map) else {
        return vec![];
    };
    entries
        .iter()
        .filter_map(|(k, v)| {
            let name = k.as_str()?.to_string();
            let value = match v.get("default") {
                Some(d) => scalar(d),
                None => Some(String::new()),
            };
            Some((name, value))
        })
        .collect()
}

/// The inputs a composite action's steps see: what the calling step's `with:` passes (its text
/// with the caller's own inputs put in), else the declared default.
pub fn for_call(
    declared: Inputs,
    with: impl Fn(&str) -> Option<String>,
    callers: &[(String, Option<String>)],
) -> Inputs {
    declared
        .into_iter()
        .map(|(name, default)| {
            let value = match with(&name) {
                Some(passed) => substitute(&passed, callers),
                None => default,
            };
            (name, value)
        })
        .collect()
}

/// The inputs of a reusable workflow whose only trigger is `workflow_call`, from its root
/// (empty for other workflows: their `inputs` come from events cachelint cannot see).
pub fn of_workflow(root: Option<&Node<'_>>) -> Inputs {
    let Some(on) = root.and_then(|r| r.get("on")) else {
        return vec![];
    };
    let only_call = on.as_map().is_some_and(|m| {
        !m.is_empty() && m.iter().all(|(k, _)| k.as_str() == Some("workflow_call"))
    });
    if !only_call {
        return vec![];
    }
    declared(on.get("workflow_call").and_then(|c| c.get("inputs")))
}

/// `text` with each `${{ inputs.X }}` replaced by its value; other expressions are kept.
/// `None` when an input used is unknown (or `text` uses `inputs` in another way).
pub fn substitute(text: &str, inputs: &[(String, Option<String>)]) -> Option<String> {
    use crate::expr::Replace;
    if !text.contains("inputs") {
        return Some(text.to_string());
    }
    crate::expr::replace(text, |body| {
        if !body.contains("inputs") {
            return Replace::Keep;
        }
        let name = body.strip_prefix("inputs.").filter(|n| {
            !n.is_empty()
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
        let value = name.and_then(|name| {
            inputs
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| v.clone())
        });
        value.map_or(Replace::Unknown, Replace::With)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    #[test]
    fn a_reusable_workflow_s_inputs_are_their_defaults() {
        let doc = yaml::parse(
            "on:\n  workflow_call:\n    inputs:\n      dir:\n        type: string\n        default: python\n      other:\n        type: string\n",
        );
        let inputs = of_workflow(doc.root.as_ref());
        assert_eq!(
            inputs,
            [
                ("dir".to_string(), Some("python".to_string())),
                ("other".to_string(), Some(String::new()))
            ]
        );
        assert_eq!(
            substitute("${{ inputs.dir }}/sub", &inputs).as_deref(),
            Some("python/sub")
        );
        assert_eq!(substitute("${{ inputs.nope }}", &inputs), None);
        assert_eq!(substitute("${{ inputs['dir'] }}", &inputs), None);
        assert_eq!(
            substitute("${{ env.X }}/a", &inputs).as_deref(),
            Some("${{ env.X }}/a")
        );
        // Another trigger gives `inputs` other values: unknown.
        let doc =
            yaml::parse("on:\n  workflow_call:\n    inputs:\n      dir: {default: x}\n  push:\n");
        assert!(of_workflow(doc.root.as_ref()).is_empty());
    }

    #[test]
    fn a_composite_action_sees_what_its_caller_passes() {
        let doc = yaml::parse("inputs:\n  dir:\n    default: a\n  root: {}\n");
        let declared = declared(doc.root.as_ref().and_then(|r| r.get("inputs")));
        let callers = vec![("top".to_string(), Some("t".to_string()))];
        let with = |n: &str| (n == "root").then(|| "${{ inputs.top }}/x".to_string());
        let seen = for_call(declared, with, &callers);
        assert_eq!(
            seen,
            [
                ("dir".to_string(), Some("a".to_string())),
                ("root".to_string(), Some("t/x".to_string()))
            ]
        );
    }
}
