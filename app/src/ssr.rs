//! What server functions need from the request: the services, the caller,
//! and a way to set cookies and the response status.

use http::{HeaderValue, StatusCode, header, request::Parts};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use rembuk_domain::{AppError, Lang};
use rembuk_service::{Caller, Services};

use crate::error::UiError;

/// The services and the resolved caller of the current request.
pub async fn caller() -> Result<(Services, Caller), AppError> {
    let services = use_context::<Services>().ok_or(AppError::Internal)?;
    let parts = use_context::<Parts>().ok_or(AppError::Internal)?;
    let creds = services.cookies().credentials(&parts.headers);
    let caller = services.caller(&creds).await?;
    Ok((services, caller))
}

/// The language of the current request.
pub fn lang() -> Lang {
    use_context::<Parts>()
        .and_then(|p| p.extensions.get::<Lang>().copied())
        .unwrap_or_default()
}

/// The language the reader chose explicitly (language cookie), if any.
pub fn chosen_lang() -> Option<Lang> {
    let services = use_context::<Services>()?;
    let parts = use_context::<Parts>()?;
    services.cookies().lang(&parts.headers)
}

/// The `Host` the request came to (for join links).
pub fn host() -> Option<String> {
    use_context::<Parts>()?
        .headers
        .get(header::HOST)?
        .to_str()
        .ok()
        .map(str::to_string)
}

/// The network address the request came from (the connection's peer).
pub fn client_ip() -> Option<std::net::IpAddr> {
    use_context::<Parts>()?
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

/// Gives this page a fresh nonce and a Content Security Policy that lets
/// only the page's own scripts run: the app's module and WASM, and inline
/// scripts carrying the nonce (Leptos's hydration and island loaders). No
/// `unsafe-inline` for scripts, so markup that slipped into a page could
/// not run. Inline style attributes stay allowed (the projector's bars).
pub fn content_security_policy() {
    leptos::nonce::provide_nonce();
    let (Some(nonce), Some(opts)) = (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         frame-ancestors 'self'; base-uri 'none'; form-action 'self'; object-src 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        opts.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Adds a `Set-Cookie` header to the response.
pub fn set_cookie(value: &str) {
    if let (Some(opts), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        opts.append_header(header::SET_COOKIE, value);
    }
}

/// Turns an error into a server function's error. For calls from the
/// page's script the response carries the error's own status; a plain form
/// post keeps the redirect back to its page, where the error is shown.
pub fn fail(error: AppError) -> UiError {
    let from_form = use_context::<Parts>()
        .and_then(|p| {
            p.headers
                .get(header::ACCEPT)
                .and_then(|a| a.to_str().ok())
                .map(|a| a.contains("text/html"))
        })
        .unwrap_or(false);
    if !from_form
        && let (Some(opts), Ok(status)) = (
            use_context::<ResponseOptions>(),
            StatusCode::from_u16(error.status()),
        )
    {
        opts.set_status(status);
    }
    UiError(error)
}

/// Runs a service call and maps its error with [`fail`].
pub async fn run<T, F, Fut>(f: F) -> Result<T, UiError>
where
    F: FnOnce(Services, Caller) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let result = async {
        let (services, caller) = caller().await?;
        f(services, caller).await
    }
    .await;
    result.map_err(fail)
}

/// Redirects the browser after a successful form action.
pub fn redirect(path: &str) {
    leptos_axum::redirect(path);
}
