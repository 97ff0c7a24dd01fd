//! Staff accounts and their login sessions.

use rembuk_domain::{
    UserId,
    time::Timestamp,
    user::{Role, User},
};
use sqlx::AnyConnection;

use super::{Result, rows::UserRow};

/// Counts staff accounts (zero means the instance needs its first admin).
pub async fn count_users(conn: &mut AnyConnection) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM users")
            .fetch_one(conn)
            .await?,
    )
}

/// Adds an account.
pub async fn insert_user(
    conn: &mut AnyConnection,
    id: UserId,
    email: &str,
    password_hash: &str,
    role: Role,
    now: Timestamp,
) -> Result<User> {
    sqlx::query("INSERT INTO users (id, email, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.to_string())
        .bind(email)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(now.millis())
        .execute(conn)
        .await?;
    Ok(User {
        id,
        email: email.to_string(),
        role,
    })
}

/// An account and its password hash, by email.
pub async fn user_with_hash(
    conn: &mut AnyConnection,
    email: &str,
) -> Result<Option<(User, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: String,
    }
    let row: Option<Row> =
        sqlx::query_as("SELECT id, email, role, password_hash FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(conn)
            .await?;
    row.map(|r| Ok((r.user.into_user()?, r.password_hash)))
        .transpose()
}

/// Every account, by email.
pub async fn list_users(conn: &mut AnyConnection) -> Result<Vec<User>> {
    let rows: Vec<UserRow> = sqlx::query_as("SELECT id, email, role FROM users ORDER BY email")
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(UserRow::into_user).collect()
}

/// Records a login.
pub async fn insert_staff_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    user: UserId,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO auth_sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(user.to_string())
        .bind(now.millis())
        .bind(expires_at.millis())
        .execute(conn)
        .await?;
    Ok(())
}

/// A login as stored.
pub struct StaffSessionRow {
    pub user: User,
    pub expires_at: Timestamp,
    pub revoked: bool,
}

/// Looks up a login by its token's hash.
pub async fn staff_session(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<StaffSessionRow>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        expires_at: i64,
        revoked_at: Option<i64>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT u.id, u.email, u.role, s.expires_at, s.revoked_at
         FROM auth_sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(StaffSessionRow {
            user: r.user.into_user()?,
            expires_at: Timestamp(r.expires_at),
            revoked: r.revoked_at.is_some(),
        })
    })
    .transpose()
}

/// Ends a login.
/// Revokes every live login of `user`; returns how many.
pub async fn revoke_user_sessions(
    conn: &mut AnyConnection,
    user: UserId,
    now: Timestamp,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE auth_sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(user.to_string())
    .bind(now.millis())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

pub async fn revoke_staff_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE auth_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .bind(now.millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// An account by email.
pub async fn user_by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<User>> {
    let row: Option<UserRow> = sqlx::query_as("SELECT id, email, role FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(conn)
        .await?;
    row.map(UserRow::into_user).transpose()
}
