//! Files out of the database: `rembuk export` (the draft plan input) and
//! `rembuk backup` (a consistent copy of the SQLite file).

use std::path::PathBuf;

use rembuk_domain::{Lang, SessionId, i18n::fill};
use rembuk_report::{Format, file_name, render};
use rembuk_service::Caller;

use super::{
    BackupArgs, ExportArgs, cannot_open, cannot_write, not_an_id, open_services, parse_workshop,
};
use crate::config::redact_url;

pub(super) async fn export(args: ExportArgs, lang: Lang) -> Result<(), String> {
    let t = lang.t();
    let format: Format = args.format.parse().map_err(|_| {
        fill(
            t.cli_unknown_format(),
            &[
                ("value", &format!("{:?}", args.format)),
                ("formats", &Format::ALL.map(Format::as_str).join(", ")),
            ],
        )
    })?;
    let services = open_services(&args.db.url(), lang).await?;
    let caller = Caller::system();
    let report = match (&args.workshop, &args.session) {
        (_, Some(session)) => {
            let id = session
                .trim()
                .parse::<SessionId>()
                .map_err(|_| not_an_id(t.cli_not_a_session_id(), session))?;
            services.session_report(&caller, id).await
        }
        (Some(workshop), None) => {
            let id = parse_workshop(workshop, lang)?;
            services.workshop_report(&caller, id).await
        }
        (None, None) => return Err(t.cli_export_which().into()),
    }
    .map_err(|e| e.message(lang))?;
    services.store().close().await;
    let rendered = render(&report, format)
        .map_err(|e| fill(t.cli_export_failed(), &[("error", &e.to_string())]))?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(file_name(&report, format)));
    if out.as_os_str() == "-" {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(&rendered.bytes)
            .and_then(|()| stdout.flush())
            .map_err(|e| fill(t.cli_cannot_write_stdout(), &[("error", &e.to_string())]));
    }
    write_atomically(&out, &rendered.bytes).map_err(|e| cannot_write(&out, &e, lang))?;
    eprintln!(
        "{}",
        fill(
            t.cli_wrote(),
            &[
                ("path", &out.display().to_string()),
                ("size", &lang.count(rendered.bytes.len() as u64)),
                ("format", format.as_str()),
            ]
        )
    );
    Ok(())
}

pub(super) async fn backup(args: BackupArgs, lang: Lang) -> Result<(), String> {
    let t = lang.t();
    let url = args.db.url();
    let url = url.as_str();
    let Some(db_path) = rembuk_service::storage::sqlite_path(url) else {
        return Err(fill(
            t.cli_backup_not_sqlite(),
            &[("url", &redact_url(url))],
        ));
    };
    if !db_path.is_file() {
        return Err(fill(
            t.cli_no_database(),
            &[("path", &db_path.display().to_string())],
        ));
    }
    let out = &args.out;
    if let (Ok(a), Ok(b)) = (db_path.canonicalize(), out.canonicalize())
        && a == b
    {
        return Err(t.cli_backup_onto_itself().into());
    }
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // VACUUM INTO writes a fresh file; give it a free name next to the
    // target and rename it into place once it is complete.
    let staging = tempfile::Builder::new()
        .prefix(".rembuk-backup-")
        .tempfile_in(&dir)
        .map_err(|e| {
            fill(
                t.cli_cannot_write_in(),
                &[
                    ("folder", &dir.display().to_string()),
                    ("error", &e.to_string()),
                ],
            )
        })?
        .into_temp_path();
    let staging_path = staging.to_path_buf();
    std::fs::remove_file(&staging_path).map_err(|e| cannot_write(&staging_path, &e, lang))?;
    let store = rembuk_service::storage::Store::connect(url)
        .await
        .map_err(|e| cannot_open(url, &e, lang))?;
    let copied = store.backup_to(&staging_path).await;
    store.close().await;
    copied.map_err(|e| fill(t.cli_backup_failed(), &[("error", &e.message(lang))]))?;
    std::fs::File::open(&staging_path)
        .and_then(|f| f.sync_all())
        .and_then(|()| std::fs::rename(&staging_path, out))
        .map_err(|e| cannot_write(out, &e, lang))?;
    // Renamed away: nothing left for the guard to remove.
    let _ = staging.keep();
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "{}",
        fill(
            t.cli_backed_up(),
            &[
                ("database", &db_path.display().to_string()),
                ("path", &out.display().to_string()),
                ("size", &lang.count(bytes)),
            ]
        )
    );
    Ok(())
}

/// Writes next to the target and renames, so that an interrupted export
/// never leaves half a document where the last good one was.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
