//! The command line: its words (clap), and the commands, each in a
//! module of its own. Everything it says is in the terminal's language
//! ([`crate::venue::terminal_lang`]).

mod accounts;
mod files;
mod help;
mod import;
mod purge;
mod serve;

use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use rembuk_domain::{Lang, WorkshopId, i18n::fill};
use rembuk_service::{ServiceConfig, Services};

use crate::config::{DATABASE_FILE, DEFAULT_SITE_ROOT, default_data_dir, redact_url, sqlite_url};

// The help of every command and argument is in locales/*.toml ([help]),
// put on the tree by `help::localized` in the terminal's language.

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
    let raw = help::help_word(std::env::args_os().collect());
    let words: Vec<String> = raw.iter().map(|w| w.to_string_lossy().into()).collect();
    let parsed = help::localized(Cli::command(), lang)
        .try_get_matches_from(&raw)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => match help::mistake(&e, &words, lang) {
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
        Command::Serve(args) => serve::serve(args, lang).await,
        Command::User {
            command: UserCommand::Add { email, role, db },
        } => accounts::add_user(&db.url(), &email, &role, lang).await,
        Command::Export(args) => files::export(args, lang).await,
        Command::Backup(args) => files::backup(args, lang).await,
        Command::Purge(args) => purge::purge(args, lang).await,
        Command::Import(args) => import::import(args, lang).await,
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
