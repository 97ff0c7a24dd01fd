//! The session history that live streams replay.

use rembuk_domain::{
    SessionId,
    event::{Change, StoredEvent},
    time::Timestamp,
};
use sqlx::AnyConnection;

use super::{Result, StorageError, rows::EventRow};

/// Stores a committed change under its sequence number.
pub async fn append_event(
    conn: &mut AnyConnection,
    session: SessionId,
    seq: u64,
    change: &Change,
    now: Timestamp,
) -> Result<()> {
    let payload =
        serde_json::to_string(change).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    sqlx::query("INSERT INTO events (session_id, seq, kind, payload, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(session.to_string())
        .bind(seq as i64)
        .bind(change.kind())
        .bind(payload)
        .bind(now.millis())
        .execute(conn)
        .await?;
    Ok(())
}

/// Up to `limit` changes after `after`, in order.
pub async fn events_after(
    conn: &mut AnyConnection,
    session: SessionId,
    after: u64,
    limit: u32,
) -> Result<Vec<StoredEvent>> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT seq, payload FROM events WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(session.to_string())
    .bind(after as i64)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(EventRow::into_event).collect()
}
