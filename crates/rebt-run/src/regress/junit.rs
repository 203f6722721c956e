//! JUnit XML for `rebt regress --junit FILE`: one `<testsuite>` for the suite, one
//! `<testcase>` per case, a `<failure type="drift">` for a drifting case and an
//! `<error type="error">` for one that could not run — the subset GitHub Actions reporters,
//! GitLab CI (`artifacts:reports:junit`), Jenkins and Azure Pipelines all read.
//!
//! Written by hand rather than with an XML crate: the document is a dozen fixed element
//! shapes, and the one thing that needs care, escaping, is [`escape`] below (the five
//! markup characters, line breaks and tabs inside attributes, and the characters XML 1.0
//! cannot carry at all, which become U+FFFD). The integration tests parse the output with
//! quick-xml.

use std::fmt::Write as _;

/// How a case ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Within its baseline (or blessed).
    Pass,
    /// Drifted: a one-line message and the full report.
    Drift {
        /// e.g. `sharpe beyond tolerance; fills changed`.
        message: String,
        /// The drift table and fills report, as printed.
        details: String,
    },
    /// Could not run, or has no baseline.
    Error {
        /// The reason.
        message: String,
    },
}

/// One case's line in the report.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    /// The case's name.
    pub name: String,
    /// Wall time of its run.
    pub seconds: f64,
    /// How it ended.
    pub verdict: Verdict,
}

/// Whether XML 1.0 can hold `c` at all (the `Char` production of the XML spec).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// `s` escaped for XML text (`attribute = false`) or a double-quoted attribute value.
pub fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            // a parser folds raw line breaks and tabs in attributes into spaces, and CR in text
            // into LF: written as references they survive
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// The JUnit document for the cases of the suite `suite` (its path, shown as the suite's name).
pub fn render(suite: &str, cases: &[TestCase]) -> String {
    let failures = cases
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Drift { .. }))
        .count();
    let errors = cases
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Error { .. }))
        .count();
    let seconds: f64 = cases.iter().map(|c| c.seconds).sum();
    let name = escape(suite, true);
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"rebt regress\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{seconds:.3}\">",
        cases.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\" time=\"{seconds:.3}\">",
        cases.len()
    );
    for c in cases {
        let _ = write!(
            out,
            "    <testcase name=\"{}\" classname=\"{name}\" time=\"{:.3}\"",
            escape(&c.name, true),
            c.seconds
        );
        match &c.verdict {
            Verdict::Pass => out.push_str("/>\n"),
            Verdict::Drift { message, details } => {
                let _ = writeln!(
                    out,
                    ">\n      <failure type=\"drift\" message=\"{}\">{}</failure>\n    </testcase>",
                    escape(message, true),
                    escape(details, false)
                );
            }
            Verdict::Error { message } => {
                let _ = writeln!(
                    out,
                    ">\n      <error type=\"error\" message=\"{}\">{}</error>\n    </testcase>",
                    escape(message, true),
                    escape(message, false)
                );
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_table() {
        // (input, as text, as attribute)
        let table = [
            ("a<b>&c", "a&lt;b&gt;&amp;c", "a&lt;b&gt;&amp;c"),
            ("say \"it's\"", "say \"it's\"", "say &quot;it&apos;s&quot;"),
            ("two\nlines\tx", "two\nlines\tx", "two&#10;lines&#9;x"),
            ("cr\r", "cr&#13;", "cr&#13;"),
            (
                "bell\u{7}nul\u{0}",
                "bell\u{FFFD}nul\u{FFFD}",
                "bell\u{FFFD}nul\u{FFFD}",
            ),
            ("│ sharpe │ 0.8 │", "│ sharpe │ 0.8 │", "│ sharpe │ 0.8 │"),
        ];
        for (input, text, attr) in table {
            assert_eq!(escape(input, false), text, "{input:?}");
            assert_eq!(escape(input, true), attr, "{input:?}");
        }
    }

    #[test]
    fn one_testcase_per_case_with_failure_and_error() {
        let cases = [
            TestCase {
                name: "a".into(),
                seconds: 0.5,
                verdict: Verdict::Pass,
            },
            TestCase {
                name: "b".into(),
                seconds: 1.25,
                verdict: Verdict::Drift {
                    message: "sharpe beyond tolerance".into(),
                    details: "sharpe 0.8 → 0.9 <".into(),
                },
            },
            TestCase {
                name: "c&d".into(),
                seconds: 0.0,
                verdict: Verdict::Error {
                    message: "cannot read config x.toml".into(),
                },
            },
        ];
        let xml = render("ci/suite.toml", &cases);
        assert!(
            xml.contains("tests=\"3\" failures=\"1\" errors=\"1\" time=\"1.750\""),
            "{xml}"
        );
        assert_eq!(xml.matches("<testcase ").count(), 3);
        assert!(
            xml.contains("<testcase name=\"a\" classname=\"ci/suite.toml\" time=\"0.500\"/>"),
            "{xml}"
        );
        assert!(
            xml.contains("<failure type=\"drift\" message=\"sharpe beyond tolerance\">sharpe 0.8 → 0.9 &lt;</failure>")
        );
        assert!(xml.contains("name=\"c&amp;d\""));
        assert!(xml.contains("<error type=\"error\" message=\"cannot read config x.toml\">"));
    }
}
