//! The server's log holds no secrets and no personal words: no tokens, no
//! passwords, no passcodes, no card texts, no participant names — at the
//! default level and at debug.

mod support;

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{ADMIN_PASSWORD, TestApp};

const BIN: &str = env!("CARGO_BIN_EXE_rembuk");

const CARD: &str = "Jembatan gantung di Kluet Utara hampir putus";
const NAME: &str = "Cut Meutia Binti Teuku";
const PASSCODE: &str = "SANGER77";

async fn drive(app: &TestApp) -> Vec<String> {
    let admin = app.admin().await;
    let workshop = app.workshop(&admin).await;
    let session = app.session(&admin, workshop["id"].as_str().unwrap()).await;
    let session_id = session["id"].as_str().unwrap();
    let question = app.question(&admin, session_id, "problems").await;
    let question = question["id"].as_str().unwrap();
    let r = app
        .put(
            &format!("/api/v1/sessions/{session_id}/passcode"),
            Some(&admin),
            json!({"passcode": PASSCODE}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post(
            "/api/v1/join",
            None,
            json!({"code": session["join_code"], "group": "media", "name": NAME,
                   "consent": true, "passcode": PASSCODE}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let phone = r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    // A wrong passcode and a failed login are logged as events, without
    // what was typed.
    app.post(
        "/api/v1/join",
        None,
        json!({"code": session["join_code"], "group": "media", "consent": true, "passcode": "TEBAKAN1"}),
    )
    .await;
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": support::ADMIN_EMAIL, "password": "salah-tebak-sandi"}),
    )
    .await;
    let card = app.card(&phone, question, CARD).await;
    app.phase(&admin, question, "voting").await;
    assert_eq!(
        app.vote(&phone, card["id"].as_str().unwrap(), 1)
            .await
            .status(),
        StatusCode::OK
    );
    // An error path too: a vote over the budget.
    app.vote(&phone, card["id"].as_str().unwrap(), 99).await;
    let r = app
        .request(
            Method::DELETE,
            &format!("/api/v1/sessions/{session_id}/me"),
            Some(&phone),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    vec![
        admin,
        phone,
        ADMIN_PASSWORD.into(),
        "salah-tebak-sandi".into(),
        "TEBAKAN1".into(),
        PASSCODE.into(),
        CARD.into(),
        NAME.into(),
    ]
}

async fn run_with_log_level(level: &str) {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("rembuk.db");
    let log_path = dir.path().join("server.log");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = Command::new(BIN)
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &format!("sqlite://{}", db_path.display()),
        ])
        .env("REMBUK_LOG", level)
        .env_remove("DATABASE_URL")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while reqwest::get(format!("{base}/api/v1/openapi.json"))
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let app = TestApp::at(base, format!("sqlite://{}", db_path.display()));
    let secrets = drive(&app).await;
    server.kill().unwrap();
    server.wait().unwrap();

    let written = std::fs::read_to_string(&log_path).unwrap();
    // The log is really there and really covers the flow.
    assert!(written.contains("participant joined"), "{written}");
    assert!(written.contains("participant withdrew"), "{written}");
    for secret in &secrets {
        assert!(
            !written.contains(secret.as_str()),
            "the {level} log contains {secret:?}"
        );
    }
    eprintln!(
        "log at {level}: {} lines, {} secrets and personal words checked, 0 found",
        written.lines().count(),
        secrets.len()
    );
}

#[tokio::test]
async fn the_default_log_holds_no_tokens_passwords_card_texts_or_names() {
    run_with_log_level("info,sqlx=warn,tower_http=info").await;
}

#[tokio::test]
async fn the_debug_log_holds_none_either() {
    run_with_log_level("debug").await;
}
