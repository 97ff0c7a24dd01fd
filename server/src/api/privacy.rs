//! Personal data and access: a participant withdrawing, a workshop's
//! privacy settings, a session's join passcode.

use axum::{
    Json,
    extract::{Path, State},
};
use rembuk_domain::{Entity, SessionId, WorkshopId, session::Session, workshop::Workshop};
use rembuk_service::{PrivacyInput, Withdrawn};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiError, ApiJson, Auth, extract::parse_id};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(withdraw))
        .routes(routes!(privacy))
        .routes(routes!(passcode))
}

/// Withdraws the calling participant from a session (UU No. 27/2022): their
/// name and device link are removed; their cards stay unlinked or are
/// removed, as the workshop is set; their dots and ratings in questions
/// not yet closed are taken back. The device may join again as a new
/// participant.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}/me", tag = "participation", params(("id" = String, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Withdrawn), (status = 401, body = super::ErrorBody),
              (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
async fn withdraw(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Withdrawn>, ApiError> {
    let id: SessionId = parse_id(&id, Entity::Session)?;
    Ok(Json(state.services.withdraw(&auth.caller, id).await?))
}

/// Sets what happens to the cards of participants who withdraw (`keep` or
/// `remove`) and the date until which personal data is kept (after it,
/// `rembuk purge` removes names and device links).
#[utoipa::path(put, path = "/api/v1/workshops/{id}/privacy", tag = "workshops", params(("id" = String, Path)),
    request_body = PrivacyInput, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Workshop), (status = 403, body = super::ErrorBody),
              (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn privacy(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PrivacyInput>,
) -> Result<Json<Workshop>, ApiError> {
    let id: WorkshopId = parse_id(&id, Entity::Workshop)?;
    Ok(Json(
        state.services.set_privacy(&auth.caller, id, &body).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct PasscodeIn {
    /// 4 to 12 letters or digits (spaces and dashes are ignored, letters
    /// upper-cased); null or empty removes the passcode.
    #[serde(default)]
    passcode: Option<String>,
}

/// Sets or removes the passcode a newcomer needs, besides the join code,
/// to join a session. Who joined already stays in.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/passcode", tag = "sessions", params(("id" = String, Path)),
    request_body = PasscodeIn, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Session), (status = 403, body = super::ErrorBody),
              (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn passcode(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PasscodeIn>,
) -> Result<Json<Session>, ApiError> {
    let id: SessionId = parse_id(&id, Entity::Session)?;
    Ok(Json(
        state
            .services
            .set_passcode(&auth.caller, id, body.passcode.as_deref())
            .await?,
    ))
}
