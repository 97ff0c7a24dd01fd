//! The session history that live streams replay.

use rembuk_domain::{
    SessionId,
    event::{Change, StoredEvent, Visibility},
    time::Timestamp,
};
use sqlx::AnyConnection;

use super::{Result, StorageError, Store, rows::EventRow};

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

/// The changes of session `$1` after number `$2`, in order, at most `$3`.
const EVENTS_AFTER: &str = "SELECT seq, payload, audience, public_payload FROM events
     WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";

impl Store {
    /// Up to `limit` changes after `after`, in order: what the live hub
    /// sends. On SQLite they are read straight on a handle of the hub's
    /// ([`super::direct::Reader`]), which blocks the calling task for the
    /// read (a few milliseconds for a full batch).
    pub async fn changes_after(
        &self,
        session: SessionId,
        after: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>> {
        let Some(reader) = &self.changes else {
            return events_after(&mut *self.read().await?, session, after, limit).await;
        };
        let rows = reader
            .run(|db| {
                db.prepare_cached(EVENTS_AFTER)
                    .and_then(|mut q| {
                        q.query_map(
                            rusqlite::named_params! {
                                "$1": session.to_string(),
                                "$2": after as i64,
                                "$3": i64::from(limit),
                            },
                            |r| {
                                Ok(EventRow {
                                    seq: r.get(0)?,
                                    payload: r.get(1)?,
                                    audience: r.get(2)?,
                                    public_payload: r.get(3)?,
                                })
                            },
                        )?
                        .collect::<rusqlite::Result<Vec<EventRow>>>()
                    })
                    .map_err(StorageError::Sqlite)
            })
            .await?;
        rows.into_iter().map(EventRow::into_event).collect()
    }
}

/// Up to `limit` changes after `after`, in order.
pub async fn events_after(
    conn: &mut AnyConnection,
    session: SessionId,
    after: u64,
    limit: u32,
) -> Result<Vec<StoredEvent>> {
    let rows: Vec<EventRow> = sqlx::query_as(EVENTS_AFTER)
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

#[cfg(test)]
mod tests {
    use rembuk_domain::{CardId, event::CardTally};
    use uuid::Uuid;

    use super::*;

    fn tally(n: u32) -> Change {
        Change::Tally(CardTally {
            card_id: CardId::from_uuid(Uuid::from_u128(u128::from(n))),
            dots: n,
            by_group: Vec::new(),
            usg: None,
            idea: None,
        })
    }

    /// What the hub reads straight on SQLite is what sqlx reads: every
    /// column, every visibility, the bounds; and a closed handle opens again.
    #[tokio::test]
    async fn the_hubs_straight_reads_match_sqlx_and_reopen_after_a_close() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("e.db").display());
        let store = Store::connect(&url).await.unwrap();
        let session = SessionId::from_uuid(Uuid::from_u128(7));
        let mut tx = store.write().await.unwrap();
        sqlx::query(
            "INSERT INTO workshops (id, title, language, created_at) VALUES ('w', 'FGD', 'id', 0)",
        )
        .execute(tx.conn())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO sessions (id, workshop_id, title, join_code, created_at)
             VALUES ($1, 'w', 'Hari 1', 123456, 0)",
        )
        .bind(session.to_string())
        .execute(tx.conn())
        .await
        .unwrap();
        for n in 1..=7u32 {
            let public = match n % 3 {
                0 => Visibility::All,
                1 => Visibility::Staff,
                _ => Visibility::Masked(Box::new(tally(100 + n))),
            };
            let now = Timestamp(i64::from(n));
            append_event(tx.conn(), session, u64::from(n), &tally(n), &public, now)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();

        for (after, limit) in [(0, 100), (2, 3), (6, 10), (7, 10)] {
            let straight = store.changes_after(session, after, limit).await.unwrap();
            let through_sqlx =
                events_after(&mut store.read().await.unwrap(), session, after, limit)
                    .await
                    .unwrap();
            assert_eq!(straight, through_sqlx, "after {after}, at most {limit}");
            let expected: Vec<u64> = (after + 1..=7).take(limit as usize).collect();
            let seqs: Vec<u64> = straight.iter().map(|e| e.seq).collect();
            assert_eq!(seqs, expected);
        }
        let all = store.changes_after(session, 0, 100).await.unwrap();
        assert_eq!(all[0].public, Visibility::Staff);
        assert_eq!(all[1].public, Visibility::Masked(Box::new(tally(102))));
        assert_eq!(all[2].public, Visibility::All);
        assert_eq!(all[6].change, tally(7));

        // A read on the handle after it was closed opens a new one.
        store
            .changes
            .as_ref()
            .expect("SQLite has a reader")
            .close()
            .await;
        assert_eq!(store.changes_after(session, 0, 100).await.unwrap(), all);
        store.close().await;
    }
}
