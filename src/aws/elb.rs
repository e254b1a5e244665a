//! Load balancer and identity reads: a target group's load balancer, target health per task
//! IP (ELBv2), and who the credentials belong to (STS) — mapped to `model` values.

use super::Clients;
use super::error::{AwsError, from_sdk};
use crate::model::{self, SanitizeText};

/// The load balancer ARN behind a target group, if any.
pub async fn load_balancer_of(c: &Clients, target_group_arn: &str) -> Result<Option<String>, AwsError> {
    let out = c
        .elb
        .describe_target_groups()
        .target_group_arns(target_group_arn)
        .send()
        .await
        .map_err(|e| from_sdk("elasticloadbalancing:DescribeTargetGroups", e))?;
    Ok(out.target_groups().first().and_then(|tg| tg.load_balancer_arns().first().cloned()))
}

/// DescribeTargetHealth for one target group.
pub async fn target_health(c: &Clients, target_group_arn: &str) -> Result<Vec<model::TargetHealth>, AwsError> {
    let out = c
        .elb
        .describe_target_health()
        .target_group_arn(target_group_arn)
        .send()
        .await
        .map_err(|e| from_sdk("elasticloadbalancing:DescribeTargetHealth", e))?;
    let mut targets: Vec<model::TargetHealth> = out
        .target_health_descriptions()
        .iter()
        .map(|d| {
            let h = d.target_health();
            model::TargetHealth {
                ip: d.target().and_then(|t| t.id()).unwrap_or_default().to_string(),
                port: d.target().and_then(|t| t.port()).and_then(|p| u16::try_from(p).ok()),
                state: model::TargetState::parse(
                    h.and_then(|h| h.state()).map(|s| s.as_str()).unwrap_or("unavailable"),
                ),
                reason: h.and_then(|h| h.reason()).map(|r| r.as_str().to_string()),
                description: h.and_then(|h| h.description()).map(str::to_string),
            }
        })
        .collect();
    targets.sanitize_text();
    Ok(targets)
}

/// STS GetCallerIdentity.
pub async fn caller(c: &Clients) -> Result<model::CallerIdentity, AwsError> {
    let out = c.sts.get_caller_identity().send().await.map_err(|e| from_sdk("sts:GetCallerIdentity", e))?;
    let mut id = model::CallerIdentity {
        account: out.account().unwrap_or_default().to_string(),
        arn: out.arn().unwrap_or_default().to_string(),
        user_id: out.user_id().unwrap_or_default().to_string(),
    };
    for s in [&mut id.account, &mut id.arn, &mut id.user_id] {
        s.sanitize_text();
    }
    Ok(id)
}

/// The CloudWatch `LoadBalancer` dimension of an ALB ARN: `app/<name>/<id>`.
pub fn load_balancer_dimension(arn: &str) -> Option<String> {
    arn.split_once(":loadbalancer/").map(|(_, d)| d.to_string())
}

/// The CloudWatch `TargetGroup` dimension of a target group ARN: `targetgroup/<name>/<id>`.
pub fn target_group_dimension(arn: &str) -> Option<String> {
    arn.split_once(":targetgroup/").map(|(_, d)| format!("targetgroup/{d}"))
}
