//! The only room that talks to AWS: builds the SDK clients, calls the APIs, maps the SDK's
//! shapes to `model` types and its errors to `AwsError`. Nothing here knows about screens,
//! messages or the terminal.

pub mod client;
pub mod ecr;
pub mod ecs;
pub mod ecs_write;
pub mod elb;
pub mod error;
pub mod host_prefix;
pub mod logs;
pub mod metrics;
pub mod profiles;
pub mod readonly;
pub mod regions;
pub mod trace;
pub mod waf;

pub use client::{Clients, Target};
pub use error::{AwsError, AwsErrorKind};
