//! ECR and WAFv2 GetLoggingConfiguration of the simulator through wpops's own adapters and the
//! real SDK: repositories with their settings, images by tag and digest, scan findings, the
//! errors ECR answers with, and the posture facts of the `insecure` scenario's task definition,
//! service and web ACL as the adapters read them.

use wpops::aws::ecr::{self, ImageWanted};
use wpops::aws::{ecs, waf};
use wpops_fixtures::sim::*;

const ACCOUNT: &str = "123456789012";

#[tokio::test]
async fn repositories_images_and_scans_of_the_default_world() {
    let sim = sim("default").await;
    let c = clients(&sim, true).await;
    let names = ["wordpress", "wordpress-warmer", "nope"].map(String::from);
    let repos = ecr::repositories(&c, ACCOUNT, &names).await.unwrap();
    let got: Vec<(&str, bool, &str)> =
        repos.iter().map(|r| (r.name.as_str(), r.scan_on_push, r.tag_mutability.as_str())).collect();
    assert_eq!(got, [("wordpress", true, "MUTABLE"), ("wordpress-warmer", true, "IMMUTABLE")]);
    assert_eq!(repos[0].uri, "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wordpress");

    let wanted = [ImageWanted::Tag("php-latest".into()), ImageWanted::Tag("nope".into())];
    let images = ecr::images(&c, ACCOUNT, "wordpress", &wanted).await.unwrap();
    assert_eq!(images.len(), 1, "a missing tag is left out: {images:?}");
    let php = &images[0];
    assert_eq!(php.tags, ["php-latest"]);
    assert_eq!(php.scan_status.as_deref(), Some("COMPLETE"));
    assert_eq!(php.counts.map(|c| (c.critical, c.high, c.medium, c.low)), Some((0, 0, 2, 7)));
    assert!(php.pushed_at_ms.is_some() && php.digest.starts_with("sha256:"));

    // The running tasks run the digest the tag points to (the newest push).
    let svc = ecs::describe_service(&c, "wp-prod", "wordpress").await.unwrap();
    let arns = ecs::list_task_arns(&c, "wp-prod", "wordpress", false).await.unwrap();
    let tasks = ecs::describe_tasks(&c, "wp-prod", &arns).await.unwrap();
    let running = tasks[0].containers.iter().find(|k| k.name == "php-fpm").unwrap();
    assert_eq!(running.image_digest.as_deref(), Some(php.digest.as_str()));
    assert_eq!(svc.assign_public_ip, Some(false));

    let scan = ecr::scan_findings(&c, ACCOUNT, "wordpress", &php.digest).await.unwrap();
    assert_eq!(scan.status.as_deref(), Some("COMPLETE"));
    assert_eq!(scan.counts, php.counts);

    let e = ecr::images(&c, ACCOUNT, "nope", &wanted).await;
    assert_eq!(e.unwrap(), [], "a missing repository has no images");
    let raw = aws_sdk_ecr::Client::new(&config(&sim).await);
    let err = raw.describe_repositories().repository_names("nope").send().await.unwrap_err();
    assert!(err.into_service_error().is_repository_not_found_exception());
    let err = raw
        .describe_image_scan_findings()
        .repository_name("wordpress")
        .image_id(aws_sdk_ecr::types::ImageIdentifier::builder().image_tag("nope").build())
        .send()
        .await
        .unwrap_err();
    assert!(err.into_service_error().is_image_not_found_exception());
    let page = raw
        .describe_image_scan_findings()
        .repository_name("wordpress")
        .image_id(aws_sdk_ecr::types::ImageIdentifier::builder().image_digest(&php.digest).build())
        .max_results(5)
        .send()
        .await
        .unwrap();
    let findings = page.image_scan_findings().unwrap();
    assert_eq!(findings.findings().len(), 5);
    assert!(page.next_token().is_some());
}

#[tokio::test]
async fn the_insecure_world_reads_as_built() {
    let sim = sim("insecure").await;
    let c = clients(&sim, true).await;
    let svc = ecs::describe_service(&c, "wp-prod", "wordpress").await.unwrap();
    assert_eq!(svc.assign_public_ip, Some(true));
    let td = ecs::describe_task_definition(&c, &svc.task_definition).await.unwrap();
    let php = td.containers.iter().find(|k| k.name == "php-fpm").unwrap();
    assert!(!php.readonly_root);
    let env: Vec<(&str, bool)> = php.environment.iter().map(|v| (v.name.as_str(), v.looks_secret)).collect();
    assert_eq!(env, [("WORDPRESS_DB_HOST", false), ("WORDPRESS_DB_PASSWORD", true)]);
    assert!(!format!("{td:?}").contains("wp-Secr3t"), "a value is never kept");
    assert_eq!((php.memory_mib, php.memory_reservation_mib), (Some(1536), Some(1024)));
    assert_eq!((php.log_driver.as_deref(), php.log_mode.as_deref()), (Some("awslogs"), Some("blocking")));
    let warmer = td.containers.iter().find(|k| k.name == "warmer").unwrap();
    assert_eq!(warmer.command[2], "GET \"http://localhost/opcache_warmer.php\"");
    assert!(!warmer.essential && warmer.depends_on.len() == 2);
    let efs = td.volumes.iter().find(|v| v.is_efs()).unwrap();
    assert!(!efs.efs_transit_encryption);

    let lb = wpops::aws::elb::load_balancer_of(&c, &svc.target_groups[0]).await.unwrap().unwrap();
    let acl = waf::web_acl_config_for_resource(&c, &lb).await.unwrap().unwrap();
    let counting: Vec<&str> =
        acl.rules.iter().filter(|r| r.group_counts_only).filter_map(|r| r.managed_group.as_deref()).collect();
    assert_eq!(counting, ["AWSManagedRulesSQLiRuleSet"]);
    assert!(!waf::logging_enabled(&c, &acl.arn).await.unwrap(), "WAFNonexistentItemException is no logging");

    let repos = ecr::repositories(&c, ACCOUNT, &["wordpress-warmer".to_string()]).await.unwrap();
    assert!(!repos[0].scan_on_push);
    let warm = ecr::images(&c, ACCOUNT, "wordpress-warmer", &[ImageWanted::Tag("latest".into())]).await.unwrap();
    let scan = ecr::scan_findings(&c, ACCOUNT, "wordpress-warmer", &warm[0].digest).await.unwrap();
    assert_eq!(scan.status, None, "ScanNotFoundException is never scanned");
    let php = ecr::images(&c, ACCOUNT, "wordpress", &[ImageWanted::Tag("php-latest".into())]).await.unwrap();
    let scan = ecr::scan_findings(&c, ACCOUNT, "wordpress", &php[0].digest).await.unwrap();
    assert_eq!(scan.counts.map(|c| (c.critical, c.high)), Some((3, 12)));

    let default = sim_logging("default").await;
    assert!(default, "the default web ACL logs");
}

async fn sim_logging(scenario: &str) -> bool {
    let sim = sim(scenario).await;
    let c = clients(&sim, true).await;
    let svc = ecs::describe_service(&c, "wp-prod", "wordpress").await.unwrap();
    let lb = wpops::aws::elb::load_balancer_of(&c, &svc.target_groups[0]).await.unwrap().unwrap();
    let acl = waf::web_acl_config_for_resource(&c, &lb).await.unwrap().unwrap();
    waf::logging_enabled(&c, &acl.arn).await.unwrap()
}
