//! The tasks of a past window: as they stood at its end, and those ECS forgot rebuilt from
//! their streams, the service events and the deployment history.

use super::*;
use crate::model::{ContainerDef, ContainerRole, RevisionImage};

const MIN: i64 = 60_000;

fn stream(id: &str, container: &str, first: i64, last: i64) -> TaskStream {
    TaskStream { task_id: id.into(), container: container.into(), first_ms: Some(first), last_ms: Some(last) }
}

fn deployment(n: u32, created: i64, finished: Option<i64>, status: &str) -> ServiceDeploymentInfo {
    ServiceDeploymentInfo {
        arn: format!("dep-{n}"),
        status: status.into(),
        status_reason: (status == "ROLLBACK_SUCCESSFUL")
            .then(|| "ECS deployment circuit breaker: tasks failed to start.".to_owned()),
        target_revision: format!("rev-{n}"),
        created_at_ms: created,
        finished_at_ms: finished,
        rolled_back: status == "ROLLBACK_SUCCESSFUL",
    }
}

fn revision(n: u32) -> RevisionInfo {
    RevisionInfo {
        arn: format!("rev-{n}"),
        task_definition: format!("arn:aws:ecs:r:1:task-definition/wordpress:{n}"),
        images: vec![RevisionImage {
            container: "php-fpm".into(),
            image: format!("wp:{n}"),
            digest: Some(format!("sha256:{n}")),
        }],
    }
}

fn task_def(n: u32) -> TaskDefinition {
    let c = |name: &str| ContainerDef {
        name: name.into(),
        role: ContainerRole::from_container_name(name),
        image: format!("{name}:{n}"),
        ..ContainerDef::default()
    };
    TaskDefinition {
        arn: format!("arn:aws:ecs:r:1:task-definition/wordpress:{n}").as_str().into(),
        family: "wordpress".into(),
        revision: n,
        containers: vec![c("nginx"), c("php-fpm"), c("warmer")],
        ..TaskDefinition::default()
    }
}

fn running(id: &str, started: i64) -> Task {
    let c = |name: &str, status, exit| Container {
        name: name.into(),
        role: ContainerRole::from_container_name(name),
        last_status: status,
        exit_code: exit,
        ..Container::default()
    };
    Task {
        id: id.into(),
        last_status: LastStatus::Running,
        health: Health::Healthy,
        started_at_ms: Some(started),
        containers: vec![
            c("nginx", LastStatus::Running, None),
            c("php-fpm", LastStatus::Running, None),
            c("warmer", LastStatus::Stopped, Some(0)),
        ],
        ..Task::default()
    }
}

fn oom_killed(id: &str, started: i64, stopped: i64) -> Task {
    let mut t = running(id, started);
    t.last_status = LastStatus::Stopped;
    t.stopped_at_ms = Some(stopped);
    t.stopped_reason = Some("Essential container in task exited".into());
    t.containers[1].last_status = LastStatus::Stopped;
    t.containers[1].exit_code = Some(137);
    t
}

#[test]
fn a_stream_name_gives_its_task_and_container() {
    assert_eq!(
        task_stream("wordpress/warmer/0f3a", Some(1), Some(2)),
        Some(TaskStream { task_id: "0f3a".into(), container: "warmer".into(), first_ms: Some(1), last_ms: Some(2) })
    );
    assert_eq!(task_stream("warmer/0f3a", None, None), None);
    assert_eq!(task_stream("wordpress/warmer/", None, None), None);
}

#[test]
fn a_task_that_stopped_after_the_window_was_running_at_its_end() {
    let t = oom_killed("a", 10 * MIN, 50 * MIN);
    let then = as_at(&t, 30 * MIN);
    assert!(then.is_running());
    assert_eq!((then.stopped_at_ms, then.stopped_reason.as_deref()), (None, None));
    assert_eq!(then.containers[1].exit_code, None, "its php-fpm was not killed yet");
    assert_eq!(then.containers[2].exit_code, Some(0), "its warmer had run");
    assert_eq!(then.health, Health::Unknown, "how healthy it was then is not known");
    // Stopped by the window's end: as ECS lists it.
    assert_eq!(as_at(&t, 60 * MIN), t);
    // Still running: as ECS lists it.
    let r = running("b", 10 * MIN);
    assert_eq!(as_at(&r, 30 * MIN), r);
}

#[test]
fn the_window_holds_the_tasks_that_lived_in_it_with_those_ecs_forgot() {
    let mut never = oom_killed("never", 0, 95 * MIN);
    never.started_at_ms = None;
    let listed = vec![running("now1", 100 * MIN), oom_killed("oom1", 70 * MIN, 90 * MIN), never];
    let streams = vec![
        stream("now1", "nginx", 100 * MIN, 200 * MIN),
        stream("old1", "nginx", 0, 60 * MIN),
        stream("old1", "warmer", MIN, 2 * MIN),
        stream("fail1", "php-fpm", 20 * MIN, 23 * MIN),
        stream("gone", "nginx", 0, 5 * MIN),
    ];
    let events = vec![ServiceEvent {
        id: "e".into(),
        at_ms: 20 * MIN - 30_000,
        message: "(service wordpress) has started 1 tasks: (task fail1).".into(),
    }];
    let deployments = vec![
        deployment(42, 55 * MIN, Some(58 * MIN), "SUCCESSFUL"),
        deployment(43, 20 * MIN - 60_000, Some(24 * MIN), "ROLLBACK_SUCCESSFUL"),
        deployment(41, -100 * MIN, Some(-95 * MIN), "SUCCESSFUL"),
    ];
    let revisions = vec![revision(41), revision(42), revision(43)];
    let tds = vec![task_def(41), task_def(43)];
    let records = PastRecords {
        streams: &streams,
        events: &events,
        deployments: &deployments,
        revisions: &revisions,
        task_definitions: &tds,
    };
    let tasks = window_tasks(&listed, &forgotten(&listed, &records), 10 * MIN, 80 * MIN);
    let ids: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
    // now1 started after the window, never failed to start after it; gone stopped before it.
    assert_eq!(ids, ["oom1", "fail1", "old1"]);
    assert!(tasks[0].is_running(), "oom1 was killed after the window's end");
    assert!(!tasks[0].from_logs);

    let fail = &tasks[1];
    assert!(fail.from_logs && fail.is_stopped());
    assert_eq!(fail.started_at_ms, Some(20 * MIN - 30_000), "the service event's time, before its first line");
    assert_eq!(fail.stopped_at_ms, Some(23 * MIN));
    assert_eq!(fail.revision, 43);
    let reason = fail.stopped_reason.as_deref().unwrap_or_default();
    assert!(reason.starts_with("no longer listed by ECS"), "{reason}");
    assert!(
        reason.contains("likely its deployment failing (ROLLBACK_SUCCESSFUL: ECS deployment circuit breaker"),
        "{reason}"
    );
    let names: Vec<&str> = fail.containers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["nginx", "php-fpm", "warmer"], "its task definition's containers");
    assert_eq!(fail.containers[1].image, "wp:43");
    assert_eq!(fail.containers[1].image_digest.as_deref(), Some("sha256:43"));
    assert!(fail.containers.iter().all(|c| c.exit_code.is_none()), "ECS forgot the exits");

    let old = &tasks[2];
    assert_eq!(old.revision, 41, "the deployment serving when its first line was written");
    assert_eq!((old.started_at_ms, old.stopped_at_ms), (Some(0), Some(60 * MIN)));
    let reason = old.stopped_reason.as_deref().unwrap_or_default();
    assert!(reason.ends_with("likely replaced by the deployment of wordpress:42"), "{reason}");
}

#[test]
fn a_forgotten_task_without_a_known_deployment_says_only_what_is_known() {
    let streams = vec![stream("x", "nginx", 0, MIN)];
    let records =
        PastRecords { streams: &streams, events: &[], deployments: &[], revisions: &[], task_definitions: &[] };
    let tasks = forgotten(&[], &records);
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].revision, 0);
    assert_eq!(
        tasks[0].stopped_reason.as_deref(),
        Some("no longer listed by ECS (it keeps stopped tasks about an hour)")
    );
    assert_eq!(tasks[0].containers.len(), 1, "the containers it has streams of");
}
