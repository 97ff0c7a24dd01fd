//! `/api/v1/sessions/{id}/events`: the session's live stream.

use std::convert::Infallible;

use axum::{
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, header},
    response::Response,
};
use futures::StreamExt;
use rembuk_domain::{Entity, SessionId};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiError, ApiQuery, Auth, extract::parse_id};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct EventsQuery {
    /// Resume after this event id (the `seq` of a snapshot); the
    /// `Last-Event-ID` header, sent by browsers on reconnect, wins.
    after: Option<u64>,
}

/// One event of the stream, as its `id:`, `event:`, `data:` and `retry:`
/// lines spell it (the schema of each event, as OpenAPI 3.1 reads
/// `text/event-stream`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ServerSentEvent {
    /// A JSON object with a `type`.
    data: String,
    /// Absent: every event is a `message`.
    event: Option<String>,
    /// The session's sequence number of the last change the event covers.
    id: Option<String>,
    /// Milliseconds a client waits before reconnecting.
    retry: Option<u64>,
}

/// Server-Sent Events. Each event's `data` is a JSON object with a `type`
/// (`ready`, `resync`, `question_added`, `question_updated`,
/// `phase_changed`, `card_added`, `card_updated`, `card_removed`, `counts`,
/// `session_updated`; staff streams also `passcode_changed`) and its `id`
/// is the session's sequence number of the last change it covers.
/// Reconnecting with `Last-Event-ID` (or `?after=`) replays what was missed
/// without gap or repeat, or sends `resync` when a fresh snapshot is needed. Bursts of votes arrive folded into `counts`:
/// staff get each card's dots per stakeholder group (`by_group`),
/// participants only totals and scores.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/events", tag = "live",
    params(("id" = String, Path), ("Last-Event-ID" = Option<u64>, Header), EventsQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, content_type = "text/event-stream", body = ServerSentEvent),
              (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody),
              (status = 429, body = super::ErrorBody)))]
async fn events(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Result<Response, ApiError> {
    let id: SessionId = parse_id(&id, Entity::Session)?;
    let (audience, guard) = state.services.authorize_live(&auth.caller, id).await?;
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let stream = state
        .services
        .live()
        .subscribe(id, last_event_id.or(query.after), audience)
        .map(move |event| {
            // The participant's stream counts as open while it runs.
            let _open = &guard;
            Ok::<_, Infallible>(event)
        });
    let mut response = Response::new(Body::from_stream(stream));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store"),
    );
    // Ask reverse proxies not to buffer the stream.
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}
