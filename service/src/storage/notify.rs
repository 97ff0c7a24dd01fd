//! Change announcements between app instances (PostgreSQL only).
//!
//! A trigger on `events` (migration `0005_live_notify`) calls `pg_notify`
//! with `"<session id>:<seq>"` for every stored change; [`ChangeListener`]
//! LISTENs on one dedicated connection and hands those references to the
//! live hub, which reads the changes themselves from the table.
//!
//! NOTIFY is fire-and-forget: what is sent while the listening connection
//! is down is lost. So the listener does not reconnect quietly: any failure
//! ends it, and the caller opens a new one and then asks the database for
//! every session's last number ([`super::sessions::all_last_seqs`]), which
//! recovers whatever was committed in between.

use rembuk_domain::SessionId;
use sqlx::{
    Executor,
    postgres::{PgConnectOptions, PgListener, PgPoolOptions},
};
use std::{str::FromStr, time::Duration};

use super::{Result, StorageError};

/// The channel the trigger announces on.
pub const CHANNEL: &str = "rembuk_events";

/// One instance's LISTEN connection.
pub struct ChangeListener {
    inner: PgListener,
}

/// What the listener heard.
#[derive(Debug, PartialEq, Eq)]
pub enum Heard {
    /// A session committed a change with this number.
    Change(SessionId, u64),
    /// Nothing for a while, and a ping showed the connection still works.
    Quiet,
}

impl ChangeListener {
    /// Connects to `url` and starts listening. The connection shows in
    /// `pg_stat_activity` as `application_name` (operators, and the tests,
    /// can find and end it there).
    pub async fn connect(url: &str, application_name: &str) -> Result<ChangeListener> {
        let options = PgConnectOptions::from_str(url)?.application_name(application_name);
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        let mut inner = PgListener::connect_with(&pool).await?;
        inner.listen(CHANNEL).await?;
        Ok(ChangeListener { inner })
    }

    /// Waits for the next announcement. After `quiet` without one it pings
    /// the connection, so that a silently dead link is noticed. Any error
    /// (including a lost connection) means this listener is finished.
    pub async fn next(&mut self, quiet: Duration) -> Result<Heard> {
        loop {
            match tokio::time::timeout(quiet, self.inner.try_recv()).await {
                Err(_) => {
                    (&mut self.inner).execute("SELECT 1").await?;
                    return Ok(Heard::Quiet);
                }
                Ok(Ok(Some(n))) => match parse_payload(n.payload()) {
                    Some((session, seq)) => return Ok(Heard::Change(session, seq)),
                    None => tracing::warn!(payload = n.payload(), "odd change announcement"),
                },
                Ok(Ok(None)) => {
                    return Err(StorageError::Database(sqlx::Error::Io(
                        std::io::ErrorKind::ConnectionAborted.into(),
                    )));
                }
                Ok(Err(e)) => return Err(e.into()),
            }
        }
    }
}

/// "<session id>:<seq>" as the trigger writes it.
fn parse_payload(payload: &str) -> Option<(SessionId, u64)> {
    let (session, seq) = payload.rsplit_once(':')?;
    Some((session.parse().ok()?, seq.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_parse_and_odd_ones_are_refused() {
        let id = SessionId::from_uuid(uuid::Uuid::new_v4());
        assert_eq!(parse_payload(&format!("{id}:42")), Some((id, 42)));
        assert_eq!(parse_payload(&format!("{id}")), None);
        assert_eq!(parse_payload("x:1"), None);
        assert_eq!(parse_payload(&format!("{id}:-1")), None);
    }
}
