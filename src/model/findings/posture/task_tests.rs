//! Tests of the task-definition posture rules: each fires, does not fire, and its boundary.

use super::*;
use crate::model::ecs::{DependsOn, EnvVar, MountPoint};
use crate::model::findings::posture::fixture;

fn td() -> TaskDefinition {
    fixture::task_definition()
}

fn ids(fs: &[Finding]) -> Vec<(&str, &str)> {
    fs.iter().map(|f| (f.id.as_str(), f.subject.as_deref().unwrap_or(""))).collect()
}

#[test]
fn the_seeds_task_definition_passes_every_rule() {
    let t = td();
    let tasks = vec![fixture::task("3f2a9c1e")];
    for (rule, found) in [
        ("readonly_root", readonly_root(&t)),
        ("efs_code_read_only", efs_code_read_only(&t)),
        ("efs_transit_encryption", efs_transit_encryption(&t)),
        ("warmer_wiring", warmer_wiring(&t)),
        ("warmer_command", warmer_command(&t, &tasks)),
        ("secrets_in_environment", secrets_in_environment(&t)),
        ("logging", logging(&t)),
        ("privileged", privileged(&t)),
    ] {
        assert!(found.is_empty(), "{rule}: {found:#?}");
    }
}

#[test]
fn a_writable_root_fires_ecs_5_per_container() {
    let mut t = td();
    t.containers[1].readonly_root = false;
    let f = readonly_root(&t);
    assert_eq!(ids(&f), [("ecs_readonly_root", "php-fpm")]);
    assert_eq!((f[0].severity, f[0].control.as_deref()), (Severity::High, Some("ECS.5")));
    assert!(
        f[0].change.as_deref().unwrap().starts_with("set containerDefinitions[php-fpm].readonlyRootFilesystem to true")
    );
    // Boundary: the warmer counts as well ("every container").
    t.containers[2].readonly_root = false;
    assert_eq!(readonly_root(&t).len(), 2);
}

#[test]
fn the_code_volume_read_write_fires_and_a_writable_scratch_volume_does_not() {
    let mut t = td();
    t.containers[0].mount_points.push(MountPoint {
        source_volume: "nginx-cache".into(),
        container_path: "/var/cache/nginx".into(),
        read_only: false,
    });
    assert!(efs_code_read_only(&t).is_empty(), "a bind volume may be writable");
    t.containers[1].mount_points[0].read_only = false;
    let f = efs_code_read_only(&t);
    assert_eq!(ids(&f), [("efs_mount_read_only", "php-fpm:wordpress")]);
    assert!(f[0].title.contains("/app/public"));
    assert!(f[0].change.as_deref().unwrap().contains("mountPoints[sourceVolume=wordpress].readOnly to true"));
}

#[test]
fn efs_without_transit_encryption_fires_avd_aws_0035() {
    let mut t = td();
    t.volumes[0].efs_transit_encryption = false;
    let f = efs_transit_encryption(&t);
    assert_eq!(ids(&f), [("efs_transit_encryption", "wordpress")]);
    assert_eq!(f[0].control.as_deref(), Some("AVD-AWS-0035"));
    assert!(f[0].change.as_deref().unwrap().contains("transitEncryption to ENABLED"));
    // Not EFS: nothing to encrypt.
    t.volumes[0].efs_file_system_id = None;
    assert!(efs_transit_encryption(&t).is_empty());
}

#[test]
fn an_essential_warmer_or_one_that_does_not_wait_fires() {
    let mut t = td();
    t.containers[2].essential = true;
    t.containers[2].depends_on = vec![DependsOn { container: "nginx".into(), condition: "START".into() }];
    let f = warmer_wiring(&t);
    assert_eq!(ids(&f), [("warmer_essential", "warmer"), ("warmer_depends_on", "warmer")]);
    assert_eq!(f[0].severity, Severity::High);
    assert_eq!(f[1].severity, Severity::Medium);
    assert!(f[1].title.ends_with("php-fpm"), "{}", f[1].title);
    assert!(f[1].evidence[0].contains("nginx START"));
    t.containers.remove(2);
    let f = warmer_wiring(&t);
    assert_eq!((f[0].id.as_str(), f[0].severity), ("warmer_missing", Severity::Low));
}

#[test]
fn the_seeds_get_command_is_explained_and_high_once_warmers_exit_127() {
    let mut t = td();
    t.containers[2].command = vec!["/bin/sh".into(), "-c".into(), "GET \"http://localhost/opcache_warmer.php\"".into()];
    assert_eq!(command_program(&t.containers[2].command).as_deref(), Some("GET"));
    let healthy = vec![fixture::task("3f2a9c1e")];
    let f = warmer_command(&t, &healthy);
    assert_eq!((f[0].id.as_str(), f[0].severity), ("warmer_command", Severity::Medium));
    assert!(f[0].title.contains("runs GET, not curl"));
    assert!(f[0].evidence.iter().any(|e| e.contains("exits 127")));
    assert!(f[0].change.as_deref().unwrap().contains("\"curl\""));
    let mut broken = fixture::task("44bc807d11111111");
    broken.containers[2].exit_code = Some(127);
    let f = warmer_command(&t, &[broken.clone()]);
    assert_eq!(f[0].severity, Severity::High);
    assert!(
        f[0].evidence.iter().any(|e| e == "warmer exited 127 on 1 running task(s): 44bc807d"),
        "{:?}",
        f[0].evidence
    );
    // No command: the image's CMD runs; unknown unless warmers exit 127.
    t.containers[2].command.clear();
    assert!(warmer_command(&t, &healthy).is_empty());
    assert_eq!(warmer_command(&t, &[broken])[0].severity, Severity::High);
    // Wrapped curl passes.
    t.containers[2].command = vec!["sh".into(), "-c".into(), "exec /usr/bin/curl -fsS http://localhost/x".into()];
    assert!(warmer_command(&t, &healthy).is_empty());
}

#[test]
fn secrets_in_the_environment_fire_ecs_8_by_name_only() {
    let mut t = td();
    t.containers[1].environment.push(EnvVar::new("WORDPRESS_DB_PASSWORD", "hunter2"));
    t.containers[1].environment.push(EnvVar::new("WORDPRESS_AUTH_KEY", ""));
    let f = secrets_in_environment(&t);
    assert_eq!(ids(&f), [("ecs_secrets_in_environment", "php-fpm")]);
    assert_eq!(f[0].control.as_deref(), Some("ECS.8"));
    let text = format!("{f:?}");
    assert!(text.contains("WORDPRESS_DB_PASSWORD") && !text.contains("hunter2"));
    assert!(!text.contains("WORDPRESS_AUTH_KEY"), "an empty value is not a secret");
    assert!(f[0].change.as_deref().unwrap().contains("to secrets"));
}

#[test]
fn logging_without_awslogs_fires_ecs_9_and_blocking_mode_is_noted() {
    let mut t = td();
    t.containers[0].log_driver = None;
    t.containers[1].log_driver = Some("splunk".into());
    t.containers[2].log_mode = Some("blocking".into());
    let f = logging(&t);
    assert_eq!(
        ids(&f),
        [("ecs_logging", "nginx"), ("ecs_logging_driver", "php-fpm"), ("ecs_logging_blocking", "warmer")]
    );
    let sev: Vec<Severity> = f.iter().map(|f| f.severity).collect();
    assert_eq!(sev, [Severity::High, Severity::Medium, Severity::Low]);
    assert_eq!(f[0].control.as_deref(), Some("ECS.9"));
    // Mode unset: the account's default applies; nothing to say.
    t.containers[2].log_mode = None;
    assert_eq!(logging(&t).len(), 2);
}

#[test]
fn a_privileged_container_fires_ecs_4() {
    let mut t = td();
    t.containers[0].privileged = true;
    let f = privileged(&t);
    assert_eq!(ids(&f), [("ecs_privileged", "nginx")]);
    assert_eq!(f[0].control.as_deref(), Some("ECS.4"));
}
