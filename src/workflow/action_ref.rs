//! `uses:` values parsed into action references.

/// What kind of git ref an action is pinned to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    /// A full 40-hex commit SHA.
    Sha,
    /// A tag or branch name (`v4`, `main`, `v4.2.0`).
    Named,
}

/// A parsed `uses:` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionRef<'a> {
    /// `[https://host/]owner/repo[/path]@ref`
    Remote {
        /// `code.forgejo.org` in `https://code.forgejo.org/actions/cache@v4`.
        host: Option<&'a str>,
        /// `actions`
        owner: &'a str,
        /// `cache`
        repo: &'a str,
        /// `restore` in `actions/cache/restore@v4` (no leading slash).
        path: Option<&'a str>,
        /// `v4`, or `None` when the `@ref` is missing.
        git_ref: Option<&'a str>,
        /// Whether the ref is a commit SHA.
        ref_kind: RefKind,
    },
    /// `./path/to/action`: an action in the checked-out workspace.
    Local {
        /// The path as written, `./` included.
        path: &'a str,
    },
    /// `$/path`: an action of the workflow's own repository at the running commit.
    SelfRepo {
        /// The path after `$/` (empty for the repository's root action).
        path: &'a str,
    },
    /// `docker://image:tag`
    Docker {
        /// The image after `docker://`.
        image: &'a str,
    },
    /// Anything else (an expression, an empty value): not interpreted.
    Other(&'a str),
}

impl<'a> ActionRef<'a> {
    /// Parses a `uses:` value. Never fails; unrecognised text is [`ActionRef::Other`].
    pub fn parse(uses: &'a str) -> Self {
        let uses = uses.trim();
        if uses.contains("${{") || uses.is_empty() {
            return ActionRef::Other(uses);
        }
        if let Some(image) = uses.strip_prefix("docker://") {
            return ActionRef::Docker { image };
        }
        if uses.starts_with("./") || uses.starts_with("../") || uses == "." {
            return ActionRef::Local { path: uses };
        }
        if let Some(path) = uses.strip_prefix("$/") {
            return ActionRef::SelfRepo { path };
        }
        let (mut rest, host) = match uses.split_once("://") {
            Some((_, after)) => match after.split_once('/') {
                Some((host, rest)) => (rest, Some(host)),
                None => return ActionRef::Other(uses),
            },
            None => (uses, None),
        };
        let mut git_ref = None;
        if let Some((name, r)) = rest.rsplit_once('@') {
            rest = name;
            git_ref = Some(r);
        }
        let mut parts = rest.splitn(3, '/');
        let (Some(owner), Some(repo)) = (parts.next(), parts.next()) else {
            return ActionRef::Other(uses);
        };
        if owner.is_empty() || repo.is_empty() {
            return ActionRef::Other(uses);
        }
        let path = parts
            .next()
            .map(|p| p.trim_end_matches('/'))
            .filter(|p| !p.is_empty());
        let ref_kind = match git_ref {
            Some(r) if r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()) => RefKind::Sha,
            _ => RefKind::Named,
        };
        ActionRef::Remote {
            host,
            owner,
            repo,
            path,
            git_ref,
            ref_kind,
        }
    }

    /// `owner/repo[/path]` of a remote action, lowercased for matching; `None` otherwise.
    pub fn name(&self) -> Option<String> {
        match self {
            ActionRef::Remote {
                owner, repo, path, ..
            } => {
                // One allocation, no formatting machinery: this runs for every `uses:` step.
                let len = owner.len() + 1 + repo.len() + path.map_or(0, |p| p.len() + 1);
                let mut name = String::with_capacity(len);
                name.push_str(owner);
                name.push('/');
                name.push_str(repo);
                if let Some(p) = path {
                    name.push('/');
                    name.push_str(p);
                }
                name.make_ascii_lowercase();
                Some(name)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_remote_forms() {
        let r = ActionRef::parse("actions/cache@v4");
        assert_eq!(r.name().as_deref(), Some("actions/cache"));
        let r = ActionRef::parse("https://code.forgejo.org/actions/cache/restore@v4");
        assert!(matches!(
            r,
            ActionRef::Remote {
                host: Some("code.forgejo.org"),
                path: Some("restore"),
                git_ref: Some("v4"),
                ..
            }
        ));
        assert_eq!(r.name().as_deref(), Some("actions/cache/restore"));
        let sha = "0c45773b623bea8c8e75f6c82b208c3cf94ea4f9";
        let uses = format!("actions/cache@{sha}");
        let r = ActionRef::parse(&uses);
        assert!(matches!(
            r,
            ActionRef::Remote {
                ref_kind: RefKind::Sha,
                ..
            }
        ));
        assert!(matches!(
            ActionRef::parse("Actions/Cache"),
            ActionRef::Remote { git_ref: None, .. }
        ));
    }

    #[test]
    fn parses_other_forms() {
        assert_eq!(
            ActionRef::parse("./.github/actions/x"),
            ActionRef::Local {
                path: "./.github/actions/x"
            }
        );
        assert_eq!(ActionRef::parse("$/"), ActionRef::SelfRepo { path: "" });
        assert_eq!(
            ActionRef::parse("$/.github/actions/x"),
            ActionRef::SelfRepo {
                path: ".github/actions/x"
            }
        );
        assert_eq!(
            ActionRef::parse("docker://alpine:3"),
            ActionRef::Docker { image: "alpine:3" }
        );
        assert!(matches!(
            ActionRef::parse("${{ matrix.action }}"),
            ActionRef::Other(_)
        ));
        assert!(matches!(ActionRef::parse("justone"), ActionRef::Other(_)));
    }
}
