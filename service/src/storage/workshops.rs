//! Workshops, their dimensions, sub-elements, stakeholder groups and members.

use std::collections::HashMap;

use rembuk_domain::{
    Lang, UserId, WorkshopId,
    dimension::{Dimension, SubElement},
    group::StakeholderGroup,
    privacy::WithdrawnCards,
    time::{Date, Timestamp},
    workshop::{Workshop, WorkshopSummary},
};
use sqlx::AnyConnection;

use super::{
    Result, StorageError, parse_id,
    rows::{DimensionRow, GroupRow, SubElementRow, WorkshopRow},
};

/// Stores a new workshop with its dimensions and groups, and makes its
/// creator a member.
pub async fn insert_workshop(
    conn: &mut AnyConnection,
    w: &Workshop,
    created_by: Option<UserId>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO workshops (id, title, place, starts_on, ends_on, language, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(w.id.to_string())
    .bind(&w.title)
    .bind(&w.place)
    .bind(w.starts_on.map(|d| d.to_string()))
    .bind(w.ends_on.map(|d| d.to_string()))
    .bind(w.language.code())
    .bind(created_by.map(|u| u.to_string()))
    .bind(w.created_at.millis())
    .execute(&mut *conn)
    .await?;
    if let Some(user) = created_by {
        add_member(conn, w.id, user).await?;
    }
    replace_dimensions(conn, w.id, &w.dimensions).await?;
    replace_groups(conn, w.id, &w.groups).await?;
    Ok(())
}

/// Makes a user a member (facilitator) of a workshop.
pub async fn add_member(
    conn: &mut AnyConnection,
    workshop: WorkshopId,
    user: UserId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO workshop_members (workshop_id, user_id) VALUES ($1, $2)
         ON CONFLICT (workshop_id, user_id) DO NOTHING",
    )
    .bind(workshop.to_string())
    .bind(user.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether a user is a member of a workshop.
pub async fn is_member(
    conn: &mut AnyConnection,
    workshop: WorkshopId,
    user: UserId,
) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM workshop_members WHERE workshop_id = $1 AND user_id = $2",
    )
    .bind(workshop.to_string())
    .bind(user.to_string())
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// A workshop with its dimensions and groups (four queries, whatever its size).
pub async fn workshop(conn: &mut AnyConnection, id: WorkshopId) -> Result<Option<Workshop>> {
    let row: Option<WorkshopRow> = sqlx::query_as(
        "SELECT id, title, place, starts_on, ends_on, language, created_at,
                withdrawn_cards, retain_until, purged_at
         FROM workshops WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let dims: Vec<DimensionRow> =
        sqlx::query_as("SELECT key, name FROM dimensions WHERE workshop_id = $1 ORDER BY position")
            .bind(id.to_string())
            .fetch_all(&mut *conn)
            .await?;
    let subs: Vec<SubElementRow> = sqlx::query_as(
        "SELECT dimension_key, key, name FROM sub_elements WHERE workshop_id = $1 ORDER BY position",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let groups = groups_of(conn, id).await?;

    let mut subs_by_dim: HashMap<String, Vec<SubElement>> = HashMap::new();
    for s in subs {
        subs_by_dim
            .entry(s.dimension_key)
            .or_default()
            .push(SubElement {
                key: s.key,
                name: s.name,
            });
    }
    Ok(Some(Workshop {
        privacy: row.privacy()?,
        id: parse_id(&row.id)?,
        starts_on: WorkshopRow::date(&row.starts_on)?,
        ends_on: WorkshopRow::date(&row.ends_on)?,
        language: parse_lang(&row.language)?,
        title: row.title,
        place: row.place,
        dimensions: dims
            .into_iter()
            .map(|d| Dimension {
                sub_elements: subs_by_dim.remove(&d.key).unwrap_or_default(),
                key: d.key,
                name: d.name,
            })
            .collect(),
        groups,
        created_at: Timestamp(row.created_at),
    }))
}

/// A workshop's stakeholder groups, in their order.
pub async fn groups_of(conn: &mut AnyConnection, id: WorkshopId) -> Result<Vec<StakeholderGroup>> {
    let groups: Vec<GroupRow> = sqlx::query_as(
        "SELECT key, name FROM stakeholder_groups WHERE workshop_id = $1 ORDER BY position",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await?;
    Ok(groups
        .into_iter()
        .map(|g| StakeholderGroup {
            key: g.key,
            name: g.name,
        })
        .collect())
}

/// A stored language code.
pub(super) fn parse_lang(code: &str) -> Result<Lang> {
    code.parse()
        .map_err(|()| StorageError::Corrupt(format!("language {code}")))
}

/// Workshops, newest first; only those `member` belongs to when given.
pub async fn list_workshops(
    conn: &mut AnyConnection,
    member: Option<UserId>,
) -> Result<Vec<WorkshopSummary>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        workshop: WorkshopRow,
        session_count: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT w.id, w.title, w.place, w.starts_on, w.ends_on, w.language, w.created_at,
                w.withdrawn_cards, w.retain_until, w.purged_at,
                CAST((SELECT COUNT(*) FROM sessions s WHERE s.workshop_id = w.id) AS BIGINT) AS session_count
         FROM workshops w
         WHERE $1 IS NULL OR EXISTS (SELECT 1 FROM workshop_members m WHERE m.workshop_id = w.id AND m.user_id = $1)
         ORDER BY w.created_at DESC",
    )
    .bind(member.map(|m| m.to_string()))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let w = r.workshop;
            Ok(WorkshopSummary {
                id: parse_id(&w.id)?,
                starts_on: WorkshopRow::date(&w.starts_on)?,
                ends_on: WorkshopRow::date(&w.ends_on)?,
                language: w
                    .language
                    .parse()
                    .map_err(|()| StorageError::Corrupt(format!("language {}", w.language)))?,
                title: w.title,
                place: w.place,
                session_count: r.session_count as u32,
                created_at: Timestamp(w.created_at),
            })
        })
        .collect()
}

/// Dimension and sub-element keys that questions use.
pub async fn used_dimension_keys(
    conn: &mut AnyConnection,
    workshop: WorkshopId,
) -> Result<Vec<(String, Option<String>)>> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT dimension_key, sub_element_key FROM questions WHERE workshop_id = $1",
    )
    .bind(workshop.to_string())
    .fetch_all(conn)
    .await?)
}

/// Group keys that participants chose.
pub async fn used_group_keys(
    conn: &mut AnyConnection,
    workshop: WorkshopId,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT p.group_key FROM participants p JOIN sessions s ON s.id = p.session_id
         WHERE s.workshop_id = $1",
    )
    .bind(workshop.to_string())
    .fetch_all(conn)
    .await?)
}

/// Replaces a workshop's dimensions and sub-elements with `dims`, keeping
/// rows whose keys stay (so questions that refer to them stay valid).
pub async fn replace_dimensions(
    conn: &mut AnyConnection,
    workshop: WorkshopId,
    dims: &[Dimension],
) -> Result<()> {
    let wid = workshop.to_string();
    sqlx::query("DELETE FROM sub_elements WHERE workshop_id = $1")
        .bind(&wid)
        .execute(&mut *conn)
        .await?;
    for (pos, d) in dims.iter().enumerate() {
        sqlx::query(
            "INSERT INTO dimensions (workshop_id, key, name, position) VALUES ($1, $2, $3, $4)
             ON CONFLICT (workshop_id, key) DO UPDATE SET name = excluded.name, position = excluded.position",
        )
        .bind(&wid)
        .bind(&d.key)
        .bind(&d.name)
        .bind(pos as i64)
        .execute(&mut *conn)
        .await?;
        for (sub_pos, s) in d.sub_elements.iter().enumerate() {
            sqlx::query(
                "INSERT INTO sub_elements (workshop_id, dimension_key, key, name, position)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&wid)
            .bind(&d.key)
            .bind(&s.key)
            .bind(&s.name)
            .bind(sub_pos as i64)
            .execute(&mut *conn)
            .await?;
        }
    }
    let keep: Vec<&str> = dims.iter().map(|d| d.key.as_str()).collect();
    let existing: Vec<String> =
        sqlx::query_scalar("SELECT key FROM dimensions WHERE workshop_id = $1")
            .bind(&wid)
            .fetch_all(&mut *conn)
            .await?;
    for key in existing.iter().filter(|k| !keep.contains(&k.as_str())) {
        sqlx::query("DELETE FROM dimensions WHERE workshop_id = $1 AND key = $2")
            .bind(&wid)
            .bind(key)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Replaces a workshop's stakeholder groups.
pub async fn replace_groups(
    conn: &mut AnyConnection,
    workshop: WorkshopId,
    groups: &[StakeholderGroup],
) -> Result<()> {
    let wid = workshop.to_string();
    for (pos, g) in groups.iter().enumerate() {
        sqlx::query(
            "INSERT INTO stakeholder_groups (workshop_id, key, name, position) VALUES ($1, $2, $3, $4)
             ON CONFLICT (workshop_id, key) DO UPDATE SET name = excluded.name, position = excluded.position",
        )
        .bind(&wid)
        .bind(&g.key)
        .bind(&g.name)
        .bind(pos as i64)
        .execute(&mut *conn)
        .await?;
    }
    let keep: Vec<&str> = groups.iter().map(|g| g.key.as_str()).collect();
    let existing: Vec<String> =
        sqlx::query_scalar("SELECT key FROM stakeholder_groups WHERE workshop_id = $1")
            .bind(&wid)
            .fetch_all(&mut *conn)
            .await?;
    for key in existing.iter().filter(|k| !keep.contains(&k.as_str())) {
        sqlx::query("DELETE FROM stakeholder_groups WHERE workshop_id = $1 AND key = $2")
            .bind(&wid)
            .bind(key)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The staff accounts that run a workshop.
pub async fn members_of(
    conn: &mut AnyConnection,
    workshop: WorkshopId,
) -> Result<Vec<rembuk_domain::user::User>> {
    let rows: Vec<super::rows::UserRow> = sqlx::query_as(
        "SELECT u.id, u.email, u.role FROM users u JOIN workshop_members m ON m.user_id = u.id
         WHERE m.workshop_id = $1 ORDER BY u.email",
    )
    .bind(workshop.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(super::rows::UserRow::into_user)
        .collect()
}

/// Sets what happens to withdrawn participants' cards and how long
/// personal data is kept.
pub async fn set_privacy(
    conn: &mut AnyConnection,
    workshop: WorkshopId,
    withdrawn_cards: WithdrawnCards,
    retain_until: Option<Date>,
) -> Result<()> {
    sqlx::query("UPDATE workshops SET withdrawn_cards = $2, retain_until = $3 WHERE id = $1")
        .bind(workshop.to_string())
        .bind(withdrawn_cards.as_str())
        .bind(retain_until.map(|d| d.to_string()))
        .execute(conn)
        .await?;
    Ok(())
}

/// Workshops with a retention date whose personal data is not purged yet,
/// soonest date first. Whether one is due is the domain's call
/// (`privacy::may_purge`).
pub async fn purge_candidates(conn: &mut AnyConnection) -> Result<Vec<WorkshopId>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM workshops
         WHERE retain_until IS NOT NULL AND purged_at IS NULL
         ORDER BY retain_until, id",
    )
    .fetch_all(conn)
    .await?;
    ids.iter().map(|id| parse_id(id)).collect()
}

/// Removes the personal data of a workshop's participants — names,
/// languages, the device link — and notes when. Cards, votes and group
/// totals stay: they are the workshop's results. Returns how many
/// participants were still identifiable.
pub async fn purge_personal_data(
    conn: &mut AnyConnection,
    workshop: WorkshopId,
    now: Timestamp,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE participants
         SET display_name = NULL, language = NULL, token_hash = 'purged:' || id
         WHERE session_id IN (SELECT id FROM sessions WHERE workshop_id = $1)
           AND token_hash NOT LIKE 'purged:%'",
    )
    .bind(workshop.to_string())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query("UPDATE workshops SET purged_at = $2 WHERE id = $1")
        .bind(workshop.to_string())
        .bind(now.millis())
        .execute(conn)
        .await?;
    Ok(done)
}
