//! ECS reads: the service, its task ARNs (running or stopped, paged), tasks in batches of 100,
//! task definitions and a cluster's services — mapped to `model` values and sanitised where
//! the text enters.

use aws_sdk_ecs::types as sdk;

use super::Clients;
use super::error::{AwsError, AwsErrorKind, from_sdk};
use crate::model::{self, SanitizeText};

fn ms(t: Option<&aws_smithy_types::DateTime>) -> Option<i64> {
    t.and_then(|d| d.to_millis().ok())
}

/// DescribeServices for one service.
/// Where the calls go, for a not-found error: the region, and the profile when one is named.
fn where_(c: &Clients) -> String {
    match &c.profile {
        Some(p) => format!("region {}, profile {p}", c.region),
        None => format!("region {}", c.region),
    }
}

/// A cluster that does not exist is named, with where it was looked for (ECS says only
/// "Cluster not found.").
fn naming_cluster(e: AwsError, c: &Clients, cluster: &str) -> AwsError {
    if e.kind == AwsErrorKind::NotFound && e.code.as_deref() == Some("ClusterNotFoundException") {
        return AwsError { message: format!("cluster {cluster:?} not found ({})", where_(c)), ..e };
    }
    e
}

/// The same for a service that does not exist in the cluster.
fn naming_service(e: AwsError, c: &Clients, cluster: &str, service: &str) -> AwsError {
    if e.kind == AwsErrorKind::NotFound && e.code.as_deref() == Some("ServiceNotFoundException") {
        let message = format!("service {service:?} not found in cluster {cluster:?} ({})", where_(c));
        return AwsError { message, ..e };
    }
    naming_cluster(e, c, cluster)
}

pub async fn describe_service(c: &Clients, cluster: &str, service: &str) -> Result<model::Service, AwsError> {
    let out = c
        .ecs
        .describe_services()
        .cluster(cluster)
        .services(service)
        .send()
        .await
        .map_err(|e| naming_cluster(from_sdk("ecs:DescribeServices", e), c, cluster))?;
    let Some(svc) = out.services().first() else {
        return Err(AwsError::new(
            AwsErrorKind::NotFound,
            "ecs:DescribeServices",
            format!("service {service:?} not found in cluster {cluster:?} ({})", where_(c)),
        ));
    };
    let mut s = service_from(cluster, svc);
    s.sanitize_text();
    Ok(s)
}

pub(crate) fn service_from(cluster: &str, s: &sdk::Service) -> model::Service {
    let net = s.network_configuration().and_then(|n| n.awsvpc_configuration());
    model::Service {
        name: s.service_name().unwrap_or_default().to_string(),
        arn: s.service_arn().unwrap_or_default().to_string(),
        cluster: cluster.to_string(),
        status: s.status().unwrap_or_default().to_string(),
        desired: s.desired_count().max(0) as u32,
        running: s.running_count().max(0) as u32,
        pending: s.pending_count().max(0) as u32,
        task_definition: s.task_definition().unwrap_or_default().into(),
        deployments: s.deployments().iter().map(deployment_from).collect(),
        events: s
            .events()
            .iter()
            .map(|e| model::ServiceEvent {
                id: e.id().unwrap_or_default().to_string(),
                at_ms: ms(e.created_at()).unwrap_or(0),
                message: e.message().unwrap_or_default().to_string(),
            })
            .collect(),
        target_groups: s.load_balancers().iter().filter_map(|l| l.target_group_arn().map(str::to_string)).collect(),
        subnets: net.map(|n| n.subnets().to_vec()).unwrap_or_default(),
        security_groups: net.map(|n| n.security_groups().to_vec()).unwrap_or_default(),
        assign_public_ip: net.map(|n| n.assign_public_ip() == Some(&sdk::AssignPublicIp::Enabled)),
    }
}

fn deployment_from(d: &sdk::Deployment) -> model::Deployment {
    model::Deployment {
        id: d.id().unwrap_or_default().to_string(),
        status: model::DeploymentStatus::parse(d.status().unwrap_or_default()),
        task_definition: d.task_definition().unwrap_or_default().into(),
        desired: d.desired_count().max(0) as u32,
        running: d.running_count().max(0) as u32,
        pending: d.pending_count().max(0) as u32,
        failed_tasks: d.failed_tasks().max(0) as u32,
        rollout: model::RolloutState::parse(d.rollout_state().map(|r| r.as_str()).unwrap_or("")),
        rollout_reason: d.rollout_state_reason().map(str::to_string),
        created_at_ms: ms(d.created_at()).unwrap_or(0),
        updated_at_ms: ms(d.updated_at()).unwrap_or(0),
    }
}

/// Every task ARN of the service with the given desired status (`RUNNING` or `STOPPED`).
pub async fn list_task_arns(c: &Clients, cluster: &str, service: &str, stopped: bool) -> Result<Vec<String>, AwsError> {
    let status = if stopped { sdk::DesiredStatus::Stopped } else { sdk::DesiredStatus::Running };
    let mut arns = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = c
            .ecs
            .list_tasks()
            .cluster(cluster)
            .service_name(service)
            .desired_status(status.clone())
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| naming_service(from_sdk("ecs:ListTasks", e), c, cluster, service))?;
        arns.extend(out.task_arns().iter().cloned());
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(arns),
        }
    }
}

/// DescribeTasks in batches of 100 (the API's limit).
pub async fn describe_tasks(c: &Clients, cluster: &str, arns: &[String]) -> Result<Vec<model::Task>, AwsError> {
    let mut tasks = Vec::with_capacity(arns.len());
    for batch in arns.chunks(100) {
        let out = c
            .ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(batch.to_vec()))
            .send()
            .await
            .map_err(|e| naming_cluster(from_sdk("ecs:DescribeTasks", e), c, cluster))?;
        for t in out.tasks() {
            let mut task = task_from(t);
            task.sanitize_text();
            tasks.push(task);
        }
    }
    Ok(tasks)
}

fn task_from(t: &sdk::Task) -> model::Task {
    let arn = t.task_arn().unwrap_or_default().to_string();
    let td = t.task_definition_arn().unwrap_or_default().to_string();
    let ip = t
        .attachments()
        .iter()
        .flat_map(|a| a.details())
        .find(|d| d.name() == Some("privateIPv4Address"))
        .and_then(|d| d.value())
        .map(str::to_string)
        .or_else(|| {
            t.containers()
                .iter()
                .flat_map(|c| c.network_interfaces())
                .find_map(|n| n.private_ipv4_address())
                .map(str::to_string)
        });
    model::Task {
        id: model::short_task_id(&arn).into(),
        revision: model::task_definition_revision(&td).map(|(_, r)| r).unwrap_or(0),
        arn,
        task_definition: td.into(),
        last_status: model::LastStatus::parse(t.last_status().unwrap_or_default()),
        desired_status: model::LastStatus::parse(t.desired_status().unwrap_or_default()),
        health: model::Health::parse(t.health_status().map(|h| h.as_str()).unwrap_or("UNKNOWN")),
        az: t.availability_zone().unwrap_or_default().to_string(),
        private_ip: ip,
        started_at_ms: ms(t.started_at()),
        stopping_at_ms: ms(t.stopping_at()),
        stopped_at_ms: ms(t.stopped_at()),
        stopped_reason: t.stopped_reason().map(str::to_string),
        stop_code: t.stop_code().map(|c| c.as_str().to_string()),
        started_by: t.started_by().map(str::to_string),
        group: t.group().map(str::to_string),
        from_logs: false,
        containers: t
            .containers()
            .iter()
            .map(|c| {
                let name = c.name().unwrap_or_default().to_string();
                model::Container {
                    role: model::ContainerRole::from_container_name(&name),
                    name,
                    last_status: model::LastStatus::parse(c.last_status().unwrap_or_default()),
                    exit_code: c.exit_code(),
                    reason: c.reason().map(str::to_string),
                    health: model::Health::parse(c.health_status().map(|h| h.as_str()).unwrap_or("UNKNOWN")),
                    image: c.image().unwrap_or_default().to_string(),
                    image_digest: c.image_digest().map(str::to_string),
                    no_log_stream: false,
                }
            })
            .collect(),
    }
}

/// DescribeTaskDefinition.
pub async fn describe_task_definition(c: &Clients, arn: &str) -> Result<model::TaskDefinition, AwsError> {
    let out = c
        .ecs
        .describe_task_definition()
        .task_definition(arn)
        .send()
        .await
        .map_err(|e| from_sdk("ecs:DescribeTaskDefinition", e))?;
    let td = out.task_definition().ok_or_else(|| {
        AwsError::new(AwsErrorKind::NotFound, "ecs:DescribeTaskDefinition", format!("no task definition {arn}"))
    })?;
    let mut def = task_definition_from(td);
    def.sanitize_text();
    Ok(def)
}

fn task_definition_from(td: &sdk::TaskDefinition) -> model::TaskDefinition {
    model::TaskDefinition {
        arn: td.task_definition_arn().unwrap_or_default().into(),
        family: td.family().unwrap_or_default().to_string(),
        revision: td.revision().max(0) as u32,
        containers: td
            .container_definitions()
            .iter()
            .map(|c| {
                let name = c.name().unwrap_or_default().to_string();
                let opts = c.log_configuration().and_then(|l| l.options());
                let strings = |v: &[String]| v.to_vec();
                model::ContainerDef {
                    log_driver: c.log_configuration().map(|l| l.log_driver().as_str().to_string()),
                    log_mode: opts.and_then(|o| o.get("mode")).cloned(),
                    // Names only: a value is looked at for whether it looks like a secret, then dropped.
                    environment: c
                        .environment()
                        .iter()
                        .map(|kv| model::EnvVar::new(kv.name().unwrap_or_default(), kv.value().unwrap_or_default()))
                        .collect(),
                    secrets: c.secrets().iter().map(|s| s.name().to_string()).collect(),
                    privileged: c.privileged().unwrap_or(false),
                    command: strings(c.command()),
                    entry_point: strings(c.entry_point()),
                    memory_mib: c.memory(),
                    memory_reservation_mib: c.memory_reservation(),
                    role: model::ContainerRole::from_container_name(&name),
                    name,
                    image: c.image().unwrap_or_default().to_string(),
                    essential: c.essential().unwrap_or(true),
                    readonly_root: c.readonly_root_filesystem().unwrap_or(false),
                    depends_on: c
                        .depends_on()
                        .iter()
                        .map(|d| model::DependsOn {
                            container: d.container_name().to_string(),
                            condition: d.condition().as_str().to_string(),
                        })
                        .collect(),
                    log_group: opts.and_then(|o| o.get("awslogs-group")).cloned(),
                    log_stream_prefix: opts.and_then(|o| o.get("awslogs-stream-prefix")).cloned(),
                    mount_points: c
                        .mount_points()
                        .iter()
                        .map(|m| model::MountPoint {
                            source_volume: m.source_volume().unwrap_or_default().to_string(),
                            container_path: m.container_path().unwrap_or_default().to_string(),
                            read_only: m.read_only().unwrap_or(false),
                        })
                        .collect(),
                }
            })
            .collect(),
        cpu: td.cpu().map(str::to_string),
        memory: td.memory().map(str::to_string),
        execution_role: td.execution_role_arn().map(str::to_string),
        task_role: td.task_role_arn().map(str::to_string),
        network_mode: td.network_mode().map(|n| n.as_str().to_string()),
        volumes: td
            .volumes()
            .iter()
            .map(|v| model::Volume {
                name: v.name().unwrap_or_default().to_string(),
                efs_file_system_id: v.efs_volume_configuration().map(|e| e.file_system_id().to_string()),
                efs_root_directory: v.efs_volume_configuration().and_then(|e| e.root_directory()).map(str::to_string),
                efs_transit_encryption: v
                    .efs_volume_configuration()
                    .is_some_and(|e| e.transit_encryption() == Some(&sdk::EfsTransitEncryption::Enabled)),
            })
            .collect(),
    }
}

/// Every service ARN of a cluster, paged 100 at a time.
pub async fn list_services(c: &Clients, cluster: &str) -> Result<Vec<String>, AwsError> {
    let mut arns = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = c
            .ecs
            .list_services()
            .cluster(cluster)
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| naming_cluster(from_sdk("ecs:ListServices", e), c, cluster))?;
        arns.extend(out.service_arns().iter().cloned());
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(arns),
        }
    }
}
