//! Extractors and the error type of the API handlers.

use axum::{
    extract::{FromRequest, FromRequestParts, Request, rejection::JsonRejection},
    http::request::Parts,
    response::{IntoResponse, Response},
};
use rembuk_domain::{AppError, Lang};
use rembuk_service::Caller;
use serde::de::DeserializeOwned;

use crate::AppState;

/// An error a handler returns. Its body is written, in the caller's
/// language, by the API's error middleware.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // A default body for routes outside the localising middleware.
        let mut response = super::error_response(&self.0, Lang::default());
        response.extensions_mut().insert(self.0);
        response
    }
}

/// The caller of an API request and their language.
pub struct Auth {
    pub caller: Caller,
    pub lang: Lang,
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let creds = state.services.cookies().credentials(&parts.headers);
        let caller = state.services.caller(&creds).await?;
        let lang = parts.extensions.get::<Lang>().copied().unwrap_or_default();
        Ok(Auth { caller, lang })
    }
}

/// A JSON body whose problems become clear API errors: too large → 413,
/// unreadable → 400 with serde's explanation.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError(json_error(rejection))),
        }
    }
}

fn json_error(rejection: JsonRejection) -> AppError {
    if rejection.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
        return AppError::TooLarge {
            limit_bytes: super::BODY_LIMIT as u64,
        };
    }
    AppError::Malformed {
        detail: rejection.body_text(),
    }
}

/// A query string whose problems become the API's 400 (a missing or
/// unreadable parameter), in its JSON error body like every other error.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError(AppError::Malformed {
                detail: rejection.body_text(),
            })),
        }
    }
}

/// Parses an id from the path; an id that cannot exist is "not found".
pub fn parse_id<T: std::str::FromStr>(
    raw: &str,
    what: rembuk_domain::Entity,
) -> Result<T, ApiError> {
    raw.parse().map_err(|_| ApiError(AppError::not_found(what)))
}

/// The network address of the connection (the peer; behind a reverse proxy
/// that is the proxy).
pub struct ClientIp(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}
