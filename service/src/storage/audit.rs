//! The moderation record: per session, and per workshop for the roll-up's
//! cross-session merges.

use rembuk_domain::{
    SessionId, WorkshopId,
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
    insert(
        conn,
        "INSERT INTO audit_log (session_id, at, actor, action, target, reason, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        session.to_string(),
        entry,
    )
    .await
}

/// Records a workshop-level action.
pub async fn insert_workshop_audit(
    conn: &mut AnyConnection,
    workshop: WorkshopId,
    entry: &AuditEntry,
) -> Result<()> {
    insert(
        conn,
        "INSERT INTO workshop_audit_log (workshop_id, at, actor, action, target, reason, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        workshop.to_string(),
        entry,
    )
    .await
}

async fn insert(
    conn: &mut AnyConnection,
    sql: &'static str,
    owner: String,
    entry: &AuditEntry,
) -> Result<()> {
    sqlx::query(sql)
        .bind(owner)
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

/// A session's whole record, oldest first (for reports).
pub async fn audit_all(conn: &mut AnyConnection, session: SessionId) -> Result<Vec<AuditEntry>> {
    let mut all = audit_of(conn, session, u32::MAX / 2).await?;
    all.reverse();
    Ok(all)
}

/// A session's record, newest first, at most `limit` entries.
pub async fn audit_of(
    conn: &mut AnyConnection,
    session: SessionId,
    limit: u32,
) -> Result<Vec<AuditEntry>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT at, actor, action, target, reason, detail FROM audit_log WHERE session_id = $1
         ORDER BY id DESC LIMIT $2",
    )
    .bind(session.to_string())
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Row::into_entry).collect()
}

/// The workshop-level record, oldest first.
pub async fn workshop_audit_of(
    conn: &mut AnyConnection,
    workshop: WorkshopId,
) -> Result<Vec<AuditEntry>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT at, actor, action, target, reason, detail FROM workshop_audit_log
         WHERE workshop_id = $1 ORDER BY id",
    )
    .bind(workshop.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(Row::into_entry).collect()
}

#[derive(sqlx::FromRow)]
struct Row {
    at: i64,
    actor: String,
    action: String,
    target: Option<String>,
    reason: Option<String>,
    detail: Option<String>,
}

impl Row {
    fn into_entry(self) -> Result<AuditEntry> {
        Ok(AuditEntry {
            at: Timestamp(self.at),
            action: self
                .action
                .parse::<AuditAction>()
                .map_err(|()| StorageError::Corrupt(format!("audit action {}", self.action)))?,
            actor: self.actor,
            target: self.target,
            reason: self.reason,
            detail: self.detail,
        })
    }
}
