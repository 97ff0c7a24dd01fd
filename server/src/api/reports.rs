//! The draft plan input: `/api/v1/workshops/{id}/report`,
//! `/api/v1/sessions/{id}/report`, the projector's chart
//! `/api/v1/sessions/{id}/chart.svg`, and the roll-up's cross-session merges
//! `/api/v1/workshops/{id}/clusters`, `/api/v1/clusters/{id}/undo`.

use axum::{
    Json,
    body::Body,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::Response,
};
use rembuk_domain::{
    AppError, CardId, Entity, Field, Problem, SessionId, WorkshopId,
    report::{Cluster, Report},
};
use rembuk_report::{Format, dimension_chart_svg, file_name, render};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiError, ApiJson, ApiQuery, Auth, extract::parse_id};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(workshop_report))
        .routes(routes!(session_report))
        .routes(routes!(session_chart))
        .routes(routes!(clusters, create_cluster))
        .routes(routes!(undo_cluster))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ReportQuery {
    /// `json` (the default), `md`, `docx`, `xlsx`, `csv` or `html`.
    format: Option<String>,
}

/// The draft plan input of a whole workshop: per dimension, participation
/// per group, ranked problems (dots overall and per group, breadth, USG),
/// ideas with impact/effort, quick wins, candidate programmes, and the
/// annex (method, raw tallies, moderation log). Available at any time; it
/// reflects the current tallies. Staff who may read the workshop only (the
/// secretariat, its facilitators, administrators). Every format but JSON
/// and HTML comes as a download.
#[utoipa::path(get, path = "/api/v1/workshops/{id}/report", tag = "reports",
    params(("id" = String, Path), ReportQuery), security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Report, description = "The report; other formats by `format`",
               content((Report = "application/json"),
                       (String = "text/markdown"),
                       (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                       (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                       (String = "text/csv"),
                       (String = "text/html"))),
              (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody),
              (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn workshop_report(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let id: WorkshopId = parse_id(&id, Entity::Workshop)?;
    let format = parse_format(query.format.as_deref())?;
    let report = state.services.workshop_report(&auth.caller, id).await?;
    export(report, format).await
}

/// The draft plan input of one session, in the same formats.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/report", tag = "reports",
    params(("id" = String, Path), ReportQuery), security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Report, description = "The report; other formats by `format`"),
              (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody),
              (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn session_report(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let id: SessionId = parse_id(&id, Entity::Session)?;
    let format = parse_format(query.format.as_deref())?;
    let report = state.services.session_report(&auth.caller, id).await?;
    export(report, format).await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ChartQuery {
    /// The dimension key (`governance`, …).
    dimension: String,
    /// A stakeholder group key for that group's top problems; all groups
    /// when absent or empty.
    group: Option<String>,
}

/// A bar chart of a session's top problems in one dimension, overall or for
/// one stakeholder group, as SVG: what the projector shows for results.
/// Staff who may read the session.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/chart.svg", tag = "reports",
    params(("id" = String, Path), ChartQuery), security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, content_type = "image/svg+xml", body = String),
              (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody),
              (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn session_chart(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ChartQuery>,
) -> Result<Response, ApiError> {
    let id: SessionId = parse_id(&id, Entity::Session)?;
    let report = state.services.session_report(&auth.caller, id).await?;
    if !report.dimensions.contains_key(&query.dimension) {
        return Err(AppError::invalid(Field::Dimension, Problem::Unknown).into());
    }
    let group = query.group.as_deref().filter(|g| !g.is_empty());
    if let Some(g) = group
        && !report.groups.iter().any(|known| known.key == g)
    {
        return Err(AppError::invalid(Field::Group, Problem::Unknown).into());
    }
    let svg = dimension_chart_svg(&report, &query.dimension, group);
    let mut response = Response::new(Body::from(svg));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn parse_format(raw: Option<&str>) -> Result<Format, ApiError> {
    Ok(raw.unwrap_or_default().parse::<Format>()?)
}

/// Renders a report (off the async workers: zipping a Word file of a large
/// workshop takes a moment) and wraps it as a response.
pub async fn export(report: Report, format: Format) -> Result<Response, ApiError> {
    let name = file_name(&report, format);
    let rendered = tokio::task::spawn_blocking(move || render(&report, format))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "report rendering panicked");
            AppError::Internal
        })?
        .map_err(|e| {
            tracing::error!(error = %e, %format, "report rendering failed");
            AppError::Internal
        })?;
    let mut response = Response::new(Body::from(rendered.bytes));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(rendered.content_type),
    );
    // A report changes with every vote; never serve a stale one.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if format == Format::Html {
        // The print page is self-contained: its own styles and inline SVG,
        // no script at all.
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
            ),
        );
    }
    let disposition = match format {
        Format::Json | Format::Html => "inline",
        _ => "attachment",
    };
    // The name is ASCII by construction (see `file_name`).
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// The workshop's active cross-session merges.
#[utoipa::path(get, path = "/api/v1/workshops/{id}/clusters", tag = "reports",
    params(("id" = String, Path)), security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<Cluster>), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
async fn clusters(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<Vec<Cluster>>, ApiError> {
    let id: WorkshopId = parse_id(&id, Entity::Workshop)?;
    Ok(Json(state.services.clusters(&auth.caller, id).await?))
}

#[derive(Deserialize, ToSchema)]
struct ClusterIn {
    /// Two or more visible cards of the same kind, from any of the
    /// workshop's sessions, not already in another merge.
    cards: Vec<CardId>,
    /// The text the report shows for them.
    text: String,
}

/// Merges duplicates from different sessions into one item of the workshop
/// report. The sessions' own cards and tallies stay as they were; the merge
/// is kept in the workshop's log and can be undone.
#[utoipa::path(post, path = "/api/v1/workshops/{id}/clusters", tag = "reports",
    params(("id" = String, Path)), request_body = ClusterIn, security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = Cluster), (status = 403, body = super::ErrorBody),
              (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
async fn create_cluster(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ClusterIn>,
) -> Result<(StatusCode, Json<Cluster>), ApiError> {
    let id: WorkshopId = parse_id(&id, Entity::Workshop)?;
    let cluster = state
        .services
        .create_cluster(&auth.caller, id, &body.cards, &body.text)
        .await?;
    Ok((StatusCode::CREATED, Json(cluster)))
}

/// Undoes a cross-session merge: its cards are separate items again.
#[utoipa::path(post, path = "/api/v1/clusters/{id}/undo", tag = "reports",
    params(("id" = String, Path)), security(("bearer" = []), ("cookie" = [])),
    responses((status = 204), (status = 403, body = super::ErrorBody),
              (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody)))]
async fn undo_cluster(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.services.undo_cluster(&auth.caller, id.trim()).await?;
    Ok(StatusCode::NO_CONTENT)
}
