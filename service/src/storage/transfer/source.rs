//! The source file: checked, and read from a private, up-to-date copy.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
};

use sqlx::{AnyConnection, Connection, Executor};

use crate::storage::{StorageError, Store};

/// Why a source file cannot be read. The service words it in each
/// language (`crate::transfer`).
#[derive(Debug)]
pub enum SourceError {
    Missing(PathBuf),
    NotSqlite(PathBuf),
    NotRembuk(PathBuf),
    Newer {
        path: PathBuf,
        theirs: i64,
        ours: i64,
    },
    Unreadable(PathBuf, String),
    Storage(StorageError),
}

impl From<StorageError> for SourceError {
    fn from(e: StorageError) -> Self {
        SourceError::Storage(e)
    }
}

/// A private, up-to-date copy of a source database. Its folder is removed
/// when it is closed or dropped.
pub struct Source {
    store: Store,
    dir: PathBuf,
    /// The schema version the file had (before the copy was migrated).
    pub version: i64,
}

impl Source {
    /// The copy, to read from.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Closes the copy and removes it.
    pub async fn close(self) {
        self.store.close().await;
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Opens a source file without changing it: checks that it is a Rembuk
/// SQLite database this build understands, then migrates a private copy.
pub async fn open_source(path: &Path) -> Result<Source, SourceError> {
    if !path.is_file() {
        return Err(SourceError::Missing(path.to_path_buf()));
    }
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", escape_path(path));
    let unreadable = |e: sqlx::Error| SourceError::Unreadable(path.to_path_buf(), e.to_string());
    let mut conn = AnyConnection::connect(&url).await.map_err(unreadable)?;
    let result = check_and_copy(&mut conn, path).await;
    let _ = conn.close().await;
    let (dir, version) = result?;
    let copy = dir.join("source.db");
    let store = match Store::connect(&format!("sqlite://{}", escape_path(&copy))).await {
        Ok(store) => store,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e.into());
        }
    };
    Ok(Source {
        store,
        dir,
        version,
    })
}

/// The newest schema version this build knows (SQLite's migrations).
pub fn latest_version() -> i64 {
    crate::storage::SQLITE_MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// A path as a `sqlite://` URL writes it: the characters the driver would
/// read as escapes, options or a fragment are escaped.
fn escape_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3F"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

async fn check_and_copy(
    conn: &mut AnyConnection,
    path: &Path,
) -> Result<(PathBuf, i64), SourceError> {
    let tables: Vec<String> =
        match sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut *conn)
            .await
        {
            Ok(t) => t,
            Err(sqlx::Error::Database(e))
                if e.code().as_deref() == Some("26") || e.message().contains("not a database") =>
            {
                return Err(SourceError::NotSqlite(path.to_path_buf()));
            }
            Err(e) => return Err(SourceError::Unreadable(path.to_path_buf(), e.to_string())),
        };
    let has = |name: &str| tables.iter().any(|t| t == name);
    if !has("_sqlx_migrations") || !has("workshops") || !has("sessions") {
        return Err(SourceError::NotRembuk(path.to_path_buf()));
    }
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| SourceError::Unreadable(path.to_path_buf(), e.to_string()))?;
    let known: BTreeSet<i64> = crate::storage::SQLITE_MIGRATIONS
        .iter()
        .map(|m| m.version)
        .collect();
    let ours = known.last().copied().unwrap_or(0);
    if let Some(&unknown) = applied.iter().find(|v| !known.contains(v)) {
        return Err(SourceError::Newer {
            path: path.to_path_buf(),
            theirs: applied.last().copied().unwrap_or(unknown).max(unknown),
            ours,
        });
    }
    if !applied.contains(&1) {
        return Err(SourceError::NotRembuk(path.to_path_buf()));
    }
    let dir = std::env::temp_dir().join(format!("rembuk-import-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).map_err(|e| {
        SourceError::Unreadable(path.to_path_buf(), format!("temporary folder: {e}"))
    })?;
    let copy = dir.join("source.db");
    let target = copy.to_string_lossy().replace('\'', "''");
    if let Err(e) = conn
        .execute(sqlx::AssertSqlSafe(format!("VACUUM INTO '{target}'")))
        .await
    {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(SourceError::Unreadable(path.to_path_buf(), e.to_string()));
    }
    Ok((dir, applied.last().copied().unwrap_or(0)))
}
