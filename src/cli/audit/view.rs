//! How `wpops audit` reads: the findings worst first, each with its control, evidence and the
//! change to make, in text wrapped to 80 columns; or the `wpops.audit/1` document of
//! docs/json.md. Pure formatting of facts already fetched and sanitised.

use crate::cli::config::ResolvedSite;
use crate::cli::output::{Color, Style, iso};
use crate::model::findings::posture::PostureFacts;
use crate::model::{Finding, Findings, Severity, short_td};

/// Text width of the output.
const WIDTH: usize = 80;
/// Where a finding's evidence and change start.
const INDENT: usize = 10;

fn color(s: Severity) -> Color {
    match s {
        Severity::Critical | Severity::High => Color::Red,
        Severity::Medium => Color::Yellow,
        Severity::Low | Severity::Info => Color::Dim,
    }
}

/// Wraps `text` to `WIDTH` columns at spaces, the first line after `first`, the rest indented.
fn wrap(first: &str, text: &str) -> Vec<String> {
    let pad = " ".repeat(INDENT);
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut len = first.chars().count();
    let mut empty = true;
    for word in text.split(' ') {
        let w = word.chars().count();
        if !empty && len + 1 + w > WIDTH {
            lines.push(std::mem::replace(&mut line, pad.clone()));
            len = INDENT;
            empty = true;
        }
        if !empty {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += w;
        empty = false;
    }
    lines.push(line);
    lines
}

fn finding_lines(f: &Finding, st: Style) -> Vec<String> {
    let sev = format!("{:<width$}", f.severity.as_str().to_uppercase(), width = INDENT);
    let title = match &f.control {
        Some(c) => format!("{} [{c}]", f.title),
        None => f.title.clone(),
    };
    let mut out = wrap(&sev, &title);
    out[0] = out[0].replacen(sev.trim_end(), &st.paint(color(f.severity), sev.trim_end()), 1);
    let pad = " ".repeat(INDENT);
    for e in &f.evidence {
        out.extend(wrap(&pad, e));
    }
    if let Some(todo) = f.what_to_do() {
        out.extend(wrap(&format!("{pad}→ "), &todo));
    }
    out
}

/// The text report.
pub fn text(site: &ResolvedSite, facts: &PostureFacts, fs: &Findings, st: Style) -> Vec<String> {
    let td = facts.task_definition.as_ref().map_or_else(
        || short_td(&facts.service.task_definition).to_string(),
        |t| format!("{}:{}", t.family, t.revision),
    );
    let acl = match &facts.web_acl {
        Some(Some(a)) => format!("web ACL {}", a.name),
        Some(None) => "no web ACL".to_string(),
        None if facts.load_balancer.is_none() => "no load balancer".to_string(),
        None => "web ACL unknown".to_string(),
    };
    let mut out =
        vec![format!("{}  {}/{} · {td} · {acl}", st.paint(Color::Bold, &site.name), site.cluster, site.service)];
    let verdict = if fs.fails() { st.paint(Color::Red, "FAILS") } else { st.paint(Color::Green, "passes") };
    let counts = if fs.items.is_empty() { "no findings".to_string() } else { fs.counts() };
    out.push(format!("Audit {verdict}: {counts} (critical and high fail)"));
    for f in &fs.items {
        out.push(String::new());
        out.extend(finding_lines(f, st));
    }
    if !fs.lacking.is_empty() {
        out.push(String::new());
        out.push("Not checked (could not be read):".to_string());
        for l in &fs.lacking {
            out.extend(wrap("  ", l));
        }
    }
    out
}

/// The `wpops.audit/1` document.
pub fn json(site: &ResolvedSite, facts: &PostureFacts, fs: &Findings, now: i64) -> serde_json::Value {
    let td = facts.task_definition.as_ref().map(|t| format!("{}:{}", t.family, t.revision));
    let web_acl = match &facts.web_acl {
        Some(Some(a)) => serde_json::json!(a.name),
        _ => serde_json::Value::Null,
    };
    serde_json::json!({
        "schema": "wpops.audit/1",
        "site": site.name,
        "cluster": site.cluster,
        "service": site.service,
        "region": site.region,
        "checked_at": iso(now),
        "task_definition": td,
        "load_balancer": facts.load_balancer,
        "web_acl": web_acl,
        "fails": fs.fails(),
        "counts": {
            "critical": count(fs, Severity::Critical),
            "high": count(fs, Severity::High),
            "medium": count(fs, Severity::Medium),
            "low": count(fs, Severity::Low),
            "info": count(fs, Severity::Info),
        },
        "findings": fs.items,
        "lacking": fs.lacking,
    })
}

fn count(fs: &Findings, s: Severity) -> usize {
    fs.items.iter().filter(|f| f.severity == s).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_80_columns_under_the_indent() {
        let text = "word ".repeat(40);
        let lines = wrap("HIGH      ", text.trim());
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.chars().count() <= WIDTH), "{lines:?}");
        assert!(lines[1].starts_with("          word"));
        let f = Finding::posture("x", Severity::High, "php-fpm has a writable root filesystem")
            .control("ECS.5")
            .evidence("php-fpm: readonlyRootFilesystem is false")
            .change("set it to true");
        let lines = finding_lines(&f, Style::plain());
        assert_eq!(lines[0], "HIGH      php-fpm has a writable root filesystem [ECS.5]");
        assert_eq!(lines[2], "          → set it to true");
    }
}
