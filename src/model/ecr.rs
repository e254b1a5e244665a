//! What ECR says about the images a service runs: image references parsed into registry,
//! repository, tag and digest; repositories with their scan-on-push and tag-mutability settings;
//! each image's scan status and finding counts. Plain values for the posture rules; no SDK types.

use serde::{Deserialize, Serialize};

/// An image reference in a private ECR registry:
/// `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wordpress:php-latest` (or `@sha256:…`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EcrImage {
    /// The registry id: the account.
    pub registry: String,
    pub region: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl EcrImage {
    /// Parses a private ECR image reference; anything else (Docker Hub, `public.ecr.aws`) is `None`.
    pub fn parse(image: &str) -> Option<EcrImage> {
        let (host, path) = image.split_once('/')?;
        let mut parts = host.split('.');
        let registry = parts.next()?;
        let (dkr, ecr, region) = (parts.next()?, parts.next()?, parts.next()?);
        if dkr != "dkr" || ecr != "ecr" || registry.len() != 12 || !registry.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (path, digest) = match path.split_once('@') {
            Some((p, d)) => (p, Some(d.to_owned())),
            None => (path, None),
        };
        // A tag follows the last ':' after the last '/' (a repository name has no ':').
        let (repository, tag) = match path.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r, Some(t.to_owned())),
            _ => (path, None),
        };
        if repository.is_empty() {
            return None;
        }
        let tag = if tag.is_none() && digest.is_none() { Some("latest".to_owned()) } else { tag };
        Some(EcrImage {
            registry: registry.to_owned(),
            region: region.to_owned(),
            repository: repository.to_owned(),
            tag,
            digest,
        })
    }

    /// `wordpress:php-latest`, or `wordpress@sha256:1a2b3c4d…` when pinned.
    pub fn short(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => format!("{}@{}", self.repository, short_digest(d)),
            (None, Some(t)) => format!("{}:{t}", self.repository),
            (None, None) => self.repository.clone(),
        }
    }
}

/// `sha256:1a2b3c4d5e6f…` → `sha256:1a2b3c4d5e6f` (12 hex digits, as `docker images` shows).
pub fn short_digest(digest: &str) -> String {
    match digest.split_once(':') {
        Some((algo, hex)) => format!("{algo}:{}", hex.get(..12).unwrap_or(hex)),
        None => digest.get(..12).unwrap_or(digest).to_owned(),
    }
}

/// One ECR repository (DescribeRepositories).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repository {
    pub name: String,
    pub arn: String,
    pub uri: String,
    /// `imageScanningConfiguration.scanOnPush`.
    pub scan_on_push: bool,
    /// `imageTagMutability`: MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION.
    pub tag_mutability: String,
}

impl Repository {
    /// Tags cannot be pushed over (IMMUTABLE, or IMMUTABLE with exclusions).
    pub fn tags_immutable(&self) -> bool {
        self.tag_mutability.starts_with("IMMUTABLE")
    }
}

/// Counts of scan findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub informational: u32,
    pub undefined: u32,
}

impl SeverityCounts {
    /// Adds `n` findings of ECR's severity word (`CRITICAL`, `HIGH`…).
    pub fn add(&mut self, severity: &str, n: u32) {
        let slot = match severity {
            "CRITICAL" => &mut self.critical,
            "HIGH" => &mut self.high,
            "MEDIUM" => &mut self.medium,
            "LOW" => &mut self.low,
            "INFORMATIONAL" => &mut self.informational,
            _ => &mut self.undefined,
        };
        *slot = slot.saturating_add(n);
    }
}

/// One image of a repository and its scan (DescribeImages, DescribeImageScanFindings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageScan {
    pub repository: String,
    pub digest: String,
    /// The tags that point at this digest now.
    pub tags: Vec<String>,
    pub pushed_at_ms: Option<i64>,
    /// `imageScanStatus.status`: COMPLETE, IN_PROGRESS, FAILED, UNSUPPORTED_IMAGE, … ; `None`
    /// when the image was never scanned.
    pub scan_status: Option<String>,
    /// The finding counts of a completed scan.
    pub counts: Option<SeverityCounts>,
    pub scan_completed_at_ms: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_references_are_parsed_and_others_are_not() {
        let i = EcrImage::parse("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/wordpress:php-latest").unwrap();
        assert_eq!(
            (i.registry.as_str(), i.region.as_str(), i.repository.as_str()),
            ("123456789012", "ap-northeast-1", "wordpress")
        );
        assert_eq!((i.tag.as_deref(), i.digest.as_deref()), (Some("php-latest"), None));
        assert_eq!(i.short(), "wordpress:php-latest");
        let d = EcrImage::parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/wp@sha256:0123456789abcdef0123")
            .unwrap();
        assert_eq!((d.repository.as_str(), d.tag.as_deref()), ("team/wp", None));
        assert_eq!(d.short(), "team/wp@sha256:0123456789ab");
        let bare = EcrImage::parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/wp").unwrap();
        assert_eq!(bare.tag.as_deref(), Some("latest"));
        for other in [
            "nginx:alpine",
            "public.ecr.aws/nginx/nginx:stable",
            "curlimages/curl:8.5.0",
            "12345.dkr.ecr.x.amazonaws.com/a:b",
        ] {
            assert_eq!(EcrImage::parse(other), None, "{other}");
        }
    }

    #[test]
    fn immutability_and_counts() {
        let r = |m: &str| Repository { tag_mutability: m.into(), ..Repository::default() };
        assert!(r("IMMUTABLE").tags_immutable() && r("IMMUTABLE_WITH_EXCLUSION").tags_immutable());
        assert!(!r("MUTABLE").tags_immutable() && !r("MUTABLE_WITH_EXCLUSION").tags_immutable());
        let mut c = SeverityCounts::default();
        c.add("CRITICAL", 2);
        c.add("HIGH", 5);
        c.add("WHATEVER", 1);
        assert_eq!((c.critical, c.high, c.undefined), (2, 5, 1));
    }
}
