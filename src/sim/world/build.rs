//! Builds a region's world from a scenario: task definitions, services with their deployment
//! history, tasks that have been running for a while (warmed, with their warmer logs), the load
//! balancer, the web ACL, and three hours of metric history.

use super::{EfsState, RegionWorld};
use crate::sim::ecs::lifecycle;
use crate::sim::ecs::taskdefs;
use crate::sim::ecs::types::*;
use crate::sim::elb::{LoadBalancer, TargetGroup};
use crate::sim::history::{self, Past, PastTask, Role, deployment};
use crate::sim::scenario::{ClusterSpec, ServiceSpec};
use crate::sim::waf::{WafRule, WebAcl};

/// The four managed rule groups of the seed, with the rule names used in their metrics.
pub const MANAGED_GROUPS: [(&str, &str); 4] = [
    ("AWSManagedRulesWordPressRuleSet", "AWS-AWSManagedRulesWordPressRuleSet"),
    ("AWSManagedRulesPHPRuleSet", "AWS-AWSManagedRulesPHPRuleSet"),
    ("AWSManagedRulesSQLiRuleSet", "AWS-AWSManagedRulesSQLiRuleSet"),
    ("AWSManagedRulesCommonRuleSet", "AWS-AWSManagedRulesCommonRuleSet"),
];

pub(super) fn populate(w: &mut RegionWorld, now_ms: i64) {
    let scenario = w.scenario.clone();
    let log_history_ms = scenario.traffic.log_history_minutes * 60_000;
    // Minute-aligned, so that the synthesized minutes before it and the detailed seconds after it
    // never share a minute (which would count that minute's requests twice).
    let start = (now_ms - log_history_ms).div_euclid(60_000) * 60_000;
    let history_from = now_ms - scenario.traffic.history_minutes * 60_000;
    w.now_ms = start;
    let mut past = Past::default();
    for spec in &scenario.clusters {
        add_cluster(w, &mut past, spec, now_ms);
    }
    crate::sim::traffic::synthesize_history(w, history_from, start);
    w.advance_to(now_ms);
    // Last, so that the lines of the past change nothing else of the world.
    history::task_logs::write(w, &past.tasks, history_from, start);
}

fn add_cluster(w: &mut RegionWorld, past: &mut Past, spec: &ClusterSpec, now_ms: i64) {
    let arn = w.arn("ecs", &format!("cluster/{}", spec.name));
    w.clusters.insert(spec.name.clone(), Cluster { name: spec.name.clone(), arn, ..Cluster::default() });
    for svc in &spec.services {
        add_wordpress_service(w, past, &spec.name, svc, now_ms);
    }
    if spec.filler_services > 0 {
        add_fillers(w, &spec.name, spec.filler_services, now_ms);
    }
}

fn add_wordpress_service(w: &mut RegionWorld, past: &mut Past, cluster: &str, spec: &ServiceSpec, now_ms: i64) {
    let day = 86_400_000;
    let deployed_at = now_ms - spec.task_age_minutes * 60_000;
    // Revisions: earlier ones deployed a few days apart, the current one at `deployed_at`,
    // undeployed ones registered by a pipeline after it.
    let mut deployed: Vec<(i32, i64)> = spec
        .earlier_revisions
        .iter()
        .enumerate()
        .map(|(i, rev)| (*rev, deployed_at - (spec.earlier_revisions.len() - i) as i64 * 3 * day))
        .collect();
    deployed.push((spec.revision, deployed_at));
    add_repositories(w, spec, deployed_at - 60 * day);
    for (rev, at) in &deployed {
        taskdefs::register_wordpress(w, spec, *rev, at - 600_000);
    }
    for rev in &spec.undeployed_revisions {
        taskdefs::register_wordpress(w, spec, *rev, now_ms - 1_800_000);
    }
    if w.latest_task_def(&spec.warmer_family).is_none() {
        taskdefs::register_warmer(w, spec, deployed_at - day);
    }
    let current_td =
        w.find_task_def(&format!("{}:{}", spec.family, spec.revision)).map(|t| t.arn.clone()).unwrap_or_default();

    let (lb_arn, tg_arn) = add_load_balancer(w, cluster, spec, deployed_at - 30 * day);
    add_web_acl(w, spec, &lb_arn);
    w.efs.push(EfsState { id: spec.efs.clone(), burst_credits: 2.1e12, io_percent: 3.0 });

    let service_arn = w.arn("ecs", &format!("service/{cluster}/{}", spec.name));
    let cluster_arn = w.arn("ecs", &format!("cluster/{cluster}"));
    let mut service = Service {
        name: spec.name.clone(),
        arn: service_arn,
        cluster_arn,
        desired: spec.desired,
        task_def: current_td.clone(),
        created_at_ms: deployed_at - 90 * day,
        min_healthy_percent: 100,
        max_percent: 200,
        circuit_breaker: true,
        rollback: true,
        deployments: Vec::new(),
        records: Vec::new(),
        revisions: Vec::new(),
        events: Vec::new(),
        target_group_arn: Some(tg_arn),
        subnets: vec!["subnet-0a11c0ffee0000001".into(), "subnet-0c33c0ffee0000003".into()],
        security_groups: vec!["sg-0wordpress00000001".into()],
        assign_public_ip: spec.posture.public_ip,
        serves_traffic: true,
        steady: true,
    };
    // The deployment history: each revision replaced the previous one and completed.
    let mut previous: Option<String> = None;
    let mut replaced: Option<deployment::Previous> = None;
    for (rev, at) in &deployed {
        let td = w.find_task_def(&format!("{}:{}", spec.family, rev)).map(|t| t.arn.clone()).unwrap_or_default();
        let dep =
            crate::sim::ecs::scheduler::record_deployment(w, &mut service, cluster, &td, previous.as_deref(), *at);
        let record = service.records.last_mut();
        if let Some(r) = record {
            r.status = "SUCCESSFUL".into();
            r.finished_at_ms = Some(at + 240_000);
        }
        if *at == deployed_at {
            replaced = service
                .deployments
                .first()
                .map(|d| deployment::Previous { deployment_id: d.id.clone(), task_def: d.task_def.clone() });
        }
        service.deployments = vec![Deployment {
            rollout: Rollout::Completed,
            rollout_reason: "ECS deployment ecs-svc completed.".into(),
            updated_at_ms: at + 240_000,
            ..dep
        }];
        previous = Some(td);
    }
    if let Some(before) = &replaced {
        add_past(w, past, cluster, spec, &mut service, before, deployed_at, now_ms);
    }
    if let Some(d) = service.deployments.first_mut() {
        d.rollout_reason = format!("ECS deployment {} completed.", d.id);
    }
    let dep_id = service.deployments.first().map(|d| d.id.clone()).unwrap_or_default();
    push_event(
        w,
        &mut service,
        deployed_at + 240_000,
        format!("(service {}) ({}) deployment completed.", spec.name, dep_id),
    );
    push_event(w, &mut service, deployed_at + 245_000, format!("(service {}) has reached a steady state.", spec.name));
    if spec.next_deploy_fails {
        w.failing_next_deploy.push((cluster.to_string(), spec.name.clone()));
    }
    let service_name = spec.name.clone();
    let desired = spec.desired;
    w.clusters.get_mut(cluster).map(|c| c.services.insert(service_name.clone(), service));

    // Running tasks, started when the current deployment rolled out.
    for i in 0..desired {
        let warmer = spec.initial_warmers.get(i as usize).copied().unwrap_or([0, 0]);
        let started = deployed_at + 8_000 + (i as i64 % 7) * 1_500;
        lifecycle::spawn_running(
            w,
            cluster,
            &service_name,
            &current_td,
            &dep_id,
            started,
            warmer[0] as i32,
            warmer[1] as u32,
        );
    }
    if w.scenario.traffic.full_log_history {
        let tasks = w.clusters.get(cluster).map(|c| c.tasks.values()).into_iter().flatten();
        let current = tasks.filter(|t| t.deployment.as_deref() == Some(dep_id.as_str()) && t.desired_running);
        let running: Vec<PastTask> = current
            .map(|t| PastTask {
                id: t.id.clone(),
                task_def: t.task_def.clone(),
                started_ms: t.started_at_ms.unwrap_or(deployed_at),
                stopped_ms: None,
                role: Role::Served,
                alb_ip: history::alb_ip_for(&t.ip),
                cold: t.php_files > 0 && t.opcache_cached * 2 < t.php_files,
                current_deploy_ms: deployed_at,
            })
            .collect();
        past.tasks.extend(running);
    }
    for (i, kind) in spec.stopped_history.iter().enumerate() {
        let at = now_ms - (52 - 9 * i as i64) * 60_000;
        lifecycle::spawn_stopped(w, cluster, &service_name, &current_td, &dep_id, at, kind);
    }
}

/// The service's past before its current deployment (`sim::history`): the failed first attempt
/// at the current revision and its rollback, when the scenario has one, and the tasks of the
/// deployment the current one replaced, when every task's lines are written.
#[allow(clippy::too_many_arguments)]
fn add_past(
    w: &RegionWorld,
    past: &mut Past,
    cluster: &str,
    spec: &ServiceSpec,
    service: &mut Service,
    before: &deployment::Previous,
    deployed_at: i64,
    now_ms: i64,
) {
    let timing = &w.scenario.timing;
    let draining_ms = (timing.draining * 1000.0) as i64;
    let history_from = now_ms - w.scenario.traffic.history_minutes * 60_000;
    let tg = service.target_group_arn.clone().unwrap_or_default();
    let current_td = service.task_def.clone();
    // A failed attempt after the current deployment is no past of it: it is ignored.
    if let Some(at) = spec.failed_deploy_minutes.map(|m| now_ms + m * 60_000).filter(|at| *at < deployed_at - 600_000) {
        let attempt = deployment::Attempt {
            cluster,
            target_task_def: &current_td,
            target_group: &tg,
            at_ms: at,
            draining_ms,
            stopping_ms: ((timing.stopping + timing.deprovisioning) * 1000.0) as i64,
            current_deploy_ms: deployed_at,
        };
        deployment::failed(w, past, service, before, &attempt);
    }
    if w.scenario.traffic.full_log_history {
        // The replaced tasks drain once the new ones are healthy, about a minute in.
        let stopped = deployed_at + 60_000 + draining_ms;
        deployment::replaced_tasks(
            past,
            &before.task_def,
            service.desired,
            history_from - 86_400_000,
            stopped,
            deployed_at,
        );
    }
}

fn add_load_balancer(w: &mut RegionWorld, cluster: &str, spec: &ServiceSpec, at: i64) -> (String, String) {
    let lb_id = w.ids.hex(&spec.load_balancer, 16);
    let tg_id = w.ids.hex(&spec.target_group, 16);
    let lb_arn = w.arn("elasticloadbalancing", &format!("loadbalancer/app/{}/{lb_id}", spec.load_balancer));
    let tg_arn = w.arn("elasticloadbalancing", &format!("targetgroup/{}/{tg_id}", spec.target_group));
    let dns = format!("{}-{}.{}.elb.amazonaws.com", spec.load_balancer, &lb_id[..10], w.region);
    w.elb.load_balancers.push(LoadBalancer {
        name: spec.load_balancer.clone(),
        arn: lb_arn.clone(),
        dns_name: dns,
        created_ms: at,
        zones: crate::sim::elb::ZONE_SUBNETS
            .iter()
            .map(|(zone, subnet, _)| (format!("{}{zone}", w.region), subnet.to_string()))
            .collect(),
        security_groups: vec![format!("sg-0{}alb", &lb_id[..13])],
    });
    w.elb.target_groups.push(TargetGroup {
        name: spec.target_group.clone(),
        arn: tg_arn.clone(),
        load_balancer_arn: lb_arn.clone(),
        port: 80,
        health_check_path: "/".into(),
        cluster: cluster.to_string(),
        service: spec.name.clone(),
    });
    (lb_arn, tg_arn)
}

fn add_web_acl(w: &mut RegionWorld, spec: &ServiceSpec, lb_arn: &str) {
    if let Some(acl) = w.waf.acls.iter_mut().find(|a| a.name == spec.web_acl) {
        acl.resources.push(lb_arn.to_string());
        return;
    }
    let id = w.ids.uuid(&spec.web_acl);
    let arn = w.arn("wafv2", &format!("regional/webacl/{}/{id}", spec.web_acl));
    let rules = MANAGED_GROUPS
        .iter()
        .enumerate()
        .map(|(i, (group, metric))| WafRule {
            name: metric.to_string(),
            priority: i as i32,
            vendor: "AWS".into(),
            group_name: group.to_string(),
            metric_name: metric.to_string(),
            sampled: true,
            counts_only: spec.posture.waf_count_groups.iter().any(|g| g == group),
            rules_in_count: Vec::new(),
        })
        .collect();
    let lock_token = w.ids.uuid("lock");
    w.waf.acls.push(WebAcl {
        name: spec.web_acl.clone(),
        id,
        arn,
        metric_name: spec.web_acl.replace('-', ""),
        rules,
        resources: vec![lb_arn.to_string()],
        lock_token,
        logging: spec.posture.waf_logging,
    });
}

fn add_fillers(w: &mut RegionWorld, cluster: &str, count: u32, now_ms: i64) {
    let td = taskdefs::register_static_site(w, now_ms - 30 * 86_400_000);
    let cluster_arn = w.arn("ecs", &format!("cluster/{cluster}"));
    for i in 0..count {
        let name = format!("site-{:04}", i + 1);
        let arn = w.arn("ecs", &format!("service/{cluster}/{name}"));
        let mut service = Service {
            name: name.clone(),
            arn,
            cluster_arn: cluster_arn.clone(),
            desired: 1,
            task_def: td.clone(),
            created_at_ms: now_ms - 20 * 86_400_000,
            min_healthy_percent: 100,
            max_percent: 200,
            circuit_breaker: true,
            rollback: true,
            deployments: Vec::new(),
            records: Vec::new(),
            revisions: Vec::new(),
            events: Vec::new(),
            target_group_arn: None,
            subnets: vec!["subnet-0a11c0ffee0000001".into()],
            security_groups: vec!["sg-0static000000001".into()],
            assign_public_ip: false,
            serves_traffic: false,
            steady: true,
        };
        let at = now_ms - 10 * 86_400_000;
        let dep = crate::sim::ecs::scheduler::record_deployment(w, &mut service, cluster, &td, None, at);
        if let Some(r) = service.records.last_mut() {
            r.status = "SUCCESSFUL".into();
            r.finished_at_ms = Some(at + 120_000);
        }
        service.deployments = vec![Deployment {
            rollout: Rollout::Completed,
            rollout_reason: format!("ECS deployment {} completed.", dep.id),
            ..dep.clone()
        }];
        w.clusters.get_mut(cluster).map(|c| c.services.insert(name.clone(), service));
        lifecycle::spawn_running(w, cluster, &name, &td, &dep.id, at + 30_000, 0, 0);
    }
}

/// Prepends a service event (events are kept newest first, at most 100).
pub fn push_event(w: &mut RegionWorld, service: &mut Service, at_ms: i64, message: String) {
    let id = w.ids.uuid("event");
    service.events.insert(0, ServiceEvent { id, at_ms, message });
    service.events.truncate(100);
}

/// The ECR repositories of the seed's images: the family's (nginx and php-fpm, mutable tags as
/// the seed pushes `:php-latest`, unless the scenario says otherwise) and the warmer's.
fn add_repositories(w: &mut RegionWorld, spec: &ServiceSpec, at_ms: i64) {
    let p = &spec.posture;
    w.ecr.findings.extend(p.image_findings.iter().map(|(k, v)| (k.clone(), *v)));
    let (account, region) = (w.account.clone(), w.region.clone());
    for (name, immutable) in [(spec.family.as_str(), !p.mutable_tags), ("wordpress-warmer", true)] {
        let scans = !p.unscanned_repositories.iter().any(|r| r == name);
        w.ecr.add_repo(&account, &region, name, scans, immutable, at_ms);
    }
}
