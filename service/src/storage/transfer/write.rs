//! Writing the plan to the target, and keeping join codes unique.

use sqlx::AnyConnection;

use std::collections::HashMap;

use super::{NewJoinCode, TransferError, plan::Plan, tables::*};
use crate::storage::{Result, StorageError};

/// Writes the plans: removals first, children before parents (so that a
/// row removed at the venue frees its unique values, e.g. a join code or a
/// device's token, for the rows that replace it), then updates and
/// additions, parents before children.
pub(super) async fn apply(conn: &mut AnyConnection, plans: &[Plan]) -> Result<(), TransferError> {
    for p in plans.iter().rev() {
        let t = &TABLES[p.table];
        for row in &p.remove {
            delete(conn, t, row).await?;
        }
    }
    for p in plans {
        let t = &TABLES[p.table];
        // Log entries get new ids here.
        let skip = usize::from(t.mode == Mode::Log);
        let clash = |e: StorageError, row: &Row| {
            if e.is_unique_violation() {
                TransferError::Clash {
                    table: t.name,
                    key: describe_key(t, row),
                    source: e,
                }
            } else {
                e.into()
            }
        };
        for row in &p.update {
            // A row a removal took with it (ON DELETE CASCADE) comes back.
            if update(conn, t, row).await? == 0 {
                insert(conn, t, row, 0).await.map_err(|e| clash(e, row))?;
            }
        }
        for row in &p.add {
            insert(conn, t, row, skip)
                .await
                .map_err(|e| clash(e, row))?;
        }
    }
    Ok(())
}

fn describe_key(t: &Table, row: &Row) -> String {
    row[..t.key]
        .iter()
        .map(|v| match v {
            Val::Null => "NULL".to_string(),
            Val::Int(i) => i.to_string(),
            Val::Text(s) => s.clone(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

type Query = sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>;

fn bind(q: Query, value: &Val, ty: Ty) -> Query {
    match (value, ty) {
        (Val::Null, Ty::Text) => q.bind(None::<String>),
        (Val::Null, Ty::Int) => q.bind(None::<i64>),
        (Val::Int(i), _) => q.bind(*i),
        (Val::Text(s), _) => q.bind(s.clone()),
    }
}

async fn insert(conn: &mut AnyConnection, t: &Table, row: &Row, skip: usize) -> Result<()> {
    let columns = &t.columns[skip..];
    let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
    let params: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        t.name,
        names.join(", "),
        params.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (v, (_, ty)) in row[skip..].iter().zip(columns) {
        q = bind(q, v, *ty);
    }
    q.execute(conn).await?;
    Ok(())
}

/// Updates a row by its key; returns how many rows it changed.
async fn update(conn: &mut AnyConnection, t: &Table, row: &Row) -> Result<u64> {
    let (keys, rest) = t.columns.split_at(t.key);
    let sets: Vec<String> = rest
        .iter()
        .enumerate()
        .map(|(i, (c, _))| format!("{c} = ${}", i + 1))
        .collect();
    let wheres: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, (c, _))| format!("{c} = ${}", rest.len() + i + 1))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE {}",
        t.name,
        sets.join(", "),
        wheres.join(" AND ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (v, (_, ty)) in row[t.key..].iter().zip(rest) {
        q = bind(q, v, *ty);
    }
    for (v, (_, ty)) in row[..t.key].iter().zip(keys) {
        q = bind(q, v, *ty);
    }
    Ok(q.execute(conn).await?.rows_affected())
}

async fn delete(conn: &mut AnyConnection, t: &Table, row: &Row) -> Result<()> {
    let keys = &t.columns[..t.key];
    let wheres: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, (c, _))| format!("{c} = ${}", i + 1))
        .collect();
    let sql = format!("DELETE FROM {} WHERE {}", t.name, wheres.join(" AND "));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (v, (_, ty)) in row[..t.key].iter().zip(keys) {
        q = bind(q, v, *ty);
    }
    q.execute(conn).await?;
    Ok(())
}

/// Gives the target's join code to sessions it has already, and a fresh
/// code to new sessions whose code another session here uses.
pub(super) async fn assign_join_codes(
    conn: &mut AnyConnection,
    sessions: &mut [Vec<Row>],
    ours: &[Row],
) -> Result<Vec<NewJoinCode>> {
    let t = &TABLES[SESSIONS];
    let code = t.column("join_code");
    let title = t.column("title");
    let existing: HashMap<&Val, &Val> = ours.iter().map(|r| (&r[0], &r[code])).collect();
    let mut renumbered = Vec::new();
    for row in sessions[SESSIONS].iter_mut() {
        if let Some(&here) = existing.get(&row[0]) {
            row[code] = here.clone();
            continue;
        }
        let wanted = row[code].int().unwrap_or(0);
        if !code_taken(conn, wanted, row[0].text().unwrap_or_default()).await? {
            continue;
        }
        let fresh = loop {
            let candidate =
                rembuk_domain::session::JoinCode::from_random(rand::random::<u32>()).value();
            if !code_taken(conn, i64::from(candidate), "").await? {
                break candidate;
            }
        };
        renumbered.push(NewJoinCode {
            session: row[0].text().unwrap_or_default().to_string(),
            title: row[title].text().unwrap_or_default().to_string(),
            was: u32::try_from(wanted).unwrap_or(0),
            now: fresh,
        });
        row[code] = Val::Int(i64::from(fresh));
    }
    Ok(renumbered)
}

/// Whether a session other than `session` uses the code here. (Sessions
/// inserted earlier in this transaction count, so two new sessions never
/// get the same fresh code.)
async fn code_taken(conn: &mut AnyConnection, code: i64, session: &str) -> Result<bool> {
    let other: Option<String> =
        sqlx::query_scalar("SELECT id FROM sessions WHERE join_code = $1 AND id <> $2")
            .bind(code)
            .bind(session)
            .fetch_optional(conn)
            .await?;
    Ok(other.is_some())
}
