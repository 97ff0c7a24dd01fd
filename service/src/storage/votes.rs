//! What a dot vote reads: two queries.
//!
//! A vote is the app's hottest write (a hall votes at once), and sqlx runs
//! each SQLite connection on a thread of its own, so every query is a trip
//! to that thread and back. So a vote takes the session's next number in
//! one query, which on PostgreSQL locks the session row first, and reads
//! everything its rules depend on (the voter, the question, the voter's
//! dots) in the other, under that lock.

use std::sync::LazyLock;

use rembuk_domain::{CardId, ParticipantId, SessionId, question::Question};
use sqlx::{AnyConnection, FromRow, Row};

use super::{Result, parse_id, rows::QuestionRow};

/// What a vote's rules are checked against, read under the session's lock.
pub struct Ballot {
    /// The card's session.
    pub session: SessionId,
    /// The session's next change number, taken for this vote (a vote that
    /// changes nothing rolls it back).
    pub seq: u64,
    /// The voter, if the device joined the card's session.
    pub participant: Option<ParticipantId>,
    /// The card's question, if the card is visible on it.
    pub question: Option<Question>,
    /// The voter's dots on the card.
    pub here: u32,
    /// The voter's dots on the question's other visible cards.
    pub elsewhere: u32,
}

/// Locks the card's session, takes its next change number, and reads what
/// a vote on the card by the device with `token_hash` is checked against.
/// `None`: no such card.
pub async fn open_ballot(
    conn: &mut AnyConnection,
    card: CardId,
    token_hash: &str,
) -> Result<Option<Ballot>> {
    let card = card.to_string();
    let taken: Option<(String, i64)> = sqlx::query_as(
        "UPDATE sessions SET last_seq = last_seq + 1
         WHERE id = (SELECT session_id FROM cards WHERE id = $1)
         RETURNING id, last_seq",
    )
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
    let participant: Option<String> = row.try_get("participant_id")?;
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
        participant: participant.as_deref().map(parse_id).transpose()?,
        question,
        here: here as u32,
        elsewhere: elsewhere as u32,
    }))
}

/// The ballot's one row (`$1`: the card, `$2`: the device's token hash):
/// the voter (NULL: not joined), the question's columns (NULL: the card is
/// not visible on it) and the voter's dots.
static BALLOT: LazyLock<String> = LazyLock::new(|| {
    let question: Vec<String> = super::questions::COLUMNS
        .split(',')
        .map(|column| format!("q.{}", column.trim()))
        .collect();
    format!(
        "SELECT p.id AS participant_id, {},
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
