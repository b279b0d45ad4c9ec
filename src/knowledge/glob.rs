//! Glob patterns as `actions/cache` paths and `hashFiles()` read them (@actions/glob):
//! `*` and `?` within one path segment, `[...]` classes, `**` for any number of segments.
//! A pattern that names a directory also takes in everything beneath it.

/// Normalises a workspace-relative path: drops `./`, empty and `.` segments, a trailing `/`;
/// resolves `..` where it can.
pub fn normalize(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = vec![];
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(seg),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Joins two normalised paths (an absolute `rel` replaces `base`).
pub fn join(base: &str, rel: &str) -> String {
    if rel.starts_with('/') || base.is_empty() {
        normalize(rel)
    } else {
        normalize(&format!("{base}/{rel}"))
    }
}

/// Whether `pattern` matches `path` exactly (both normalised, `/`-separated).
pub fn matches(pattern: &str, path: &str) -> bool {
    let norm = normalize(pattern);
    let pat = segments(&norm);
    match_segments(&pat, &segments(path))
}

/// Whether `pattern` matches `path` or a directory above it (a directory pattern takes in
/// everything beneath it).
pub fn covers(pattern: &str, path: &str) -> bool {
    covers_normalized(&normalize(pattern), path)
}

/// [`covers`] for a pattern that is already normalised (no allocation for the common case).
pub fn covers_normalized(norm: &str, path: &str) -> bool {
    if norm.is_empty() {
        // `.` is the whole workspace.
        return !path.starts_with('/');
    }
    if norm.starts_with('/') != path.starts_with('/') {
        return false;
    }
    // Quick reject on the literal leading segments (most patterns are plain paths).
    let literal = |seg: &str| !seg.bytes().any(|b| matches!(b, b'*' | b'?' | b'['));
    let pat_iter = norm.split('/').filter(|s| !s.is_empty());
    let path_iter = path.split('/').filter(|s| !s.is_empty());
    for (p, t) in pat_iter.zip(path_iter) {
        if !literal(p) {
            break;
        }
        if p != t {
            return false;
        }
    }
    let pat = segments(norm);
    let segs = segments(path);
    (1..=segs.len()).any(|n| match_segments(&pat, &segs[..n]))
}

/// Whether `pattern` matches one path segment (a file name): `*`, `?` and classes, no `/`.
pub fn matches_name(pattern: &str, name: &str) -> bool {
    match_segment(pattern.as_bytes(), name.as_bytes())
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// Longer patterns or paths (in segments) never match: it bounds the work on hostile input.
const MAX_SEGMENTS: usize = 256;

/// Segment-wise match with `**`, by dynamic programming over (pattern, path) positions:
/// `dp[i][j]` says whether `pat[i..]` matches `segs[j..]`. O(pattern x path), no recursion.
fn match_segments(pat: &[&str], segs: &[&str]) -> bool {
    if pat.len() > MAX_SEGMENTS || segs.len() > MAX_SEGMENTS {
        return false;
    }
    let w = segs.len() + 1;
    let mut dp = vec![false; (pat.len() + 1) * w];
    dp[pat.len() * w + segs.len()] = true;
    for i in (0..pat.len()).rev() {
        for j in (0..=segs.len()).rev() {
            dp[i * w + j] = if pat[i] == "**" {
                // `**` matches nothing here, or one more segment.
                dp[(i + 1) * w + j] || (j < segs.len() && dp[i * w + j + 1])
            } else {
                j < segs.len()
                    && match_segment(pat[i].as_bytes(), segs[j].as_bytes())
                    && dp[(i + 1) * w + j + 1]
            };
        }
    }
    dp[0]
}

/// One segment: `*`, `?`, `[abc]`, `[a-z]`, `[!x]`, literal bytes. Iterative with backtracking
/// to the last `*` (linear in practice).
fn match_segment(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    star = Some((pi, si));
                    pi += 1;
                    continue;
                }
                b'?' => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                b'[' => {
                    if let Some((ok, next)) = class(p, pi, s[si])
                        && ok
                    {
                        pi = next;
                        si += 1;
                        continue;
                    } else if class(p, pi, s[si]).is_none() && s[si] == b'[' {
                        pi += 1;
                        si += 1;
                        continue;
                    }
                }
                c if c == s[si] => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, ss)) => {
                pi = sp + 1;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Matches `c` against the class starting at `p[at] == b'['`; returns (matched, index after `]`).
/// `None` when the class is not closed (then `[` is literal).
fn class(p: &[u8], at: usize, c: u8) -> Option<(bool, usize)> {
    let mut i = at + 1;
    let negate = matches!(p.get(i), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == b']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if p.get(i + 1) == Some(&b'-') && p.get(i + 2).is_some_and(|&e| e != b']') {
            if p[i] <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(normalize("./.nox/"), ".nox");
        assert_eq!(normalize("a//b/./c/../d"), "a/b/d");
        assert_eq!(normalize("/tmp/x/"), "/tmp/x");
        assert_eq!(normalize("."), "");
        assert_eq!(join("pkg", ".nox"), "pkg/.nox");
        assert_eq!(join("pkg", "/abs"), "/abs");
        assert_eq!(join("", "sub/../.nox"), ".nox");
    }

    #[test]
    fn globs() {
        assert!(matches("pyproject.toml", "pyproject.toml"));
        assert!(matches("**/pyproject.toml", "pyproject.toml"));
        assert!(matches("**/pyproject.toml", "a/b/pyproject.toml"));
        assert!(matches("**/*.toml", "pyproject.toml"));
        assert!(matches("*.toml", "pyproject.toml"));
        assert!(!matches("*.toml", "a/pyproject.toml"));
        assert!(matches("pyproject.to?l", "pyproject.toml"));
        assert!(matches("[pq]yproject.toml", "pyproject.toml"));
        assert!(!matches("[!p]yproject.toml", "pyproject.toml"));
        assert!(!matches("requirements/*.txt", "pyproject.toml"));
        assert!(matches(".no*", ".nox"));
        assert!(matches("**", ".nox"));
    }

    #[test]
    fn directory_patterns_cover_descendants() {
        assert!(covers(".nox", ".nox"));
        assert!(covers("pkg", "pkg/.nox"));
        assert!(covers(".", ".nox"));
        assert!(covers("python", "python/pyproject.toml"));
        assert!(!covers("requirements/", "pyproject.toml"));
        assert!(!covers(".nox/tests", ".nox"));
        assert!(!covers("~/.nox", ".nox"));
    }

    #[test]
    fn hostile_patterns_are_bounded() {
        let p = "**/".repeat(200) + "x";
        let s = "a/".repeat(200) + "y";
        assert!(!matches(&p, &s));
        assert!(matches(&"*a".repeat(5_000), &"a".repeat(10_000)));
        assert!(!matches(&("*".repeat(5_000) + "b"), &"a".repeat(10_000)));
    }
}
