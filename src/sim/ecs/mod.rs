//! The simulated ECS: state types, task lifecycle, the service scheduler, warming and the task
//! definitions of the seed's WordPress site.

pub mod history_logs;
pub mod lifecycle;
pub mod scheduler;
pub mod taskdefs;
pub mod types;
pub mod warming;
