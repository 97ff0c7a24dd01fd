//! `rembuk import`: bringing workshops home from a venue laptop, and the
//! summary it prints for the secretariat.

use std::fmt::Write;

use rembuk_domain::{Lang, i18n::fill};
use rembuk_service::{Caller, Imported, KindCount, RowKind};

use super::{ImportArgs, open_services, parse_workshop};

pub(super) async fn import(args: ImportArgs, lang: Lang) -> Result<(), String> {
    let t = lang.t();
    let workshop = match &args.workshop {
        Some(w) => Some(parse_workshop(w, lang)?),
        None => None,
    };
    if !args.from.is_file() {
        return Err(fill(
            t.import_no_file(),
            &[("path", &args.from.display().to_string())],
        ));
    }
    let url = args.db.url();
    if let Some(db_path) = rembuk_service::storage::sqlite_path(&url)
        && let (Ok(a), Ok(b)) = (db_path.canonicalize(), args.from.canonicalize())
        && a == b
    {
        return Err(t.cli_import_onto_itself().into());
    }
    let services = open_services(&url, lang).await?;
    let options = rembuk_service::ImportOptions {
        workshop,
        dry_run: args.dry_run,
        replace: args.replace,
    };
    let result = services
        .import_from(&Caller::system(), &args.from, &options)
        .await;
    services.store().close().await;
    let imported = result.map_err(|e| e.message(lang))?;
    print!("{}", summary(&imported, lang));
    Ok(())
}

/// The kinds the first line of a workshop counts; the others appear only
/// when they change.
const HEADLINE: [RowKind; 12] = [
    RowKind::Sessions,
    RowKind::Questions,
    RowKind::Participants,
    RowKind::Cards,
    RowKind::Votes,
    RowKind::PaperVotes,
    RowKind::Merges,
    RowKind::UsgRatings,
    RowKind::IdeaRatings,
    RowKind::Clusters,
    RowKind::Events,
    RowKind::AuditEntries,
];

/// The summary, one line per workshop and one per kind of change.
fn summary(imported: &Imported, lang: Lang) -> String {
    let t = lang.t();
    let transfer = &imported.transfer;
    let mut out = String::new();
    if transfer.dry_run {
        let _ = writeln!(out, "{}", t.cli_dry_run());
    }
    if imported.upgraded {
        let version = imported.source_version.to_string();
        let _ = writeln!(
            out,
            "{}",
            fill(t.cli_older_schema(), &[("version", &version)])
        );
    }
    for w in &transfer.workshops {
        // "3 sessions, 1 vote", of the kinds with a non-zero count.
        let list = |pick: fn(&KindCount) -> u64, headline: bool| {
            w.counts
                .iter()
                .filter(|c| c.kind != RowKind::Workshops && pick(c) > 0)
                .filter(|c| !headline || HEADLINE.contains(&c.kind))
                .map(|c| c.kind.count(pick(c), lang))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let template = match (transfer.dry_run, w.new, w.changed()) {
            (_, _, false) => t.cli_workshop_same(),
            (false, true, true) => t.cli_workshop_imported(),
            (false, false, true) => t.cli_workshop_updated(),
            (true, true, true) => t.cli_workshop_would_import(),
            (true, false, true) => t.cli_workshop_would_update(),
        };
        let counts = list(KindCount::in_source, true);
        let head = [
            ("id", w.id.as_str()),
            ("title", &w.title),
            ("counts", &counts),
        ];
        let _ = writeln!(out, "{}", fill(template, &head));
        if !w.changed() {
            continue;
        }
        for (template, these) in [
            (t.cli_rows_added(), list(|c| c.added, false)),
            (t.cli_rows_updated(), list(|c| c.updated, false)),
            (t.cli_rows_removed(), list(|c| c.removed, false)),
            (t.cli_rows_kept(), list(|c| c.kept, false)),
        ] {
            if !these.is_empty() {
                let _ = writeln!(out, "  {}", fill(template, &[("list", &these)]));
            }
        }
        for lost in &w.overridden {
            let what = lost.message(lang);
            let _ = writeln!(out, "  {}", fill(t.cli_replaced(), &[("what", &what)]));
        }
        for c in &w.new_join_codes {
            let (was, now) = (c.was.to_string(), c.now.to_string());
            let values = [("title", c.title.as_str()), ("was", &was), ("now", &now)];
            let _ = writeln!(out, "  {}", fill(t.cli_new_join_code(), &values));
        }
    }
    for u in &transfer.created_users {
        // Roles as they are typed on the command line.
        let mut values = vec![("email", u.email.as_str()), ("role", &u.role)];
        let template = match &u.was {
            Some(was) => {
                values.push(("was", was));
                t.cli_account_created_lowered()
            }
            None => t.cli_account_created(),
        };
        let _ = writeln!(out, "{}", fill(template, &values));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rembuk_service::{
        CreatedUser, Loss, NewJoinCode, SessionName, WorkshopTransfer, storage::transfer::Transfer,
    };

    fn count(kind: RowKind, added: u64, removed: u64, unchanged: u64) -> KindCount {
        KindCount {
            kind,
            added,
            updated: 0,
            removed,
            unchanged,
            kept: 0,
        }
    }

    fn imported(dry_run: bool) -> Imported {
        Imported {
            source_version: 2,
            upgraded: true,
            transfer: Transfer {
                workshops: vec![WorkshopTransfer {
                    id: "w1".into(),
                    title: "FGD Hari 1".into(),
                    new: false,
                    counts: vec![
                        count(RowKind::Workshops, 0, 0, 1),
                        count(RowKind::Sessions, 0, 0, 2),
                        count(RowKind::Cards, 1, 0, 1_499),
                        count(RowKind::Votes, 0, 1, 0),
                        count(RowKind::CardAnswers, 3, 0, 0),
                    ],
                    new_join_codes: vec![NewJoinCode {
                        session: "s1".into(),
                        title: "Tata kelola".into(),
                        was: 123_456,
                        now: 654_321,
                    }],
                    overridden: vec![Loss::Session(SessionName {
                        id: "s9".into(),
                        title: "Pusat".into(),
                    })],
                    last_seqs: vec![],
                }],
                created_users: vec![CreatedUser {
                    email: "f@example.go.id".into(),
                    role: "facilitator".into(),
                    was: Some("admin".into()),
                }],
                matched_users: vec![],
                dry_run,
            },
        }
    }

    #[test]
    fn the_summary_counts_in_english_with_singulars() {
        let said = summary(&imported(false), Lang::En);
        let lines: Vec<&str> = said.lines().collect();
        assert_eq!(
            lines,
            [
                "the file has an older schema (version 2): read from an upgraded copy",
                "updated workshop w1 \"FGD Hari 1\": 2 sessions, 1,500 cards",
                "  added: 1 card, 3 card answers",
                "  removed (not in the file): 1 vote",
                "  replaced (--replace): session \"Pusat\" (s9) is here but not in the file",
                "  session \"Tata kelola\": join code 123456 is taken here, its code is now 654321",
                "created staff account f@example.go.id (facilitator; admin on the venue laptop, not here)",
            ],
            "{said}"
        );
    }

    #[test]
    fn the_summary_speaks_indonesian() {
        let said = summary(&imported(true), Lang::Id);
        let lines: Vec<&str> = said.lines().collect();
        assert_eq!(lines[0], "uji coba: tidak ada yang ditulis", "{said}");
        assert_eq!(
            lines[2], "lokakarya w1 \"FGD Hari 1\" akan diperbarui: 2 sesi, 1.500 kartu",
            "{said}"
        );
        assert_eq!(
            lines[3], "  ditambahkan: 1 kartu, 3 jawaban kartu",
            "{said}"
        );
        assert_eq!(
            lines[4], "  dihapus (tidak ada di berkas): 1 suara",
            "{said}"
        );
        assert!(!said.contains('{'), "every placeholder filled: {said}");
    }

    #[test]
    fn an_unchanged_workshop_is_one_line() {
        let mut same = imported(false);
        same.upgraded = false;
        let w = &mut same.transfer.workshops[0];
        w.counts = vec![count(RowKind::Sessions, 0, 0, 1)];
        same.transfer.created_users.clear();
        assert_eq!(
            summary(&same, Lang::En),
            "workshop w1 \"FGD Hari 1\": 1 session (already up to date: nothing new)\n"
        );
    }
}
