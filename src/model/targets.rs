//! The load balancer's view of each task: target health per registered IP and port, as plain
//! values decoupled from the ELBv2 SDK. No IO.

use serde::{Deserialize, Serialize};

use super::ecs::Task;
use super::text_enum::text_enum;

text_enum! {
    /// ELBv2 TargetHealthStateEnum (lower-case words, as the API spells them).
    TargetState, default Unavailable {
        Healthy => "healthy",
        Unhealthy => "unhealthy",
        UnhealthyDraining => "unhealthy.draining",
        Draining => "draining",
        Initial => "initial",
        Unused => "unused",
        Unavailable => "unavailable",
    }
}

/// One registered target (for Fargate: a task's private IP) and its health.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetHealth {
    /// The target id: an IP address for Fargate tasks.
    pub ip: String,
    pub port: Option<u16>,
    pub state: TargetState,
    /// `Target.ResponseCodeMismatch`, `Elb.InitialHealthChecking`…
    pub reason: Option<String>,
    pub description: Option<String>,
}

impl TargetHealth {
    /// `10.0.1.23:80` (or just the IP).
    pub fn address(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.ip),
            None => self.ip.clone(),
        }
    }

    /// True when the load balancer is failing this target's health checks.
    pub fn is_unhealthy(&self) -> bool {
        matches!(self.state, TargetState::Unhealthy | TargetState::UnhealthyDraining)
    }
}

/// The target registered for this task's private IP, if any.
pub fn target_for_task<'a>(targets: &'a [TargetHealth], task: &Task) -> Option<&'a TargetHealth> {
    let ip = task.private_ip.as_deref()?;
    targets.iter().find(|t| t.ip == ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_parse_and_targets_match_tasks() {
        assert_eq!(TargetState::parse("healthy"), TargetState::Healthy);
        assert_eq!(TargetState::parse("UNHEALTHY"), TargetState::Unhealthy);
        assert_eq!(TargetState::parse("unhealthy.draining"), TargetState::UnhealthyDraining);
        assert_eq!(TargetState::parse("new"), TargetState::Other("new".into()));
        let targets = vec![
            TargetHealth {
                ip: "10.0.1.23".into(),
                port: Some(80),
                state: TargetState::Unhealthy,
                reason: Some("Target.ResponseCodeMismatch".into()),
                description: None,
            },
            TargetHealth { ip: "10.0.3.41".into(), port: None, state: TargetState::Healthy, ..TargetHealth::default() },
        ];
        assert_eq!(targets[0].address(), "10.0.1.23:80");
        assert_eq!(targets[1].address(), "10.0.3.41");
        assert!(targets[0].is_unhealthy() && !targets[1].is_unhealthy());
        let task = Task { private_ip: Some("10.0.3.41".into()), ..Task::default() };
        assert_eq!(target_for_task(&targets, &task), Some(&targets[1]));
        assert_eq!(target_for_task(&targets, &Task::default()), None);
    }
}
