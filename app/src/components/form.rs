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

/// Text for a `<textarea>`'s children. The renderer writes textarea children
/// unescaped on the server (it treats the element like `<script>`), so a
/// text holding `</textarea>` would end the element and whatever followed
/// would be read as markup. On the server the text is escaped here (the
/// browser decodes it back to the same text); in the browser it becomes a
/// text node, which needs nothing.
pub fn textarea_text(text: &str) -> String {
    if cfg!(feature = "ssr") {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
        out
    } else {
        text.to_string()
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::textarea_text;

    #[test]
    fn a_closing_tag_cannot_leave_the_textarea() {
        assert_eq!(
            textarea_text("</textarea><script>x()</script> & co"),
            "&lt;/textarea&gt;&lt;script&gt;x()&lt;/script&gt; &amp; co"
        );
    }
}
