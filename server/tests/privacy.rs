//! Personal data (UU No. 27/2022): consent recorded with its version,
//! withdrawal from the phone, the workshop's choice for withdrawn cards,
//! the retention date and `rembuk purge`, and the join passcode.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::{AnyConnection, Connection};
use support::{TestApp, assert_error, spawn_app};

const BIN: &str = env!("CARGO_BIN_EXE_rembuk");

async fn db(app: &TestApp) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(&app.database_url).await.unwrap()
}

async fn join_named(app: &TestApp, code: &str, name: &str) -> String {
    let r = app
        .post(
            "/api/v1/join",
            None,
            json!({"code": code, "group": "academia", "name": name, "consent": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .into()
}

async fn snapshot(app: &TestApp, token: &str, session: &str) -> Value {
    app.get(&format!("/api/v1/sessions/{session}"), Some(token))
        .await
        .json()
        .await
        .unwrap()
}

async fn withdraw(app: &TestApp, token: Option<&str>, session: &str) -> reqwest::Response {
    app.request(
        reqwest::Method::DELETE,
        &format!("/api/v1/sessions/{session}/me"),
        token,
    )
    .send()
    .await
    .unwrap()
}

fn card_in<'a>(snapshot: &'a Value, id: &str) -> Option<&'a Value> {
    snapshot["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
}

#[tokio::test]
async fn consent_is_stored_with_the_version_of_the_text_shown() {
    let app = spawn_app().await;
    let room = app.room().await;
    join_named(&app, &room.code, "Cut Nyak").await;
    let (version, at): (String, i64) =
        sqlx::query_as("SELECT consent_version, consented_at FROM participants")
            .fetch_one(&mut db(&app).await)
            .await
            .unwrap();
    assert_eq!(version, rembuk_domain::session::CONSENT_VERSION);
    assert!(at > 0);
}

#[tokio::test]
async fn a_participant_withdraws_and_their_cards_stay_tied_to_nobody() {
    let app = spawn_app().await;
    let room = app.room().await;
    // A second question, closed after the participant voted on it.
    let closed = app.question(&room.admin, &room.session, "problems").await;
    let closed = closed["id"].as_str().unwrap();
    let leaver = join_named(&app, &room.code, "Teuku Umar").await;
    let stayer = app.join(&room.code, "academia").await;

    let mine = app
        .card(&leaver, &room.question, "Jalan desa rusak parah")
        .await;
    let theirs = app.card(&stayer, &room.question, "Air bersih sulit").await;
    let old = app
        .card(&stayer, closed, "Internet lambat di kantor camat")
        .await;
    app.phase(&room.admin, &room.question, "voting").await;
    app.phase(&room.admin, closed, "voting").await;
    let (mine, theirs, old) = (
        mine["id"].as_str().unwrap(),
        theirs["id"].as_str().unwrap(),
        old["id"].as_str().unwrap(),
    );
    assert_eq!(app.vote(&leaver, theirs, 2).await.status(), StatusCode::OK);
    assert_eq!(app.vote(&leaver, old, 1).await.status(), StatusCode::OK);
    assert_eq!(app.vote(&stayer, mine, 1).await.status(), StatusCode::OK);
    app.phase(&room.admin, closed, "closed").await;

    let r = withdraw(&app, Some(&leaver), &room.session).await;
    assert_eq!(r.status(), StatusCode::OK);
    let withdrawn: Value = r.json().await.unwrap();
    assert_eq!(
        withdrawn,
        json!({"cards_kept": 1, "cards_removed": 0, "votes_removed": 1})
    );

    // The card stays, with the stayer's dot; the open question's dots of
    // the leaver are gone, the closed question's dot still counts.
    let s = snapshot(&app, &room.admin, &room.session).await;
    assert_eq!(card_in(&s, mine).unwrap()["dots"], 1);
    assert_eq!(card_in(&s, theirs).unwrap()["dots"], 0);
    assert_eq!(card_in(&s, old).unwrap()["dots"], 1);
    let academia = s["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "academia")
        .unwrap();
    assert_eq!(academia["count"], 1, "the leaver no longer counts");

    // The phone is no longer that participant.
    assert_error(
        app.vote(&leaver, theirs, 1).await,
        StatusCode::FORBIDDEN,
        "not_joined",
    )
    .await;
    // Nothing in the database ties anything to the leaver any more.
    let mut conn = db(&app).await;
    let named: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM participants WHERE display_name = 'Teuku Umar'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(named, 0);
    let linked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM cards WHERE id = $1 AND participant_id IS NOT NULL",
    )
    .bind(mine)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(linked, 0);
    // The row that keeps the closed vote's group has no device link.
    let rows: Vec<(Option<String>, String)> = sqlx::query_as(
        "SELECT display_name, token_hash FROM participants WHERE withdrawn_at IS NOT NULL",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, None);
    assert!(rows[0].1.starts_with("withdrawn:"));

    // The moderation record says it happened, naming nobody.
    let log: Value = app
        .get(
            &format!("/api/v1/sessions/{}/audit", room.session),
            Some(&room.admin),
        )
        .await
        .json()
        .await
        .unwrap();
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "withdrawal")
        .expect("a withdrawal entry");
    assert_eq!(entry["actor"], "participant");

    // The device may join again, as a new participant.
    let r = app
        .post(
            "/api/v1/join",
            Some(&leaver),
            json!({"code": room.code, "group": "media", "consent": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_workshop_can_have_withdrawn_cards_removed() {
    let app = spawn_app().await;
    let room = app.room().await;
    let r = app
        .put(
            &format!("/api/v1/workshops/{}/privacy", room.workshop),
            Some(&room.admin),
            json!({"withdrawn_cards": "remove", "retain_until": "2027-06-30"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let leaver = app.join(&room.code, "media").await;
    let stayer = app.join(&room.code, "business").await;
    let card = app
        .card(&leaver, &room.question, "Sampah menumpuk di pasar")
        .await;
    let card = card["id"].as_str().unwrap();
    // From the snapshot's number on, as a phone opens its stream: a stream
    // opened without one starts from whenever it first runs, and the
    // withdrawal below may already be behind that.
    let seq = snapshot(&app, &room.admin, &room.session).await["seq"]
        .as_u64()
        .unwrap();
    let events = app
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/sessions/{}/events?after={seq}", room.session),
            Some(&stayer),
        )
        .send()
        .await
        .unwrap();

    let r = withdraw(&app, Some(&leaver), &room.session).await;
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"cards_kept": 0, "cards_removed": 1, "votes_removed": 0})
    );
    // The other phones see the card go, live.
    let seen = support::read_sse(events, |evs| {
        evs.iter()
            .any(|e| e.data["type"] == "card_removed" && e.data["card_id"] == card)
    })
    .await;
    assert!(!seen.is_empty());
    let s = snapshot(&app, &room.admin, &room.session).await;
    assert!(card_in(&s, card).is_none());
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cards")
        .fetch_one(&mut db(&app).await)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn privacy_settings_are_checked() {
    let app = spawn_app().await;
    let room = app.room().await;
    let path = format!("/api/v1/workshops/{}/privacy", room.workshop);
    // The test workshop ends on 2026-12-02.
    assert_error(
        app.put(
            &path,
            Some(&room.admin),
            json!({"withdrawn_cards": "keep", "retain_until": "2026-12-01"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
    assert_error(
        app.put(
            &path,
            Some(&room.admin),
            json!({"withdrawn_cards": "shred"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
    let w: Value = app
        .put(
            &path,
            Some(&room.admin),
            json!({"withdrawn_cards": "keep", "retain_until": ""}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(w["privacy"]["retain_until"], Value::Null);
    // Withdrawing needs a participant of the session.
    assert_error(
        withdraw(&app, None, &room.session).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

async fn report(app: &TestApp, admin: &str, workshop: &str) -> Value {
    app.get(
        &format!("/api/v1/workshops/{workshop}/report?format=json"),
        Some(admin),
    )
    .await
    .json()
    .await
    .unwrap()
}

fn purge(app: &TestApp, extra: &[&str]) -> std::process::Output {
    purge_in(app, "en_US.UTF-8", extra)
}

/// `rembuk purge` on a terminal whose locale is `locale`.
fn purge_in(app: &TestApp, locale: &str, extra: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN)
        .arg("purge")
        .args(extra)
        .args(["--database-url", &app.database_url])
        .env("REMBUK_LOG", "error")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", locale)
        .output()
        .unwrap()
}

#[tokio::test]
async fn purge_removes_names_and_device_links_after_the_retention_date_and_keeps_results() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    // A workshop without dates may take any retention date, even a past one.
    let w: Value = app
        .post(
            "/api/v1/workshops",
            Some(&admin),
            json!({"title": "FGD lama", "language": "id"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let workshop = w["id"].as_str().unwrap().to_string();
    let session = app.session(&admin, &workshop).await;
    let question = app
        .question(&admin, session["id"].as_str().unwrap(), "problems")
        .await;
    let phone = join_named(&app, session["join_code"].as_str().unwrap(), "Laksamana").await;
    let card = app
        .card(
            &phone,
            question["id"].as_str().unwrap(),
            "Pelabuhan perlu diperbaiki",
        )
        .await;
    app.phase(&admin, question["id"].as_str().unwrap(), "voting")
        .await;
    app.vote(&phone, card["id"].as_str().unwrap(), 1).await;
    let before = report(&app, &admin, &workshop).await;

    // Not before the retention date.
    let out = purge(&app, &["--workshop", &workshop]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no date until which personal data is kept"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = app
        .put(
            &format!("/api/v1/workshops/{workshop}/privacy"),
            Some(&admin),
            json!({"withdrawn_cards": "keep", "retain_until": "2020-01-31"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    let out = purge(&app, &["--dry-run"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("would purge {workshop}")));
    let out = purge_in(&app, "id_ID.UTF-8", &["--dry-run"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("akan dihapus: data pribadi {workshop} \"FGD lama\"\n")
    );
    let names: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM participants WHERE display_name IS NOT NULL")
            .fetch_one(&mut db(&app).await)
            .await
            .unwrap();
    assert_eq!(names, 1, "a dry run changes nothing");

    let out = purge(&app, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("the name and device links of 1 participant removed"),
        "{stdout}"
    );
    let mut conn = db(&app).await;
    let (names, links): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(display_name),
                CAST(SUM(CASE WHEN token_hash LIKE 'purged:%' THEN 0 ELSE 1 END) AS BIGINT)
         FROM participants",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!((names, links), (0, 0));
    // The phone is nobody now; the results are unchanged.
    assert_eq!(
        app.vote(&phone, card["id"].as_str().unwrap(), 0)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let after = report(&app, &admin, &workshop).await;
    assert_eq!(before["dimensions"], after["dimensions"]);
    let w: Value = app
        .get(&format!("/api/v1/workshops/{workshop}"), Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert!(w["privacy"]["purged_at"].is_string());
    // Once is enough.
    let out = purge(&app, &[]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("no workshop is past its retention date")
    );
    let out = purge_in(&app, "C.UTF-8", &[]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "tidak ada lokakarya yang melewati tanggal batas penyimpanan datanya\n"
    );
}

#[tokio::test]
async fn a_session_passcode_keeps_out_newcomers_who_do_not_know_it() {
    let app = spawn_app().await;
    let room = app.room().await;
    let early = app.join(&room.code, "media").await;
    let path = format!("/api/v1/sessions/{}/passcode", room.session);
    assert_error(
        app.put(&path, Some(&room.admin), json!({"passcode": "ab!"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;
    let s: Value = app
        .put(&path, Some(&room.admin), json!({"passcode": "kopi-26"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["passcode"], "KOPI26");

    let info: Value = app
        .get(&format!("/api/v1/join/{}", room.code), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["passcode_required"], true);
    let join = |passcode: Value| {
        app.post(
            "/api/v1/join",
            None,
            json!({"code": room.code, "group": "media", "consent": true, "passcode": passcode}),
        )
    };
    let body = assert_error(
        join(Value::Null).await,
        StatusCode::FORBIDDEN,
        "wrong_passcode",
    )
    .await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("Kata sandi sesi salah") || message.contains("Wrong session passcode"),
        "{message}"
    );
    assert_error(
        join(json!("KOPI27")).await,
        StatusCode::FORBIDDEN,
        "wrong_passcode",
    )
    .await;
    assert_eq!(join(json!("kopi 26")).await.status(), StatusCode::CREATED);
    // Who joined before the passcode stays in, and may change group.
    let r = app
        .post(
            "/api/v1/join",
            Some(&early),
            json!({"code": room.code, "group": "business", "consent": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Staff see the passcode (to tell the room); participants do not.
    assert_eq!(
        snapshot(&app, &room.admin, &room.session).await["session"]["passcode"],
        "KOPI26"
    );
    assert_eq!(
        snapshot(&app, &early, &room.session).await["session"]["passcode"],
        Value::Null
    );

    // Guessing is slowed down: 50 wrong tries, then a wait, even for the
    // right passcode.
    for _ in 0..48 {
        assert_eq!(join(json!("SALAH1")).await.status(), StatusCode::FORBIDDEN);
    }
    let r = join(json!("KOPI26")).await;
    assert_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;

    // Clearing it opens the door again.
    let s: Value = app
        .put(&path, Some(&room.admin), json!({"passcode": null}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["passcode"], Value::Null);
    assert_eq!(join(Value::Null).await.status(), StatusCode::CREATED);
}
