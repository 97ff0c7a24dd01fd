//! Instance settings, such as the secret that signs cookies.

use sqlx::AnyConnection;

use super::{Result, Store};

impl Store {
    /// Returns the stored value of `key`, or stores and returns the one
    /// `make` produces. Safe when several instances start at once: the
    /// first insert wins and everyone reads it.
    pub async fn setting_or_insert(
        &self,
        key: &str,
        make: impl FnOnce() -> String,
    ) -> Result<String> {
        let mut conn = self.read().await?;
        if let Some(v) = setting(&mut conn, key).await? {
            return Ok(v);
        }
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(make())
        .execute(&mut *conn)
        .await?;
        Ok(setting(&mut conn, key).await?.unwrap_or_default())
    }
}

async fn setting(conn: &mut AnyConnection, key: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(conn)
            .await?,
    )
}
