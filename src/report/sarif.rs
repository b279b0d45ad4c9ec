//! SARIF 2.1.0 (<https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>), for GitHub
//! code scanning and other SARIF viewers: one run, `tool.driver.rules` from the registry, one
//! result per diagnostic with its region (columns in UTF-16 code units, as `columnKind` says)
//! and its labels as related locations. Paths relative to the working directory are relative
//! to `%SRCROOT%`, which `originalUriBaseIds` sets to the working directory.

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::Registry;
use crate::source::{Location, SourceDb, SourceFile, Span};

use super::Summary;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The results of one file, comma-separated, without the array brackets.
pub(super) fn render(db: &SourceDb, file: &SourceFile, diags: &[Diagnostic]) -> String {
    let mut parts = Vec::with_capacity(diags.len());
    for d in diags {
        let mut related = vec![];
        let labels = d.labels.iter().map(|l| (&l.location, l.message.as_str()));
        let via = d.via.iter().map(|v| (v, "used here"));
        for (at, message) in labels.chain(via) {
            // A location in a file no longer in the database has no region: left out.
            if let Some(mut loc) = location(db, file, at, &d.primary) {
                loc["id"] = json!(related.len() + 1);
                loc["message"] = json!({ "text": message });
                related.push(loc);
            }
        }
        let mut text = d.message.clone();
        if !text.ends_with('.') {
            text.push('.');
        }
        let mut result = json!({
            "ruleId": d.rule,
            "level": level(d.severity),
            "message": { "text": text },
            "locations": [physical(&file.name, file, &d.primary.span)],
        });
        if !related.is_empty() {
            result["relatedLocations"] = Value::Array(related);
        }
        if let Some(help) = &d.help {
            result["properties"] = json!({ "help": help });
        }
        if let Ok(s) = serde_json::to_string(&result) {
            parts.push(s);
        }
    }
    parts.join(",")
}

/// A physical location: the file (the linted one, or a composite action of the database) and
/// the region of `at`.
fn location(db: &SourceDb, file: &SourceFile, at: &Location, primary: &Location) -> Option<Value> {
    if at.file == primary.file {
        return Some(physical(&file.name, file, &at.span));
    }
    let other = db.get(at.file)?;
    Some(physical(&other.name, &other, &at.span))
}

fn physical(name: &str, file: &SourceFile, span: &Span) -> Value {
    let artifact = artifact(name);
    let lines = file.lines();
    let start = lines.line_col(&file.text, span.start);
    let end = lines.line_col(&file.text, span.end);
    let mut region = json!({
        "startLine": start.line,
        "startColumn": lines.utf16_column(&file.text, span.start),
        "endLine": end.line,
        "endColumn": lines.utf16_column(&file.text, span.end),
    });
    // The text under the finding, for viewers without the file (up to 4 KiB).
    if let Some(snippet) = file.text.get(span.start..span.end)
        && !snippet.is_empty()
        && snippet.len() <= 4096
    {
        region["snippet"] = json!({ "text": snippet });
    }
    json!({ "physicalLocation": { "artifactLocation": artifact, "region": region } })
}

/// `{"uri": ..., "uriBaseId": "%SRCROOT%"}` for a relative path, a `file:` URI for an
/// absolute one.
fn artifact(name: &str) -> Value {
    let path = name.replace('\\', "/");
    if let Some(rest) = path.strip_prefix('/') {
        return json!({ "uri": format!("file:///{}", encode(rest)) });
    }
    if path.len() > 2 && path.as_bytes()[1] == b':' && path.as_bytes()[2] == b'/' {
        return json!({ "uri": format!("file:///{}", encode(&path)) }); // C:/...
    }
    let path = path.strip_prefix("./").unwrap_or(&path);
    json!({ "uri": encode(path), "uriBaseId": "%SRCROOT%" })
}

/// Percent-encodes what a URI path may not hold as it is (RFC 3986: unreserved characters,
/// `/` and the sub-delimiters stay; `:` stays but for the first segment of a relative path).
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut first_segment = true;
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || matches!(
                b,
                b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b'@'
            )
            || (b == b':' && !first_segment);
        if b == b'/' {
            first_segment = false;
        }
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `file:///the/working/directory/`, percent-encoded, if it can be known.
fn working_directory() -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let s = cwd.to_str()?.replace('\\', "/");
    let s = s.trim_start_matches('/');
    let mut uri = format!("file:///{}", encode(s));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Some(uri)
}

/// `CacheMissing` for `nox/cache-missing`: the rule's `name` (SARIF asks for a readable one).
fn rule_name(id: &str) -> String {
    id.split(['/', '-'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The first paragraph of a rule page's "What it does" section (the full description).
fn what_it_does(page: &str) -> Option<String> {
    let rest = page.split("## What it does").nth(1)?;
    let para: Vec<&str> = rest
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::trim)
        .collect();
    (!para.is_empty()).then(|| para.join(" "))
}

fn rules(registry: &Registry) -> Vec<Value> {
    registry
        .rules
        .iter()
        .map(|r| {
            let doc = r.doc();
            let mut short = r.summary.clone();
            if !short.ends_with('.') {
                short.push('.');
            }
            let full = what_it_does(&doc).unwrap_or_else(|| short.clone());
            json!({
                "id": r.id,
                "name": rule_name(r.id),
                "shortDescription": { "text": short },
                "fullDescription": { "text": full },
                "help": { "text": doc, "markdown": doc },
                "helpUri": super::rule_url(r.id),
                "defaultConfiguration": { "level": level(r.severity) },
            })
        })
        .collect()
}

/// The whole log around the results of every file.
pub(super) fn finish(rendered: &[String], summary: &Summary, registry: &Registry) -> String {
    let results: Vec<&str> = rendered
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    let mut run = json!({
        "tool": { "driver": {
            "name": "cachelint",
            "version": env!("CACHELINT_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "informationUri": env!("CARGO_PKG_REPOSITORY"),
            "rules": rules(registry),
        }},
        "invocations": [{ "executionSuccessful": summary.not_linted == 0 }],
        "columnKind": "utf16CodeUnits",
        "results": [],
    });
    if let Some(cwd) = working_directory() {
        run["originalUriBaseIds"] = json!({ "%SRCROOT%": { "uri": cwd } });
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    });
    let text = serde_json::to_string_pretty(&log).unwrap_or_default();
    // The results were serialised file by file, as they were linted: splice them in.
    let joined = results.join(",\n");
    match text.find("\"results\": []") {
        Some(at) if !joined.is_empty() => format!(
            "{}\"results\": [\n{joined}\n]{}\n",
            &text[..at],
            &text[at + "\"results\": []".len()..]
        ),
        _ => format!("{text}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(
            artifact(".github/workflows/ci.yml"),
            json!({ "uri": ".github/workflows/ci.yml", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(artifact("./a b/c#d.yml")["uri"], "a%20b/c%23d.yml");
        assert_eq!(
            artifact("/tmp/x y.yml"),
            json!({ "uri": "file:///tmp/x%20y.yml" })
        );
        assert_eq!(artifact("dir\\ci.yml")["uri"], "dir/ci.yml");
        // `a:b` as a relative URI would read as the scheme `a`.
        assert_eq!(artifact("a:b/c:d.yml")["uri"], "a%3Ab/c:d.yml");
        assert_eq!(artifact("é.yml")["uri"], "%C3%A9.yml");
    }

    #[test]
    fn rule_names_and_descriptions() {
        assert_eq!(rule_name("nox/cache-missing"), "NoxCacheMissing");
        assert_eq!(rule_name("syntax-error"), "SyntaxError");
        let page = "# x\n\n## What it does\nReports a job\nthat runs nox.\n\nMore.\n";
        assert_eq!(
            what_it_does(page).as_deref(),
            Some("Reports a job that runs nox.")
        );
        assert_eq!(what_it_does("# x\n"), None);
    }
}
