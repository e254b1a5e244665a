//! wpops library.
