//! Form helpers: forms that call server functions, and error messages in
//! the reader's language.

use leptos::{
    ev::SubmitEvent,
    html,
    prelude::*,
    server_fn::ServerFn,
    web_sys::{FormData, HtmlFormElement},
};
use rembuk_domain::AppError;

use crate::{error::UiError, i18n::use_lang};

/// An action that calls the server function `S` (an error is a
/// [`UiError`]).
///
/// Leptos's `ServerAction`, with the page's own reading of a refused plain
/// form post: the server sends the post back to its page with the error in
/// the address (`?__path=…&__err=…`, base64 of the error's JSON), and the
/// action starts with that error as its result, so the page says why with
/// or without scripts. `ServerAction` reads it with a base64 crate, a URL
/// parser and a generic error reader; in the browser this reads it with
/// the browser's own `URLSearchParams` and `atob`, and
/// `rembuk_domain::json`.
pub type CallAction<S> = Action<S, Result<<S as ServerFn>::Output, UiError>>;

/// A new [`CallAction`].
pub fn call_action<S>() -> CallAction<S>
where
    S: ServerFn<Error = UiError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Action::new_with_value(posted_error(S::PATH).map(Err), |input: &S| {
        S::run_on_client(input.clone())
    })
}

/// The error that a plain form post to the server function at `path` came
/// back with, if this page is that answer.
fn posted_error(path: &str) -> Option<UiError> {
    #[cfg(feature = "ssr")]
    {
        // The router reads the address's `__path` and `__err`.
        let posted = use_context::<leptos::server::ServerActionError>()?;
        (posted.path() == path).then(|| {
            leptos::server_fn::error::ServerFnUrlError::<UiError>::decode_err(posted.err())
        })
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        let search = window().location().search().ok()?;
        let query = leptos::web_sys::UrlSearchParams::new_with_str(&search).ok()?;
        if query.get("__path")? != path {
            return None;
        }
        // URL-safe base64 to the alphabet `atob` reads; each character of
        // its answer is one byte.
        let base64: String = query
            .get("__err")?
            .chars()
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                c => c,
            })
            .collect();
        let bytes = window()
            .atob(&base64)
            .ok()?
            .chars()
            .map(|c| c as u8)
            .collect();
        let read = String::from_utf8(bytes)
            .map_err(|e| e.to_string())
            .and_then(|text| rembuk_domain::json::read(&text).map_err(|e| e.to_string()));
        Some(read.unwrap_or_else(|detail| UiError(AppError::Malformed { detail })))
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        let _ = path;
        None
    }
}

/// A form that calls a server function: before scripts run (or without
/// them) a plain `POST` to the function, which answers with the page
/// again; with scripts, `input` builds the call's arguments from the form
/// and `action` sends it.
///
/// For the phone's pages instead of Leptos's `ActionForm`, which decodes
/// any form generically (serde_qs) and erases its children's type: both
/// cost the phone's download code that these few forms do not need. When
/// `input` cannot build the arguments, the form posts as it would without
/// scripts, so the server's own message is what the person sees.
#[component]
pub fn PostForm<S, C>(
    action: CallAction<S>,
    /// The arguments, from the form's fields.
    input: impl Fn(&Fields) -> Option<S> + Send + Sync + 'static,
    class: &'static str,
    #[prop(optional)] node_ref: Option<NodeRef<html::Form>>,
    children: TypedChildren<C>,
) -> impl IntoView
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
    C: IntoView + 'static,
{
    let on_submit = move |ev: SubmitEvent| {
        let form = event_target::<HtmlFormElement>(&ev);
        let Ok(data) = FormData::new_with_form(&form) else {
            return;
        };
        if let Some(args) = input(&Fields(data)) {
            ev.prevent_default();
            action.dispatch(args);
        }
    };
    let form = html::form()
        .action(S::url())
        .method("post")
        .class(class)
        .on(leptos::ev::submit, on_submit)
        .child(children.into_inner()());
    match node_ref {
        Some(node_ref) => leptos::either::Either::Left(form.node_ref(node_ref)),
        None => leptos::either::Either::Right(form),
    }
}

/// A submitted form's fields, by name.
pub struct Fields(FormData);

impl Fields {
    /// The field's text (the first, if several share the name).
    pub fn text(&self, name: &str) -> Option<String> {
        self.0.get(name).as_string()
    }

    /// The field read as `T` (a number, an id); `None` when absent or not
    /// one.
    pub fn parse<T: std::str::FromStr>(&self, name: &str) -> Option<T> {
        self.text(name)?.trim().parse().ok()
    }

    /// Every value of a repeated field (ticked boxes) read as `T`; `None`
    /// when one is not a `T`.
    pub fn parse_all<T: std::str::FromStr>(&self, name: &str) -> Option<Vec<T>> {
        self.0
            .get_all(name)
            .iter()
            .map(|v| v.as_string()?.trim().parse().ok())
            .collect()
    }
}

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
