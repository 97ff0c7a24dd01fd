//! The command line.

use std::{io::Read, net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

use clap::{Args, Parser, Subcommand};
use rembuk_domain::{Lang, SessionId, WorkshopId};
use rembuk_report::{Format, file_name, render};
use rembuk_service::{Caller, Rate, RateLimits, ServiceConfig, Services};

use crate::config::{Config, DEFAULT_BIND, DEFAULT_DATABASE_URL, DEFAULT_SITE_ROOT, redact_url};

/// Rembuk: live focus group discussions for a regency's smart city master plan.
#[derive(Debug, Parser)]
#[command(name = "rembuk", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the app (the default when no command is given).
    Serve(ServeArgs),
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Export the draft plan input of a workshop (or one session) to a file.
    Export(ExportArgs),
    /// Copy the SQLite database to a file, consistently, while the server
    /// keeps running.
    Backup(BackupArgs),
    /// Remove participants' personal data (names, device links) of
    /// workshops whose retention date has passed. Cards, votes and results
    /// stay.
    Purge(PurgeArgs),
}

#[derive(Debug, Args)]
struct PurgeArgs {
    /// Purge only this workshop (its retention date must have passed);
    /// without it, every workshop that is due.
    #[arg(long)]
    workshop: Option<String>,
    /// List what would be purged, change nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(Debug, Args)]
struct BackupArgs {
    /// The backup file to write (an older backup there is replaced only
    /// once the new one is complete).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// The workshop to export (its id, as in the address of its page).
    #[arg(long, required_unless_present = "session", conflicts_with = "session")]
    workshop: Option<String>,
    /// Export one session instead of the whole workshop.
    #[arg(long)]
    session: Option<String>,
    /// json, md, docx, xlsx, csv or html.
    #[arg(long, default_value = "docx")]
    format: String,
    /// Where to write it; `-` for standard output. Defaults to a name made
    /// of the workshop's title and today's date, in the current folder.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(Debug, Default, Args)]
struct ServeArgs {
    /// Address to listen on [env: REMBUK_BIND, else LEPTOS_SITE_ADDR; default 127.0.0.1:3000].
    #[arg(long)]
    bind: Option<SocketAddr>,
    #[command(flatten)]
    db: DatabaseArgs,
    /// The address people reach the app at, used in join links and QR codes
    /// (e.g. https://rembuk.example.go.id). Defaults to the address the
    /// facilitator's browser used.
    #[arg(long, env = "REMBUK_PUBLIC_URL")]
    public_url: Option<String>,
    /// Folder of the built site (WASM, JS, CSS).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = DEFAULT_SITE_ROOT)]
    site_root: PathBuf,
    /// Hours a staff login lasts.
    #[arg(long, env = "REMBUK_SESSION_HOURS", default_value_t = 12)]
    session_hours: u64,
    /// Cards, dots and ratings one participant may send per minute (after
    /// a burst of 60); more get 429 with the seconds to wait.
    #[arg(
        long,
        env = "REMBUK_PARTICIPANT_WRITES_PER_MINUTE",
        default_value_t = 300
    )]
    participant_writes_per_minute: u32,
    /// Writes of all participants of one session per second (after a burst
    /// of twice that); keeps one session from starving others.
    #[arg(long, env = "REMBUK_SESSION_WRITES_PER_SECOND", default_value_t = 5000)]
    session_writes_per_second: u32,
    /// Reverse proxy (address or range, e.g. 10.0.0.0/8; repeat or separate
    /// with commas) whose X-Forwarded-For header names the client. Only
    /// then do per-address limits see phones rather than the proxy.
    #[arg(
        long = "trusted-proxy",
        env = "REMBUK_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<crate::proxy::Cidr>,
}

#[derive(Debug, Default, Args)]
struct DatabaseArgs {
    /// Database: sqlite://PATH (created if missing) or postgres://….
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database_url: String,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a staff account; the password is read from standard input.
    Add {
        /// The account's email address (its login).
        #[arg(long)]
        email: String,
        /// facilitator, secretariat or admin.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

/// Runs the command line.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let result = match cli.command {
        None => {
            serve(ServeArgs {
                db: DatabaseArgs {
                    database_url: env_or_default(),
                },
                ..Default::default()
            })
            .await
        }
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::User {
            command: UserCommand::Add { email, role, db },
        }) => add_user(&db.database_url, &email, &role).await,
        Some(Command::Export(args)) => export(args).await,
        Some(Command::Backup(args)) => backup(args).await,
        Some(Command::Purge(args)) => purge(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("rembuk: {message}");
            ExitCode::FAILURE
        }
    }
}

fn env_or_default() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_string())
}

fn init_tracing() {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_env("REMBUK_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let _ = fmt().with_env_filter(filter).with_target(false).try_init();
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let bind = match args.bind {
        Some(bind) => bind,
        None => {
            let raw = std::env::var("REMBUK_BIND")
                .or_else(|_| std::env::var("LEPTOS_SITE_ADDR"))
                .unwrap_or_else(|_| DEFAULT_BIND.to_string());
            raw.parse().map_err(|_| {
                format!("invalid address to listen on: {raw:?} (expected e.g. 127.0.0.1:3000)")
            })?
        }
    };
    let database_url = if args.db.database_url.is_empty() {
        DEFAULT_DATABASE_URL.to_string()
    } else {
        args.db.database_url
    };
    let site_root = if args.site_root.as_os_str().is_empty() {
        PathBuf::from(DEFAULT_SITE_ROOT)
    } else {
        args.site_root
    };
    let config = Config {
        bind,
        database_url,
        public_url: args.public_url.filter(|u| !u.trim().is_empty()),
        site_root,
        staff_session_ttl: Duration::from_secs(args.session_hours.clamp(1, 24 * 30) * 3600),
        rate_limits: rate_limits(
            args.participant_writes_per_minute,
            args.session_writes_per_second,
        ),
        trusted_proxies: crate::proxy::TrustedProxies(args.trusted_proxies),
    };
    if !config.site_root.join("pkg").is_dir() {
        tracing::warn!(
            site_root = %config.site_root.display(),
            "no built site found: pages will render but will not hydrate; run `cargo leptos build --release` first"
        );
    }
    crate::serve(config).await
}

/// The services on a database, for a command that runs and ends.
async fn open_services(database_url: &str) -> Result<Services, String> {
    Services::start(database_url, ServiceConfig::default())
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", redact_url(database_url)))
}

async fn add_user(database_url: &str, email: &str, role: &str) -> Result<(), String> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = password.lines().next().unwrap_or_default().to_string();
    let services = open_services(database_url).await?;
    let user = services
        .add_user(&Caller::system(), email, role, &password)
        .await
        .map_err(|e| e.message(Lang::En))?;
    println!("added {} ({})", user.email, user.role.as_str());
    services.store().close().await;
    Ok(())
}

async fn export(args: ExportArgs) -> Result<(), String> {
    let format: Format = args.format.parse().map_err(|_| {
        format!(
            "unknown format {:?}: use one of {}",
            args.format,
            Format::ALL.map(Format::as_str).join(", ")
        )
    })?;
    let services = open_services(&args.db.database_url).await?;
    let caller = Caller::system();
    let report = match (&args.workshop, &args.session) {
        (_, Some(session)) => {
            let id = session
                .trim()
                .parse::<SessionId>()
                .map_err(|_| format!("{session:?} is not a session id"))?;
            services.session_report(&caller, id).await
        }
        (Some(workshop), None) => {
            let id = workshop
                .trim()
                .parse::<WorkshopId>()
                .map_err(|_| format!("{workshop:?} is not a workshop id"))?;
            services.workshop_report(&caller, id).await
        }
        (None, None) => return Err("say which --workshop (or --session) to export".into()),
    }
    .map_err(|e| e.message(Lang::En))?;
    services.store().close().await;
    let rendered = render(&report, format).map_err(|e| e.to_string())?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(file_name(&report, format)));
    if out.as_os_str() == "-" {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(&rendered.bytes)
            .and_then(|()| stdout.flush())
            .map_err(|e| format!("cannot write to standard output: {e}"));
    }
    write_atomically(&out, &rendered.bytes)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!(
        "wrote {} ({} bytes, {})",
        out.display(),
        rendered.bytes.len(),
        format.as_str()
    );
    Ok(())
}

async fn backup(args: BackupArgs) -> Result<(), String> {
    let url = args.db.database_url.trim();
    let Some(db_path) = rembuk_service::storage::sqlite_file(url) else {
        return Err(format!(
            "{} is not a SQLite database: back PostgreSQL up with its own tools (pg_dump)",
            redact_url(url)
        ));
    };
    let db_path = PathBuf::from(db_path);
    if !db_path.is_file() {
        return Err(format!("there is no database at {}", db_path.display()));
    }
    let out = &args.out;
    if let (Ok(a), Ok(b)) = (db_path.canonicalize(), out.canonicalize())
        && a == b
    {
        return Err("the backup cannot overwrite the database itself".into());
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
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?
        .into_temp_path();
    let staging_path = staging.to_path_buf();
    std::fs::remove_file(&staging_path).map_err(|e| e.to_string())?;
    let store = rembuk_service::storage::Store::connect(url)
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", redact_url(url)))?;
    let copied = store.backup_to(&staging_path).await;
    store.close().await;
    copied.map_err(|e| format!("the backup failed: {e}"))?;
    std::fs::File::open(&staging_path)
        .and_then(|f| f.sync_all())
        .and_then(|()| std::fs::rename(&staging_path, out))
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    // Renamed away: nothing left for the guard to remove.
    let _ = staging.keep();
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "backed up {} to {} ({size} bytes)",
        db_path.display(),
        out.display()
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

/// The write limits from the command line; zero means "the default".
fn rate_limits(participant_per_minute: u32, session_per_second: u32) -> RateLimits {
    let mut limits = RateLimits::default();
    if participant_per_minute > 0 {
        limits.participant.per_second = f64::from(participant_per_minute) / 60.0;
    }
    if session_per_second > 0 {
        limits.session = Rate {
            burst: session_per_second.saturating_mul(2),
            per_second: f64::from(session_per_second),
        };
    }
    limits
}

async fn purge(args: PurgeArgs) -> Result<(), String> {
    let services = open_services(&args.db.database_url).await?;
    // The regency's calendar day (WIB).
    let today = rembuk_service::storage::now().date_at_offset(7 * 60);
    let caller = Caller::system();
    let result = match (&args.workshop, args.dry_run) {
        (Some(workshop), dry_run) => {
            let id = workshop
                .trim()
                .parse::<WorkshopId>()
                .map_err(|_| format!("{workshop:?} is not a workshop id"))?;
            if dry_run {
                services
                    .purge_preview(&caller, Some(id), today)
                    .await
                    .map(|w| report_preview(&w))
            } else {
                services
                    .purge_workshop(&caller, id, today)
                    .await
                    .map(|p| report_purged(&[p]))
            }
        }
        (None, true) => services
            .purge_preview(&caller, None, today)
            .await
            .map(|w| report_preview(&w)),
        (None, false) => services
            .purge_due(&caller, today)
            .await
            .map(|p| report_purged(&p)),
    };
    services.store().close().await;
    result.map_err(|e| e.message(Lang::En))
}

fn report_preview(due: &[(WorkshopId, String)]) {
    if due.is_empty() {
        println!("no workshop is past its retention date");
    }
    for (id, title) in due {
        println!("would purge {id} {title:?}");
    }
}

fn report_purged(done: &[rembuk_service::Purged]) {
    if done.is_empty() {
        println!("no workshop is past its retention date");
    }
    for p in done {
        println!(
            "purged {} {:?}: {} participants' names and device links removed",
            p.workshop, p.title, p.participants
        );
    }
}
