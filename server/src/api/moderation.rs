//! Moderation: `/api/v1/cards/{id}` (PATCH), `/api/v1/cards/merge`,
//! `/api/v1/merges/{id}/undo`, `/api/v1/cards/{id}/approve`,
//! `/api/v1/cards/{id}/paper-votes`, `/api/v1/questions/{id}/timer`,
//! `/api/v1/questions/{id}` (PATCH), `/api/v1/sessions/{id}/moderation`,
//! `/api/v1/sessions/{id}/audit`, `/api/v1/workshops/{id}/members`.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use rembuk_domain::{
    CardId, Entity, QuestionId, SessionId, WorkshopId,
    audit::AuditEntry,
    card::Card,
    question::{Question, QuestionSettings},
    session::Session,
    user::User,
};
use rembuk_service::{CardPatch, Merged};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiError, ApiJson, Auth, extract::parse_id};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(patch_card))
        .routes(routes!(merge))
        .routes(routes!(undo_merge))
        .routes(routes!(approve))
        .routes(routes!(paper_votes))
        .routes(routes!(timer))
        .routes(routes!(patch_question))
        .routes(routes!(moderation))
        .routes(routes!(audit))
        .routes(routes!(members, add_member))
}

/// Hides (with a reason), restores, edits (the original is kept), pins or
/// tags a card. Hidden cards leave every phone and their dots go back to
/// their owners' budgets.
#[utoipa::path(patch, path = "/api/v1/cards/{id}", tag = "moderation", params(("id" = String, Path)),
    request_body = CardPatch, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Card), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
              (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn patch_card(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CardPatch>,
) -> Result<Json<Card>, ApiError> {
    let id: CardId = parse_id(&id, Entity::Card)?;
    Ok(Json(
        state.services.update_card(&auth.caller, id, &body).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct MergeIn {
    /// Two or more cards of one question.
    cards: Vec<CardId>,
    /// The merged card's text.
    text: String,
}

/// Merges cards into one: all dots move to it (a participant who voted on
/// several keeps the sum), ideas' links follow, and the merge can be undone.
#[utoipa::path(post, path = "/api/v1/cards/merge", tag = "moderation", request_body = MergeIn,
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = Merged), (status = 403, body = super::ErrorBody),
              (status = 404, description = "A card named does not exist", body = super::ErrorBody),
              (status = 422, body = super::ErrorBody)))]
async fn merge(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<MergeIn>,
) -> Result<(StatusCode, Json<Merged>), ApiError> {
    let merged = state
        .services
        .merge_cards(&auth.caller, &body.cards, &body.text)
        .await?;
    Ok((StatusCode::CREATED, Json(merged)))
}

/// The cards a merge had replaced, visible again.
#[derive(Serialize, ToSchema)]
struct Unmerged {
    cards: Vec<Card>,
}

/// Undoes a merge: the original cards and their dots come back.
#[utoipa::path(post, path = "/api/v1/merges/{id}/undo", tag = "moderation", params(("id" = String, Path, description = "merge_id")),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Unmerged), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
async fn undo_merge(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Unmerged>, ApiError> {
    let cards = state.services.undo_merge(&auth.caller, &id).await?;
    Ok(Json(Unmerged { cards }))
}

/// Approves a card waiting in pre-moderation.
#[utoipa::path(post, path = "/api/v1/cards/{id}/approve", tag = "moderation", params(("id" = String, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Card), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
async fn approve(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Card>, ApiError> {
    let id: CardId = parse_id(&id, Entity::Card)?;
    Ok(Json(state.services.approve_card(&auth.caller, id).await?))
}

#[derive(Deserialize, ToSchema)]
struct PaperVotesIn {
    /// The stakeholder group the dots come from.
    group: String,
    /// Dots counted on paper or by a show of hands (replaces the group's
    /// earlier count; 0 removes it).
    dots: i64,
}

/// Records dots from paper or a show of hands for one group.
#[utoipa::path(put, path = "/api/v1/cards/{id}/paper-votes", tag = "moderation", params(("id" = String, Path)),
    request_body = PaperVotesIn, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Card), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn paper_votes(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PaperVotesIn>,
) -> Result<Json<Card>, ApiError> {
    let id: CardId = parse_id(&id, Entity::Card)?;
    Ok(Json(
        state
            .services
            .set_paper_votes(&auth.caller, id, &body.group, body.dots)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct TimerIn {
    /// Length of the countdown; 0 clears it.
    seconds: i64,
}

/// Starts (or clears) a question's countdown; when it ends the question
/// moves to its next phase on every screen.
#[utoipa::path(put, path = "/api/v1/questions/{id}/timer", tag = "moderation", params(("id" = String, Path)),
    request_body = TimerIn, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Question), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn timer(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TimerIn>,
) -> Result<Json<Question>, ApiError> {
    let id: QuestionId = parse_id(&id, Entity::Question)?;
    Ok(Json(
        state
            .services
            .set_timer(&auth.caller, id, body.seconds)
            .await?,
    ))
}

/// Changes a question's settings: hide tallies from participants until
/// it closes (and reveal them on the projector), accept cards while
/// voting, accept votes while collecting.
#[utoipa::path(patch, path = "/api/v1/questions/{id}", tag = "moderation", params(("id" = String, Path)),
    request_body = QuestionSettings, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Question), (status = 403, body = super::ErrorBody)))]
async fn patch_question(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<QuestionSettings>,
) -> Result<Json<Question>, ApiError> {
    let id: QuestionId = parse_id(&id, Entity::Question)?;
    Ok(Json(
        state
            .services
            .update_question(&auth.caller, id, &body)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct ModerationIn {
    /// Participants' cards wait for approval.
    premoderate: bool,
}

/// Turns pre-moderation of a session on or off.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/moderation", tag = "moderation", params(("id" = String, Path)),
    request_body = ModerationIn, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Session), (status = 403, body = super::ErrorBody)))]
async fn moderation(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ModerationIn>,
) -> Result<Json<Session>, ApiError> {
    let id: SessionId = parse_id(&id, Entity::Session)?;
    Ok(Json(
        state
            .services
            .set_premoderation(&auth.caller, id, body.premoderate)
            .await?,
    ))
}

/// Every moderation action of a session, newest first: who, when, what,
/// on which card or question, and why.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/audit", tag = "moderation", params(("id" = String, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<AuditEntry>), (status = 403, body = super::ErrorBody)))]
async fn audit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let id: SessionId = parse_id(&id, Entity::Session)?;
    Ok(Json(state.services.audit_log(&auth.caller, id).await?))
}

/// The facilitators of a workshop.
#[utoipa::path(get, path = "/api/v1/workshops/{id}/members", tag = "workshops", params(("id" = String, Path)),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<User>), (status = 403, body = super::ErrorBody)))]
async fn members(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Vec<User>>, ApiError> {
    let id: WorkshopId = parse_id(&id, Entity::Workshop)?;
    Ok(Json(state.services.members(&auth.caller, id).await?))
}

#[derive(Deserialize, ToSchema)]
struct MemberIn {
    /// Email of an existing facilitator or administrator account.
    email: String,
}

/// Adds a co-facilitator (administrators only).
#[utoipa::path(post, path = "/api/v1/workshops/{id}/members", tag = "workshops", params(("id" = String, Path)),
    request_body = MemberIn, security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<User>), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
async fn add_member(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MemberIn>,
) -> Result<Json<Vec<User>>, ApiError> {
    let id: WorkshopId = parse_id(&id, Entity::Workshop)?;
    Ok(Json(
        state
            .services
            .add_member(&auth.caller, id, &body.email)
            .await?,
    ))
}
