//! The moderation record.

use rembuk_domain::{
    SessionId,
    audit::{AuditAction, AuditEntry},
    time::Timestamp,
};
use sqlx::AnyConnection;

use super::{Result, StorageError};

/// Records one moderation action.
pub async fn insert_audit(
    conn: &mut AnyConnection,
    session: SessionId,
    entry: &AuditEntry,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (session_id, at, actor, action, target, reason, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(session.to_string())
    .bind(entry.at.millis())
    .bind(&entry.actor)
    .bind(entry.action.as_str())
    .bind(&entry.target)
    .bind(&entry.reason)
    .bind(&entry.detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// A session's record, newest first, at most `limit` entries.
pub async fn audit_of(
    conn: &mut AnyConnection,
    session: SessionId,
    limit: u32,
) -> Result<Vec<AuditEntry>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        at: i64,
        actor: String,
        action: String,
        target: Option<String>,
        reason: Option<String>,
        detail: Option<String>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT at, actor, action, target, reason, detail FROM audit_log WHERE session_id = $1
         ORDER BY id DESC LIMIT $2",
    )
    .bind(session.to_string())
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(AuditEntry {
                at: Timestamp(r.at),
                action: r
                    .action
                    .parse::<AuditAction>()
                    .map_err(|()| StorageError::Corrupt(format!("audit action {}", r.action)))?,
                actor: r.actor,
                target: r.target,
                reason: r.reason,
                detail: r.detail,
            })
        })
        .collect()
}
