//! Errors from AWS, reduced to the few kinds an operator acts on (throttled, access denied, not
//! found, credentials, network, other), each with the operation it came from and a hint. The
//! SDK's error types stop here: nothing above `aws/` sees them.

use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::error::display::DisplayErrorContext;

/// What kind of failure, in the operator's terms (the model's kind, so views can show it).
pub use crate::model::FetchErrorKind as AwsErrorKind;

/// One failed AWS call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{operation}: {message}")]
pub struct AwsError {
    pub kind: AwsErrorKind,
    /// `service:Operation`, e.g. `ecs:DescribeServices` (also the IAM action it needs).
    pub operation: String,
    pub code: Option<String>,
    pub message: String,
}

impl AwsError {
    pub fn new(kind: AwsErrorKind, operation: &str, message: impl Into<String>) -> Self {
        AwsError { kind, operation: operation.to_string(), code: None, message: message.into() }
    }

    /// What the operator can do about it.
    pub fn hint(&self, profile: Option<&str>) -> String {
        match self.kind {
            AwsErrorKind::Throttled => "AWS is throttling requests; wpops backs off and retries".into(),
            AwsErrorKind::AccessDenied => format!(
                "the caller lacks the IAM action {}; assets/iam/wpops-readonly.json lists what wpops reads",
                self.operation
            ),
            AwsErrorKind::NotFound => "check the cluster, service and region names".into(),
            AwsErrorKind::Credentials => match profile {
                Some(p) => format!("credentials are missing or expired: run `aws sso login --profile {p}`"),
                None => "credentials are missing or expired: set AWS_PROFILE, or run `aws sso login --profile <name>`"
                    .into(),
            },
            AwsErrorKind::Network => {
                "AWS could not be reached: check the network, the region and any --endpoint-url".into()
            }
            AwsErrorKind::Other if self.code.as_deref() == Some(UNREADABLE_CODE) => {
                "the endpoint answered in a form AWS does not use; an AWS-compatible endpoint may lack this operation"
                    .into()
            }
            AwsErrorKind::Other => "AWS answered with an error".into(),
        }
    }

    /// The failure as the rest of the program sees it.
    pub fn to_fetch_error(&self, profile: Option<&str>) -> crate::model::FetchError {
        crate::model::FetchError {
            kind: self.kind,
            operation: self.operation.clone(),
            message: self.message.clone(),
            hint: self.hint(profile),
        }
    }

    /// A one-line report with the hint, for the edge of the program.
    pub fn report(&self, profile: Option<&str>) -> String {
        format!("{self} ({})", self.hint(profile))
    }
}

/// The `code` of an `AwsError` for a request refused by read-only mode (never sent).
pub const READ_ONLY_CODE: &str = "WpopsReadOnly";

impl AwsError {
    /// Whether asking again soon may succeed (throttled, the network): a poller then keeps its
    /// last picture and backs off, rather than showing a partial one.
    pub fn is_transient(&self) -> bool {
        matches!(self.kind, AwsErrorKind::Throttled | AwsErrorKind::Network)
    }

    /// Whether read-only mode refused this request before it was sent.
    pub fn is_read_only_refusal(&self) -> bool {
        self.code.as_deref() == Some(READ_ONLY_CODE)
    }
}

/// The `code` of an `AwsError` for an answer that is no AWS error: a body the SDK could not parse
/// (an HTML page from an emulator that lacks the operation), or a status without an error code.
pub const UNREADABLE_CODE: &str = "WpopsUnreadableAnswer";

/// The kind of a service error code.
pub fn kind_of_code(code: &str) -> AwsErrorKind {
    match code {
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "LimitExceededException"
        | "WAFLimitsExceededException" => AwsErrorKind::Throttled,
        "AccessDenied"
        | "AccessDeniedException"
        | "UnauthorizedOperation"
        | "UnauthorizedException"
        | "WAFAccessDeniedException" => AwsErrorKind::AccessDenied,
        "ExpiredToken"
        | "ExpiredTokenException"
        | "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "InvalidSignatureException"
        | "SignatureDoesNotMatch"
        | "MissingAuthenticationToken" => AwsErrorKind::Credentials,
        c if c.contains("NotFound") || c == "WAFNonexistentItemException" => AwsErrorKind::NotFound,
        _ => AwsErrorKind::Other,
    }
}

/// Maps any SDK error to an `AwsError` for `operation`.
pub fn from_sdk<E>(operation: &str, err: SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let text = DisplayErrorContext(&err).to_string();
    let lower = text.to_ascii_lowercase();
    if text.contains(super::readonly::REFUSAL) {
        let message = format!("{operation} {}", super::readonly::REFUSAL);
        return AwsError {
            kind: AwsErrorKind::Other,
            operation: operation.to_string(),
            code: Some(READ_ONLY_CODE.into()),
            message,
        };
    }
    let (kind, code, message) = match &err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let code = e.code().map(str::to_string);
            let kind = code.as_deref().map(kind_of_code).unwrap_or(AwsErrorKind::Other);
            let raw = se.raw();
            match (code, e.message()) {
                (None, None) => (
                    AwsErrorKind::Other,
                    Some(UNREADABLE_CODE.to_string()),
                    unreadable_in_words(raw.status().as_u16(), raw.body().bytes()),
                ),
                (code, msg) => {
                    let status = raw.status().as_u16();
                    (kind, code, msg.map(str::to_string).unwrap_or_else(|| format!("HTTP {status}")))
                }
            }
        }
        SdkError::ResponseError(re) => {
            // The SDK's own text here is a Debug dump of its parser's error: it goes to the log.
            tracing::warn!(operation, error = %text, "unreadable response");
            let raw = re.raw();
            (
                AwsErrorKind::Other,
                Some(UNREADABLE_CODE.to_string()),
                unreadable_in_words(raw.status().as_u16(), raw.body().bytes()),
            )
        }
        SdkError::TimeoutError(_) => (AwsErrorKind::Network, None, "timed out".to_string()),
        _ if lower.contains("credential") || lower.contains("token has expired") || lower.contains("sso") => {
            // The provider chain's whole story goes to the log file; the operator gets one line.
            tracing::warn!(operation, error = %text, "credentials");
            (AwsErrorKind::Credentials, None, credentials_in_words(&text))
        }
        SdkError::DispatchFailure(_) => {
            tracing::warn!(operation, error = %text, "dispatch failure");
            (AwsErrorKind::Network, None, unreachable_in_words(&text, &format!("{err:?}")))
        }
        _ => (AwsErrorKind::Other, None, short(&text)),
    };
    AwsError { kind, operation: operation.to_string(), code, message: crate::model::sanitize_line(&message) }
}

/// "no AWS credentials found (tried …)", or the first line of the provider's message in words,
/// from the SDK's provider-chain text (one line per provider tried).
fn credentials_in_words(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    if lower.contains("no credentials found in chain") || lower.contains("no credentials") {
        let tried: Vec<&str> = ["Environment", "Profile", "WebIdentityToken", "EcsContainer", "Ecs", "Imds", "SSO"]
            .into_iter()
            .filter(|p| text.contains(&format!("{p}:")))
            .map(|p| match p {
                "Environment" => "environment",
                "Profile" => "profile files",
                "WebIdentityToken" => "web identity",
                "EcsContainer" | "Ecs" => "ECS container",
                "Imds" => "IMDS",
                _ => "SSO",
            })
            .collect();
        return if tried.is_empty() {
            "no AWS credentials found".into()
        } else {
            format!("no AWS credentials found (tried {})", tried.join(", "))
        };
    }
    if lower.contains("token has expired") || lower.contains("expired") {
        return "the AWS credentials have expired".into();
    }
    // The first line of the innermost message, without the SDK's "dispatch failure: other:".
    let first = text.split(['\n', '␊']).next().unwrap_or(text);
    short(first.rsplit(": ").next().unwrap_or(first))
}

/// "cannot reach 127.0.0.1:4599 (connection refused)": where and why, from the SDK's error text
/// (Display) and its Debug form (which names the address the connection went to).
fn unreachable_in_words(text: &str, debug: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let why = if lower.contains("connection refused") {
        "connection refused"
    } else if lower.contains("dns error") || lower.contains("failed to lookup") {
        "the name does not resolve"
    } else if lower.contains("timed out") || lower.contains("timeout") {
        "timed out"
    } else if lower.contains("certificate") || lower.contains("tls") {
        "TLS failed"
    } else if lower.contains("connection reset") {
        "connection reset"
    } else {
        "network error"
    };
    let addr = regex::Regex::new(r#"ConnectError\("[^"]*", ([^,\s]+),"#)
        .ok()
        .and_then(|re| re.captures(debug).map(|c| c[1].to_owned()));
    match addr {
        Some(a) => format!("cannot reach {a} ({why})"),
        None => format!("cannot reach AWS ({why})"),
    }
}

/// "the endpoint answered HTTP 500 with no AWS error in its body ("<!doctype html>…"): it may
/// not implement this operation": the status, the body's first bytes in one sanitised line, and
/// what it likely means — "does not implement" only when the endpoint says so.
fn unreadable_in_words(status: u16, body: Option<&[u8]>) -> String {
    const FIRST: usize = 80;
    let text = body.map(String::from_utf8_lossy).unwrap_or_default();
    let flat = crate::model::sanitize_line(&text.split_whitespace().collect::<Vec<_>>().join(" "));
    let said = {
        let lower = flat.to_ascii_lowercase();
        status == 501 || lower.contains("not implemented") || lower.contains("notimplemented")
    };
    let mut first: String = flat.chars().take(FIRST).collect();
    if first.len() < flat.len() {
        first.push('…');
    }
    let body = if first.is_empty() { "an empty body".to_string() } else { format!("\"{first}\"") };
    if said {
        format!("the endpoint does not implement this operation (HTTP {status}, {body})")
    } else {
        format!(
            "the endpoint answered HTTP {status} with no AWS error in it ({body}): it may not implement this operation"
        )
    }
}

fn short(text: &str) -> String {
    const MAX: usize = 300;
    if text.len() <= MAX {
        return text.to_string();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds() {
        assert_eq!(kind_of_code("ThrottlingException"), AwsErrorKind::Throttled);
        assert_eq!(kind_of_code("AccessDeniedException"), AwsErrorKind::AccessDenied);
        assert_eq!(kind_of_code("ClusterNotFoundException"), AwsErrorKind::NotFound);
        assert_eq!(kind_of_code("ExpiredTokenException"), AwsErrorKind::Credentials);
        assert_eq!(kind_of_code("InvalidParameterException"), AwsErrorKind::Other);
    }

    #[test]
    fn dispatch_and_credential_failures_read_as_one_line_in_words() {
        let text =
            "dispatch failure: io error: client error (Connect): tcp connect error: Connection refused (os error 111)";
        let debug = r#"DispatchFailure(DispatchFailure { source: ConnectorError { kind: Io, source: hyper_util::client::legacy::Error(Connect, ConnectError("tcp connect error", 127.0.0.1:4599, Os { code: 111, kind: ConnectionRefused, message: "Connection refused" })) } })"#;
        assert_eq!(unreachable_in_words(text, debug), "cannot reach 127.0.0.1:4599 (connection refused)");
        assert_eq!(unreachable_in_words("dispatch failure: timeout", "x"), "cannot reach AWS (timed out)");
        let chain = "dispatch failure: other: the credential provider was not enabled: no credentials found in chain. Attempted:\n  Environment: not set\n  Profile: not enabled\n  WebIdentityToken: not enabled\n  EcsContainer: not enabled\n  Imds: disabled";
        assert_eq!(
            credentials_in_words(chain),
            "no AWS credentials found (tried environment, profile files, web identity, ECS container, IMDS)"
        );
    }

    fn raw(status: u16, body: &'static str) -> HttpResponse {
        use aws_smithy_runtime_api::http::StatusCode;
        HttpResponse::new(
            StatusCode::try_from(status).expect("a valid status"),
            aws_smithy_types::body::SdkBody::from(body),
        )
    }

    #[test]
    fn an_answer_that_is_no_aws_error_reads_as_one_line_naming_the_operation() {
        use aws_sdk_ecs::operation::list_service_deployments::ListServiceDeploymentsError;
        // What moto answers for an operation it lacks: Flask's HTML 500 page.
        let html = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request.</p>";
        let parse = "malformed JSON error body: Error at offset 0: unexpected token '<'";
        let err: SdkError<ListServiceDeploymentsError, HttpResponse> = SdkError::response_error(parse, raw(500, html));
        let e = from_sdk("ecs:ListServiceDeployments", err);
        let line = e.report(None);
        assert_eq!(
            e.to_string(),
            "ecs:ListServiceDeployments: the endpoint answered HTTP 500 with no AWS error in it \
             (\"<!doctype html> <html lang=en> <title>500 Internal Server Error</title> <h1>Inte…\"): \
             it may not implement this operation"
        );
        assert!(!line.contains("ResponseError") && !line.contains("InvalidInput") && !line.contains('\n'), "{line}");
        assert!(line.contains("may lack this operation"), "{line}");
        assert_eq!(e.kind, AwsErrorKind::Other);

        let err: SdkError<ListServiceDeploymentsError, HttpResponse> =
            SdkError::response_error(parse, raw(501, "\u{1b}[31mNot Implemented"));
        let e = from_sdk("ecs:ListServiceDeployments", err);
        assert!(e.message.starts_with("the endpoint does not implement this operation (HTTP 501, \""), "{}", e.message);
        assert!(!e.message.contains('\u{1b}'), "{}", e.message);
    }

    #[test]
    fn a_service_error_without_code_or_message_says_what_came() {
        use aws_sdk_ecs::operation::list_service_deployments::ListServiceDeploymentsError;
        let err: SdkError<ListServiceDeploymentsError, HttpResponse> = SdkError::service_error(
            ListServiceDeploymentsError::generic(aws_smithy_types::error::ErrorMetadata::builder().build()),
            raw(404, ""),
        );
        let e = from_sdk("cloudwatch:ListMetrics", err);
        assert_eq!(
            e.to_string(),
            "cloudwatch:ListMetrics: the endpoint answered HTTP 404 with no AWS error in it (an empty body): \
             it may not implement this operation"
        );
    }

    #[test]
    fn hints_name_the_profile_and_the_action() {
        let e = AwsError::new(AwsErrorKind::Credentials, "ecs:DescribeServices", "expired");
        assert!(e.hint(Some("prod")).contains("aws sso login --profile prod"));
        let e = AwsError::new(AwsErrorKind::AccessDenied, "ecs:DescribeServices", "denied");
        assert!(e.report(None).contains("ecs:DescribeServices"));
    }
}
