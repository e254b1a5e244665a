//! Tests of the image posture rules: each fires, does not fire, and its boundary.

use super::*;
use crate::model::findings::posture::fixture;

#[test]
fn running_digests_come_from_the_tasks_of_this_revision() {
    let td = fixture::task_definition();
    let mut old = fixture::task("77c0e2d4");
    old.task_definition = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/wordpress:41".into();
    old.containers[1].image_digest = Some("sha256:old".into());
    let tasks = vec![fixture::task("3f2a9c1e"), old];
    let ri = running_images(&td, &tasks);
    assert_eq!(ri.len(), 3);
    assert_eq!(ri[1].container, "php-fpm");
    assert_eq!(ri[1].digests, [fixture::digest("php-fpm")]);
    assert_eq!(ri[1].tasks, [(fixture::digest("php-fpm"), "3f2a9c1e".to_string())]);
}

#[test]
fn scan_on_push_off_fires_ecr_1() {
    let td = fixture::task_definition();
    let mut repos = vec![fixture::repository("wordpress"), fixture::repository("wordpress-warmer")];
    assert!(scan_on_push(&td, &repos).is_empty());
    repos[0].scan_on_push = false;
    let f = scan_on_push(&td, &repos);
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].control.as_deref(), f[0].severity), (Some("ECR.1"), Severity::High));
    assert!(f[0].evidence[0].contains("nginx (wordpress:nginx-latest), php-fpm (wordpress:php-latest)"));
}

#[test]
fn a_mutable_tag_fires_ecr_2_as_medium_and_says_a_rollback_changes_nothing() {
    let td = fixture::task_definition();
    let mut repos = vec![fixture::repository("wordpress")];
    let f = tag_immutability(&td, &repos);
    assert_eq!(f.len(), 1, "one finding per repository");
    assert_eq!((f[0].control.as_deref(), f[0].severity), (Some("ECR.2"), Severity::Medium));
    assert!(f[0].evidence[1].contains("wordpress:php-latest") && f[0].evidence[1].contains("changes nothing"));
    repos[0].tag_mutability = "IMMUTABLE".into();
    assert!(tag_immutability(&td, &repos).is_empty());
}

#[test]
fn critical_and_high_counts_of_the_running_digest_fire_and_the_boundary_does_not() {
    let td = fixture::task_definition();
    let tasks = vec![fixture::task("3f2a9c1e")];
    let mut images = fixture::facts().images.unwrap();
    assert!(image_scans(&td, &tasks, &images).is_empty(), "medium and low findings pass");
    images[1].counts.as_mut().unwrap().high = HIGH_FINDINGS_ALLOWED + 1;
    let f = image_scans(&td, &tasks, &images);
    assert_eq!((f[0].severity, f[0].subject.as_deref()), (Severity::High, Some("php-fpm")));
    images[1].counts.as_mut().unwrap().critical = CRITICAL_FINDINGS_ALLOWED + 2;
    let f = image_scans(&td, &tasks, &images);
    assert_eq!(f[0].severity, Severity::Critical);
    assert!(
        f[0].evidence[0].contains("running on 3f2a9c1e") && f[0].evidence[0].contains("2 critical · 1 high"),
        "{:?}",
        f[0].evidence
    );
}

#[test]
fn before_any_task_runs_it_the_tag_decides_and_an_unscanned_or_missing_image_is_low() {
    let td = fixture::task_definition();
    let mut images = fixture::facts().images.unwrap();
    images[1].counts.as_mut().unwrap().critical = 1;
    let f = image_scans(&td, &[], &images);
    assert_eq!(f.len(), 1);
    assert!(f[0].evidence[0].contains("no task runs it yet"), "{:?}", f[0].evidence);
    images[1].scan_status = Some("IN_PROGRESS".into());
    let f = image_scans(&td, &[], &images);
    assert_eq!((f[0].id.as_str(), f[0].severity), ("ecr_image_unscanned", Severity::Low));
    let f = image_scans(&td, &[fixture::task("3f2a9c1e")], &images[..1]);
    let ids: Vec<&str> = f.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["ecr_image_missing", "ecr_image_missing"]);
}
