//! `rembuk purge`: participants' personal data, once its retention date
//! has passed.

use rembuk_domain::{Lang, WorkshopId, i18n::fill};
use rembuk_service::Caller;

use super::{PurgeArgs, open_services, parse_workshop};

pub(super) async fn purge(args: PurgeArgs, lang: Lang) -> Result<(), String> {
    let services = open_services(&args.db.url(), lang).await?;
    // The regency's calendar day (WIB).
    let today = rembuk_service::storage::now().date_at_offset(7 * 60);
    let caller = Caller::system();
    let result = match (&args.workshop, args.dry_run) {
        (Some(workshop), dry_run) => {
            let id = parse_workshop(workshop, lang)?;
            if dry_run {
                services
                    .purge_preview(&caller, Some(id), today)
                    .await
                    .map(|w| report_preview(&w, lang))
            } else {
                services
                    .purge_workshop(&caller, id, today)
                    .await
                    .map(|p| report_purged(&[p], lang))
            }
        }
        (None, true) => services
            .purge_preview(&caller, None, today)
            .await
            .map(|w| report_preview(&w, lang)),
        (None, false) => services
            .purge_due(&caller, today)
            .await
            .map(|p| report_purged(&p, lang)),
    };
    services.store().close().await;
    result.map_err(|e| e.message(lang))
}

fn report_preview(due: &[(WorkshopId, String)], lang: Lang) {
    let t = lang.t();
    if due.is_empty() {
        println!("{}", t.cli_nothing_due());
    }
    for (id, title) in due {
        let id = id.to_string();
        println!(
            "{}",
            fill(t.cli_would_purge(), &[("id", &id), ("title", title)])
        );
    }
}

fn report_purged(done: &[rembuk_service::Purged], lang: Lang) {
    let t = lang.t();
    if done.is_empty() {
        println!("{}", t.cli_nothing_due());
    }
    for p in done {
        let template = match p.participants {
            1 => t.cli_purged_one(),
            _ => t.cli_purged(),
        };
        let (id, n) = (p.workshop.to_string(), p.participants.to_string());
        println!(
            "{}",
            fill(template, &[("id", &id), ("title", &p.title), ("n", &n)])
        );
    }
}
