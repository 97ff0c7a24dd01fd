//! Workshop roll-up: clusters of cards from several sessions that the
//! report shows as one item, and the workshop-level record.

use rembuk_domain::{CardId, UserId, WorkshopId, report::Cluster, time::Timestamp};
use sqlx::AnyConnection;

use super::{Result, parse_id};

/// Stores a new cluster.
pub async fn insert_cluster(
    conn: &mut AnyConnection,
    workshop: WorkshopId,
    cluster: &Cluster,
    by: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO clusters (id, workshop_id, text, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&cluster.id)
        .bind(workshop.to_string())
        .bind(&cluster.text)
        .bind(by.map(|u| u.to_string()))
        .bind(now.millis())
        .execute(&mut *conn)
        .await?;
    for card in &cluster.cards {
        sqlx::query("INSERT INTO cluster_cards (cluster_id, card_id) VALUES ($1, $2)")
            .bind(&cluster.id)
            .bind(card.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A workshop's active clusters (two queries).
pub async fn clusters_of(conn: &mut AnyConnection, workshop: WorkshopId) -> Result<Vec<Cluster>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, text FROM clusters WHERE workshop_id = $1 AND undone_at IS NULL ORDER BY created_at, id",
    )
    .bind(workshop.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let members: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.cluster_id, m.card_id FROM cluster_cards m JOIN clusters c ON c.id = m.cluster_id
         WHERE c.workshop_id = $1 AND c.undone_at IS NULL ORDER BY m.card_id",
    )
    .bind(workshop.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, text)| {
            let cards = members
                .iter()
                .filter(|(c, _)| *c == id)
                .map(|(_, card)| parse_id::<CardId>(card))
                .collect::<Result<_>>()?;
            Ok(Cluster { id, text, cards })
        })
        .collect()
}

/// The workshop a cluster belongs to, if it is active.
pub async fn cluster_workshop(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<(WorkshopId, bool)>> {
    let row: Option<(String, Option<i64>)> =
        sqlx::query_as("SELECT workshop_id, undone_at FROM clusters WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(|(w, undone)| Ok((parse_id(&w)?, undone.is_some())))
        .transpose()
}

/// Undoes a cluster (its record stays).
pub async fn undo_cluster(conn: &mut AnyConnection, id: &str, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE clusters SET undone_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now.millis())
        .execute(conn)
        .await?;
    Ok(())
}
