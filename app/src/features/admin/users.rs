//! `/admin/users`: staff accounts (administrators only).

use leptos::prelude::*;
use leptos_meta::Title;
use rembuk_domain::{
    UserId,
    i18n::fill,
    user::{Role, User},
};

use super::{PageError, StaffFrame};
use crate::{
    components::{form::ActionError, layout::Loading},
    error::UiResult,
    i18n::{use_lang, use_t},
};

/// Every staff account.
#[server(prefix = "/fn", endpoint = "list_users", output = crate::codec::JsonOut)]
pub async fn list_users() -> UiResult<Vec<User>> {
    crate::ssr::run(|s, caller| async move { s.list_users(&caller).await }).await
}

/// Adds a staff account.
#[server(prefix = "/fn", endpoint = "add_user", output = crate::codec::JsonOut)]
pub async fn add_user(email: String, role: String, password: String) -> UiResult<User> {
    crate::ssr::run(|s, caller| async move { s.add_user(&caller, &email, &role, &password).await })
        .await
}

/// Signs an account out on every device.
#[server(prefix = "/fn", endpoint = "revoke_logins", output = crate::codec::JsonOut)]
pub async fn revoke_logins(user_id: UserId) -> UiResult<u64> {
    crate::ssr::run(|s, caller| async move { s.revoke_logins(&caller, user_id).await }).await
}

/// `/admin/users`.
#[component]
pub fn UsersPage() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let add = ServerAction::<AddUser>::new();
    let revoke = ServerAction::<RevokeLogins>::new();
    let users = Resource::new(move || add.version().get(), |_| list_users());
    view! {
        <Title text=t.users_title()/>
        <StaffFrame>
            <main id="main" class="page">
                <h1>{t.users_title()}</h1>
                <div class="grid two">
                    <section class="panel">
                        <h2>{t.users_list()}</h2>
                        <ActionError result=revoke.value()/>
                        {move || revoke.value().get().and_then(Result::ok).map(|n| view! {
                            <p class="notice" role="status">{fill(t.users_signed_out(), &[("n", &lang.number(n as i64))])}</p>
                        })}
                        <Suspense fallback=Loading>
                            {move || Suspend::new(async move {
                                match users.await {
                                    Ok(users) => view! {
                                        <ul class="rows">
                                            {users
                                                .into_iter()
                                                .map(|u| view! {
                                                    <li class="user-row">
                                                        <span><strong>{u.email}</strong> " " <span class="chip">{u.role.label(lang)}</span></span>
                                                        <ActionForm action=revoke attr:class="inline-form">
                                                            <input type="hidden" name="user_id" value=u.id.to_string()/>
                                                            <button class="button small" type="submit">{t.users_sign_out_everywhere()}</button>
                                                        </ActionForm>
                                                    </li>
                                                })
                                                .collect_view()}
                                        </ul>
                                    }
                                    .into_any(),
                                    Err(error) => view! { <PageError error/> }.into_any(),
                                }
                            })}
                        </Suspense>
                    </section>
                    <section class="panel">
                        <h2>{t.users_add()}</h2>
                        <ActionForm action=add attr:class="stack">
                            <ActionError result=add.value()/>
                            {move || add.value().get().and_then(Result::ok).map(|u| view! {
                                <p class="notice" role="status">{fill(t.users_added(), &[("email", &u.email)])}</p>
                            })}
                            <label class="field">
                                <span>{t.field_email()}</span>
                                <input type="email" name="email" required autocomplete="off"/>
                            </label>
                            <label class="field">
                                <span>{t.field_role()}</span>
                                <select name="role">
                                    {Role::ALL
                                        .into_iter()
                                        .map(|r| view! { <option value=r.as_str() selected=r == Role::Facilitator>{r.label(lang)}</option> })
                                        .collect_view()}
                                </select>
                            </label>
                            <label class="field">
                                <span>{t.users_initial_password()}</span>
                                <input type="password" name="password" required minlength="10" autocomplete="new-password"/>
                                <small>{t.users_password_hint()}</small>
                            </label>
                            <button class="button primary" type="submit">{t.users_add()}</button>
                        </ActionForm>
                    </section>
                </div>
            </main>
        </StaffFrame>
    }
}
