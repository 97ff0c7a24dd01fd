//! Questions.

use rembuk_domain::{
    QuestionId, SessionId, WorkshopId,
    question::{Phase, Question},
    time::Timestamp,
};
use sqlx::AnyConnection;

use super::{Result, rows::QuestionRow};

pub(super) const COLUMNS: &str = "id, session_id, dimension_key, sub_element_key, prompt, kind, vote_budget, phase, position, \
     created_at, hide_tallies, tallies_revealed, cards_while_voting, votes_while_collecting, timer_ends_at, \
     voting_mode";

/// Stores a new question.
pub async fn insert_question(
    conn: &mut AnyConnection,
    q: &Question,
    workshop: WorkshopId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO questions (id, session_id, workshop_id, dimension_key, sub_element_key, prompt, kind,
                                vote_budget, phase, position, created_at, phase_changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(q.id.to_string())
    .bind(q.session_id.to_string())
    .bind(workshop.to_string())
    .bind(&q.dimension)
    .bind(&q.sub_element)
    .bind(&q.prompt)
    .bind(q.kind.as_str())
    .bind(i64::from(q.vote_budget.get()))
    .bind(q.phase.as_str())
    .bind(i64::from(q.position))
    .bind(q.created_at.millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// A question by id.
pub async fn question(conn: &mut AnyConnection, id: QuestionId) -> Result<Option<Question>> {
    let row: Option<QuestionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM questions WHERE id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(QuestionRow::into_question).transpose()
}

/// A session's questions in order.
pub async fn questions_of(conn: &mut AnyConnection, session: SessionId) -> Result<Vec<Question>> {
    let rows: Vec<QuestionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM questions WHERE session_id = $1 ORDER BY position, created_at"
    )))
    .bind(session.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(QuestionRow::into_question).collect()
}

/// The position a new question of the session takes (after the others).
pub async fn next_position(conn: &mut AnyConnection, session: SessionId) -> Result<u32> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(position) + 1, 0) AS BIGINT) FROM questions WHERE session_id = $1",
    )
    .bind(session.to_string())
    .fetch_one(conn)
    .await?;
    Ok(n as u32)
}

/// Moves a question to another phase.
pub async fn set_phase(
    conn: &mut AnyConnection,
    id: QuestionId,
    phase: Phase,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("UPDATE questions SET phase = $2, phase_changed_at = $3 WHERE id = $1")
        .bind(id.to_string())
        .bind(phase.as_str())
        .bind(now.millis())
        .execute(conn)
        .await?;
    Ok(())
}

/// Stores a question's settings (the flags a facilitator can change).
pub async fn update_settings(conn: &mut AnyConnection, q: &Question) -> Result<()> {
    sqlx::query(
        "UPDATE questions SET hide_tallies = $2, tallies_revealed = $3, cards_while_voting = $4,
                              votes_while_collecting = $5, voting_mode = $6
         WHERE id = $1",
    )
    .bind(q.id.to_string())
    .bind(i64::from(q.hide_tallies))
    .bind(i64::from(q.tallies_revealed))
    .bind(i64::from(q.cards_while_voting))
    .bind(i64::from(q.votes_while_collecting))
    .bind(q.voting_mode.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets or clears a question's countdown.
pub async fn set_timer(
    conn: &mut AnyConnection,
    id: QuestionId,
    ends_at: Option<Timestamp>,
) -> Result<()> {
    sqlx::query("UPDATE questions SET timer_ends_at = $2 WHERE id = $1")
        .bind(id.to_string())
        .bind(ends_at.map(Timestamp::millis))
        .execute(conn)
        .await?;
    Ok(())
}

/// Every running countdown: question and when it ends.
pub async fn running_timers(conn: &mut AnyConnection) -> Result<Vec<(QuestionId, Timestamp)>> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT id, timer_ends_at FROM questions WHERE timer_ends_at IS NOT NULL")
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(id, at)| Ok((super::parse_id(&id)?, Timestamp(at))))
        .collect()
}
