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
