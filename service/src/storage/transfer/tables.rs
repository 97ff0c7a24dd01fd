//! The tables an import copies, and their rows as plain values.

use sqlx::{AnyConnection, Row as _, any::AnyRow};

use super::RowKind;
use crate::storage::{Result, StorageError};

/// A column's type: every Rembuk column is text or a whole number (flags
/// are 0/1 numbers on both engines).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ty {
    Text,
    Int,
}
use Ty::{Int, Text};

/// One stored value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Val {
    Null,
    Int(i64),
    Text(String),
}

impl Val {
    pub(super) fn text(&self) -> Option<&str> {
        match self {
            Val::Text(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn int(&self) -> Option<i64> {
        match self {
            Val::Int(i) => Some(*i),
            _ => None,
        }
    }
}

pub(super) type Row = Vec<Val>;

/// How a table's rows are brought over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// Add, update and remove until the target equals the source.
    Mirror,
    /// Only add (workshop members: access given here stays).
    AddOnly,
    /// An append-only log with database-made ids (first column): compared
    /// by content and order per owner (second column), appended.
    Log,
}

/// A table that belongs to a workshop.
pub(super) struct Table {
    pub(super) name: &'static str,
    /// How people call its rows, in summaries.
    pub(super) kind: RowKind,
    pub(super) columns: &'static [(&'static str, Ty)],
    /// How many leading columns make up the primary key.
    pub(super) key: usize,
    /// Selects the workshop's rows; `$1` is the workshop id.
    pub(super) filter: &'static str,
    pub(super) order: &'static str,
    /// Columns that name a staff account.
    pub(super) users: &'static [&'static str],
    pub(super) mode: Mode,
}

impl Table {
    pub(super) fn column(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|(c, _)| *c == name)
            .expect("a known column")
    }
}

pub(super) const WORKSHOPS: usize = 0;
pub(super) const SESSIONS: usize = 5;
pub(super) const CLUSTERS: usize = 17;
pub(super) const EVENTS: usize = 19;
#[cfg(test)]
pub(super) const AUDIT: usize = 20;

/// Every table that belongs to a workshop, parents before children.
/// Not here: `users` (matched by email), `auth_sessions` and `settings`
/// (never copied).
pub(super) static TABLES: &[Table] = &[
    Table {
        name: "workshops",
        kind: RowKind::Workshops,
        columns: &[
            ("id", Text),
            ("title", Text),
            ("place", Text),
            ("starts_on", Text),
            ("ends_on", Text),
            ("language", Text),
            ("created_by", Text),
            ("created_at", Int),
            ("withdrawn_cards", Text),
            ("retain_until", Text),
            ("purged_at", Int),
        ],
        key: 1,
        filter: "id = $1",
        order: "id",
        users: &["created_by"],
        mode: Mode::Mirror,
    },
    Table {
        name: "workshop_members",
        kind: RowKind::Facilitators,
        columns: &[("workshop_id", Text), ("user_id", Text)],
        key: 2,
        filter: "workshop_id = $1",
        order: "user_id",
        users: &["user_id"],
        mode: Mode::AddOnly,
    },
    Table {
        name: "dimensions",
        kind: RowKind::Dimensions,
        columns: &[
            ("workshop_id", Text),
            ("key", Text),
            ("name", Text),
            ("position", Int),
        ],
        key: 2,
        filter: "workshop_id = $1",
        order: "position, key",
        users: &[],
        mode: Mode::Mirror,
    },
    Table {
        name: "sub_elements",
        kind: RowKind::SubElements,
        columns: &[
            ("workshop_id", Text),
            ("dimension_key", Text),
            ("key", Text),
            ("name", Text),
            ("position", Int),
        ],
        key: 3,
        filter: "workshop_id = $1",
        order: "dimension_key, position, key",
        users: &[],
        mode: Mode::Mirror,
    },
    Table {
        name: "stakeholder_groups",
        kind: RowKind::Groups,
        columns: &[
            ("workshop_id", Text),
            ("key", Text),
            ("name", Text),
            ("position", Int),
        ],
        key: 2,
        filter: "workshop_id = $1",
        order: "position, key",
        users: &[],
        mode: Mode::Mirror,
    },
    Table {
        name: "sessions",
        kind: RowKind::Sessions,
        columns: &[
            ("id", Text),
            ("workshop_id", Text),
            ("title", Text),
            ("join_code", Int),
            ("last_seq", Int),
            ("created_at", Int),
            ("premoderate", Int),
            ("passcode", Text),
        ],
        key: 1,
        filter: "workshop_id = $1",
        order: "created_at, id",
        users: &[],
        mode: Mode::Mirror,
    },
    Table {
        name: "questions",
        kind: RowKind::Questions,
        columns: &[
            ("id", Text),
            ("session_id", Text),
            ("workshop_id", Text),
            ("dimension_key", Text),
            ("sub_element_key", Text),
            ("prompt", Text),
            ("kind", Text),
            ("vote_budget", Int),
            ("phase", Text),
            ("position", Int),
            ("created_at", Int),
            ("phase_changed_at", Int),
            ("hide_tallies", Int),
            ("tallies_revealed", Int),
            ("cards_while_voting", Int),
            ("votes_while_collecting", Int),
            ("timer_ends_at", Int),
            ("voting_mode", Text),
        ],
        key: 1,
        filter: "session_id IN (SELECT id FROM sessions WHERE workshop_id = $1)",
        order: "id",
        users: &[],
        mode: Mode::Mirror,
    },
    Table {
        name: "participants",
        kind: RowKind::Participants,
        columns: &[
            ("id", Text),
            ("session_id", Text),
            ("token_hash", Text),
            ("group_key", Text),
            ("display_name", Text),
            ("language", Text),
            ("consent_version", Text),
            ("consented_at", Int),
            ("created_at", Int),
            ("withdrawn_at", Int),
        ],
        key: 1,
        filter: "session_id IN (SELECT id FROM sessions WHERE workshop_id = $1)",
        order: "id",
        users: &[],
        mode: Mode::Mirror,
    },
    Table {
        name: "cards",
        kind: RowKind::Cards,
        columns: &[
            ("id", Text),
            ("question_id", Text),
            ("session_id", Text),
            ("participant_id", Text),
            ("group_key", Text),
            ("kind", Text),
            ("text", Text),
            ("idempotency_key", Text),
            ("created_at", Int),
            ("status", Text),
            ("hidden_reason", Text),
            ("original_text", Text),
            ("pinned", Int),
            ("sub_element_key", Text),
            ("entered_by", Text),
            ("merge_id", Text),
            ("on_behalf", Int),
            ("horizon", Text),
            ("lead_office", Text),
        ],
        key: 1,
        filter: "session_id IN (SELECT id FROM sessions WHERE workshop_id = $1)",
        order: "id",
        users: &["entered_by"],
        mode: Mode::Mirror,
    },
    Table {
        name: "card_answers",
        kind: RowKind::CardAnswers,
        columns: &[("idea_id", Text), ("problem_id", Text)],
        key: 2,
        filter: "idea_id IN (SELECT id FROM cards WHERE session_id IN \
                 (SELECT id FROM sessions WHERE workshop_id = $1))",
        order: "idea_id, problem_id",
        users: &[],
        mode: Mode::Mirror,
    },
    Table {
        name: "votes",
        kind: RowKind::Votes,
        columns: &[
            ("participant_id", Text),
            ("card_id", Text),
            ("question_id", Text),
            ("dots", Int),
            ("updated_at", Int),
        ],
        key: 2,
        filter: "card_id IN (SELECT id FROM cards WHERE session_id IN \
                 (SELECT id FROM sessions WHERE workshop_id = $1))",
        order: "participant_id, card_id",
        users: &[],
        mode: Mode::Mirror,
    },
    Table {
        name: "paper_votes",
        kind: RowKind::PaperVotes,
        columns: &[
            ("card_id", Text),
            ("group_key", Text),
            ("dots", Int),
            ("updated_at", Int),
        ],
        key: 2,
        filter: "card_id IN (SELECT id FROM cards WHERE session_id IN \
                 (SELECT id FROM sessions WHERE workshop_id = $1))",
        order: "card_id, group_key",
        users: &[],
        mode: Mode::Mirror,
    },
    Table {
        name: "merges",
        kind: RowKind::Merges,
        columns: &[
            ("id", Text),
            ("session_id", Text),
            ("card_id", Text),
            ("created_by", Text),
            ("created_at", Int),
            ("undone_at", Int),
            ("undone_by", Text),
        ],
        key: 1,
        filter: "session_id IN (SELECT id FROM sessions WHERE workshop_id = $1)",
        order: "id",
        users: &["created_by", "undone_by"],
        mode: Mode::Mirror,
    },
    Table {
        name: "merge_sources",
        kind: RowKind::MergeSources,
        columns: &[("merge_id", Text), ("card_id", Text)],
        key: 2,
        filter: "merge_id IN (SELECT id FROM merges WHERE session_id IN \
                 (SELECT id FROM sessions WHERE workshop_id = $1))",
        order: "merge_id, card_id",
        users: &[],
        mode: Mode::Mirror,
    },
    Table {
        name: "merge_answers",
        kind: RowKind::MergeAnswers,
        columns: &[("merge_id", Text), ("idea_id", Text), ("problem_id", Text)],
        key: 3,
        filter: "merge_id IN (SELECT id FROM merges WHERE session_id IN \
                 (SELECT id FROM sessions WHERE workshop_id = $1))",
        order: "merge_id, idea_id, problem_id",
        users: &[],
        mode: Mode::Mirror,
    },
    Table {
        name: "usg_ratings",
        kind: RowKind::UsgRatings,
        columns: &[
            ("participant_id", Text),
            ("card_id", Text),
            ("question_id", Text),
            ("urgency", Int),
            ("seriousness", Int),
            ("growth", Int),
            ("updated_at", Int),
        ],
        key: 2,
        filter: "card_id IN (SELECT id FROM cards WHERE session_id IN \
                 (SELECT id FROM sessions WHERE workshop_id = $1))",
        order: "participant_id, card_id",
        users: &[],
        mode: Mode::Mirror,
    },
    Table {
        name: "idea_ratings",
        kind: RowKind::IdeaRatings,
        columns: &[
            ("participant_id", Text),
            ("card_id", Text),
            ("question_id", Text),
            ("impact", Int),
            ("effort", Int),
            ("updated_at", Int),
        ],
        key: 2,
        filter: "card_id IN (SELECT id FROM cards WHERE session_id IN \
                 (SELECT id FROM sessions WHERE workshop_id = $1))",
        order: "participant_id, card_id",
        users: &[],
        mode: Mode::Mirror,
    },
    Table {
        name: "clusters",
        kind: RowKind::Clusters,
        columns: &[
            ("id", Text),
            ("workshop_id", Text),
            ("text", Text),
            ("created_by", Text),
            ("created_at", Int),
            ("undone_at", Int),
        ],
        key: 1,
        filter: "workshop_id = $1",
        order: "id",
        users: &["created_by"],
        mode: Mode::Mirror,
    },
    Table {
        name: "cluster_cards",
        kind: RowKind::ClusterCards,
        columns: &[("cluster_id", Text), ("card_id", Text)],
        key: 2,
        filter: "cluster_id IN (SELECT id FROM clusters WHERE workshop_id = $1)",
        order: "cluster_id, card_id",
        users: &[],
        mode: Mode::Mirror,
    },
    Table {
        name: "events",
        kind: RowKind::Events,
        columns: &[
            ("session_id", Text),
            ("seq", Int),
            ("kind", Text),
            ("payload", Text),
            ("created_at", Int),
            ("audience", Text),
            ("public_payload", Text),
        ],
        key: 2,
        filter: "session_id IN (SELECT id FROM sessions WHERE workshop_id = $1)",
        order: "session_id, seq",
        users: &[],
        mode: Mode::Mirror,
    },
    Table {
        name: "audit_log",
        kind: RowKind::AuditEntries,
        columns: &[
            ("id", Int),
            ("session_id", Text),
            ("at", Int),
            ("actor", Text),
            ("action", Text),
            ("target", Text),
            ("reason", Text),
            ("detail", Text),
        ],
        key: 1,
        filter: "session_id IN (SELECT id FROM sessions WHERE workshop_id = $1)",
        order: "id",
        users: &[],
        mode: Mode::Log,
    },
    Table {
        name: "workshop_audit_log",
        kind: RowKind::WorkshopAuditEntries,
        columns: &[
            ("id", Int),
            ("workshop_id", Text),
            ("at", Int),
            ("actor", Text),
            ("action", Text),
            ("target", Text),
            ("reason", Text),
            ("detail", Text),
        ],
        key: 1,
        filter: "workshop_id = $1",
        order: "id",
        users: &[],
        mode: Mode::Log,
    },
];

/// The names of the tables an import copies, parents first.
pub fn workshop_tables() -> impl Iterator<Item = &'static str> {
    TABLES.iter().map(|t| t.name)
}

/// A workshop's rows of one table, ordered, as `SELECT` would show them
/// (for comparisons in tests and tools): every column as text or `NULL`.
pub async fn dump_table(
    conn: &mut AnyConnection,
    table: &str,
    workshop: &str,
) -> Result<Vec<Vec<Option<String>>>> {
    let Some(t) = TABLES.iter().find(|t| t.name == table) else {
        return Err(StorageError::Corrupt(format!("unknown table {table}")));
    };
    let rows = load(conn, t, workshop).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|v| match v {
                    Val::Null => None,
                    Val::Int(i) => Some(i.to_string()),
                    Val::Text(s) => Some(s),
                })
                .collect()
        })
        .collect())
}

pub(super) async fn load(conn: &mut AnyConnection, t: &Table, workshop: &str) -> Result<Vec<Row>> {
    let columns: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE {} ORDER BY {}",
        columns.join(", "),
        t.name,
        t.filter,
        t.order
    );
    let rows: Vec<AnyRow> = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(workshop.to_string())
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| read_row(r, t.columns)).collect()
}

fn read_row(row: &AnyRow, columns: &[(&str, Ty)]) -> Result<Row> {
    columns
        .iter()
        .enumerate()
        .map(|(i, (_, ty))| {
            Ok(match ty {
                Ty::Text => row
                    .try_get::<Option<String>, _>(i)?
                    .map_or(Val::Null, Val::Text),
                Ty::Int => row
                    .try_get::<Option<i64>, _>(i)?
                    .map_or(Val::Null, Val::Int),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_are_in_order_and_named_consistently() {
        assert_eq!(TABLES[WORKSHOPS].name, "workshops");
        assert_eq!(TABLES[SESSIONS].name, "sessions");
        assert_eq!(TABLES[CLUSTERS].name, "clusters");
        assert_eq!(TABLES[EVENTS].name, "events");
        assert_eq!(TABLES[AUDIT].name, "audit_log");
        for t in TABLES {
            assert!(t.key >= 1 && t.key <= t.columns.len(), "{}", t.name);
            for u in t.users {
                t.column(u);
            }
        }
        // Never copied.
        assert!(workshop_tables().all(|n| !["users", "auth_sessions", "settings"].contains(&n)));
    }
}
