//! ECR (awsJson1_1, `AmazonEC2ContainerRegistry_V20150921.<Op>`, camelCase fields) in the
//! simulator: DescribeRepositories, DescribeImages and DescribeImageScanFindings over the world's
//! `EcrWorld`, with ECR's own errors (RepositoryNotFoundException, ImageNotFoundException,
//! ScanNotFoundException). Reads only.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::ecs_shapes::{prune, secs};
use super::{Caller, Reply, paginate, parse};
use crate::sim::ecr::{PushedImage, Repo};
use crate::sim::error::ApiError;
use crate::sim::world::RegionWorld;

const SEVERITIES: [&str; 4] = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];
/// Packages the synthetic findings are about (the php-fpm-alpine image's usual suspects).
const PACKAGES: [(&str, &str); 6] = [
    ("openssl", "3.1.4-r0"),
    ("libxml2", "2.11.5-r0"),
    ("curl", "8.4.0-r0"),
    ("php82", "8.2.12-r0"),
    ("busybox", "1.36.1-r5"),
    ("zlib", "1.2.13-r1"),
];

pub fn handle(w: &mut RegionWorld, _caller: &Caller, op: &str, body: &[u8]) -> Result<Reply, ApiError> {
    let v = match op {
        "DescribeRepositories" => describe_repositories(w, body)?,
        "DescribeImages" => describe_images(w, body)?,
        "DescribeImageScanFindings" => describe_image_scan_findings(w, body)?,
        _ => return Err(ApiError::unknown_operation(op)),
    };
    Ok(Reply::Json(v))
}

fn repo_not_found(name: &str, registry: &str) -> ApiError {
    ApiError::client(
        "RepositoryNotFoundException",
        format!("The repository with name '{name}' does not exist in the registry with id '{registry}'"),
    )
}

/// The repository `name` of the caller's registry (another registry id has none of them).
fn repo<'a>(w: &'a RegionWorld, registry: Option<&str>, name: &str) -> Result<&'a Repo, ApiError> {
    let registry = registry.unwrap_or(&w.account);
    if registry != w.account {
        return Err(repo_not_found(name, registry));
    }
    w.ecr.repo(name).ok_or_else(|| repo_not_found(name, registry))
}

fn max_results(n: Option<i64>, limit: i64) -> Result<usize, ApiError> {
    match n {
        None => Ok(limit.min(100) as usize),
        Some(n) if (1..=limit).contains(&n) => Ok(n as usize),
        Some(n) => Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to {limit}"
        ))),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ReposReq {
    registry_id: Option<String>,
    repository_names: Option<Vec<String>>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

fn describe_repositories(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: ReposReq = parse(body)?;
    let repos: Vec<&Repo> = match &req.repository_names {
        Some(names) => names.iter().map(|n| repo(w, req.registry_id.as_deref(), n)).collect::<Result<_, _>>()?,
        None => w.ecr.repos.iter().collect(),
    };
    let max = max_results(req.max_results, 1000)?;
    let (page, next) = paginate(&repos, req.next_token.as_deref(), max)?;
    let items: Vec<Value> = page
        .iter()
        .map(|r| {
            json!({
                "repositoryArn": r.arn,
                "registryId": w.account,
                "repositoryName": r.name,
                "repositoryUri": r.uri,
                "createdAt": secs(r.created_at_ms),
                "imageTagMutability": if r.immutable { "IMMUTABLE" } else { "MUTABLE" },
                "imageScanningConfiguration": {"scanOnPush": r.scan_on_push},
                "encryptionConfiguration": {"encryptionType": "AES256"},
            })
        })
        .collect();
    Ok(prune(json!({"repositories": items, "nextToken": next})))
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
struct ImageIdReq {
    image_digest: Option<String>,
    image_tag: Option<String>,
}

impl ImageIdReq {
    fn matches(&self, i: &PushedImage) -> bool {
        self.image_digest.as_deref().is_none_or(|d| d == i.digest)
            && self.image_tag.as_deref().is_none_or(|t| i.tags.iter().any(|x| x == t))
            && (self.image_digest.is_some() || self.image_tag.is_some())
    }

    fn text(&self) -> String {
        let mut parts = Vec::new();
        if let Some(d) = &self.image_digest {
            parts.push(format!("imageDigest:'{d}'"));
        }
        if let Some(t) = &self.image_tag {
            parts.push(format!("imageTag:'{t}'"));
        }
        format!("{{{}}}", parts.join(", "))
    }
}

fn image_not_found(id: &ImageIdReq, r: &Repo, registry: &str) -> ApiError {
    ApiError::client(
        "ImageNotFoundException",
        format!(
            "The image with imageId {} does not exist within the repository with name '{}' in the registry with id '{registry}'",
            id.text(),
            r.name
        ),
    )
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ImagesReq {
    registry_id: Option<String>,
    repository_name: String,
    image_ids: Option<Vec<ImageIdReq>>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

fn counts(f: &[u32; 4]) -> Value {
    let mut m = Map::new();
    for (sev, n) in SEVERITIES.iter().zip(f) {
        if *n > 0 {
            m.insert(sev.to_string(), json!(n));
        }
    }
    Value::Object(m)
}

/// When the simulated scanner finished: a minute after the push.
fn scanned_at(i: &PushedImage) -> i64 {
    i.pushed_at_ms + 60_000
}

fn describe_images(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: ImagesReq = parse(body)?;
    let r = repo(w, req.registry_id.as_deref(), &req.repository_name)?;
    let images: Vec<&PushedImage> = match &req.image_ids {
        Some(ids) => {
            let mut out: Vec<&PushedImage> = Vec::new();
            for id in ids {
                let found =
                    r.images.iter().find(|i| id.matches(i)).ok_or_else(|| image_not_found(id, r, &w.account))?;
                if !out.iter().any(|o| o.digest == found.digest) {
                    out.push(found);
                }
            }
            out
        }
        None => r.images.iter().collect(),
    };
    let max = max_results(req.max_results, 1000)?;
    let (page, next) = paginate(&images, req.next_token.as_deref(), max)?;
    let details: Vec<Value> = page
        .iter()
        .map(|i| {
            let mut d = json!({
                "registryId": w.account,
                "repositoryName": r.name,
                "imageDigest": i.digest,
                "imageTags": if i.tags.is_empty() { Value::Null } else { json!(i.tags) },
                "imageSizeInBytes": i.size_bytes,
                "imagePushedAt": secs(i.pushed_at_ms),
                "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "artifactMediaType": "application/vnd.docker.container.image.v1+json",
                "lastRecordedPullTime": secs(w.now_ms.max(i.pushed_at_ms)),
            });
            if let Some(f) = &i.findings {
                d["imageScanStatus"] =
                    json!({"status": "COMPLETE", "description": "The scan was completed successfully."});
                d["imageScanFindingsSummary"] = json!({
                    "imageScanCompletedAt": secs(scanned_at(i)),
                    "vulnerabilitySourceUpdatedAt": secs(scanned_at(i) - 3_600_000),
                    "findingSeverityCounts": counts(f),
                });
            }
            prune(d)
        })
        .collect();
    Ok(prune(json!({"imageDetails": details, "nextToken": next})))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ScanReq {
    registry_id: Option<String>,
    repository_name: String,
    image_id: ImageIdReq,
    next_token: Option<String>,
    max_results: Option<i64>,
}

/// The synthetic findings of a scan, worst first: `n` of each severity.
fn findings_of(f: &[u32; 4], digest: &str) -> Vec<Value> {
    let seed: u32 = digest.bytes().map(u32::from).sum();
    let mut out = Vec::new();
    for (sev, n) in SEVERITIES.iter().zip(f) {
        for k in 0..*n {
            let i = out.len() as u32;
            let (package, version) = PACKAGES[((seed + i) as usize) % PACKAGES.len()];
            let cve = format!("CVE-2024-{}", 20_000 + (seed * 7 + i * 131) % 30_000);
            out.push(json!({
                "name": cve,
                "description": format!("{sev} vulnerability {} in {package} {version}", k + 1),
                "uri": format!("https://security-tracker.debian.org/tracker/{cve}"),
                "severity": sev,
                "attributes": [
                    {"key": "package_name", "value": package},
                    {"key": "package_version", "value": version},
                ],
            }));
        }
    }
    out
}

fn describe_image_scan_findings(w: &RegionWorld, body: &[u8]) -> Result<Value, ApiError> {
    let req: ScanReq = parse(body)?;
    let r = repo(w, req.registry_id.as_deref(), &req.repository_name)?;
    let i = r
        .images
        .iter()
        .find(|i| req.image_id.matches(i))
        .ok_or_else(|| image_not_found(&req.image_id, r, &w.account))?;
    let Some(f) = &i.findings else {
        return Err(ApiError::client(
            "ScanNotFoundException",
            format!(
                "Image scan does not exist for the image with '{}' in the repository with name '{}' in the registry with id '{}'",
                req.image_id.text(),
                r.name,
                w.account
            ),
        ));
    };
    let all = findings_of(f, &i.digest);
    let max = max_results(req.max_results, 1000)?;
    let (page, next) = paginate(&all, req.next_token.as_deref(), max)?;
    Ok(prune(json!({
        "registryId": w.account,
        "repositoryName": r.name,
        "imageId": {"imageDigest": i.digest, "imageTag": req.image_id.image_tag},
        "imageScanStatus": {"status": "COMPLETE", "description": "The scan was completed successfully."},
        "imageScanFindings": {
            "imageScanCompletedAt": secs(scanned_at(i)),
            "vulnerabilitySourceUpdatedAt": secs(scanned_at(i) - 3_600_000),
            "findingSeverityCounts": counts(f),
            "findings": page,
        },
        "nextToken": next,
    })))
}
