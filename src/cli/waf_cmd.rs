//! `wpops waf`: the web ACL on the service's load balancer (or the site's `web_acl`), each rule
//! group and the rules inside it with their blocked requests over `--window`, totals, and the top
//! blocked URIs, client IPs and rules from sampled requests — as text or the `wpops.waf/1` JSON.
//! The metrics come in one GetMetricData call (the console's `feed::insight` queries); sampled
//! requests are asked for concurrently, one call per rule group. Read-only. What could be read
//! is shown when a part could not be (CloudWatch missing, as against moto): each missing part is
//! one line on stderr and an entry of `unavailable`, exit 0; exit 3 when the web ACL itself
//! could not be read, or a part was throttled or unreachable (asking again may answer it).

use futures_util::future::try_join_all;
use serde::Serialize;

use crate::aws::metrics;
use crate::aws::waf;
use crate::aws::{AwsError, ecs};
use crate::feed::insight::{self, AclFound};
use crate::feed::now_ms;
use crate::model::{WafSnapshot, format_age};

use super::args::{Global, Output, WafArgs};
use super::connect::{self, Session};
use super::exit;
use super::failure::{Failure, Outcome};
use super::output::{self, Color, Style, thousands};

/// WAF keeps sampled requests for three hours.
const SAMPLE_LIMIT_MS: i64 = 3 * 3_600_000;
/// GetMetricData keeps one-minute data for 15 days.
const MAX_WINDOW_MS: i64 = 15 * 86_400_000;

pub async fn run(args: WafArgs, global: &Global) -> Outcome {
    let window_ms = match humantime::parse_duration(&args.window) {
        Ok(d) if (60_000..=MAX_WINDOW_MS as u128).contains(&d.as_millis()) => d.as_millis() as i64,
        _ => return Err(Failure::usage("waf", format!("--window {:?}: give 1m to 15d, e.g. 3h", args.window))),
    };
    let session = connect::open("waf", global).await?;
    let found = match find(&session).await {
        Ok(f) => f,
        Err(e) => return Err(Failure::aws("waf", &e, session.profile())),
    };
    let Some(acl) = &found.acl else {
        if args.output == Output::Json {
            output::print_json(
                &serde_json::json!({"schema": "wpops.waf/1", "site": session.site.name, "web_acl": null}),
            );
        } else {
            output::print_lines(&[format!("{}: no web ACL protects the service's load balancer", session.site.name)]);
        }
        return Ok(exit::OK);
    };
    let snapshot = match read(&session, &found, acl, window_ms).await {
        Ok(s) => s,
        Err(e) => return Err(Failure::aws("waf", &e, session.profile())),
    };
    for e in &snapshot.unavailable {
        eprintln!("wpops waf: could not read {e}");
    }
    match args.output {
        Output::Json => output::print_json(&json(&session.site.name, &snapshot)),
        Output::Text => output::print_lines(&text(&session.site.name, &snapshot, Style::detect())),
    };
    Ok(exit::OK)
}

/// The web ACL: the site's `web_acl` by name, else the one on the service's load balancer.
async fn find(s: &Session) -> Result<AclFound, AwsError> {
    let c = &s.clients;
    if let Some(name) = &s.site.web_acl {
        let acl = waf::web_acl_by_name(c, name).await?;
        let (inner_rules, unavailable) = match &acl {
            Some(a) => insight::inner_rules_or_why(metrics::waf_rules_with_blocks(c, &a.name).await),
            None => (Vec::new(), Vec::new()),
        };
        return Ok(AclFound { lb_arn: None, acl, inner_rules, unavailable });
    }
    let svc = ecs::describe_service(c, &s.site.cluster, &s.site.service).await?;
    insight::find_acl(c, &svc.target_groups).await
}

/// The picture of `acl` over the window, with what could not be read named in `unavailable`;
/// a throttled or unreachable part fails it (exit 3, as any AWS that could not answer).
async fn read(s: &Session, found: &AclFound, acl: &waf::WebAcl, window_ms: i64) -> Result<WafSnapshot, AwsError> {
    let c = &s.clients;
    let now = now_ms();
    // `window_ms / 60 s` whole-minute buckets, the newest being the current (partial) minute.
    let start = now.div_euclid(60_000) * 60_000 + 60_000 - window_ms.div_euclid(60_000) * 60_000;
    let queries = insight::waf_queries(acl, &found.inner_rules, &c.region, "");
    let sample_from = now - window_ms.min(SAMPLE_LIMIT_MS);
    let samples = try_join_all(
        acl.rules.iter().map(|r| waf::sampled_requests(c, &acl.arn, &r.metric_name, sample_from, now, 500)),
    );
    let (series, samples) = tokio::join!(metrics::get_series(c, &queries, start, now), samples);
    let mut unavailable = found.unavailable.clone();
    let series = series.map_err(|e| unavailable.push(e)).ok();
    let samples = samples.map_err(|e| unavailable.push(e)).ok();
    if let Some(e) = unavailable.iter().find(|e| e.is_transient()) {
        return Err(e.clone());
    }
    let (blocked_unknown, samples_unknown) = (series.is_none(), samples.is_none());
    let mut series = series.unwrap_or_default();
    let samples = samples.unwrap_or_default().into_iter().flatten().collect();
    let window_ms = window_ms.div_euclid(60_000) * 60_000;
    let mut snapshot = insight::waf_snapshot(acl, &found.inner_rules, &mut series, "", start, window_ms, samples);
    snapshot.unavailable = unavailable.iter().map(|e| e.to_fetch_error(s.profile())).collect();
    (snapshot.blocked_unknown, snapshot.samples_unknown) = (blocked_unknown, samples_unknown);
    Ok(snapshot)
}

fn text(site: &str, w: &WafSnapshot, st: Style) -> Vec<String> {
    let window = format_age(w.window_secs as i64 * 1000);
    let blocked = if w.blocked_unknown {
        "blocked requests unknown (CloudWatch could not be read)".to_string()
    } else {
        format!(
            "{} blocked in the last {window}",
            st.paint(if w.total_blocked > 0 { Color::Yellow } else { Color::Green }, &thousands(w.total_blocked))
        )
    };
    let mut out = vec![format!("{}  web ACL {} · {blocked}", st.paint(Color::Bold, site), w.web_acl_name)];
    let mut rows = vec![vec!["GROUP".to_string(), "BLOCKED".to_string(), "RULE GROUP / RULE".to_string()]];
    for g in &w.groups {
        rows.push(vec![g.label.clone(), w.blocked_text(g.blocked_total), g.name.clone()]);
        for (rule, n) in &g.rules {
            rows.push(vec![String::new(), thousands(*n), format!("  {rule}")]);
        }
    }
    rows.push(vec!["total".into(), w.blocked_text(w.total_blocked), String::new()]);
    out.extend(output::table(&right_align(rows, 1)).into_iter().map(|l| format!("  {l}")));
    let sampled: u64 = w.samples.iter().filter(|s| s.is_blocked()).map(|s| s.weight).sum();
    for (title, list) in [("URIs", &w.top_uris), ("client IPs", &w.top_ips), ("rules", &w.top_rules)] {
        if w.samples_unknown {
            out.push(format!("Top blocked {title}: unknown (sampled requests could not be read)"));
            continue;
        }
        out.push(format!("Top blocked {title} (of {} sampled)", thousands(sampled)));
        if list.is_empty() {
            out.push("  none".into());
        }
        let rows: Vec<Vec<String>> = list.iter().map(|(k, n)| vec![thousands(*n), k.clone()]).collect();
        out.extend(output::table(&right_align(rows, 0)).into_iter().map(|l| format!("  {l}")));
    }
    out
}

/// Pads column `col` on the left so numbers line up on the right.
fn right_align(mut rows: Vec<Vec<String>>, col: usize) -> Vec<Vec<String>> {
    let w = rows.iter().filter_map(|r| r.get(col)).map(|c| c.chars().count()).max().unwrap_or(0);
    for r in &mut rows {
        if let Some(c) = r.get_mut(col) {
            *c = format!("{c:>w$}");
        }
    }
    rows
}

#[derive(Serialize)]
struct Count<'a> {
    key: &'a str,
    count: u64,
}

fn counts(list: &[(String, u64)]) -> Vec<Count<'_>> {
    list.iter().map(|(k, n)| Count { key: k, count: *n }).collect()
}

/// The `wpops.waf/1` document.
fn json(site: &str, w: &WafSnapshot) -> serde_json::Value {
    let known = |v: serde_json::Value, unknown: bool| if unknown { serde_json::Value::Null } else { v };
    let groups: Vec<serde_json::Value> = w
        .groups
        .iter()
        .map(|g| {
            serde_json::json!({
                "name": g.name, "label": g.label, "metric_name": g.metric_name,
                "blocked": known(g.blocked_total.into(), w.blocked_unknown),
                "rules": known(serde_json::json!(counts(&g.rules)), w.blocked_unknown),
                "blocked_per_minute": known(serde_json::json!(g.series), w.blocked_unknown),
            })
        })
        .collect();
    let unavailable: Vec<serde_json::Value> = w
        .unavailable
        .iter()
        .map(|e| serde_json::json!({"operation": e.operation, "kind": e.kind, "message": e.message}))
        .collect();
    serde_json::json!({
        "schema": "wpops.waf/1",
        "site": site,
        "web_acl": {"name": w.web_acl_name, "arn": w.web_acl_arn},
        "window_s": w.window_secs,
        "total_blocked": known(w.total_blocked.into(), w.blocked_unknown),
        "groups": groups,
        "sampled_requests": known(w.samples.len().into(), w.samples_unknown),
        "top_uris": known(serde_json::json!(counts(&w.top_uris)), w.samples_unknown),
        "top_ips": known(serde_json::json!(counts(&w.top_ips)), w.samples_unknown),
        "top_rules": known(serde_json::json!(counts(&w.top_rules)), w.samples_unknown),
        "unavailable": unavailable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FetchError, FetchErrorKind, RuleGroupStats};

    /// What moto gives: the web ACL and its groups, no CloudWatch.
    fn without_cloudwatch() -> WafSnapshot {
        let groups = vec![RuleGroupStats::from_series("AWSManagedRulesWordPressRuleSet", "wp-rules", vec![0; 3])];
        let mut w = WafSnapshot::new("wordpress-waf".into(), "arn:waf".into(), 10_800, groups, Vec::new(), 10);
        w.unavailable = vec![FetchError {
            kind: FetchErrorKind::Other,
            operation: "cloudwatch:GetMetricData".into(),
            message: "the endpoint answered HTTP 404 with no AWS error in it (an empty body): it may not implement this operation".into(),
            hint: "h".into(),
        }];
        w.blocked_unknown = true;
        w
    }

    #[test]
    fn what_was_read_is_shown_and_what_was_not_is_unknown_not_zero() {
        let w = without_cloudwatch();
        let lines = text("blog", &w, Style::plain());
        assert!(lines[0].contains("web ACL wordpress-waf · blocked requests unknown"), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("AWSManagedRulesWordPressRuleSet") && l.contains('–')), "{lines:?}");
        assert!(lines.iter().any(|l| l.trim_start().starts_with("total") && l.contains('–')), "{lines:?}");
        let doc = json("blog", &w);
        assert_eq!(doc["web_acl"]["name"], "wordpress-waf");
        assert!(doc["total_blocked"].is_null() && doc["groups"][0]["blocked"].is_null());
        assert_eq!(doc["groups"][0]["name"], "AWSManagedRulesWordPressRuleSet");
        assert_eq!(doc["sampled_requests"], 0);
        assert_eq!(doc["unavailable"][0]["operation"], "cloudwatch:GetMetricData");
        assert_eq!(doc["unavailable"][0]["kind"], "other");

        let all = WafSnapshot::new("a".into(), "arn".into(), 60, Vec::new(), Vec::new(), 10);
        let doc = json("blog", &all);
        assert_eq!(doc["total_blocked"], 0);
        assert_eq!(doc["unavailable"], serde_json::json!([]));
    }
}
