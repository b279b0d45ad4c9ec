//! JUnit XML, for CI systems that show test reports: one `<testsuite>` per file linted, one
//! failing `<testcase>` per diagnostic (named by its rule), and for a clean file one passing
//! test case, so every file checked shows up.

use std::fmt::Write;

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

use super::Summary;

/// The `<testsuite>` of one file.
pub(super) fn render(file: &SourceFile, diags: &[Diagnostic]) -> String {
    let name = xml(&file.name);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
        diags.len().max(1),
        diags.len()
    );
    if diags.is_empty() {
        let _ = writeln!(
            out,
            "    <testcase name=\"cachelint\" classname=\"{name}\" file=\"{name}\"/>"
        );
    }
    for d in diags {
        let at = file.lines().line_col(&file.text, d.primary.span.start);
        let _ = writeln!(
            out,
            "    <testcase name=\"{}\" classname=\"{name}\" file=\"{name}\" line=\"{}\">",
            xml(d.rule),
            at.line
        );
        let mut body = format!(
            "{}:{}:{}: {}: {} [{}]",
            file.name, at.line, at.column, d.severity, d.message, d.rule
        );
        if let Some(help) = &d.help {
            body.push_str("\nhelp: ");
            body.push_str(help);
        }
        let _ = writeln!(
            out,
            "      <failure type=\"{}\" message=\"{}\">{}</failure>",
            d.severity,
            xml(&d.message),
            text(&body)
        );
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n");
    out
}

/// The document around the files' test suites.
pub(super) fn finish(rendered: &[String], summary: &Summary) -> String {
    let tests = summary.total() + (summary.files - summary.files_with_problems);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"cachelint\" tests=\"{tests}\" failures=\"{}\" errors=\"0\">",
        summary.total()
    );
    for r in rendered {
        out.push_str(r);
    }
    out.push_str("</testsuites>\n");
    out
}

/// Element text: as [`xml`], with line breaks kept as they are.
fn text(s: &str) -> String {
    xml(s).replace("&#10;", "\n")
}

/// Text as an XML 1.0 attribute value: markup escaped, and characters XML
/// cannot hold at all (control characters but tab and line breaks) as `\u{..}` text.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}') => {
                out.push_str(&c.escape_unicode().to_string())
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_characters_xml_cannot_hold() {
        assert_eq!(xml("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(xml("x\u{1b}y\nz"), "x\\u{1b}y&#10;z");
        assert_eq!(xml("é 🦀"), "é 🦀");
        assert_eq!(text("a\nb<"), "a\nb&lt;");
    }
}
