//! `file://` URIs to paths and back (percent-encoding by hand: the URI type of `lsp-types` does
//! not decode). Anything that is not a `file:` URI has no path: its buffer is linted on its
//! own, with the default settings.

use std::path::{Path, PathBuf};

use lsp_types::Uri;

/// The path of a `file:` URI (`None` for other schemes or a malformed escape).
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s
        .strip_prefix("file://")
        .or_else(|| s.strip_prefix("FILE://"))?;
    // An authority of `localhost` or none; another host is not a local file.
    let path = if let Some(p) = rest.strip_prefix("localhost") {
        p
    } else {
        rest
    };
    if !path.starts_with('/') {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = decode(path)?;
    // `file:///C:/x` on Windows.
    let decoded = if cfg!(windows) && decoded.as_bytes().get(2) == Some(&b':') {
        decoded[1..].to_string()
    } else {
        decoded
    };
    Some(PathBuf::from(decoded))
}

fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `file:` URI of an absolute path.
pub fn from_path(path: &Path) -> Option<Uri> {
    let s = path.to_str()?;
    let mut out = String::from("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b':' if cfg!(windows) => out.push(':'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn file_uris_round_trip() {
        let p = to_path(&uri("file:///tmp/my%20repo/.github/workflows/ci.yml")).unwrap();
        assert_eq!(p, PathBuf::from("/tmp/my repo/.github/workflows/ci.yml"));
        assert_eq!(
            from_path(&p).unwrap().as_str(),
            "file:///tmp/my%20repo/.github/workflows/ci.yml"
        );
        let p = PathBuf::from("/t/Tëst/action.yml");
        assert_eq!(to_path(&from_path(&p).unwrap()), Some(p));
        assert_eq!(
            to_path(&uri("file://localhost/a/b.yml")),
            Some(PathBuf::from("/a/b.yml"))
        );
    }

    #[test]
    fn other_uris_have_no_path() {
        assert_eq!(to_path(&uri("untitled:Untitled-1")), None);
        assert_eq!(to_path(&uri("file://server/share/x.yml")), None);
        // A malformed escape is refused by the URI parser already; one that decodes to bytes
        // that are not UTF-8 has no path.
        assert!("file:///bad%zz".parse::<Uri>().is_err());
        assert_eq!(to_path(&uri("file:///bad%FF")), None);
    }
}
