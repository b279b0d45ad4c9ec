//! Rules about the cache steps themselves, whatever they cache: actions/cache releases that no
//! longer work, keys the cache service rejects or never matches, restore/save pairs that do not
//! share a cache, keys hashed before the checkout.

pub mod deprecated_action;
pub mod hash_before_checkout;
pub mod key_invalid;
pub mod key_never_hits;
pub mod restore_keys_not_prefix;
mod save_always;
pub mod save_path_mismatch;
pub mod template;

use crate::source::{Location, Span};
use crate::workflow::Str;

/// Whether a file is GitHub's (under a `.github` folder): Forgejo and Gitea runners serve
/// their own cache, and their files live under `.forgejo/` or `.gitea/`.
pub(crate) fn on_github(name: &str) -> bool {
    // By the text: `Path::components` costs more than the rest of the rule.
    name.split(['/', '\\']).any(|c| c == ".github")
}

/// The non-empty lines of a `restore-keys:` (or `path:`) value: the trimmed text and its byte
/// range in the value.
pub(crate) fn lines(value: &str) -> Vec<(&str, Span)> {
    let mut out = vec![];
    let mut offset = 0;
    for line in value.split('\n') {
        let start = offset + (line.len() - line.trim_start().len());
        offset += line.len() + 1;
        let text = line.trim();
        if !text.is_empty() {
            out.push((text, start..start + text.len()));
        }
    }
    out
}

/// Where a range of a scalar's decoded value is written in the linted file (`text`).
pub(crate) fn at_range(file: crate::source::FileId, text: &str, s: &Str<'_>, r: Span) -> Location {
    Location::new(file, s.node.scalar_map(text).to_source(r))
}

/// Whether two `uses:` chains lead into the same call of a composite action (a fact pair that
/// lives inside one action is reported in that action's file).
pub(crate) fn same_action_call(a: &[Location], b: &[Location]) -> bool {
    matches!((a.first(), b.first()), (Some(x), Some(y)) if x == y)
}
