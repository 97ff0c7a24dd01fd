//! The document shell and the routes.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::{
    components::layout::NotFound,
    features::{
        admin::{
            console::ConsolePage,
            dashboard::DashboardPage,
            rollup::{SessionRollupPage, WorkshopRollupPage},
            users::UsersPage,
            workshop::WorkshopPage,
        },
        auth::{LoginPage, SetupPage},
        home::HomePage,
        join::{JoinByQueryPage, JoinPage},
        participant::{ParticipantPage, WithdrawPage},
        projector::ProjectorPage,
    },
    i18n::{provide_lang, use_t},
};

/// Where pages link the site's files from: the server provides
/// `/v/<content hash>` so that a new build gets new addresses and a browser
/// may cache each file for a year. Empty (plain `/pkg/…`) where it is not
/// provided, as on the "not found" page of a missing file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssetRoot(pub String);

fn asset_root() -> String {
    use_context::<AssetRoot>().unwrap_or_default().0
}

/// The HTML document around the app (rendered on the server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::content_security_policy();
    let lang = provide_lang();
    let root = asset_root();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <meta name="theme-color" content="#0b5d5b"/>
                <link rel="icon" href="/favicon.ico"/>
                <HydrationScripts options islands=true root/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The app: every page and its route.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_lang();
    let t = use_t();
    view! {
        <Stylesheet id="leptos" href=format!("{}/pkg/rembuk.css", asset_root())/>
        <Title formatter=|title: String| if title.is_empty() { "Rembuk".to_string() } else { format!("{title} · Rembuk") }/>
        <a class="skip-link" href="#main">{t.nav_skip()}</a>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/j") view=JoinByQueryPage ssr=SsrMode::Async/>
                <Route path=path!("/j/:code") view=JoinPage ssr=SsrMode::Async/>
                <Route path=path!("/s/:code") view=ParticipantPage ssr=SsrMode::Async/>
                <Route path=path!("/s/:code/withdraw") view=WithdrawPage ssr=SsrMode::Async/>
                <Route path=path!("/admin") view=DashboardPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/users") view=UsersPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/workshops/:id") view=WorkshopPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/workshops/:id/report") view=WorkshopRollupPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/sessions/:id") view=ConsolePage ssr=SsrMode::Async/>
                <Route path=path!("/admin/sessions/:id/screen") view=ProjectorPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/sessions/:id/report") view=SessionRollupPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
