//! Rembuk's service layer.
//!
//! [`Services`] holds every operation of the app. The Leptos server
//! functions and the `/api/v1` JSON handlers are thin shells over it: they
//! turn a request into credentials and input, call one method, and map the
//! result. Each method authorises the caller, parses input with the domain
//! rules, runs one transaction in [`storage`], and, after commit, tells the
//! [`live`] hub.

pub mod access;
pub mod auth;
pub mod fresh;
mod joins;
mod limits;
pub mod live;
mod messages;
pub mod moderation;
mod participation;
mod privacy;
pub mod qr;
mod reports;
mod scores;
mod sessions;
pub mod storage;
mod transfer;
mod users;
mod workshops;

pub use access::Caller;
pub use moderation::CardPatch;
pub use participation::{CardInput, JoinInput, Joined, Submitted};
pub use privacy::{PrivacyInput, Purged, Withdrawn};
pub use rembuk_domain::moderation::Merged;
pub use sessions::QuestionInput;
pub use transfer::{
    CreatedUser, ImportError, ImportOptions, Imported, KindCount, Loss, NewJoinCode, RowKind,
    SessionName, WorkshopTransfer,
};
pub use users::{Login, SetupFrom};
pub use workshops::WorkshopInput;

use std::{sync::Arc, time::Duration};

use auth::Cookies;
pub use limits::StreamGuard;
use live::LiveHub;
pub use rembuk_domain::ratelimit::{Rate, RateLimits};
use storage::Store;

/// Settings of the service layer, from the server's configuration.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
    /// The address people reach the app at (for join links and QR codes),
    /// e.g. `https://rembuk.acehselatankab.go.id`. When unset, links use the
    /// address of the request that asked for them.
    pub public_url: Option<String>,
    /// How long a staff login lasts.
    pub staff_session_ttl: Duration,
    /// Write rates and live streams allowed per participant and session.
    pub rate_limits: RateLimits,
    /// Where the first administrator may be created from.
    pub setup_from: SetupFrom,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            public_url: None,
            staff_session_ttl: Duration::from_secs(12 * 3600),
            rate_limits: RateLimits::default(),
            setup_from: SetupFrom::Anywhere,
        }
    }
}

/// Every operation of the app. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Services {
    inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    store: Store,
    live: LiveHub,
    cookies: Cookies,
    config: ServiceConfig,
    timers: moderation::Timers,
    logins: users::LoginGuard,
    limits: limits::Limits,
    joins: joins::JoinCache,
}

impl Services {
    /// Opens the database, brings its schema up to date and starts the live
    /// hub.
    pub async fn start(
        database_url: &str,
        config: ServiceConfig,
    ) -> Result<Services, storage::StorageError> {
        let store = Store::connect(database_url).await?;
        let secret = store
            .setting_or_insert("cookie_secret", auth::new_cookie_secret)
            .await?;
        let secure = config
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"));
        let cookies = Cookies::new(&secret, secure);
        let live = LiveHub::start(store.clone()).await?;
        let limits = limits::Limits::new(config.rate_limits);
        let inner = Arc::new(Inner {
            limits,
            store,
            live,
            cookies,
            config,
            timers: Default::default(),
            logins: Default::default(),
            joins: Default::default(),
        });
        moderation::Timers::start(Arc::downgrade(&inner));
        Ok(Services { inner })
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The live hub.
    pub fn live(&self) -> &LiveHub {
        &self.inner.live
    }

    /// Cookie names, signing and reading.
    pub fn cookies(&self) -> &Cookies {
        &self.inner.cookies
    }

    /// The configuration.
    pub fn config(&self) -> &ServiceConfig {
        &self.inner.config
    }

    /// The base address for links: the configured public URL, else
    /// `http://<host>` of the request, else a local default.
    pub fn base_url(&self, request_host: Option<&str>) -> String {
        if let Some(url) = &self.inner.config.public_url {
            return url.trim_end_matches('/').to_string();
        }
        match request_host.map(str::trim).filter(|h| is_plausible_host(h)) {
            Some(host) => format!("http://{host}"),
            None => "http://127.0.0.1:3000".to_string(),
        }
    }

    /// The link a participant opens to join a session.
    pub fn join_url(
        &self,
        request_host: Option<&str>,
        code: rembuk_domain::session::JoinCode,
    ) -> String {
        format!("{}/j/{}", self.base_url(request_host), code.digits())
    }
}

/// A `Host` header we are willing to put into a link: a name or address
/// and an optional port, nothing that could break out of a URL.
fn is_plausible_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plausible_hosts_go_into_links() {
        assert!(is_plausible_host("192.168.1.10:3000"));
        assert!(is_plausible_host("rembuk.acehselatankab.go.id"));
        assert!(is_plausible_host("[::1]:3000"));
        assert!(!is_plausible_host("evil.com/\"><script>"));
        assert!(!is_plausible_host(""));
    }
}
