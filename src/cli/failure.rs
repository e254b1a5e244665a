//! How a subcommand fails: one `Failure` carrying its exit code (PRODUCT.md), the command, one
//! line saying what went wrong and a hint, printed once at the edge by `cli::main`. Subcommands
//! return `Outcome`: `Ok(code)` is a verdict or an action's outcome (0 ok or healthy, 1
//! unhealthy or failed), `Err(Failure)` everything the command could not do.

use std::fmt;

use super::exit;
use crate::aws::{AwsError, AwsErrorKind};
use crate::feed::runners::ActionError;

/// What a subcommand ends with.
pub type Outcome = Result<u8, Failure>;

/// A subcommand that could not do what it was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// 2 usage or configuration, 3 AWS could not answer, 4 refused (1 for a console that
    /// stopped on a failure of its own).
    pub code: u8,
    /// `status`, `logs`, `status --all`…; empty for the console itself.
    pub command: String,
    pub message: String,
    /// What to do about it (`aws sso login --profile …`), when there is something.
    pub hint: Option<String>,
}

impl Failure {
    /// A usage or configuration error (exit 2).
    pub fn usage(command: &str, message: impl Into<String>) -> Failure {
        Failure::with_code(exit::USAGE, command, message)
    }

    /// Refused before anything was sent: read-only, not confirmed (exit 4).
    pub fn refused(command: &str, message: impl Into<String>) -> Failure {
        Failure::with_code(exit::REFUSED, command, message)
    }

    /// Any other failure with its own code.
    pub fn with_code(code: u8, command: &str, message: impl Into<String>) -> Failure {
        Failure { code, command: command.to_string(), message: message.into(), hint: None }
    }

    /// AWS could not answer (exit 3; 2 when what was named does not exist).
    pub fn aws(command: &str, e: &AwsError, profile: Option<&str>) -> Failure {
        Failure { hint: Some(e.hint(profile)), ..Failure::with_code(aws_exit_code(e), command, e.to_string()) }
    }

    /// An action that did not happen or did not finish.
    pub fn action(command: &str, e: &ActionError) -> Failure {
        let code = match e {
            ActionError::Refused(_) => exit::REFUSED,
            ActionError::Usage(_) => exit::USAGE,
            ActionError::Aws(a) => aws_exit_code(a),
        };
        Failure::with_code(code, command, e.to_string())
    }
}

/// The exit code of an AWS error: 2 when what was named does not exist, else 3.
pub fn aws_exit_code(e: &AwsError) -> u8 {
    match e.kind {
        AwsErrorKind::NotFound => exit::USAGE,
        _ => exit::AWS_UNAVAILABLE,
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.command.is_empty() {
            write!(f, "wpops: {}", self.message)?;
        } else {
            write!(f, "wpops {}: {}", self.command, self.message)?;
        }
        match &self.hint {
            Some(h) if !h.is_empty() => write!(f, " ({h})"),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_with_the_command_and_the_hint() {
        assert_eq!(Failure::usage("logs", "--filter: bad").to_string(), "wpops logs: --filter: bad");
        assert_eq!(Failure::usage("", "no site").to_string(), "wpops: no site");
        let e = AwsError::new(AwsErrorKind::Throttled, "ecs:DescribeServices", "Rate exceeded");
        let f = Failure::aws("status", &e, None);
        assert_eq!(f.code, exit::AWS_UNAVAILABLE);
        assert_eq!(f.to_string(), format!("wpops status: {} ({})", e, e.hint(None)));
        assert_eq!(Failure::action("warm", &ActionError::Refused("read-only".into())).code, exit::REFUSED);
    }
}
