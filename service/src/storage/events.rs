//! The session history that live streams replay.

use rembuk_domain::{
    SessionId,
    event::{Change, StoredEvent, Visibility},
    time::Timestamp,
};
use sqlx::AnyConnection;

use super::{Result, StorageError, rows::EventRow};

/// Stores a committed change under its sequence number, with what
/// participants may see of it.
pub async fn append_event(
    conn: &mut AnyConnection,
    session: SessionId,
    seq: u64,
    change: &Change,
    public: &Visibility,
    now: Timestamp,
) -> Result<()> {
    let (payload, audience, public_payload) = event_columns(change, public)?;
    sqlx::query(INSERT_EVENT)
        .bind(session.to_string())
        .bind(seq as i64)
        .bind(change.kind())
        .bind(payload)
        .bind(audience)
        .bind(public_payload)
        .bind(now.millis())
        .execute(conn)
        .await?;
    Ok(())
}

/// Stores one change (`$1`: the session, `$2`: its number, `$3`: its kind,
/// then [`event_columns`], then `$7`: now).
pub(super) const INSERT_EVENT: &str =
    "INSERT INTO events (session_id, seq, kind, payload, audience, public_payload, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// A change's payload, its audience, and what participants see of it
/// when that differs.
pub(super) fn event_columns(
    change: &Change,
    public: &Visibility,
) -> Result<(String, &'static str, Option<String>)> {
    let json =
        |c: &Change| serde_json::to_string(c).map_err(|e| StorageError::Corrupt(e.to_string()));
    let payload = json(change)?;
    let (audience, public_payload) = match public {
        Visibility::All => ("all", None),
        Visibility::Staff => ("staff", None),
        Visibility::Masked(c) => ("masked", Some(json(c)?)),
    };
    Ok((payload, audience, public_payload))
}

/// Up to `limit` changes after `after`, in order.
pub async fn events_after(
    conn: &mut AnyConnection,
    session: SessionId,
    after: u64,
    limit: u32,
) -> Result<Vec<StoredEvent>> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT seq, payload, audience, public_payload FROM events
         WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(session.to_string())
    .bind(after as i64)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(EventRow::into_event).collect()
}

/// Records a transaction's changes under consecutive sequence numbers.
///
/// [`Recorder::begin`] takes the session's next number at the start of the
/// transaction, which on PostgreSQL locks the session row until commit, so
/// the session's writers never interleave; each [`Recorder::record`] stores
/// one change. A transaction that began recording must record at least one
/// change or roll back, so that committed numbers have no gaps.
pub struct Recorder {
    session: SessionId,
    reserved: Option<u64>,
    last: u64,
}

impl Recorder {
    /// Locks the session for this transaction and reserves its next number.
    pub async fn begin(conn: &mut AnyConnection, session: SessionId) -> Result<Recorder> {
        let seq = super::sessions::next_seq(conn, session).await?;
        Ok(Recorder {
            session,
            reserved: Some(seq),
            last: 0,
        })
    }

    /// Stores one change; returns its number.
    pub async fn record(
        &mut self,
        conn: &mut AnyConnection,
        change: &Change,
        public: &Visibility,
        now: Timestamp,
    ) -> Result<u64> {
        let seq = match self.reserved.take() {
            Some(seq) => seq,
            None => super::sessions::next_seq(conn, self.session).await?,
        };
        append_event(conn, self.session, seq, change, public, now).await?;
        self.last = seq;
        Ok(seq)
    }

    /// The number of the last change recorded (0 when none was).
    pub fn last(&self) -> u64 {
        self.last
    }

    /// The session.
    pub fn session(&self) -> SessionId {
        self.session
    }
}
