//! Typed configuration, read once at start-up.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// How the server runs.
#[derive(Clone)]
pub struct Config {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub bind: SocketAddr,
    /// `sqlite://PATH` (created if missing) or `postgres://…`.
    pub database_url: String,
    /// The address people reach the app at, for join links and QR codes.
    pub public_url: Option<String>,
    /// Where the built site (`pkg/` with WASM, JS and CSS) lives.
    pub site_root: PathBuf,
    /// How long a staff login lasts.
    pub staff_session_ttl: Duration,
    /// Write rates and live streams per participant and session.
    pub rate_limits: rembuk_service::RateLimits,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: crate::proxy::TrustedProxies,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("database_url", &redact_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("site_root", &self.site_root)
            .field("staff_session_ttl", &self.staff_session_ttl)
            .field("rate_limits", &self.rate_limits)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

/// Hides a password in a database URL (`postgres://user:secret@host`).
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The default database: a SQLite file under `./data/`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/rembuk.db";
/// The default address.
pub const DEFAULT_BIND: &str = "127.0.0.1:3000";
/// Where `cargo leptos build` puts the site.
pub const DEFAULT_SITE_ROOT: &str = "target/site";

impl Config {
    /// A configuration for tests and tools: a free port on loopback.
    pub fn for_database(database_url: impl Into<String>) -> Config {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: database_url.into(),
            public_url: None,
            site_root: PathBuf::from(DEFAULT_SITE_ROOT),
            staff_session_ttl: Duration::from_secs(12 * 3600),
            rate_limits: Default::default(),
            trusted_proxies: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_never_reach_the_log() {
        assert_eq!(
            redact_url("postgres://rembuk:s3cret@db:5432/rembuk"),
            "postgres://rembuk:***@db:5432/rembuk"
        );
        assert_eq!(
            redact_url("sqlite://data/rembuk.db"),
            "sqlite://data/rembuk.db"
        );
        let config = Config::for_database("postgres://u:pw@h/d");
        assert!(!format!("{config:?}").contains("pw@"));
    }
}
