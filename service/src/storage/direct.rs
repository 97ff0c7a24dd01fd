//! SQLite's handle, used straight from the writer's task, for the hot
//! writes of a hall (votes).
//!
//! sqlx runs every SQLite connection on a thread of its own and sends it
//! each statement over a channel, so each statement costs two thread
//! switches and two wake-ups, and a vote is six statements. With the
//! server on one core, those hand-overs were a quarter of a vote's time
//! (`docs/benchmarks.md`). Here the writer locks the handle out of sqlx's
//! thread once per group (one round trip) and runs the whole group's
//! statements itself, through rusqlite, on the same database handle.

use std::str::FromStr;

use sqlx::{
    Connection, Executor,
    sqlite::{SqliteConnectOptions, SqliteConnection},
};

use super::StorageError;

/// A SQLite connection of the writer's, with a rusqlite view of its handle.
pub(super) struct Direct {
    // Declared first, so dropped first: its prepared statements are
    // finalised while the handle is still open.
    raw: rusqlite::Connection,
    conn: SqliteConnection,
}

impl std::fmt::Debug for Direct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Direct").finish_non_exhaustive()
    }
}

impl Direct {
    /// Opens the database at `url` (`sqlite://PATH`, already created and
    /// migrated) with the settings of the pools' connections
    /// ([`super::SQLITE_PRAGMAS`]).
    pub(super) async fn open(url: &str) -> Result<Direct, StorageError> {
        let options = SqliteConnectOptions::from_str(url)?;
        let mut conn = SqliteConnection::connect_with(&options).await?;
        for pragma in super::SQLITE_PRAGMAS {
            conn.execute(pragma).await?;
        }
        let raw = {
            let mut locked = conn.lock_handle().await?;
            // SAFETY: the handle stays open as long as `conn`, which is
            // dropped after `raw`; `raw` does not close it; and `raw` is
            // used only in `run`, while the lock keeps sqlx's thread off it.
            unsafe { rusqlite::Connection::from_handle(locked.as_raw_handle().as_ptr()) }
                .map_err(StorageError::Sqlite)?
        };
        raw.set_prepared_statement_cache_capacity(32);
        Ok(Direct { raw, conn })
    }

    /// Runs `work` on the handle, with sqlx's thread kept off it meanwhile.
    /// `work` blocks the task that calls this for as long as its statements
    /// take (a group of votes: a few milliseconds at most).
    pub(super) async fn run<R>(
        &mut self,
        work: impl FnOnce(&rusqlite::Connection) -> R,
    ) -> Result<R, StorageError> {
        let _locked = self.conn.lock_handle().await?;
        Ok(work(&self.raw))
    }

    /// Finalises the prepared statements and closes the connection.
    pub(super) async fn close(mut self) {
        if let Ok(_locked) = self.conn.lock_handle().await {
            self.raw.flush_prepared_statement_cache();
        }
        let Direct { raw, conn } = self;
        drop(raw);
        let _ = conn.close().await;
    }
}

/// Whether a SQLite error means "not now": busy or locked past the busy
/// timeout.
pub(super) fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}
