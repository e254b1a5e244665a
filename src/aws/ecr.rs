//! ECR reads for `wpops audit`: repositories (scan on push, tag mutability), images by digest or
//! tag (which tags point where, scan status), and each image's scan finding counts — mapped to
//! `model::ecr` values and sanitised where the text enters.

use aws_sdk_ecr::types as sdk;
use futures_util::future::join_all;

use super::Clients;
use super::error::{AwsError, AwsErrorKind, from_sdk};
use crate::model::{ImageScan, Repository, SanitizeText, SeverityCounts};

fn ms(t: Option<&aws_smithy_types::DateTime>) -> Option<i64> {
    t.and_then(|d| d.to_millis().ok())
}

/// DescribeRepositories for `names` in `registry`; names that do not exist are left out.
pub async fn repositories(c: &Clients, registry: &str, names: &[String]) -> Result<Vec<Repository>, AwsError> {
    match describe_repositories(c, registry, names).await {
        Err(e) if e.kind == AwsErrorKind::NotFound && names.len() > 1 => {
            // One missing name fails the whole call: ask for each alone.
            let each =
                join_all(names.iter().map(|n| describe_repositories(c, registry, std::slice::from_ref(n)))).await;
            let mut out = Vec::new();
            for r in each {
                match r {
                    Ok(found) => out.extend(found),
                    Err(e) if e.kind == AwsErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(out)
        }
        Err(e) if e.kind == AwsErrorKind::NotFound => Ok(Vec::new()),
        other => other,
    }
}

async fn describe_repositories(c: &Clients, registry: &str, names: &[String]) -> Result<Vec<Repository>, AwsError> {
    let out = c
        .ecr
        .describe_repositories()
        .registry_id(registry)
        .set_repository_names(Some(names.to_vec()))
        .send()
        .await
        .map_err(|e| from_sdk("ecr:DescribeRepositories", e))?;
    let mut repos: Vec<Repository> = out.repositories().iter().map(repository_from).collect();
    repos.sanitize_text();
    Ok(repos)
}

fn repository_from(r: &sdk::Repository) -> Repository {
    Repository {
        name: r.repository_name().unwrap_or_default().to_string(),
        arn: r.repository_arn().unwrap_or_default().to_string(),
        uri: r.repository_uri().unwrap_or_default().to_string(),
        scan_on_push: r.image_scanning_configuration().is_some_and(|s| s.scan_on_push()),
        tag_mutability: r.image_tag_mutability().map(|m| m.as_str().to_string()).unwrap_or_else(|| "MUTABLE".into()),
    }
}

/// Which image of a repository to describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageWanted {
    Digest(String),
    Tag(String),
}

/// DescribeImages of `wanted` in one repository; images that do not exist are left out.
pub async fn images(
    c: &Clients,
    registry: &str,
    repository: &str,
    wanted: &[ImageWanted],
) -> Result<Vec<ImageScan>, AwsError> {
    match describe_images(c, registry, repository, wanted).await {
        Err(e) if e.kind == AwsErrorKind::NotFound && wanted.len() > 1 => {
            let each =
                join_all(wanted.iter().map(|w| describe_images(c, registry, repository, std::slice::from_ref(w))))
                    .await;
            let mut out: Vec<ImageScan> = Vec::new();
            for r in each {
                match r {
                    Ok(found) => {
                        for i in found {
                            if !out.iter().any(|o| o.digest == i.digest) {
                                out.push(i);
                            }
                        }
                    }
                    Err(e) if e.kind == AwsErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(out)
        }
        Err(e) if e.kind == AwsErrorKind::NotFound => Ok(Vec::new()),
        other => other,
    }
}

async fn describe_images(
    c: &Clients,
    registry: &str,
    repository: &str,
    wanted: &[ImageWanted],
) -> Result<Vec<ImageScan>, AwsError> {
    let ids: Vec<sdk::ImageIdentifier> = wanted
        .iter()
        .map(|w| match w {
            ImageWanted::Digest(d) => sdk::ImageIdentifier::builder().image_digest(d).build(),
            ImageWanted::Tag(t) => sdk::ImageIdentifier::builder().image_tag(t).build(),
        })
        .collect();
    let out = c
        .ecr
        .describe_images()
        .registry_id(registry)
        .repository_name(repository)
        .set_image_ids(Some(ids))
        .send()
        .await
        .map_err(|e| from_sdk("ecr:DescribeImages", e))?;
    let mut images: Vec<ImageScan> = Vec::new();
    for d in out.image_details() {
        let summary = d.image_scan_findings_summary();
        let image = ImageScan {
            repository: d.repository_name().unwrap_or(repository).to_string(),
            digest: d.image_digest().unwrap_or_default().to_string(),
            tags: d.image_tags().to_vec(),
            pushed_at_ms: ms(d.image_pushed_at()),
            scan_status: d.image_scan_status().and_then(|s| s.status()).map(|s| s.as_str().to_string()),
            counts: summary.and_then(|s| s.finding_severity_counts()).map(counts_from),
            scan_completed_at_ms: ms(summary.and_then(|s| s.image_scan_completed_at())),
        };
        if !images.iter().any(|i| i.digest == image.digest) {
            images.push(image);
        }
    }
    images.sanitize_text();
    Ok(images)
}

fn counts_from(m: &std::collections::HashMap<sdk::FindingSeverity, i32>) -> SeverityCounts {
    let mut counts = SeverityCounts::default();
    for (sev, n) in m {
        counts.add(sev.as_str(), (*n).max(0) as u32);
    }
    counts
}

/// What DescribeImageScanFindings says of one image: its scan status, and the finding counts
/// of a completed scan. `ScanNotFoundException` is "never scanned", not a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanResult {
    pub status: Option<String>,
    pub counts: Option<SeverityCounts>,
    pub completed_at_ms: Option<i64>,
}

/// DescribeImageScanFindings of one digest (one finding asked for: only the counts matter).
pub async fn scan_findings(
    c: &Clients,
    registry: &str,
    repository: &str,
    digest: &str,
) -> Result<ScanResult, AwsError> {
    let id = sdk::ImageIdentifier::builder().image_digest(digest).build();
    let out = c
        .ecr
        .describe_image_scan_findings()
        .registry_id(registry)
        .repository_name(repository)
        .image_id(id)
        .max_results(1)
        .send()
        .await;
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            let e = from_sdk("ecr:DescribeImageScanFindings", e);
            if e.code.as_deref() == Some("ScanNotFoundException") {
                return Ok(ScanResult { status: None, counts: None, completed_at_ms: None });
            }
            return Err(e);
        }
    };
    let findings = out.image_scan_findings();
    let mut status = out.image_scan_status().and_then(|s| s.status()).map(|s| s.as_str().to_string());
    status.sanitize_text();
    Ok(ScanResult {
        status,
        counts: findings.and_then(|f| f.finding_severity_counts()).map(counts_from),
        completed_at_ms: ms(findings.and_then(|f| f.image_scan_completed_at())),
    })
}
