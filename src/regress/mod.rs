//! The parts of `rebt regress`: the suite file ([`suite`]), running its cases ([`runner`]),
//! baselines, canonical texts, checksums and comparison ([`baseline`]), and the JUnit
//! report ([`junit`]). The command itself (flags, output, exit codes) is `regress_cmd`.

pub(crate) mod baseline;
pub(crate) mod junit;
pub(crate) mod runner;
pub(crate) mod suite;

/// An error and its causes as one line, `what: why: root cause`, each cause once (some errors
/// already print their source in their own message, which `{:#}` would repeat).
pub(crate) fn reason(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.is_empty() {
            out = text;
        } else if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn reason_names_each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = anyhow::Error::new(io).context("cannot read x.toml");
        assert_eq!(super::reason(&e), "cannot read x.toml: no such file");
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = anyhow::Error::new(io).context("cannot read x.toml: no such file");
        assert_eq!(super::reason(&e), "cannot read x.toml: no such file");
    }
}
