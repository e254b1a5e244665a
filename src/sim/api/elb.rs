//! Elastic Load Balancing v2 (awsQuery, XML) in the simulator: DescribeLoadBalancers (with
//! creation time, hosted zone, zones and subnets, security groups, address type),
//! DescribeTargetGroups and DescribeTargetHealth, the last derived live from the service's tasks
//! (initial while health checks run, healthy, unhealthy, draining).

use super::{Caller, Reply, xml_escape};
use crate::sim::ecs::types::{TargetState, TaskPhase};
use crate::sim::elb::canonical_hosted_zone;
use crate::sim::error::ApiError;
use crate::sim::world::RegionWorld;

fn params(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// Values of a query list parameter such as `Names.member.1`, `Names.member.2`.
fn list(params: &[(String, String)], name: &str) -> Vec<String> {
    let prefix = format!("{name}.member.");
    let mut items: Vec<(usize, String)> = params
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(&prefix).and_then(|n| n.parse().ok()).map(|n| (n, v.clone())))
        .collect();
    items.sort();
    items.into_iter().map(|(_, v)| v).collect()
}

fn one(params: &[(String, String)], name: &str) -> Option<String> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

pub fn handle(w: &mut RegionWorld, _caller: &Caller, op: &str, body: &[u8]) -> Result<Reply, ApiError> {
    let p = params(body);
    match op {
        "DescribeLoadBalancers" => describe_load_balancers(w, &p),
        "DescribeTargetGroups" => describe_target_groups(w, &p),
        "DescribeTargetHealth" => describe_target_health(w, &p),
        _ => Err(ApiError::client("InvalidAction", format!("Could not find operation {op} for version 2015-12-01"))),
    }
}

fn describe_load_balancers(w: &RegionWorld, p: &[(String, String)]) -> Result<Reply, ApiError> {
    let arns = list(p, "LoadBalancerArns");
    let names = list(p, "Names");
    let mut out = String::from("<LoadBalancers>");
    for lb in &w.elb.load_balancers {
        if (!arns.is_empty() && !arns.contains(&lb.arn)) || (!names.is_empty() && !names.contains(&lb.name)) {
            continue;
        }
        let created = chrono::DateTime::from_timestamp_millis(lb.created_ms).unwrap_or_default();
        let zones: String = lb
            .zones
            .iter()
            .map(|(zone, subnet)| {
                format!(
                    "<member><ZoneName>{}</ZoneName><SubnetId>{}</SubnetId></member>",
                    xml_escape(zone),
                    xml_escape(subnet)
                )
            })
            .collect();
        let groups: String = lb.security_groups.iter().map(|g| format!("<member>{}</member>", xml_escape(g))).collect();
        out.push_str(&format!(
            "<member><LoadBalancerArn>{}</LoadBalancerArn><DNSName>{}</DNSName><CanonicalHostedZoneId>{}</CanonicalHostedZoneId><CreatedTime>{}</CreatedTime><LoadBalancerName>{}</LoadBalancerName><Scheme>internet-facing</Scheme><VpcId>vpc-0wordpress0000001</VpcId><State><Code>active</Code></State><Type>application</Type><AvailabilityZones>{zones}</AvailabilityZones><SecurityGroups>{groups}</SecurityGroups><IpAddressType>ipv4</IpAddressType></member>",
            xml_escape(&lb.arn),
            xml_escape(&lb.dns_name),
            canonical_hosted_zone(&w.region),
            created.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
            xml_escape(&lb.name),
        ));
    }
    out.push_str("</LoadBalancers>");
    if out == "<LoadBalancers></LoadBalancers>" && (!arns.is_empty() || !names.is_empty()) {
        return Err(ApiError::client("LoadBalancerNotFound", "One or more load balancers not found"));
    }
    Ok(Reply::Xml(out))
}

fn describe_target_groups(w: &RegionWorld, p: &[(String, String)]) -> Result<Reply, ApiError> {
    let arns = list(p, "TargetGroupArns");
    let names = list(p, "Names");
    let lb = one(p, "LoadBalancerArn");
    let mut out = String::from("<TargetGroups>");
    let mut found = 0;
    for tg in &w.elb.target_groups {
        if (!arns.is_empty() && !arns.contains(&tg.arn))
            || (!names.is_empty() && !names.contains(&tg.name))
            || lb.as_ref().is_some_and(|l| *l != tg.load_balancer_arn)
        {
            continue;
        }
        found += 1;
        out.push_str(&format!(
            "<member><TargetGroupArn>{}</TargetGroupArn><TargetGroupName>{}</TargetGroupName><Protocol>HTTP</Protocol><Port>{}</Port><VpcId>vpc-0wordpress0000001</VpcId><HealthCheckProtocol>HTTP</HealthCheckProtocol><HealthCheckPath>{}</HealthCheckPath><HealthCheckIntervalSeconds>10</HealthCheckIntervalSeconds><HealthyThresholdCount>2</HealthyThresholdCount><UnhealthyThresholdCount>2</UnhealthyThresholdCount><TargetType>ip</TargetType><LoadBalancerArns><member>{}</member></LoadBalancerArns></member>",
            xml_escape(&tg.arn),
            xml_escape(&tg.name),
            tg.port,
            xml_escape(&tg.health_check_path),
            xml_escape(&tg.load_balancer_arn)
        ));
    }
    out.push_str("</TargetGroups>");
    if found == 0 && (!arns.is_empty() || !names.is_empty()) {
        return Err(ApiError::client("TargetGroupNotFound", "One or more target groups not found"));
    }
    Ok(Reply::Xml(out))
}

fn describe_target_health(w: &RegionWorld, p: &[(String, String)]) -> Result<Reply, ApiError> {
    let arn =
        one(p, "TargetGroupArn").ok_or_else(|| ApiError::client("ValidationError", "TargetGroupArn is required"))?;
    let tg = w
        .elb
        .target_groups
        .iter()
        .find(|t| t.arn == arn)
        .ok_or_else(|| ApiError::client("TargetGroupNotFound", format!("Target groups '{arn}' not found")))?;
    let mut out = String::from("<TargetHealthDescriptions>");
    let tasks = w.clusters.get(&tg.cluster).map(|c| c.tasks.values().collect::<Vec<_>>()).unwrap_or_default();
    for t in tasks.into_iter().filter(|t| t.service.as_deref() == Some(&tg.service)) {
        let (state, reason, description) = match (t.target, t.phase) {
            (TargetState::Initial, _) => {
                ("initial", "Elb.RegistrationInProgress", "Target registration is in progress")
            }
            (TargetState::Healthy, TaskPhase::Running) => ("healthy", "", ""),
            (TargetState::Unhealthy, _) => {
                ("unhealthy", "Target.FailedHealthChecks", "Health checks failed with these codes: [502]")
            }
            (TargetState::Draining, _) => {
                ("draining", "Target.DeregistrationInProgress", "Target deregistration is in progress")
            }
            _ => continue,
        };
        let reason_xml = if reason.is_empty() {
            String::new()
        } else {
            format!("<Reason>{reason}</Reason><Description>{description}</Description>")
        };
        out.push_str(&format!(
            "<member><Target><Id>{}</Id><Port>{}</Port><AvailabilityZone>{}</AvailabilityZone></Target><HealthCheckPort>{}</HealthCheckPort><TargetHealth><State>{state}</State>{reason_xml}</TargetHealth></member>",
            t.ip, tg.port, t.az, tg.port
        ));
    }
    out.push_str("</TargetHealthDescriptions>");
    Ok(Reply::Xml(out))
}
