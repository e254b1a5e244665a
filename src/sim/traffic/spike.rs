//! The WAF spike of a scenario's past (`waf_spike_minutes`): a botnet hammering the site's
//! XML-RPC and login endpoints and trying SQL injection, every request blocked by the AWS
//! managed WordPress or SQLi rule group. Each request is recorded as the WAF records any other
//! (`BlockedRequests` for the web ACL, the rule and the rule inside the group, and a sample), and
//! counted by the caller in the load balancer's `RequestCount` and ELB 4xx. It draws only its own
//! generator, so the rest of the world is as it was without the spike.

use rand::Rng;
use rand::rngs::SmallRng;

use super::probes::pick_weighted;
use super::{Site, poisson};
use crate::sim::waf::{WafRequest, WafVerdict};
use crate::sim::world::RegionWorld;

/// One kind of request of the spike: (method, URI, user agent, group index in the web ACL's
/// rules — 0 WordPress, 2 SQLi —, rule within the group, weight).
type SpikeProbe = (&'static str, &'static str, &'static str, usize, &'static str, u32);

pub const SPIKE_PROBES: [SpikeProbe; 5] = [
    ("POST", "/xmlrpc.php", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", 0, "WordPressExploitablePaths_URIPATH", 50),
    ("GET", "/wp-admin/admin-ajax.php", "Mozilla/5.0", 0, "WordPressExploitableCommands_QUERYSTRING", 15),
    ("GET", "/", "sqlmap/1.8.2#stable", 2, "SQLi_QUERYARGUMENTS", 20),
    ("GET", "/wp-json/wp/v2/posts", "python-requests/2.32", 2, "SQLiExtendedPatterns_QUERYARGUMENTS", 10),
    ("POST", "/wp-comments-post.php", "Mozilla/5.0", 2, "SQLi_BODY", 5),
];

/// The botnet: (client IP, country, weight).
pub const SPIKE_CLIENTS: [(&str, &str, u32); 7] = [
    ("203.0.113.45", "NL", 30),
    ("203.0.113.46", "NL", 20),
    ("198.51.100.77", "US", 15),
    ("192.0.2.201", "DE", 10),
    ("192.0.2.202", "SG", 10),
    ("198.51.100.140", "BR", 8),
    ("203.0.113.180", "IN", 7),
];

/// Records the spike's requests in the minute starting at `minute_ms` for `site`; returns how
/// many there were (0 without a web ACL).
pub fn minute(w: &mut RegionWorld, rng: &mut SmallRng, site: &Site, minute_ms: i64, per_second: f64) -> u32 {
    let Some(acl_name) = site.acl.clone() else { return 0 };
    let Some(rules) = w.waf.acls.iter().find(|a| a.name == acl_name).map(|a| a.rules.clone()) else {
        return 0;
    };
    let region = w.region.clone();
    let n = poisson(rng, per_second * 60.0);
    let mut recorded = 0;
    for _ in 0..n {
        let ts = minute_ms + rng.random_range(0..60_000);
        let total: u32 = SPIKE_PROBES.iter().map(|p| p.5).sum();
        let (method, uri, ua, group, rule, _) =
            SPIKE_PROBES[pick_weighted(SPIKE_PROBES.iter().map(|p| p.5), rng.random_range(0..total))];
        let ctotal: u32 = SPIKE_CLIENTS.iter().map(|c| c.2).sum();
        let (ip, country, _) =
            SPIKE_CLIENTS[pick_weighted(SPIKE_CLIENTS.iter().map(|c| c.2), rng.random_range(0..ctotal))];
        let Some(r) = rules.get(group) else { continue };
        let req = WafRequest {
            ts_ms: ts,
            client_ip: ip.into(),
            country: country.into(),
            method: method.into(),
            uri: uri.into(),
            user_agent: ua.into(),
            verdict: WafVerdict::Blocked { rule_metric: r.metric_name.clone(), rule_in_group: rule.into() },
        };
        w.waf.record(&mut w.metrics, &region, &acl_name, req);
        recorded += 1;
    }
    recorded
}
