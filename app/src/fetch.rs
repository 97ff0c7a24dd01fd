//! The browser's side of [`PhoneCall`](crate::codec::PhoneCall): a server
//! function's arguments posted as a form with one `fetch`; the answer read
//! as text by `rembuk_domain::json`.

use js_sys::futures::JsFuture;
use leptos::__reexports::send_wrapper::SendWrapper;
use rembuk_domain::{AppError, json::FromJson};
use server_fn::ContentType;
use wasm_bindgen::{JsCast, JsValue};

use crate::{
    codec::{LeanJson, ToForm, read_answer},
    error::UiError,
};

/// Calls the server function at `path` with `input`. What the answer
/// means is [`read_answer`]'s; no answer at all (no signal) is
/// [`AppError::Network`], which the outbox waits out.
pub fn call<I, O>(path: &str, input: I) -> impl Future<Output = Result<O, UiError>> + Send
where
    I: ToForm,
    O: FromJson,
{
    let (path, body) = (path.to_string(), input.to_form());
    SendWrapper::new(async move {
        let (status, text) = send(&path, body)
            .await
            .map_err(|detail| UiError(AppError::Network { detail }))?;
        read_answer(status, &text)
    })
}

/// Posts the form `body` to `path`; the answer's status and text.
async fn send(path: &str, body: String) -> Result<(u16, String), String> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let headers = web_sys::Headers::new().map_err(describe)?;
    headers
        .set("Content-Type", "application/x-www-form-urlencoded")
        .map_err(describe)?;
    // Not `text/html`: the server then answers with JSON, where it
    // answers a plain form post with a redirect back to the page.
    headers
        .set("Accept", LeanJson::CONTENT_TYPE)
        .map_err(describe)?;
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&body));
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(describe)?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(describe)?)
        .await
        .map_err(describe)?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}

/// A JavaScript error's message.
fn describe(e: JsValue) -> String {
    e.dyn_into::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|_| "fetch failed".to_string())
}
