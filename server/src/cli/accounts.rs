//! `rembuk user add`: a staff account from the shell.

use std::io::Read;

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
