//! One lock per site (account, region, cluster, service) on this machine, so that the mutating
//! calls of several wpops processes — commands and consoles — on one site happen one at a time
//! (QUALITY.md item 13). It is an OS advisory lock (`flock`, through std's `File::try_lock`) on
//! a file beside the audit log, released when its holder drops it, exits or crashes; the holder
//! writes its pid and command into the file so that a process kept out can name it. It is held
//! around one check-call-look, never while a rollout is followed.

use std::fs::File;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::audit::AuditLog;

/// How long an action waits for another process's lock before it is refused. The lock covers a
/// few requests (check, call, look again), so it is normally free again well within this.
pub const WAIT: Duration = Duration::from_secs(3);

/// How often a waiting action tries again.
const RETRY: Duration = Duration::from_millis(50);

/// Why the lock was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockError {
    /// Another process held it for the whole wait; what it wrote about itself, if anything.
    Busy { holder: Option<String> },
    /// The lock file could not be opened or locked.
    Unusable(String),
}

/// The site's lock, held until dropped.
#[derive(Debug)]
pub struct SiteLock {
    file: File,
}

impl Drop for SiteLock {
    fn drop(&mut self) {
        // Nobody else writes while this is held: empty the holder's note, then let go.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// The lock file of a site: `wpops-<account>_<region>_<cluster>_<service>-<hash>.lock` in the
/// audit log's directory. The names are kept to safe characters and cut; the hash of the exact
/// four keeps two sites from sharing a file.
pub fn path_for(audit: &AuditLog, account: &str, region: &str, cluster: &str, service: &str) -> PathBuf {
    let safe = |s: &str| -> String {
        let s: String =
            s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' }).collect();
        if s.is_empty() { "-".into() } else { s }
    };
    let mut readable = [account, region, cluster, service].map(safe).join("_");
    readable.truncate(160);
    let hash = fnv1a([account, region, cluster, service].join("\0").as_bytes());
    audit.dir().join(format!("wpops-{readable}-{hash:016x}.lock"))
}

/// FNV-1a, 64 bits: stable across versions and machines, unlike the std hashers.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// Takes the lock at `path`, trying again for up to `wait` while another process holds it, and
/// writes `holder` into it.
pub async fn acquire(path: &Path, holder: &str, wait: Duration) -> Result<SiteLock, LockError> {
    let unusable = |e: std::io::Error| LockError::Unusable(format!("the site lock {}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(unusable)?;
    }
    // Never truncate on open: that would wipe the holder's note.
    let file =
        std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).map_err(unusable)?;
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(RETRY).await;
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                let note = std::fs::read_to_string(path).unwrap_or_default();
                let note = note.trim();
                return Err(LockError::Busy { holder: (!note.is_empty()).then(|| note.to_string()) });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(unusable(e)),
        }
    }
    let mut lock = SiteLock { file };
    // The note only helps name the holder; the lock is what matters, so a failed write is let be.
    let _ = lock.file.set_len(0).and_then(|()| lock.file.rewind()).and_then(|()| {
        writeln!(lock.file, "{holder}")?;
        lock.file.flush()
    });
    Ok(lock)
}

/// What this process writes into a lock it holds: `pid 4242: redeploy (wpops redeploy --yes),
/// since 2026-11-28T05:00:00Z`.
pub fn holder_note(action: &str) -> String {
    let mut command: String = std::env::args()
        .map(|a| a.rsplit('/').next().map(str::to_string).unwrap_or(a))
        .take(12)
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if command.chars().count() > 120 {
        command = command.chars().take(119).collect::<String>() + "…";
    }
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    format!("pid {}: {action} ({command}), since {since}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(dir: &Path) -> AuditLog {
        AuditLog { path: dir.join("state/audit.jsonl") }
    }

    #[test]
    fn one_file_per_site_beside_the_audit_log() {
        let dir = tempfile::tempdir().unwrap();
        let log = log(dir.path());
        let a = path_for(&log, "123456789012", "ap-northeast-1", "wp-prod", "wordpress");
        assert_eq!(a.parent(), Some(dir.path().join("state").as_path()));
        let name = a.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with("wpops-123456789012_ap-northeast-1_wp-prod_wordpress-"), "{name}");
        assert_eq!(a, path_for(&log, "123456789012", "ap-northeast-1", "wp-prod", "wordpress"));
        // Names that read the same once made safe still get their own file.
        let b = path_for(&log, "123456789012", "ap-northeast-1", "wp_prod", "wordpress");
        let c = path_for(&log, "123456789012", "ap-northeast-1", "wp-prod_wordpress", "");
        assert_ne!(a, b);
        assert_ne!(b, c);
        let odd = path_for(&log, "", "../x", "a/b", &"s".repeat(300));
        assert_eq!(odd.parent(), a.parent(), "no path escapes the directory: {odd:?}");
        assert!(odd.file_name().unwrap().len() < 255);
    }

    #[tokio::test]
    async fn a_held_lock_keeps_others_out_names_its_holder_and_is_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(&log(dir.path()), "1", "r", "c", "s");
        let held = acquire(&path, "pid 1: redeploy (wpops redeploy --yes)", WAIT).await.unwrap();
        // Another open file description of the same file, as another process has.
        let refused = acquire(&path, "pid 2", Duration::ZERO).await.unwrap_err();
        assert_eq!(refused, LockError::Busy { holder: Some("pid 1: redeploy (wpops redeploy --yes)".into()) });
        drop(held);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "", "the note goes with the lock");
        let again = acquire(&path, "pid 3", Duration::ZERO).await.unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "pid 3\n");
        drop(again);
    }

    #[test]
    fn the_note_names_the_pid_and_the_action() {
        let note = holder_note("redeploy");
        assert!(note.starts_with(&format!("pid {}: redeploy (", std::process::id())), "{note}");
    }
}
