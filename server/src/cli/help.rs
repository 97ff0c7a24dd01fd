//! The command line's help in the terminal's language.
//!
//! clap writes `--help` from doc comments, in English, with its own English
//! words around them ("Usage", "Options", "Print help"). The help texts
//! live in `locales/*.toml` (`[help]`) instead, and [`localized`] puts
//! them, and the words around them, on the command tree before it parses.

use std::ffi::OsString;

use clap::{
    Arg, ArgAction, Command,
    error::{ContextKind, ContextValue, ErrorKind},
};
use rembuk_domain::{
    Lang,
    i18n::{Strings, fill},
};

/// `command` (the whole tree) with its help in `lang`.
pub fn localized(command: Command, lang: Lang) -> Command {
    let t = lang.t();
    let mut command = localize(command, t)
        // The built-in flags say "Print help" and "Print version": ours
        // say it in the terminal's language, on every command.
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .global(true)
                .help(t.help_help())
                .help_heading(t.help_options()),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(t.help_version())
                .help_heading(t.help_options()),
        );
    // Usage lines as clap makes them, with its placeholder in `lang`.
    command.build();
    translate_usage(&mut command, t);
    command
}

/// Sets each command's usage line to clap's, but says `[OPSI]` where clap
/// says `[OPTIONS]`. The tree must be built (its commands know their
/// full names).
fn translate_usage(command: &mut Command, t: &'static Strings) {
    let usage = command.render_usage().to_string();
    // clap's line starts with its own "Usage: ".
    let usage = usage.split_once(": ").map_or(usage.as_str(), |(_, u)| u);
    let usage = usage.replace("[OPTIONS]", &format!("[{}]", t.help_options_placeholder()));
    *command = command.clone().override_usage(usage);
    for sub in command.get_subcommands_mut() {
        translate_usage(sub, t);
    }
}

fn localize(mut command: Command, t: &'static Strings) -> Command {
    let name = command.get_name().to_string();
    if let Some(about) = text(t, &name, "") {
        command = command.about(about);
    }
    let ids: Vec<String> = command
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        command = command.mut_arg(&id, |arg| {
            let Some(help) = text(t, &name, &id) else {
                return arg;
            };
            let arg = arg.help_heading(t.help_options());
            if !arg.get_action().takes_values() {
                return arg.help(help);
            }
            // clap's "[env: X=] [default: Y]", in `t`'s words.
            let mut notes = Vec::new();
            if let Some(env) = arg.get_env() {
                notes.push(format!("env: {}", env.to_string_lossy()));
            }
            let defaults: Vec<_> = arg
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy())
                .collect();
            if !defaults.is_empty() {
                notes.push(format!("{}: {}", t.help_default(), defaults.join(", ")));
            }
            let help = if notes.is_empty() {
                help.to_string()
            } else {
                format!("{help} [{}]", notes.join("; "))
            };
            arg.help(help).hide_env(true).hide_default_value(true)
        });
    }
    command = command
        .help_template(format!(
            "{{about-with-newline}}\n{}: {{usage}}\n\n{{all-args}}{{after-help}}",
            t.help_usage()
        ))
        .subcommand_help_heading(t.help_commands())
        .subcommand_value_name(t.help_command())
        .disable_help_subcommand(true)
        .disable_help_flag(true);
    let subcommands: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for sub in subcommands {
        command = command.mut_subcommand(&sub, |c| localize(c, t));
    }
    command
}

/// `rembuk help [COMMAND…]` read as `rembuk [COMMAND…] --help`. clap's
/// own `help` command is off, as it cannot be translated; this keeps the
/// word working, in the terminal's language. (No command of the tree
/// takes a value where `help` could stand.)
pub fn help_word(mut words: Vec<OsString>) -> Vec<OsString> {
    if words.get(1).is_some_and(|word| word == "help") {
        words.remove(1);
        words.push("--help".into());
    }
    words
}

/// What is wrong with the words on the command line, in `lang`, and where
/// to look (`None`: clap's own output, for `--help` and `--version`).
pub fn mistake(error: &clap::Error, words: &[String], lang: Lang) -> Option<String> {
    let t = lang.t();
    let context = |kind| match error.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(list)) => list.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let (arg, value) = (
        context(ContextKind::InvalidArg),
        context(ContextKind::InvalidValue),
    );
    let said = match error.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => return None,
        ErrorKind::UnknownArgument => fill(t.help_unknown_argument(), &[("arg", &arg)]),
        ErrorKind::InvalidSubcommand => fill(
            t.help_unknown_command(),
            &[("command", &context(ContextKind::InvalidSubcommand))],
        ),
        ErrorKind::MissingRequiredArgument => fill(t.help_missing(), &[("args", &arg)]),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation if value.is_empty() => {
            fill(t.help_needs_value(), &[("arg", &arg)])
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => fill(
            t.help_invalid_value(),
            &[("value", &format!("{value:?}")), ("arg", &arg)],
        ),
        ErrorKind::ArgumentConflict => match context(ContextKind::PriorArg) {
            prior if prior == arg => fill(t.help_repeated(), &[("arg", &arg)]),
            prior => fill(t.help_conflict(), &[("arg", &arg), ("other", &prior)]),
        },
        ErrorKind::TooManyValues => fill(
            t.help_no_value(),
            &[("arg", &arg), ("value", &format!("{value:?}"))],
        ),
        _ => {
            // Rare mistakes: clap's name for them (English).
            let detail = error.kind().as_str().unwrap_or("?").to_string();
            fill(t.help_unreadable(), &[("detail", &detail)])
        }
    };
    // "rembuk import --help" when the words name a command.
    let mut path = vec!["rembuk".to_string()];
    let mut command = <crate::cli::Cli as clap::CommandFactory>::command();
    for word in words.iter().skip(1) {
        match command.find_subcommand(word) {
            Some(sub) => {
                path.push(word.clone());
                command = sub.clone();
            }
            None if word.starts_with('-') => continue,
            None => break,
        }
    }
    let see = fill(t.help_see_help(), &[("command", &path.join(" "))]);
    Some(format!("{said}\n{see}"))
}

/// The help of a command (`arg` empty) or of one of its arguments.
fn text(t: &'static Strings, command: &str, arg: &str) -> Option<&'static str> {
    Some(match (command, arg) {
        ("rembuk", "") => t.help_rembuk(),
        (_, "database_url") => t.help_database_url(),
        (_, "data_dir") => t.help_data_dir(),
        ("serve", "") => t.help_serve(),
        ("serve", "bind") => t.help_serve_bind(),
        ("serve", "public_url") => t.help_serve_public_url(),
        ("serve", "site_root") => t.help_serve_site_root(),
        ("serve", "session_hours") => t.help_serve_session_hours(),
        ("serve", "participant_writes_per_minute") => t.help_serve_participant_writes_per_minute(),
        ("serve", "session_writes_per_second") => t.help_serve_session_writes_per_second(),
        ("serve", "trusted_proxies") => t.help_serve_trusted_proxies(),
        ("serve", "venue") => t.help_serve_venue(),
        ("serve", "lan_address") => t.help_serve_lan_address(),
        ("serve", "no_browser") => t.help_serve_no_browser(),
        ("user", "") => t.help_user(),
        ("add", "") => t.help_add(),
        ("add", "email") => t.help_add_email(),
        ("add", "role") => t.help_add_role(),
        ("export", "") => t.help_export(),
        ("export", "workshop") => t.help_export_workshop(),
        ("export", "session") => t.help_export_session(),
        ("export", "format") => t.help_export_format(),
        ("export", "out") => t.help_export_out(),
        ("backup", "") => t.help_backup(),
        ("backup", "out") => t.help_backup_out(),
        ("purge", "") => t.help_purge(),
        ("purge", "workshop") => t.help_purge_workshop(),
        ("purge", "dry_run") => t.help_purge_dry_run(),
        ("import", "") => t.help_import(),
        ("import", "from") => t.help_import_from(),
        ("import", "workshop") => t.help_import_workshop(),
        ("import", "dry_run") => t.help_import_dry_run(),
        ("import", "replace") => t.help_import_replace(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;
    use crate::cli::Cli;

    /// Every command and argument of the tree, as (command, argument).
    fn walk(command: &Command, out: &mut Vec<(String, String)>) {
        let name = command.get_name().to_string();
        out.push((name.clone(), String::new()));
        for arg in command.get_arguments() {
            out.push((name.clone(), arg.get_id().to_string()));
        }
        for sub in command.get_subcommands() {
            walk(sub, out);
        }
    }

    #[test]
    fn every_command_and_argument_has_help_in_both_languages() {
        let mut all = Vec::new();
        walk(&Cli::command(), &mut all);
        assert!(all.len() > 30, "{all:?}");
        for lang in [Lang::Id, Lang::En] {
            for (command, arg) in &all {
                assert!(
                    text(lang.t(), command, arg).is_some(),
                    "no {lang} help for {command} {arg}"
                );
            }
            localized(Cli::command(), lang).debug_assert();
        }
    }

    #[test]
    fn the_help_speaks_indonesian_around_the_texts_too() {
        let mut command = localized(Cli::command(), Lang::Id);
        let top = command.render_help().to_string();
        assert!(
            top.starts_with("Rembuk: diskusi kelompok terfokus"),
            "{top}"
        );
        assert!(top.contains("Penggunaan: rembuk [PERINTAH]"), "{top}");
        assert!(top.contains("Perintah:\n  serve"), "{top}");
        assert!(top.contains("Tampilkan bantuan ini"), "{top}");
        for english in [
            "Usage",
            "Commands:",
            "Options:",
            "Print help",
            "help  Print",
        ] {
            assert!(!top.contains(english), "{english:?} in {top}");
        }
        let import = command
            .find_subcommand_mut("import")
            .unwrap()
            .render_help()
            .to_string();
        assert!(import.starts_with("Bawa pulang lokakarya"), "{import}");
        assert!(import.contains("Opsi:\n"), "{import}");
        assert!(
            import.contains("Penggunaan: rembuk import [OPSI] --from <FROM>\n"),
            "{import}"
        );
        assert!(import.contains("--replace"), "{import}");
        assert!(import.contains("Timpa salinan lokakarya"), "{import}");
        assert!(import.contains("Tampilkan bantuan ini"), "{import}");
        let serve = command
            .find_subcommand_mut("serve")
            .unwrap()
            .render_help()
            .to_string();
        assert!(
            serve.contains("Berapa jam login staf berlaku [env: REMBUK_SESSION_HOURS; bawaan: 12]"),
            "{serve}"
        );
        assert!(!serve.contains("default"), "{serve}");
    }

    fn mistake_in(words: &[&str], lang: Lang) -> String {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let error = localized(Cli::command(), lang)
            .try_get_matches_from(&words)
            .unwrap_err();
        mistake(&error, &words, lang).unwrap()
    }

    #[test]
    fn mistakes_on_the_command_line_are_said_in_the_terminals_language() {
        assert_eq!(
            mistake_in(&["rembuk", "import", "--form", "x.db"], Lang::Id),
            "argumen --form tidak dikenal\nLihat: rembuk import --help"
        );
        assert_eq!(
            mistake_in(&["rembuk", "imprt"], Lang::Id),
            "perintah imprt tidak dikenal\nLihat: rembuk --help"
        );
        assert_eq!(
            mistake_in(&["rembuk", "import"], Lang::En),
            "required but not given: --from <FROM>\nSee: rembuk import --help"
        );
        assert_eq!(
            mistake_in(&["rembuk", "serve", "--bind", "nowhere"], Lang::Id),
            "\"nowhere\" bukan nilai yang sah untuk --bind <BIND>\nLihat: rembuk serve --help"
        );
        assert_eq!(
            mistake_in(&["rembuk", "user", "add", "--role", "admin"], Lang::Id),
            "wajib diisi tetapi belum diberikan: --email <EMAIL>\nLihat: rembuk user add --help"
        );
        assert_eq!(
            mistake_in(&["rembuk", "serve", "--bind"], Lang::Id),
            "--bind <BIND> memerlukan sebuah nilai\nLihat: rembuk serve --help"
        );
        assert_eq!(
            mistake_in(
                &["rembuk", "export", "--workshop", "a", "--workshop", "b"],
                Lang::En
            ),
            "--workshop <WORKSHOP> is given more than once\nSee: rembuk export --help"
        );
        assert_eq!(
            mistake_in(
                &["rembuk", "import", "--dry-run=yes", "--from", "x"],
                Lang::Id
            ),
            "--dry-run tidak menerima nilai (diberikan: \"yes\")\nLihat: rembuk import --help"
        );
        // --help and --version are clap's to print.
        let words = ["rembuk".to_string(), "--version".to_string()];
        let error = localized(Cli::command(), Lang::Id)
            .try_get_matches_from(&words)
            .unwrap_err();
        assert_eq!(mistake(&error, &words, Lang::Id), None);
    }

    #[test]
    fn the_word_help_asks_for_the_help_of_the_commands_after_it() {
        let words = |w: &[&str]| w.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            help_word(words(&["rembuk", "help", "user", "add"])),
            words(&["rembuk", "user", "add", "--help"])
        );
        assert_eq!(
            help_word(words(&["rembuk", "help"])),
            words(&["rembuk", "--help"])
        );
        let unchanged = words(&["rembuk", "export", "--workshop", "help"]);
        assert_eq!(help_word(unchanged.clone()), unchanged);
        assert_eq!(help_word(words(&["rembuk"])), words(&["rembuk"]));

        let error = localized(Cli::command(), Lang::Id)
            .try_get_matches_from(help_word(words(&["rembuk", "help", "import"])))
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::DisplayHelp);
        assert!(
            error.to_string().starts_with("Bawa pulang lokakarya"),
            "{error}"
        );
    }

    #[test]
    fn the_localized_tree_parses_as_the_derived_one() {
        use clap::FromArgMatches;
        let words = ["rembuk", "import", "--from", "venue.db", "--dry-run"];
        let matches = localized(Cli::command(), Lang::Id)
            .try_get_matches_from(words)
            .unwrap();
        let cli = Cli::from_arg_matches(&matches).unwrap();
        assert_eq!(
            format!("{cli:?}"),
            format!("{:?}", <Cli as clap::Parser>::parse_from(words))
        );
    }
}
