//! Scenario dynamics through the real SDK: the incident scenario's failing deployment rolled
//! back by the circuit breaker, its failing and missing warmers and grouped stopped tasks;
//! re-warming by RunTask aimed at a task's IP (idempotent by clientToken); StopTask replaced
//! by the scheduler; target health; several accounts at once; the large scenario's paging.

use aws_sdk_ecs::types::{
    AwsVpcConfiguration, ContainerOverride, DesiredStatus, KeyValuePair, NetworkConfiguration, TaskOverride,
};
use wpops_fixtures::sim::*;

async fn task_ips(ecs: &aws_sdk_ecs::Client) -> Vec<(String, String)> {
    let list = ecs.list_tasks().cluster("wp-prod").service_name("wordpress").send().await.unwrap();
    let tasks =
        ecs.describe_tasks().cluster("wp-prod").set_tasks(Some(list.task_arns().to_vec())).send().await.unwrap();
    tasks
        .tasks()
        .iter()
        .map(|t| {
            let ip = t.attachments()[0]
                .details()
                .iter()
                .find(|d| d.name() == Some("privateIPv4Address"))
                .and_then(|d| d.value())
                .unwrap_or("")
                .to_string();
            (t.task_arn().unwrap_or("").to_string(), ip)
        })
        .collect()
}

#[tokio::test]
async fn incident_deploy_fails_and_is_rolled_back_by_the_circuit_breaker() {
    let sim = sim("incident").await;
    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    ecs.update_service().cluster("wp-prod").service("wordpress").force_new_deployment(true).send().await.unwrap();
    let mut saw_failed = false;
    let mut rolled_back = false;
    for _ in 0..240 {
        sim.advance(secs(1));
        let s = ecs.describe_services().cluster("wp-prod").services("wordpress").send().await.unwrap();
        let svc = &s.services()[0];
        if svc.deployments().iter().any(|d| d.rollout_state().map(|r| r.as_str()) == Some("FAILED")) {
            saw_failed = true;
        }
        let history = ecs.list_service_deployments().cluster("wp-prod").service("wordpress").send().await.unwrap();
        if history.service_deployments()[0].status().map(|s| s.as_str()) == Some("ROLLBACK_SUCCESSFUL") {
            rolled_back = true;
            assert_eq!(svc.deployments().len(), 1);
            assert_eq!(svc.deployments()[0].rollout_state().map(|r| r.as_str()), Some("COMPLETED"));
            break;
        }
    }
    assert!(saw_failed, "the failing deployment shows FAILED");
    assert!(rolled_back, "the circuit breaker's rollback completes");
    let s = ecs.describe_services().cluster("wp-prod").services("wordpress").send().await.unwrap();
    let events: Vec<&str> = s.services()[0].events().iter().filter_map(|e| e.message()).collect();
    assert!(events.iter().any(|e| e.contains("deployment failed: tasks failed to start")));
    assert!(events.iter().any(|e| e.contains("rolling back to deployment")));
    assert!(events.iter().any(|e| e.contains("is unhealthy in (target-group")));
    let history = ecs.list_service_deployments().cluster("wp-prod").service("wordpress").send().await.unwrap();
    let arn = history.service_deployments()[0].service_deployment_arn().unwrap().to_string();
    let d = ecs.describe_service_deployments().service_deployment_arns(arn).send().await.unwrap();
    let d = &d.service_deployments()[0];
    assert!(d.rollback().is_some());
    let breaker = d.deployment_circuit_breaker().unwrap();
    assert!(breaker.failure_count() >= breaker.threshold());
    let stopped = ecs
        .list_tasks()
        .cluster("wp-prod")
        .service_name("wordpress")
        .desired_status(DesiredStatus::Stopped)
        .send()
        .await
        .unwrap();
    let stopped =
        ecs.describe_tasks().cluster("wp-prod").set_tasks(Some(stopped.task_arns().to_vec())).send().await.unwrap();
    assert!(
        stopped.tasks().iter().any(|t| t.stopped_reason().unwrap_or("").starts_with("Task failed ELB health checks"))
    );
}

#[tokio::test]
async fn incident_shows_failing_warmers_and_stopped_history() {
    let sim = sim("incident").await;
    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    let list = ecs.list_tasks().cluster("wp-prod").service_name("wordpress").send().await.unwrap();
    let tasks =
        ecs.describe_tasks().cluster("wp-prod").set_tasks(Some(list.task_arns().to_vec())).send().await.unwrap();
    let exits: Vec<Option<i32>> = tasks
        .tasks()
        .iter()
        .map(|t| t.containers().iter().find(|c| c.name() == Some("warmer")).and_then(|c| c.exit_code()))
        .collect();
    assert!(exits.contains(&Some(127)), "one warmer exits 127: {exits:?}");
    let stopped = ecs
        .list_tasks()
        .cluster("wp-prod")
        .service_name("wordpress")
        .desired_status(DesiredStatus::Stopped)
        .send()
        .await
        .unwrap();
    let stopped =
        ecs.describe_tasks().cluster("wp-prod").set_tasks(Some(stopped.task_arns().to_vec())).send().await.unwrap();
    let reasons: Vec<&str> = stopped.tasks().iter().filter_map(|t| t.stopped_reason()).collect();
    assert!(reasons.iter().any(|r| r.starts_with("CannotPullContainerError")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.starts_with("ResourceInitializationError")), "{reasons:?}");
    let oom =
        stopped.tasks().iter().find(|t| t.stop_code().map(|c| c.as_str()) == Some("EssentialContainerExited")).unwrap();
    let php = oom.containers().iter().find(|c| c.name() == Some("php-fpm")).unwrap();
    assert_eq!(php.exit_code(), Some(137));
}

fn warm_overrides(url: &str) -> TaskOverride {
    TaskOverride::builder()
        .container_overrides(
            ContainerOverride::builder()
                .name("warmer")
                .environment(KeyValuePair::builder().name("TARGET_URL").value(url).build())
                .command("curl")
                .command("-fsS")
                .command(url)
                .build(),
        )
        .build()
}

fn network() -> NetworkConfiguration {
    NetworkConfiguration::builder()
        .awsvpc_configuration(AwsVpcConfiguration::builder().subnets("subnet-0a11c0ffee0000001").build().unwrap())
        .build()
}

#[tokio::test]
async fn run_task_warms_the_target_once_per_client_token() {
    let sim = sim("default").await;
    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    let (_, ip) = task_ips(&ecs).await.remove(0);
    let url = format!("http://{ip}/opcache_warmer.php");
    let run = |token: &'static str| {
        ecs.run_task()
            .cluster("wp-prod")
            .task_definition("wordpress-warmer")
            .launch_type(aws_sdk_ecs::types::LaunchType::Fargate)
            .started_by("wpops-warm")
            .client_token(token)
            .overrides(warm_overrides(&url))
            .network_configuration(network())
            .send()
    };
    let first = run("warm-1").await.unwrap();
    let again = run("warm-1").await.unwrap();
    assert_eq!(first.tasks()[0].task_arn(), again.tasks()[0].task_arn(), "same clientToken, same task");
    let arn = first.tasks()[0].task_arn().unwrap().to_string();
    sim.advance(secs(40));
    let t = ecs.describe_tasks().cluster("wp-prod").tasks(&arn).send().await.unwrap();
    let t = &t.tasks()[0];
    assert_eq!(t.last_status(), Some("STOPPED"));
    assert_eq!(t.started_by(), Some("wpops-warm"));
    let warmer = &t.containers()[0];
    assert_eq!(warmer.exit_code(), Some(0));
    let listed = ecs
        .list_tasks()
        .cluster("wp-prod")
        .started_by("wpops-warm")
        .desired_status(DesiredStatus::Stopped)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.task_arns().len(), 1);
    // The second warm of an already-warm task reports everything unchanged.
    let id = arn.rsplit('/').next().unwrap().to_string();
    let report = sim.with_world("123456789012", REGION, |w| {
        let stream = format!("wp/warmer/{id}");
        w.logs.groups["/ecs/wordpress"].streams[&stream].events.last().map(|e| e.message.clone())
    });
    let report = report.unwrap();
    assert!(report.starts_with("success: 0 \tfailure: 0 \tno_change: 1834"), "{report}");
}

#[tokio::test]
async fn warming_an_address_without_a_task_exits_7() {
    let sim = sim("default").await;
    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    let out = ecs
        .run_task()
        .cluster("wp-prod")
        .task_definition("wordpress-warmer")
        .overrides(warm_overrides("http://10.0.9.9/opcache_warmer.php"))
        .network_configuration(network())
        .send()
        .await
        .unwrap();
    let arn = out.tasks()[0].task_arn().unwrap().to_string();
    sim.advance(secs(40));
    let t = ecs.describe_tasks().cluster("wp-prod").tasks(&arn).send().await.unwrap();
    assert_eq!(t.tasks()[0].containers()[0].exit_code(), Some(7));
}

#[tokio::test]
async fn stopped_task_is_replaced_and_target_health_follows() {
    let sim = sim("default").await;
    let cfg = config(&sim).await;
    let ecs = aws_sdk_ecs::Client::new(&cfg);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&cfg);
    let (arn, ip) = task_ips(&ecs).await.remove(0);
    ecs.stop_task().cluster("wp-prod").task(&arn).reason("wpops: replace task").send().await.unwrap();
    sim.advance(secs(2));
    let tg =
        elb.describe_target_groups().send().await.unwrap().target_groups()[0].target_group_arn().unwrap().to_string();
    let health = elb.describe_target_health().target_group_arn(&tg).send().await.unwrap();
    let state = |h: &aws_sdk_elasticloadbalancingv2::operation::describe_target_health::DescribeTargetHealthOutput,
                 ip: &str| {
        h.target_health_descriptions()
            .iter()
            .find(|d| d.target().and_then(|t| t.id()) == Some(ip))
            .and_then(|d| d.target_health())
            .and_then(|t| t.state())
            .map(|s| s.as_str().to_string())
    };
    assert_eq!(state(&health, &ip).as_deref(), Some("draining"));
    sim.advance(secs(7));
    let health = elb.describe_target_health().target_group_arn(&tg).send().await.unwrap();
    assert!(
        health.target_health_descriptions().iter().any(|d| d
            .target_health()
            .and_then(|t| t.state())
            .map(|s| s.as_str())
            == Some("initial"))
    );
    sim.advance(secs(50));
    let now = task_ips(&ecs).await;
    assert_eq!(now.len(), 3);
    assert!(now.iter().all(|(a, _)| *a != arn));
    let t = ecs.describe_tasks().cluster("wp-prod").tasks(&arn).send().await.unwrap();
    assert_eq!(t.tasks()[0].stopped_reason(), Some("wpops: replace task"));
    assert_eq!(t.tasks()[0].stop_code().map(|c| c.as_str()), Some("UserInitiated"));
    let health = elb.describe_target_health().target_group_arn(&tg).send().await.unwrap();
    assert_eq!(health.target_health_descriptions().len(), 3);
    assert!(state(&health, &ip).is_none());
}

#[tokio::test]
async fn accounts_are_separate_worlds() {
    let sim = sim("default").await;
    let a = aws_sdk_ecs::Client::new(&config_for(&sim, "AKID111111111111", false).await);
    let b = aws_sdk_ecs::Client::new(&config_for(&sim, "AKID222222222222", false).await);
    a.update_service().cluster("wp-prod").service("wordpress").force_new_deployment(true).send().await.unwrap();
    let sa = a.describe_services().cluster("wp-prod").services("wordpress").send().await.unwrap();
    let sb = b.describe_services().cluster("wp-prod").services("wordpress").send().await.unwrap();
    assert_eq!(sa.services()[0].deployments().len(), 2);
    assert_eq!(sb.services()[0].deployments().len(), 1);
    assert!(sb.services()[0].service_arn().unwrap().contains(":222222222222:"));
    let sts = aws_sdk_sts::Client::new(&config_for(&sim, "AKID111111111111", false).await);
    assert_eq!(sts.get_caller_identity().send().await.unwrap().account(), Some("111111111111"));
}

#[tokio::test]
async fn large_cluster_lists_two_thousand_services_in_pages() {
    let sim = sim("large").await;
    // Build the large world first, as the cli tests of this scenario do: with the other sim tests
    // running beside it on a busy machine, building 2,000 services inside the first request
    // could outlast the client's 10 s attempt timeout, which is not what this test is about.
    sim.with_world(&wpops::sim::account_of(KEY), REGION, |_| ());
    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    let mut pages = ecs.list_services().cluster("wp-fleet").max_results(100).into_paginator().send();
    let mut all = Vec::new();
    let mut n = 0;
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        n += 1;
        all.extend(page.service_arns().iter().cloned());
    }
    assert_eq!(all.len(), 2000);
    assert_eq!(n, 20);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 2000);
    let tasks = ecs.list_tasks().cluster("wp-prod").service_name("wordpress").into_paginator().send();
    let arns: Vec<String> =
        tasks.collect::<Vec<_>>().await.into_iter().flat_map(|p| p.unwrap().task_arns().to_vec()).collect();
    assert_eq!(arns.len(), 150);
}
