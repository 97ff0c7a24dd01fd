//! The floors: the least a server on this machine can do for the same
//! work, so the app's figures read as ratios rather than raw numbers that
//! depend on the box. One process (pinned like the app) serves
//!
//! - `GET /events`: Server-Sent Events from a broadcast channel, no
//!   database; `PUT /vote` numbers a message and broadcasts it;
//! - `POST /insert`: one row into SQLite with sqlx per request (WAL,
//!   `synchronous = NORMAL`, like the app);
//! - `GET /page`: the app's join page as a static string.

use std::{
    convert::Infallible,
    path::PathBuf,
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use axum::{
    Json, Router,
    body::Body,
    extract::State,
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::{get, post, put},
};
use futures::StreamExt;
use sqlx::{
    SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;

#[derive(Clone)]
struct Floor {
    seq: Arc<AtomicU64>,
    events: broadcast::Sender<bytes::Bytes>,
    db: SqlitePool,
    page: Arc<String>,
}

/// Runs the floor server on `port` until killed.
pub async fn serve(port: u16, db: PathBuf, page: PathBuf) -> Result<(), String> {
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))
        .map_err(|e| e.to_string())?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|e| e.to_string())?;
    sqlx::query("CREATE TABLE IF NOT EXISTS votes (id INTEGER PRIMARY KEY, card TEXT NOT NULL, dots INTEGER NOT NULL, at INTEGER NOT NULL)")
        .execute(&pool)
        .await
        .map_err(|e| e.to_string())?;
    let page = std::fs::read_to_string(page).unwrap_or_else(|_| "<!doctype html>".into());
    let (events, _) = broadcast::channel(4096);
    let state = Floor {
        seq: Arc::new(AtomicU64::new(0)),
        events,
        db: pool,
        page: Arc::new(page),
    };
    let app = Router::new()
        .route("/events", get(events_stream))
        .route("/vote", put(vote))
        .route("/insert", post(insert))
        .route("/page", get(page_html))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| e.to_string())?;
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}

async fn events_stream(State(s): State<Floor>) -> Response {
    // Like the app, a first event says the stream is live.
    let ready = bytes::Bytes::from(format!(
        "retry: 2000\n\nid: {}\ndata: {{\"type\":\"ready\"}}\n\n",
        s.seq.load(Ordering::SeqCst)
    ));
    let stream = futures::stream::once(async move { ready })
        .chain(BroadcastStream::new(s.events.subscribe()).filter_map(|m| async move { m.ok() }))
        .map(Ok::<_, Infallible>);
    let mut r = Response::new(Body::from_stream(stream));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/event-stream"),
    );
    r
}

async fn vote(State(s): State<Floor>) -> impl IntoResponse {
    let seq = s.seq.fetch_add(1, Ordering::SeqCst) + 1;
    // Serialised once, shared by every subscriber (as the app does).
    let event = bytes::Bytes::from(format!("id: {seq}\ndata: {{\"type\":\"counts\"}}\n\n"));
    let _ = s.events.send(event);
    Json(serde_json::json!({ "seq": seq }))
}

async fn insert(State(s): State<Floor>) -> StatusCode {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    match sqlx::query("INSERT INTO votes (card, dots, at) VALUES ($1, $2, $3)")
        .bind("card")
        .bind(1_i64)
        .bind(now)
        .execute(&s.db)
        .await
    {
        Ok(_) => StatusCode::CREATED,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

async fn page_html(State(s): State<Floor>) -> Html<String> {
    Html(s.page.as_str().to_owned())
}
