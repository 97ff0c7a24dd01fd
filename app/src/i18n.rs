//! The reader's language in components.
//!
//! The server decides the language of a request (the reader's choice, else
//! the workshop's, else the browser's, else Bahasa Indonesia) and writes it
//! into `<html lang>`; the browser reads it back when it hydrates, so both
//! render the same words.

use leptos::prelude::*;
use rembuk_domain::{Lang, i18n::Strings};

/// Provides the page's language to every component below.
pub fn provide_lang() -> Lang {
    let lang = page_lang();
    provide_context(lang);
    lang
}

/// The page's language.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// The page's strings.
pub fn use_t() -> &'static Strings {
    use_lang().t()
}

#[cfg(feature = "ssr")]
fn page_lang() -> Lang {
    use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<Lang>().copied())
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
fn page_lang() -> Lang {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| l.parse().ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Lang::default()
    }
}
