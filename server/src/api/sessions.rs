//! `/api/v1/sessions/*`, `/api/v1/questions/{id}/phase`, `/api/v1/join/{code}`.

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use rembuk_domain::{
    Entity, QuestionId, SessionId, question::Question, session::JoinInfo, snapshot::SessionSnapshot,
};
use rembuk_service::QuestionInput;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiError, ApiJson, Auth, extract::parse_id};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(snapshot))
        .routes(routes!(qr))
        .routes(routes!(create_question))
        .routes(routes!(set_phase))
        .routes(routes!(join_info))
}

/// A session as its screens show it: questions, visible cards with their
/// tallies (per stakeholder group for staff only), participants per group,
/// and, for a participant, their own dots (`me`). `seq` is where its live
/// stream continues.
#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "participation", params(("id" = String, Path, description = "Session id")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = SessionSnapshot), (status = 401, body = super::ErrorBody),
              (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
async fn snapshot(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<SessionSnapshot>, ApiError> {
    let id: SessionId = parse_id(&id, Entity::Session)?;
    Ok(Json(
        state.services.session_snapshot(&auth.caller, id).await?,
    ))
}

/// The session's join link as an SVG QR code (staff).
#[utoipa::path(get, path = "/api/v1/sessions/{id}/qr.svg", tag = "sessions", params(("id" = String, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 404, body = super::ErrorBody)))]
async fn qr(
    State(state): State<AppState>,
    auth: Auth,
    headers: http::HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: SessionId = parse_id(&id, Entity::Session)?;
    auth.caller.require_staff()?;
    let snapshot = state.services.session_snapshot(&auth.caller, id).await?;
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let svg = rembuk_service::qr::svg(&state.services.join_url(host, snapshot.session.join_code));
    let mut response = svg.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    Ok(response)
}

/// Posts a question to a session; it opens for cards at once.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/questions", tag = "sessions", params(("id" = String, Path)),
    request_body = QuestionInput, security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = Question), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn create_question(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<QuestionInput>,
) -> Result<(StatusCode, Json<Question>), ApiError> {
    let id: SessionId = parse_id(&id, Entity::Session)?;
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .services
                .create_question(&auth.caller, id, &body)
                .await?,
        ),
    ))
}

#[derive(Deserialize, ToSchema)]
struct PhaseIn {
    /// `collecting`, `voting` or `closed`.
    phase: String,
}

/// Moves a question to a phase; phones follow live.
#[utoipa::path(put, path = "/api/v1/questions/{id}/phase", tag = "sessions", params(("id" = String, Path)),
    request_body = PhaseIn, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Question), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn set_phase(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PhaseIn>,
) -> Result<Json<Question>, ApiError> {
    let id: QuestionId = parse_id(&id, Entity::Question)?;
    Ok(Json(
        state
            .services
            .set_phase(&auth.caller, id, &body.phase)
            .await?,
    ))
}

/// What the join page shows for a code (public). A change made through
/// this instance shows at once; one made through another instance of the
/// same database within 2 seconds.
#[utoipa::path(get, path = "/api/v1/join/{code}", tag = "participation", params(("code" = String, Path, description = "Six-digit join code")),
    responses((status = 200, body = JoinInfo), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn join_info(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<JoinInfo>, ApiError> {
    Ok(Json(state.services.join_info(&code).await?))
}
