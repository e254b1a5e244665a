//! Errors as AWS shapes them: an HTTP status, an error code (`__type`) and a message. The HTTP
//! layer renders them per wire protocol (JSON, CBOR, XML); handlers only construct them.

/// One AWS error response.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// Whether the caller is at fault (awsQuery's `Sender`) or the service (`Receiver`).
    pub sender: bool,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError { status, code: code.to_string(), message: message.into(), sender: status < 500 }
    }

    /// A 400 with the given code, the caller's fault.
    pub fn client(code: &str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    /// The JSON protocols' generic validation failure.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::client("ValidationException", message)
    }

    /// An ECS parameter error (ECS uses `InvalidParameterException`).
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::client("InvalidParameterException", message)
    }

    pub fn throttled() -> Self {
        Self::client("ThrottlingException", "Rate exceeded")
    }

    pub fn internal() -> Self {
        Self::new(500, "InternalFailure", "We encountered an internal error. Please try again.")
    }

    pub fn unknown_operation(op: &str) -> Self {
        Self::client("UnknownOperationException", format!("Unknown operation {op}"))
    }

    pub fn malformed(message: impl Into<String>) -> Self {
        Self::client("SerializationException", message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for ApiError {}
