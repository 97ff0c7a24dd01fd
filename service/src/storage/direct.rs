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
//!
//! The live hub reads the committed changes the same way ([`Reader`]):
//! through sqlx, every row of a read crossed from sqlx's thread on a
//! channel of its own, and a storm of votes is thousands of rows a second.

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

/// A SQLite connection of the live hub's, for reading what the writer
/// committed: opened on first use, and opened again after an error.
pub(super) struct Reader {
    url: String,
    held: tokio::sync::Mutex<Option<Direct>>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader").finish_non_exhaustive()
    }
}

/// How long a read waits for a lock (in WAL mode readers take none, except
/// for a moment while a checkpoint restarts the log): the hub's task waits
/// with it, and on an error the hub tries again shortly anyway.
const READ_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(50);

impl Reader {
    /// A reader of the database at `url` (`sqlite://PATH`); nothing is
    /// opened yet.
    pub(super) fn new(url: String) -> Reader {
        Reader {
            url,
            held: tokio::sync::Mutex::new(None),
        }
    }

    /// Runs the reads of `work` on the reader's handle; after an error the
    /// handle is closed, and the next call opens a new one.
    pub(super) async fn run<R>(
        &self,
        work: impl FnOnce(&rusqlite::Connection) -> Result<R, StorageError>,
    ) -> Result<R, StorageError> {
        let mut held = self.held.lock().await;
        let mut direct = match held.take() {
            Some(direct) => direct,
            None => {
                let direct = Direct::open(&self.url).await?;
                direct
                    .raw
                    .busy_timeout(READ_BUSY_TIMEOUT)
                    .map_err(StorageError::Sqlite)?;
                direct
            }
        };
        match direct.run(work).await {
            Ok(Ok(read)) => {
                *held = Some(direct);
                Ok(read)
            }
            Ok(Err(e)) | Err(e) => {
                direct.close().await;
                Err(e)
            }
        }
    }

    /// Closes the handle, if open.
    pub(super) async fn close(&self) {
        if let Some(direct) = self.held.lock().await.take() {
            direct.close().await;
        }
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
