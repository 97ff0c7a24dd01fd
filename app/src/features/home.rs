//! The front page: participants type a session code here.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use crate::{
    components::layout::{Header, Loading},
    features::auth::setup_needed,
    i18n::use_t,
};

/// The front page. On a fresh instance it sends the visitor to the setup
/// page instead.
#[component]
pub fn HomePage() -> impl IntoView {
    let t = use_t();
    let needed = Resource::new(|| (), |_| setup_needed());
    view! {
        <Title text=""/>
        <Header/>
        <main id="main" class="page narrow home">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    if needed.await == Ok(true) {
                        return view! { <Redirect path="/setup"/> }.into_any();
                    }
                    view! {
                        <h1>{t.home_title()}</h1>
                        <p class="lead">{t.home_lead()}</p>
                        <CodeForm/>
                        <p class="muted small">
                            {t.home_staff_hint()} " " <a href="/login" rel="external">{t.home_staff_link()}</a>
                        </p>
                    }
                    .into_any()
                })}
            </Suspense>
        </main>
    }
}

/// The session-code form: a plain GET form that works on any phone.
#[component]
pub fn CodeForm(#[prop(optional, into)] value: Option<String>) -> impl IntoView {
    let t = use_t();
    view! {
        <form class="code-form" method="get" action="/j">
            <label class="field">
                <span>{t.field_code()}</span>
                <input
                    class="code-input"
                    type="text"
                    name="code"
                    inputmode="numeric"
                    autocomplete="off"
                    placeholder="123 456"
                    maxlength="16"
                    value=value
                    required
                />
            </label>
            <button class="button primary big" type="submit">{t.home_join()}</button>
        </form>
    }
}
