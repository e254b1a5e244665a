//! Deployment history and what actions change: ECS service deployments (ListServiceDeployments /
//! DescribeServiceDeployments), service revisions with their images and digests, and the pure
//! choice of the rollback target — the last deployment that COMPLETED before the current one,
//! not simply revision N−1 (pipelines register revisions that never ran).

use serde::{Deserialize, Serialize};

use super::short_td;

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

/// Why there is nothing to roll back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoRollbackTarget {
    /// The service has no deployment at all.
    NoHistory,
    /// No deployment completed before the current one.
    NoneCompleted,
    /// Every deployment that completed before the current one ran the task definition that runs
    /// now (forced redeploys start the same revision again): rolling back would change nothing.
    SameRevision { task_definition: String },
}

impl std::fmt::Display for NoRollbackTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoRollbackTarget::NoHistory => write!(f, "the service has no deployment history: nothing to roll back to"),
            NoRollbackTarget::NoneCompleted => {
                write!(f, "no deployment completed before the current one: nothing to roll back to")
            }
            NoRollbackTarget::SameRevision { task_definition } => write!(
                f,
                "nothing to roll back to: every deployment that completed before the current one ran {}, the \
                 revision running now (a forced redeploy starts the same revision again), so a rollback would \
                 change nothing",
                short_td(task_definition)
            ),
        }
    }
}

/// The deployment to roll back to: the newest one older than the current one (the newest,
/// `deployments` are newest first) that completed and whose revision ran another task
/// definition than the current one's. `revisions` describe the deployments' target revisions;
/// a deployment whose revision is not among them is passed over (what it ran is unknown).
pub fn rollback_target<'a>(
    deployments: &'a [ServiceDeploymentInfo],
    revisions: &[RevisionInfo],
) -> Result<&'a ServiceDeploymentInfo, NoRollbackTarget> {
    let current = deployments.first().ok_or(NoRollbackTarget::NoHistory)?;
    let td = |d: &ServiceDeploymentInfo| {
        revisions.iter().find(|r| r.arn == d.target_revision).map(|r| r.task_definition.as_str())
    };
    let now = td(current);
    let mut completed = deployments.iter().skip(1).filter(|d| d.completed()).peekable();
    if completed.peek().is_none() {
        return Err(NoRollbackTarget::NoneCompleted);
    }
    completed.find(|d| td(d).is_some_and(|t| Some(t) != now)).ok_or_else(|| NoRollbackTarget::SameRevision {
        task_definition: now.unwrap_or(&current.target_revision).to_string(),
    })
}

/// The target revisions a rollback choice needs described: the current deployment's and those
/// of the deployments that completed before it, each once, at most `max`.
pub fn rollback_candidates(deployments: &[ServiceDeploymentInfo], max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let completed = deployments.iter().skip(1).filter(|d| d.completed());
    for d in deployments.iter().take(1).chain(completed) {
        if !d.target_revision.is_empty() && !out.contains(&d.target_revision) && out.len() < max {
            out.push(d.target_revision.clone());
        }
    }
    out
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

    fn rev(arn: &str, td: &str) -> RevisionInfo {
        RevisionInfo { arn: arn.into(), task_definition: td.into(), images: Vec::new() }
    }

    #[test]
    fn rollback_goes_to_the_last_completed_before_the_current() {
        let history = vec![
            dep("IN_PROGRESS", "r4"),
            dep("ROLLBACK_SUCCESSFUL", "r3"),
            dep("SUCCESSFUL", "r2"),
            dep("SUCCESSFUL", "r1"),
        ];
        let revs = [rev("r4", "td:4"), rev("r3", "td:3"), rev("r2", "td:2"), rev("r1", "td:1")];
        assert_eq!(rollback_target(&history, &revs).map(|d| d.target_revision.as_str()), Ok("r2"));
        assert_eq!(rollback_target(&history[..1], &revs), Err(NoRollbackTarget::NoneCompleted));
        assert_eq!(rollback_target(&[], &revs), Err(NoRollbackTarget::NoHistory));
        assert_eq!(rollback_candidates(&history, 20), vec!["r4", "r2", "r1"]);
        assert_eq!(rollback_candidates(&history, 2), vec!["r4", "r2"]);
    }

    #[test]
    fn rollback_skips_deployments_of_the_revision_running_now() {
        // A forced redeploy of wordpress:42 completed after the deployment of 42 and the one of 41.
        let history = vec![dep("SUCCESSFUL", "r3"), dep("SUCCESSFUL", "r2"), dep("SUCCESSFUL", "r1")];
        let revs = [rev("r3", "wordpress:42"), rev("r2", "wordpress:42"), rev("r1", "wordpress:41")];
        assert_eq!(rollback_target(&history, &revs).map(|d| d.target_revision.as_str()), Ok("r1"));
        // Nothing but the same revision: refused, saying why.
        let err = rollback_target(&history[..2], &revs).unwrap_err();
        assert_eq!(err, NoRollbackTarget::SameRevision { task_definition: "wordpress:42".into() });
        assert!(err.to_string().contains("ran wordpress:42, the revision running now"), "{err}");
        assert!(err.to_string().contains("would change nothing"), "{err}");
        // A revision that was not described is passed over, not guessed at.
        assert_eq!(
            rollback_target(&history, &revs[..2]),
            Err(NoRollbackTarget::SameRevision { task_definition: "wordpress:42".into() })
        );
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
