//! Staff accounts: the venue's matched to the target's by email.

use std::collections::{BTreeSet, HashMap};

use sqlx::AnyConnection;

use super::{
    CreatedUser,
    tables::{Row, TABLES, Val},
};
use crate::storage::Result;

/// Venue account ids and the target's accounts they become.
#[derive(Default)]
pub(super) struct UserMap {
    ids: HashMap<String, String>,
    pub(super) created: Vec<CreatedUser>,
    pub(super) matched: BTreeSet<String>,
}

impl UserMap {
    /// Rewrites every staff reference in `rows` (the source's tables) to
    /// the target's account, creating accounts the target lacks.
    pub(super) async fn map(
        &mut self,
        src: &mut AnyConnection,
        dst: &mut AnyConnection,
        rows: &mut [Vec<Row>],
    ) -> Result<()> {
        for (t, table) in TABLES.iter().zip(rows.iter_mut()) {
            for column in t.users {
                let i = t.column(column);
                for row in table.iter_mut() {
                    let Val::Text(id) = &row[i] else { continue };
                    let mapped = self.target_id(src, dst, id).await?;
                    row[i] = mapped.map_or(Val::Null, Val::Text);
                }
            }
        }
        Ok(())
    }

    async fn target_id(
        &mut self,
        src: &mut AnyConnection,
        dst: &mut AnyConnection,
        id: &str,
    ) -> Result<Option<String>> {
        if let Some(mapped) = self.ids.get(id) {
            return Ok(Some(mapped.clone()));
        }
        let user: Option<(String, String, String, i64)> = sqlx::query_as(
            "SELECT email, password_hash, role, created_at FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *src)
        .await?;
        // A reference to an account the file no longer has (cannot happen
        // with its foreign keys): no one.
        let Some((email, hash, role, created_at)) = user else {
            return Ok(None);
        };
        let here: Option<String> =
            sqlx::query_scalar("SELECT id FROM users WHERE lower(email) = lower($1)")
                .bind(&email)
                .fetch_optional(&mut *dst)
                .await?;
        let mapped = match here {
            Some(here) => {
                self.matched.insert(email);
                here
            }
            None => {
                let taken: Option<String> =
                    sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *dst)
                        .await?;
                let new_id = match taken {
                    None => id.to_string(),
                    Some(_) => uuid::Uuid::new_v4().to_string(),
                };
                let (role_here, was) = created_role(&role);
                sqlx::query(
                    "INSERT INTO users (id, email, password_hash, role, created_at)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&new_id)
                .bind(&email)
                .bind(hash)
                .bind(role_here)
                .bind(created_at)
                .execute(&mut *dst)
                .await?;
                self.created.push(CreatedUser {
                    email,
                    role: role_here.to_string(),
                    was,
                });
                new_id
            }
        };
        self.ids.insert(id.to_string(), mapped.clone());
        Ok(Some(mapped))
    }
}

/// The role a venue account gets when the import creates it here: its own,
/// except that a venue administrator becomes a facilitator.
fn created_role(venue: &str) -> (&'static str, Option<String>) {
    match venue {
        "secretariat" => ("secretariat", None),
        "facilitator" => ("facilitator", None),
        other => ("facilitator", Some(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venue_admins_become_facilitators_here() {
        assert_eq!(created_role("admin"), ("facilitator", Some("admin".into())));
        assert_eq!(created_role("secretariat"), ("secretariat", None));
        assert_eq!(created_role("facilitator"), ("facilitator", None));
    }
}
