//! Page frame: header, language switch, main area, not-found page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;
use rembuk_domain::Lang;

use crate::i18n::{use_lang, use_t};

/// The top bar of every page: the product, an optional context line, the
/// language switch, and optional actions (e.g. sign out).
#[component]
pub fn Header(
    #[prop(optional, into)] context: Option<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let t = use_t();
    view! {
        <header class="topbar">
            <a class="brand" href="/" rel="external">
                <span class="brand-mark" aria-hidden="true">"R"</span>
                <span class="brand-name">"Rembuk"</span>
            </a>
            {context.map(|c| view! { <span class="topbar-context">{c}</span> })}
            <nav class="topbar-actions" aria-label=t.nav_label()>
                {children.map(|c| c())}
                <LangSwitch/>
            </nav>
        </header>
    }
}

/// Links to switch the language. Plain links, so they work without
/// scripts; the server remembers the choice in a cookie and sends the
/// reader back to the same page.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    let t = use_t();
    let next = move || {
        let path = location.pathname.get();
        let search = location.search.get();
        let here = if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        };
        encode_component(&here)
    };
    view! {
        <span class="lang-switch" role="group" aria-label=t.lang_switch_label()>
            {Lang::ALL
                .into_iter()
                .map(|l| {
                    let current = l == lang;
                    view! {
                        <a
                            href=move || format!("/lang?set={}&next={}", l.code(), next())
                            rel="external"
                            hreflang=l.code()
                            lang=l.code()
                            aria-current=current.then_some("true")
                            class:current=current
                        >
                            {l.code().to_uppercase()}
                        </a>
                    }
                })
                .collect_view()}
        </span>
    }
}

/// Percent-encodes a URL component (for `next=` parameters).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Shown for unknown addresses.
#[component]
pub fn NotFound() -> impl IntoView {
    let t = use_t();
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=t.notfound_title()/>
        <Header/>
        <main id="main" class="page narrow">
            <h1>{t.notfound_title()}</h1>
            <p>{t.notfound_body()}</p>
            <p><a class="button" href="/" rel="external">{t.notfound_home()}</a></p>
        </main>
    }
}

/// A centred "loading" line for suspense fallbacks.
#[component]
pub fn Loading() -> impl IntoView {
    let t = use_t();
    view! { <p class="loading" role="status">{t.loading()}</p> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_parameters_are_encoded() {
        assert_eq!(
            encode_component("/s/482913?x=1&y=2"),
            "/s/482913%3Fx%3D1%26y%3D2"
        );
        assert_eq!(encode_component("/ok-path_1.2~"), "/ok-path_1.2~");
    }
}
