//! The seed's build as the reader would fetch it, for the posture rules' tests: three containers
//! on ECR images with mutable tags, code on EFS mounted read-only and encrypted in transit, a
//! curl warmer after nginx and php-fpm, awslogs, the four managed rule groups, logging on.

use super::PostureFacts;
use crate::model::ecr::{ImageScan, Repository, SeverityCounts};
use crate::model::ecs::{
    Container, ContainerDef, DependsOn, EnvVar, LastStatus, MountPoint, Service, Task, TaskDefinition, Volume,
};
use crate::model::logline::ContainerRole;
use crate::model::waf::{AclRuleConfig, WebAclConfig};

pub const ARN: &str = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/wordpress:42";
pub const REGISTRY: &str = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com";

pub fn container(name: &str, image: &str) -> ContainerDef {
    ContainerDef {
        name: name.into(),
        role: ContainerRole::from_container_name(name),
        image: format!("{REGISTRY}/{image}"),
        essential: true,
        readonly_root: true,
        log_group: Some("/ecs/wordpress".into()),
        log_stream_prefix: Some("wp".into()),
        log_driver: Some("awslogs".into()),
        log_mode: Some("non-blocking".into()),
        ..ContainerDef::default()
    }
}

fn code_mount() -> MountPoint {
    MountPoint { source_volume: "wordpress".into(), container_path: "/app/public".into(), read_only: true }
}

pub fn task_definition() -> TaskDefinition {
    let nginx = ContainerDef { mount_points: vec![code_mount()], ..container("nginx", "wordpress:nginx-latest") };
    let php = ContainerDef {
        mount_points: vec![code_mount()],
        environment: vec![EnvVar::new("WORDPRESS_DB_HOST", "db:3306")],
        secrets: vec!["WORDPRESS_DB_PASSWORD".into()],
        memory_mib: Some(1536),
        ..container("php-fpm", "wordpress:php-latest")
    };
    let warmer = ContainerDef {
        essential: false,
        depends_on: ["nginx", "php-fpm"]
            .iter()
            .map(|c| DependsOn { container: c.to_string(), condition: "START".into() })
            .collect(),
        command: vec!["curl".into(), "-fsS".into(), "http://localhost/opcache_warmer.php".into()],
        ..container("warmer", "wordpress-warmer:latest")
    };
    TaskDefinition {
        arn: ARN.into(),
        family: "wordpress".into(),
        revision: 42,
        containers: vec![nginx, php, warmer],
        volumes: vec![Volume {
            name: "wordpress".into(),
            efs_file_system_id: Some("fs-0a1b2c3d".into()),
            efs_root_directory: Some("/".into()),
            efs_transit_encryption: true,
        }],
        ..TaskDefinition::default()
    }
}

/// The digest a container of a running task reports.
pub fn digest(container: &str) -> String {
    format!("sha256:{:0<64}", container.replace('-', ""))
}

pub fn task(id: &str) -> Task {
    let c = |name: &str, status: LastStatus, exit: Option<i32>| Container {
        name: name.into(),
        role: ContainerRole::from_container_name(name),
        last_status: status,
        exit_code: exit,
        image_digest: Some(digest(name)),
        ..Container::default()
    };
    Task {
        id: id.into(),
        task_definition: ARN.into(),
        revision: 42,
        last_status: LastStatus::Running,
        containers: vec![
            c("nginx", LastStatus::Running, None),
            c("php-fpm", LastStatus::Running, None),
            c("warmer", LastStatus::Stopped, Some(0)),
        ],
        ..Task::default()
    }
}

pub fn web_acl() -> WebAclConfig {
    let rules = super::REQUIRED_RULE_GROUPS
        .iter()
        .map(|(_, g)| AclRuleConfig {
            name: g.to_string(),
            managed_group: Some(g.to_string()),
            vendor: Some("AWS".into()),
            ..AclRuleConfig::default()
        })
        .collect();
    WebAclConfig {
        name: "wordpress-waf".into(),
        arn: "arn:aws:wafv2:ap-northeast-1:123456789012:regional/webacl/wordpress-waf/1".into(),
        rules,
    }
}

pub fn repository(name: &str) -> Repository {
    Repository {
        name: name.into(),
        arn: format!("arn:aws:ecr:ap-northeast-1:123456789012:repository/{name}"),
        uri: format!("{REGISTRY}/{name}"),
        scan_on_push: true,
        tag_mutability: "MUTABLE".into(),
    }
}

pub fn scan(repository: &str, container: &str, tag: &str) -> ImageScan {
    ImageScan {
        repository: repository.into(),
        digest: digest(container),
        tags: vec![tag.into()],
        pushed_at_ms: Some(1_700_000_000_000),
        scan_status: Some("COMPLETE".into()),
        counts: Some(SeverityCounts { medium: 4, low: 9, ..SeverityCounts::default() }),
        scan_completed_at_ms: Some(1_700_000_060_000),
    }
}

pub fn facts() -> PostureFacts {
    PostureFacts {
        service: Service {
            name: "wordpress".into(),
            task_definition: ARN.into(),
            assign_public_ip: Some(false),
            ..Service::default()
        },
        task_definition: Some(task_definition()),
        tasks: vec![task("3f2a9c1e00000000000000000000000a"), task("8b41d07a00000000000000000000000b")],
        load_balancer: Some(
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/wordpress-alb/1".into(),
        ),
        web_acl: Some(Some(web_acl())),
        waf_logging: Some(true),
        repositories: Some(vec![
            repository("wordpress"),
            Repository { tag_mutability: "IMMUTABLE".into(), ..repository("wordpress-warmer") },
        ]),
        images: Some(vec![
            scan("wordpress", "nginx", "nginx-latest"),
            scan("wordpress", "php-fpm", "php-latest"),
            scan("wordpress-warmer", "warmer", "latest"),
        ]),
        lacking: Vec::new(),
    }
}
