//! `wpops audit` through the real binary: `default` passes but for the seed's own mutable tags
//! (medium, exit 0), `insecure` fails on every planted problem (exit 1), the `wpops.audit/1`
//! document, `--read-only`, parts that cannot be read (named, their rules silent), throttling
//! (exit 3), and a task definition registered through the real SDK with a writable root and a
//! secret in its environment, rolled out with UpdateService: the new revision's findings.

use crate::util::*;

fn ids(v: &serde_json::Value) -> Vec<(String, String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("id"), s("subject"), s("severity"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_passes_but_for_the_seeds_mutable_tags() {
    let home = home();
    let mut cmd = command(home.path());
    cmd.args(["--demo", "audit"]);
    let r = run(cmd).await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Audit passes: 1 medium"), "{}", r.stdout);
    assert!(r.stdout.contains("ECR repository wordpress has mutable tags [ECR.2]"), "{}", r.stdout);
    assert!(r.stdout.contains("changes nothing"), "{}", r.stdout);
    assert!(r.stdout.lines().all(|l| l.chars().count() <= 80), "{}", r.stdout);
    assert!(r.stderr.is_empty(), "{}", r.stderr);

    let sim = sim("default").await;
    let j = wpops(&sim, home.path(), &["--read-only", "audit", "-o", "json"]).await;
    assert_eq!(j.code, 0, "{}", j.stderr);
    let v = j.json();
    assert_eq!(ids(&v), [("ecr_tag_immutability".into(), "wordpress".into(), "medium".into())]);
    assert_eq!(v["fails"], false);
    assert_eq!(v["lacking"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insecure_fails_on_every_planted_problem() {
    let sim = sim("insecure").await;
    let home = home();
    let r = wpops(&sim, home.path(), &["audit", "-o", "json"]).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    let found = ids(&v);
    for (id, subject, severity) in [
        ("ecr_image_vulnerabilities", "php-fpm", "critical"),
        ("ecs_readonly_root", "php-fpm", "high"),
        ("efs_transit_encryption", "wordpress", "high"),
        ("warmer_command", "warmer", "high"),
        ("ecs_secrets_in_environment", "php-fpm", "high"),
        ("ecs_public_ip", "wordpress", "high"),
        ("waf_rule_group_count", "AWSManagedRulesSQLiRuleSet", "high"),
        ("ecr_scan_on_push", "wordpress-warmer", "high"),
        ("ecr_tag_immutability", "wordpress", "medium"),
        ("ecs_logging_blocking", "php-fpm", "low"),
        ("waf_logging", "wordpress-waf", "low"),
    ] {
        assert!(
            found.contains(&(id.into(), subject.into(), severity.into())),
            "{id} {subject} {severity} not in {found:#?}"
        );
    }
    // Worst first.
    assert_eq!(found[0].2, "critical");
    let order: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
    let rank = |s: &str| ["critical", "high", "medium", "low", "info"].iter().position(|x| *x == s).unwrap();
    assert!(order.windows(2).all(|w| rank(w[0]) <= rank(w[1])), "{order:?}");
    // The secret's name is there; its value never is.
    assert!(r.stdout.contains("WORDPRESS_DB_PASSWORD") && !r.stdout.contains("wp-Secr3t"));

    let t = wpops(&sim, home.path(), &["audit"]).await;
    assert_eq!(t.code, 1);
    for needle in [
        "Audit FAILS",
        "CRITICAL  CRITICAL vulnerabilities in php-fpm's running image",
        "php-fpm has a writable root filesystem [ECS.5]",
        "WORDPRESS_DB_PASSWORD [ECS.8]",
        "rule group AWSManagedRulesSQLiRuleSet only counts",
        "has mutable tags [ECR.2]",
        "3 critical · 12 high",
        "→ set containerDefinitions[php-fpm].readonlyRootFilesystem to true",
    ] {
        assert!(t.stdout.contains(needle), "{needle}:\n{}", t.stdout);
    }
    assert!(!t.stdout.contains("wp-Secr3t"));
    assert!(t.stdout.lines().all(|l| l.chars().count() <= 80), "{}", t.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_follows_its_schema() {
    let sim = sim("insecure").await;
    let home = home();
    let v = wpops(&sim, home.path(), &["audit", "-o", "json"]).await.json();
    assert_eq!(v["schema"], "wpops.audit/1");
    for (k, want) in [
        ("cluster", "wp-prod"),
        ("service", "wordpress"),
        ("region", REGION),
        ("task_definition", "wordpress:42"),
        ("web_acl", "wordpress-waf"),
    ] {
        assert_eq!(v[k], want, "{k}");
    }
    assert!(v["site"].is_string() && v["checked_at"].as_str().unwrap().ends_with('Z'));
    assert!(v["load_balancer"].as_str().unwrap().contains(":loadbalancer/app/wordpress-alb/"));
    assert_eq!(v["fails"], true);
    let n = v["findings"].as_array().unwrap().len() as u64;
    let total: u64 =
        ["critical", "high", "medium", "low", "info"].iter().map(|s| v["counts"][s].as_u64().unwrap()).sum();
    assert_eq!(total, n);
    for f in v["findings"].as_array().unwrap() {
        assert_eq!(f["kind"], "posture");
        assert!(f["id"].is_string() && f["title"].is_string() && f["severity"].is_string());
        assert!(f["evidence"].as_array().is_some_and(|e| !e.is_empty()), "{f}");
        assert!(f["change"].is_string(), "every posture finding says what to change: {f}");
        assert!(f.get("action").is_none());
    }
    let with_control: Vec<&str> =
        v["findings"].as_array().unwrap().iter().filter_map(|f| f["control"].as_str()).collect();
    for c in ["ECS.5", "ECS.8", "ECS.2", "AVD-AWS-0035", "ECR.1", "ECR.2", "WAF.11"] {
        assert!(with_control.contains(&c), "{c} in {with_control:?}");
    }
    assert_eq!(v["lacking"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_cannot_be_read_is_named_and_its_rules_stay_silent() {
    let sim = sim("insecure").await;
    sim.lack(&["ecr", "wafv2:GetLoggingConfiguration"]);
    let home = home();
    let r = wpops(&sim, home.path(), &["audit", "-o", "json"]).await;
    assert_eq!(r.code, 1, "the task definition's findings still fail it: {}", r.stderr);
    let v = r.json();
    let lacking: Vec<&str> = v["lacking"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(lacking.iter().any(|l| l.starts_with("ecr:DescribeRepositories: ")), "{lacking:?}");
    assert!(lacking.iter().any(|l| l.starts_with("ecr:DescribeImages: ")), "{lacking:?}");
    assert!(lacking.iter().any(|l| l.starts_with("wafv2:GetLoggingConfiguration: ")), "{lacking:?}");
    let found: Vec<String> = ids(&v).into_iter().map(|f| f.0).collect();
    assert!(found.contains(&"ecs_readonly_root".to_string()));
    for silent in ["ecr_image_vulnerabilities", "ecr_tag_immutability", "ecr_scan_on_push", "waf_logging"] {
        assert!(!found.contains(&silent.to_string()), "{silent} fired without its data");
    }
    assert!(r.stderr.contains("wpops audit: could not read ecr:DescribeRepositories"), "{}", r.stderr);

    let throttled = throttled_sim().await;
    let t = wpops(&throttled, home.path(), &["audit"]).await;
    assert_eq!(t.code, 3, "{}{}", t.stdout, t.stderr);
    assert!(t.stderr.contains("Rate exceeded"), "{}", t.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revision_registered_and_rolled_out_through_the_sdk_is_audited() {
    use aws_sdk_ecs::types::{
        ContainerCondition, ContainerDefinition, ContainerDependency, EfsTransitEncryption, EfsVolumeConfiguration,
        KeyValuePair, LogConfiguration, LogDriver, MountPoint, Volume,
    };
    let sim = sim("default").await;
    let home = home();
    assert_eq!(wpops(&sim, home.path(), &["audit"]).await.code, 0);

    let ecs = aws_sdk_ecs::Client::new(&sdk_config(&sim).await);
    let registry = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com";
    let logs = |prefix: &str| {
        LogConfiguration::builder()
            .log_driver(LogDriver::Awslogs)
            .options("awslogs-group", "/ecs/wordpress")
            .options("awslogs-region", REGION)
            .options("awslogs-stream-prefix", prefix)
            .options("mode", "non-blocking")
            .build()
            .unwrap()
    };
    let code = MountPoint::builder().source_volume("wordpress").container_path("/app/public").read_only(true).build();
    let nginx = ContainerDefinition::builder()
        .name("nginx")
        .image(format!("{registry}/wordpress:nginx-latest"))
        .essential(true)
        .readonly_root_filesystem(true)
        .mount_points(code.clone())
        .log_configuration(logs("wp"))
        .build();
    let php = ContainerDefinition::builder()
        .name("php-fpm")
        .image(format!("{registry}/wordpress:php-latest"))
        .essential(true)
        .readonly_root_filesystem(false)
        .environment(KeyValuePair::builder().name("WORDPRESS_DB_PASSWORD").value("hunter2-in-the-open").build())
        .mount_points(code)
        .log_configuration(logs("wp"))
        .build();
    let after = |c: &str| {
        ContainerDependency::builder().container_name(c).condition(ContainerCondition::Start).build().unwrap()
    };
    let warmer = ContainerDefinition::builder()
        .name("warmer")
        .image(format!("{registry}/wordpress-warmer:latest"))
        .essential(false)
        .readonly_root_filesystem(true)
        .depends_on(after("nginx"))
        .depends_on(after("php-fpm"))
        .command("curl")
        .command("-fsS")
        .command("http://localhost/opcache_warmer.php")
        .log_configuration(logs("wp"))
        .build();
    let efs = EfsVolumeConfiguration::builder()
        .file_system_id("fs-0a1b2c3d4e5f60718")
        .transit_encryption(EfsTransitEncryption::Enabled)
        .build()
        .unwrap();
    let registered = ecs
        .register_task_definition()
        .family("wordpress")
        .container_definitions(nginx)
        .container_definitions(php)
        .container_definitions(warmer)
        .volumes(Volume::builder().name("wordpress").efs_volume_configuration(efs).build())
        .cpu("1024")
        .memory("2048")
        .send()
        .await
        .expect("RegisterTaskDefinition");
    let arn = registered.task_definition().unwrap().task_definition_arn().unwrap().to_string();
    assert!(arn.ends_with("task-definition/wordpress:43"), "{arn}");
    ecs.update_service()
        .cluster("wp-prod")
        .service("wordpress")
        .task_definition(&arn)
        .send()
        .await
        .expect("UpdateService");

    let r = wpops(&sim, home.path(), &["audit", "-o", "json"]).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["task_definition"], "wordpress:43");
    let found = ids(&v);
    assert!(found.contains(&("ecs_readonly_root".into(), "php-fpm".into(), "high".into())), "{found:#?}");
    assert!(found.contains(&("ecs_secrets_in_environment".into(), "php-fpm".into(), "high".into())), "{found:#?}");
    assert!(!found.iter().any(|f| f.0 == "ecs_readonly_root" && f.1 != "php-fpm"), "{found:#?}");
    assert!(!r.stdout.contains("hunter2"), "{}", r.stdout);
    let t = wpops(&sim, home.path(), &["audit"]).await;
    assert!(
        t.stdout.contains("wordpress:43") && t.stdout.contains("php-fpm has a writable root filesystem"),
        "{}",
        t.stdout
    );
}

/// An SDK config of the test's account pointed at the simulator.
async fn sdk_config(sim: &wpops::sim::SimHandle) -> aws_config::SdkConfig {
    let target = wpops::aws::Target {
        region: Some(REGION.into()),
        endpoint_url: Some(sim.endpoint_url()),
        static_credentials: Some((KEY.into(), "secret".into())),
        max_attempts: 1,
        ..wpops::aws::Target::interactive()
    };
    wpops::aws::client::load(&target).await.expect("config")
}
