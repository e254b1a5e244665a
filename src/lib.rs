//! wpops library.
pub mod model;
pub mod sim;
