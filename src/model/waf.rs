//! The WAF picture: the web ACL on the service's load balancer, each managed rule group's
//! blocked count over a window with a per-minute series, and the top blocked URIs, client IPs
//! and rules from sampled requests (weighted). Plain values and pure aggregation; no SDK types.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// How many entries the top lists keep by default.
pub const DEFAULT_TOP_N: usize = 10;

/// A snapshot of one web ACL over a window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WafSnapshot {
    pub web_acl_name: String,
    pub web_acl_arn: String,
    pub window_secs: u64,
    pub groups: Vec<RuleGroupStats>,
    /// Sum of the groups' blocked totals.
    pub total_blocked: u64,
    pub top_uris: Vec<(String, u64)>,
    pub top_ips: Vec<(String, u64)>,
    pub top_rules: Vec<(String, u64)>,
    pub samples: Vec<SampledRequest>,
    /// What could not be read for this picture (CloudWatch's metrics, the sampled requests), one
    /// line per operation; empty when everything was read.
    #[serde(default)]
    pub unavailable: Vec<super::FetchError>,
    /// The blocked counts could not be read: `total_blocked`, the groups' counts and series are
    /// unknown, not zero.
    #[serde(default)]
    pub blocked_unknown: bool,
    /// The sampled requests could not be read: the top lists are unknown, not empty.
    #[serde(default)]
    pub samples_unknown: bool,
}

impl WafSnapshot {
    /// Builds a snapshot, computing `total_blocked` and the top lists (`top_n` entries each).
    pub fn new(
        web_acl_name: String,
        web_acl_arn: String,
        window_secs: u64,
        groups: Vec<RuleGroupStats>,
        samples: Vec<SampledRequest>,
        top_n: usize,
    ) -> WafSnapshot {
        let top = top_blocked(&samples, top_n);
        WafSnapshot {
            web_acl_name,
            web_acl_arn,
            window_secs,
            total_blocked: groups.iter().map(|g| g.blocked_total).sum(),
            groups,
            top_uris: top.uris,
            top_ips: top.ips,
            top_rules: top.rules,
            samples,
            unavailable: Vec::new(),
            blocked_unknown: false,
            samples_unknown: false,
        }
    }

    /// A blocked count as shown: `1,204`, or `–` when the counts could not be read.
    pub fn blocked_text(&self, n: u64) -> String {
        if self.blocked_unknown { "–".to_string() } else { super::thousands(n) }
    }
}

/// One rule group of the web ACL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleGroupStats {
    /// e.g. `AWSManagedRulesWordPressRuleSet`.
    pub name: String,
    /// Short label for the panel: see [`rule_group_label`].
    pub label: String,
    /// The CloudWatch `Rule` dimension (the rule's visibility metric name).
    pub metric_name: String,
    pub blocked_total: u64,
    /// Blocked requests per minute over the window, oldest first.
    pub series: Vec<u64>,
    /// Blocked count per rule inside the group, when known.
    pub rules: Vec<(String, u64)>,
}

impl RuleGroupStats {
    /// A group with its label derived from `name` and the total summed from `series`.
    pub fn from_series(name: &str, metric_name: &str, series: Vec<u64>) -> RuleGroupStats {
        RuleGroupStats {
            name: name.to_owned(),
            label: rule_group_label(name).to_owned(),
            metric_name: metric_name.to_owned(),
            blocked_total: series.iter().sum(),
            series,
            rules: Vec::new(),
        }
    }
}

/// One request WAF sampled (GetSampledRequests).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampledRequest {
    pub at_ms: i64,
    pub client_ip: String,
    pub country: String,
    pub method: String,
    pub uri: String,
    /// The rule that matched (the rule group's rule when WAF names it).
    pub rule: String,
    /// BLOCK, ALLOW, COUNT, CAPTCHA, CHALLENGE.
    pub action: String,
    /// How many requests this sample stands for.
    pub weight: u64,
    /// `HTTP/1.1`, `HTTP/2.0`, as WAF saw it.
    #[serde(default)]
    pub http_version: String,
    /// The request's headers as WAF sampled them (name, value), in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
}

impl SampledRequest {
    pub fn is_blocked(&self) -> bool {
        self.action.eq_ignore_ascii_case("BLOCK")
    }
}

/// The panel's short label for a managed rule group name; other names read as themselves.
pub fn rule_group_label(name: &str) -> &str {
    const LABELS: &[(&str, &str)] = &[
        ("WordPressRuleSet", "WordPress"),
        ("PHPRuleSet", "PHP"),
        ("SQLiRuleSet", "SQLi"),
        ("CommonRuleSet", "Core"),
        ("KnownBadInputsRuleSet", "BadInputs"),
        ("AmazonIpReputationList", "IPRep"),
        ("AnonymousIpList", "AnonIP"),
        ("LinuxRuleSet", "Linux"),
    ];
    LABELS.iter().find(|(key, _)| name.contains(key)).map_or(name, |(_, label)| label)
}

/// The top blocked URIs, client IPs and rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopLists {
    pub uris: Vec<(String, u64)>,
    pub ips: Vec<(String, u64)>,
    pub rules: Vec<(String, u64)>,
}

/// Aggregates the BLOCK samples by URI, client IP and rule, each weighted by its `weight`;
/// each list is sorted by count (highest first, ties by name) and cut to `n`.
pub fn top_blocked(samples: &[SampledRequest], n: usize) -> TopLists {
    let mut uris: HashMap<&str, u64> = HashMap::new();
    let mut ips: HashMap<&str, u64> = HashMap::new();
    let mut rules: HashMap<&str, u64> = HashMap::new();
    for s in samples.iter().filter(|s| s.is_blocked()) {
        *uris.entry(&s.uri).or_default() += s.weight;
        *ips.entry(&s.client_ip).or_default() += s.weight;
        *rules.entry(&s.rule).or_default() += s.weight;
    }
    TopLists { uris: ranked(uris, n), ips: ranked(ips, n), rules: ranked(rules, n) }
}

fn ranked(counts: HashMap<&str, u64>, n: usize) -> Vec<(String, u64)> {
    let mut list: Vec<(String, u64)> = counts.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    list.truncate(n);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_counts_are_not_zero() {
        let mut w = WafSnapshot { total_blocked: 0, ..WafSnapshot::default() };
        assert_eq!(w.blocked_text(1204), "1,204");
        w.blocked_unknown = true;
        assert_eq!(w.blocked_text(w.total_blocked), "–");
    }

    fn sample(uri: &str, ip: &str, rule: &str, action: &str, weight: u64) -> SampledRequest {
        SampledRequest {
            at_ms: 0,
            client_ip: ip.into(),
            country: "JP".into(),
            method: "POST".into(),
            uri: uri.into(),
            rule: rule.into(),
            action: action.into(),
            weight,
            ..SampledRequest::default()
        }
    }

    #[test]
    fn labels() {
        assert_eq!(rule_group_label("AWSManagedRulesWordPressRuleSet"), "WordPress");
        assert_eq!(rule_group_label("AWS-AWSManagedRulesPHPRuleSet"), "PHP");
        assert_eq!(rule_group_label("AWSManagedRulesSQLiRuleSet"), "SQLi");
        assert_eq!(rule_group_label("AWSManagedRulesCommonRuleSet"), "Core");
        assert_eq!(rule_group_label("my-rate-limit"), "my-rate-limit");
    }

    #[test]
    fn top_lists_are_weighted_blocked_only_and_ranked() {
        let samples = vec![
            sample("/xmlrpc.php", "203.0.113.7", "WordPressExploitableCommands", "BLOCK", 5),
            sample("/xmlrpc.php", "198.51.100.2", "WordPressExploitableCommands", "BLOCK", 1),
            sample("/?id=1' OR 1=1", "203.0.113.7", "SQLi_QUERYARGUMENTS", "block", 2),
            sample("/", "192.0.2.1", "none", "ALLOW", 100),
            sample("/wp-login.php", "192.0.2.9", "SizeRestrictions_BODY", "BLOCK", 2),
        ];
        let top = top_blocked(&samples, 2);
        assert_eq!(top.uris, [("/xmlrpc.php".to_owned(), 6), ("/?id=1' OR 1=1".to_owned(), 2)]);
        assert_eq!(top.ips, [("203.0.113.7".to_owned(), 7), ("192.0.2.9".to_owned(), 2)]);
        assert_eq!(top.rules[0], ("WordPressExploitableCommands".to_owned(), 6));
        assert_eq!(top_blocked(&[], 10), TopLists::default());
    }

    #[test]
    fn snapshot_totals() {
        let groups = vec![
            RuleGroupStats::from_series("AWSManagedRulesWordPressRuleSet", "wp", vec![1, 2, 3]),
            RuleGroupStats::from_series("AWSManagedRulesSQLiRuleSet", "sqli", vec![0, 4]),
        ];
        assert_eq!(groups[0].label, "WordPress");
        assert_eq!(groups[0].blocked_total, 6);
        let samples = vec![sample("/xmlrpc.php", "203.0.113.7", "r", "BLOCK", 3)];
        let snap = WafSnapshot::new("waf".into(), "arn".into(), 10_800, groups, samples, DEFAULT_TOP_N);
        assert_eq!(snap.total_blocked, 10);
        assert_eq!(snap.top_uris, [("/xmlrpc.php".to_owned(), 3)]);
        assert_eq!(snap.samples.len(), 1);
    }
}
