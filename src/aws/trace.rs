//! What wpops's AWS calls did, for `--log-file`: an SDK interceptor on every client that logs
//! each failed attempt (throttled, a 5xx, a timeout, no connection: the SDK's retries included)
//! as a warning, and each mutating request and its answer at info. It logs the operation, the
//! attempt, the HTTP status and the error's code and message — never headers (the signature),
//! bodies (task overrides may carry secrets) or credentials. Successful reads are traced only.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// An AWS error message as it may go to the log: one sanitised line, at most this many chars.
const MAX_MESSAGE: usize = 240;

/// The interceptor.
#[derive(Debug, Clone, Copy, Default)]
pub struct Trace;

/// `ECS:DescribeServices` and whether it changes anything (not on the read-only allow-list).
fn operation(cfg: &ConfigBag) -> (String, bool) {
    match cfg.load::<Metadata>() {
        Some(m) => (format!("{}:{}", m.service(), m.name()), !super::readonly::allowed(m.name())),
        None => ("unidentified operation".into(), true),
    }
}

fn attempt(cfg: &ConfigBag) -> u32 {
    cfg.load::<RequestAttempts>().map_or(1, RequestAttempts::attempts)
}

/// One line for the log: no control characters, bounded.
fn line(text: &str) -> String {
    let clean = crate::model::sanitize_line(text);
    match clean.char_indices().nth(MAX_MESSAGE) {
        Some((cut, _)) => format!("{}…", &clean[..cut]),
        None => clean,
    }
}

impl Intercept for Trace {
    fn name(&self) -> &'static str {
        "wpops-trace"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (op, mutating) = operation(cfg);
        let attempt = attempt(cfg);
        if mutating {
            tracing::info!(operation = %op, attempt, "sending {op}");
        } else {
            tracing::trace!(operation = %op, attempt, "sending {op}");
        }
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (op, mutating) = operation(cfg);
        let attempt = attempt(cfg);
        let status = context.response().map(|r| r.status().as_u16());
        let failure = match context.output_or_error() {
            Some(Ok(_)) => None,
            Some(Err(e)) if e.is_timeout_error() => Some("timed out".to_string()),
            Some(Err(e)) => Some(match (e.as_operation_error(), e.as_connector_error()) {
                (Some(op_error), _) => line(&op_error.to_string()),
                (None, Some(conn)) => format!("no answer: {}", line(&conn.to_string())),
                (None, None) => line(&e.to_string()),
            }),
            None => Some("no answer".to_string()),
        };
        match (failure, status) {
            (Some(why), Some(status)) => {
                tracing::warn!(operation = %op, attempt, status, "{op} attempt {attempt} failed: HTTP {status}: {why}")
            }
            (Some(why), None) => tracing::warn!(operation = %op, attempt, "{op} attempt {attempt} failed: {why}"),
            (None, status) if mutating => {
                tracing::info!(operation = %op, attempt, status, "{op} succeeded (HTTP {})", status.unwrap_or(0))
            }
            (None, status) => tracing::trace!(operation = %op, attempt, status, "{op} succeeded"),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_bounded_line() {
        assert_eq!(line("Rate exceeded"), "Rate exceeded");
        let long = line(&"x".repeat(1_000));
        assert_eq!(long.chars().count(), MAX_MESSAGE + 1);
        assert!(!line("a\u{1b}]52;c;bad\u{7}b").contains('\u{1b}'));
    }
}
