//! Form helpers: error messages in the reader's language.

use leptos::prelude::*;
use rembuk_domain::AppError;

use crate::{error::UiError, i18n::use_lang};

/// Shows the error of an action's last result, if it failed.
#[component]
pub fn ActionError<T: Send + Sync + 'static>(
    #[prop(into)] result: Signal<Option<Result<T, UiError>>>,
) -> impl IntoView {
    let lang = use_lang();
    move || {
        result.with(|r| match r {
            Some(Err(UiError(e))) => Some(view! { <ErrorBox message=e.message(lang)/> }),
            _ => None,
        })
    }
}

/// An error box; announced to screen readers as it appears.
#[component]
pub fn ErrorBox(#[prop(into)] message: String) -> impl IntoView {
    view! { <p class="error-box" role="alert">{message}</p> }
}

/// The message for an error in the page's language.
pub fn message(e: &AppError) -> String {
    e.message(crate::i18n::use_lang())
}

/// A key that makes one form submission idempotent (a double tap or a
/// resent form gives one result). Uniqueness is all it needs, not secrecy.
pub fn new_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        let a = (js_sys::Math::random() * 9.007_199_254_740_991e15) as u64;
        let b = (js_sys::Math::random() * 9.007_199_254_740_991e15) as u64;
        format!("w-{a:x}-{b:x}")
    }
    #[cfg(not(feature = "hydrate"))]
    {
        format!("s-{}", uuid::Uuid::new_v4().simple())
    }
}
