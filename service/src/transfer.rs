//! `rembuk import`: carrying a workshop home from a venue laptop.
//!
//! A facilitator runs a workshop offline on a laptop; afterwards the
//! secretariat brings the laptop's database (or a `rembuk backup` of it)
//! and imports it into the central instance. The rules (the venue is
//! authoritative, nothing recorded centrally is lost silently, staff are
//! matched by email, join codes stay unique, one transaction) are in
//! [`crate::storage::transfer`].

use std::path::Path;

use rembuk_domain::{AppError, WorkshopId};

use crate::{
    Caller, Services,
    storage::transfer::{self, SourceError, Transfer, TransferError, TransferOptions},
};

pub use crate::storage::transfer::{
    CreatedUser, KindCount, Loss, NewJoinCode, RowKind, SessionName, WorkshopTransfer,
};

/// What to import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Only this workshop of the file; `None`: all of them.
    pub workshop: Option<WorkshopId>,
    /// Work out and report everything, change nothing.
    pub dry_run: bool,
    /// Overwrite this instance's copy of a workshop even where it has
    /// history (changes, moderation entries, sessions) the file lacks.
    pub replace: bool,
}

/// What an import did (or, in a dry run, would do).
#[derive(Clone, Debug)]
pub struct Imported {
    /// The schema version of the file (its migrations).
    pub source_version: i64,
    /// Whether the file was older and a copy of it was brought up to date
    /// before reading (the file itself is never changed).
    pub upgraded: bool,
    pub transfer: Transfer,
}

/// Why an import did not happen. Nothing was changed. Worded in each
/// language by `message` (`crate::messages`).
#[derive(Debug)]
pub enum ImportError {
    Denied(AppError),
    Source(SourceError),
    Transfer(TransferError),
}

impl From<SourceError> for ImportError {
    fn from(e: SourceError) -> Self {
        ImportError::Source(e)
    }
}

impl From<TransferError> for ImportError {
    fn from(e: TransferError) -> Self {
        ImportError::Transfer(e)
    }
}

impl Services {
    /// Imports one or every workshop of a SQLite file (a `rembuk backup`
    /// or a Rembuk database) into this instance's database, in one
    /// transaction. Administrators only.
    #[tracing::instrument(skip_all, fields(path = %path.display()))]
    pub async fn import_from(
        &self,
        caller: &Caller,
        path: &Path,
        options: &ImportOptions,
    ) -> Result<Imported, ImportError> {
        caller.require_admin().map_err(ImportError::Denied)?;
        let source = transfer::open_source(path).await?;
        let latest = crate::storage::transfer::latest_version();
        let source_version = source.version;
        let result = transfer::transfer(
            source.store(),
            self.store(),
            &TransferOptions {
                workshop: options.workshop.map(|w| w.to_string()),
                dry_run: options.dry_run,
                replace: options.replace,
            },
        )
        .await;
        source.close().await;
        let transfer = result?;
        if !transfer.dry_run {
            // Titles, groups and passcodes may have changed.
            self.forget_join_info();
        }
        // Tell this process's live connections (a server that imports);
        // a command line process has none, and closes the store next.
        if !transfer.dry_run && self.live().subscriber_count() > 0 {
            for w in transfer.workshops.iter().filter(|w| w.changed()) {
                for (session, seq) in &w.last_seqs {
                    if let Ok(session) = session.parse() {
                        self.live().notify(session, *seq);
                    }
                }
            }
        }
        Ok(Imported {
            source_version,
            upgraded: source_version < latest,
            transfer,
        })
    }
}
