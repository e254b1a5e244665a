//! WAFv2 GetSampledRequests in the simulator, modelled on AWS's documented behaviour:
//! - the window must lie in the last three hours of the world's clock (a start up to a minute
//!   older is clamped to three hours ago, to forgive client clock skew; older is
//!   `WAFInvalidParameterException`); an end in the future is clamped to now;
//! - samples come from among the first 5,000 requests the rule matched in the window: when the
//!   window holds more, it is shrunk to end with the second in which the 5,000th request fell,
//!   and that shrunk window is returned as `TimeWindow`;
//! - `PopulationSize` is the number of requests of the (shrunk) window; up to `MaxItems` kept
//!   samples spread evenly over it are returned, each weighted by the requests of its minute it
//!   stands for, so the weights add up to `PopulationSize`.
//!
//! Allowed requests are sampled under the web ACL's own metric name. Requests synthesised as
//! history before the world's detailed start exist only as metrics (no allowed samples then).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::parse;
use super::waf::{acl_by_arn, invalid, nonexistent};
use crate::sim::error::ApiError;
use crate::sim::waf::{WafRequest, WafVerdict, WebAcl};
use crate::sim::world::RegionWorld;

/// AWS samples among the first this-many requests of a window.
pub const POPULATION_CAP: u64 = 5_000;
/// How far back a window may start.
pub const WINDOW_LIMIT_MS: i64 = 3 * 3_600_000;
/// Slack for client clocks: a start this much older than the limit is clamped, not refused.
const CLOCK_GRACE_MS: i64 = 60_000;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TimeWindow {
    start_time: Option<f64>,
    end_time: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SampledReq {
    web_acl_arn: Option<String>,
    rule_metric_name: Option<String>,
    scope: Option<String>,
    time_window: Option<TimeWindow>,
    max_items: Option<i64>,
}

fn missing(field: &str) -> ApiError {
    invalid(format!("Error reason: A required parameter is missing., field: {field}"))
}

pub fn get_sampled_requests(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: SampledReq = parse(body)?;
    let arn = req.web_acl_arn.ok_or_else(|| missing("RESOURCE_ARN"))?;
    let rule_metric = req.rule_metric_name.ok_or_else(|| missing("METRIC_NAME"))?;
    let window = req.time_window.ok_or_else(|| missing("TIME_WINDOW"))?;
    let (Some(start_s), Some(end_s)) = (window.start_time, window.end_time) else {
        return Err(missing("TIME_WINDOW"));
    };
    let max_items = match req.max_items {
        Some(n) if (1..=500).contains(&n) => n as usize,
        Some(n) => return Err(invalid(format!("Error reason: MaxItems must be between 1 and 500, parameter: {n}"))),
        None => return Err(missing("MAX_ITEMS")),
    };
    let now = w.now_ms;
    let mut start_ms = (start_s * 1000.0).round() as i64;
    let end_ms = ((end_s * 1000.0).round() as i64).min(now);
    if start_ms < now - WINDOW_LIMIT_MS - CLOCK_GRACE_MS {
        return Err(invalid(
            "Error reason: The time window must be within the previous three hours., field: TIME_WINDOW",
        ));
    }
    start_ms = start_ms.max(now - WINDOW_LIMIT_MS);
    if start_ms >= end_ms {
        return Err(invalid("Error reason: StartTime must be before EndTime and before now., field: TIME_WINDOW"));
    }
    let acl = acl_by_arn(w, &arn)?;
    match req.scope.as_deref() {
        Some("REGIONAL") => {}
        Some("CLOUDFRONT") => return Err(nonexistent()),
        _ => return Err(missing("SCOPE_VALUE")),
    }
    if rule_metric != acl.metric_name && !acl.rules.iter().any(|r| r.metric_name == rule_metric) {
        return Err(nonexistent());
    }
    let (population, end_ms, items) = match w.waf.rule_samples(&acl.name, &rule_metric) {
        Some(samples) => {
            let (population, shrunk_end, per_minute) = population_of(samples.seconds(start_ms, end_ms), end_ms);
            let kept = samples.kept(start_ms, shrunk_end);
            let picked = spread(&kept, max_items);
            let weights = weights(&picked, &per_minute, population);
            let items = picked.iter().zip(weights).map(|(r, wt)| sample_shape(w, acl, r, wt)).collect();
            (population, shrunk_end, items)
        }
        None => (0, end_ms, Vec::new()),
    };
    Ok(json!({
        "SampledRequests": items,
        "PopulationSize": population,
        "TimeWindow": {"StartTime": start_ms as f64 / 1000.0, "EndTime": end_ms as f64 / 1000.0},
    }))
}

/// Counts requests second by second until the 5,000th: (population, end of the possibly shrunk
/// window, requests per minute within it).
fn population_of(seconds: impl Iterator<Item = (i64, u32)>, end_ms: i64) -> (u64, i64, BTreeMap<i64, u64>) {
    let mut population = 0u64;
    let mut per_minute: BTreeMap<i64, u64> = BTreeMap::new();
    for (second, n) in seconds {
        population += n as u64;
        *per_minute.entry(second.div_euclid(60_000) * 60_000).or_default() += n as u64;
        if population >= POPULATION_CAP {
            return (population, (second + 1000).min(end_ms), per_minute);
        }
    }
    (population, end_ms, per_minute)
}

/// Up to `max` items spread evenly over `items` (all of them when there are few).
pub fn spread<'a>(items: &[&'a WafRequest], max: usize) -> Vec<&'a WafRequest> {
    if items.len() <= max {
        return items.to_vec();
    }
    (0..max).filter_map(|i| items.get(i * items.len() / max).copied()).collect()
}

/// Weights: each picked sample stands for an equal share of its minute's requests; requests of
/// minutes without a picked sample are shared over all picks, so the sum is `population`.
fn weights(picked: &[&WafRequest], per_minute: &BTreeMap<i64, u64>, population: u64) -> Vec<u64> {
    let minute_of = |r: &WafRequest| r.ts_ms.div_euclid(60_000) * 60_000;
    let mut picks_per_minute: BTreeMap<i64, u64> = BTreeMap::new();
    for r in picked {
        *picks_per_minute.entry(minute_of(r)).or_default() += 1;
    }
    let mut seen_in_minute: BTreeMap<i64, u64> = BTreeMap::new();
    let mut out: Vec<u64> = picked
        .iter()
        .map(|r| {
            let m = minute_of(r);
            let pop = per_minute.get(&m).copied().unwrap_or(0);
            let picks = picks_per_minute.get(&m).copied().unwrap_or(1).max(1);
            let nth = seen_in_minute.entry(m).or_default();
            let w = pop / picks + u64::from(*nth < pop % picks);
            *nth += 1;
            w
        })
        .collect();
    let total: u64 = out.iter().sum();
    if !out.is_empty() && total < population {
        let left = population - total;
        let n = out.len() as u64;
        for (i, w) in out.iter_mut().enumerate() {
            *w += left / n + u64::from((i as u64) < left % n);
        }
    }
    out
}

/// The label namespace of an AWS managed rule group.
fn label_namespace(group: &str) -> &'static str {
    match group {
        "AWSManagedRulesWordPressRuleSet" => "awswaf:managed:aws:wordpress-app:",
        "AWSManagedRulesPHPRuleSet" => "awswaf:managed:aws:php-app:",
        "AWSManagedRulesSQLiRuleSet" => "awswaf:managed:aws:sql-database:",
        "AWSManagedRulesCommonRuleSet" => "awswaf:managed:aws:core-rule-set:",
        _ => "awswaf:managed:aws:",
    }
}

fn sample_shape(w: &RegionWorld, acl: &WebAcl, r: &WafRequest, weight: u64) -> Value {
    let host = acl
        .resources
        .first()
        .and_then(|arn| w.elb.load_balancers.iter().find(|lb| &lb.arn == arn))
        .map(|lb| lb.dns_name.clone())
        .unwrap_or_else(|| "localhost".into());
    let mut headers = vec![json!({"Name": "Host", "Value": host})];
    if !r.user_agent.is_empty() {
        headers.push(json!({"Name": "User-Agent", "Value": r.user_agent}));
    }
    headers.push(json!({"Name": "Accept", "Value": "*/*"}));
    let blocked = matches!(r.verdict, WafVerdict::Blocked { .. });
    let mut out = json!({
        "Request": {
            "ClientIP": r.client_ip,
            "Country": r.country,
            "URI": r.uri,
            "Method": r.method,
            "HTTPVersion": if blocked { "HTTP/1.1" } else { "HTTP/2.0" },
            "Headers": headers,
        },
        "Weight": weight,
        "Timestamp": r.ts_ms as f64 / 1000.0,
        "Action": if blocked { "BLOCK" } else { "ALLOW" },
    });
    if let WafVerdict::Blocked { rule_metric, rule_in_group } = &r.verdict {
        out["RuleNameWithinRuleGroup"] = json!(rule_in_group);
        let group = acl.rules.iter().find(|x| &x.metric_name == rule_metric).map(|x| x.group_name.as_str());
        let label = format!("{}{rule_in_group}", label_namespace(group.unwrap_or("")));
        out["Labels"] = json!([{ "Name": label }]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(ts_ms: i64) -> WafRequest {
        WafRequest {
            ts_ms,
            client_ip: String::new(),
            country: String::new(),
            method: String::new(),
            uri: String::new(),
            user_agent: String::new(),
            verdict: WafVerdict::Allowed,
        }
    }

    #[test]
    fn population_stops_at_the_five_thousandth_request() {
        let seconds = (0..100).map(|s| (s * 1000, 100u32));
        let (pop, end, per_minute) = population_of(seconds, 100_000);
        assert_eq!(pop, 5_000);
        assert_eq!(end, 50_000, "the 5,000th request fell in second 49");
        assert_eq!(per_minute[&0], 5_000);
    }

    #[test]
    fn weights_add_up_to_the_population() {
        let reqs: Vec<WafRequest> = [0, 10_000, 20_000, 70_000].into_iter().map(req).collect();
        let picked: Vec<&WafRequest> = reqs.iter().collect();
        let per_minute = BTreeMap::from([(0, 10), (60_000, 3), (120_000, 5)]);
        let w = weights(&picked, &per_minute, 18);
        assert_eq!(w.iter().sum::<u64>(), 18);
        assert_eq!(&w[..3], &[4 + 2, 3 + 1, 3 + 1], "minute 0: 10 over 3 picks, plus the unpicked minute");
    }

    #[test]
    fn spread_picks_evenly() {
        let reqs: Vec<WafRequest> = (0..10).map(|i| req(i * 1000)).collect();
        let all: Vec<&WafRequest> = reqs.iter().collect();
        let picked = spread(&all, 5);
        assert_eq!(picked.iter().map(|r| r.ts_ms).collect::<Vec<_>>(), vec![0, 2000, 4000, 6000, 8000]);
        assert_eq!(spread(&all, 50).len(), 10);
    }
}
