//! How the service's own errors and import reports read, in each language.
//!
//! The storage layer says *what* happened in plain values (a [`Loss`], a
//! [`RowKind`] and its count, a [`SourceError`]); this module words them
//! from the translation files, so the command line speaks the operator's
//! language. `Display` gives the English text, for logs.

use std::fmt;

use rembuk_domain::{Lang, i18n::fill};

use crate::{
    storage::{
        StorageError,
        transfer::{Loss, RowKind, SessionName, SourceError, TransferError},
    },
    transfer::ImportError,
};

impl StorageError {
    /// The error in `lang`; the database's own words stay as they are.
    pub fn message(&self, lang: Lang) -> String {
        let t = lang.t();
        match self {
            StorageError::Database(e) => fill(t.storage_database(), &[("error", &e.to_string())]),
            StorageError::Sqlite(e) => fill(t.storage_database(), &[("error", &e.to_string())]),
            StorageError::Migration(e) => fill(t.storage_migration(), &[("error", &e.to_string())]),
            StorageError::UnsupportedUrl(url) => {
                fill(t.storage_unsupported_url(), &[("url", &format!("{url:?}"))])
            }
            StorageError::Folder(folder, e) => fill(
                t.storage_folder(),
                &[("folder", folder), ("error", &e.to_string())],
            ),
            StorageError::Corrupt(what) => fill(t.storage_corrupt(), &[("error", what)]),
            StorageError::Commit(why) | StorageError::Busy(why) => {
                fill(t.storage_not_committed(), &[("error", why)])
            }
        }
    }
}

impl RowKind {
    /// Every kind, in table order.
    pub const ALL: [RowKind; 22] = [
        RowKind::Workshops,
        RowKind::Facilitators,
        RowKind::Dimensions,
        RowKind::SubElements,
        RowKind::Groups,
        RowKind::Sessions,
        RowKind::Questions,
        RowKind::Participants,
        RowKind::Cards,
        RowKind::CardAnswers,
        RowKind::Votes,
        RowKind::PaperVotes,
        RowKind::Merges,
        RowKind::MergeSources,
        RowKind::MergeAnswers,
        RowKind::UsgRatings,
        RowKind::IdeaRatings,
        RowKind::Clusters,
        RowKind::ClusterCards,
        RowKind::Events,
        RowKind::AuditEntries,
        RowKind::WorkshopAuditEntries,
    ];

    /// `n` rows of this kind, in `lang`: "1 vote", "12 votes", "12 suara".
    pub fn count(self, n: u64, lang: Lang) -> String {
        let t = lang.t();
        let (one, many) = match self {
            RowKind::Workshops => (t.rows_workshops_one(), t.rows_workshops()),
            RowKind::Facilitators => (t.rows_facilitators_one(), t.rows_facilitators()),
            RowKind::Dimensions => (t.rows_dimensions_one(), t.rows_dimensions()),
            RowKind::SubElements => (t.rows_sub_elements_one(), t.rows_sub_elements()),
            RowKind::Groups => (t.rows_groups_one(), t.rows_groups()),
            RowKind::Sessions => (t.rows_sessions_one(), t.rows_sessions()),
            RowKind::Questions => (t.rows_questions_one(), t.rows_questions()),
            RowKind::Participants => (t.rows_participants_one(), t.rows_participants()),
            RowKind::Cards => (t.rows_cards_one(), t.rows_cards()),
            RowKind::CardAnswers => (t.rows_card_answers_one(), t.rows_card_answers()),
            RowKind::Votes => (t.rows_votes_one(), t.rows_votes()),
            RowKind::PaperVotes => (t.rows_paper_votes_one(), t.rows_paper_votes()),
            RowKind::Merges => (t.rows_merges_one(), t.rows_merges()),
            RowKind::MergeSources => (t.rows_merge_sources_one(), t.rows_merge_sources()),
            RowKind::MergeAnswers => (t.rows_merge_answers_one(), t.rows_merge_answers()),
            RowKind::UsgRatings => (t.rows_usg_ratings_one(), t.rows_usg_ratings()),
            RowKind::IdeaRatings => (t.rows_idea_ratings_one(), t.rows_idea_ratings()),
            RowKind::Clusters => (t.rows_clusters_one(), t.rows_clusters()),
            RowKind::ClusterCards => (t.rows_cluster_cards_one(), t.rows_cluster_cards()),
            RowKind::Events => (t.rows_events_one(), t.rows_events()),
            RowKind::AuditEntries => (t.rows_audit_entries_one(), t.rows_audit_entries()),
            RowKind::WorkshopAuditEntries => (
                t.rows_workshop_audit_entries_one(),
                t.rows_workshop_audit_entries(),
            ),
        };
        if n == 1 {
            one.to_string()
        } else {
            fill(many, &[("n", &lang.count(n))])
        }
    }
}

fn session(s: &SessionName) -> [(&'static str, &str); 2] {
    [("title", &s.title), ("id", &s.id)]
}

impl Loss {
    /// What would be lost, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let t = lang.t();
        match self {
            Loss::Session(s) => fill(t.import_lost_session(), &session(s)),
            Loss::Changes {
                session: s,
                count: 1,
                first,
                ..
            } => {
                let [title, id] = session(s);
                fill(
                    t.import_lost_changes_one(),
                    &[title, id, ("first", &first.to_string())],
                )
            }
            Loss::Changes {
                session: s,
                count,
                first,
                last,
            } => {
                let [title, id] = session(s);
                fill(
                    t.import_lost_changes(),
                    &[
                        title,
                        id,
                        ("n", &lang.count(*count)),
                        ("first", &first.to_string()),
                        ("last", &last.to_string()),
                    ],
                )
            }
            Loss::ModerationLog(s) => fill(t.import_lost_moderation(), &session(s)),
            Loss::RollupLog => t.import_lost_rollup().to_string(),
            Loss::Clusters(1) => t.import_lost_clusters_one().to_string(),
            Loss::Clusters(n) => fill(t.import_lost_clusters(), &[("n", &lang.count(*n))]),
        }
    }
}

impl SourceError {
    /// Why the file cannot be read, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let t = lang.t();
        let path = |p: &std::path::Path| p.display().to_string();
        match self {
            SourceError::Missing(p) => fill(t.import_no_file(), &[("path", &path(p))]),
            SourceError::NotSqlite(p) => fill(t.import_not_sqlite(), &[("path", &path(p))]),
            SourceError::NotRembuk(p) => fill(t.import_not_rembuk(), &[("path", &path(p))]),
            SourceError::Newer {
                path: p,
                theirs,
                ours,
            } => fill(
                t.import_newer(),
                &[
                    ("path", &path(p)),
                    ("theirs", &theirs.to_string()),
                    ("ours", &ours.to_string()),
                ],
            ),
            SourceError::Unreadable(p, e) => {
                fill(t.import_unreadable(), &[("path", &path(p)), ("error", e)])
            }
            SourceError::Storage(e) => e.message(lang),
        }
    }
}

impl TransferError {
    /// Why the import did not happen, in `lang`; what would be lost is one
    /// line each.
    pub fn message(&self, lang: Lang) -> String {
        let t = lang.t();
        match self {
            TransferError::NoSuchWorkshop(id) => fill(t.import_no_such_workshop(), &[("id", id)]),
            TransferError::Empty => t.import_empty().to_string(),
            TransferError::WouldLose { id, title, lost } => {
                let mut out = fill(t.import_would_lose(), &[("id", id), ("title", title)]);
                for loss in lost {
                    out.push_str("\n  - ");
                    out.push_str(&loss.message(lang));
                }
                out.push('\n');
                out.push_str(t.import_would_lose_advice());
                out
            }
            TransferError::Clash { table, key, source } => fill(
                t.import_clash(),
                &[
                    ("table", table),
                    ("key", key),
                    ("error", &source.message(lang)),
                ],
            ),
            TransferError::Storage(e) => e.message(lang),
        }
    }
}

impl ImportError {
    /// Why the import did not happen, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ImportError::Denied(e) => e.message(lang),
            ImportError::Source(e) => e.message(lang),
            ImportError::Transfer(e) => e.message(lang),
        }
    }
}

/// English, for logs.
macro_rules! display_in_english {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.message(Lang::En))
            }
        }
    )*};
}

display_in_english!(Loss, SourceError, TransferError, ImportError);

impl std::error::Error for SourceError {}
impl std::error::Error for TransferError {}
impl std::error::Error for ImportError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn s9() -> SessionName {
        SessionName {
            id: "s9".into(),
            title: "Hari 2".into(),
        }
    }

    #[test]
    fn counts_read_as_numbers_of_things_in_each_language() {
        assert_eq!(RowKind::Votes.count(1, Lang::En), "1 vote");
        assert_eq!(RowKind::Votes.count(1_204, Lang::En), "1,204 votes");
        assert_eq!(RowKind::Votes.count(1_204, Lang::Id), "1.204 suara");
        assert_eq!(RowKind::AuditEntries.count(1, Lang::En), "1 audit entry");
        assert_eq!(RowKind::AuditEntries.count(0, Lang::En), "0 audit entries");
        for kind in RowKind::ALL {
            for lang in [Lang::Id, Lang::En] {
                let two = kind.count(2, lang);
                assert!(
                    two.starts_with("2 ") && !two.contains('{'),
                    "{kind:?}: {two}"
                );
                assert!(kind.count(1, lang).starts_with("1 "), "{kind:?}");
            }
        }
    }

    #[test]
    fn losses_name_the_session_and_the_changes() {
        let changes = |count, first, last| Loss::Changes {
            session: s9(),
            count,
            first,
            last,
        };
        assert_eq!(
            changes(2, 7, 8).message(Lang::En),
            "session \"Hari 2\" (s9): 2 changes recorded here (numbers 7–8) are not in the file"
        );
        assert_eq!(
            changes(1, 7, 7).message(Lang::Id),
            "sesi \"Hari 2\" (s9): 1 perubahan yang tercatat di sini (nomor 7) tidak ada di berkas"
        );
        assert_eq!(
            Loss::Session(s9()).message(Lang::Id),
            "sesi \"Hari 2\" (s9) ada di sini tetapi tidak ada di berkas"
        );
        assert_eq!(
            Loss::Clusters(1).message(Lang::En),
            "1 roll-up cluster is here but not in the file"
        );
    }

    #[test]
    fn a_refused_import_lists_every_loss_then_says_what_to_do() {
        let refused = TransferError::WouldLose {
            id: "w1".into(),
            title: "FGD".into(),
            lost: vec![Loss::Session(s9()), Loss::RollupLog],
        };
        let id = refused.message(Lang::Id);
        let lines: Vec<&str> = id.lines().collect();
        assert_eq!(lines.len(), 4, "{id}");
        assert!(lines[0].starts_with("lokakarya w1 \"FGD\" di sini"), "{id}");
        assert!(lines[1].starts_with("  - sesi \"Hari 2\""), "{id}");
        assert!(lines[2].starts_with("  - catatan rekap"), "{id}");
        assert!(lines[3].contains("--replace"), "{id}");
        assert!(refused.to_string().starts_with("workshop w1 \"FGD\" here"));
    }

    #[test]
    fn storage_errors_keep_the_databases_own_words() {
        let e = StorageError::UnsupportedUrl("mysql://x".into());
        assert_eq!(
            e.message(Lang::Id),
            "URL basis data \"mysql://x\" tidak didukung: pakai sqlite://PATH atau postgres://…"
        );
        let e = StorageError::Corrupt("card kind \"x\"".into());
        assert!(e.message(Lang::En).ends_with("card kind \"x\""));
    }
}
