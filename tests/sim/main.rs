//! The simulator through the real AWS SDK clients, on a paused clock (`wpops_fixtures::sim`):
//! ECS, ECR, CloudWatch Logs, CloudWatch metrics (its JSON and Query protocols by hand), ELBv2 and
//! WAFv2, one traffic model, scenario dynamics, the incident's three hours of history
//! (`history*.rs`), and the `/_sim` control endpoint with the `wpops sim` binary; and botocore as
//! an independent referee (`conformance.rs`).

mod conformance;
mod control;
mod ecr;
mod ecs;
mod elb;
mod history;
mod history_logs;
mod live_tail;
mod logs;
mod metric_math;
mod metrics;
mod protocols;
mod put_limits;
mod scenarios;
mod traffic;
mod waf;
