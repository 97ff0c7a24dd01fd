//! Cross-cutting request handling: the reader's language, cross-origin
//! write protection, security headers.

use axum::{
    extract::{Request, State},
    http::{HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use rembuk_domain::{AppError, Lang, SessionId};

use crate::{AppState, api::ApiError};

/// Decides the language of a request and stores it in the request's
/// extensions: the reader's explicit choice (cookie), else, on a
/// participant or projector page, the workshop's language, else the
/// browser's preference, else Bahasa Indonesia.
pub async fn resolve_lang(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let services = &state.services;
    let headers = request.headers();
    let mut lang = services.cookies().lang(headers);
    if lang.is_none() && request.method() == Method::GET {
        lang = workshop_lang(&state, request.uri().path(), request.uri().query()).await;
    }
    let lang = lang
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default();
    request.extensions_mut().insert(lang);
    next.run(request).await
}

async fn workshop_lang(state: &AppState, path: &str, query: Option<&str>) -> Option<Lang> {
    let services = &state.services;
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["j" | "s", code] => services.join_language(code).await.ok(),
        ["j"] => {
            let code = query?.split('&').find_map(|p| p.strip_prefix("code="))?;
            services.join_language(&code.replace('+', " ")).await.ok()
        }
        ["admin", "sessions", id, "screen"] => {
            let id: SessionId = id.parse().ok()?;
            services.session_language(id).await.ok()
        }
        _ => None,
    }
}

/// Refuses state-changing requests that a browser sends on behalf of
/// another site (cross-site request forgery): the `Sec-Fetch-Site` and
/// `Origin` headers browsers set cannot be forged by the other site's page.
/// Clients that send neither (curl, integrations with a bearer token) are
/// not browsers and are let through; cookies also carry `SameSite=Lax`.
pub async fn check_origin(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && is_cross_site(&request) {
        return ApiError(AppError::Forbidden).into_response();
    }
    next.run(request).await
}

fn is_cross_site(request: &Request) -> bool {
    let headers = request.headers();
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if origin == "null" {
        return true;
    }
    let origin_host = origin.split("://").nth(1).unwrap_or(origin);
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    !origin_host.eq_ignore_ascii_case(host)
}

/// Headers every response carries.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // The console previews the projector in a frame of its own origin.
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    response
}
