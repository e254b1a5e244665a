//! Exit codes of every subcommand (PRODUCT.md: a contract that scripts rely on).

/// Healthy, or the action succeeded.
pub const OK: u8 = 0;
/// Unhealthy, or the action's outcome failed.
pub const UNHEALTHY: u8 = 1;
/// stdout could not be written (a full disk, an I/O error): the same code as a failed outcome,
/// since what the command was to say did not arrive. A closed pipe (`| head`) is not a failure.
pub const WRITE_FAILED: u8 = 1;
/// Usage or configuration error.
pub const USAGE: u8 = 2;
/// AWS could not answer: credentials, access denied, unreachable, throttled, timed out.
pub const AWS_UNAVAILABLE: u8 = 3;
/// Refused: read-only, not confirmed, another deployment in progress.
pub const REFUSED: u8 = 4;
