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
//!
//! The parts: `tables` lists the tables and reads their rows as plain
//! values; `source` opens the file; `users` matches staff accounts;
//! `plan` works out, without touching a database, what to write and what
//! would be lost; `write` writes it and keeps join codes unique. This
//! module runs them in order and reports.

mod plan;
mod source;
mod tables;
mod users;
mod write;

use super::{Backend, Result, StorageError, Store};
use plan::{Plan, counters_cover_events, lost_history, plan};
pub use source::{Source, SourceError, latest_version, open_source};
use tables::{SESSIONS, TABLES, WORKSHOPS, load};
pub use tables::{dump_table, workshop_tables};
use users::UserMap;
use write::{apply, assign_join_codes};

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
