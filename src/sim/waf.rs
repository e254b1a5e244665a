//! AWS WAF state of the simulated world: web ACLs with their managed rule groups and the
//! resources they protect, the sampled requests kept for GetSampledRequests, and the recording
//! of each evaluated request into `AWS/WAFV2` metrics. No wire protocol here (`api/waf.rs`).

use std::collections::{BTreeMap, VecDeque};

use super::metrics::MetricStore;

/// How many samples are kept per web ACL rule (AWS keeps three hours; we bound by count).
pub const SAMPLES_KEPT_PER_RULE: usize = 20_000;

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

/// A kept sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub request: WafRequest,
    /// How many requests this sample stands for.
    pub weight: u32,
}

/// All web ACLs of one account and region, and their samples.
#[derive(Debug, Clone, Default)]
pub struct WafWorld {
    pub acls: Vec<WebAcl>,
    /// Samples per (web ACL name, rule metric name), oldest first; allowed requests are kept
    /// under the web ACL's own metric name.
    pub samples: BTreeMap<(String, String), VecDeque<Sample>>,
}

impl WafWorld {
    /// The web ACL protecting `resource_arn`, if any.
    pub fn acl_for_resource(&self, resource_arn: &str) -> Option<&WebAcl> {
        self.acls.iter().find(|a| a.resources.iter().any(|r| r == resource_arn))
    }

    /// Records one evaluated request: `AWS/WAFV2` metrics and, when sampled, a sample.
    pub fn record(&mut self, metrics: &mut MetricStore, region: &str, acl_name: &str, req: WafRequest) {
        let Some(acl) = self.acls.iter().find(|a| a.name == acl_name) else {
            return;
        };
        let ts = req.ts_ms;
        let ns = "AWS/WAFV2";
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
        let rule_key = match &req.verdict {
            WafVerdict::Allowed => acl.metric_name.clone(),
            WafVerdict::Blocked { rule_metric, .. } => rule_metric.clone(),
        };
        let list = self.samples.entry((acl_name.to_string(), rule_key)).or_default();
        if list.len() >= SAMPLES_KEPT_PER_RULE {
            list.pop_front();
        }
        list.push_back(Sample { request: req, weight: 1 });
    }
}
