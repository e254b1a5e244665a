//! The host prefix of StartLiveTail with an endpoint override. aws-sdk-cloudwatchlogs puts
//! `stream-` in front of the endpoint's host for StartLiveTail (its `EndpointPrefix`), even when
//! the endpoint is overridden, and the Rust SDK has no `disable_host_prefix` setting: against
//! `http://127.0.0.1:PORT` (the simulator, LocalStack) the request would go to
//! `stream-127.0.0.1`, which does not resolve. This interceptor, installed on the Logs client
//! only when an endpoint URL is configured, puts the overridden endpoint's own host back before
//! the request is signed (so the signature covers the host actually sent). Real AWS endpoints
//! keep the prefix: `stream-logs.REGION.amazonaws.com` is where Live Tail is served.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// The prefix the SDK adds (aws-sdk-cloudwatchlogs 1.162, `StartLiveTailEndpointParamsInterceptor`).
pub const PREFIX: &str = "stream-";

/// Removes `stream-` from requests to the overridden endpoint's host.
#[derive(Debug, Clone)]
pub struct KeepEndpointHost {
    /// The override's authority (`127.0.0.1:4566`).
    authority: String,
}

impl KeepEndpointHost {
    /// For an endpoint URL; `None` when it has no host to keep.
    pub fn for_endpoint(url: &str) -> Option<Self> {
        let uri: http::Uri = url.parse().ok()?;
        Some(KeepEndpointHost { authority: uri.authority()?.as_str().to_string() })
    }

    /// The URI with the prefix taken off the overridden host, if it carries it.
    pub fn rewrite(&self, uri: &str) -> Option<String> {
        let (scheme, rest) = uri.split_once("://")?;
        let rest = rest.strip_prefix(PREFIX)?;
        let tail = rest.strip_prefix(self.authority.as_str())?;
        (tail.is_empty() || tail.starts_with('/') || tail.starts_with('?'))
            .then(|| format!("{scheme}://{}{tail}", self.authority))
    }
}

impl Intercept for KeepEndpointHost {
    fn name(&self) -> &'static str {
        "KeepEndpointHost"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        if let Some(uri) = self.rewrite(request.uri()) {
            request.set_uri(uri.as_str())?;
            if request.headers().contains_key("host") {
                request.headers_mut().insert("host", self.authority.clone());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_prefixed_override_host_is_rewritten() {
        let k = KeepEndpointHost::for_endpoint("http://127.0.0.1:4566").unwrap();
        assert_eq!(k.rewrite("http://stream-127.0.0.1:4566/").as_deref(), Some("http://127.0.0.1:4566/"));
        assert_eq!(k.rewrite("http://127.0.0.1:4566/"), None);
        assert_eq!(k.rewrite("https://stream-logs.eu-west-1.amazonaws.com/"), None);
        assert_eq!(k.rewrite("http://stream-127.0.0.1:45667/"), None);
    }
}
