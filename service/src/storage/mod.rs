//! The storage layer: the only place in Rembuk that speaks SQL.
//!
//! One implementation serves SQLite (the embedded default) and PostgreSQL
//! (for several app instances) through sqlx's `Any` driver: the SQL here is
//! written so that both accept it (`$n` parameters, `ON CONFLICT`,
//! `RETURNING`, explicit `CAST`s where PostgreSQL would widen a type), and
//! the few places that must differ ask [`Backend`]. Rows are their own
//! types (`*Row`) and are turned into domain types before they leave.
//!
//! Write transactions start with [`sessions::next_seq`], which numbers the
//! session's change and, on PostgreSQL, locks the session row; on SQLite the
//! transaction is `BEGIN IMMEDIATE`. Either way, two writers of one session
//! never interleave, so rules such as the vote budget are checked against
//! data no one else is changing.

pub mod audit;
pub mod cards;
pub mod clusters;
mod direct;
pub mod events;
pub mod group;
pub mod notify;
pub mod participants;
pub mod questions;
mod rows;
pub mod sessions;
mod settings;
pub mod transfer;
pub mod users;
pub mod votes;
pub mod workshops;

pub use cards::{CardInsert, MergeRow};
pub use participants::ParticipantInsert;
pub use users::StaffSessionRow;

use std::{path::Path, str::FromStr, sync::Arc, time::Duration};

use rembuk_domain::{AppError, time::Timestamp};
use sqlx::{
    AnyConnection, AnyPool, Connection, Executor, Transaction,
    any::{AnyPoolOptions, install_default_drivers},
};

/// Which database engine is behind the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Why storage failed. Callers see these as [`AppError::Internal`] (and the
/// details go to the log), or as [`AppError::Unavailable`] when the database
/// was only busy or out of reach for a moment, except where a constraint
/// tells a person something useful.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// From a statement the writer ran straight on SQLite's handle
    /// ([`direct`]).
    #[error("database: {0}")]
    Sqlite(rusqlite::Error),
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot create the database folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// A grouped write whose transaction did not commit.
    #[error("not committed: {0}")]
    Commit(String),
    /// A grouped write whose transaction did not commit because the
    /// database was busy or out of reach ([`StorageError::is_transient`]).
    #[error("not committed, database busy: {0}")]
    Busy(String),
}

/// How long a client is asked to wait before it sends a write again that
/// found the database busy.
pub const BUSY_RETRY_AFTER_SECS: u32 = 2;

impl StorageError {
    /// Whether a unique constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StorageError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }

    /// Whether a foreign key refused the write.
    pub fn is_foreign_key_violation(&self) -> bool {
        matches!(self, StorageError::Database(sqlx::Error::Database(e)) if e.is_foreign_key_violation())
    }

    /// Whether the database was busy or out of reach: locked by another
    /// writer past the busy timeout, no connection free in time, the
    /// connection lost, PostgreSQL restarting. Nothing was written, and the
    /// same write may succeed in a moment.
    pub fn is_transient(&self) -> bool {
        match self {
            StorageError::Busy(_) => true,
            StorageError::Sqlite(e) => direct::is_busy(e),
            StorageError::Database(e) => match e {
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::WorkerCrashed => true,
                sqlx::Error::Database(e) => e.code().is_some_and(|code| {
                    if e.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                        sqlite_busy(&code)
                    } else {
                        postgres_busy(&code)
                    }
                }),
                _ => false,
            },
            _ => false,
        }
    }
}

/// Whether a SQLite result code (sqlx gives the extended code) is
/// `SQLITE_BUSY` or `SQLITE_LOCKED`, with any of their extended codes.
fn sqlite_busy(code: &str) -> bool {
    code.parse::<u32>()
        .is_ok_and(|code| matches!(code & 0xff, 5 | 6))
}

/// Whether a PostgreSQL SQLSTATE says "not now" rather than "no": a lost
/// connection (class 08), a serialisation failure or deadlock (40001,
/// 40P01), too few resources (class 53), a lock not available in time
/// (55P03), or a server shutting down or starting (57P01–57P03).
fn postgres_busy(sqlstate: &str) -> bool {
    sqlstate.starts_with("08")
        || sqlstate.starts_with("53")
        || matches!(
            sqlstate,
            "40001" | "40P01" | "55P03" | "57P01" | "57P02" | "57P03"
        )
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        if e.is_transient() {
            tracing::warn!(error = %e, "database busy; the client is asked to try again");
            return AppError::Unavailable {
                retry_after_secs: BUSY_RETRY_AFTER_SECS,
            };
        }
        tracing::error!(error = %e, "storage failed");
        AppError::Internal
    }
}

/// Result of a storage call.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// The database, shared by every request.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The URL it was opened with (PostgreSQL's listener opens its own
    /// connection with it).
    url: String,
    /// Where write transactions run. SQLite: one connection of its own,
    /// which the writer holds; PostgreSQL: the same pool.
    writes: AnyPool,
    /// SQLite: the task that owns the writes and gives each its turn: it
    /// lends the connection above for a transaction of the caller's own,
    /// and runs waiting votes together on a handle of its own
    /// ([`Store::cast_vote`]); `None` on PostgreSQL.
    group: Option<group::Writer>,
    /// SQLite: the live hub's handle for reading committed changes
    /// ([`Store::changes_after`]); `None` on PostgreSQL.
    changes: Option<Arc<direct::Reader>>,
}

impl std::fmt::Debug for Store {
    // Not the URL: it may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// A write transaction. Dropping it without [`Tx::commit`] rolls back.
pub struct Tx {
    inner: TxInner,
    backend: Backend,
}

enum TxInner {
    /// sqlx's own transaction, on a connection from a pool.
    Pooled(Transaction<'static, sqlx::Any>),
    /// SQLite's connection for writes, lent by its writer.
    Lent(group::Lent),
}

/// How every SQLite connection is set up, the pools' and the writer's
/// own ([`direct`]). WAL lets phones read while a vote is written; NORMAL
/// syncs at checkpoints, which loses no committed data on a process crash
/// (only on power loss within the last checkpoint interval).
const SQLITE_PRAGMAS: [&str; 4] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
];

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

impl Store {
    /// Opens the database at `url` (`sqlite://PATH` or `postgres://…`),
    /// creating a SQLite file and its folder if needed, and brings the
    /// schema up to date.
    pub async fn connect(url: &str) -> Result<Store> {
        install_default_drivers();
        let (backend, url) = normalise_url(url)?;
        let options = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(10))
                // A pinged connection is a round trip to SQLite's worker
                // thread before every query of every request; a file
                // opened in this process does not go stale the way a
                // network connection does. PostgreSQL's are still checked.
                .test_before_acquire(backend == Backend::Postgres)
                .after_connect(move |conn, _meta| {
                    Box::pin(async move {
                        if backend == Backend::Sqlite {
                            for pragma in SQLITE_PRAGMAS {
                                conn.execute(pragma).await?;
                            }
                        }
                        Ok(())
                    })
                })
        };
        let (pool, writes) = match backend {
            Backend::Sqlite => {
                let pool = options(8).connect(&url).await?;
                // SQLite has one writer at a time. Left to SQLite, waiting
                // writers each held a pooled connection and polled the lock
                // with sleeps of up to 100 ms: a burst of votes took every
                // connection, the live hub and the pages could not read,
                // and the whole server stalled for hundreds of
                // milliseconds. With one connection for writes, held by
                // the writer task, writers queue for it in order and
                // readers keep theirs.
                let writes = options(1).connect(&url).await?;
                (pool, writes)
            }
            Backend::Postgres => {
                let pool = options(16).connect(&url).await?;
                (pool.clone(), pool)
            }
        };
        let group =
            (backend == Backend::Sqlite).then(|| group::Writer::start(writes.clone(), url.clone()));
        let changes =
            (backend == Backend::Sqlite).then(|| Arc::new(direct::Reader::new(url.clone())));
        let store = Store {
            pool,
            backend,
            url,
            writes,
            group,
            changes,
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// The engine behind this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Listens for changes committed by any instance (PostgreSQL only:
    /// `None` on SQLite, where this process is the only writer).
    pub async fn listen(&self, application_name: &str) -> Result<Option<notify::ChangeListener>> {
        match self.backend {
            Backend::Sqlite => Ok(None),
            Backend::Postgres => Ok(Some(
                notify::ChangeListener::connect(&self.url, application_name).await?,
            )),
        }
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Starts a write transaction (SQLite: on the one connection for
    /// writes, in the order asked, grouped writes included).
    pub async fn write(&self) -> Result<Tx> {
        match &self.group {
            // IMMEDIATE takes the write lock now, so the transaction never
            // fails halfway when it upgrades from reading to writing.
            Some(writer) => Tx::lent(writer.lend().await?, "BEGIN IMMEDIATE").await,
            None => Ok(Tx {
                inner: TxInner::Pooled(self.writes.begin().await?),
                backend: self.backend,
            }),
        }
    }

    /// Starts a read-only transaction: every read in it sees the database
    /// as of one moment (a snapshot and its sequence number agree).
    pub async fn read_tx(&self) -> Result<Tx> {
        let inner = match self.backend {
            Backend::Sqlite => self.pool.begin().await?,
            Backend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?
            }
        };
        Ok(Tx {
            inner: TxInner::Pooled(inner),
            backend: self.backend,
        })
    }

    /// Copies a consistent snapshot of a SQLite database to `path` while the
    /// app keeps running.
    pub async fn backup_to(&self, path: &Path) -> Result<()> {
        let mut conn = self.read().await?;
        let target = path.to_string_lossy().replace('\'', "''");
        conn.execute(sqlx::AssertSqlSafe(format!("VACUUM INTO '{target}'")))
            .await?;
        Ok(())
    }

    /// Closes every connection (for orderly shutdown and tests).
    pub async fn close(&self) {
        if let Some(writer) = &self.group {
            writer.stop().await;
        }
        if let Some(reader) = &self.changes {
            reader.close().await;
        }
        self.writes.close().await;
        self.pool.close().await;
    }
}

impl Tx {
    /// A transaction opened with `begin` on SQLite's lent connection.
    async fn lent(mut lent: group::Lent, begin: &'static str) -> Result<Tx> {
        lent.begin(begin).await?;
        Ok(Tx {
            inner: TxInner::Lent(lent),
            backend: Backend::Sqlite,
        })
    }

    /// Commits the transaction.
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Pooled(tx) => Ok(tx.commit().await?),
            TxInner::Lent(lent) => lent.finish("COMMIT").await,
        }
    }

    /// Rolls the transaction back.
    pub async fn rollback(self) -> Result<()> {
        match self.inner {
            TxInner::Pooled(tx) => Ok(tx.rollback().await?),
            TxInner::Lent(lent) => lent.finish("ROLLBACK").await,
        }
    }

    /// The connection inside the transaction.
    pub fn conn(&mut self) -> &mut AnyConnection {
        match &mut self.inner {
            TxInner::Pooled(tx) => tx,
            TxInner::Lent(lent) => lent.conn(),
        }
    }

    /// The engine.
    pub fn backend(&self) -> Backend {
        self.backend
    }
}

/// The current time, as stored.
pub fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    Timestamp(ms)
}

/// Checks the URL, creates a SQLite file's folder, and makes sure SQLite
/// creates the file.
/// The file of a `sqlite://PATH[?…]` (or `sqlite:PATH`) URL, as written;
/// `None` for any other database.
pub fn sqlite_file(url: &str) -> Option<&str> {
    let url = url.trim();
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split_once('?').map_or(rest, |(path, _)| path))
}

/// The file a `sqlite://` URL opens: [`sqlite_file`] with `%XX` escapes
/// decoded, as SQLite's driver reads it (a file named `100%.db` is written
/// `100%25.db`); `None` for any other database.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let raw = sqlite_file(url)?.as_bytes();
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (raw[i], raw.get(i + 1).copied(), raw.get(i + 2).copied()) {
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                bytes.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                bytes.push(b);
                i += 1;
            }
        }
    }
    Some(std::path::PathBuf::from(
        String::from_utf8_lossy(&bytes).into_owned(),
    ))
}

fn normalise_url(url: &str) -> Result<(Backend, String)> {
    let url = url.trim();
    if let Some(path) = sqlite_file(url) {
        let query = url.split_once('?').map_or("", |(_, q)| q);
        if path.is_empty() || path == ":memory:" {
            return Err(StorageError::UnsupportedUrl(url.to_string()));
        }
        let file = sqlite_path(url).unwrap_or_default();
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| StorageError::Folder(parent.display().to_string(), e))?;
        }
        let mut query: Vec<String> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect();
        if !query.iter().any(|p| p.starts_with("mode=")) {
            query.push("mode=rwc".into());
        }
        // `sqlite:PATH`, not `sqlite://PATH`: the driver reads the URL
        // through a URL parser first, which takes what follows `//` for a
        // host, and a Windows path's `C:` for a host and a port.
        Ok((
            Backend::Sqlite,
            format!("sqlite:{path}?{}", query.join("&")),
        ))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((Backend::Postgres, url.to_string()))
    } else {
        Err(StorageError::UnsupportedUrl(url.to_string()))
    }
}

/// The environment variable that points the storage and HTTP test tiers
/// (and the benchmark's two-instance mode) at a PostgreSQL server, e.g.
/// `postgres://rembuk@127.0.0.1:55432/postgres`; `scripts/test` sets it.
pub const TEST_POSTGRES_ENV: &str = "REMBUK_TEST_POSTGRES";

/// A fresh, empty database for one test: a new PostgreSQL database on the
/// server that [`TEST_POSTGRES_ENV`] names, or else a SQLite file in `dir`.
pub async fn scratch_database(dir: &Path) -> Result<String> {
    match std::env::var(TEST_POSTGRES_ENV) {
        Ok(server) if !server.trim().is_empty() => create_postgres_database(server.trim()).await,
        _ => Ok(format!("sqlite://{}", dir.join("rembuk.db").display())),
    }
}

/// Creates an empty database with a random name on the PostgreSQL server
/// that `server_url` reaches, and returns its URL.
pub async fn create_postgres_database(server_url: &str) -> Result<String> {
    install_default_drivers();
    let name = format!("rembuk_{}", uuid::Uuid::new_v4().simple());
    let mut conn = AnyConnection::connect(server_url).await?;
    // The name is ours (letters, digits, an underscore), never user input.
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await?;
    conn.close().await?;
    with_database_name(server_url, &name)
        .ok_or_else(|| StorageError::UnsupportedUrl(server_url.to_string()))
}

/// `server_url` with its database name replaced by `name`.
fn with_database_name(server_url: &str, name: &str) -> Option<String> {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server_url, None),
    };
    let after_scheme = base.find("://")? + 3;
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let mut url = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    Some(url)
}

/// Parses a stored id (always written by us, so failure means corruption).
pub(crate) fn parse_id<T: FromStr>(raw: &str) -> Result<T> {
    raw.parse()
        .map_err(|_| StorageError::Corrupt(format!("bad id {raw:?}")))
}

/// Runs a check inside a connection: used by health checks.
pub async fn ping(conn: &mut AnyConnection) -> Result<()> {
    conn.ping().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_and_lost_connections_are_transient_and_refusals_are_not() {
        // SQLite: BUSY and LOCKED, with extended codes (BUSY_SNAPSHOT 517,
        // LOCKED_SHAREDCACHE 262); not a constraint (2067) or I/O (10).
        for code in ["5", "6", "261", "517", "262"] {
            assert!(sqlite_busy(code), "{code}");
        }
        for code in ["2067", "787", "10", "13", "x"] {
            assert!(!sqlite_busy(code), "{code}");
        }
        // PostgreSQL: connection lost, serialisation, resources, shutdown.
        for state in [
            "08006", "08003", "40001", "40P01", "53300", "55P03", "57P01",
        ] {
            assert!(postgres_busy(state), "{state}");
        }
        for state in ["23505", "23503", "42P01", "22001", "XX000"] {
            assert!(!postgres_busy(state), "{state}");
        }
        assert!(StorageError::Database(sqlx::Error::PoolTimedOut).is_transient());
        assert!(StorageError::Busy("database is locked".into()).is_transient());
        assert!(!StorageError::Commit("the writer has stopped".into()).is_transient());
        assert!(!StorageError::Corrupt("x".into()).is_transient());
    }

    /// A real "database is locked" from SQLite: another connection holds
    /// the write lock, and this one does not wait.
    #[tokio::test]
    async fn a_locked_sqlite_file_is_a_transient_error_that_asks_to_wait() {
        use sqlx::ConnectOptions;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("locked.db");
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let mut holder = options.connect().await.unwrap();
        sqlx::query("CREATE TABLE t (n INTEGER)")
            .execute(&mut holder)
            .await
            .unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut holder)
            .await
            .unwrap();
        let mut other = options
            .busy_timeout(Duration::ZERO)
            .connect()
            .await
            .unwrap();
        let error = sqlx::query("INSERT INTO t VALUES (1)")
            .execute(&mut other)
            .await
            .map(|_| ())
            .map_err(StorageError::from)
            .unwrap_err();
        assert!(error.is_transient(), "{error}");
        assert_eq!(
            AppError::from(error),
            AppError::Unavailable {
                retry_after_secs: BUSY_RETRY_AFTER_SECS
            }
        );
    }

    #[tokio::test]
    async fn sqlite_writers_wait_their_turn_without_taking_the_readers_connections() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite://{}", dir.path().join("w.db").display()))
            .await
            .unwrap();
        let mut tx = store.write().await.unwrap();
        sqlx::query("CREATE TABLE turns (n INTEGER NOT NULL)")
            .execute(tx.conn())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // One writer holds the lock; twenty more want it (more than the
        // pool has connections).
        let first = store.write().await.unwrap();
        let waiting: Vec<_> = (0..20)
            .map(|n| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut tx = store.write().await?;
                    sqlx::query("INSERT INTO turns (n) VALUES ($1)")
                        .bind(n as i64)
                        .execute(tx.conn())
                        .await?;
                    tx.commit().await
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(200)).await;

        // A reader still gets a connection, while the first writer holds on.
        let mut conn = store.read().await.expect("a connection for reading");
        let (before,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM turns")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(before, 0);
        drop(conn);

        first.rollback().await.unwrap();
        for w in waiting {
            w.await.unwrap().expect("every waiting writer commits");
        }
        let mut conn = store.read().await.unwrap();
        let (after,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM turns")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(after, 20);
    }

    #[test]
    fn sqlite_urls_get_create_mode_and_folders() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/rembuk.db");
        let (backend, url) = normalise_url(&format!("sqlite://{}", path.display())).unwrap();
        assert_eq!(backend, Backend::Sqlite);
        assert!(url.ends_with("?mode=rwc"), "{url}");
        assert!(path.parent().unwrap().is_dir());
        let (_, url) = normalise_url("sqlite:data/x.db?mode=rw").unwrap();
        assert_eq!(url, "sqlite:data/x.db?mode=rw");
    }

    #[tokio::test]
    async fn escaped_sqlite_file_names_are_the_files_sqlite_opens() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/100%25 %232/r%3F.db", dir.path().display());
        assert_eq!(sqlite_path(&url).unwrap(), dir.path().join("100% #2/r?.db"));
        let store = Store::connect(&url).await.unwrap();
        store.close().await;
        assert!(dir.path().join("100% #2/r?.db").is_file());
    }

    #[test]
    fn scratch_database_urls_keep_the_server_and_options() {
        assert_eq!(
            with_database_name("postgres://rembuk@127.0.0.1:55432/postgres", "x").unwrap(),
            "postgres://rembuk@127.0.0.1:55432/x"
        );
        assert_eq!(
            with_database_name("postgres://u:p@h?sslmode=disable", "x").unwrap(),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert!(with_database_name("nonsense", "x").is_none());
    }

    #[test]
    fn other_urls_are_refused_with_a_hint() {
        let e = normalise_url("mysql://localhost/x").unwrap_err();
        assert!(e.to_string().contains("sqlite://PATH"));
        assert!(normalise_url("sqlite::memory:").is_err());
        assert_eq!(
            normalise_url("postgres://u@h/db").unwrap().0,
            Backend::Postgres
        );
    }
}
