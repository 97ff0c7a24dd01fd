//! `/api/v1/workshops/*`.

use axum::{
    Json,
    extract::{Path, State},
    http::{StatusCode, header},
};
use rembuk_domain::{
    Entity, WorkshopId,
    dimension::DimensionInput,
    group::GroupInput,
    session::{JoinCode, Session},
    time::Timestamp,
    workshop::{Workshop, WorkshopSummary},
};
use rembuk_service::WorkshopInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiError, ApiJson, Auth, extract::parse_id};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_workshops, create_workshop))
        .routes(routes!(get_workshop))
        .routes(routes!(set_dimensions))
        .routes(routes!(set_groups))
        .routes(routes!(list_sessions, create_session))
}

/// Workshops the caller can see.
#[utoipa::path(get, path = "/api/v1/workshops", tag = "workshops", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<WorkshopSummary>), (status = 401, body = super::ErrorBody)))]
async fn list_workshops(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<Vec<WorkshopSummary>>, ApiError> {
    Ok(Json(state.services.list_workshops(&auth.caller).await?))
}

/// Creates a workshop. Dimensions default to the six national smart city
/// dimensions and groups to the pentahelix, named in `language`.
#[utoipa::path(post, path = "/api/v1/workshops", tag = "workshops", request_body = WorkshopInput,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = Workshop), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn create_workshop(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<WorkshopInput>,
) -> Result<(StatusCode, Json<Workshop>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.services.create_workshop(&auth.caller, &body).await?),
    ))
}

/// A workshop with its dimensions and groups.
#[utoipa::path(get, path = "/api/v1/workshops/{id}", tag = "workshops", params(("id" = String, Path, description = "Workshop id")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Workshop), (status = 404, body = super::ErrorBody)))]
async fn get_workshop(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Workshop>, ApiError> {
    let id: WorkshopId = parse_id(&id, Entity::Workshop)?;
    Ok(Json(state.services.workshop(&auth.caller, id).await?))
}

/// Replaces the workshop's dimensions (a dimension questions use cannot be
/// removed: 409).
#[utoipa::path(put, path = "/api/v1/workshops/{id}/dimensions", tag = "workshops", params(("id" = String, Path)),
    request_body = Vec<DimensionInput>, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Workshop), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn set_dimensions(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Vec<DimensionInput>>,
) -> Result<Json<Workshop>, ApiError> {
    let id: WorkshopId = parse_id(&id, Entity::Workshop)?;
    Ok(Json(
        state
            .services
            .set_dimensions(&auth.caller, id, &body)
            .await?,
    ))
}

/// Replaces the workshop's stakeholder groups (a group participants chose
/// cannot be removed: 409).
#[utoipa::path(put, path = "/api/v1/workshops/{id}/groups", tag = "workshops", params(("id" = String, Path)),
    request_body = Vec<GroupInput>, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Workshop), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn set_groups(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Vec<GroupInput>>,
) -> Result<Json<Workshop>, ApiError> {
    let id: WorkshopId = parse_id(&id, Entity::Workshop)?;
    Ok(Json(
        state.services.set_groups(&auth.caller, id, &body).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct NewSession {
    title: String,
}

/// A session with the link and QR code participants use.
#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    id: rembuk_domain::SessionId,
    workshop_id: WorkshopId,
    title: String,
    join_code: JoinCode,
    /// The address participants open (also in the QR code).
    join_url: String,
    /// An SVG QR code of `join_url`.
    qr_url: String,
    created_at: Timestamp,
}

impl SessionOut {
    pub fn new(session: Session, join_url: String) -> SessionOut {
        SessionOut {
            qr_url: format!("/api/v1/sessions/{}/qr.svg", session.id),
            id: session.id,
            workshop_id: session.workshop_id,
            title: session.title,
            join_code: session.join_code,
            join_url,
            created_at: session.created_at,
        }
    }
}

fn host(headers: &http::HeaderMap) -> Option<&str> {
    headers.get(header::HOST).and_then(|h| h.to_str().ok())
}

/// Adds a session with a fresh six-digit join code.
#[utoipa::path(post, path = "/api/v1/workshops/{id}/sessions", tag = "workshops", params(("id" = String, Path)),
    request_body = NewSession, security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = SessionOut), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
async fn create_session(
    State(state): State<AppState>,
    auth: Auth,
    headers: http::HeaderMap,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewSession>,
) -> Result<(StatusCode, Json<SessionOut>), ApiError> {
    let id: WorkshopId = parse_id(&id, Entity::Workshop)?;
    let session = state
        .services
        .create_session(&auth.caller, id, &body.title)
        .await?;
    let join_url = state.services.join_url(host(&headers), session.join_code);
    Ok((
        StatusCode::CREATED,
        Json(SessionOut::new(session, join_url)),
    ))
}

/// The workshop's sessions.
#[utoipa::path(get, path = "/api/v1/workshops/{id}/sessions", tag = "workshops", params(("id" = String, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<SessionOut>), (status = 404, body = super::ErrorBody)))]
async fn list_sessions(
    State(state): State<AppState>,
    auth: Auth,
    headers: http::HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Vec<SessionOut>>, ApiError> {
    let id: WorkshopId = parse_id(&id, Entity::Workshop)?;
    let sessions = state.services.sessions_of(&auth.caller, id).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| {
                let url = state.services.join_url(host(&headers), s.join_code);
                SessionOut::new(s, url)
            })
            .collect(),
    ))
}
