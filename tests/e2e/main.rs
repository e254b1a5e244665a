//! The library end to end against the in-process simulator through the real SDK: the feeds and
//! the action runners, the console's op runner, the console-side fault drills (the feeds under
//! chaos, a log burst through `app::update`), and the shipped IAM policies against the code.

mod actions;
mod drill_feeds;
mod drill_log_burst;
mod feeds;
mod iam_policies;
mod lifetime;
mod live_tail;
mod ops_runner;
mod past_tasks;
mod report;
mod tail;
mod window;
