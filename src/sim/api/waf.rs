//! Placeholder for the simulated waf API; replaced by its full implementation.

use super::{Caller, Reply};
use crate::sim::error::ApiError;
use crate::sim::world::RegionWorld;

pub fn handle(_w: &mut RegionWorld, _caller: &Caller, op: &str, _body: &[u8]) -> Result<Reply, ApiError> {
    Err(ApiError::unknown_operation(op))
}
