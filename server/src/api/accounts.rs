//! `/api/v1/setup`, `/api/v1/auth/*`, `/api/v1/users`.

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use rembuk_domain::{Entity, UserId, time::Timestamp, user::User};
use rembuk_service::Login;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiError, ApiJson, Auth, ClientIp};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_up))
        .routes(routes!(log_in))
        .routes(routes!(log_out))
        .routes(routes!(me))
        .routes(routes!(list_users, add_user))
        .routes(routes!(revoke_logins))
}

#[derive(Deserialize, ToSchema)]
struct Credentials {
    email: String,
    password: String,
}

/// A login: use `token` as `Authorization: Bearer` (a cookie is set too).
#[derive(Serialize, ToSchema)]
struct LoginOut {
    token: String,
    user: User,
    expires_at: Timestamp,
}

fn login_response(state: &AppState, status: StatusCode, login: Login) -> Response {
    let ttl = state.services.config().staff_session_ttl.as_secs() as i64;
    let cookie = state.services.cookies().staff_cookie(&login.token, ttl);
    let mut response = (
        status,
        Json(LoginOut {
            token: login.token,
            user: login.user,
            expires_at: login.expires_at,
        }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// Creates the first administrator (only while no account exists).
#[utoipa::path(post, path = "/api/v1/setup", tag = "accounts", request_body = Credentials,
    responses((status = 201, body = LoginOut),
              (status = 403, description = "In venue mode, only from the computer running Rembuk", body = super::ErrorBody),
              (status = 409, description = "Already set up", body = super::ErrorBody)))]
async fn set_up(
    State(state): State<AppState>,
    ClientIp(from): ClientIp,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    let login = state
        .services
        .set_up_admin_from(&body.email, &body.password, from)
        .await?;
    Ok(login_response(&state, StatusCode::CREATED, login))
}

/// Signs a staff member in.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = Credentials,
    responses((status = 200, body = LoginOut), (status = 401, body = super::ErrorBody),
              (status = 429, description = "Too many failed logins for this account or address; see Retry-After", body = super::ErrorBody)))]
async fn log_in(
    State(state): State<AppState>,
    ClientIp(from): ClientIp,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    let login = state
        .services
        .log_in_from(&body.email, &body.password, from)
        .await?;
    Ok(login_response(&state, StatusCode::OK, login))
}

/// Ends the caller's login.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts",
    responses((status = 204, description = "Signed out")))]
async fn log_out(
    State(state): State<AppState>,
    headers: http::HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = state.services.cookies().credentials(&headers).staff {
        state.services.log_out(&token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&state.services.cookies().clear_staff_cookie()) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

/// The signed-in staff account.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "accounts", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = User), (status = 401, body = super::ErrorBody)))]
async fn me(auth: Auth) -> Result<Json<User>, ApiError> {
    Ok(Json(auth.caller.require_staff()?.clone()))
}

/// A new staff account.
#[derive(Deserialize, ToSchema)]
struct NewUser {
    email: String,
    /// `facilitator`, `secretariat` or `admin`.
    role: String,
    password: String,
}

/// Every staff account (administrators only).
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<User>), (status = 403, body = super::ErrorBody)))]
async fn list_users(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(state.services.list_users(&auth.caller).await?))
}

/// Adds a staff account (administrators only).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUser, security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = User), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
async fn add_user(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = state
        .services
        .add_user(&auth.caller, &body.email, &body.role, &body.password)
        .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Serialize, ToSchema)]
struct Revoked {
    /// How many logins ended.
    revoked: u64,
}

/// Signs an account out on every device at once (administrators only), for
/// a lost laptop or a person who left. Its password still works: change it
/// or remove the account for that.
#[utoipa::path(delete, path = "/api/v1/users/{id}/sessions", tag = "accounts", params(("id" = String, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Revoked), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
async fn revoke_logins(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Revoked>, ApiError> {
    let id: UserId = super::extract::parse_id(&id, Entity::User)?;
    let revoked = state.services.revoke_logins(&auth.caller, id).await?;
    Ok(Json(Revoked { revoked }))
}
