//! The simulator through the real AWS SDK clients, on a paused clock (`wpops_fixtures::sim`):
//! ECS, CloudWatch Logs, CloudWatch metrics and WAFv2, scenario dynamics, and the `/_sim`
//! control endpoint with the `wpops sim` binary.

mod control;
mod ecs;
mod logs;
mod metrics;
mod put_limits;
mod scenarios;
mod waf;
