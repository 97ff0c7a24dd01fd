//! The join page of the QR code, rendered once a moment for every first
//! visitor.
//!
//! When the projector shows the QR code, a whole hall opens `/j/<code>` in
//! the same few seconds, and for a phone that never joined the page is the
//! same for everyone who reads it in the same language. So the rendered
//! page is kept per code and language and served again with a fresh
//! script nonce (the only part of it that must differ between responses).
//!
//! It is kept as long as the code's data in the service layer
//! ([`rembuk_service::fresh::FRESH_FOR`], 2 s) and dropped with it on a
//! write through this instance that changes what a code shows. A change
//! made through another instance of the same database reaches this
//! instance's join page within twice that (the page may have been rendered
//! from data already 2 s old). Phones that joined before (their page says
//! "welcome back"), staff, addresses with a query, and codes that do not
//! exist are rendered each time.

use std::{sync::Arc, time::Instant};

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use rembuk_domain::{Lang, session::JoinCode};
use rembuk_service::fresh::FreshMap;

use crate::AppState;

/// No join page comes near this (it is about 10 KB): a bound, not a limit.
const MAX_PAGE: usize = 4 * 1024 * 1024;

/// The rendered join pages, per code and language, each under the service
/// layer's join data generation it was rendered from.
pub type JoinPages = FreshMap<(JoinCode, Lang), Page>;

#[derive(Debug)]
pub struct Page {
    headers: HeaderMap,
    /// The HTML with its nonce, and that nonce.
    html: Arc<str>,
    nonce: Arc<str>,
}

impl Page {
    /// The page as a response whose nonce is `nonce`, in its body and in
    /// its script policy alike.
    fn serve(&self, nonce: &str) -> Response {
        let html = self.html.replace(&*self.nonce, nonce);
        let mut response = Response::new(Body::from(html));
        *response.headers_mut() = self.headers.clone();
        // The body's own length goes out (a nonce is always 22 characters,
        // but nothing here depends on it).
        response.headers_mut().remove(header::CONTENT_LENGTH);
        if let Some(policy) = self
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|p| p.to_str().ok())
            && let Ok(policy) = HeaderValue::from_str(&policy.replace(&*self.nonce, nonce))
        {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        response
    }
}

/// Serves a kept join page where one may be, and keeps what is rendered.
pub async fn join_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(key) = key_of(&state, &request) else {
        return next.run(request).await;
    };
    let generation = state.services.join_info_generation();
    if let Some(page) = state.join_pages.get(&key, generation, Instant::now()) {
        return page.serve(&leptos::nonce::Nonce::new());
    }
    let response = next.run(request).await;
    let keepable = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && nonce_of(response.headers()).is_some();
    if !keepable {
        return response;
    }
    let (parts, body) = response.into_parts();
    let html = match axum::body::to_bytes(body, MAX_PAGE).await {
        Ok(bytes) => match String::from_utf8(bytes.to_vec()) {
            Ok(html) => html,
            Err(_) => return Response::from_parts(parts, Body::from(bytes)),
        },
        Err(e) => {
            // The render failed while it streamed: not the reader's doing.
            tracing::error!("join page failed while it was rendered: {e}");
            return crate::api::ApiError(rembuk_domain::AppError::Internal).into_response();
        }
    };
    // Only a page of a code that exists: an "unknown code" page must not
    // outlive the session made for it a moment later.
    let code = key.0.digits();
    if state.services.join_info(&code).await.is_err() {
        return Response::from_parts(parts, Body::from(html));
    }
    let Some(nonce) = nonce_of(&parts.headers) else {
        return Response::from_parts(parts, Body::from(html));
    };
    let page = Page {
        headers: parts.headers.clone(),
        html: html.clone().into(),
        nonce: nonce.into(),
    };
    state
        .join_pages
        .put(key, Arc::new(page), generation, Instant::now());
    Response::from_parts(parts, Body::from(html))
}

/// The code and language of a request whose join page may be kept: a plain
/// `GET /j/<six digits>` from a reader with no login and no device link.
fn key_of(state: &AppState, request: &Request) -> Option<(JoinCode, Lang)> {
    if request.method() != Method::GET || request.uri().query().is_some() {
        return None;
    }
    let digits = request.uri().path().strip_prefix("/j/")?;
    let code = JoinCode::parse(digits).ok()?;
    if code.digits() != digits {
        return None;
    }
    let creds = state.services.cookies().credentials(request.headers());
    if creds.staff.is_some() || creds.device.is_some() {
        return None;
    }
    let lang = request.extensions().get::<Lang>().copied()?;
    Some((code, lang))
}

/// The nonce a page's script policy allows.
fn nonce_of(headers: &HeaderMap) -> Option<String> {
    let policy = headers
        .get(header::CONTENT_SECURITY_POLICY)?
        .to_str()
        .ok()?;
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let len = policy[start..].find('\'')?;
    let nonce = &policy[start..start + len];
    (nonce.len() >= 22).then(|| nonce.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(nonce: &str) -> Page {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&format!(
                "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"
            ))
            .unwrap(),
        );
        Page {
            headers,
            html: format!(
                "<script nonce=\"{nonce}\">a()</script><p>Sesi 1</p><script nonce=\"{nonce}\">b()</script>"
            )
            .into(),
            nonce: nonce.into(),
        }
    }

    #[tokio::test]
    async fn a_kept_page_goes_out_with_the_new_nonce_in_body_and_policy() {
        let old = "AAAAAAAAAAAAAAAAAAAAAA";
        let new = "BBBBBBBBBBBBBBBBBBBBBB";
        let response = page(old).serve(new);
        assert_eq!(nonce_of(response.headers()).as_deref(), Some(new));
        let body = axum::body::to_bytes(response.into_body(), MAX_PAGE)
            .await
            .unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert_eq!(body.matches(new).count(), 2);
        assert!(!body.contains(old));
        assert!(body.contains("<p>Sesi 1</p>"));
    }

    #[test]
    fn the_nonce_is_read_from_the_script_policy() {
        assert_eq!(
            nonce_of(&page("x1y2z3x1y2z3x1y2z3x1y2").headers).as_deref(),
            Some("x1y2z3x1y2z3x1y2z3x1y2")
        );
        let mut short = HeaderMap::new();
        short.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("script-src 'nonce-abc'"),
        );
        assert_eq!(nonce_of(&short), None, "not a 128-bit nonce");
        assert_eq!(nonce_of(&HeaderMap::new()), None);
    }
}
