//! Posture rules on the images in ECR: repositories scanning on push (ECR.1) and with immutable
//! tags (ECR.2), and the scan findings of the digests the service actually runs.

use serde::{Deserialize, Serialize};

use super::{container_path, finding, names};
use crate::model::ecr::{EcrImage, ImageScan, Repository, short_digest};
use crate::model::ecs::{Task, TaskDefinition};
use crate::model::findings::{Finding, Severity};
use crate::model::ids::task_prefix;

/// CRITICAL findings tolerated on a running image (more is a critical finding).
pub const CRITICAL_FINDINGS_ALLOWED: u32 = 0;
/// HIGH findings tolerated on a running image (more is a high finding).
pub const HIGH_FINDINGS_ALLOWED: u32 = 0;

/// A container of the task definition whose image is in a private ECR registry, with the
/// digests its running tasks report (empty when none runs it yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningImage {
    pub container: String,
    pub image: EcrImage,
    pub digests: Vec<String>,
    /// The running tasks that report each digest, by task id prefix.
    pub tasks: Vec<(String, String)>,
}

/// The task definition's ECR images and the digests running for each. What the reader asks ECR
/// about, and what the scan rule judges.
pub fn running_images(td: &TaskDefinition, tasks: &[Task]) -> Vec<RunningImage> {
    td.containers
        .iter()
        .filter_map(|c| {
            let image = EcrImage::parse(&c.image)?;
            let mut digests: Vec<String> = image.digest.iter().cloned().collect();
            let mut on = Vec::new();
            for t in tasks.iter().filter(|t| t.is_running() && t.task_definition == td.arn) {
                for d in t.containers.iter().filter(|k| k.name == c.name).filter_map(|k| k.image_digest.as_ref()) {
                    if !digests.contains(d) {
                        digests.push(d.clone());
                    }
                    on.push((d.clone(), task_prefix(t.id.as_str()).to_string()));
                }
            }
            Some(RunningImage { container: c.name.clone(), image, digests, tasks: on })
        })
        .collect()
}

/// The distinct repositories of the task definition's ECR images, in container order.
fn repositories_used(td: &TaskDefinition) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for c in &td.containers {
        let Some(i) = EcrImage::parse(&c.image) else { continue };
        let entry = (c.name.clone(), i.short());
        match out.iter_mut().find(|(r, _)| *r == i.repository) {
            Some((_, users)) => users.push(entry),
            None => out.push((i.repository.clone(), vec![entry])),
        }
    }
    out
}

/// ECR.1: the repositories scan images on push.
pub fn scan_on_push(td: &TaskDefinition, repos: &[Repository]) -> Vec<Finding> {
    repositories_used(td)
        .into_iter()
        .filter_map(|(name, users)| {
            let repo = repos.iter().find(|r| r.name == name)?;
            (!repo.scan_on_push).then(|| {
                finding("ecr_scan_on_push", Severity::High, &name, format!("ECR repository {name} does not scan on push"))
                    .evidence(format!("{name}: imageScanningConfiguration.scanOnPush false; used by {}", users_text(&users)))
                    .control("ECR.1")
                    .change(format!("turn on scan on push for {name} (PutImageScanningConfiguration scanOnPush=true, or enhanced scanning for the registry)"))
            })
        })
        .collect()
}

/// ECR.2: tags cannot be pushed over. With a mutable tag (the seed's `:php-latest`) every
/// revision names the same tag, so a rollback runs whatever was pushed last: a no-op.
pub fn tag_immutability(td: &TaskDefinition, repos: &[Repository]) -> Vec<Finding> {
    repositories_used(td)
        .into_iter()
        .filter_map(|(name, users)| {
            let repo = repos.iter().find(|r| r.name == name)?;
            if repo.tags_immutable() {
                return None;
            }
            let tagged: Vec<&(String, String)> = users.iter().filter(|(_, i)| !i.contains('@')).collect();
            let mut f = finding("ecr_tag_immutability", Severity::Medium, &name, format!("ECR repository {name} has mutable tags"))
                .evidence(format!("{name}: imageTagMutability {}; used by {}", repo.tag_mutability, users_text(&users)))
                .control("ECR.2");
            if !tagged.is_empty() {
                f = f.evidence(format!(
                    "{} by a mutable tag: a rollback to an earlier revision naming the same tag runs what was pushed last, so it changes nothing",
                    names(tagged.iter().map(|(_, i)| i.as_str()))
                ));
            }
            Some(f.change(format!(
                "set imageTagMutability IMMUTABLE on {name} and tag each build uniquely (the commit id), or pin {} by @sha256 digest",
                names(users.iter().map(|(c, _)| container_path(c)).collect::<Vec<_>>().iter().map(String::as_str))
            )))
        })
        .collect()
}

/// The running images' scan findings: CRITICAL and HIGH counts for the digest each container
/// runs (or, before any task runs it, the digest its tag points to now).
pub fn image_scans(td: &TaskDefinition, tasks: &[Task], images: &[ImageScan]) -> Vec<Finding> {
    let mut out = Vec::new();
    for ri in running_images(td, tasks) {
        let (digests, by_tag) = if ri.digests.is_empty() {
            let tag = ri.image.tag.as_deref().unwrap_or("latest");
            let now: Vec<String> = images
                .iter()
                .filter(|i| i.repository == ri.image.repository && i.tags.iter().any(|t| t == tag))
                .map(|i| i.digest.clone())
                .collect();
            (now, true)
        } else {
            (ri.digests.clone(), false)
        };
        for digest in digests {
            let shown = format!("{}@{}", ri.image.repository, short_digest(&digest));
            let running_on: Vec<&str> =
                ri.tasks.iter().filter(|(d, _)| *d == digest).map(|(_, t)| t.as_str()).collect();
            let whose = if by_tag {
                format!(
                    "{} ({}: no task runs it yet; what :{} points to now)",
                    ri.container,
                    shown,
                    ri.image.tag.as_deref().unwrap_or("latest")
                )
            } else if running_on.is_empty() {
                format!("{} ({shown}, pinned)", ri.container)
            } else {
                format!("{} ({shown}, running on {})", ri.container, running_on.join(", "))
            };
            let Some(scan) = images.iter().find(|i| i.repository == ri.image.repository && i.digest == digest) else {
                out.push(
                    finding(
                        "ecr_image_missing",
                        Severity::Low,
                        &ri.container,
                        format!("{}'s running image is not in ECR", ri.container),
                    )
                    .evidence(format!("{whose}: DescribeImages does not list it (deleted by a lifecycle policy?)"))
                    .change(format!(
                        "keep running digests in {} (exclude them from lifecycle expiry)",
                        ri.image.repository
                    )),
                );
                continue;
            };
            let (Some(counts), Some("COMPLETE")) = (scan.counts, scan.scan_status.as_deref()) else {
                out.push(
                    finding(
                        "ecr_image_unscanned",
                        Severity::Low,
                        &ri.container,
                        format!("{}'s running image has no completed scan", ri.container),
                    )
                    .evidence(format!("{whose}: scan status {}", scan.scan_status.as_deref().unwrap_or("none")))
                    .change(format!("scan it (StartImageScan on {shown}) and turn on scan on push")),
                );
                continue;
            };
            let (severity, what) = if counts.critical > CRITICAL_FINDINGS_ALLOWED {
                (Severity::Critical, "CRITICAL")
            } else if counts.high > HIGH_FINDINGS_ALLOWED {
                (Severity::High, "HIGH")
            } else {
                continue;
            };
            out.push(
                finding("ecr_image_vulnerabilities", severity, &ri.container, format!("{} vulnerabilities in {}'s running image", what, ri.container))
                    .evidence(format!(
                        "{whose}: {} critical · {} high · {} medium · {} low",
                        counts.critical, counts.high, counts.medium, counts.low
                    ))
                    .change(format!(
                        "rebuild {}'s image on a patched base and deploy it (the pipeline's trivy step should block CRITICAL)",
                        ri.container
                    )),
            );
        }
    }
    out
}

fn users_text(users: &[(String, String)]) -> String {
    users.iter().map(|(c, i)| format!("{c} ({i})")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
#[path = "images_tests.rs"]
mod tests;
