//! Tests of the ECS domain types and helpers.

use super::*;
use crate::model::{FoundReport, ReportLookup, WarmReport, format_age, short_task_id};

#[test]
fn status_words_parse_case_insensitively_and_keep_unknown_words() {
    assert_eq!(LastStatus::parse("RUNNING"), LastStatus::Running);
    assert_eq!(LastStatus::parse("stopped"), LastStatus::Stopped);
    assert_eq!(LastStatus::parse("NEW\u{1b}[2J"), LastStatus::Other("NEW␛[2J".into()));
    assert_eq!(RolloutState::parse("IN_PROGRESS"), RolloutState::InProgress);
    assert_eq!(DeploymentStatus::parse("PRIMARY").as_str(), "PRIMARY");
    assert_eq!(Health::default(), Health::Unknown);
    assert_eq!(RolloutState::Failed.to_string(), "FAILED");
    let json = serde_json::to_string(&LastStatus::Running).unwrap();
    assert_eq!(json, "\"RUNNING\"");
    let back: RolloutState = serde_json::from_str("\"COMPLETED\"").unwrap();
    assert_eq!(back, RolloutState::Completed);
}

#[test]
fn revisions_and_ids_from_arns() {
    let arn = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/wordpress:42";
    assert_eq!(task_definition_revision(arn), Some(("wordpress", 42)));
    assert_eq!(task_definition_revision("wordpress:7"), Some(("wordpress", 7)));
    assert_eq!(task_definition_revision("wordpress"), None);
    assert_eq!(task_definition_revision("wordpress:x"), None);
    assert_eq!(task_definition_revision(":3"), None);
    assert_eq!(task_definition_revision("wp:99999999999"), None);
    let task = "arn:aws:ecs:ap-northeast-1:123456789012:task/wp-prod/3f2a9c1e0b7d4f6a";
    assert_eq!(short_task_id(task), "3f2a9c1e0b7d4f6a");
    assert_eq!(short_task_id("plain"), "plain");
}

#[test]
fn ages() {
    assert_eq!(format_age(12_345), "12s");
    assert_eq!(format_age(41 * 60_000 + 5_000), "41m");
    assert_eq!(format_age((2 * 3600 + 11 * 60) * 1000), "2h11m");
    assert_eq!(format_age((2 * 3600 + 5 * 60) * 1000), "2h05m");
    assert_eq!(format_age((3 * 86_400 + 4 * 3600) * 1000), "3d4h");
    assert_eq!(format_age(-5), "0s");
    assert!(!format_age(i64::MAX).is_empty());
    assert_eq!(format_age(i64::MIN), "0s");
}

fn container(name: &str, status: LastStatus, exit: Option<i32>) -> Container {
    Container {
        name: name.into(),
        role: ContainerRole::from_container_name(name),
        last_status: status,
        exit_code: exit,
        ..Container::default()
    }
}

#[test]
fn task_helpers() {
    let task = Task {
        id: "3f2a9c1e".into(),
        last_status: LastStatus::Running,
        started_at_ms: Some(1_000),
        containers: vec![
            container("nginx", LastStatus::Running, None),
            container("php-fpm", LastStatus::Running, None),
            container("warmer", LastStatus::Stopped, Some(0)),
        ],
        ..Task::default()
    };
    assert!(task.is_running());
    assert_eq!(task.uptime_ms(61_000), Some(60_000));
    assert_eq!(task.warmer().map(|c| c.name.as_str()), Some("warmer"));
    let report = WarmReport { success: 3, failure: 0, no_change: 0, total: 3 };
    let found = FoundReport { task_id: task.id.as_str().to_owned(), report, at_ms: 11_000 };
    let with = |report| WarmEvidence { report, ..WarmEvidence::default() };
    assert_eq!(task.warmer_verdict(with(Some(&found)), 61_000, 120_000), WarmerVerdict::Healthy);
    let not_found = WarmEvidence { lookup: Some(&ReportLookup::NotFound), ..WarmEvidence::default() };
    assert_eq!(task.warmer_verdict(not_found, 61_000, 120_000), WarmerVerdict::NoReport);
    assert_eq!(task.warmer_verdict(with(None), 61_000, 120_000), WarmerVerdict::LookingForReport);
    let no_warmer = Task { containers: vec![], ..task.clone() };
    assert_eq!(no_warmer.warmer_verdict(with(None), 0, 1), WarmerVerdict::Missing);
    let stopped = Task { last_status: LastStatus::Stopped, stopped_at_ms: Some(11_000), ..task };
    assert!(stopped.is_stopped());
    assert_eq!(stopped.uptime_ms(99_000), Some(10_000));
}

#[test]
fn rollout_in_progress() {
    let done =
        Deployment { status: DeploymentStatus::Primary, rollout: RolloutState::Completed, ..Deployment::default() };
    let mut svc = Service { deployments: vec![done.clone()], ..Service::default() };
    assert!(!svc.rollout_in_progress());
    assert_eq!(svc.primary(), Some(&done));
    svc.deployments.insert(0, Deployment { rollout: RolloutState::InProgress, ..done.clone() });
    assert!(svc.rollout_in_progress());
}

fn def(name: &str, image: &str) -> ContainerDef {
    ContainerDef {
        name: name.into(),
        role: ContainerRole::from_container_name(name),
        image: image.into(),
        log_group: Some("/ecs/wordpress".into()),
        log_stream_prefix: Some("wp".into()),
        ..ContainerDef::default()
    }
}

#[test]
fn task_definition_helpers() {
    let a = TaskDefinition {
        containers: vec![
            def("nginx", "123.dkr.ecr/wp:nginx-latest"),
            def("php-fpm", "123.dkr.ecr/wp:php-latest"),
            def("warmer", "curlimages/curl@sha256:abc"),
        ],
        volumes: vec![Volume { name: "app".into(), efs_file_system_id: Some("fs-1".into()), ..Volume::default() }],
        ..TaskDefinition::default()
    };
    assert_eq!(a.log_groups(), ["/ecs/wordpress"]);
    assert!(a.volumes[0].is_efs());
    let php = a.container(&ContainerRole::PhpFpm).unwrap();
    assert_eq!(php.log_stream("abc").as_deref(), Some("wp/php-fpm/abc"));
    let mut b = a.clone();
    b.containers[0].image = "123.dkr.ecr/wp:nginx-41".into();
    // php-latest is shared and mutable; the warmer is pinned by digest.
    assert_eq!(shared_mutable_images(&a, &b), ["123.dkr.ecr/wp:php-latest"]);
}

#[test]
fn a_secret_is_told_by_its_name_or_its_value_and_an_empty_value_is_none() {
    use super::looks_like_secret;
    assert!(looks_like_secret("WORDPRESS_DB_PASSWORD", "hunter2"));
    assert!(looks_like_secret("wordpress_auth_key", "x"));
    assert!(looks_like_secret("SECURE_AUTH_SALT", "x"));
    assert!(looks_like_secret("UPSTREAM", "AKIAIOSFODNN7EXAMPLE"));
    assert!(looks_like_secret("DATABASE_URL", "mysql://wp:hunter2@db:3306/wp"));
    assert!(looks_like_secret("KEY_PEM", "-----BEGIN RSA PRIVATE KEY-----\nMII"));
    assert!(!looks_like_secret("WORDPRESS_DB_PASSWORD", ""));
    assert!(!looks_like_secret("WORDPRESS_DB_HOST", "db.internal:3306"));
    assert!(!looks_like_secret("DATABASE_URL", "mysql://wp@db:3306/wp"));
    assert!(!looks_like_secret("TZ", "Asia/Tokyo"));
    // 19 characters: not an access key id.
    assert!(!looks_like_secret("ID", "AKIAIOSFODNN7EXAMPL"));
    let v = super::EnvVar::new("WORDPRESS_DB_PASSWORD", "hunter2");
    assert!(v.looks_secret && !format!("{v:?}").contains("hunter2"));
}
