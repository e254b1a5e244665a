//! Posture rules on the service's edge: no public IP on its tasks, a web ACL on its load
//! balancer with the seed's four managed rule groups, none of them only counting, and logging.

use super::{finding, names};
use crate::model::ecs::Service;
use crate::model::findings::{Finding, Severity};
use crate::model::waf::WebAclConfig;

/// The AWS managed rule groups the seed puts in front of WordPress, with the operator's name.
pub const REQUIRED_RULE_GROUPS: [(&str, &str); 4] = [
    ("WordPress", "AWSManagedRulesWordPressRuleSet"),
    ("PHP", "AWSManagedRulesPHPRuleSet"),
    ("SQL database", "AWSManagedRulesSQLiRuleSet"),
    ("Core", "AWSManagedRulesCommonRuleSet"),
];

/// ECS.2: the service's tasks get no public IP (they sit behind the load balancer).
pub fn network(svc: &Service) -> Vec<Finding> {
    if svc.assign_public_ip != Some(true) {
        return Vec::new();
    }
    vec![
        finding("ecs_public_ip", Severity::High, &svc.name, format!("{}'s tasks get a public IP", svc.name))
            .evidence("networkConfiguration.awsvpcConfiguration.assignPublicIp ENABLED: each task is reachable from the internet, around the ALB and its WAF")
            .control("ECS.2")
            .change("set the service's networkConfiguration.awsvpcConfiguration.assignPublicIp to DISABLED (private subnets with a NAT gateway or VPC endpoints for egress)"),
    ]
}

/// A web ACL protects the load balancer.
pub fn web_acl_associated(lb_arn: &str, acl: Option<&WebAclConfig>) -> Vec<Finding> {
    if acl.is_some() {
        return Vec::new();
    }
    let lb = lb_arn.split_once(":loadbalancer/").map_or(lb_arn, |(_, t)| t);
    vec![
        finding("waf_web_acl", Severity::High, lb, "no web ACL protects the load balancer")
            .evidence(format!("GetWebACLForResource {lb}: no web ACL"))
            .change("associate a web ACL with the WordPress, PHP, SQL database and Core managed rule groups with the ALB (AssociateWebACL)"),
    ]
}

/// The seed's four managed rule groups are all in the web ACL.
pub fn managed_groups(acl: &WebAclConfig) -> Vec<Finding> {
    REQUIRED_RULE_GROUPS
        .iter()
        .filter(|(_, group)| !acl.rules.iter().any(|r| r.managed_group.as_deref() == Some(*group)))
        .map(|(label, group)| {
            finding(
                "waf_rule_group_missing",
                Severity::Medium,
                group,
                format!("web ACL {} lacks the {label} rule group", acl.name),
            )
            .evidence(format!(
                "{}: rules {}",
                acl.name,
                names(acl.rules.iter().map(|r| r.managed_group.as_deref().unwrap_or(r.name.as_str())))
            ))
            .change(format!("add a rule with ManagedRuleGroupStatement AWS {group} to {}", acl.name))
        })
        .collect()
}

/// A rule group overridden to COUNT blocks nothing (high); single rules set to COUNT inside a
/// group are scoped exceptions, noted (low).
pub fn rule_groups_in_count(acl: &WebAclConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in &acl.rules {
        let group = r.managed_group.as_deref().unwrap_or(r.name.as_str());
        if r.group_counts_only {
            out.push(
                finding("waf_rule_group_count", Severity::High, group, format!("rule group {group} only counts, it blocks nothing"))
                    .evidence(format!("{}: rule {} has OverrideAction Count", acl.name, r.name))
                    .change(format!("set rule {}'s OverrideAction to None in {} (keep single noisy rules in COUNT with RuleActionOverrides instead)", r.name, acl.name)),
            );
        } else if !r.rules_in_count.is_empty() {
            out.push(
                finding("waf_rules_in_count", Severity::Low, group, format!("{} rule(s) of {group} set to COUNT", r.rules_in_count.len()))
                    .evidence(format!("{}: rule {} RuleActionOverrides Count: {}", acl.name, r.name, names(r.rules_in_count.iter().map(String::as_str))))
                    .change(format!("scope each exception (a scope-down statement or a label match on the admin paths) rather than counting {} everywhere", names(r.rules_in_count.iter().map(String::as_str)))),
            );
        }
    }
    out
}

/// WAF.11: the web ACL's requests are logged.
pub fn waf_logging(acl: &WebAclConfig, logged: bool) -> Vec<Finding> {
    if logged {
        return Vec::new();
    }
    vec![
        finding("waf_logging", Severity::Low, &acl.name, format!("web ACL {} does not log", acl.name))
            .evidence(format!("GetLoggingConfiguration {}: no logging configuration", acl.name))
            .evidence("without logs only sampled requests (the first 5,000 of a window) say what was blocked")
            .control("WAF.11")
            .change(format!(
                "enable logging on {} (PutLoggingConfiguration to a CloudWatch Logs group named aws-waf-logs-…)",
                acl.name
            )),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::waf::AclRuleConfig;

    fn acl(groups: &[&str]) -> WebAclConfig {
        WebAclConfig {
            name: "wordpress-waf".into(),
            arn: "arn:waf".into(),
            rules: groups
                .iter()
                .map(|g| AclRuleConfig {
                    name: g.to_string(),
                    managed_group: Some(g.to_string()),
                    vendor: Some("AWS".into()),
                    ..AclRuleConfig::default()
                })
                .collect(),
        }
    }

    fn all() -> WebAclConfig {
        acl(&REQUIRED_RULE_GROUPS.map(|(_, g)| g))
    }

    #[test]
    fn a_public_ip_fires_and_disabled_or_unknown_does_not() {
        let mut svc = Service { name: "wordpress".into(), assign_public_ip: Some(true), ..Service::default() };
        let f = network(&svc);
        assert_eq!((f.len(), f[0].severity, f[0].control.as_deref()), (1, Severity::High, Some("ECS.2")));
        assert!(f[0].change.as_deref().unwrap().contains("assignPublicIp to DISABLED"));
        svc.assign_public_ip = Some(false);
        assert!(network(&svc).is_empty());
        svc.assign_public_ip = None;
        assert!(network(&svc).is_empty());
    }

    #[test]
    fn no_web_acl_on_the_load_balancer_fires() {
        let lb = "arn:aws:elasticloadbalancing:r:1:loadbalancer/app/wordpress-alb/abc";
        let f = web_acl_associated(lb, None);
        assert_eq!((f[0].id.as_str(), f[0].severity), ("waf_web_acl", Severity::High));
        assert_eq!(f[0].subject.as_deref(), Some("app/wordpress-alb/abc"));
        assert!(web_acl_associated(lb, Some(&all())).is_empty());
    }

    #[test]
    fn each_missing_managed_group_is_named() {
        assert!(managed_groups(&all()).is_empty());
        let f = managed_groups(&acl(&["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"]));
        let subjects: Vec<&str> = f.iter().map(|f| f.subject.as_deref().unwrap()).collect();
        assert_eq!(subjects, ["AWSManagedRulesWordPressRuleSet", "AWSManagedRulesPHPRuleSet"]);
        assert!(f[0].title.contains("WordPress") && f[0].severity == Severity::Medium);
        // A rule named like a group is not the group: the statement counts.
        let mut named = all();
        named.rules[0].managed_group = Some("MyOwnRules".into());
        assert_eq!(managed_groups(&named).len(), 1);
    }

    #[test]
    fn a_group_in_count_is_high_and_single_rules_in_count_are_low() {
        assert!(rule_groups_in_count(&all()).is_empty());
        let mut a = all();
        a.rules[1].group_counts_only = true;
        a.rules[3].rules_in_count = vec!["SizeRestrictions_BODY".into()];
        let f = rule_groups_in_count(&a);
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].id.as_str(), f[0].severity), ("waf_rule_group_count", Severity::High));
        assert_eq!(f[0].subject.as_deref(), Some("AWSManagedRulesPHPRuleSet"));
        assert!(f[0].change.as_deref().unwrap().contains("OverrideAction to None"));
        assert_eq!((f[1].id.as_str(), f[1].severity), ("waf_rules_in_count", Severity::Low));
        assert!(f[1].evidence[0].contains("SizeRestrictions_BODY"));
    }

    #[test]
    fn logging_off_fires_waf_11() {
        assert!(waf_logging(&all(), true).is_empty());
        let f = waf_logging(&all(), false);
        assert_eq!((f[0].control.as_deref(), f[0].severity), (Some("WAF.11"), Severity::Low));
    }
}
