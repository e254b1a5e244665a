//! The simulated ECS through the real aws-sdk-ecs client: reads, a forced redeploy followed to
//! COMPLETED with its events in order, warmers that stop with exit 0 and a report, RunTask
//! idempotency, task size and overrides from the task definition and RunTask, StopTask
//! replacement, and AWS-shaped errors.

use aws_sdk_ecs::types::DesiredStatus;
use wpops_fixtures::sim::*;

#[tokio::test]
async fn describe_services_shows_the_seed_service() {
    let sim = sim("default").await;
    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    let clusters = ecs.list_clusters().send().await.unwrap();
    assert_eq!(clusters.cluster_arns().len(), 1);
    assert!(clusters.cluster_arns()[0].ends_with(":cluster/wp-prod"));
    assert!(clusters.cluster_arns()[0].contains(":123456789012:"), "account from the key");

    let out = ecs.describe_services().cluster("wp-prod").services("wordpress").send().await.unwrap();
    let svc = &out.services()[0];
    assert_eq!(svc.service_name(), Some("wordpress"));
    assert_eq!(svc.desired_count(), 3);
    assert_eq!(svc.running_count(), 3);
    assert_eq!(svc.deployments().len(), 1);
    let d = &svc.deployments()[0];
    assert_eq!(d.status(), Some("PRIMARY"));
    assert_eq!(d.rollout_state().map(|r| r.as_str()), Some("COMPLETED"));
    assert!(svc.task_definition().unwrap().ends_with("task-definition/wordpress:42"));
    assert!(svc.events().iter().any(|e| { e.message().unwrap_or("").contains("has reached a steady state") }));
}

#[tokio::test]
async fn running_tasks_show_warmers_stopped_with_exit_zero() {
    let sim = sim("default").await;
    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    let list = ecs.list_tasks().cluster("wp-prod").service_name("wordpress").send().await.unwrap();
    assert_eq!(list.task_arns().len(), 3);
    let tasks =
        ecs.describe_tasks().cluster("wp-prod").set_tasks(Some(list.task_arns().to_vec())).send().await.unwrap();
    for t in tasks.tasks() {
        assert_eq!(t.last_status(), Some("RUNNING"));
        assert!(t.started_at().is_some());
        let ip = t.attachments()[0]
            .details()
            .iter()
            .find(|d| d.name() == Some("privateIPv4Address"))
            .and_then(|d| d.value());
        assert!(ip.unwrap().starts_with("10.0."));
        let warmer = t.containers().iter().find(|c| c.name() == Some("warmer")).unwrap();
        assert_eq!(warmer.last_status(), Some("STOPPED"));
        assert_eq!(warmer.exit_code(), Some(0));
        let nginx = t.containers().iter().find(|c| c.name() == Some("nginx")).unwrap();
        assert_eq!(nginx.health_status().map(|h| h.as_str()), Some("HEALTHY"));
        assert!(nginx.image_digest().unwrap().starts_with("sha256:"));
    }
}

#[tokio::test]
async fn forced_redeploy_completes_with_events_in_order() {
    let sim = sim("default").await;
    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    let before =
        ecs.list_tasks().cluster("wp-prod").service_name("wordpress").send().await.unwrap().task_arns().to_vec();
    let out =
        ecs.update_service().cluster("wp-prod").service("wordpress").force_new_deployment(true).send().await.unwrap();
    let svc = out.service().unwrap();
    assert_eq!(svc.deployments().len(), 2);
    assert_eq!(svc.deployments()[0].rollout_state().map(|r| r.as_str()), Some("IN_PROGRESS"));
    let new_id = svc.deployments()[0].id().unwrap().to_string();

    let mut completed = false;
    for _ in 0..120 {
        sim.advance(secs(1));
        let s = ecs.describe_services().cluster("wp-prod").services("wordpress").send().await.unwrap();
        let svc = &s.services()[0];
        let primary = &svc.deployments()[0];
        assert_eq!(primary.id(), Some(new_id.as_str()));
        if primary.rollout_state().map(|r| r.as_str()) == Some("COMPLETED") {
            assert_eq!(svc.deployments().len(), 1);
            assert_eq!(svc.running_count(), 3);
            completed = true;
            break;
        }
    }
    assert!(completed, "the redeploy completes within two virtual minutes");
    let s = ecs.describe_services().cluster("wp-prod").services("wordpress").send().await.unwrap();
    let events: Vec<String> =
        s.services()[0].events().iter().rev().map(|e| e.message().unwrap_or("").to_string()).collect();
    let pos = |needle: &str| {
        events.iter().rposition(|e| e.contains(needle)).unwrap_or_else(|| panic!("no event {needle:?} in {events:#?}"))
    };
    assert!(pos("has started") < pos("has begun draining"));
    assert!(pos("has begun draining") < pos("deployment completed"));
    assert!(pos("deployment completed") < pos("has reached a steady state"));

    let after =
        ecs.list_tasks().cluster("wp-prod").service_name("wordpress").send().await.unwrap().task_arns().to_vec();
    assert_eq!(after.len(), 3);
    assert!(after.iter().all(|a| !before.contains(a)), "all tasks replaced");
    let tasks = ecs.describe_tasks().cluster("wp-prod").set_tasks(Some(after)).send().await.unwrap();
    sim.advance(secs(20));
    for t in tasks.tasks() {
        let _ = t;
    }
    let stopped = ecs
        .list_tasks()
        .cluster("wp-prod")
        .service_name("wordpress")
        .desired_status(DesiredStatus::Stopped)
        .send()
        .await
        .unwrap();
    assert!(before.iter().all(|a| stopped.task_arns().contains(a)), "old tasks are listed as stopped");
    let history = ecs.list_service_deployments().cluster("wp-prod").service("wordpress").send().await.unwrap();
    let newest = &history.service_deployments()[0];
    assert_eq!(newest.status().map(|s| s.as_str()), Some("SUCCESSFUL"));
}

#[tokio::test]
async fn every_new_task_warms_and_reports() {
    let sim = sim("default").await;
    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    ecs.update_service().cluster("wp-prod").service("wordpress").force_new_deployment(true).send().await.unwrap();
    sim.advance(secs(120));
    let list = ecs.list_tasks().cluster("wp-prod").service_name("wordpress").send().await.unwrap();
    let tasks =
        ecs.describe_tasks().cluster("wp-prod").set_tasks(Some(list.task_arns().to_vec())).send().await.unwrap();
    assert_eq!(tasks.tasks().len(), 3);
    for t in tasks.tasks() {
        let warmer = t.containers().iter().find(|c| c.name() == Some("warmer")).unwrap();
        assert_eq!(warmer.last_status(), Some("STOPPED"));
        assert_eq!(warmer.exit_code(), Some(0));
    }
}

#[tokio::test]
async fn errors_are_shaped_like_aws() {
    let sim = sim("default").await;
    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    let err = ecs.describe_services().cluster("nope").services("wordpress").send().await.unwrap_err();
    assert!(err.into_service_error().is_cluster_not_found_exception());
    let err =
        ecs.update_service().cluster("wp-prod").service("nope").force_new_deployment(true).send().await.unwrap_err();
    assert!(err.into_service_error().is_service_not_found_exception());
    let out = ecs.describe_services().cluster("wp-prod").services("nope").send().await.unwrap();
    assert_eq!(out.failures()[0].reason(), Some("MISSING"));
    let err = ecs.describe_task_definition().task_definition("nope:9").send().await.unwrap_err();
    assert!(err.into_service_error().is_client_exception());
}

#[tokio::test]
async fn injected_throttle_arrives_as_throttling_exception() {
    let sim = sim("default").await;
    sim.set_faults(wpops::sim::Faults { throttle_rate: 1.0, ..Default::default() });
    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    let err = ecs.list_clusters().send().await.unwrap_err();
    let meta = aws_sdk_ecs::error::ProvideErrorMetadata::code(&err).map(str::to_string);
    assert_eq!(meta.as_deref(), Some("ThrottlingException"));
}

#[tokio::test]
async fn task_size_and_overrides_come_from_the_task_definition_and_run_task() {
    use aws_sdk_ecs::types::{
        AwsVpcConfiguration, ContainerOverride, KeyValuePair, NetworkConfiguration, TaskOverride,
    };
    let sim = sim("default").await;
    let ecs = aws_sdk_ecs::Client::new(&config(&sim).await);
    // A service task: the task definition's size, no overrides.
    let arns = ecs.list_tasks().cluster("wp-prod").service_name("wordpress").send().await.unwrap();
    let t = ecs.describe_tasks().cluster("wp-prod").tasks(&arns.task_arns()[0]).send().await.unwrap();
    let t = &t.tasks()[0];
    assert_eq!((t.cpu(), t.memory()), (Some("1024"), Some("2048")));
    assert!(t.overrides().unwrap().container_overrides().is_empty());
    let network = NetworkConfiguration::builder()
        .awsvpc_configuration(AwsVpcConfiguration::builder().subnets("subnet-0a11c0ffee0000001").build().unwrap())
        .build();
    // The one-off warmer without overrides: its own definition's 256/512.
    let plain =
        ecs.run_task().cluster("wp-prod").task_definition("wordpress-warmer").network_configuration(network.clone());
    let out = plain.send().await.unwrap();
    assert_eq!((out.tasks()[0].cpu(), out.tasks()[0].memory()), (Some("256"), Some("512")));
    // With task-level and container overrides: the size overridden, the overrides echoed as sent.
    let overrides = TaskOverride::builder()
        .cpu("512")
        .memory("2048")
        .container_overrides(
            ContainerOverride::builder()
                .name("warmer")
                .command("php")
                .command("/opt/warm.php")
                .environment(KeyValuePair::builder().name("WARM_URL").value("http://10.0.9.9/w.php").build())
                .build(),
        )
        .build();
    let out = ecs
        .run_task()
        .cluster("wp-prod")
        .task_definition("wordpress-warmer")
        .overrides(overrides.clone())
        .network_configuration(network.clone())
        .send()
        .await
        .unwrap();
    let arn = out.tasks()[0].task_arn().unwrap().to_string();
    for t in [
        out.tasks()[0].clone(),
        ecs.describe_tasks().cluster("wp-prod").tasks(&arn).send().await.unwrap().tasks()[0].clone(),
    ] {
        assert_eq!((t.cpu(), t.memory()), (Some("512"), Some("2048")));
        assert_eq!(t.overrides(), Some(&overrides));
    }
    let bad = TaskOverride::builder().cpu("lots").build();
    let err = ecs
        .run_task()
        .cluster("wp-prod")
        .task_definition("wordpress-warmer")
        .overrides(bad)
        .network_configuration(network)
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_invalid_parameter_exception());
}
