//! Staff pages: workshops, sessions, the facilitator's console, accounts.

pub mod console;
pub mod dashboard;
mod dimensions;
mod privacy;
pub mod rollup;
pub mod users;
pub mod workshop;

use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_location};
use rembuk_domain::{
    AppError,
    user::{Role, User},
};

use crate::{
    components::layout::{Header, Loading, encode_component},
    error::{UiError, UiResult},
    features::auth::LogOutButton,
    i18n::use_t,
};

/// The signed-in staff member.
#[server(prefix = "/fn", endpoint = "current_user", output = crate::codec::JsonOut)]
pub async fn current_user() -> UiResult<User> {
    crate::ssr::run(|_, caller| async move { caller.require_staff().cloned() }).await
}

/// The frame of every staff page: header with navigation and sign-out.
/// Visitors who are not signed in are sent to the sign-in page and come
/// back here afterwards.
#[component]
pub fn StaffFrame(
    #[prop(optional, into)] context: Option<String>,
    children: ChildrenFn,
) -> impl IntoView {
    let t = use_t();
    let location = use_location();
    let user = Resource::new(|| (), |_| current_user());
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=move || view! { <Header/><main id="main" class="page"><Loading/></main> }>
            {move || {
                let context = context.clone();
                Suspend::new(async move {
                    match user.await {
                        Ok(user) => {
                            let is_admin = user.role == Role::Admin;
                            view! {
                                <Header context=context.unwrap_or_default()>
                                    <a class="nav-link" href="/admin">{t.nav_workshops()}</a>
                                    {is_admin.then(|| view! { <a class="nav-link" href="/admin/users">{t.nav_users()}</a> })}
                                    <span class="nav-user" title=user.role.label(crate::i18n::use_lang())>{user.email.clone()}</span>
                                    <LogOutButton/>
                                </Header>
                                {children.with_value(|c| c())}
                            }
                            .into_any()
                        }
                        Err(UiError(AppError::Unauthenticated | AppError::Forbidden)) => {
                            let next = encode_component(&location.pathname.get_untracked());
                            view! { <Redirect path=format!("/login?next={next}")/> }.into_any()
                        }
                        Err(UiError(e)) => view! {
                            <Header/>
                            <main id="main" class="page">
                                <crate::components::form::ErrorBox message=e.message(crate::i18n::use_lang())/>
                            </main>
                        }
                        .into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Shows an error from a page's data, or sends the visitor to sign in.
#[component]
pub fn PageError(error: UiError) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    match error.0 {
        AppError::Unauthenticated => view! { <Redirect path="/login"/> }.into_any(),
        e => view! {
            <main id="main" class="page">
                <crate::components::form::ErrorBox message=e.message(lang)/>
                <p><a href="/admin">{use_t().nav_workshops()}</a></p>
            </main>
        }
        .into_any(),
    }
}
