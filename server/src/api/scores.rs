//! `/api/v1/cards/{id}/usg`, `/api/v1/cards/{id}/rating`,
//! `/api/v1/cards/{id}/programme`.

use axum::{
    Json,
    extract::{Path, State},
};
use rembuk_domain::{CardId, Entity, card::Card, rating::ScoreOutcome};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiError, ApiJson, Auth, extract::parse_id};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(usg))
        .routes(routes!(rating))
        .routes(routes!(programme))
}

#[derive(Deserialize, ToSchema)]
struct UsgIn {
    /// 1–5
    #[schema(minimum = 1, maximum = 5)]
    urgency: i64,
    /// 1–5
    #[schema(minimum = 1, maximum = 5)]
    seriousness: i64,
    /// 1–5
    #[schema(minimum = 1, maximum = 5)]
    growth: i64,
}

/// Sets the caller's USG rating of a problem card (set again to change it).
/// Accepted while the question takes votes and its voting mode includes
/// scores.
#[utoipa::path(put, path = "/api/v1/cards/{id}/usg", tag = "participation", params(("id" = String, Path)),
    request_body = UsgIn, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = ScoreOutcome), (status = 403, body = super::ErrorBody),
              (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody),
              (status = 429, body = super::ErrorBody),
              (status = 503, description = "The database was busy; nothing was saved. Send it again after Retry-After seconds", body = super::ErrorBody)))]
async fn usg(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UsgIn>,
) -> Result<Json<ScoreOutcome>, ApiError> {
    let id: CardId = parse_id(&id, Entity::Card)?;
    Ok(Json(
        state
            .services
            .rate_usg(
                &auth.caller,
                id,
                body.urgency,
                body.seriousness,
                body.growth,
            )
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct RatingIn {
    /// 1–5
    #[schema(minimum = 1, maximum = 5)]
    impact: i64,
    /// 1–5
    #[schema(minimum = 1, maximum = 5)]
    effort: i64,
}

/// Sets the caller's impact and effort rating of an idea card.
#[utoipa::path(put, path = "/api/v1/cards/{id}/rating", tag = "participation", params(("id" = String, Path)),
    request_body = RatingIn, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = ScoreOutcome), (status = 403, body = super::ErrorBody),
              (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody),
              (status = 429, body = super::ErrorBody),
              (status = 503, description = "The database was busy; nothing was saved. Send it again after Retry-After seconds", body = super::ErrorBody)))]
async fn rating(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RatingIn>,
) -> Result<Json<ScoreOutcome>, ApiError> {
    let id: CardId = parse_id(&id, Entity::Card)?;
    Ok(Json(
        state
            .services
            .rate_idea(&auth.caller, id, body.impact, body.effort)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct ProgrammeIn {
    /// `short` (1–2 years), `medium` (3–5) or `long` (6–10); null clears
    /// the mark.
    horizon: Option<String>,
    /// The office (OPD) suggested to lead it.
    #[serde(default)]
    lead_office: Option<String>,
}

/// Marks an idea as a candidate programme (facilitators).
#[utoipa::path(put, path = "/api/v1/cards/{id}/programme", tag = "moderation", params(("id" = String, Path)),
    request_body = ProgrammeIn, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Card), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn programme(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ProgrammeIn>,
) -> Result<Json<Card>, ApiError> {
    let id: CardId = parse_id(&id, Entity::Card)?;
    let card = state
        .services
        .set_programme(
            &auth.caller,
            id,
            body.horizon.as_deref(),
            body.lead_office.as_deref(),
        )
        .await?;
    Ok(Json(card))
}
