//! Posture rules on the task definition: read-only roots, the EFS code volume read-only and
//! encrypted in transit, the warmer's wiring and command, secrets kept out of the environment,
//! logging with awslogs, no privileged containers.

use super::{container_path, finding, names};
use crate::model::ecs::{ContainerDef, Task, TaskDefinition};
use crate::model::findings::{Finding, Severity};
use crate::model::logline::ContainerRole;

/// The log driver wpops (and the seed) read container logs through.
pub const LOG_DRIVER: &str = "awslogs";
/// The shell's exit code for "command not found".
pub const WARMER_NOT_FOUND_EXIT: i32 = 127;
/// Words that start a shell rather than name the warmer's program.
const SHELL_WORDS: &[&str] = &["sh", "bash", "ash", "-c", "-lc", "-ec", "-euc", "exec", "set", "-e", "&&"];

/// ECS.5: every container with a read-only root filesystem.
pub fn readonly_root(td: &TaskDefinition) -> Vec<Finding> {
    td.containers
        .iter()
        .filter(|c| !c.readonly_root)
        .map(|c| {
            finding("ecs_readonly_root", Severity::High, &c.name, format!("{} has a writable root filesystem", c.name))
                .evidence(format!("{}: readonlyRootFilesystem is false or unset ({})", c.name, td_name(td)))
                .control("ECS.5")
                .change(format!(
                    "set {}.readonlyRootFilesystem to true; give the paths it writes (/tmp, /var/run, /var/cache/nginx) their own volumes",
                    container_path(&c.name)
                ))
        })
        .collect()
}

/// The EFS volume (where the code is) mounted read-only in every container: deploys write
/// through the writer origin, never through a serving task.
pub fn efs_code_read_only(td: &TaskDefinition) -> Vec<Finding> {
    let mut out = Vec::new();
    for v in td.volumes.iter().filter(|v| v.is_efs()) {
        for c in &td.containers {
            for m in c.mount_points.iter().filter(|m| m.source_volume == v.name && !m.read_only) {
                let title =
                    format!("EFS volume {} is mounted read-write in {} at {}", v.name, c.name, m.container_path);
                out.push(
                    finding("efs_mount_read_only", Severity::High, &format!("{}:{}", c.name, v.name), title)
                        .evidence(format!(
                            "{}: mountPoints[sourceVolume={}] at {} has readOnly false ({})",
                            c.name,
                            v.name,
                            m.container_path,
                            v.efs_file_system_id.as_deref().unwrap_or("EFS")
                        ))
                        .evidence("a compromised PHP process could rewrite the site's code on EFS")
                        .change(format!(
                            "set {}.mountPoints[sourceVolume={}].readOnly to true; deploy code through the writer origin",
                            container_path(&c.name),
                            v.name
                        )),
                );
            }
        }
    }
    out
}

/// AVD-AWS-0035: EFS volumes encrypted in transit.
pub fn efs_transit_encryption(td: &TaskDefinition) -> Vec<Finding> {
    td.volumes
        .iter()
        .filter(|v| v.is_efs() && !v.efs_transit_encryption)
        .map(|v| {
            finding(
                "efs_transit_encryption",
                Severity::High,
                &v.name,
                format!("EFS volume {} is not encrypted in transit", v.name),
            )
            .evidence(format!(
                "volumes[{}].efsVolumeConfiguration ({}): transitEncryption is DISABLED or unset",
                v.name,
                v.efs_file_system_id.as_deref().unwrap_or("")
            ))
            .control("AVD-AWS-0035")
            .change(format!("set volumes[{}].efsVolumeConfiguration.transitEncryption to ENABLED", v.name))
        })
        .collect()
}

/// The warmer: present, non-essential (its exit must not stop the task), and started after
/// nginx and php-fpm (`dependsOn`), or it calls a server that is not there yet.
pub fn warmer_wiring(td: &TaskDefinition) -> Vec<Finding> {
    let Some(w) = td.container(&ContainerRole::Warmer) else {
        return vec![
            finding("warmer_missing", Severity::Low, "warmer", "no warmer container in the task definition")
                .evidence(format!(
                    "{}: containers {}",
                    td_name(td),
                    names(td.containers.iter().map(|c| c.name.as_str()))
                ))
                .evidence("every new task serves its first requests with a cold OPcache (~10 s from EFS)")
                .change("add the seed's warmer: a curl container, essential false, dependsOn nginx and php-fpm"),
        ];
    };
    let mut out = Vec::new();
    if w.essential {
        out.push(
            finding("warmer_essential", Severity::High, &w.name, format!("the warmer {} is essential", w.name))
                .evidence(format!("{}: essential is true; a warmer exits once it has warmed", w.name))
                .evidence("when an essential container exits ECS stops the whole task, so every task would cycle")
                .change(format!("set {}.essential to false", container_path(&w.name))),
        );
    }
    let servers: Vec<&ContainerDef> =
        td.containers.iter().filter(|c| matches!(c.role, ContainerRole::Nginx | ContainerRole::PhpFpm)).collect();
    let missing: Vec<&str> = servers
        .iter()
        .filter(|s| !w.depends_on.iter().any(|d| d.container == s.name))
        .map(|s| s.name.as_str())
        .collect();
    if !missing.is_empty() {
        let has: Vec<String> = w.depends_on.iter().map(|d| format!("{} {}", d.container, d.condition)).collect();
        out.push(
            finding(
                "warmer_depends_on",
                Severity::Medium,
                &w.name,
                format!("the warmer does not wait for {}", names(missing.iter().copied())),
            )
            .evidence(format!(
                "{}: dependsOn {}",
                w.name,
                if has.is_empty() { "is empty".to_string() } else { has.join(", ") }
            ))
            .evidence("started first, it calls a server that is not up yet (curl exit 7, connection refused)")
            .change(format!(
                "add {{containerName, condition: START}} for {} to {}.dependsOn",
                names(missing.iter().copied()),
                container_path(&w.name)
            )),
        );
    }
    out
}

/// The program a command runs, past any shell wrapper: `["/bin/sh", "-c", "GET \"http://…\""]`
/// → `GET`. `None` for an empty command (the image's own CMD runs).
pub fn command_program(command: &[String]) -> Option<String> {
    let joined = command.join(" ");
    joined
        .split_whitespace()
        .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .find(|w| !w.is_empty() && !SHELL_WORDS.contains(w))
        .map(str::to_owned)
}

/// The warmer's command is a curl call. The seed's `CMD GET …` needs libwww-perl's `GET`,
/// which a curl image does not have: the shell exits 127 (command not found) and the task
/// serves with a cold OPcache. Worse (high) when running warmers did exit 127.
pub fn warmer_command(td: &TaskDefinition, tasks: &[Task]) -> Vec<Finding> {
    let Some(w) = td.container(&ContainerRole::Warmer) else { return Vec::new() };
    let full: Vec<String> = w.entry_point.iter().chain(&w.command).cloned().collect();
    let exited_127: Vec<&Task> = tasks
        .iter()
        .filter(|t| t.task_definition == td.arn)
        .filter(|t| t.warmer().is_some_and(|c| c.exit_code == Some(WARMER_NOT_FOUND_EXIT)))
        .collect();
    let program = command_program(&full);
    let curl = program.as_deref() == Some("curl");
    if curl || (program.is_none() && exited_127.is_empty()) {
        return Vec::new();
    }
    let severity = if exited_127.is_empty() { Severity::Medium } else { Severity::High };
    let title = match &program {
        Some(p) => format!("the warmer runs {p}, not curl"),
        None => "the warmer's command is not found (exit 127)".to_string(),
    };
    let mut f = finding("warmer_command", severity, &w.name, title).evidence(match program {
        Some(_) => format!("{}: command {}", w.name, full.join(" ")),
        None => format!("{}: no command in the task definition: the image's CMD runs", w.name),
    });
    f = f.evidence(
        "the seed's CMD GET … needs libwww-perl's GET; a curl image has no GET, so the shell exits 127 (command not found) and OPcache stays cold",
    );
    if !exited_127.is_empty() {
        let ids: Vec<&str> = exited_127.iter().map(|t| crate::model::ids::task_prefix(t.id.as_str())).collect();
        f = f.evidence(format!("warmer exited 127 on {} running task(s): {}", ids.len(), ids.join(", ")));
    }
    vec![f.change(format!(
        "set {}.command to [\"curl\", \"-fsS\", \"--max-time\", \"110\", \"http://localhost/opcache_warmer.php\"]",
        container_path(&w.name)
    ))]
}

/// ECS.8: no secrets in environment variables (names only; values are never kept).
pub fn secrets_in_environment(td: &TaskDefinition) -> Vec<Finding> {
    td.containers
        .iter()
        .filter_map(|c| {
            let vars: Vec<&str> = c.environment.iter().filter(|v| v.looks_secret).map(|v| v.name.as_str()).collect();
            if vars.is_empty() {
                return None;
            }
            Some(
                finding(
                    "ecs_secrets_in_environment",
                    Severity::High,
                    &c.name,
                    format!("{} has a secret in its environment: {}", c.name, names(vars.iter().copied())),
                )
                .evidence(format!("{}: environment {} (value not shown)", c.name, names(vars.iter().copied())))
                .evidence("environment values are readable by anyone who can describe the task definition")
                .control("ECS.8")
                .change(format!(
                    "move {} from {}.environment to secrets, valueFrom an SSM parameter or a Secrets Manager ARN",
                    names(vars.iter().copied()),
                    container_path(&c.name)
                )),
            )
        })
        .collect()
}

/// ECS.9: every container logs, with awslogs (what wpops and the seed read); blocking mode
/// noted, since a CloudWatch Logs hiccup then stalls the container's writes.
pub fn logging(td: &TaskDefinition) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in &td.containers {
        let path = container_path(&c.name);
        match c.log_driver.as_deref() {
            None => out.push(
                finding("ecs_logging", Severity::High, &c.name, format!("{} has no log configuration", c.name))
                    .evidence(format!("{}: no logConfiguration", c.name))
                    .control("ECS.9")
                    .change(format!(
                        "set {path}.logConfiguration to logDriver awslogs with awslogs-group and awslogs-stream-prefix"
                    )),
            ),
            Some(d) if d != LOG_DRIVER => out.push(
                finding(
                    "ecs_logging_driver",
                    Severity::Medium,
                    &c.name,
                    format!("{} logs with {d}, not awslogs", c.name),
                )
                .evidence(format!(
                    "{}: logConfiguration.logDriver {d}: wpops cannot tail or find its warm reports",
                    c.name
                ))
                .control("ECS.9")
                .change(format!("set {path}.logConfiguration.logDriver to awslogs")),
            ),
            Some(_) if c.log_mode.as_deref() == Some("blocking") => out.push(
                finding("ecs_logging_blocking", Severity::Low, &c.name, format!("{} logs in blocking mode", c.name))
                    .evidence(format!("{}: logConfiguration.options.mode blocking", c.name))
                    .evidence(
                        "when CloudWatch Logs cannot take lines, the container's writes to stdout and stderr stall",
                    )
                    .change(format!("set {path}.logConfiguration.options.mode to non-blocking (with max-buffer-size)")),
            ),
            Some(_) => {}
        }
    }
    out
}

/// ECS.4: no privileged containers.
pub fn privileged(td: &TaskDefinition) -> Vec<Finding> {
    td.containers
        .iter()
        .filter(|c| c.privileged)
        .map(|c| {
            finding("ecs_privileged", Severity::High, &c.name, format!("{} runs privileged", c.name))
                .evidence(format!("{}: privileged is true: root on the host's kernel capabilities", c.name))
                .control("ECS.4")
                .change(format!("set {}.privileged to false", container_path(&c.name)))
        })
        .collect()
}

/// `wordpress:42`, or the ARN when it does not parse.
fn td_name(td: &TaskDefinition) -> String {
    if td.family.is_empty() { td.arn.as_str().to_string() } else { format!("{}:{}", td.family, td.revision) }
}

#[cfg(test)]
#[path = "task_tests.rs"]
mod tests;
