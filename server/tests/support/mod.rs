//! Boots the real app on a free port with a fresh database, and speaks to
//! it over real HTTP.
//!
//! The database is a SQLite file, or, when `REMBUK_TEST_POSTGRES` names a
//! PostgreSQL server (as `scripts/test` does for its second pass), a new
//! database on that server: the same tests are the matrix.

#![allow(dead_code)]

use std::time::Duration;

use futures::StreamExt;
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

pub struct TestApp {
    pub base: String,
    pub client: Client,
    /// Where the app keeps its data (`sqlite://…` or `postgres://…`).
    pub database_url: String,
    _dir: tempfile::TempDir,
}

pub const ADMIN_EMAIL: &str = "admin@acehselatankab.go.id";
pub const ADMIN_PASSWORD: &str = "kopi-sanger-pagi";

/// Starts the app on 127.0.0.1:0 with a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app on a fresh SQLite file, whatever the matrix says: for
/// what only SQLite has (file backups).
pub async fn spawn_sqlite_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("rembuk.db").display());
    spawn_app_configured(dir, url, |_| {}).await
}

/// Starts the app on an existing SQLite file (e.g. a restored backup).
pub async fn spawn_app_on(db_path: std::path::PathBuf) -> TestApp {
    let url = format!("sqlite://{}", db_path.display());
    spawn_app_configured(tempfile::tempdir().unwrap(), url, |_| {}).await
}

/// Starts the app with a changed configuration (e.g. tighter limits).
pub async fn spawn_app_with(change: impl FnOnce(&mut rembuk::Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = rembuk_service::storage::scratch_database(dir.path())
        .await
        .expect("a fresh test database");
    spawn_app_configured(dir, url, change).await
}

async fn spawn_app_configured(
    dir: tempfile::TempDir,
    database_url: String,
    change: impl FnOnce(&mut rembuk::Config),
) -> TestApp {
    let mut config = rembuk::Config::for_database(database_url.clone());
    change(&mut config);
    let app = rembuk::build(config).await.expect("app builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        rembuk::listen::serve(listener, app.router, std::future::pending()).await;
    });
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // A request that never gets an answer fails the test within a
        // minute instead of holding CI until its deadline.
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    TestApp {
        base: format!("http://{addr}"),
        client,
        database_url,
        _dir: dir,
    }
}

impl TestApp {
    /// Speaks to an app already running elsewhere (e.g. a child process).
    pub fn at(base: String, database_url: String) -> TestApp {
        TestApp {
            base,
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                // A request that never gets an answer fails the test within a
                // minute instead of holding CI until its deadline.
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            database_url,
            _dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let mut r = self
            .client
            .request(method, self.url(path))
            .header("accept-language", "en");
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token).send().await.unwrap()
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> Response {
        self.request(method, path, token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.send(Method::POST, path, token, body).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.send(Method::PUT, path, token, body).await
    }

    /// Creates the first admin; returns their token.
    pub async fn admin(&self) -> String {
        let r = self
            .post(
                "/api/v1/setup",
                None,
                json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Adds a staff account and signs it in; returns its token.
    pub async fn staff(&self, admin: &str, email: &str, role: &str) -> String {
        let r = self
            .post(
                "/api/v1/users",
                Some(admin),
                json!({"email": email, "role": role, "password": "rahasia-sekali-123"}),
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "{}",
            r.text().await.unwrap()
        );
        let r = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": "rahasia-sekali-123"}),
            )
            .await;
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn workshop(&self, token: &str) -> Value {
        let r = self
            .post(
                "/api/v1/workshops",
                Some(token),
                json!({"title": "FGD Smart City Aceh Selatan", "place": "Tapaktuan", "starts_on": "2026-12-01",
                       "ends_on": "2026-12-02", "language": "id"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    pub async fn session(&self, token: &str, workshop: &str) -> Value {
        let r = self
            .post(
                &format!("/api/v1/workshops/{workshop}/sessions"),
                Some(token),
                json!({"title": "Hari 1"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    pub async fn question(&self, token: &str, session: &str, kind: &str) -> Value {
        let r = self
            .post(
                &format!("/api/v1/sessions/{session}/questions"),
                Some(token),
                json!({"dimension": "governance", "sub_element": "public_service",
                       "prompt": "Apa masalah utama pelayanan publik?", "kind": kind}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    pub async fn phase(&self, token: &str, question: &str, phase: &str) {
        let r = self
            .put(
                &format!("/api/v1/questions/{question}/phase"),
                Some(token),
                json!({"phase": phase}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    }

    /// Joins a session; returns the participant's token.
    pub async fn join(&self, code: &str, group: &str) -> String {
        let r = self
            .post(
                "/api/v1/join",
                None,
                json!({"code": code, "group": group, "consent": true}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn card(&self, token: &str, question: &str, text: &str) -> Value {
        let r = self
            .post(
                &format!("/api/v1/questions/{question}/cards"),
                Some(token),
                json!({"text": text}),
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "{}",
            r.text().await.unwrap()
        );
        r.json().await.unwrap()
    }

    pub async fn vote(&self, token: &str, card: &str, dots: i64) -> Response {
        self.put(
            &format!("/api/v1/cards/{card}/vote"),
            Some(token),
            json!({"dots": dots}),
        )
        .await
    }

    /// A whole prepared room: admin, workshop, session, one problems question.
    pub async fn room(&self) -> Room {
        let admin = self.admin().await;
        let workshop = self.workshop(&admin).await;
        let session = self.session(&admin, workshop["id"].as_str().unwrap()).await;
        let question = self
            .question(&admin, session["id"].as_str().unwrap(), "problems")
            .await;
        Room {
            admin,
            workshop: workshop["id"].as_str().unwrap().into(),
            session: session["id"].as_str().unwrap().into(),
            code: session["join_code"].as_str().unwrap().into(),
            question: question["id"].as_str().unwrap().into(),
        }
    }
}

pub struct Room {
    pub admin: String,
    pub workshop: String,
    pub session: String,
    pub code: String,
    pub question: String,
}

/// Asserts an API error: status, code, and a non-empty message.
pub async fn assert_error(r: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(r.status(), status);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body
}

/// One Server-Sent Event.
#[derive(Debug, Clone)]
pub struct Sse {
    pub id: Option<u64>,
    pub data: Value,
}

/// Reads SSE events from a response until `done` is true (or 10 s pass).
pub async fn read_sse(response: Response, mut done: impl FnMut(&[Sse]) -> bool) -> Vec<Sse> {
    let mut stream = response.bytes_stream();
    let mut buf = String::new();
    let mut events = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !done(&events) {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("SSE stream stalled")
            .expect("SSE stream ended")
            .unwrap();
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut id = None;
            let mut data = None;
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id: ") {
                    id = v.parse().ok();
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = serde_json::from_str(v).ok();
                }
            }
            if let Some(data) = data {
                events.push(Sse { id, data });
            }
        }
    }
    events
}
