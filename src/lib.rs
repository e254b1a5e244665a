//! wpops: a terminal operations console for WordPress sites on AWS ECS Fargate, and the
//! embedded AWS-compatible simulator it is demonstrated and tested against. The rooms are laid
//! out in ARCHITECTURE.md: `model` (domain types and parsers), `aws` (the only room that talks
//! to AWS), `sim` (the simulator), `cli` (command line), `feed` (pollers and actions), `app`
//! (state and the pure update), `ui` (drawing), `tui` (the terminal loop) and `signals` (the
//! stop signals the terminal loop and the actions wait on).

/// mimalloc instead of the system allocator for every binary built on this crate (the `wpops`
/// binary, the benches and examples, the tests): the log path allocates a line's strings as
/// pages arrive and frees the oldest lines' as the ring evicts them, and glibc's malloc spent
/// a third of that path coalescing freed chunks (docs/performance.md, P1).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod app;
pub mod aws;
pub mod cli;
pub mod feed;
pub mod model;
pub mod signals;
pub mod sim;
pub mod tui;
pub mod ui;
