//! Pingora's server configuration, written as the YAML file a Pingora user keeps beside the program
//! (`-c conf.yaml`) and loaded by Pingora's own loader, so that what runs is what the file says.
//!
//! Why each setting differs from Pingora's default:
//! - `threads`: the SPEC's `--threads` (Pingora's default is 1).
//! - `pid_file`, `upgrade_sock`: in the run's working directory (the harness's per-run scratch
//!   directory). The defaults, /tmp/pingora.pid and /tmp/pingora_upgrade.sock, would collide between
//!   proxies running at the same time.
//! - `grace_period_seconds: 0`, `graceful_shutdown_timeout_seconds: 1`: SIGTERM must end the process
//!   within 2 s (SPEC.md); by default Pingora keeps serving for 300 s after SIGTERM, then gives its
//!   runtimes 5 s more.
//! - `upstream_keepalive_pool_size: 1024`: idle upstream connections kept, as nginx's `keepalive 1024`
//!   in ../nginx/run_nginx.sh (Pingora's default is 128).
//!
//! Everything else stays Pingora's default: `work_stealing: true` (one multi-threaded tokio runtime for
//! the service, so the upstream pool is shared by all threads), no daemon, no TLS.

use std::path::{Path, PathBuf};

use pingora::server::configuration::ServerConf;

/// The configuration file's name in the working directory.
pub const FILE_NAME: &str = "pingora.yaml";

/// The YAML text for `threads` worker threads, with the pid file and upgrade socket in `dir`.
pub fn yaml(threads: u16, dir: &Path) -> String {
    let pid_file = dir.join("pingora.pid");
    let upgrade_sock = dir.join("pingora_upgrade.sock");
    // {:?} quotes a path as a YAML double-quoted string (backslashes and quotes escaped).
    format!(
        "---\n\
         version: 1\n\
         threads: {threads}\n\
         pid_file: {pid_file:?}\n\
         upgrade_sock: {upgrade_sock:?}\n\
         grace_period_seconds: 0\n\
         graceful_shutdown_timeout_seconds: 1\n\
         upstream_keepalive_pool_size: 1024\n"
    )
}

/// Writes the file into `dir` and returns its path; the error says which file could not be written.
pub fn write(threads: u16, dir: &Path) -> Result<PathBuf, String> {
    let path = dir.join(FILE_NAME);
    std::fs::write(&path, yaml(threads, dir))
        .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    Ok(path)
}

/// Checks the text the way Pingora will load it, so a bad file is one clear line, not a panic later.
pub fn check(text: &str) -> Result<ServerConf, String> {
    ServerConf::from_yaml(text).map_err(|error| format!("invalid Pingora configuration: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pingora_reads_every_setting_we_write() {
        let conf = check(&yaml(3, Path::new("/scratch/run 1"))).unwrap();
        assert_eq!(conf.threads, 3);
        assert_eq!(conf.pid_file, "/scratch/run 1/pingora.pid");
        assert_eq!(conf.upgrade_sock, "/scratch/run 1/pingora_upgrade.sock");
        assert_eq!(conf.grace_period_seconds, Some(0));
        assert_eq!(conf.graceful_shutdown_timeout_seconds, Some(1));
        assert_eq!(conf.upstream_keepalive_pool_size, 1024);
        assert!(conf.work_stealing && !conf.daemon);
    }

    #[test]
    fn the_defaults_we_override_are_still_pingoras() {
        // If a Pingora release changes these defaults, the reasons in this module's comment need a look.
        let default = ServerConf::new().unwrap();
        assert_eq!(default.pid_file, "/tmp/pingora.pid");
        assert_eq!(default.upgrade_sock, "/tmp/pingora_upgrade.sock");
        assert_eq!(default.grace_period_seconds, None);
        assert_eq!(default.upstream_keepalive_pool_size, 128);
    }

    #[test]
    fn quotes_in_a_path_survive() {
        let conf = check(&yaml(1, Path::new("/tmp/a\"b\\c"))).unwrap();
        assert_eq!(conf.pid_file, "/tmp/a\"b\\c/pingora.pid");
    }
}
