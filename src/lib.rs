//! wpops: a terminal operations console for WordPress sites on AWS ECS Fargate, and the
//! embedded AWS-compatible simulator it is demonstrated and tested against. The rooms are laid
//! out in ARCHITECTURE.md: `model` (domain types and parsers), `aws` (the only room that talks
//! to AWS), `sim` (the simulator), `cli` (command line); more come with the console.

pub mod app;
pub mod aws;
pub mod cli;
pub mod feed;
pub mod model;
pub mod sim;
pub mod tui;
pub mod ui;
