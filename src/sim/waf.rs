//! AWS WAF state of the simulated world: web ACLs with their managed rule groups and the
//! resources they protect, the sampled requests kept for GetSampledRequests, and the recording
//! of each evaluated request into `AWS/WAFV2` metrics. No wire protocol here (`api/waf*.rs`).
//!
//! Samples are kept per (web ACL, rule metric name) and per minute: every request is counted
//! in its second, and a deterministic reservoir keeps at most `SAMPLES_KEPT_PER_MINUTE` of the
//! minute's requests. Minutes older than `SAMPLE_HORIZON_MS` before the newest request are
//! dropped, so memory is bounded whatever the traffic, and any window of the last three hours
//! can be sampled with exact populations.

use std::collections::BTreeMap;

use super::metrics::MetricStore;

/// How many requests of one minute are kept as samples per web ACL rule: a full 500 samples of a
/// 5,000-request window up to about 16 requests a second; busier sites get fewer (the API
/// promises "up to MaxItems"), and memory stays under ~20,000 requests per rule.
pub const SAMPLES_KEPT_PER_MINUTE: usize = 100;
/// How far back samples are kept: AWS keeps three hours; ten more minutes of slack.
pub const SAMPLE_HORIZON_MS: i64 = 3 * 3_600_000 + 600_000;

/// A rule of a web ACL that references a managed rule group.
#[derive(Debug, Clone, PartialEq)]
pub struct WafRule {
    pub name: String,
    pub priority: i32,
    pub vendor: String,
    pub group_name: String,
    /// The rule's `VisibilityConfig.MetricName`.
    pub metric_name: String,
    pub sampled: bool,
    /// `OverrideAction: {Count: {}}`: the group's matches are counted, never blocked.
    pub counts_only: bool,
    /// Rules inside the group set to COUNT (`RuleActionOverrides`).
    pub rules_in_count: Vec<String>,
}

/// A web ACL.
#[derive(Debug, Clone, PartialEq)]
pub struct WebAcl {
    pub name: String,
    pub id: String,
    pub arn: String,
    pub metric_name: String,
    pub rules: Vec<WafRule>,
    /// ARNs of the load balancers it is associated with.
    pub resources: Vec<String>,
    pub lock_token: String,
    /// Whether it has a logging configuration (GetLoggingConfiguration).
    pub logging: bool,
}

/// What the WAF decided for one request.
#[derive(Debug, Clone, PartialEq)]
pub enum WafVerdict {
    Allowed,
    /// Blocked by `rule_in_group` of the web ACL rule whose metric name is `rule_metric`.
    Blocked {
        rule_metric: String,
        rule_in_group: String,
    },
}

/// One request as the WAF saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct WafRequest {
    pub ts_ms: i64,
    pub client_ip: String,
    pub country: String,
    pub method: String,
    pub uri: String,
    pub user_agent: String,
    pub verdict: WafVerdict,
}

/// One minute of one rule: requests per second and the kept samples (in no particular order).
#[derive(Debug, Clone, PartialEq)]
pub struct SampleMinute {
    pub per_second: [u32; 60],
    pub seen: u64,
    pub kept: Vec<WafRequest>,
}

impl Default for SampleMinute {
    fn default() -> Self {
        SampleMinute { per_second: [0; 60], seen: 0, kept: Vec::new() }
    }
}

/// The requests one web ACL rule matched, minute by minute.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleSamples {
    pub minutes: BTreeMap<i64, SampleMinute>,
}

impl RuleSamples {
    fn push(&mut self, req: WafRequest) {
        let minute = req.ts_ms.div_euclid(60_000) * 60_000;
        let second = ((req.ts_ms - minute) / 1000).clamp(0, 59) as usize;
        let m = self.minutes.entry(minute).or_default();
        m.per_second[second] += 1;
        let n = m.seen;
        m.seen += 1;
        if m.kept.len() < SAMPLES_KEPT_PER_MINUTE {
            m.kept.push(req);
        } else {
            // Reservoir sampling with a hash instead of a random generator: reproducible, and
            // every request of the minute has the same chance to be kept.
            let slot = (mix(n ^ req.ts_ms as u64) % (n + 1)) as usize;
            if let Some(s) = m.kept.get_mut(slot) {
                *s = req;
            }
        }
        if let Some((&newest, _)) = self.minutes.last_key_value() {
            while self.minutes.first_key_value().is_some_and(|(m, _)| *m < newest - SAMPLE_HORIZON_MS) {
                self.minutes.pop_first();
            }
        }
    }

    /// Requests per second over `[start_ms, end_ms)` as (second start, count), oldest first;
    /// a second is counted when it overlaps the window.
    pub fn seconds(&self, start_ms: i64, end_ms: i64) -> impl Iterator<Item = (i64, u32)> + '_ {
        let first = start_ms.div_euclid(60_000) * 60_000;
        self.minutes.range(first..end_ms).flat_map(move |(m, s)| {
            s.per_second
                .iter()
                .enumerate()
                .map(move |(i, n)| (m + i as i64 * 1000, *n))
                .filter(move |(t, n)| *n > 0 && *t >= start_ms - 999 && *t < end_ms)
        })
    }

    /// The kept samples of `[start_ms, end_ms)`, oldest first.
    pub fn kept(&self, start_ms: i64, end_ms: i64) -> Vec<&WafRequest> {
        let first = start_ms.div_euclid(60_000) * 60_000;
        let mut out: Vec<&WafRequest> = self
            .minutes
            .range(first..end_ms)
            .flat_map(|(_, s)| s.kept.iter())
            .filter(|r| r.ts_ms >= start_ms && r.ts_ms < end_ms)
            .collect();
        out.sort_by_key(|r| r.ts_ms);
        out
    }
}

/// SplitMix64 finaliser.
fn mix(mut h: u64) -> u64 {
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// All web ACLs of one account and region, and their samples.
#[derive(Debug, Clone, Default)]
pub struct WafWorld {
    pub acls: Vec<WebAcl>,
    /// Samples per (web ACL name, rule metric name); allowed requests are kept under the web
    /// ACL's own metric name.
    pub samples: BTreeMap<(String, String), RuleSamples>,
}

impl WafWorld {
    /// The web ACL protecting `resource_arn`, if any.
    pub fn acl_for_resource(&self, resource_arn: &str) -> Option<&WebAcl> {
        self.acls.iter().find(|a| a.resources.iter().any(|r| r == resource_arn))
    }

    /// The samples of one rule (or of the default action, under the web ACL's metric name).
    pub fn rule_samples(&self, acl_name: &str, rule_metric: &str) -> Option<&RuleSamples> {
        self.samples.get(&(acl_name.to_string(), rule_metric.to_string()))
    }

    /// Records one evaluated request: `AWS/WAFV2` metrics and, when sampled, a sample.
    pub fn record(&mut self, metrics: &mut MetricStore, region: &str, acl_name: &str, req: WafRequest) {
        let Some(acl) = self.acls.iter().find(|a| a.name == acl_name) else {
            return;
        };
        let ts = req.ts_ms;
        let ns = "AWS/WAFV2";
        let mut sampled = true;
        match &req.verdict {
            WafVerdict::Allowed => {
                metrics.add(
                    ns,
                    "AllowedRequests",
                    &[("WebACL", acl_name), ("Region", region), ("Rule", "ALL")],
                    ts,
                    1.0,
                );
            }
            WafVerdict::Blocked { rule_metric, rule_in_group } => {
                metrics.add(
                    ns,
                    "BlockedRequests",
                    &[("WebACL", acl_name), ("Region", region), ("Rule", "ALL")],
                    ts,
                    1.0,
                );
                metrics.add(
                    ns,
                    "BlockedRequests",
                    &[("WebACL", acl_name), ("Region", region), ("Rule", rule_metric)],
                    ts,
                    1.0,
                );
                if let Some(rule) = acl.rules.iter().find(|r| &r.metric_name == rule_metric) {
                    sampled = rule.sampled;
                    metrics.add(
                        ns,
                        "BlockedRequests",
                        &[
                            ("WebACL", acl_name),
                            ("Region", region),
                            ("RuleGroup", &rule.group_name),
                            ("Rule", rule_in_group),
                        ],
                        ts,
                        1.0,
                    );
                }
            }
        }
        if !sampled {
            return;
        }
        let rule_key = match &req.verdict {
            WafVerdict::Allowed => acl.metric_name.clone(),
            WafVerdict::Blocked { rule_metric, .. } => rule_metric.clone(),
        };
        self.samples.entry((acl_name.to_string(), rule_key)).or_default().push(req);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(ts_ms: i64) -> WafRequest {
        WafRequest {
            ts_ms,
            client_ip: "192.0.2.1".into(),
            country: "NL".into(),
            method: "GET".into(),
            uri: "/".into(),
            user_agent: "ua".into(),
            verdict: WafVerdict::Allowed,
        }
    }

    #[test]
    fn busy_minutes_keep_a_bounded_reservoir_and_exact_counts() {
        let mut r = RuleSamples::default();
        for i in 0..6_000 {
            r.push(req(60_000 + i * 10));
        }
        let m = &r.minutes[&60_000];
        assert_eq!(m.seen, 6_000);
        assert_eq!(m.kept.len(), SAMPLES_KEPT_PER_MINUTE);
        assert_eq!(m.per_second.iter().sum::<u32>(), 6_000);
        let late = m.kept.iter().filter(|k| k.ts_ms >= 90_000).count();
        assert!(late > 20 && late < 80, "the reservoir spreads over the minute: {late} late of 100");
    }

    #[test]
    fn samples_older_than_the_horizon_are_dropped() {
        let mut r = RuleSamples::default();
        r.push(req(0));
        r.push(req(SAMPLE_HORIZON_MS + 60_000));
        assert_eq!(r.minutes.len(), 1);
    }

    #[test]
    fn seconds_and_kept_cover_the_window() {
        let mut r = RuleSamples::default();
        for i in 0..120 {
            r.push(req(i * 1000 + 500));
        }
        assert_eq!(r.seconds(10_000, 20_000).map(|(_, n)| n).sum::<u32>(), 10);
        assert_eq!(r.kept(10_000, 20_000).len(), 10);
    }
}
