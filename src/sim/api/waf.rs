//! WAFv2 (awsJson1_1, `AWSWAF_20190729.<Op>`, PascalCase fields) in the simulator: operation
//! dispatch, ListWebACLs, GetWebACL, GetWebACLForResource and GetLoggingConfiguration. GetSampledRequests is in
//! `waf_sampled.rs`. Reads the world's `WafWorld`; never changes it.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Caller, Reply, paginate, parse};
use crate::sim::error::ApiError;
use crate::sim::waf::{WafRule, WebAcl};
use crate::sim::world::RegionWorld;

use super::waf_sampled;

pub fn handle(w: &mut RegionWorld, caller: &Caller, op: &str, body: &[u8]) -> Result<Reply, ApiError> {
    let v = match op {
        "ListWebACLs" => list_web_acls(w, body)?,
        "GetWebACL" => get_web_acl(w, caller, body)?,
        "GetWebACLForResource" => get_web_acl_for_resource(w, caller, body)?,
        "GetSampledRequests" => waf_sampled::get_sampled_requests(w, body)?,
        "GetLoggingConfiguration" => get_logging_configuration(w, body)?,
        _ => return Err(ApiError::unknown_operation(op)),
    };
    Ok(Reply::Json(v))
}

/// `WAFInvalidParameterException`, AWS's answer to any malformed or out-of-range parameter.
pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::client("WAFInvalidParameterException", message)
}

/// `WAFNonexistentItemException`.
pub(crate) fn nonexistent() -> ApiError {
    ApiError::client(
        "WAFNonexistentItemException",
        "AWS WAF couldn’t perform the operation because your resource doesn’t exist.",
    )
}

/// Checks `Scope`: the simulated web ACLs are all REGIONAL. Returns whether it is REGIONAL.
fn scope_is_regional(scope: Option<&str>) -> Result<bool, ApiError> {
    match scope {
        Some("REGIONAL") => Ok(true),
        Some("CLOUDFRONT") => Ok(false),
        Some(other) => Err(invalid(format!(
            "Error reason: The parameter contains formatting that isn't valid., field: SCOPE_VALUE, parameter: {other}"
        ))),
        None => Err(invalid("Error reason: A required parameter is missing., field: SCOPE_VALUE")),
    }
}

/// A web ACL by ARN, for the operations that name one that way.
pub(crate) fn acl_by_arn<'a>(w: &'a RegionWorld, arn: &str) -> Result<&'a WebAcl, ApiError> {
    if !arn.starts_with("arn:aws") || !arn.contains(":wafv2:") || !arn.contains("/webacl/") {
        return Err(invalid(format!(
            "Error reason: The ARN isn't valid. A valid ARN begins with arn: and includes other information separated by colons or slashes., field: RESOURCE_ARN, parameter: {arn}"
        )));
    }
    w.waf.acls.iter().find(|a| a.arn == arn).ok_or_else(nonexistent)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct ListReq {
    scope: Option<String>,
    next_marker: Option<String>,
    limit: Option<i64>,
}

fn list_web_acls(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: ListReq = parse(body)?;
    let regional = scope_is_regional(req.scope.as_deref())?;
    let limit = match req.limit {
        None => 100,
        Some(n) if (1..=100).contains(&n) => n as usize,
        Some(n) => return Err(invalid(format!("Error reason: Limit must be between 1 and 100, parameter: {n}"))),
    };
    let acls: Vec<&WebAcl> = if regional { w.waf.acls.iter().collect() } else { Vec::new() };
    let (page, next) = paginate(&acls, req.next_marker.as_deref(), limit)
        .map_err(|_| invalid("Error reason: The NextMarker isn't valid., field: NEXT_MARKER"))?;
    let items: Vec<Value> = page
        .iter()
        .map(|a| json!({"Name": a.name, "Id": a.id, "Description": "", "LockToken": a.lock_token, "ARN": a.arn}))
        .collect();
    let mut out = json!({ "WebACLs": items });
    if let Some(n) = next {
        out["NextMarker"] = json!(n);
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct GetReq {
    name: Option<String>,
    scope: Option<String>,
    id: Option<String>,
    #[serde(rename = "ARN")]
    arn: Option<String>,
}

fn get_web_acl(w: &RegionWorld, caller: &Caller, body: &[u8]) -> Result<Value, ApiError> {
    let req: GetReq = parse(body)?;
    let acl = match (&req.arn, &req.name, &req.id) {
        (Some(arn), _, _) => acl_by_arn(w, arn)?,
        (None, Some(name), Some(id)) => {
            if !scope_is_regional(req.scope.as_deref())? {
                return Err(nonexistent());
            }
            w.waf.acls.iter().find(|a| &a.name == name && &a.id == id).ok_or_else(nonexistent)?
        }
        _ => {
            return Err(invalid("Error reason: Name, Scope and Id, or ARN, are required., field: RESOURCE_ARN"));
        }
    };
    Ok(json!({"WebACL": web_acl_shape(acl, &caller.account), "LockToken": acl.lock_token}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ForResourceReq {
    resource_arn: Option<String>,
}

fn get_web_acl_for_resource(w: &RegionWorld, caller: &Caller, body: &[u8]) -> Result<Value, ApiError> {
    let req: ForResourceReq = parse(body)?;
    let Some(arn) = req.resource_arn else {
        return Err(invalid("Error reason: A required parameter is missing., field: RESOURCE_ARN"));
    };
    let is_alb =
        arn.starts_with("arn:aws") && arn.contains(":elasticloadbalancing:") && arn.contains(":loadbalancer/app/");
    if !is_alb {
        return Err(invalid(format!(
            "Error reason: The ARN isn't valid. A valid ARN begins with arn: and includes other information separated by colons or slashes., field: RESOURCE_ARN, parameter: {arn}"
        )));
    }
    if !w.elb.load_balancers.iter().any(|lb| lb.arn == arn) {
        return Err(nonexistent());
    }
    // AWS answers `{}` for a resource without a web ACL; the SDK then has `web_acl() == None`.
    Ok(match w.waf.acl_for_resource(&arn) {
        Some(acl) => json!({"WebACL": web_acl_shape(acl, &caller.account)}),
        None => json!({}),
    })
}

/// The WCU cost of an AWS managed rule group, as the console shows it.
fn capacity_of(group: &str) -> i64 {
    match group {
        "AWSManagedRulesCommonRuleSet" => 700,
        "AWSManagedRulesSQLiRuleSet" => 200,
        "AWSManagedRulesWordPressRuleSet" | "AWSManagedRulesPHPRuleSet" => 100,
        _ => 50,
    }
}

fn rule_shape(r: &WafRule) -> Value {
    let mut statement = json!({"VendorName": r.vendor, "Name": r.group_name});
    if !r.rules_in_count.is_empty() {
        statement["RuleActionOverrides"] =
            r.rules_in_count.iter().map(|n| json!({"Name": n, "ActionToUse": {"Count": {}}})).collect();
    }
    let override_action = if r.counts_only { json!({"Count": {}}) } else { json!({"None": {}}) };
    json!({
        "Name": r.name,
        "Priority": r.priority,
        "Statement": {"ManagedRuleGroupStatement": statement},
        "OverrideAction": override_action,
        "VisibilityConfig": {
            "SampledRequestsEnabled": r.sampled,
            "CloudWatchMetricsEnabled": true,
            "MetricName": r.metric_name,
        },
    })
}

/// The `WebACL` structure of GetWebACL and GetWebACLForResource.
pub(crate) fn web_acl_shape(acl: &WebAcl, account: &str) -> Value {
    json!({
        "Name": acl.name,
        "Id": acl.id,
        "ARN": acl.arn,
        "DefaultAction": {"Allow": {}},
        "Description": "",
        "Rules": acl.rules.iter().map(rule_shape).collect::<Vec<_>>(),
        "VisibilityConfig": {
            "SampledRequestsEnabled": true,
            "CloudWatchMetricsEnabled": true,
            "MetricName": acl.metric_name,
        },
        "Capacity": acl.rules.iter().map(|r| capacity_of(&r.group_name)).sum::<i64>(),
        "ManagedByFirewallManager": false,
        "LabelNamespace": format!("awswaf:{account}:webacl:{}:", acl.name),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LoggingReq {
    resource_arn: Option<String>,
    log_type: Option<String>,
    log_scope: Option<String>,
}

/// GetLoggingConfiguration: a web ACL that logs answers with its configuration (to a CloudWatch
/// Logs group named `aws-waf-logs-<acl>`); one that does not is `WAFNonexistentItemException`.
fn get_logging_configuration(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: LoggingReq = parse(body)?;
    let Some(arn) = req.resource_arn else {
        return Err(invalid("Error reason: A required parameter is missing., field: RESOURCE_ARN"));
    };
    let acl = acl_by_arn(w, &arn)?;
    if !acl.logging {
        return Err(nonexistent());
    }
    let destination = format!("arn:aws:logs:{}:{}:log-group:aws-waf-logs-{}", w.region, w.account, acl.name);
    Ok(json!({"LoggingConfiguration": {
        "ResourceArn": acl.arn,
        "LogDestinationConfigs": [destination],
        "ManagedByFirewallManager": false,
        "LogType": req.log_type.unwrap_or_else(|| "WAF_LOGS".into()),
        "LogScope": req.log_scope.unwrap_or_else(|| "CUSTOMER".into()),
    }}))
}
