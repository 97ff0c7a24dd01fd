//! The command line.

use std::{io::Read, net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

use clap::{Args, Parser, Subcommand};
use rembuk_domain::{Lang, SessionId, WorkshopId};
use rembuk_report::{Format, file_name, render};
use rembuk_service::{Caller, Rate, RateLimits, ServiceConfig, Services};

use crate::config::{
    Config, DATABASE_FILE, DEFAULT_BIND, DEFAULT_SITE_ROOT, default_data_dir, redact_url,
    sqlite_url,
};

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
    /// Bring workshops home from a venue laptop: import them from its
    /// database file or a `rembuk backup` of it (the file is not changed).
    /// Importing the same file again changes nothing; a newer copy brings
    /// this database up to date.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The SQLite file to import from: a `rembuk backup` file or a venue
    /// laptop's rembuk.db.
    #[arg(long)]
    from: PathBuf,
    /// Import only this workshop (its id); without it, every workshop in
    /// the file.
    #[arg(long)]
    workshop: Option<String>,
    /// Show what the import would change, change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Overwrite this database's copy of a workshop even where it has
    /// changes the file lacks (those changes are lost).
    #[arg(long)]
    replace: bool,
    #[command(flatten)]
    db: DatabaseArgs,
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

/// `rembuk` without a command: `serve`'s arguments with their defaults
/// and variables.
#[derive(Debug, Parser)]
struct BareServe {
    #[command(flatten)]
    args: ServeArgs,
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
    /// Venue mode, for a hall without internet: serve phones on this
    /// laptop's local network (its hotspot or the hall's router), put its
    /// LAN address in join links and QR codes, print the join address and
    /// a QR code here, and open the facilitator's page. Listens on port
    /// 3000 of every interface (the next free port if taken) unless
    /// --bind says otherwise. Starting the Windows build by double-click
    /// does this.
    #[arg(long)]
    venue: bool,
    /// In venue mode, the address to give phones instead of the one
    /// chosen (the laptop's other addresses are listed at start).
    #[arg(long, requires = "venue")]
    lan_address: Option<std::net::Ipv4Addr>,
    /// In venue mode, do not open the browser.
    #[arg(long)]
    no_browser: bool,
}

/// Where the data lives. First of: `--database-url`, `--data-dir`, the
/// `DATABASE_URL` variable, the `REMBUK_DATA_DIR` variable, the user's
/// data folder.
#[derive(Debug, Default, Args)]
struct DatabaseArgs {
    /// Database: sqlite://PATH (created if missing) or postgres://…
    /// [env: DATABASE_URL].
    #[arg(long)]
    database_url: Option<String>,
    /// Folder of the SQLite database (rembuk.db, created if missing)
    /// [env: REMBUK_DATA_DIR; default: the user's data folder, e.g.
    /// ~/.local/share/rembuk or %LOCALAPPDATA%\Rembuk].
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

impl DatabaseArgs {
    /// The database URL these arguments and the environment name.
    fn url(&self) -> String {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let from_dir = |dir: PathBuf| sqlite_url(&dir.join(DATABASE_FILE));
        if let Some(url) = self.database_url.as_ref().filter(|u| !u.trim().is_empty()) {
            return url.trim().to_string();
        }
        if let Some(dir) = self.data_dir.clone().filter(|d| !d.as_os_str().is_empty()) {
            return from_dir(dir);
        }
        if let Some(url) = env("DATABASE_URL") {
            return url.trim().to_string();
        }
        if let Some(dir) = env("REMBUK_DATA_DIR") {
            return from_dir(PathBuf::from(dir));
        }
        from_dir(default_data_dir(std::env::consts::OS, env))
    }
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
    // Without a command: serve, with every default and variable honoured;
    // a double-clicked Windows binary serves the venue.
    let bare = cli.command.is_none();
    let command = cli.command.unwrap_or_else(|| {
        let words: &[&str] = if cfg!(windows) {
            &["rembuk", "--venue"]
        } else {
            &["rembuk"]
        };
        Command::Serve(BareServe::parse_from(words).args)
    });
    let result = match command {
        Command::Serve(args) => serve(args).await,
        Command::User {
            command: UserCommand::Add { email, role, db },
        } => add_user(&db.url(), &email, &role).await,
        Command::Export(args) => export(args).await,
        Command::Backup(args) => backup(args).await,
        Command::Purge(args) => purge(args).await,
        Command::Import(args) => import(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("rembuk: {message}");
            if bare && cfg!(windows) {
                // A double-clicked console closes at once; keep the
                // message on screen until it has been read.
                let lang = crate::venue::terminal_lang(|n| std::env::var(n).ok());
                eprintln!("{}", lang.t().venue_press_enter());
                let _ = std::io::stdin().read_line(&mut String::new());
            }
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_env("REMBUK_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let _ = fmt().with_env_filter(filter).with_target(false).try_init();
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let bind = match args.bind {
        Some(bind) => Some(bind),
        None => match std::env::var("REMBUK_BIND").or_else(|_| std::env::var("LEPTOS_SITE_ADDR")) {
            Ok(raw) => Some(raw.parse().map_err(|_| {
                format!("invalid address to listen on: {raw:?} (expected e.g. 127.0.0.1:3000)")
            })?),
            Err(_) => None,
        },
    };
    let database_url = args.db.url();
    let site_root = if args.site_root.as_os_str().is_empty() {
        PathBuf::from(DEFAULT_SITE_ROOT)
    } else {
        args.site_root
    };
    let mut config = Config {
        bind: bind.unwrap_or(DEFAULT_BIND),
        database_url,
        public_url: args.public_url.filter(|u| !u.trim().is_empty()),
        site_root,
        staff_session_ttl: Duration::from_secs(args.session_hours.clamp(1, 24 * 30) * 3600),
        rate_limits: rate_limits(
            args.participant_writes_per_minute,
            args.session_writes_per_second,
        ),
        trusted_proxies: crate::proxy::TrustedProxies(args.trusted_proxies),
        setup_from: Default::default(),
    };
    if !crate::site::EMBEDDED && !config.site_root.join("pkg").is_dir() {
        tracing::warn!(
            site_root = %config.site_root.display(),
            "no built site found: pages will render but will not hydrate; run `scripts/build-site` first"
        );
    }
    if !args.venue {
        return crate::serve(config).await;
    }

    // Venue mode.
    let lang = crate::venue::terminal_lang(|n| std::env::var(n).ok());
    let found = local_ip_address::list_afinet_netifas().unwrap_or_default();
    // Phones on the network reach the app from the moment it starts: only
    // the laptop itself (any of its addresses) may create the first
    // administrator.
    config.setup_from =
        rembuk_service::SetupFrom::ThisComputer(found.iter().map(|(_, ip)| *ip).collect());
    let mut addresses = crate::venue::lan_addresses(&found);
    let chosen = match args.lan_address {
        Some(ip) => {
            if !addresses.iter().any(|a| a.ip == ip) {
                let t = lang.t();
                eprintln!(
                    "{}",
                    rembuk_domain::i18n::fill(
                        t.venue_unknown_address(),
                        &[("address", &ip.to_string())]
                    )
                );
            }
            addresses.retain(|a| a.ip != ip);
            Some(ip)
        }
        None if addresses.is_empty() => None,
        None => Some(addresses.remove(0).ip),
    };
    let (listener, moved_port) = bind_venue(bind).await?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let base = match (&config.public_url, chosen) {
        (Some(url), _) => url.trim_end_matches('/').to_string(),
        (None, Some(ip)) => origin(&ip.to_string(), port),
        (None, None) => origin("127.0.0.1", port),
    };
    let reachable = config.public_url.is_some() || chosen.is_some();
    if chosen.is_some() && config.public_url.is_none() {
        config.public_url = Some(base.clone());
    }
    let data = rembuk_service::storage::sqlite_path(&config.database_url);
    let open = !args.no_browser;
    crate::serve_on(config, listener, move |_| {
        let banner = crate::venue::Banner {
            lang,
            base: &base,
            reachable,
            others: &addresses,
            port,
            data: data.as_deref(),
            firewall: crate::venue::Firewall::detect(),
            moved_port,
        };
        println!("{}", banner.render());
        if open && !crate::venue::open_browser(&format!("{base}/admin")) {
            println!("{}", lang.t().venue_open_yourself());
        }
    })
    .await
}

/// `http://host:port`, without the port when it is HTTP's own.
fn origin(host: &str, port: u16) -> String {
    if port == 80 {
        format!("http://{host}")
    } else {
        format!("http://{host}:{port}")
    }
}

/// The venue's listener: the address asked for, else port 3000 of every
/// interface or, when another program holds it, the next free port up to
/// 3019. Returns the port moved from, if it moved.
async fn bind_venue(
    bind: Option<SocketAddr>,
) -> Result<(tokio::net::TcpListener, Option<(u16, u16)>), String> {
    use tokio::net::TcpListener;
    if let Some(bind) = bind {
        let listener = TcpListener::bind(bind)
            .await
            .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
        return Ok((listener, None));
    }
    const WANTED: u16 = 3000;
    let mut last_error = None;
    for port in WANTED..WANTED + 20 {
        match TcpListener::bind(SocketAddr::from(([0, 0, 0, 0], port))).await {
            Ok(listener) => return Ok((listener, (port != WANTED).then_some((WANTED, port)))),
            Err(e) => last_error = Some(e),
        }
    }
    Err(format!(
        "cannot listen on ports {WANTED}-{}: {}",
        WANTED + 19,
        last_error.map(|e| e.to_string()).unwrap_or_default()
    ))
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
    let services = open_services(&args.db.url()).await?;
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
    let url = args.db.url();
    let url = url.as_str();
    let Some(db_path) = rembuk_service::storage::sqlite_path(url) else {
        return Err(format!(
            "{} is not a SQLite database: back PostgreSQL up with its own tools (pg_dump)",
            redact_url(url)
        ));
    };
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
    let services = open_services(&args.db.url()).await?;
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

async fn import(args: ImportArgs) -> Result<(), String> {
    let workshop = match &args.workshop {
        Some(w) => Some(
            w.trim()
                .parse::<WorkshopId>()
                .map_err(|_| format!("{w:?} is not a workshop id"))?,
        ),
        None => None,
    };
    if !args.from.is_file() {
        return Err(format!("there is no file at {}", args.from.display()));
    }
    let url = args.db.url();
    if let Some(db_path) = rembuk_service::storage::sqlite_path(&url)
        && let (Ok(a), Ok(b)) = (db_path.canonicalize(), args.from.canonicalize())
        && a == b
    {
        return Err("the file to import from is this database itself".into());
    }
    let services = open_services(&url).await?;
    let options = rembuk_service::ImportOptions {
        workshop,
        dry_run: args.dry_run,
        replace: args.replace,
    };
    let result = services
        .import_from(&Caller::system(), &args.from, &options)
        .await;
    services.store().close().await;
    let imported = result.map_err(|e| e.to_string())?;
    print!("{}", import_summary(&imported));
    Ok(())
}

/// What `rembuk import` tells the secretariat.
fn import_summary(imported: &rembuk_service::Imported) -> String {
    use std::fmt::Write;
    let t = &imported.transfer;
    let mut out = String::new();
    if t.dry_run {
        out.push_str("dry run: nothing was written\n");
    }
    if imported.upgraded {
        let _ = writeln!(
            out,
            "the file has an older schema (version {}): read from an upgraded copy",
            imported.source_version
        );
    }
    // "1 vote", "2 votes", "1 audit entry".
    let noun = |kind: &str, n: u64| match (n, kind.strip_suffix("ies")) {
        (1, Some(stem)) => format!("1 {stem}y"),
        (1, None) => format!("1 {}", kind.strip_suffix('s').unwrap_or(kind)),
        _ => format!("{n} {kind}"),
    };
    // The kinds the first line counts (the rest appear when they change).
    const HEADLINE: [&str; 12] = [
        "sessions",
        "questions",
        "participants",
        "cards",
        "votes",
        "paper votes",
        "merges",
        "USG ratings",
        "idea ratings",
        "roll-up clusters",
        "events",
        "audit entries",
    ];
    for w in &t.workshops {
        let list = |pick: fn(&rembuk_service::KindCount) -> u64, headline: bool| {
            w.counts
                .iter()
                .filter(|c| c.kind != "workshop" && pick(c) > 0)
                .filter(|c| !headline || HEADLINE.contains(&c.kind))
                .map(|c| noun(c.kind, pick(c)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let counts = |pick| list(pick, false);
        let total = list(rembuk_service::KindCount::in_source, true);
        let verb = match (t.dry_run, w.new, w.changed()) {
            (_, _, false) => "workshop",
            (false, true, true) => "imported workshop",
            (false, false, true) => "updated workshop",
            (true, true, true) => "would import workshop",
            (true, false, true) => "would update workshop",
        };
        let _ = write!(out, "{verb} {} {:?}: {total}", w.id, w.title);
        if !w.changed() {
            out.push_str(" (already up to date: nothing new)\n");
            continue;
        }
        out.push('\n');
        for (label, these) in [
            ("added", counts(|c| c.added)),
            ("updated", counts(|c| c.updated)),
            ("removed (not in the file)", counts(|c| c.removed)),
        ] {
            if !these.is_empty() {
                let _ = writeln!(out, "  {label}: {these}");
            }
        }
        let kept = counts(|c| c.kept);
        if !kept.is_empty() {
            let _ = writeln!(out, "  kept (only here): {kept}");
        }
        for lost in &w.overridden {
            let _ = writeln!(out, "  replaced (--replace): {lost}");
        }
        for c in &w.new_join_codes {
            let _ = writeln!(
                out,
                "  session {:?}: join code {} is taken here, its code is now {}",
                c.title, c.was, c.now
            );
        }
    }
    for u in &t.created_users {
        match &u.was {
            Some(was) => {
                let _ = writeln!(
                    out,
                    "created staff account {} ({}; {was} on the venue laptop, not here)",
                    u.email, u.role
                );
            }
            None => {
                let _ = writeln!(out, "created staff account {} ({})", u.email, u.role);
            }
        }
    }
    out
}
