//! Carrying workshops from one database into another (`rembuk import`).
//!
//! The source is a SQLite file: a `rembuk backup` or a venue laptop's own
//! database. [`open_source`] never touches that file: it checks that it is
//! a Rembuk database this build understands, copies a consistent snapshot
//! of it (`VACUUM INTO`, which also takes in a write-ahead log) into a
//! private temporary folder, and brings the copy's schema up to date.
//!
//! [`transfer`] then copies one or every workshop of the source into the
//! target in **one** transaction, table by table, comparing rows by their
//! primary keys:
//!
//! - **The venue is authoritative for its workshop.** A row the source has
//!   and the target lacks is added; a row both have but with other content
//!   is updated; a row only the target has is removed (an un-vote at the
//!   venue deletes a vote row; a withdrawal can remove cards). Rows that
//!   are equal are not written at all, so importing the same file twice
//!   changes nothing the second time. Ids (UUIDs) are kept.
//! - **Nothing recorded here is lost silently.** Every change to a session
//!   is numbered in `events`, and moderation is logged in `audit_log` /
//!   `workshop_audit_log`. The target's copy may be replaced only when its
//!   history is a prefix of the source's: every event the target has must
//!   be in the source, equal; its logs must be the start of the source's;
//!   it may have no session or roll-up cluster the source lacks. Otherwise
//!   the import is refused, naming what would be lost, unless `replace` is
//!   set. (Edits that record no history, e.g. a workshop's title changed
//!   here, are overwritten by the venue's.)
//! - **Facilitators are kept.** `workshop_members` is only added to: a
//!   member given access here stays a member.
//! - **Staff accounts are matched by email.** Every reference to a staff
//!   account (members, `created_by`, `entered_by`, `undone_by`) is turned
//!   into the target's account with the same email (audit actors are
//!   emails already). An account the target lacks is created with its id
//!   and password hash, so its owner signs in as at the venue; an `admin`
//!   of the venue laptop becomes a `facilitator` here, because a laptop's
//!   administrator must not become the central instance's. Logins
//!   (`auth_sessions`) and `settings` (secret keys) are never copied.
//! - **Join codes stay unique.** A new session whose join code another
//!   session of the target uses gets a fresh code (reported); a session the
//!   target has already keeps the target's code.
//! - **Sequence numbers stay consistent.** `sessions.last_seq` comes along
//!   with the events, at least the highest event number, so the next change
//!   made here gets a higher number than any imported one. On PostgreSQL
//!   the events' insert trigger announces them to running instances.
//! - Moderation log rows have database-made ids: they are compared by
//!   content and order per session (or workshop), and appended.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    path::{Path, PathBuf},
};

use sqlx::{AnyConnection, Connection, Executor, Row as _, any::AnyRow};

use super::{Backend, Result, StorageError, Store};

// ---------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------

/// A column's type: every Rembuk column is text or a whole number (flags
/// are 0/1 numbers on both engines).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Text,
    Int,
}
use Ty::{Int, Text};

/// One stored value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Val {
    Null,
    Int(i64),
    Text(String),
}

impl Val {
    fn text(&self) -> Option<&str> {
        match self {
            Val::Text(s) => Some(s),
            _ => None,
        }
    }

    fn int(&self) -> Option<i64> {
        match self {
            Val::Int(i) => Some(*i),
            _ => None,
        }
    }
}

type Row = Vec<Val>;

/// How a table's rows are brought over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Add, update and remove until the target equals the source.
    Mirror,
    /// Only add (workshop members: access given here stays).
    AddOnly,
    /// An append-only log with database-made ids (first column): compared
    /// by content and order per owner (second column), appended.
    Log,
}

/// A table that belongs to a workshop.
struct Table {
    name: &'static str,
    /// How people call its rows, in summaries.
    kind: RowKind,
    columns: &'static [(&'static str, Ty)],
    /// How many leading columns make up the primary key.
    key: usize,
    /// Selects the workshop's rows; `$1` is the workshop id.
    filter: &'static str,
    order: &'static str,
    /// Columns that name a staff account.
    users: &'static [&'static str],
    mode: Mode,
}

impl Table {
    fn column(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|(c, _)| *c == name)
            .expect("a known column")
    }
}

const WORKSHOPS: usize = 0;
const SESSIONS: usize = 5;
const CLUSTERS: usize = 17;
const EVENTS: usize = 19;
#[cfg(test)]
const AUDIT: usize = 20;

/// Every table that belongs to a workshop, parents before children.
/// Not here: `users` (matched by email), `auth_sessions` and `settings`
/// (never copied).
static TABLES: &[Table] = &[
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

// ---------------------------------------------------------------------------
// The source file
// ---------------------------------------------------------------------------

/// Why a source file cannot be read. The service words it in each
/// language (`crate::transfer`).
#[derive(Debug)]
pub enum SourceError {
    Missing(PathBuf),
    NotSqlite(PathBuf),
    NotRembuk(PathBuf),
    Newer {
        path: PathBuf,
        theirs: i64,
        ours: i64,
    },
    Unreadable(PathBuf, String),
    Storage(StorageError),
}

impl From<StorageError> for SourceError {
    fn from(e: StorageError) -> Self {
        SourceError::Storage(e)
    }
}

/// A private, up-to-date copy of a source database. Its folder is removed
/// when it is closed or dropped.
pub struct Source {
    store: Store,
    dir: PathBuf,
    /// The schema version the file had (before the copy was migrated).
    pub version: i64,
}

impl Source {
    /// The copy, to read from.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Closes the copy and removes it.
    pub async fn close(self) {
        self.store.close().await;
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Opens a source file without changing it: checks that it is a Rembuk
/// SQLite database this build understands, then migrates a private copy.
pub async fn open_source(path: &Path) -> Result<Source, SourceError> {
    if !path.is_file() {
        return Err(SourceError::Missing(path.to_path_buf()));
    }
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", escape_path(path));
    let unreadable = |e: sqlx::Error| SourceError::Unreadable(path.to_path_buf(), e.to_string());
    let mut conn = AnyConnection::connect(&url).await.map_err(unreadable)?;
    let result = check_and_copy(&mut conn, path).await;
    let _ = conn.close().await;
    let (dir, version) = result?;
    let copy = dir.join("source.db");
    let store = match Store::connect(&format!("sqlite://{}", escape_path(&copy))).await {
        Ok(store) => store,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e.into());
        }
    };
    Ok(Source {
        store,
        dir,
        version,
    })
}

/// The newest schema version this build knows (SQLite's migrations).
pub fn latest_version() -> i64 {
    super::SQLITE_MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// A path as a `sqlite://` URL writes it: the characters the driver would
/// read as escapes, options or a fragment are escaped.
fn escape_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3F"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

async fn check_and_copy(
    conn: &mut AnyConnection,
    path: &Path,
) -> Result<(PathBuf, i64), SourceError> {
    let tables: Vec<String> =
        match sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut *conn)
            .await
        {
            Ok(t) => t,
            Err(sqlx::Error::Database(e))
                if e.code().as_deref() == Some("26") || e.message().contains("not a database") =>
            {
                return Err(SourceError::NotSqlite(path.to_path_buf()));
            }
            Err(e) => return Err(SourceError::Unreadable(path.to_path_buf(), e.to_string())),
        };
    let has = |name: &str| tables.iter().any(|t| t == name);
    if !has("_sqlx_migrations") || !has("workshops") || !has("sessions") {
        return Err(SourceError::NotRembuk(path.to_path_buf()));
    }
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| SourceError::Unreadable(path.to_path_buf(), e.to_string()))?;
    let known: BTreeSet<i64> = super::SQLITE_MIGRATIONS.iter().map(|m| m.version).collect();
    let ours = known.last().copied().unwrap_or(0);
    if let Some(&unknown) = applied.iter().find(|v| !known.contains(v)) {
        return Err(SourceError::Newer {
            path: path.to_path_buf(),
            theirs: applied.last().copied().unwrap_or(unknown).max(unknown),
            ours,
        });
    }
    if !applied.contains(&1) {
        return Err(SourceError::NotRembuk(path.to_path_buf()));
    }
    let dir = std::env::temp_dir().join(format!("rembuk-import-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).map_err(|e| {
        SourceError::Unreadable(path.to_path_buf(), format!("temporary folder: {e}"))
    })?;
    let copy = dir.join("source.db");
    let target = copy.to_string_lossy().replace('\'', "''");
    if let Err(e) = conn
        .execute(sqlx::AssertSqlSafe(format!("VACUUM INTO '{target}'")))
        .await
    {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(SourceError::Unreadable(path.to_path_buf(), e.to_string()));
    }
    Ok((dir, applied.last().copied().unwrap_or(0)))
}

// ---------------------------------------------------------------------------
// The transfer
// ---------------------------------------------------------------------------

/// What to import.
#[derive(Clone, Debug, Default)]
pub struct TransferOptions {
    /// One workshop (its id); `None`: every workshop in the source.
    pub workshop: Option<String>,
    /// Work everything out, write nothing.
    pub dry_run: bool,
    /// Replace the target's copy even when it has history the source
    /// lacks (that history is lost).
    pub replace: bool,
}

/// What an import counts: the rows of one table, as people call them.
/// The words for them, in each language, are in `locales/*.toml`
/// (`rows.*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    Workshops,
    Facilitators,
    Dimensions,
    SubElements,
    Groups,
    Sessions,
    Questions,
    Participants,
    Cards,
    CardAnswers,
    Votes,
    PaperVotes,
    Merges,
    MergeSources,
    MergeAnswers,
    UsgRatings,
    IdeaRatings,
    Clusters,
    ClusterCards,
    Events,
    AuditEntries,
    WorkshopAuditEntries,
}

/// How many rows of one kind were added, updated, removed or left alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindCount {
    pub kind: RowKind,
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
    pub unchanged: u64,
    /// Rows only the target has that stay (workshop members).
    pub kept: u64,
}

impl KindCount {
    /// Rows of this kind the source has.
    pub fn in_source(&self) -> u64 {
        self.added + self.updated + self.unchanged
    }

    /// Whether anything of this kind changed.
    pub fn changed(&self) -> bool {
        self.added + self.updated + self.removed > 0
    }
}

/// A session that got a new join code because its own was taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJoinCode {
    pub session: String,
    pub title: String,
    pub was: u32,
    pub now: u32,
}

/// One workshop's import.
#[derive(Clone, Debug)]
pub struct WorkshopTransfer {
    pub id: String,
    pub title: String,
    /// The target did not have it before.
    pub new: bool,
    /// Per kind, in table order.
    pub counts: Vec<KindCount>,
    pub new_join_codes: Vec<NewJoinCode>,
    /// History of the target's copy that was replaced (with `replace`).
    pub overridden: Vec<Loss>,
    /// The sessions' change numbers after the import (for live updates).
    pub last_seqs: Vec<(String, u64)>,
}

impl WorkshopTransfer {
    /// Whether the import changed anything of this workshop.
    pub fn changed(&self) -> bool {
        self.counts.iter().any(KindCount::changed)
    }

    /// The count of one kind.
    pub fn count(&self, kind: RowKind) -> Option<&KindCount> {
        self.counts.iter().find(|c| c.kind == kind)
    }
}

/// A session, as an import names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionName {
    pub id: String,
    pub title: String,
}

/// History of the target's copy of a workshop that the source lacks: an
/// import would lose it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loss {
    /// A session here that the file does not have.
    Session(SessionName),
    /// Changes recorded here (numbers `first` to `last`) that the file
    /// does not have, or has otherwise.
    Changes {
        session: SessionName,
        count: u64,
        first: i64,
        last: i64,
    },
    /// Moderation log entries of a session here that the file lacks.
    ModerationLog(SessionName),
    /// Entries of the workshop's roll-up log here that the file lacks.
    RollupLog,
    /// Roll-up clusters here that the file does not have.
    Clusters(u64),
}

/// A staff account the import created in the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedUser {
    pub email: String,
    pub role: String,
    /// The role at the venue, when it was lowered.
    pub was: Option<String>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Clone, Debug, Default)]
pub struct Transfer {
    pub workshops: Vec<WorkshopTransfer>,
    pub created_users: Vec<CreatedUser>,
    /// Emails of venue accounts that were matched to accounts here.
    pub matched_users: Vec<String>,
    pub dry_run: bool,
}

/// Why an import did not happen. The service words it in each language
/// (`crate::transfer`).
#[derive(Debug)]
pub enum TransferError {
    NoSuchWorkshop(String),
    Empty,
    WouldLose {
        id: String,
        title: String,
        lost: Vec<Loss>,
    },
    Clash {
        table: &'static str,
        key: String,
        source: StorageError,
    },
    Storage(StorageError),
}

impl From<StorageError> for TransferError {
    fn from(e: StorageError) -> Self {
        TransferError::Storage(e)
    }
}

impl From<sqlx::Error> for TransferError {
    fn from(e: sqlx::Error) -> Self {
        TransferError::Storage(e.into())
    }
}

/// Copies workshops from `source` into `target` in one transaction (see
/// the module documentation for the rules).
pub async fn transfer(
    source: &Store,
    target: &Store,
    options: &TransferOptions,
) -> Result<Transfer, TransferError> {
    let mut src = source.read_tx().await?;
    let ids: Vec<(String, String)> =
        sqlx::query_as("SELECT id, title FROM workshops ORDER BY created_at, id")
            .fetch_all(src.conn())
            .await?;
    let ids: Vec<(String, String)> = match &options.workshop {
        Some(want) => {
            let found: Vec<_> = ids.into_iter().filter(|(id, _)| id == want).collect();
            if found.is_empty() {
                return Err(TransferError::NoSuchWorkshop(want.clone()));
            }
            found
        }
        None if ids.is_empty() => return Err(TransferError::Empty),
        None => ids,
    };

    let mut tx = target.write().await?;
    let backend = tx.backend();
    let mut users = UserMap::default();
    let mut report = Transfer {
        dry_run: options.dry_run,
        ..Default::default()
    };
    for (id, title) in &ids {
        if backend == Backend::Postgres {
            // Keep the sessions' writers out until the import commits.
            sqlx::query("SELECT id FROM sessions WHERE workshop_id = $1 FOR UPDATE")
                .bind(id)
                .fetch_all(tx.conn())
                .await?;
        }
        let mut theirs = Vec::with_capacity(TABLES.len());
        for t in TABLES {
            theirs.push(load(src.conn(), t, id).await?);
        }
        users.map(src.conn(), tx.conn(), &mut theirs).await?;
        let mut ours = Vec::with_capacity(TABLES.len());
        for t in TABLES {
            ours.push(load(tx.conn(), t, id).await?);
        }
        let lost = lost_history(&theirs, &ours);
        if !lost.is_empty() && !options.replace {
            return Err(TransferError::WouldLose {
                id: id.clone(),
                title: title.clone(),
                lost,
            });
        }
        let new_join_codes = assign_join_codes(tx.conn(), &mut theirs, &ours[SESSIONS]).await?;
        counters_cover_events(&mut theirs);
        let plans: Vec<Plan> = TABLES
            .iter()
            .zip(theirs.iter().zip(&ours))
            .map(|(t, (s, o))| plan(t, s, o))
            .collect();
        apply(tx.conn(), &plans).await?;
        let seq = TABLES[SESSIONS].column("last_seq");
        report.workshops.push(WorkshopTransfer {
            id: id.clone(),
            title: title.clone(),
            new: ours[WORKSHOPS].is_empty(),
            counts: TABLES
                .iter()
                .zip(&plans)
                .map(|(t, p)| p.count(t.kind))
                .collect(),
            new_join_codes,
            overridden: lost,
            last_seqs: theirs[SESSIONS]
                .iter()
                .filter_map(|r| Some((r[0].text()?.to_string(), r[seq].int()? as u64)))
                .collect(),
        });
    }
    report.created_users = users.created;
    report.matched_users = users.matched.into_iter().collect();
    drop(src);
    if options.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(report)
}

async fn load(conn: &mut AnyConnection, t: &Table, workshop: &str) -> Result<Vec<Row>> {
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
                Text => row
                    .try_get::<Option<String>, _>(i)?
                    .map_or(Val::Null, Val::Text),
                Int => row
                    .try_get::<Option<i64>, _>(i)?
                    .map_or(Val::Null, Val::Int),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Staff accounts
// ---------------------------------------------------------------------------

/// Venue account ids and the target's accounts they become.
#[derive(Default)]
struct UserMap {
    ids: HashMap<String, String>,
    created: Vec<CreatedUser>,
    matched: BTreeSet<String>,
}

impl UserMap {
    /// Rewrites every staff reference in `rows` (the source's tables) to
    /// the target's account, creating accounts the target lacks.
    async fn map(
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

// ---------------------------------------------------------------------------
// Join codes
// ---------------------------------------------------------------------------

/// Gives the target's join code to sessions it has already, and a fresh
/// code to new sessions whose code another session here uses.
async fn assign_join_codes(
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

/// Makes each session's change counter at least its highest event number,
/// so that the next change made here gets a higher one (a consistent file
/// has that already).
fn counters_cover_events(tables: &mut [Vec<Row>]) {
    let mut highest: HashMap<Val, i64> = HashMap::new();
    for e in &tables[EVENTS] {
        let seq = e[1].int().unwrap_or(0);
        let h = highest.entry(e[0].clone()).or_insert(seq);
        *h = (*h).max(seq);
    }
    let col = TABLES[SESSIONS].column("last_seq");
    for s in tables[SESSIONS].iter_mut() {
        let top = highest.get(&s[0]).copied().unwrap_or(0);
        if s[col].int().unwrap_or(0) < top {
            s[col] = Val::Int(top);
        }
    }
}

// ---------------------------------------------------------------------------
// The plan (pure)
// ---------------------------------------------------------------------------

/// What to write to one table.
#[derive(Debug, Default, PartialEq, Eq)]
struct Plan {
    table: usize,
    add: Vec<Row>,
    update: Vec<Row>,
    /// Rows to remove, as the target has them.
    remove: Vec<Row>,
    unchanged: u64,
    kept: u64,
}

impl Plan {
    fn count(&self, kind: RowKind) -> KindCount {
        KindCount {
            kind,
            added: self.add.len() as u64,
            updated: self.update.len() as u64,
            removed: self.remove.len() as u64,
            unchanged: self.unchanged,
            kept: self.kept,
        }
    }
}

/// Works out how to make the target's rows of one table match the source's.
fn plan(t: &Table, source: &[Row], target: &[Row]) -> Plan {
    let table = TABLES.iter().position(|x| x.name == t.name).unwrap_or(0);
    match t.mode {
        Mode::Mirror | Mode::AddOnly => {
            let mut p = mirror(t.key, source, target);
            p.table = table;
            if t.mode == Mode::AddOnly {
                p.kept = p.remove.len() as u64;
                p.remove.clear();
            }
            p
        }
        Mode::Log => {
            let mut p = append_log(source, target);
            p.table = table;
            p
        }
    }
}

/// Rows to add, update and remove, by primary key (the first `key`
/// columns).
fn mirror(key: usize, source: &[Row], target: &[Row]) -> Plan {
    let ours: BTreeMap<&[Val], &Row> = target.iter().map(|r| (&r[..key], r)).collect();
    let theirs: BTreeSet<&[Val]> = source.iter().map(|r| &r[..key]).collect();
    let mut p = Plan::default();
    for row in source {
        match ours.get(&row[..key]) {
            None => p.add.push(row.clone()),
            Some(here) if *here == row => p.unchanged += 1,
            Some(_) => p.update.push(row.clone()),
        }
    }
    p.remove = target
        .iter()
        .filter(|r| !theirs.contains(&r[..key]))
        .cloned()
        .collect();
    p
}

/// A log (`id`, owner, content…): per owner, the target's entries must be
/// the start of the source's; the rest is appended. Otherwise (only with
/// `replace`) the owner's entries are replaced.
fn append_log(source: &[Row], target: &[Row]) -> Plan {
    let by_owner = |rows: &[Row]| {
        let mut m: BTreeMap<Val, Vec<Row>> = BTreeMap::new();
        for r in rows {
            m.entry(r[1].clone()).or_default().push(r.clone());
        }
        m
    };
    let theirs = by_owner(source);
    let mut ours = by_owner(target);
    let mut p = Plan::default();
    for (owner, entries) in theirs {
        let here = ours.remove(&owner).unwrap_or_default();
        if is_log_prefix(&here, &entries) {
            p.unchanged += here.len() as u64;
            p.add.extend(entries.into_iter().skip(here.len()));
        } else {
            p.remove.extend(here);
            p.add.extend(entries);
        }
    }
    for (_, here) in ours {
        p.remove.extend(here);
    }
    p
}

/// Whether log entries `here` are the first entries of `theirs` (ids
/// aside).
fn is_log_prefix(here: &[Row], theirs: &[Row]) -> bool {
    here.len() <= theirs.len() && here.iter().zip(theirs).all(|(a, b)| a[1..] == b[1..])
}

/// What the target's copy has that the source lacks: history the import
/// would lose. Empty when the target's copy is an older state of the
/// source's (or absent).
fn lost_history(theirs: &[Vec<Row>], ours: &[Vec<Row>]) -> Vec<Loss> {
    let mut lost = Vec::new();
    let s = &TABLES[SESSIONS];
    let title_col = s.column("title");
    let titles: HashMap<&Val, &str> = ours[SESSIONS]
        .iter()
        .chain(&theirs[SESSIONS])
        .map(|r| (&r[0], r[title_col].text().unwrap_or_default()))
        .collect();
    let name = |id: &Val| SessionName {
        id: id.text().unwrap_or_default().to_string(),
        title: titles.get(id).copied().unwrap_or_default().to_string(),
    };
    let their_sessions: BTreeSet<&Val> = theirs[SESSIONS].iter().map(|r| &r[0]).collect();
    for r in &ours[SESSIONS] {
        if !their_sessions.contains(&r[0]) {
            lost.push(Loss::Session(name(&r[0])));
        }
    }
    // Events: every one here must be in the file, unchanged.
    let their_events: BTreeMap<&[Val], &Row> =
        theirs[EVENTS].iter().map(|r| (&r[..2], r)).collect();
    let mut diverged: BTreeMap<&Val, (u64, i64, i64)> = BTreeMap::new();
    for r in &ours[EVENTS] {
        if their_events.get(&r[..2]).is_some_and(|t| *t == r) {
            continue;
        }
        let seq = r[1].int().unwrap_or(0);
        let e = diverged.entry(&r[0]).or_insert((0, seq, seq));
        e.0 += 1;
        e.1 = e.1.min(seq);
        e.2 = e.2.max(seq);
    }
    for (session, (count, first, last)) in diverged {
        if !their_sessions.contains(session) {
            continue; // Already said.
        }
        lost.push(Loss::Changes {
            session: name(session),
            count,
            first,
            last,
        });
    }
    // Logs: here must be the start of the file's.
    for (i, t) in TABLES.iter().enumerate() {
        if t.mode != Mode::Log {
            continue;
        }
        let p = append_log(&theirs[i], &ours[i]);
        if p.remove.is_empty() {
            continue;
        }
        let owners: BTreeSet<&Val> = p.remove.iter().map(|r| &r[1]).collect();
        for owner in owners {
            if t.name == "audit_log" {
                if their_sessions.contains(owner) {
                    lost.push(Loss::ModerationLog(name(owner)));
                }
            } else {
                lost.push(Loss::RollupLog);
            }
        }
    }
    let their_clusters: BTreeSet<&Val> = theirs[CLUSTERS].iter().map(|r| &r[0]).collect();
    let extra = ours[CLUSTERS]
        .iter()
        .filter(|r| !their_clusters.contains(&r[0]))
        .count();
    if extra > 0 {
        lost.push(Loss::Clusters(extra as u64));
    }
    lost
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// Writes the plans: removals first, children before parents (so that a
/// row removed at the venue frees its unique values, e.g. a join code or a
/// device's token, for the rows that replace it), then updates and
/// additions, parents before children.
async fn apply(conn: &mut AnyConnection, plans: &[Plan]) -> Result<(), TransferError> {
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
        (Val::Null, Text) => q.bind(None::<String>),
        (Val::Null, Int) => q.bind(None::<i64>),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Val {
        Val::Text(s.into())
    }

    fn vote(p: &str, c: &str, dots: i64) -> Row {
        vec![t(p), t(c), t("q"), Val::Int(dots), Val::Int(1)]
    }

    fn log(id: i64, owner: &str, action: &str) -> Row {
        vec![
            Val::Int(id),
            t(owner),
            Val::Int(1),
            t("a@x"),
            t(action),
            Val::Null,
            Val::Null,
            Val::Null,
        ]
    }

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

    #[test]
    fn a_mirror_adds_updates_removes_and_leaves_equal_rows_alone() {
        let votes = &TABLES[10];
        assert_eq!(votes.name, "votes");
        let here = vec![
            vote("p1", "c1", 1),
            vote("p1", "c2", 2),
            vote("p2", "c1", 1),
        ];
        let file = vec![
            vote("p1", "c1", 1),
            vote("p1", "c2", 3),
            vote("p3", "c1", 1),
        ];
        let p = plan(votes, &file, &here);
        assert_eq!(p.add, vec![vote("p3", "c1", 1)]);
        assert_eq!(p.update, vec![vote("p1", "c2", 3)]);
        assert_eq!(p.remove, vec![vote("p2", "c1", 1)]);
        assert_eq!(p.unchanged, 1);
        let again = plan(votes, &file, &file);
        assert!(again.add.is_empty() && again.update.is_empty() && again.remove.is_empty());
        assert_eq!(again.unchanged, 3);
    }

    #[test]
    fn members_are_only_added() {
        let members = &TABLES[1];
        let here = vec![vec![t("w"), t("central")]];
        let file = vec![vec![t("w"), t("venue")]];
        let p = plan(members, &file, &here);
        assert_eq!(p.add.len(), 1);
        assert!(p.remove.is_empty());
        assert_eq!(p.kept, 1);
    }

    #[test]
    fn logs_are_appended_when_here_is_their_start() {
        let here = vec![log(7, "s1", "hide")];
        let file = vec![log(1, "s1", "hide"), log(2, "s1", "merge")];
        let p = append_log(&file, &here);
        assert_eq!(p.add, vec![log(2, "s1", "merge")]);
        assert_eq!(p.unchanged, 1);
        assert!(p.remove.is_empty());
        // Something else here: replaced (only ever with --replace).
        let here = vec![log(7, "s1", "edit")];
        let p = append_log(&file, &here);
        assert_eq!(p.remove.len(), 1);
        assert_eq!(p.add.len(), 2);
    }

    fn world(sessions: &[&str], events: &[(&str, i64, &str)], audit: &[Row]) -> Vec<Vec<Row>> {
        let mut w: Vec<Vec<Row>> = TABLES.iter().map(|_| Vec::new()).collect();
        for s in sessions {
            w[SESSIONS].push(vec![
                t(s),
                t("w"),
                t("Hari 1"),
                Val::Int(123456),
                Val::Int(0),
                Val::Int(0),
                Val::Int(0),
                Val::Null,
            ]);
        }
        for (s, seq, payload) in events {
            w[EVENTS].push(vec![
                t(s),
                Val::Int(*seq),
                t("k"),
                t(payload),
                Val::Int(0),
                t("all"),
                Val::Null,
            ]);
        }
        w[AUDIT] = audit.to_vec();
        w
    }

    #[test]
    fn an_older_copy_here_loses_nothing() {
        let here = world(&["s1"], &[("s1", 1, "a")], &[log(3, "s1", "hide")]);
        let file = world(
            &["s1", "s2"],
            &[("s1", 1, "a"), ("s1", 2, "b")],
            &[log(1, "s1", "hide"), log(2, "s1", "merge")],
        );
        assert!(lost_history(&file, &here).is_empty());
        assert!(lost_history(&file, &world(&[], &[], &[])).is_empty());
    }

    #[test]
    fn history_only_here_is_named() {
        let file = world(&["s1"], &[("s1", 1, "a")], &[log(1, "s1", "hide")]);
        let here = world(
            &["s1", "s9"],
            &[("s1", 1, "a"), ("s1", 2, "central"), ("s1", 3, "central")],
            &[log(1, "s1", "edit")],
        );
        let lost = lost_history(&file, &here);
        assert_eq!(lost.len(), 3, "{lost:?}");
        assert!(
            matches!(&lost[0], Loss::Session(s) if s.id == "s9"),
            "{lost:?}"
        );
        assert!(
            matches!(
                &lost[1],
                Loss::Changes { session, count: 2, first: 2, last: 3 } if session.id == "s1"
            ),
            "{lost:?}"
        );
        assert!(
            matches!(&lost[2], Loss::ModerationLog(s) if s.id == "s1"),
            "{lost:?}"
        );
        // A changed event counts too.
        let here = world(&["s1"], &[("s1", 1, "other")], &[]);
        assert_eq!(lost_history(&file, &here).len(), 1);
    }

    #[test]
    fn session_counters_cover_their_events() {
        let mut w = world(&["s1", "s2"], &[("s1", 4, "a"), ("s1", 7, "b")], &[]);
        w[SESSIONS][1][4] = Val::Int(9);
        counters_cover_events(&mut w);
        assert_eq!(w[SESSIONS][0][4], Val::Int(7));
        assert_eq!(w[SESSIONS][1][4], Val::Int(9), "never lowered");
    }

    #[test]
    fn venue_admins_become_facilitators_here() {
        assert_eq!(created_role("admin"), ("facilitator", Some("admin".into())));
        assert_eq!(created_role("secretariat"), ("secretariat", None));
        assert_eq!(created_role("facilitator"), ("facilitator", None));
    }
}
