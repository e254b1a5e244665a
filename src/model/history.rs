//! Deployment history and what actions change: ECS service deployments (ListServiceDeployments /
//! DescribeServiceDeployments), service revisions with their images and digests, and the pure
//! choice of the rollback target — the last deployment that COMPLETED before the current one,
//! not simply revision N−1 (pipelines register revisions that never ran).

use serde::{Deserialize, Serialize};

/// One service deployment, newest first in lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDeploymentInfo {
    pub arn: String,
    /// PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL…
    pub status: String,
    pub status_reason: Option<String>,
    pub target_revision: String,
    pub created_at_ms: i64,
    pub finished_at_ms: Option<i64>,
    /// Set when the circuit breaker rolled this deployment back.
    pub rolled_back: bool,
}

impl ServiceDeploymentInfo {
    /// Whether this deployment completed (its target revision ran to steady state).
    pub fn completed(&self) -> bool {
        self.status == "SUCCESSFUL"
    }

    pub fn in_progress(&self) -> bool {
        matches!(
            self.status.as_str(),
            "PENDING" | "IN_PROGRESS" | "ROLLBACK_IN_PROGRESS" | "ROLLBACK_REQUESTED" | "STOP_REQUESTED"
        )
    }
}

/// A container image of a service revision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionImage {
    pub container: String,
    pub image: String,
    pub digest: Option<String>,
}

/// A service revision: the task definition a deployment ran, and its images as resolved then.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionInfo {
    pub arn: String,
    pub task_definition: String,
    pub images: Vec<RevisionImage>,
}

/// What a rollback would do: from the current deployment's revision to the target's, with
/// what differs in images and digests and the warnings to show before confirming. The preview
/// the operator confirms is the plan that is carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RollbackPlan {
    pub current: ServiceDeploymentInfo,
    pub target: ServiceDeploymentInfo,
    pub from: RevisionInfo,
    pub to: RevisionInfo,
    pub changes: Vec<ImageChange>,
    pub warnings: Vec<String>,
}

/// The deployment to roll back to: the newest one that completed, older than the newest
/// deployment (the current one). `deployments` are newest first.
pub fn rollback_target(deployments: &[ServiceDeploymentInfo]) -> Option<&ServiceDeploymentInfo> {
    deployments.iter().skip(1).find(|d| d.completed())
}

/// One container whose image differs (or not) between two revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageChange {
    pub container: String,
    pub from_image: String,
    pub to_image: String,
    pub from_digest: Option<String>,
    pub to_digest: Option<String>,
    /// Both revisions name the same mutable tag (`:latest`, `:php-latest`): ECS resolves the tag
    /// again at launch, so rolling back would run whatever was pushed last — it changes nothing.
    pub same_mutable_tag: bool,
}

/// Whether an image reference is pinned (a digest) rather than a tag that can move.
pub fn is_pinned(image: &str) -> bool {
    image.contains("@sha256:")
}

/// What differs between the current revision and the rollback target, container by container.
pub fn image_changes(from: &RevisionInfo, to: &RevisionInfo) -> Vec<ImageChange> {
    let mut out = Vec::new();
    for f in &from.images {
        let Some(t) = to.images.iter().find(|t| t.container == f.container) else { continue };
        out.push(ImageChange {
            container: f.container.clone(),
            from_image: f.image.clone(),
            to_image: t.image.clone(),
            from_digest: f.digest.clone(),
            to_digest: t.digest.clone(),
            same_mutable_tag: f.image == t.image && !is_pinned(&f.image),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(status: &str, rev: &str) -> ServiceDeploymentInfo {
        ServiceDeploymentInfo { status: status.into(), target_revision: rev.into(), ..Default::default() }
    }

    #[test]
    fn rollback_goes_to_the_last_completed_before_the_current() {
        let history = vec![
            dep("IN_PROGRESS", "r4"),
            dep("ROLLBACK_SUCCESSFUL", "r3"),
            dep("SUCCESSFUL", "r2"),
            dep("SUCCESSFUL", "r1"),
        ];
        assert_eq!(rollback_target(&history).map(|d| d.target_revision.as_str()), Some("r2"));
        assert!(rollback_target(&history[..1]).is_none());
    }

    #[test]
    fn same_mutable_tag_is_flagged_and_digests_are_not() {
        let img =
            |i: &str, d: &str| RevisionImage { container: "php-fpm".into(), image: i.into(), digest: Some(d.into()) };
        let from = RevisionInfo { images: vec![img("repo:php-latest", "sha256:aa")], ..Default::default() };
        let to = RevisionInfo { images: vec![img("repo:php-latest", "sha256:bb")], ..Default::default() };
        assert!(image_changes(&from, &to)[0].same_mutable_tag);
        let pinned = RevisionInfo { images: vec![img("repo@sha256:bb", "sha256:bb")], ..Default::default() };
        let pinned_from = RevisionInfo { images: vec![img("repo@sha256:bb", "sha256:bb")], ..Default::default() };
        assert!(!image_changes(&pinned_from, &pinned)[0].same_mutable_tag);
    }
}
