//! The HTTP app: pages, server functions, the JSON API, static files.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    Extension, Router,
    extract::{FromRef, Query, Request, State, rejection::QueryRejection},
    http::{HeaderValue, StatusCode, Uri, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use rembuk_app::{App, SiteFiles, shell};
use rembuk_domain::{AppError, Field, Lang, Problem};
use rembuk_service::{ServiceConfig, Services};
use serde::Deserialize;
use tower_http::trace::TraceLayer;

use crate::{Config, api, join_pages::JoinPages, middleware, site::Assets};

/// What every handler can reach. Every request clones it (each extractor
/// and middleware that takes the state does), so it is one reference count:
/// Leptos's options by value were a handful of them and an allocated
/// string per clone, about 2 % of the server's time under a storm of votes,
/// and a count per field still cost 1 % in their drops.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] shares.
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    pub assets: Assets,
    pub join_pages: JoinPages,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Leptos's handlers (pages, files) take the options by value.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        LeptosOptions::clone(&state.leptos_options)
    }
}

/// A built app: its router, its services, and the address it will bind.
pub struct BuiltApp {
    pub router: Router,
    pub services: Services,
    pub config: Arc<Config>,
}

/// Why the app could not start.
#[derive(Debug)]
pub enum StartError {
    /// The database (its URL, without a password) cannot be opened.
    Database(String, rembuk_service::storage::StorageError),
    /// The address cannot be listened on.
    Listen(SocketAddr, std::io::Error),
}

impl StartError {
    /// The reason, in `lang` (the command line's terminal language).
    pub fn message(&self, lang: rembuk_domain::Lang) -> String {
        use rembuk_domain::i18n::fill;
        let t = lang.t();
        match self {
            StartError::Database(url, e) => fill(
                t.cli_cannot_open_database(),
                &[("url", url), ("error", &e.message(lang))],
            ),
            StartError::Listen(address, e) => fill(
                t.cli_cannot_listen(),
                &[("address", &address.to_string()), ("error", &e.to_string())],
            ),
        }
    }
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(rembuk_domain::Lang::En))
    }
}

/// Opens the database, starts the services, and assembles the router.
pub async fn build(config: Config) -> Result<BuiltApp, StartError> {
    let services = Services::start(
        &config.database_url,
        ServiceConfig {
            public_url: config.public_url.clone(),
            staff_session_ttl: config.staff_session_ttl,
            rate_limits: config.rate_limits,
            setup_from: config.setup_from.clone(),
        },
    )
    .await
    .map_err(|e| StartError::Database(crate::config::redact_url(&config.database_url), e))?;

    let leptos_options = LeptosOptions::builder()
        .output_name("rembuk")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.bind)
        .build();
    let assets = Assets::load(&config.site_root);
    let state = AppState(Arc::new(Shared {
        leptos_options,
        services: services.clone(),
        assets: assets.clone(),
        join_pages: JoinPages::default(),
    }));
    let routes = generate_route_list(App);

    let context = {
        let services = services.clone();
        let root = SiteFiles {
            root: assets.root(),
            phone_bundle: assets.phone_bundle(),
        };
        move || {
            provide_context(services.clone());
            provide_context(root.clone());
        }
    };
    // The site's files, and the app's "not found" page (with the same
    // context as every page) for anything that is neither route nor file.
    let files: Files = Arc::new(leptos_axum::file_and_error_handler_with_context::<
        AppState,
        _,
    >(context.clone(), shell));
    // The pages; the QR code's join page may come from memory (only the
    // pages pass through that layer: the API and the live streams do not).
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, context, {
            let options = LeptosOptions::clone(&state.leptos_options);
            move || shell(options.clone())
        })
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::join_pages::join_pages,
        ));
    let router = Router::new()
        .merge(api::router())
        .route("/fn/{*name}", post(server_fn))
        .route("/lang", get(set_lang))
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/v/{version}/pkg/{*file}",
            get({
                let files = files.clone();
                move |state, request| versioned_file(files.clone(), state, request)
            }),
        )
        .merge(pages)
        .fallback(move |uri, state, request| site_file(files.clone(), uri, state, request))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::resolve_lang,
        ))
        .layer(axum::middleware::from_fn(middleware::check_origin))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(config.trusted_proxies.clone()),
            crate::proxy::real_client,
        ))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(crate::compress::CompressLayer)
        // Method, path, status and latency at debug level (REMBUK_LOG=debug);
        // headers and bodies, where tokens and card texts live, are not logged.
        .layer(TraceLayer::new_for_http())
        .with_state(state);
    Ok(BuiltApp {
        router,
        services,
        config: Arc::new(config),
    })
}

/// Builds the app, binds its address, and serves until Ctrl-C.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| StartError::Listen(config.bind, e))?;
    serve_on(config, listener, |_| {}).await
}

/// Builds the app and serves it on a listener already bound, until
/// Ctrl-C; `ready` runs once the app answers requests.
pub async fn serve_on(
    config: Config,
    listener: tokio::net::TcpListener,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), StartError> {
    let bind = config.bind;
    let app = build(config).await?;
    let addr: SocketAddr = listener
        .local_addr()
        .map_err(|e| StartError::Listen(bind, e))?;
    tracing::info!(
        "Rembuk is running at http://{addr} (database: {})",
        crate::config::redact_url(&app.config.database_url)
    );
    let services = app.services.clone();
    let live = services.live().clone();
    let server = crate::listen::serve(listener, app.router, async move {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
        // A phone's live stream never ends by itself, and the server waits
        // for every response under way: end the streams, or Ctrl-C would
        // wait for the last phone to leave.
        live.close();
    });
    ready(addr);
    server.await;
    services.store().close().await;
    Ok(())
}

/// What serves the site's files from disk and renders "not found":
/// `leptos_axum`'s handler, built once with the pages' context.
type Files = Arc<dyn Fn(Uri, State<AppState>, Request) -> BoxFuture<Response> + Send + Sync>;
type BoxFuture<T> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// The site's files: from inside the binary when it carries them, else from
/// `--site-root`; anything else is the app's "not found" page.
async fn site_file(files: Files, uri: Uri, state: State<AppState>, request: Request) -> Response {
    if let Some(response) = crate::site::embedded(&request) {
        return response;
    }
    let pkg = uri.path().starts_with("/pkg/");
    let mut response = files(uri, state, request).await;
    // As for the embedded files: revalidate a plain address each time.
    if pkg && response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}

/// `/v/{version}/pkg/{file}`: a file of this build, which a browser may keep
/// for a year. Another version's address is "not found": a page that old
/// still works as plain forms, and a reload brings the current one.
async fn versioned_file(files: Files, state: State<AppState>, request: Request) -> Response {
    // The path as it came (still percent-encoded), less `/v/<version>`; or,
    // for another build, the whole path, which no file has.
    let raw = request.uri().path();
    let (path, this_build) = match raw
        .strip_prefix("/v/")
        .and_then(|rest| rest.strip_prefix(state.assets.version()))
        .filter(|rest| rest.starts_with("/pkg/"))
    {
        Some(file) => (file.to_string(), true),
        None => (raw.to_string(), false),
    };
    let Ok(uri) = path.parse::<Uri>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (mut parts, body) = request.into_parts();
    parts.uri = uri.clone();
    let mut response = site_file(files, uri, state, Request::from_parts(parts, body)).await;
    let kept = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    if this_build && kept {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(crate::site::IMMUTABLE),
        );
    }
    response
}

async fn server_fn(State(state): State<AppState>, request: Request) -> impl IntoResponse {
    let services = state.services.clone();
    handle_server_fns_with_context(move || provide_context(services.clone()), request).await
}

#[derive(Deserialize)]
struct LangQuery {
    set: String,
    next: Option<String>,
}

/// `/lang?set=en&next=/s/482913`: remembers a language choice and goes back.
/// A link the app did not make (no language, or one it does not speak) gets
/// a 400 that says so in the reader's language.
async fn set_lang(
    State(state): State<AppState>,
    Extension(lang): Extension<Lang>,
    query: Result<Query<LangQuery>, QueryRejection>,
) -> Response {
    let Some((chosen, next)) = query
        .ok()
        .and_then(|Query(q)| Some((q.set.parse::<Lang>().ok()?, q.next)))
    else {
        let error = AppError::Invalid {
            field: Field::Language,
            problem: Problem::Malformed,
        };
        return (StatusCode::BAD_REQUEST, error.message(lang)).into_response();
    };
    let next = next
        .as_deref()
        .filter(|n| n.starts_with('/') && !n.starts_with("//"))
        .unwrap_or("/");
    let mut response = Redirect::to(next).into_response();
    if let Ok(cookie) = HeaderValue::from_str(&state.services.cookies().lang_cookie(chosen)) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}
