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

/// An action that calls the server function `S`: Leptos's `ServerAction`
/// without its reading of an error from the page's address (for forms that
/// redirect with `?__err=`, which Rembuk's forms do not: the server answers
/// a plain post with the page itself). That reading brings a base64 and
/// URL decoder to every phone.
pub type CallAction<S> = Action<S, Result<<S as ServerFn>::Output, <S as ServerFn>::Error>>;

/// A new [`CallAction`].
pub fn call_action<S>() -> CallAction<S>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    Action::new(|input: &S| S::run_on_client(input.clone()))
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
