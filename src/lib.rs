//! wpops library.
pub mod sim;
