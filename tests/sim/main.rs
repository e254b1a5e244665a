//! The simulator through the real AWS SDK clients, on a paused clock (`wpops_fixtures::sim`):
//! ECS, CloudWatch Logs, CloudWatch metrics (and its JSON and Query protocols by hand) and WAFv2, scenario dynamics, and the `/_sim`
//! control endpoint with the `wpops sim` binary.

mod control;
mod ecs;
mod elb;
mod logs;
mod metric_math;
mod metrics;
mod protocols;
mod put_limits;
mod scenarios;
mod traffic;
mod waf;
