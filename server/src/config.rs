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
    /// Where the first administrator may be created from (venue mode: this
    /// computer only).
    pub setup_from: rembuk_service::SetupFrom,
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
            .field("setup_from", &self.setup_from)
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

/// The name of the SQLite file in a data folder.
pub const DATABASE_FILE: &str = "rembuk.db";
/// The default address.
pub const DEFAULT_BIND: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::LOCALHOST,
    3000,
));
/// Where `cargo leptos build` puts the site.
pub const DEFAULT_SITE_ROOT: &str = "target/site";

/// The folder Rembuk keeps its database in when nobody says otherwise: the
/// user's own data folder, so that a binary copied from a USB stick and
/// started from anywhere (a download folder, the stick itself) finds the
/// same workshops next time.
///
/// `env` looks a variable up (the process environment in the app; a map
/// in tests). Windows: `%LOCALAPPDATA%\Rembuk`; macOS:
/// `~/Library/Application Support/Rembuk`; elsewhere
/// `$XDG_DATA_HOME/rembuk`, else `~/.local/share/rembuk`. Without any of
/// those, `./data`.
pub fn default_data_dir(os: &str, env: impl Fn(&str) -> Option<String>) -> PathBuf {
    let var = |name: &str| {
        env(name)
            .filter(|v| !v.trim().is_empty())
            .map(PathBuf::from)
    };
    let found = match os {
        "windows" => var("LOCALAPPDATA")
            .or_else(|| var("APPDATA"))
            .map(|d| d.join("Rembuk")),
        "macos" => var("HOME").map(|h| h.join("Library/Application Support/Rembuk")),
        _ => var("XDG_DATA_HOME")
            .map(|d| d.join("rembuk"))
            .or_else(|| var("HOME").map(|h| h.join(".local/share/rembuk"))),
    };
    found.unwrap_or_else(|| PathBuf::from("data"))
}

/// A `sqlite://` URL naming `file`, with the characters the URL would
/// otherwise read as syntax (`%`, `?`, `#`) escaped.
pub fn sqlite_url(file: &std::path::Path) -> String {
    let mut url = String::from("sqlite://");
    for c in file.to_string_lossy().chars() {
        match c {
            '%' => url.push_str("%25"),
            '?' => url.push_str("%3F"),
            '#' => url.push_str("%23"),
            c => url.push(c),
        }
    }
    url
}

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
            setup_from: Default::default(),
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

    #[test]
    fn the_database_lives_in_the_users_data_folder() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            default_data_dir(
                "windows",
                env(&[("LOCALAPPDATA", r"C:\Users\Dinas\AppData\Local")])
            ),
            PathBuf::from(r"C:\Users\Dinas\AppData\Local").join("Rembuk")
        );
        assert_eq!(
            default_data_dir("linux", env(&[("HOME", "/home/dinas")])),
            PathBuf::from("/home/dinas/.local/share/rembuk")
        );
        assert_eq!(
            default_data_dir(
                "linux",
                env(&[("HOME", "/home/dinas"), ("XDG_DATA_HOME", "/data/x")])
            ),
            PathBuf::from("/data/x/rembuk")
        );
        assert_eq!(
            default_data_dir("macos", env(&[("HOME", "/Users/d")])),
            PathBuf::from("/Users/d/Library/Application Support/Rembuk")
        );
        // Nothing known, or only blanks: next to where it was started.
        assert_eq!(
            default_data_dir("linux", env(&[("HOME", " ")])),
            PathBuf::from("data")
        );
    }

    #[test]
    fn file_names_with_url_syntax_survive_the_sqlite_url() {
        assert_eq!(
            sqlite_url(std::path::Path::new("/tmp/a b/100% #1?.db")),
            "sqlite:///tmp/a b/100%25 %231%3F.db"
        );
    }
}
