//! First-run setup, sign-in and sign-out of staff.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_query_map};

use crate::{
    components::{
        form::ActionError,
        layout::{Header, Loading},
    },
    error::UiResult,
    i18n::use_t,
};

/// Whether the instance still needs its first administrator, and the
/// caller may create it (at a venue, only the laptop itself may).
#[server(prefix = "/fn", endpoint = "setup_needed", output = crate::codec::JsonOut)]
pub async fn setup_needed() -> UiResult<bool> {
    crate::ssr::run(|s, _| async move { s.offers_setup_to(crate::ssr::client_ip()).await }).await
}

/// Creates the first administrator and signs them in.
#[server(prefix = "/fn", endpoint = "set_up", output = crate::codec::JsonOut)]
pub async fn set_up(email: String, password: String) -> UiResult<()> {
    crate::ssr::run(|s, _| async move {
        let login = s
            .set_up_admin_from(&email, &password, crate::ssr::client_ip())
            .await?;
        let ttl = s.config().staff_session_ttl.as_secs() as i64;
        crate::ssr::set_cookie(&s.cookies().staff_cookie(&login.token, ttl));
        crate::ssr::redirect("/admin");
        Ok(())
    })
    .await
}

/// Signs a staff member in and sends them on to `next` (a local path).
#[server(prefix = "/fn", endpoint = "log_in", output = crate::codec::JsonOut)]
pub async fn log_in(email: String, password: String, next: Option<String>) -> UiResult<()> {
    crate::ssr::run(|s, _| async move {
        let login = s
            .log_in_from(&email, &password, crate::ssr::client_ip())
            .await?;
        let ttl = s.config().staff_session_ttl.as_secs() as i64;
        crate::ssr::set_cookie(&s.cookies().staff_cookie(&login.token, ttl));
        crate::ssr::redirect(local_path(next.as_deref()).unwrap_or("/admin"));
        Ok(())
    })
    .await
}

/// Signs the caller out.
#[server(prefix = "/fn", endpoint = "log_out", output = crate::codec::JsonOut)]
pub async fn log_out() -> UiResult<()> {
    use rembuk_service::auth::Credentials;
    let services = use_context::<rembuk_service::Services>()
        .ok_or(crate::ssr::fail(rembuk_domain::AppError::Internal))?;
    let parts = use_context::<http::request::Parts>()
        .ok_or(crate::ssr::fail(rembuk_domain::AppError::Internal))?;
    let Credentials { staff, .. } = services.cookies().credentials(&parts.headers);
    if let Some(token) = staff {
        services.log_out(&token).await.map_err(crate::ssr::fail)?;
    }
    crate::ssr::set_cookie(&services.cookies().clear_staff_cookie());
    crate::ssr::redirect("/login");
    Ok(())
}

/// `next` if it is a path on this site (never another site: no open
/// redirects).
pub fn local_path(next: Option<&str>) -> Option<&str> {
    next.filter(|n| rembuk_domain::text::is_local_path(n))
}

/// The first-run page that creates the administrator.
#[component]
pub fn SetupPage() -> impl IntoView {
    let t = use_t();
    let needed = Resource::new(|| (), |_| setup_needed());
    let action = ServerAction::<SetUp>::new();
    view! {
        <Title text=t.setup_title()/>
        <Header/>
        <main id="main" class="page narrow">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match needed.await {
                        Ok(false) => view! { <Redirect path="/login"/> }.into_any(),
                        _ => view! {
                            <h1>{t.setup_title()}</h1>
                            <p class="lead">{t.setup_lead()}</p>
                            <ActionForm action=action attr:class="stack">
                                <ActionError result=action.value()/>
                                <label class="field">
                                    <span>{t.field_email()}</span>
                                    <input type="email" name="email" autocomplete="username" required/>
                                </label>
                                <label class="field">
                                    <span>{t.field_password()}</span>
                                    <input type="password" name="password" autocomplete="new-password" minlength="10" required/>
                                    <small>{t.setup_password_hint()}</small>
                                </label>
                                <button class="button primary" type="submit">{t.setup_submit()}</button>
                            </ActionForm>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// The staff sign-in page.
#[component]
pub fn LoginPage() -> impl IntoView {
    let t = use_t();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let needed = Resource::new(|| (), |_| setup_needed());
    let action = ServerAction::<LogIn>::new();
    view! {
        <Title text=t.login_title()/>
        <Header/>
        <main id="main" class="page narrow">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    if needed.await == Ok(true) {
                        return view! { <Redirect path="/setup"/> }.into_any();
                    }
                    view! {
                        <h1>{t.login_title()}</h1>
                        <p class="lead">{t.login_lead()}</p>
                        <ActionForm action=action attr:class="stack">
                            <ActionError result=action.value()/>
                            <input type="hidden" name="next" value=next/>
                            <label class="field">
                                <span>{t.field_email()}</span>
                                <input type="email" name="email" autocomplete="username" required/>
                            </label>
                            <label class="field">
                                <span>{t.field_password()}</span>
                                <input type="password" name="password" autocomplete="current-password" required/>
                            </label>
                            <button class="button primary" type="submit">{t.login_submit()}</button>
                        </ActionForm>
                        <p class="muted"><a href="/" rel="external">{t.login_participant_hint()}</a></p>
                    }
                    .into_any()
                })}
            </Suspense>
        </main>
    }
}

/// A sign-out button (a real form, so it works without scripts).
#[component]
pub fn LogOutButton() -> impl IntoView {
    let t = use_t();
    let action = ServerAction::<LogOut>::new();
    view! {
        <ActionForm action=action attr:class="inline-form">
            <button class="button ghost small" type="submit">{t.nav_log_out()}</button>
        </ActionForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(
            local_path(Some("/admin/workshops/1")),
            Some("/admin/workshops/1")
        );
        assert_eq!(local_path(Some("//evil.example")), None);
        assert_eq!(local_path(Some("https://evil.example")), None);
        assert_eq!(local_path(Some("/\\evil")), None);
        assert_eq!(local_path(None), None);
    }
}
