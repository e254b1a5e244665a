//! WAF reads: the web ACL protecting a load balancer with its rules (managed rule groups and
//! their metric names), and sampled requests of one rule over a window — as plain values.

use aws_smithy_types::DateTime;

use super::Clients;
use super::error::{AwsError, from_sdk};
use crate::model::{self, SanitizeText};

/// A rule of a web ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclRule {
    pub name: String,
    /// The managed rule group's name (e.g. `AWSManagedRulesWordPressRuleSet`), or the rule's
    /// own name when it is not a managed group.
    pub group: String,
    pub metric_name: String,
}

/// A web ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebAcl {
    pub name: String,
    pub id: String,
    pub arn: String,
    pub metric_name: String,
    pub rules: Vec<AclRule>,
}

/// GetWebACLForResource: the web ACL protecting `resource_arn`, if any.
pub async fn web_acl_for_resource(c: &Clients, resource_arn: &str) -> Result<Option<WebAcl>, AwsError> {
    Ok(sdk_acl_for_resource(c, resource_arn).await?.as_ref().map(acl_from))
}

/// The one GetWebACLForResource call, read by the poller (`acl_from`) and the posture rules
/// (`acl_config_from`).
async fn sdk_acl_for_resource(
    c: &Clients,
    resource_arn: &str,
) -> Result<Option<aws_sdk_wafv2::types::WebAcl>, AwsError> {
    let out = c
        .waf
        .get_web_acl_for_resource()
        .resource_arn(resource_arn)
        .send()
        .await
        .map_err(|e| from_sdk("wafv2:GetWebACLForResource", e))?;
    Ok(out.web_acl)
}

/// GetWebACL by name and id.
pub async fn get_web_acl(c: &Clients, name: &str, id: &str) -> Result<WebAcl, AwsError> {
    let out = c
        .waf
        .get_web_acl()
        .name(name)
        .id(id)
        .scope(aws_sdk_wafv2::types::Scope::Regional)
        .send()
        .await
        .map_err(|e| from_sdk("wafv2:GetWebACL", e))?;
    out.web_acl().map(acl_from).ok_or_else(|| {
        AwsError::new(super::AwsErrorKind::NotFound, "wafv2:GetWebACL", format!("web ACL {name} not found"))
    })
}

/// A web ACL by name (ListWebACLs then GetWebACL), for a configured override.
pub async fn web_acl_by_name(c: &Clients, name: &str) -> Result<Option<WebAcl>, AwsError> {
    let out = c
        .waf
        .list_web_acls()
        .scope(aws_sdk_wafv2::types::Scope::Regional)
        .limit(100)
        .send()
        .await
        .map_err(|e| from_sdk("wafv2:ListWebACLs", e))?;
    let Some(summary) = out.web_acls().iter().find(|a| a.name() == Some(name)) else { return Ok(None) };
    get_web_acl(c, name, summary.id().unwrap_or_default()).await.map(Some)
}

fn acl_from(a: &aws_sdk_wafv2::types::WebAcl) -> WebAcl {
    let mut acl = WebAcl {
        name: a.name().to_string(),
        id: a.id().to_string(),
        arn: a.arn().to_string(),
        metric_name: a.visibility_config().map(|v| v.metric_name().to_string()).unwrap_or_default(),
        rules: a
            .rules()
            .iter()
            .map(|r| AclRule {
                name: r.name().to_string(),
                group: r
                    .statement()
                    .and_then(|s| s.managed_rule_group_statement())
                    .map(|m| m.name().to_string())
                    .unwrap_or_else(|| r.name().to_string()),
                metric_name: r.visibility_config().map(|v| v.metric_name().to_string()).unwrap_or_default(),
            })
            .collect(),
    };
    for s in [&mut acl.name, &mut acl.metric_name] {
        s.sanitize_text();
    }
    for r in &mut acl.rules {
        r.name.sanitize_text();
        r.group.sanitize_text();
        r.metric_name.sanitize_text();
    }
    acl
}

/// GetSampledRequests for one rule (its metric name) over `[start_ms, end_ms]`.
pub async fn sampled_requests(
    c: &Clients,
    acl_arn: &str,
    rule_metric: &str,
    start_ms: i64,
    end_ms: i64,
    max: i64,
) -> Result<Vec<model::SampledRequest>, AwsError> {
    let window = aws_sdk_wafv2::types::TimeWindow::builder()
        .start_time(DateTime::from_millis(start_ms))
        .end_time(DateTime::from_millis(end_ms))
        .build()
        .map_err(|e| AwsError::new(super::AwsErrorKind::Other, "wafv2:GetSampledRequests", e.to_string()))?;
    let out = c
        .waf
        .get_sampled_requests()
        .web_acl_arn(acl_arn)
        .rule_metric_name(rule_metric)
        .scope(aws_sdk_wafv2::types::Scope::Regional)
        .time_window(window)
        .max_items(max.clamp(1, 500))
        .send()
        .await
        .map_err(|e| from_sdk("wafv2:GetSampledRequests", e))?;
    let mut samples: Vec<model::SampledRequest> = out
        .sampled_requests()
        .iter()
        .map(|s| {
            let req = s.request();
            model::SampledRequest {
                at_ms: s.timestamp().and_then(|t| t.to_millis().ok()).unwrap_or(0),
                client_ip: req.and_then(|r| r.client_ip()).unwrap_or_default().to_string(),
                country: req.and_then(|r| r.country()).unwrap_or_default().to_string(),
                method: req.and_then(|r| r.method()).unwrap_or_default().to_string(),
                uri: req.and_then(|r| r.uri()).unwrap_or_default().to_string(),
                rule: s.rule_name_within_rule_group().unwrap_or(rule_metric).to_string(),
                action: s.action().unwrap_or_default().to_string(),
                weight: s.weight().max(0) as u64,
                http_version: req.and_then(|r| r.http_version()).unwrap_or_default().to_string(),
                headers: req
                    .map(|r| r.headers())
                    .unwrap_or_default()
                    .iter()
                    .map(|h| (h.name().unwrap_or_default().to_string(), h.value().unwrap_or_default().to_string()))
                    .collect(),
            }
        })
        .collect();
    samples.sanitize_text();
    Ok(samples)
}

/// GetWebACLForResource, as the posture rules read it: each rule's managed group and whether it
/// (or rules inside it) are overridden to COUNT. `None` when no web ACL protects the resource.
pub async fn web_acl_config_for_resource(
    c: &Clients,
    resource_arn: &str,
) -> Result<Option<model::WebAclConfig>, AwsError> {
    Ok(sdk_acl_for_resource(c, resource_arn).await?.as_ref().map(acl_config_from))
}

fn acl_config_from(a: &aws_sdk_wafv2::types::WebAcl) -> model::WebAclConfig {
    let rules = a
        .rules()
        .iter()
        .map(|r| {
            let managed = r.statement().and_then(|s| s.managed_rule_group_statement());
            let mut rules_in_count: Vec<String> = managed
                .map(|m| {
                    let overridden = m
                        .rule_action_overrides()
                        .iter()
                        .filter(|o| o.action_to_use().is_some_and(|a| a.count().is_some()))
                        .map(|o| o.name().to_string());
                    let excluded = m.excluded_rules().iter().map(|e| e.name().to_string());
                    overridden.chain(excluded).collect()
                })
                .unwrap_or_default();
            rules_in_count.dedup();
            model::WebAclConfig::rule(
                r.name(),
                managed.map(|m| (m.vendor_name(), m.name())),
                r.override_action().is_some_and(|o| o.count().is_some()),
                rules_in_count,
            )
        })
        .collect();
    let mut acl = model::WebAclConfig { name: a.name().to_string(), arn: a.arn().to_string(), rules };
    acl.sanitize_text();
    acl
}

/// GetLoggingConfiguration of a web ACL: whether it logs (`WAFNonexistentItemException` is
/// "no logging configuration", not a failure).
pub async fn logging_enabled(c: &Clients, acl_arn: &str) -> Result<bool, AwsError> {
    match c.waf.get_logging_configuration().resource_arn(acl_arn).send().await {
        Ok(out) => Ok(out.logging_configuration().is_some_and(|l| !l.log_destination_configs().is_empty())),
        Err(e) => {
            let e = from_sdk("wafv2:GetLoggingConfiguration", e);
            if e.code.as_deref() == Some("WAFNonexistentItemException") { Ok(false) } else { Err(e) }
        }
    }
}
