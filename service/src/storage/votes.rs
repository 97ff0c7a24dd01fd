//! A dot vote: its reads, the rules' verdict on them, and its writes.
//!
//! A vote is the app's hottest write (a hall votes at once). It takes the
//! session's next number in one query, which on PostgreSQL locks the
//! session row first, and reads everything its rules depend on (the voter,
//! the question, the voter's dots) in another, under that lock; the
//! caller's rules judge that [`Ballot`]; then the dots, the card's tally and
//! the live event are written.
//!
//! [`Store::cast_vote`] runs it on PostgreSQL in a transaction of its own
//! ([`cast`], through sqlx), and on SQLite straight on the writer's handle
//! in a group of votes ([`cast_direct`], through rusqlite, see
//! [`super::direct`]): the same SQL text and the same steps.

use std::sync::LazyLock;

use rembuk_domain::{
    CardId, ParticipantId, QuestionId, SessionId,
    event::{Change, Visibility},
    question::Question,
};
use rusqlite::OptionalExtension;
use sqlx::{AnyConnection, FromRow, Row};

use super::{Result, StorageError, Store, cards, events, parse_id, rows::QuestionRow};

/// What a vote's rules are checked against, read under the session's lock.
pub struct Ballot {
    /// The card's session.
    pub session: SessionId,
    /// The session's next change number, taken for this vote (a vote that
    /// changes nothing rolls it back).
    pub seq: u64,
    /// The voter, if the device joined the card's session.
    pub participant: Option<Voter>,
    /// The card's question, if the card is visible on it.
    pub question: Option<Question>,
    /// The voter's dots on the card.
    pub here: u32,
    /// The voter's dots on the question's other visible cards.
    pub elsewhere: u32,
}

/// Who votes: the participant and the stakeholder group their dots count
/// for ('' for none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voter {
    pub id: ParticipantId,
    pub group: String,
}

impl Voter {
    fn read(id: Option<String>, group: Option<String>) -> Result<Option<Voter>> {
        id.map(|id| {
            Ok(Voter {
                id: parse_id(&id)?,
                group: group.unwrap_or_default(),
            })
        })
        .transpose()
    }
}

/// Locks the card's session, takes its next change number, and reads what
/// a vote on the card by the device with `token_hash` is checked against.
/// `None`: no such card.
async fn open_ballot(
    conn: &mut AnyConnection,
    card: CardId,
    token_hash: &str,
) -> Result<Option<Ballot>> {
    let card = card.to_string();
    let taken: Option<(String, i64)> = sqlx::query_as(TAKE_SEQ)
        .bind(&card)
        .fetch_optional(&mut *conn)
        .await?;
    let Some((session, seq)) = taken else {
        return Ok(None);
    };
    let row = sqlx::query(sqlx::AssertSqlSafe(BALLOT.as_str()))
        .bind(&card)
        .bind(token_hash)
        .fetch_one(&mut *conn)
        .await?;
    let participant = Voter::read(row.try_get("participant_id")?, row.try_get("group_key")?)?;
    let question: Option<String> = row.try_get("id")?;
    let question = match question {
        Some(_) => Some(QuestionRow::from_row(&row)?.into_question()?),
        None => None,
    };
    let here: i64 = row.try_get("here")?;
    let elsewhere: i64 = row.try_get("elsewhere")?;
    Ok(Some(Ballot {
        session: parse_id(&session)?,
        seq: seq as u64,
        participant,
        question,
        here: here as u32,
        elsewhere: elsewhere as u32,
    }))
}

/// Takes the next change number of the session of the card `$1`.
const TAKE_SEQ: &str = "UPDATE sessions SET last_seq = last_seq + 1
     WHERE id = (SELECT session_id FROM cards WHERE id = $1)
     RETURNING id, last_seq";

/// The ballot's one row (`$1`: the card, `$2`: the device's token hash):
/// the voter and their group (NULL: not joined), the question's columns (NULL: the card is
/// not visible on it) and the voter's dots.
static BALLOT: LazyLock<String> = LazyLock::new(|| {
    let question: Vec<String> = super::questions::COLUMNS
        .split(',')
        .map(|column| format!("q.{}", column.trim()))
        .collect();
    format!(
        "SELECT p.id AS participant_id, p.group_key AS group_key, {},
            CAST(COALESCE((SELECT SUM(v.dots) FROM votes v
                           WHERE v.participant_id = p.id AND v.card_id = this.id), 0) AS BIGINT) AS here,
            CAST(COALESCE((SELECT SUM(v.dots) FROM votes v JOIN cards c ON c.id = v.card_id
                           WHERE v.participant_id = p.id AND v.question_id = this.question_id
                             AND v.card_id <> this.id AND c.status = 'visible'), 0) AS BIGINT) AS elsewhere
         FROM cards this
         LEFT JOIN participants p ON p.session_id = this.session_id AND p.token_hash = $2
         LEFT JOIN questions q ON q.id = this.question_id AND this.status = 'visible'
         WHERE this.id = $1",
        question.join(", ")
    )
});

/// What the rules decided about a vote, from its [`Ballot`].
#[derive(Debug)]
pub enum Verdict {
    /// The voter's dots are already as asked: nothing to write.
    Unchanged,
    /// Set the voter's dots on the card (0 takes them back), and tell
    /// `visibility` the card's new tally.
    Set {
        participant: Voter,
        question: QuestionId,
        dots: u32,
        visibility: Visibility,
    },
}

/// A vote as stored.
#[derive(Debug, Clone, Copy)]
pub struct Cast {
    /// The card's session.
    pub session: SessionId,
    /// The vote's change number; 0 when nothing changed.
    pub seq: u64,
    /// All dots on the card now.
    pub total: u32,
}

impl Cast {
    /// Whether the vote changed something to commit.
    pub fn changed(&self) -> bool {
        self.seq != 0
    }
}

/// Whether a cast's outcome is one to commit.
fn to_keep<T, E>(outcome: &std::result::Result<Option<(Cast, T)>, E>) -> bool {
    matches!(outcome, Ok(Some((cast, _))) if cast.changed())
}

impl Store {
    /// Casts a vote on `card` by the device with `token_hash`: `judge`
    /// decides from the ballot, and what it decided is written and
    /// committed (on SQLite together with the votes waiting beside it).
    /// `None`: no such card. A verdict of [`Verdict::Unchanged`], or an
    /// error, leaves the database as it was.
    pub async fn cast_vote<T, E, J>(
        &self,
        card: CardId,
        token_hash: String,
        judge: J,
    ) -> std::result::Result<Option<(Cast, T)>, E>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
        J: FnOnce(Ballot) -> std::result::Result<(Verdict, T), E> + Send + 'static,
    {
        match &self.group {
            Some(writer) => {
                writer
                    .write(move |db| {
                        let outcome = cast_direct(db, card, &token_hash, judge);
                        (to_keep(&outcome), outcome)
                    })
                    .await
            }
            None => {
                let mut tx = self.write().await?;
                let outcome = cast(tx.conn(), card, &token_hash, judge).await;
                if to_keep(&outcome) {
                    tx.commit().await?;
                } else {
                    tx.rollback().await?;
                }
                outcome
            }
        }
    }
}

/// A vote through sqlx: see [`Store::cast_vote`].
pub async fn cast<T, E>(
    conn: &mut AnyConnection,
    card: CardId,
    token_hash: &str,
    judge: impl FnOnce(Ballot) -> std::result::Result<(Verdict, T), E>,
) -> std::result::Result<Option<(Cast, T)>, E>
where
    E: From<StorageError>,
{
    let Some(ballot) = open_ballot(conn, card, token_hash).await? else {
        return Ok(None);
    };
    let (session, seq) = (ballot.session, ballot.seq);
    let (verdict, value) = judge(ballot)?;
    let cast = match verdict {
        Verdict::Unchanged => Cast {
            session,
            seq: 0,
            total: cards::card_total(conn, card).await?,
        },
        Verdict::Set {
            participant,
            question,
            dots,
            visibility,
        } => {
            let now = super::now();
            cards::set_dots(
                conn,
                participant.id,
                &participant.group,
                card,
                question,
                dots,
                now,
            )
            .await?;
            let tally = cards::card_tally(conn, card).await?.ok_or_else(card_gone)?;
            let total = tally.dots;
            let change = Change::Tally(tally);
            events::append_event(conn, session, seq, &change, &visibility, now).await?;
            Cast {
                session,
                seq,
                total,
            }
        }
    };
    Ok(Some((cast, value)))
}

/// A vote straight on SQLite's handle: [`cast`], step for step.
pub(super) fn cast_direct<T, E>(
    db: &rusqlite::Connection,
    card: CardId,
    token_hash: &str,
    judge: impl FnOnce(Ballot) -> std::result::Result<(Verdict, T), E>,
) -> std::result::Result<Option<(Cast, T)>, E>
where
    E: From<StorageError>,
{
    let Some(ballot) = open_ballot_direct(db, card, token_hash)? else {
        return Ok(None);
    };
    let (session, seq) = (ballot.session, ballot.seq);
    let (verdict, value) = judge(ballot)?;
    let card_id = card.to_string();
    let cast = match verdict {
        Verdict::Unchanged => {
            let total: i64 = db
                .prepare_cached(cards::CARD_TOTAL)
                .and_then(|mut q| {
                    q.query_row(rusqlite::named_params! {"$1": card_id}, |r| r.get(0))
                })
                .map_err(StorageError::Sqlite)?;
            Cast {
                session,
                seq: 0,
                total: total as u32,
            }
        }
        Verdict::Set {
            participant,
            question,
            dots,
            visibility,
        } => {
            let now = super::now();
            let (participant, group) = (participant.id.to_string(), participant.group);
            let written = if dots == 0 {
                db.prepare_cached(cards::DELETE_DOTS).and_then(|mut q| {
                    q.execute(rusqlite::named_params! {"$1": participant, "$2": card_id})
                })
            } else {
                db.prepare_cached(cards::UPSERT_DOTS).and_then(|mut q| {
                    q.execute(rusqlite::named_params! {
                        "$1": participant,
                        "$2": card_id,
                        "$3": question.to_string(),
                        "$4": i64::from(dots),
                        "$5": now.millis(),
                        "$6": group,
                    })
                })
            };
            written.map_err(StorageError::Sqlite)?;
            let rows = db
                .prepare_cached(cards::CARD_TALLY)
                .and_then(|mut q| {
                    q.query_map(rusqlite::named_params! {"$1": card_id}, |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                            r.get(7)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<cards::TallyRow>>>()
                })
                .map_err(StorageError::Sqlite)?;
            let tally = cards::tally_of(card, rows).ok_or_else(card_gone)?;
            let total = tally.dots;
            let change = Change::Tally(tally);
            let (payload, audience, public_payload) = events::event_columns(&change, &visibility)?;
            db.prepare_cached(events::INSERT_EVENT)
                .and_then(|mut q| {
                    q.execute(rusqlite::named_params! {
                        "$1": session.to_string(),
                        "$2": seq as i64,
                        "$3": change.kind(),
                        "$4": payload,
                        "$5": audience,
                        "$6": public_payload,
                        "$7": now.millis(),
                    })
                })
                .map_err(StorageError::Sqlite)?;
            Cast {
                session,
                seq,
                total,
            }
        }
    };
    Ok(Some((cast, value)))
}

/// [`open_ballot`] straight on SQLite's handle.
fn open_ballot_direct(
    db: &rusqlite::Connection,
    card: CardId,
    token_hash: &str,
) -> Result<Option<Ballot>> {
    let card = card.to_string();
    let taken: Option<(String, i64)> = db
        .prepare_cached(TAKE_SEQ)
        .and_then(|mut q| {
            q.query_row(rusqlite::named_params! {"$1": card}, |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
        })
        .map_err(StorageError::Sqlite)?;
    let Some((session, seq)) = taken else {
        return Ok(None);
    };
    type Read = (
        Option<String>,
        Option<String>,
        Option<QuestionRow>,
        i64,
        i64,
    );
    let (participant, group, question, here, elsewhere): Read = db
        .prepare_cached(&BALLOT)
        .and_then(|mut q| {
            q.query_row(
                rusqlite::named_params! {"$1": card, "$2": token_hash},
                |r| {
                    let question = match r.get::<_, Option<String>>("id")? {
                        Some(_) => Some(QuestionRow::from_sqlite(r)?),
                        None => None,
                    };
                    Ok((
                        r.get("participant_id")?,
                        r.get("group_key")?,
                        question,
                        r.get("here")?,
                        r.get("elsewhere")?,
                    ))
                },
            )
        })
        .map_err(StorageError::Sqlite)?;
    Ok(Some(Ballot {
        session: parse_id(&session)?,
        seq: seq as u64,
        participant: Voter::read(participant, group)?,
        question: question.map(QuestionRow::into_question).transpose()?,
        here: here as u32,
        elsewhere: elsewhere as u32,
    }))
}

/// A vote's card vanished under the session's lock: the database is not
/// what it should be.
fn card_gone() -> StorageError {
    StorageError::Corrupt("the card of a vote has no tally".into())
}
