//! Task definitions of the simulated world: the seed's WordPress task (nginx, php-fpm, warmer),
//! the one-off warmer task used for re-warming, a small static site for filler services, and
//! registration of new revisions (RegisterTaskDefinition).

use std::collections::BTreeMap;

use super::types::{ContainerBehaviour, ContainerDef, TaskDef, VolumeDef};
use crate::sim::scenario::ServiceSpec;
use crate::sim::world::RegionWorld;

fn ecr(w: &RegionWorld, repo_tag: &str) -> String {
    format!("{}.dkr.ecr.{}.amazonaws.com/{repo_tag}", w.account, w.region)
}

fn server(name: &str, image: String, log_group: &str, volumes: &[(&str, &str, bool)]) -> ContainerDef {
    ContainerDef {
        name: name.into(),
        image,
        essential: true,
        readonly_root: true,
        depends_on: Vec::new(),
        command: Vec::new(),
        environment: Vec::new(),
        log_group: log_group.into(),
        log_prefix: "wp".into(),
        mount_points: volumes.iter().map(|(v, p, ro)| (v.to_string(), p.to_string(), *ro)).collect(),
        health_check: true,
        behaviour: ContainerBehaviour::Server,
        cpu: 0,
        memory: 0,
        memory_reservation: 0,
        entry_point: Vec::new(),
        secrets: Vec::new(),
        privileged: false,
        log_driver: Some("awslogs".into()),
        log_mode: None,
    }
}

/// Registers revision `rev` of the seed's WordPress task definition.
pub fn register_wordpress(w: &mut RegionWorld, spec: &ServiceSpec, rev: i32, at_ms: i64) -> String {
    let group = format!("/ecs/{}", spec.family);
    let nginx = server(
        "nginx",
        ecr(w, &format!("{}:nginx-latest", spec.family)),
        &group,
        &[
            ("wordpress", "/app/public", true),
            ("nginx-cache", "/var/cache/nginx", false),
            ("nginx-run", "/var/run", false),
            ("nginx-conf", "/etc/nginx/conf.d", false),
        ],
    );
    let php = server(
        "php-fpm",
        ecr(w, &format!("{}:php-latest", spec.family)),
        &group,
        &[("wordpress", "/app/public", true), ("php-tmp", "/tmp", false), ("php-run", "/var/run", false)],
    );
    let p = &spec.posture;
    let mut php = ContainerDef {
        memory: 1536,
        memory_reservation: 1024,
        environment: vec![("WORDPRESS_DB_HOST".into(), "wordpress-db.internal:3306".into())],
        secrets: vec![(
            "WORDPRESS_DB_PASSWORD".into(),
            format!("arn:aws:ssm:{}:{}:parameter/{}/db-password", w.region, w.account, spec.family),
        )],
        ..php
    };
    if p.secret_in_environment {
        php.secrets.clear();
        php.environment.push(("WORDPRESS_DB_PASSWORD".into(), "wp-Secr3t-in-plain-sight".into()));
    }
    // The seed's Dockerfile `CMD GET …` needs libwww-perl's GET, which a curl image lacks.
    let command = if p.warmer_runs_get {
        vec!["/bin/sh".into(), "-c".into(), "GET \"http://localhost/opcache_warmer.php\"".into()]
    } else {
        vec![
            "curl".into(),
            "-fsS".into(),
            "--max-time".into(),
            "110".into(),
            "http://localhost/opcache_warmer.php".into(),
        ]
    };
    let warmer = ContainerDef {
        essential: false,
        readonly_root: true,
        depends_on: vec![("nginx".into(), "START".into()), ("php-fpm".into(), "START".into())],
        command,
        health_check: false,
        behaviour: ContainerBehaviour::Warmer,
        mount_points: Vec::new(),
        ..server("warmer", ecr(w, "wordpress-warmer:latest"), &group, &[])
    };
    let mut containers = vec![nginx, php, warmer];
    for c in &mut containers {
        c.readonly_root = !p.writable_root.contains(&c.name);
        if c.behaviour == ContainerBehaviour::Server {
            c.log_mode = Some(p.log_mode.clone()).filter(|m| !m.is_empty());
        }
    }
    let efs = VolumeDef {
        name: "wordpress".into(),
        efs: Some(spec.efs.clone()),
        root_directory: Some("/".into()),
        transit_encryption: p.efs_transit_encryption,
    };
    let fails = spec.next_deploy_fails && spec.undeployed_revisions.contains(&rev);
    register(
        w,
        TaskDef {
            family: spec.family.clone(),
            revision: rev,
            arn: String::new(),
            containers,
            cpu: "1024".into(),
            memory: "2048".into(),
            execution_role: format!("arn:aws:iam::{}:role/ecsTaskExecutionRole", w.account),
            task_role: format!("arn:aws:iam::{}:role/wordpress-task", w.account),
            volumes: vec![
                efs,
                VolumeDef::bind("nginx-cache"),
                VolumeDef::bind("nginx-run"),
                VolumeDef::bind("nginx-conf"),
                VolumeDef::bind("php-tmp"),
                VolumeDef::bind("php-run"),
            ],
            registered_at_ms: at_ms,
            status: "ACTIVE".into(),
            digests: BTreeMap::new(),
            fails_health_checks: fails,
            warmer_exit: 0,
            warmer_failures: 0,
        },
    )
}

/// Registers the one-off warmer task definition used to re-warm running tasks.
pub fn register_warmer(w: &mut RegionWorld, spec: &ServiceSpec, at_ms: i64) -> String {
    let group = format!("/ecs/{}", spec.family);
    let warmer = ContainerDef {
        essential: true,
        command: vec!["curl".into(), "-fsS".into(), "http://localhost/opcache_warmer.php".into()],
        health_check: false,
        behaviour: ContainerBehaviour::Warmer,
        ..server("warmer", ecr(w, "wordpress-warmer:latest"), &group, &[])
    };
    let td = small_task_def(w, &spec.warmer_family, warmer, at_ms);
    register(w, td)
}

/// Registers the filler services' static site task definition.
pub fn register_static_site(w: &mut RegionWorld, at_ms: i64) -> String {
    if let Some(td) = w.latest_task_def("static-site") {
        return td.arn.clone();
    }
    let web = ContainerDef {
        log_prefix: "static".into(),
        ..server("nginx", "public.ecr.aws/nginx/nginx:stable-alpine".into(), "/ecs/static-site", &[])
    };
    let td = small_task_def(w, "static-site", web, at_ms);
    register(w, td)
}

/// A one-container Fargate task definition of 256 CPU units and 512 MiB (the one-off warmer,
/// the filler services' static site), to be registered as the family's next revision.
fn small_task_def(w: &RegionWorld, family: &str, container: ContainerDef, at_ms: i64) -> TaskDef {
    TaskDef {
        family: family.to_string(),
        revision: 0,
        arn: String::new(),
        containers: vec![container],
        cpu: "256".into(),
        memory: "512".into(),
        execution_role: format!("arn:aws:iam::{}:role/ecsTaskExecutionRole", w.account),
        task_role: String::new(),
        volumes: Vec::new(),
        registered_at_ms: at_ms,
        status: "ACTIVE".into(),
        digests: BTreeMap::new(),
        fails_health_checks: false,
        warmer_exit: 0,
        warmer_failures: 0,
    }
}

/// Registers a task definition. A zero revision means "the next one of the family". Image
/// digests are fixed at registration (a mutable tag resolves to what was pushed last).
pub fn register(w: &mut RegionWorld, mut td: TaskDef) -> String {
    let existing = w.task_defs.get(&td.family).map(|v| v.iter().map(|t| t.revision).max().unwrap_or(0)).unwrap_or(0);
    if td.revision <= 0 {
        td.revision = existing + 1;
    }
    td.arn = w.arn("ecs", &format!("task-definition/{}:{}", td.family, td.revision));
    for c in &td.containers {
        let salt = format!("{}{}{}", td.family, td.revision, c.name);
        let digest = format!("sha256:{}", w.ids.hex(&salt, 64));
        // A pipeline pushed the image before registering the revision that names it.
        w.ecr.pushed(&w.account.clone(), &w.region.clone(), &c.image, &c.name, &digest, td.registered_at_ms);
        td.digests.insert(c.name.clone(), digest);
    }
    w.logs.create_group(&td.containers.first().map(|c| c.log_group.clone()).unwrap_or_default(), td.registered_at_ms);
    let arn = td.arn.clone();
    let list = w.task_defs.entry(td.family.clone()).or_default();
    list.push(td);
    list.sort_by_key(|t| t.revision);
    arn
}
