//! `/api/v1/join`, `/api/v1/questions/{id}/cards`, `/api/v1/cards/{id}/vote`.

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use rembuk_domain::{
    CardId, Entity, ParticipantId, QuestionId, SessionId, card::Card, vote::VoteOutcome,
};
use rembuk_service::{CardInput, JoinInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiError, ApiJson, Auth, ClientIp, extract::parse_id};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(join))
        .routes(routes!(submit_card))
        .routes(routes!(vote))
}

/// The participant: keep `token` (a cookie is set too) and send it as
/// `Authorization: Bearer` on later calls.
#[derive(Serialize, ToSchema)]
struct Joined {
    participant_id: ParticipantId,
    session_id: SessionId,
    token: String,
    group: String,
    name: Option<String>,
}

/// Joins a session by its code: 201 for a new participant, 200 when this
/// device (its token) had joined before and stays the same participant.
#[utoipa::path(post, path = "/api/v1/join", tag = "participation", request_body = JoinInput,
    responses((status = 201, body = Joined), (status = 200, body = Joined),
              (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
              (status = 422, body = super::ErrorBody), (status = 429, body = super::ErrorBody)))]
async fn join(
    State(state): State<AppState>,
    auth: Auth,
    ClientIp(from): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<JoinInput>,
) -> Result<Response, ApiError> {
    let chosen = state.services.cookies().lang(&headers);
    let joined = state
        .services
        .join_from(&auth.caller, &body, chosen, from)
        .await?;
    let status = if joined.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let cookie = state.services.cookies().device_cookie(&joined.token);
    let p = joined.participant;
    let mut response = (
        status,
        Json(Joined {
            participant_id: p.id,
            session_id: p.session_id,
            token: joined.token,
            group: p.group,
            name: p.name,
        }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

/// Submits a problem or idea card. With an `Idempotency-Key` header, a
/// retry returns the first card (same status and body, plus
/// `Idempotent-Replayed: true`) instead of creating another.
#[utoipa::path(post, path = "/api/v1/questions/{id}/cards", tag = "participation", params(("id" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Any unique string up to 128 characters")),
    request_body = CardInput, security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = Card), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody),
              (status = 413, body = super::ErrorBody), (status = 422, body = super::ErrorBody),
              (status = 429, body = super::ErrorBody),
              (status = 503, description = "The database was busy; nothing was saved. Send it again after Retry-After seconds", body = super::ErrorBody)))]
async fn submit_card(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CardInput>,
) -> Result<Response, ApiError> {
    let id: QuestionId = parse_id(&id, Entity::Question)?;
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let submitted = state
        .services
        .submit_card(&auth.caller, id, &body, key)
        .await?;
    let mut response = (StatusCode::CREATED, Json(submitted.card)).into_response();
    if !submitted.created {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

#[derive(Deserialize, ToSchema)]
struct VoteIn {
    /// The caller's dots on this card after the call (0 takes them back).
    #[schema(minimum = 0, maximum = 20)] // VoteBudget::MAX
    dots: i64,
}

/// Sets the caller's dots on a card. Over the question's budget → 409.
/// Repeating the same call changes nothing.
#[utoipa::path(put, path = "/api/v1/cards/{id}/vote", tag = "participation", params(("id" = String, Path)),
    request_body = VoteIn, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = VoteOutcome), (status = 403, body = super::ErrorBody),
              (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody),
              (status = 429, body = super::ErrorBody),
              (status = 503, description = "The database was busy; nothing was saved. Send it again after Retry-After seconds", body = super::ErrorBody)))]
async fn vote(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<VoteIn>,
) -> Result<Json<VoteOutcome>, ApiError> {
    let id: CardId = parse_id(&id, Entity::Card)?;
    Ok(Json(
        state.services.vote(&auth.caller, id, body.dots).await?,
    ))
}
