//! wpops: a terminal operations console for WordPress sites on AWS ECS Fargate, and the
//! embedded AWS-compatible simulator it is demonstrated and tested against. The rooms are laid
//! out in ARCHITECTURE.md: `sim` (the simulator), `cli` (command line); more come with the console.

pub mod cli;
pub mod sim;
