//! `rembuk user add`: a staff account from the shell.

use std::io::{IsTerminal, Read};

use rembuk_domain::{Lang, i18n::fill};
use rembuk_service::Caller;

use super::open_services;

pub(super) async fn add_user(
    database_url: &str,
    email: &str,
    role: &str,
    lang: Lang,
) -> Result<(), String> {
    let t = lang.t();
    let password = read_password(email, lang)?;
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

/// The password: typed twice at a prompt, without echo, when standard
/// input is a terminal; else the first line piped in (`echo … | rembuk user
/// add …`, for scripts).
fn read_password(email: &str, lang: Lang) -> Result<String, String> {
    let t = lang.t();
    let unreadable =
        |e: std::io::Error| fill(t.cli_cannot_read_password(), &[("error", &e.to_string())]);
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(fill(t.cli_password_prompt(), &[("email", email)]))
            .map_err(unreadable)?;
        let again = rpassword::prompt_password(t.cli_password_again()).map_err(unreadable)?;
        if first != again {
            return Err(t.cli_passwords_differ().into());
        }
        return Ok(first);
    }
    let mut piped = String::new();
    std::io::stdin()
        .read_to_string(&mut piped)
        .map_err(unreadable)?;
    Ok(piped.lines().next().unwrap_or_default().to_string())
}
