//! The command line.

use std::{io::Read, net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use rembuk_domain::{Lang, SessionId, WorkshopId, i18n::fill};
use rembuk_report::{Format, file_name, render};
use rembuk_service::{Caller, Rate, RateLimits, ServiceConfig, Services};

use crate::config::{
    Config, DATABASE_FILE, DEFAULT_BIND, DEFAULT_SITE_ROOT, default_data_dir, redact_url,
    sqlite_url,
};

// The help of every command and argument is in locales/*.toml ([help]),
// put on the tree by `cli_help::localized` in the terminal's language.

#[derive(Debug, Parser)]
#[command(name = "rembuk", version)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    Serve(ServeArgs),
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    Export(ExportArgs),
    Backup(BackupArgs),
    Purge(PurgeArgs),
    Import(ImportArgs),
}

#[derive(Debug, Args)]
struct ImportArgs {
    #[arg(long)]
    from: PathBuf,
    #[arg(long)]
    workshop: Option<String>,
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    replace: bool,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(Debug, Args)]
struct PurgeArgs {
    #[arg(long)]
    workshop: Option<String>,
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(Debug, Args)]
struct BackupArgs {
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(Debug, Args)]
struct ExportArgs {
    #[arg(long, required_unless_present = "session", conflicts_with = "session")]
    workshop: Option<String>,
    #[arg(long)]
    session: Option<String>,
    #[arg(long, default_value = "docx")]
    format: String,
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    db: DatabaseArgs,
}

// `rembuk` without a command: `serve`'s arguments with their defaults
// and variables.
#[derive(Debug, Parser)]
struct BareServe {
    #[command(flatten)]
    args: ServeArgs,
}

#[derive(Debug, Default, Args)]
struct ServeArgs {
    #[arg(long)]
    bind: Option<SocketAddr>,
    #[command(flatten)]
    db: DatabaseArgs,
    #[arg(long, env = "REMBUK_PUBLIC_URL")]
    public_url: Option<String>,
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = DEFAULT_SITE_ROOT)]
    site_root: PathBuf,
    #[arg(long, env = "REMBUK_SESSION_HOURS", default_value_t = 12)]
    session_hours: u64,
    #[arg(
        long,
        env = "REMBUK_PARTICIPANT_WRITES_PER_MINUTE",
        default_value_t = 300
    )]
    participant_writes_per_minute: u32,
    #[arg(long, env = "REMBUK_SESSION_WRITES_PER_SECOND", default_value_t = 5000)]
    session_writes_per_second: u32,
    #[arg(
        long = "trusted-proxy",
        env = "REMBUK_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<crate::proxy::Cidr>,
    #[arg(long)]
    venue: bool,
    #[arg(long, requires = "venue")]
    lan_address: Option<std::net::Ipv4Addr>,
    #[arg(long)]
    no_browser: bool,
}

// Where the data lives. First of: `--database-url`, `--data-dir`, the
// `DATABASE_URL` variable, the `REMBUK_DATA_DIR` variable, the user's
// data folder.
#[derive(Debug, Default, Args)]
struct DatabaseArgs {
    #[arg(long)]
    database_url: Option<String>,
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
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

/// Runs the command line.
pub async fn main() -> ExitCode {
    // Help and messages are in the terminal's language.
    let lang = crate::venue::terminal_lang(|n| std::env::var(n).ok());
    // As the system gives them: a path need not be valid UTF-8.
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let words: Vec<String> = raw.iter().map(|w| w.to_string_lossy().into()).collect();
    let parsed = crate::cli_help::localized(Cli::command(), lang)
        .try_get_matches_from(&raw)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => match crate::cli_help::mistake(&e, &words, lang) {
            Some(said) => {
                eprintln!("rembuk: {said}");
                return ExitCode::from(2);
            }
            None => e.exit(),
        },
    };
    // A one-shot command's standard output is its result (an export with
    // `--out -`, a summary scripts read): its log goes to standard error.
    let serving = matches!(cli.command, None | Some(Command::Serve(_)));
    init_tracing(serving);
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
        Command::Serve(args) => serve(args, lang).await,
        Command::User {
            command: UserCommand::Add { email, role, db },
        } => add_user(&db.url(), &email, &role, lang).await,
        Command::Export(args) => export(args, lang).await,
        Command::Backup(args) => backup(args, lang).await,
        Command::Purge(args) => purge(args, lang).await,
        Command::Import(args) => import(args, lang).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("rembuk: {message}");
            if bare && cfg!(windows) {
                // A double-clicked console closes at once; keep the
                // message on screen until it has been read.
                eprintln!("{}", lang.t().venue_press_enter());
                let _ = std::io::stdin().read_line(&mut String::new());
            }
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(serving: bool) {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_env("REMBUK_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let log = fmt().with_env_filter(filter).with_target(false);
    let _ = if serving {
        log.try_init()
    } else {
        log.with_writer(std::io::stderr).try_init()
    };
}

async fn serve(args: ServeArgs, lang: Lang) -> Result<(), String> {
    let t = lang.t();
    let bind = match args.bind {
        Some(bind) => Some(bind),
        None => match std::env::var("REMBUK_BIND").or_else(|_| std::env::var("LEPTOS_SITE_ADDR")) {
            Ok(raw) => Some(
                raw.parse()
                    .map_err(|_| fill(t.cli_bad_bind(), &[("value", &format!("{raw:?}"))]))?,
            ),
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
        return crate::serve(config).await.map_err(|e| e.message(lang));
    }

    // Venue mode.
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
                eprintln!(
                    "{}",
                    fill(t.venue_unknown_address(), &[("address", &ip.to_string())])
                );
            }
            addresses.retain(|a| a.ip != ip);
            Some(ip)
        }
        None if addresses.is_empty() => None,
        None => Some(addresses.remove(0).ip),
    };
    let (listener, moved_port) = bind_venue(bind, lang).await?;
    let port = match listener.local_addr() {
        Ok(address) => address.port(),
        Err(e) => return Err(crate::StartError::Listen(config.bind, e).message(lang)),
    };
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
    .map_err(|e| e.message(lang))
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
    lang: Lang,
) -> Result<(tokio::net::TcpListener, Option<(u16, u16)>), String> {
    use tokio::net::TcpListener;
    let t = lang.t();
    if let Some(bind) = bind {
        let listener = TcpListener::bind(bind).await.map_err(|e| {
            fill(
                t.cli_cannot_listen(),
                &[("address", &bind.to_string()), ("error", &e.to_string())],
            )
        })?;
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
    Err(fill(
        t.cli_cannot_listen_ports(),
        &[
            ("first", &WANTED.to_string()),
            ("last", &(WANTED + 19).to_string()),
            (
                "error",
                &last_error.map(|e| e.to_string()).unwrap_or_default(),
            ),
        ],
    ))
}

/// The services on a database, for a command that runs and ends.
async fn open_services(database_url: &str, lang: Lang) -> Result<Services, String> {
    Services::start(database_url, ServiceConfig::default())
        .await
        .map_err(|e| cannot_open(database_url, &e, lang))
}

fn cannot_open(
    database_url: &str,
    e: &rembuk_service::storage::StorageError,
    lang: Lang,
) -> String {
    fill(
        lang.t().cli_cannot_open_database(),
        &[
            ("url", &redact_url(database_url)),
            ("error", &e.message(lang)),
        ],
    )
}

async fn add_user(database_url: &str, email: &str, role: &str, lang: Lang) -> Result<(), String> {
    let t = lang.t();
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .map_err(|e| fill(t.cli_cannot_read_password(), &[("error", &e.to_string())]))?;
    let password = password.lines().next().unwrap_or_default().to_string();
    let services = open_services(database_url, lang).await?;
    let user = services
        .add_user(&Caller::system(), email, role, &password)
        .await
        .map_err(|e| e.message(lang))?;
    // The role as it is typed on the command line.
    println!(
        "{}",
        fill(
            t.cli_user_added(),
            &[("email", &user.email), ("role", user.role.as_str())]
        )
    );
    services.store().close().await;
    Ok(())
}

async fn export(args: ExportArgs, lang: Lang) -> Result<(), String> {
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
                ("size", &size(rendered.bytes.len() as u64, lang)),
                ("format", format.as_str()),
            ]
        )
    );
    Ok(())
}

/// `value is not a … id`, with the value quoted.
fn not_an_id(template: &str, value: &str) -> String {
    fill(template, &[("value", &format!("{value:?}"))])
}

fn parse_workshop(value: &str, lang: Lang) -> Result<WorkshopId, String> {
    value
        .trim()
        .parse()
        .map_err(|_| not_an_id(lang.t().cli_not_a_workshop_id(), value))
}

fn cannot_write(path: &std::path::Path, e: &std::io::Error, lang: Lang) -> String {
    fill(
        lang.t().cli_cannot_write(),
        &[
            ("path", &path.display().to_string()),
            ("error", &e.to_string()),
        ],
    )
}

/// A number of bytes in the language's digit grouping.
fn size(bytes: u64, lang: Lang) -> String {
    lang.number(i64::try_from(bytes).unwrap_or(i64::MAX))
}

async fn backup(args: BackupArgs, lang: Lang) -> Result<(), String> {
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
                ("size", &size(bytes, lang)),
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

async fn purge(args: PurgeArgs, lang: Lang) -> Result<(), String> {
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

async fn import(args: ImportArgs, lang: Lang) -> Result<(), String> {
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
    print!("{}", crate::import_summary::render(&imported, lang));
    Ok(())
}
