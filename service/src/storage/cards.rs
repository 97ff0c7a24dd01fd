//! Cards, the problems ideas answer, and dots.

use std::collections::HashMap;

use rembuk_domain::{
    CardId, ParticipantId, QuestionId, SessionId,
    card::{Card, CardKind},
    snapshot::MyVote,
    time::Timestamp,
};
use sqlx::AnyConnection;

use super::{
    Result, parse_id,
    rows::{AnswerRow, CardRow},
};

/// Card columns with the card's tally computed from its votes.
const CARD_WITH_TALLY: &str = "SELECT c.id, c.question_id, c.session_id, c.kind, c.text, c.group_key, c.created_at,
        CAST(COALESCE((SELECT SUM(v.dots) FROM votes v WHERE v.card_id = c.id), 0) AS BIGINT) AS dots
     FROM cards c";

/// A new card.
pub struct CardInsert<'a> {
    pub id: CardId,
    pub question: QuestionId,
    pub session: SessionId,
    pub participant: Option<ParticipantId>,
    pub group: &'a str,
    pub kind: CardKind,
    pub text: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub now: Timestamp,
}

/// Stores a new card. A unique violation means the participant already
/// sent a card with this idempotency key.
pub async fn insert_card(conn: &mut AnyConnection, c: &CardInsert<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO cards (id, question_id, session_id, participant_id, group_key, kind, text, idempotency_key,
                            created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(c.id.to_string())
    .bind(c.question.to_string())
    .bind(c.session.to_string())
    .bind(c.participant.map(|p| p.to_string()))
    .bind(c.group)
    .bind(c.kind.as_str())
    .bind(c.text)
    .bind(c.idempotency_key)
    .bind(c.now.millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// Links an idea to the problems it answers.
pub async fn insert_answers(
    conn: &mut AnyConnection,
    idea: CardId,
    problems: &[CardId],
) -> Result<()> {
    for p in problems {
        sqlx::query("INSERT INTO card_answers (idea_id, problem_id) VALUES ($1, $2)")
            .bind(idea.to_string())
            .bind(p.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The card a participant already sent with this idempotency key.
pub async fn card_by_idempotency_key(
    conn: &mut AnyConnection,
    participant: ParticipantId,
    key: &str,
) -> Result<Option<CardId>> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT id FROM cards WHERE participant_id = $1 AND idempotency_key = $2",
    )
    .bind(participant.to_string())
    .bind(key)
    .fetch_optional(conn)
    .await?;
    id.map(|id| parse_id(&id)).transpose()
}

/// A card with its tally and answers.
pub async fn card(conn: &mut AnyConnection, id: CardId) -> Result<Option<Card>> {
    let row: Option<CardRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CARD_WITH_TALLY} WHERE c.id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut card = row.into_card()?;
    let answers: Vec<String> = sqlx::query_scalar(
        "SELECT problem_id FROM card_answers WHERE idea_id = $1 ORDER BY problem_id",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await?;
    card.answers = answers.iter().map(|a| parse_id(a)).collect::<Result<_>>()?;
    Ok(Some(card))
}

/// Every card of a session with tallies and answers (two queries).
pub async fn cards_of_session(conn: &mut AnyConnection, session: SessionId) -> Result<Vec<Card>> {
    let rows: Vec<CardRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CARD_WITH_TALLY} WHERE c.session_id = $1 ORDER BY c.created_at, c.id"
    )))
    .bind(session.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let answers: Vec<AnswerRow> = sqlx::query_as(
        "SELECT a.idea_id, a.problem_id FROM card_answers a JOIN cards c ON c.id = a.idea_id
         WHERE c.session_id = $1 ORDER BY a.idea_id, a.problem_id",
    )
    .bind(session.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut by_idea: HashMap<String, Vec<CardId>> = HashMap::new();
    for a in answers {
        by_idea
            .entry(a.idea_id)
            .or_default()
            .push(parse_id(&a.problem_id)?);
    }
    rows.into_iter()
        .map(|row| {
            let answers = by_idea.remove(&row.id).unwrap_or_default();
            let mut card = row.into_card()?;
            card.answers = answers;
            Ok(card)
        })
        .collect()
}

/// Of `ids`, those that are problem cards of `session`.
pub async fn problem_cards_among(
    conn: &mut AnyConnection,
    session: SessionId,
    ids: &[CardId],
) -> Result<Vec<CardId>> {
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let hit: Option<String> = sqlx::query_scalar(
            "SELECT id FROM cards WHERE id = $1 AND session_id = $2 AND kind = 'problem'",
        )
        .bind(id.to_string())
        .bind(session.to_string())
        .fetch_optional(&mut *conn)
        .await?;
        if hit.is_some() {
            found.push(*id);
        }
    }
    Ok(found)
}

/// The question a card belongs to.
pub async fn question_of_card(
    conn: &mut AnyConnection,
    card: CardId,
) -> Result<Option<QuestionId>> {
    let id: Option<String> = sqlx::query_scalar("SELECT question_id FROM cards WHERE id = $1")
        .bind(card.to_string())
        .fetch_optional(conn)
        .await?;
    id.map(|id| parse_id(&id)).transpose()
}

/// A participant's dots per card on one question.
pub async fn dots_on_question(
    conn: &mut AnyConnection,
    participant: ParticipantId,
    question: QuestionId,
) -> Result<Vec<(CardId, u32)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT card_id, dots FROM votes WHERE participant_id = $1 AND question_id = $2",
    )
    .bind(participant.to_string())
    .bind(question.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, dots)| Ok((parse_id(&id)?, dots as u32)))
        .collect()
}

/// Sets a participant's dots on a card (0 removes the vote).
pub async fn set_dots(
    conn: &mut AnyConnection,
    participant: ParticipantId,
    card: CardId,
    question: QuestionId,
    dots: u32,
    now: Timestamp,
) -> Result<()> {
    if dots == 0 {
        sqlx::query("DELETE FROM votes WHERE participant_id = $1 AND card_id = $2")
            .bind(participant.to_string())
            .bind(card.to_string())
            .execute(conn)
            .await?;
    } else {
        sqlx::query(
            "INSERT INTO votes (participant_id, card_id, question_id, dots, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (participant_id, card_id) DO UPDATE SET dots = excluded.dots, updated_at = excluded.updated_at",
        )
        .bind(participant.to_string())
        .bind(card.to_string())
        .bind(question.to_string())
        .bind(i64::from(dots))
        .bind(now.millis())
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// All dots on a card.
pub async fn card_total(conn: &mut AnyConnection, card: CardId) -> Result<u32> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(dots), 0) AS BIGINT) FROM votes WHERE card_id = $1",
    )
    .bind(card.to_string())
    .fetch_one(conn)
    .await?;
    Ok(n as u32)
}

/// Every vote of a participant.
pub async fn votes_of(conn: &mut AnyConnection, participant: ParticipantId) -> Result<Vec<MyVote>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT card_id, dots FROM votes WHERE participant_id = $1 ORDER BY card_id",
    )
    .bind(participant.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, dots)| {
            Ok(MyVote {
                card_id: parse_id(&id)?,
                dots: dots as u32,
            })
        })
        .collect()
}

/// The cards a participant wrote.
pub async fn cards_by(conn: &mut AnyConnection, participant: ParticipantId) -> Result<Vec<CardId>> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM cards WHERE participant_id = $1 ORDER BY created_at")
            .bind(participant.to_string())
            .fetch_all(conn)
            .await?;
    ids.iter().map(|id| parse_id(id)).collect()
}
