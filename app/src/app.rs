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

/// The site's files as the server has them: where pages link them from,
/// and whether there is a phone's bundle.
///
/// `root` is `/v/<content hash>`, so that a new build gets new addresses
/// and a browser may cache each file for a year; empty (plain `/pkg/…`)
/// where it is not provided, as on the "not found" page of a missing file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteFiles {
    pub root: String,
    /// Whether `pkg/` holds [`PHONE_BUNDLE`] (`scripts/build-site` builds
    /// it; a site built otherwise has only the full bundle).
    pub phone_bundle: bool,
}

/// The name of the phone's WebAssembly and JS (`pkg/rembuk-phone.wasm`):
/// the participant's island without the staff screens (the `phone`
/// feature). Pages outside `/admin` load it; staff pages load `rembuk`,
/// which also holds the console and projector as lazy chunks.
pub const PHONE_BUNDLE: &str = "rembuk-phone";

fn site_files() -> SiteFiles {
    use_context::<SiteFiles>().unwrap_or_default()
}

/// The bundle this page loads: the phone's, except on staff pages (or
/// when the site has none).
fn bundle_for_page(mut options: LeptosOptions, site: &SiteFiles) -> LeptosOptions {
    if site.phone_bundle && !staff_page() {
        options.output_name = PHONE_BUNDLE.into();
    }
    options
}

#[cfg(feature = "ssr")]
fn staff_page() -> bool {
    use_context::<http::request::Parts>().is_some_and(|p| is_staff_path(p.uri.path()))
}

#[cfg(not(feature = "ssr"))]
fn staff_page() -> bool {
    false
}

/// Whether a page is a staff screen (the console, projector, reports).
pub fn is_staff_path(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/")
}

/// The HTML document around the app (rendered on the server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::content_security_policy();
    let lang = provide_lang();
    let site = site_files();
    let options = bundle_for_page(options, &site);
    let root = site.root;
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
        <Stylesheet id="leptos" href=format!("{}/pkg/rembuk.css", site_files().root)/>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_under_admin_are_staff_screens() {
        for staff in [
            "/admin",
            "/admin/",
            "/admin/sessions/1",
            "/admin/sessions/1/screen",
        ] {
            assert!(is_staff_path(staff), "{staff}");
        }
        for phone in [
            "/",
            "/j/123456",
            "/s/123456",
            "/s/123456/withdraw",
            "/login",
            "/administrasi",
        ] {
            assert!(!is_staff_path(phone), "{phone}");
        }
    }

    #[test]
    fn phone_pages_load_the_phone_bundle_when_the_site_has_one() {
        let options = LeptosOptions::builder().output_name("rembuk").build();
        let with = SiteFiles {
            root: String::new(),
            phone_bundle: true,
        };
        // No request in context: not a staff page.
        assert_eq!(
            &*bundle_for_page(options.clone(), &with).output_name,
            PHONE_BUNDLE
        );
        let without = SiteFiles::default();
        assert_eq!(
            &*bundle_for_page(options.clone(), &without).output_name,
            "rembuk"
        );
        #[cfg(feature = "ssr")]
        for (path, bundle) in [("/admin/sessions/7", "rembuk"), ("/s/123456", PHONE_BUNDLE)] {
            let owner = Owner::new();
            let (parts, ()) = http::Request::get(path).body(()).unwrap().into_parts();
            let chosen = owner.with(|| {
                provide_context(parts);
                bundle_for_page(options.clone(), &with)
            });
            assert_eq!(&*chosen.output_name, bundle, "{path}");
        }
    }
}
