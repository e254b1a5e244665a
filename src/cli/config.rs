//! The config file (`$XDG_CONFIG_HOME/wpops/config.toml`, one `[sites.NAME]` table per site) and
//! `resolve`: which site a command is about, with the precedence of PRODUCT.md — command-line
//! flag > the site's entry > environment > defaults. Parsing and precedence only: no AWS calls,
//! no printing (errors are values with file, line and column).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::args::Global;

/// The demo's fixed identity (the simulator accepts any credentials; this one is documented).
pub const DEMO_ACCESS_KEY: &str = "ASIA123456789012DEMO";
pub const DEMO_SECRET: &str = "demo";
pub const DEMO_REGION: &str = "ap-northeast-1";

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub default_site: Option<String>,
    /// The console shows times in UTC instead of the operator's zone (`T` toggles).
    pub utc: Option<bool>,
    #[serde(default)]
    pub sites: BTreeMap<String, SiteEntry>,
}

/// One `[sites.NAME]` table.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteEntry {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub cluster: Option<String>,
    pub service: Option<String>,
    pub log_group: Option<String>,
    pub web_acl: Option<String>,
    pub endpoint_url: Option<String>,
    pub read_only: Option<bool>,
    /// Follow logs with Live Tail (as `--live-tail`).
    pub live_tail: Option<bool>,
    pub confirm: Option<Confirm>,
    pub warming: Option<WarmingEntry>,
}

/// `[sites.NAME.warming]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarmingEntry {
    pub task_definition: Option<String>,
    pub path: Option<String>,
    pub port: Option<u16>,
    pub limit_secs: Option<u64>,
}

/// How a mutating action is confirmed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confirm {
    /// Answer `y` to a prompt naming account, region, cluster and service.
    #[default]
    Yes,
    /// Type the site's (or service's) name.
    TypeName,
}

/// Warming settings with the defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warming {
    /// The one-off warmer task definition; `None` means `<family>-warmer` of the service's.
    pub task_definition: Option<String>,
    pub path: String,
    pub port: u16,
    pub limit_secs: u64,
}

impl Default for Warming {
    fn default() -> Self {
        Warming { task_definition: None, path: "/opcache_warmer.php".into(), port: 80, limit_secs: 120 }
    }
}

impl Warming {
    /// The warmer task definition for a service whose task definition family is `family`.
    pub fn task_definition_for(&self, family: &str) -> String {
        self.task_definition.clone().unwrap_or_else(|| format!("{family}-warmer"))
    }
}

/// Everything a command needs to know about the site it works on.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResolvedSite {
    /// The config's site name, or `cluster/service` without one, or `demo`.
    pub name: String,
    pub profile: Option<String>,
    /// `None` leaves the region to the profile (aws-config).
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub cluster: String,
    pub service: String,
    pub read_only: bool,
    /// Follow logs with Live Tail (`--live-tail` or the site's `live_tail = true`).
    pub live_tail: bool,
    pub confirm: Confirm,
    pub warming: Warming,
    pub log_group: Option<String>,
    pub web_acl: Option<String>,
    /// Run against the embedded simulator (`--demo`): the caller starts it and sets the endpoint.
    pub demo: bool,
    /// The console shows times in UTC (the file's `utc = true`).
    pub utc: bool,
}

/// Why no site could be resolved. Every one is exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}:{line}:{column}: {message}")]
    Syntax { path: String, line: usize, column: usize, message: String },
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("unknown site {name:?}; known sites: {}", if known.is_empty() { "none".to_string() } else { known.join(", ") })]
    UnknownSite { name: String, known: Vec<String> },
    #[error("{0}")]
    Invalid(String),
}

/// Where the config file is: `--config`, else `$XDG_CONFIG_HOME/wpops/config.toml`, else
/// `~/.config/wpops/config.toml`.
pub fn config_path(global: &Global, env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(p) = &global.config {
        return Some(p.clone());
    }
    if let Some(x) = env("XDG_CONFIG_HOME").filter(|x| Path::new(x).is_absolute()) {
        return Some(PathBuf::from(x).join("wpops").join("config.toml"));
    }
    dirs::home_dir().map(|h| h.join(".config").join("wpops").join("config.toml"))
}

/// The process environment, with empty values treated as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Parses the file's text; syntax errors and unknown keys carry line and column.
pub fn parse(text: &str, path: &Path) -> Result<ConfigFile, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        ConfigError::Syntax {
            path: path.display().to_string(),
            line,
            column,
            message: e.message().trim().replace('\n', " "),
        }
    })
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Reads the file at `path`. A missing file is `Ok(None)` unless `required`.
pub fn load(path: &Path, required: bool) -> Result<Option<ConfigFile>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(None),
        Err(e) => Err(ConfigError::Read { path: path.display().to_string(), message: e.to_string() }),
    }
}

/// Resolves the site of this command from the flags, the config file and the environment.
pub fn resolve(global: &Global) -> Result<ResolvedSite, ConfigError> {
    if global.demo {
        return Ok(resolve_demo(global));
    }
    let path = config_path(global, &process_env);
    let file = match &path {
        Some(p) => load(p, global.config.is_some())?,
        None => None,
    };
    resolve_with(global, file.as_ref(), &process_env)
}

/// The demo site: the simulator's `wp-prod/wordpress` in ap-northeast-1 (flags still win).
pub fn resolve_demo(global: &Global) -> ResolvedSite {
    ResolvedSite {
        name: "demo".into(),
        region: Some(DEMO_REGION.into()),
        cluster: global.cluster.clone().unwrap_or_else(|| "wp-prod".into()),
        service: global.service.clone().unwrap_or_else(|| "wordpress".into()),
        read_only: global.read_only,
        live_tail: global.live_tail,
        demo: true,
        ..ResolvedSite::default()
    }
}

/// [`resolve`] with the file and the environment passed in (tests, the fleet view).
pub fn resolve_with(
    global: &Global,
    file: Option<&ConfigFile>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ResolvedSite, ConfigError> {
    let sites = file.map(|f| &f.sites);
    let known = || sites.map(|s| s.keys().cloned().collect()).unwrap_or_default();
    let chosen = match global.site.clone().or_else(|| env("WPOPS_SITE")) {
        Some(name) => Some(name),
        // The default site applies even with --cluster/--service: flags override its fields.
        None => file.and_then(|f| f.default_site.clone().or_else(|| single(&f.sites))),
    };
    let (name, entry) = match chosen {
        Some(name) => match sites.and_then(|s| s.get(&name)) {
            Some(entry) => (Some(name), entry.clone()),
            None => return Err(ConfigError::UnknownSite { name, known: known() }),
        },
        None => (None, SiteEntry::default()),
    };
    let utc = file.and_then(|f| f.utc).unwrap_or(false);
    resolve_entry(name.as_deref(), &entry, global, env).map(|site| ResolvedSite { utc, ..site })
}

fn single(sites: &BTreeMap<String, SiteEntry>) -> Option<String> {
    (sites.len() == 1).then(|| sites.keys().next().cloned()).flatten()
}

/// One site's settings with the flags and the environment applied.
pub fn resolve_entry(
    name: Option<&str>,
    entry: &SiteEntry,
    global: &Global,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ResolvedSite, ConfigError> {
    let label = name.map_or_else(|| "the command line".to_string(), |n| format!("[sites.{n}]"));
    let pick = |flag: &Option<String>, site: &Option<String>, vars: &[&str]| {
        flag.clone().or_else(|| site.clone()).or_else(|| vars.iter().find_map(|v| env(v)))
    };
    let region = pick(&global.region, &entry.region, &["AWS_REGION", "AWS_DEFAULT_REGION"]);
    if let Some(r) = &region {
        crate::aws::regions::check(r).map_err(ConfigError::Invalid)?;
    }
    let endpoint_url = pick(&global.endpoint_url, &entry.endpoint_url, &["AWS_ENDPOINT_URL"]);
    if let Some(url) = &endpoint_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(ConfigError::Invalid(format!("endpoint URL {url:?} must start with http:// or https://")));
    }
    let cluster = pick(&global.cluster, &entry.cluster, &["WPOPS_CLUSTER"]).ok_or_else(|| {
        ConfigError::Invalid(format!(
            "no cluster in {label}: pass --site NAME or --cluster and --service (see `wpops config init`)"
        ))
    })?;
    let service = pick(&global.service, &entry.service, &["WPOPS_SERVICE"])
        .ok_or_else(|| ConfigError::Invalid(format!("no service in {label}: pass --service or set service")))?;
    let w = entry.warming.clone().unwrap_or_default();
    let d = Warming::default();
    Ok(ResolvedSite {
        name: name.map_or_else(|| format!("{cluster}/{service}"), str::to_string),
        profile: pick(&global.profile, &entry.profile, &["AWS_PROFILE"]),
        region,
        endpoint_url,
        cluster,
        service,
        read_only: global.read_only || entry.read_only.unwrap_or(false),
        live_tail: global.live_tail || entry.live_tail.unwrap_or(false),
        confirm: entry.confirm.unwrap_or_default(),
        warming: Warming {
            task_definition: w.task_definition,
            path: w.path.unwrap_or(d.path),
            port: w.port.unwrap_or(d.port),
            limit_secs: w.limit_secs.unwrap_or(d.limit_secs),
        },
        log_group: entry.log_group.clone(),
        web_acl: entry.web_acl.clone(),
        demo: false,
        utc: false,
    })
}

/// The commented example `wpops config init` writes.
pub const EXAMPLE: &str = r#"# wpops configuration: one [sites.NAME] table per site.
# Precedence: command-line flag > the site's entry here > environment (AWS_PROFILE,
# AWS_REGION, AWS_ENDPOINT_URL) > defaults. Unknown keys are errors.

# The site used when --site is not given.
default_site = "corp-blog"
# utc = true                     # the console's times in UTC (default: this machine's time zone; T toggles)

[sites.corp-blog]
profile = "corp-prod"            # an AWS profile (SSO profiles work: `aws sso login --profile corp-prod`)
region = "ap-northeast-1"
cluster = "wp-prod"
service = "wordpress"
# log_group = "/ecs/wordpress"   # default: discovered from the task definition's awslogs options
# web_acl = "wordpress-waf"      # default: the web ACL on the service's load balancer
# read_only = true               # refuse every mutating action for this site
# live_tail = true               # follow logs with CloudWatch Live Tail (billed per session-minute)
# confirm = "type-name"          # "yes" (default): answer y; "type-name": type the service name
# endpoint_url = "http://127.0.0.1:4566"   # e.g. a running `wpops sim`

# [sites.corp-blog.warming]
# task_definition = "wordpress-warmer"     # default: <family>-warmer
# path = "/opcache_warmer.php"
# port = 80
# limit_secs = 120               # a warmer not done this long after its task started stands out

# [sites.shop]
# profile = "shop-prod"
# region = "ap-northeast-1"
# cluster = "ec-cube"
# service = "shop"
"#;

#[cfg(test)]
mod tests;
