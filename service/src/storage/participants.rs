//! Participants: pseudonymous devices in a session.

use rembuk_domain::{
    Lang, ParticipantId, SessionId, event::GroupCount, session::Participant, time::Timestamp,
};
use sqlx::AnyConnection;

use super::{Result, rows::ParticipantRow};

const COLUMNS: &str = "id, session_id, group_key, display_name, language, created_at";

/// A new participant.
pub struct ParticipantInsert<'a> {
    pub id: ParticipantId,
    pub session: SessionId,
    pub token_hash: &'a str,
    pub group: &'a str,
    pub name: Option<&'a str>,
    pub language: Option<Lang>,
    pub consent_version: &'a str,
    pub now: Timestamp,
}

/// Stores a new participant.
pub async fn insert_participant(conn: &mut AnyConnection, p: &ParticipantInsert<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO participants (id, session_id, token_hash, group_key, display_name, language,
                                   consent_version, consented_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(p.id.to_string())
    .bind(p.session.to_string())
    .bind(p.token_hash)
    .bind(p.group)
    .bind(p.name)
    .bind(p.language.map(Lang::code))
    .bind(p.consent_version)
    .bind(p.now.millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// The participant a device token is in a session, if it joined.
pub async fn participant_by_token(
    conn: &mut AnyConnection,
    session: SessionId,
    token_hash: &str,
) -> Result<Option<Participant>> {
    let row: Option<ParticipantRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM participants WHERE session_id = $1 AND token_hash = $2"
    )))
    .bind(session.to_string())
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    row.map(ParticipantRow::into_participant).transpose()
}

/// Whether a device token has joined any session (so it may be reused).
pub async fn token_known(conn: &mut AnyConnection, token_hash: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM participants WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Changes a participant's group, name and language (on rejoin).
pub async fn update_participant(
    conn: &mut AnyConnection,
    id: ParticipantId,
    group: &str,
    name: Option<&str>,
    language: Option<Lang>,
    consent_version: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE participants SET group_key = $2, display_name = $3, language = COALESCE($4, language),
                                 consent_version = $5, consented_at = $6
         WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(group)
    .bind(name)
    .bind(language.map(Lang::code))
    .bind(consent_version)
    .bind(now.millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// How many participants of a session are in a group.
pub async fn group_count(conn: &mut AnyConnection, session: SessionId, group: &str) -> Result<u32> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM participants
         WHERE session_id = $1 AND group_key = $2 AND withdrawn_at IS NULL",
    )
    .bind(session.to_string())
    .bind(group)
    .fetch_one(conn)
    .await?;
    Ok(n as u32)
}

/// Participants per group in a session (groups with none are left out).
pub async fn group_counts(conn: &mut AnyConnection, session: SessionId) -> Result<Vec<GroupCount>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT group_key, CAST(COUNT(*) AS BIGINT) FROM participants
         WHERE session_id = $1 AND withdrawn_at IS NULL
         GROUP BY group_key ORDER BY group_key",
    )
    .bind(session.to_string())
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(group, count)| GroupCount {
            group,
            count: count as u32,
        })
        .collect())
}

/// Withdraws a participant. While votes of theirs on closed questions
/// still count (`keep_row`), the row stays, without name, language or
/// device link, so that those votes keep their group; otherwise it goes.
pub async fn withdraw(
    conn: &mut AnyConnection,
    id: ParticipantId,
    keep_row: bool,
    now: Timestamp,
) -> Result<()> {
    if keep_row {
        sqlx::query(
            "UPDATE participants
             SET display_name = NULL, language = NULL, token_hash = 'withdrawn:' || id,
                 withdrawn_at = $2
             WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(now.millis())
        .execute(conn)
        .await?;
    } else {
        sqlx::query("DELETE FROM participants WHERE id = $1")
            .bind(id.to_string())
            .execute(conn)
            .await?;
    }
    Ok(())
}
