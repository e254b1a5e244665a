//! Building the AWS clients: aws-config's chain (profile, region, SSO, environment) or static
//! credentials for the simulator, an explicit endpoint override, one HTTPS stack (hyper 1 +
//! rustls with ring), an operation and an attempt timeout, standard retries, and the trace
//! interceptor (`trace.rs`: failed attempts and mutating calls in `--log-file`).

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_smithy_http_client::tls;

use super::error::{AwsError, AwsErrorKind};

/// Attempts per call in the console (the feeds retry a failed read after their own backoff).
pub const CONSOLE_ATTEMPTS: u32 = 4;
/// Attempts per call in a one-shot command, which has no second chance: at a 20 % throttle
/// rate a call fails once in 3,000 (0.2⁵), so a `wpops status` of about ten calls succeeds in
/// more than 99 runs of 100.
pub const COMMAND_ATTEMPTS: u32 = 5;
/// The longest wait between two attempts of one call.
pub const MAX_ATTEMPT_BACKOFF: Duration = Duration::from_secs(2);

/// Where and as whom to connect.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Target {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Static (access key id, secret) credentials, used for the simulator.
    pub static_credentials: Option<(String, String)>,
    /// Send only read operations (an interceptor refuses the rest before they are signed).
    pub read_only: bool,
    /// Attempts per call, including the first (1 disables SDK retries).
    pub max_attempts: u32,
    pub operation_timeout: Duration,
    pub attempt_timeout: Duration,
}

impl Target {
    /// Sensible timeouts and retries for an interactive console.
    pub fn interactive() -> Self {
        Target {
            max_attempts: CONSOLE_ATTEMPTS,
            operation_timeout: Duration::from_secs(12),
            attempt_timeout: Duration::from_secs(5),
            ..Target::default()
        }
    }
}

/// All the clients wpops uses, sharing one configuration.
#[derive(Debug, Clone)]
pub struct Clients {
    pub ecs: aws_sdk_ecs::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub waf: aws_sdk_wafv2::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
    pub sts: aws_sdk_sts::Client,
    pub ecr: aws_sdk_ecr::Client,
    pub region: String,
    pub profile: Option<String>,
    pub read_only: bool,
}

/// Loads the shared configuration. Fails early on an unknown region name.
pub async fn load(target: &Target) -> Result<SdkConfig, AwsError> {
    if let Some(r) = &target.region {
        super::regions::check(r).map_err(|m| AwsError::new(AwsErrorKind::Other, "config", m))?;
    }
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https();
    let retry = match target.max_attempts {
        0 | 1 => RetryConfig::disabled(),
        // Short, jittered waits between attempts: occasional throttling is absorbed here, within
        // the call, instead of failing the whole read and growing the feed's own backoff.
        n => RetryConfig::standard()
            .with_max_attempts(n)
            .with_initial_backoff(Duration::from_millis(200))
            .with_max_backoff(MAX_ATTEMPT_BACKOFF),
    };
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .operation_timeout(target.operation_timeout.max(Duration::from_millis(100)))
        .operation_attempt_timeout(target.attempt_timeout.max(Duration::from_millis(100)))
        .build();
    let mut loader =
        aws_config::defaults(BehaviorVersion::latest()).http_client(http).retry_config(retry).timeout_config(timeouts);
    if let Some(p) = &target.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &target.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(url) = &target.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some((key, secret)) = &target.static_credentials {
        loader = loader.credentials_provider(Credentials::new(key, secret, None, None, "wpops-static"));
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(AwsError::new(
            AwsErrorKind::Other,
            "config",
            "no AWS region: pass --region, set AWS_REGION, or set region in the profile or the site's config",
        ));
    }
    Ok(config)
}

macro_rules! client {
    ($krate:ident, $config:expr, $read_only:expr) => {{
        let mut b = $krate::config::Builder::from($config).interceptor(super::trace::Trace);
        if $read_only {
            b = b.interceptor(super::readonly::ReadOnly);
        }
        $krate::Client::from_conf(b.build())
    }};
}

/// The Logs client; with an endpoint override, StartLiveTail's `stream-` host prefix is taken
/// off again (`host_prefix.rs`), since `stream-127.0.0.1` does not resolve.
fn logs_client(config: &SdkConfig, read_only: bool) -> aws_sdk_cloudwatchlogs::Client {
    let mut b = aws_sdk_cloudwatchlogs::config::Builder::from(config).interceptor(super::trace::Trace);
    if read_only {
        b = b.interceptor(super::readonly::ReadOnly);
    }
    if let Some(keep) = config.endpoint_url().and_then(super::host_prefix::KeepEndpointHost::for_endpoint) {
        b = b.interceptor(keep);
    }
    aws_sdk_cloudwatchlogs::Client::from_conf(b.build())
}

impl Clients {
    /// Every client from one configuration; with `read_only`, each refuses all but reads.
    pub fn new(config: &SdkConfig, profile: Option<String>, read_only: bool) -> Self {
        Clients {
            ecs: client!(aws_sdk_ecs, config, read_only),
            logs: logs_client(config, read_only),
            waf: client!(aws_sdk_wafv2, config, read_only),
            cloudwatch: client!(aws_sdk_cloudwatch, config, read_only),
            elb: client!(aws_sdk_elasticloadbalancingv2, config, read_only),
            sts: client!(aws_sdk_sts, config, read_only),
            ecr: client!(aws_sdk_ecr, config, read_only),
            region: config.region().map(|r| r.to_string()).unwrap_or_default(),
            profile,
            read_only,
        }
    }

    /// Loads the configuration for `target` and builds every client.
    pub async fn connect(target: &Target) -> Result<Self, AwsError> {
        let config = load(target).await?;
        Ok(Self::new(&config, target.profile.clone(), target.read_only))
    }
}
