//! Why an action could not be previewed or carried out, as a value that travels from the
//! runners in `feed/` to the console and the command line: refused (exit 4), AWS could not
//! answer (exit 3), or nothing to act on (exit 2). Plain data with `Display`.

use std::fmt;

use super::platform::FetchError;

/// Why an action did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpFailure {
    /// Read-only, not confirmed, another deployment in progress.
    Refused(String),
    /// AWS could not answer (credentials, access denied, unreachable, throttled).
    Unavailable(FetchError),
    /// Nothing to act on, or a setting is missing.
    Impossible(String),
}

impl fmt::Display for OpFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpFailure::Refused(why) => write!(f, "refused: {why}"),
            OpFailure::Unavailable(e) => write!(f, "{e}"),
            OpFailure::Impossible(why) => f.write_str(why),
        }
    }
}
