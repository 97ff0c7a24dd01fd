//! Sessions and their change counters.

use rembuk_domain::{
    Lang, SessionId, WorkshopId,
    session::{JoinCode, JoinInfo, Session},
};
use sqlx::AnyConnection;

use super::{
    Result, parse_id,
    rows::SessionRow,
    workshops::{groups_of, parse_lang},
};

const COLUMNS: &str = "id, workshop_id, title, join_code, created_at, premoderate, passcode";

/// Stores a new session. Fails with a unique violation when the join code
/// is taken; the caller picks another.
pub async fn insert_session(conn: &mut AnyConnection, s: &Session) -> Result<()> {
    sqlx::query("INSERT INTO sessions (id, workshop_id, title, join_code, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(s.id.to_string())
        .bind(s.workshop_id.to_string())
        .bind(&s.title)
        .bind(i64::from(s.join_code.value()))
        .bind(s.created_at.millis())
        .execute(conn)
        .await?;
    Ok(())
}

/// A session by id.
pub async fn session(conn: &mut AnyConnection, id: SessionId) -> Result<Option<Session>> {
    let row: Option<SessionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sessions WHERE id = $1"
    )))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(SessionRow::into_session).transpose()
}

/// A session by join code.
pub async fn session_by_code(conn: &mut AnyConnection, code: JoinCode) -> Result<Option<Session>> {
    let row: Option<SessionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sessions WHERE join_code = $1"
    )))
    .bind(i64::from(code.value()))
    .fetch_optional(conn)
    .await?;
    row.map(SessionRow::into_session).transpose()
}

/// What the join page shows for a code: the session, its workshop's
/// title, place and language, and the stakeholder groups to choose from.
/// Two queries; a workshop's dimensions are not needed to join.
pub async fn join_info(conn: &mut AnyConnection, code: JoinCode) -> Result<Option<JoinInfo>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        title: String,
        workshop_id: String,
        workshop_title: String,
        place: Option<String>,
        language: String,
        passcode: Option<String>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT s.id, s.title, s.workshop_id, w.title AS workshop_title, w.place, w.language, s.passcode
         FROM sessions s JOIN workshops w ON w.id = s.workshop_id
         WHERE s.join_code = $1",
    )
    .bind(i64::from(code.value()))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let groups = groups_of(conn, parse_id(&row.workshop_id)?).await?;
    Ok(Some(JoinInfo {
        session_id: parse_id(&row.id)?,
        session_title: row.title,
        workshop_title: row.workshop_title,
        place: row.place,
        language: parse_lang(&row.language)?,
        code,
        groups,
        passcode_required: row.passcode.is_some(),
    }))
}

/// The language of the workshop a session belongs to, in one query.
pub async fn language_of(conn: &mut AnyConnection, session: SessionId) -> Result<Option<Lang>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT w.language FROM sessions s JOIN workshops w ON w.id = s.workshop_id
         WHERE s.id = $1",
    )
    .bind(session.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(|(code,)| parse_lang(&code)).transpose()
}

/// A workshop's sessions in the order they were made.
pub async fn sessions_of(conn: &mut AnyConnection, workshop: WorkshopId) -> Result<Vec<Session>> {
    let rows: Vec<SessionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sessions WHERE workshop_id = $1 ORDER BY created_at, id"
    )))
    .bind(workshop.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(SessionRow::into_session).collect()
}

/// Takes the session's next change number. Called first in every write
/// transaction: on PostgreSQL the row lock it takes serialises the
/// session's writers until commit; a rollback gives the number back, so
/// committed numbers have no gaps.
pub async fn next_seq(conn: &mut AnyConnection, session: SessionId) -> Result<u64> {
    let seq: i64 = sqlx::query_scalar(
        "UPDATE sessions SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq",
    )
    .bind(session.to_string())
    .fetch_one(conn)
    .await?;
    Ok(seq as u64)
}

/// The number of the session's last committed change.
pub async fn last_seq(conn: &mut AnyConnection, session: SessionId) -> Result<u64> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT last_seq FROM sessions WHERE id = $1")
        .bind(session.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(seq.unwrap_or(0) as u64)
}

/// Every session's last change number (the live hub starts from these).
pub async fn all_last_seqs(conn: &mut AnyConnection) -> Result<Vec<(SessionId, u64)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT id, last_seq FROM sessions")
        .fetch_all(conn)
        .await?;
    rows.into_iter()
        .map(|(id, seq)| Ok((parse_id(&id)?, seq as u64)))
        .collect()
}

/// Turns pre-moderation on or off.
pub async fn set_premoderate(conn: &mut AnyConnection, session: SessionId, on: bool) -> Result<()> {
    sqlx::query("UPDATE sessions SET premoderate = $2 WHERE id = $1")
        .bind(session.to_string())
        .bind(i64::from(on))
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets or clears a session's passcode.
pub async fn set_passcode(
    conn: &mut AnyConnection,
    session: SessionId,
    passcode: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE sessions SET passcode = $2 WHERE id = $1")
        .bind(session.to_string())
        .bind(passcode)
        .execute(conn)
        .await?;
    Ok(())
}
