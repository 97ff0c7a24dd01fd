//! The public JSON API under `/api/v1`, described by `/api/v1/openapi.json`.
//!
//! Handlers are thin: they extract the caller and the input, call one
//! service method, and shape the answer. Errors are
//! `{"error": {"code", "message", ...}}` with the error's own status, the
//! message in the caller's language.

mod accounts;
mod events;
mod extract;
mod moderation;
mod participation;
mod privacy;
mod reports;
mod scores;
mod sessions;
mod workshops;

pub use extract::{ApiError, ApiJson, ApiQuery, Auth, ClientIp};

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Request},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
    routing::{any, get},
};
use rembuk_domain::{AppError, Lang};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// Largest request body the API accepts.
pub const BODY_LIMIT: usize = 64 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rembuk API",
        description = "Live focus group discussions for a regency's smart city master plan. Staff sign in with \
                       `POST /api/v1/auth/login`; participants join with `POST /api/v1/join`. Both get a token \
                       to send as `Authorization: Bearer <token>` (browsers use the cookie set alongside). Errors \
                       are `{\"error\": {\"code\", \"message\"}}`, the message in the language of the \
                       `Accept-Language` header (id or en). A `429` (too many writes) or a `503` with the code \
                       `unavailable` (the database was busy and nothing was saved) carries `Retry-After`: send \
                       the same request again after that many seconds.",
        version = "1"
    ),
    modifiers(&Security),
    tags(
        (name = "accounts", description = "Staff accounts and sign-in"),
        (name = "workshops", description = "Workshops, their dimensions, groups and sessions"),
        (name = "sessions", description = "Sessions, questions and phases"),
        (name = "participation", description = "Joining, cards and votes"),
        (name = "moderation", description = "Approving, hiding, editing, merging cards; countdowns; the audit log"),
        (name = "reports", description = "The draft plan input per workshop and session, and cross-session merges"),
        (name = "live", description = "Server-Sent Events")
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("rbs_… / rbp_…")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("rembuk_s"))),
        );
    }
}

/// The API's routes and its OpenAPI document.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(accounts::routes())
        .merge(workshops::routes())
        .merge(sessions::routes())
        .merge(participation::routes())
        .merge(moderation::routes())
        .merge(scores::routes())
        .merge(reports::routes())
        .merge(events::routes())
        .merge(privacy::routes())
        .split_for_parts();
    // Run on the merged document: `ApiDoc`'s own modifiers see no paths yet.
    CommonErrors.modify(&mut doc);
    (router, doc)
}

/// Documents the errors every operation of a kind can answer, so that
/// each `#[utoipa::path]` need only list the ones particular to it: a
/// body that cannot be read (400), is too large (413) or is not valid
/// (422); a query string that cannot be read (400); no or an expired login
/// (401) and a caller who may not (403) on secured operations; an id that
/// names nothing (404) where the path has one.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{
            ContentBuilder, Ref, ResponseBuilder,
            path::{Operation, ParameterIn},
        };
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        let add = |op: &mut Operation, status: &str, description: &str| {
            op.responses
                .responses
                .entry(status.to_string())
                .or_insert_with(|| error(description).into());
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                if op.request_body.is_some() {
                    add(op, "400", "The body is not JSON of the documented shape");
                    add(op, "413", "The body is too large");
                    add(op, "422", "A value in the body is not valid");
                }
                let has_query = op.parameters.iter().flatten().any(|p| {
                    matches!(p, utoipa::openapi::RefOr::T(p) if p.parameter_in == ParameterIn::Query)
                });
                if has_query {
                    add(op, "400", "The query string cannot be read");
                }
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    add(op, "401", "Not signed in, or the login has ended");
                    add(op, "403", "The caller may not do this");
                }
                if path.contains('{') {
                    add(op, "404", "No such resource, or not one the caller can see");
                }
            }
        }
    }
}

/// The API router, with its document at `/api/v1/openapi.json`.
pub fn router() -> Router<AppState> {
    let (router, doc) = routes();
    let doc = std::sync::Arc::new(doc);
    router
        .route(
            "/api/v1/openapi.json",
            get(move || async move { Json(doc.as_ref().clone()) }),
        )
        .route(
            "/api/v1/{*rest}",
            any(|| async { ApiError(AppError::not_found(rembuk_domain::Entity::Page)) }),
        )
        .layer(axum::middleware::from_fn(localize_errors))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// Writes the body of API errors in the request's language. Handlers only
/// say which error happened (see [`ApiError`]).
async fn localize_errors(request: Request, next: Next) -> Response {
    let lang = request
        .extensions()
        .get::<Lang>()
        .copied()
        .unwrap_or_default();
    let response = next.run(request).await;
    match response.extensions().get::<AppError>().cloned() {
        Some(error) => error_response(&error, lang),
        None => response,
    }
}

/// The JSON answer for an error.
pub fn error_response(error: &AppError, lang: Lang) -> Response {
    let mut detail =
        serde_json::to_value(error).unwrap_or_else(|_| serde_json::json!({"code": error.code()}));
    if let Some(map) = detail.as_object_mut() {
        map.insert("message".into(), error.message(lang).into());
        // Only a parser's explanation of a malformed body helps the caller;
        // anything else stays in the log.
        if !matches!(error, AppError::Malformed { .. }) {
            map.remove("detail");
        }
    }
    let status = http::StatusCode::from_u16(error.status())
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(serde_json::json!({ "error": detail }))).into_response();
    if let Some(retry_after_secs) = error.retry_after_secs()
        && let Ok(v) = header::HeaderValue::from_str(&retry_after_secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// The error body, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    error: ErrorDetail,
}

/// One error.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ErrorDetail {
    /// Machine-readable code, e.g. `over_budget`, `invalid`, `not_found`.
    code: String,
    /// A sentence for people, in the `Accept-Language` language.
    message: String,
}
