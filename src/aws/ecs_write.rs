//! The calls that change a site, and the history reads that plan them: UpdateService (force a
//! new deployment, or a task definition for a rollback), RunTask of the one-off warmer aimed at a
//! task's private IP, StopTask, RegisterTaskDefinition of a warmer derived from the service's
//! own, and ListServiceDeployments / DescribeServiceDeployments / DescribeServiceRevisions.

use aws_sdk_ecs::types as sdk;

use super::Clients;
use super::error::{AwsError, AwsErrorKind, from_sdk};
use crate::model::{self, RevisionImage, RevisionInfo, SanitizeText, ServiceDeploymentInfo};

fn ms(t: Option<&aws_smithy_types::DateTime>) -> Option<i64> {
    t.and_then(|d| d.to_millis().ok())
}

/// UpdateService with forceNewDeployment (and optionally a task definition); returns the
/// service as ECS answered, whose PRIMARY deployment is the new one.
pub async fn update_service(
    c: &Clients,
    cluster: &str,
    service: &str,
    task_definition: Option<&str>,
) -> Result<model::Service, AwsError> {
    let out = c
        .ecs
        .update_service()
        .cluster(cluster)
        .service(service)
        .force_new_deployment(true)
        .set_task_definition(task_definition.map(str::to_string))
        .send()
        .await
        .map_err(|e| from_sdk("ecs:UpdateService", e))?;
    let svc = out
        .service()
        .ok_or_else(|| AwsError::new(AwsErrorKind::Other, "ecs:UpdateService", "ECS answered without a service"))?;
    let mut s = super::ecs::service_from(cluster, svc);
    s.sanitize_text();
    Ok(s)
}

/// StopTask with a reason.
pub async fn stop_task(c: &Clients, cluster: &str, task: &str, reason: &str) -> Result<(), AwsError> {
    c.ecs
        .stop_task()
        .cluster(cluster)
        .task(task)
        .reason(reason)
        .send()
        .await
        .map_err(|e| from_sdk("ecs:StopTask", e))?;
    Ok(())
}

/// One one-off warmer run aimed at a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarmRun {
    pub cluster: String,
    pub task_definition: String,
    pub container: String,
    pub url: String,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    /// ≤ 36 characters; lets ListTasks find every run of this warm.
    pub started_by: String,
    /// ≤ 64 characters; the same token never starts a second task.
    pub client_token: String,
}

/// RunTask of the warmer task definition with the target URL; returns the task ARN.
pub async fn run_warm_task(c: &Clients, run: &WarmRun) -> Result<String, AwsError> {
    let overrides = sdk::TaskOverride::builder()
        .container_overrides(
            sdk::ContainerOverride::builder()
                .name(&run.container)
                .command("curl")
                .command("-fsS")
                .command("--max-time")
                .command("300")
                .command(&run.url)
                .environment(sdk::KeyValuePair::builder().name("TARGET_URL").value(&run.url).build())
                .build(),
        )
        .build();
    let vpc = sdk::AwsVpcConfiguration::builder()
        .set_subnets(Some(run.subnets.clone()))
        .set_security_groups(Some(run.security_groups.clone()))
        .assign_public_ip(sdk::AssignPublicIp::Disabled)
        .build()
        .map_err(|e| AwsError::new(AwsErrorKind::Other, "ecs:RunTask", e.to_string()))?;
    let out = c
        .ecs
        .run_task()
        .cluster(&run.cluster)
        .task_definition(&run.task_definition)
        .launch_type(sdk::LaunchType::Fargate)
        .count(1)
        .started_by(&run.started_by)
        .client_token(&run.client_token)
        .overrides(overrides)
        .network_configuration(sdk::NetworkConfiguration::builder().awsvpc_configuration(vpc).build())
        .send()
        .await
        .map_err(|e| from_sdk("ecs:RunTask", e))?;
    if let Some(f) = out.failures().first() {
        let why = format!("{} {}", f.reason().unwrap_or("failed"), f.detail().unwrap_or(""));
        return Err(AwsError::new(AwsErrorKind::Other, "ecs:RunTask", model::sanitize_line(why.trim())));
    }
    out.tasks()
        .first()
        .and_then(|t| t.task_arn())
        .map(str::to_string)
        .ok_or_else(|| AwsError::new(AwsErrorKind::Other, "ecs:RunTask", "ECS started no task"))
}

/// A warmer task definition to register, derived from the service's own warmer container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarmerDefinition {
    pub family: String,
    pub image: String,
    pub log_group: Option<String>,
    pub log_prefix: Option<String>,
    pub cpu: String,
    pub memory: String,
    pub execution_role: Option<String>,
    pub region: String,
}

/// RegisterTaskDefinition of a one-off warmer: one essential container, no `dependsOn`,
/// awsvpc/FARGATE, `curl -fsS` (the URL comes with each run's override).
pub async fn register_warmer(c: &Clients, d: &WarmerDefinition) -> Result<String, AwsError> {
    let mut container = sdk::ContainerDefinition::builder()
        .name("warmer")
        .image(&d.image)
        .essential(true)
        .readonly_root_filesystem(true)
        .command("curl")
        .command("-fsS")
        .command("http://localhost/opcache_warmer.php");
    if let Some(group) = &d.log_group {
        let log = sdk::LogConfiguration::builder()
            .log_driver(sdk::LogDriver::Awslogs)
            .options("awslogs-group", group)
            .options("awslogs-region", &d.region)
            .options("awslogs-stream-prefix", d.log_prefix.as_deref().unwrap_or("wp"))
            .build()
            .map_err(|e| AwsError::new(AwsErrorKind::Other, "ecs:RegisterTaskDefinition", e.to_string()))?;
        container = container.log_configuration(log);
    }
    let out = c
        .ecs
        .register_task_definition()
        .family(&d.family)
        .network_mode(sdk::NetworkMode::Awsvpc)
        .requires_compatibilities(sdk::Compatibility::Fargate)
        .cpu(&d.cpu)
        .memory(&d.memory)
        .set_execution_role_arn(d.execution_role.clone())
        .container_definitions(container.build())
        .send()
        .await
        .map_err(|e| from_sdk("ecs:RegisterTaskDefinition", e))?;
    Ok(out.task_definition().and_then(|t| t.task_definition_arn()).unwrap_or_default().to_string())
}

/// The service's deployments, newest first (ListServiceDeployments + DescribeServiceDeployments).
pub async fn deployment_history(
    c: &Clients,
    cluster: &str,
    service: &str,
) -> Result<Vec<ServiceDeploymentInfo>, AwsError> {
    let out = c
        .ecs
        .list_service_deployments()
        .cluster(cluster)
        .service(service)
        .max_results(20)
        .send()
        .await
        .map_err(|e| from_sdk("ecs:ListServiceDeployments", e))?;
    let arns: Vec<String> =
        out.service_deployments().iter().filter_map(|d| d.service_deployment_arn().map(str::to_string)).collect();
    if arns.is_empty() {
        return Ok(Vec::new());
    }
    let details = c
        .ecs
        .describe_service_deployments()
        .set_service_deployment_arns(Some(arns.clone()))
        .send()
        .await
        .map_err(|e| from_sdk("ecs:DescribeServiceDeployments", e))?;
    let mut list: Vec<ServiceDeploymentInfo> = details
        .service_deployments()
        .iter()
        .map(|d| ServiceDeploymentInfo {
            arn: d.service_deployment_arn().unwrap_or_default().to_string(),
            status: d.status().map(|s| s.as_str().to_string()).unwrap_or_default(),
            status_reason: d.status_reason().map(str::to_string),
            target_revision: d.target_service_revision().and_then(|r| r.arn()).unwrap_or_default().to_string(),
            created_at_ms: ms(d.created_at()).unwrap_or(0),
            finished_at_ms: ms(d.finished_at()),
            rolled_back: d.rollback().is_some(),
        })
        .collect();
    list.sort_by_key(|d| std::cmp::Reverse(d.created_at_ms));
    for d in &mut list {
        d.status.sanitize_text();
        d.status_reason.sanitize_text();
    }
    Ok(list)
}

/// DescribeServiceRevisions: each revision's task definition and images with digests.
pub async fn revisions(c: &Clients, arns: &[String]) -> Result<Vec<RevisionInfo>, AwsError> {
    let out = c
        .ecs
        .describe_service_revisions()
        .set_service_revision_arns(Some(arns.to_vec()))
        .send()
        .await
        .map_err(|e| from_sdk("ecs:DescribeServiceRevisions", e))?;
    let mut list: Vec<RevisionInfo> = out
        .service_revisions()
        .iter()
        .map(|r| RevisionInfo {
            arn: r.service_revision_arn().unwrap_or_default().to_string(),
            task_definition: r.task_definition().unwrap_or_default().to_string(),
            images: r
                .container_images()
                .iter()
                .map(|i| RevisionImage {
                    container: i.container_name().unwrap_or_default().to_string(),
                    image: i.image().unwrap_or_default().to_string(),
                    digest: i.image_digest().map(str::to_string),
                })
                .collect(),
        })
        .collect();
    for r in &mut list {
        r.task_definition.sanitize_text();
        for i in &mut r.images {
            i.container.sanitize_text();
            i.image.sanitize_text();
            i.digest.sanitize_text();
        }
    }
    Ok(list)
}
