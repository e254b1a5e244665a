//! CloudWatch and WAF fixtures: the platform numbers and a web ACL's blocks and samples.

use wpops::model::{PlatformMetrics, RuleGroupStats, SampledRequest, Series, WafSnapshot};

use super::{MIN, NOW};

pub fn series(values: &[f64]) -> Series {
    Series { points: values.iter().enumerate().map(|(i, v)| (NOW - (values.len() - i) as i64 * MIN, *v)).collect() }
}

pub fn platform(elb_5xx: f64, target_5xx: f64, efs_io: f64) -> PlatformMetrics {
    PlatformMetrics {
        alb_requests: series(&[2410.0, 2533.0, 2520.0]),
        elb_5xx: series(&[0.0, elb_5xx]),
        target_5xx: series(&[0.0, target_5xx]),
        response_time_s: series(&[0.051, 0.043]),
        cpu_percent: series(&[21.0, 23.4]),
        memory_percent: series(&[40.0, 41.2]),
        efs_io_percent: series(&[10.0, efs_io]),
        efs_burst_credits: series(&[2.31e12]),
        efs_id: Some("fs-0a1b2c3d".into()),
    }
}

pub fn waf() -> WafSnapshot {
    let group = |name: &str, series: Vec<u64>, rules: &[(&str, u64)]| {
        let mut g = RuleGroupStats::from_series(name, name, series);
        g.rules = rules.iter().map(|(r, n)| ((*r).into(), *n)).collect();
        g
    };
    let groups = vec![
        group(
            "AWSManagedRulesWordPressRuleSet",
            vec![20, 35, 18, 90, 160, 60, 22, 19, 30, 41, 25, 33],
            &[("WordPressExploitableCommands_QUERYSTRING", 402), ("WordPressExploitablePaths_URIPATH", 151)],
        ),
        group(
            "AWSManagedRulesPHPRuleSet",
            vec![2, 1, 3, 2, 4, 3, 1, 2, 5, 2, 3, 2],
            &[("PHPHighRiskMethodsVariables_QUERYSTRING", 30)],
        ),
        group("AWSManagedRulesSQLiRuleSet", vec![0, 12, 3, 0, 1, 30, 2, 0, 4, 0, 1, 0], &[("SQLi_QUERYARGUMENTS", 53)]),
        group(
            "AWSManagedRulesCommonRuleSet",
            vec![30, 28, 35, 31, 29, 40, 33, 30, 36, 32, 30, 29],
            &[("SizeRestrictions_BODY", 210), ("GenericLFI_QUERYARGUMENTS", 93)],
        ),
    ];
    let sample = |ago: i64, ip: &str, cc: &str, method: &str, uri: &str, rule: &str, weight: u64| SampledRequest {
        at_ms: NOW - ago,
        client_ip: ip.into(),
        country: cc.into(),
        method: method.into(),
        uri: uri.into(),
        rule: rule.into(),
        action: "BLOCK".into(),
        weight,
    };
    let samples = vec![
        sample(40_000, "203.0.113.7", "NL", "POST", "/xmlrpc.php", "WordPressExploitablePaths_URIPATH", 611),
        sample(95_000, "198.51.100.23", "US", "GET", "/?id=1%27%20OR%201=1", "SQLi_QUERYARGUMENTS", 53),
        sample(130_000, "192.0.2.44", "CN", "GET", "/wp-config.php.bak", "GenericLFI_QUERYARGUMENTS", 93),
        sample(200_000, "203.0.113.7", "NL", "POST", "/wp-login.php", "SizeRestrictions_BODY", 120),
    ];
    WafSnapshot::new("wordpress-waf".into(), "arn:aws:wafv2:…/wordpress-waf".into(), 3 * 3600, groups, samples, 10)
}
