//! The named profiles of the shared AWS config and credentials files (`AWS_CONFIG_FILE`,
//! `AWS_SHARED_CREDENTIALS_FILE`, or `~/.aws/…`), read with the SDK's own parser, so that a
//! `--profile` that does not exist is said as such, with the ones that do, instead of surfacing
//! later as "credentials are missing or expired".

use aws_types::os_shim_internal::{Env, Fs};

/// Ok when `profile` is defined in the shared files; else the one-line reason.
pub async fn check(profile: &str) -> Result<(), String> {
    let files = aws_runtime::env_config::file::EnvConfigFiles::default();
    let set = match aws_config::profile::load(&Fs::real(), &Env::real(), &files, None).await {
        Ok(set) => set,
        // Unreadable or malformed files: the SDK's own error comes when the clients load.
        Err(_) => return Ok(()),
    };
    if set.get_profile(profile).is_some() {
        return Ok(());
    }
    let mut names: Vec<&str> = set.profiles().collect();
    names.sort_unstable();
    Err(if names.is_empty() {
        format!("profile {profile:?} does not exist: the AWS config and credentials files define no profiles")
    } else {
        format!("profile {profile:?} does not exist; the AWS config files define: {}", names.join(", "))
    })
}
