//! Limits: every text, list and body has a maximum, the largest accepted
//! size is exactly that maximum and one more is refused with a clear
//! message; one phone flooding the API is slowed down without touching the
//! others; live streams per participant are capped.

mod support;

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Room, TestApp, assert_error, spawn_app, spawn_app_with};

/// What is limited, and how to send a request of size `n`.
#[derive(Clone, Copy, Debug)]
enum Case {
    CardText,
    DisplayName,
    WorkshopTitle,
    WorkshopPlace,
    SessionTitle,
    QuestionPrompt,
    HideReason,
    LeadOffice,
    GroupName,
    Passcode,
    IdempotencyKey,
    Answers,
    MergedCards,
    Groups,
    Dimensions,
    Password,
    RequestBody,
}

/// (case, unit, limit)
const LIMITS: &[(Case, &str, usize)] = &[
    (Case::CardText, "characters", 500),
    (Case::DisplayName, "characters", 60),
    (Case::WorkshopTitle, "characters", 120),
    (Case::WorkshopPlace, "characters", 120),
    (Case::SessionTitle, "characters", 120),
    (Case::QuestionPrompt, "characters", 300),
    (Case::HideReason, "characters", 200),
    (Case::LeadOffice, "characters", 120),
    (Case::GroupName, "characters", 80),
    (Case::Passcode, "characters", 12),
    (Case::IdempotencyKey, "characters", 128),
    (Case::Answers, "answer links", 10),
    (Case::MergedCards, "cards in a merge", 20),
    (Case::Groups, "groups", 10),
    (Case::Dimensions, "dimensions", 12),
    (Case::Password, "characters", 200),
    (Case::RequestBody, "bytes", 64 * 1024),
];

/// Text of `n` characters, two bytes each in UTF-8: limits count what a
/// person counts, not bytes.
fn text(n: usize) -> String {
    "ä".repeat(n)
}

struct Ctx {
    room: Room,
    ideas: String,
    /// Problem cards, enough for the longest list (the first one is
    /// hidden on the way).
    problems: Vec<String>,
    card: String,
    idea: String,
}

async fn prepare(app: &TestApp) -> Ctx {
    let room = app.room().await;
    let ideas = app.question(&room.admin, &room.session, "ideas").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let writer = app.join(&room.code, "media").await;
    let mut problems = vec![];
    for i in 0..22 {
        let c = app
            .card(&writer, &room.question, &format!("Masalah nomor {i}"))
            .await;
        problems.push(c["id"].as_str().unwrap().to_string());
    }
    let card = problems[0].clone();
    let idea = app.card(&writer, &ideas, "Layanan satu pintu").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    Ctx {
        room,
        ideas,
        problems,
        card,
        idea,
    }
}

/// Sends a request of size `n` for `case`; returns its status and body.
async fn attempt(app: &TestApp, ctx: &Ctx, case: Case, n: usize) -> (StatusCode, Value) {
    let admin = Some(ctx.room.admin.as_str());
    let w = &ctx.room.workshop;
    let r = match case {
        Case::CardText => {
            let phone = app.join(&ctx.room.code, "academia").await;
            app.post(
                &format!("/api/v1/questions/{}/cards", ctx.room.question),
                Some(&phone),
                json!({"text": text(n)}),
            )
            .await
        }
        Case::DisplayName => {
            app.post(
                "/api/v1/join",
                None,
                json!({"code": ctx.room.code, "group": "media", "consent": true, "name": text(n)}),
            )
            .await
        }
        Case::WorkshopTitle => {
            app.post("/api/v1/workshops", admin, json!({"title": text(n)}))
                .await
        }
        Case::WorkshopPlace => {
            app.post(
                "/api/v1/workshops",
                admin,
                json!({"title": "FGD", "place": text(n)}),
            )
            .await
        }
        Case::SessionTitle => {
            app.post(
                &format!("/api/v1/workshops/{w}/sessions"),
                admin,
                json!({"title": text(n)}),
            )
            .await
        }
        Case::QuestionPrompt => {
            app.post(
                &format!("/api/v1/sessions/{}/questions", ctx.room.session),
                admin,
                json!({"dimension": "economy", "kind": "problems", "prompt": text(n)}),
            )
            .await
        }
        Case::HideReason => {
            app.send(
                Method::PATCH,
                &format!("/api/v1/cards/{}", ctx.card),
                admin,
                json!({"hidden": true, "reason": text(n)}),
            )
            .await
        }
        Case::LeadOffice => {
            app.put(
                &format!("/api/v1/cards/{}/programme", ctx.idea),
                admin,
                json!({"horizon": "short", "lead_office": text(n)}),
            )
            .await
        }
        Case::GroupName => {
            // A fresh workshop: nobody uses its groups yet.
            let fresh = app.workshop(&ctx.room.admin).await;
            app.put(
                &format!("/api/v1/workshops/{}/groups", fresh["id"].as_str().unwrap()),
                admin,
                json!([{"name": text(n)}]),
            )
            .await
        }
        Case::Passcode => {
            let path = format!("/api/v1/sessions/{}/passcode", ctx.room.session);
            let r = app
                .put(&path, admin, json!({"passcode": "K".repeat(n)}))
                .await;
            // Let the next cases' phones in without it.
            app.put(&path, admin, json!({"passcode": null})).await;
            r
        }
        Case::IdempotencyKey => {
            let phone = app.join(&ctx.room.code, "academia").await;
            app.request(
                Method::POST,
                &format!("/api/v1/questions/{}/cards", ctx.room.question),
                Some(&phone),
            )
            .header("idempotency-key", "k".repeat(n))
            .json(&json!({"text": "Kartu dengan kunci"}))
            .send()
            .await
            .unwrap()
        }
        Case::Answers => {
            let phone = app.join(&ctx.room.code, "academia").await;
            app.post(
                &format!("/api/v1/questions/{}/cards", ctx.ideas),
                Some(&phone),
                json!({"kind": "idea", "text": "Satu gagasan", "answers": &ctx.problems[1..=n]}),
            )
            .await
        }
        Case::MergedCards => {
            app.post(
                "/api/v1/cards/merge",
                admin,
                json!({"cards": &ctx.problems[1..=n], "text": "Gabungan"}),
            )
            .await
        }
        Case::Groups => {
            let fresh = app.workshop(&ctx.room.admin).await;
            let groups: Vec<Value> = (0..n)
                .map(|i| json!({"name": format!("Kelompok {i}")}))
                .collect();
            app.put(
                &format!("/api/v1/workshops/{}/groups", fresh["id"].as_str().unwrap()),
                admin,
                json!(groups),
            )
            .await
        }
        Case::Dimensions => {
            let fresh = app.workshop(&ctx.room.admin).await;
            let dims: Vec<Value> = (0..n)
                .map(|i| json!({"name": format!("Dimensi {i}")}))
                .collect();
            app.put(
                &format!(
                    "/api/v1/workshops/{}/dimensions",
                    fresh["id"].as_str().unwrap()
                ),
                admin,
                json!(dims),
            )
            .await
        }
        Case::Password => {
            app.post(
                "/api/v1/users",
                admin,
                json!({"email": format!("staf{n}@acehselatankab.go.id"), "role": "facilitator",
                       "password": "p".repeat(n)}),
            )
            .await
        }
        Case::RequestBody => {
            // A JSON body of exactly n bytes: the body layer lets the
            // limit through (the card is then too long: 422) and refuses
            // one byte more (413).
            let phone = app.join(&ctx.room.code, "academia").await;
            let frame = json!({"text": ""}).to_string().len();
            let body = json!({"text": "a".repeat(n - frame)}).to_string();
            assert_eq!(body.len(), n);
            app.request(
                Method::POST,
                &format!("/api/v1/questions/{}/cards", ctx.room.question),
                Some(&phone),
            )
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
        }
    };
    let status = r.status();
    let body = r.json().await.unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test]
async fn the_largest_accepted_size_is_the_limit_and_one_more_gets_a_clear_4xx() {
    let app = spawn_app().await;
    let ctx = prepare(&app).await;
    let mut table = vec![];
    for &(case, unit, limit) in LIMITS {
        let (at, body) = attempt(&app, &ctx, case, limit).await;
        let over = attempt(&app, &ctx, case, limit + 1).await;
        let body_case = matches!(case, Case::RequestBody);
        if body_case {
            // The body layer accepted it; the card's own limit refused it.
            assert_ne!(at, StatusCode::PAYLOAD_TOO_LARGE, "{case:?} at the limit");
            assert_error_body(&over.1, "too_large");
            assert_eq!(over.0, StatusCode::PAYLOAD_TOO_LARGE);
        } else {
            assert!(
                at.is_success(),
                "{case:?} at its limit {limit}: {at} {body}"
            );
            assert_eq!(
                over.0,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{case:?}: {}",
                over.1
            );
            assert_error_body(&over.1, "invalid");
            let message = over.1["error"]["message"].as_str().unwrap();
            // The message says the limit, as a person reads numbers.
            let shown = limit.to_string();
            let grouped = format!("{}.{:03}", limit / 1000, limit % 1000);
            assert!(
                message.contains(&shown) || message.contains(&grouped),
                "{case:?}: {message}"
            );
        }
        table.push(format!(
            "{case:?}: limit {limit} {unit}, largest accepted {limit}, {} refused with {}",
            limit + 1,
            over.0.as_u16()
        ));
    }
    eprintln!("limits inventory:\n  {}", table.join("\n  "));
}

fn assert_error_body(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn a_flooding_phone_is_slowed_and_the_rest_of_the_room_is_not() {
    let app = spawn_app().await;
    let room = app.room().await;
    let writer = app.join(&room.code, "media").await;
    let mut cards = vec![];
    for i in 0..5 {
        let c = app
            .card(&writer, &room.question, &format!("Kartu {i}"))
            .await;
        cards.push(c["id"].as_str().unwrap().to_string());
    }
    app.phase(&room.admin, &room.question, "voting").await;
    let mut others = vec![];
    for _ in 0..20 {
        others.push(app.join(&room.code, "academia").await);
    }
    let flooder = app.join(&room.code, "business").await;

    let flood = {
        let (app, card, flooder) = (
            TestApp::at(app.base.clone(), app.database_url.clone()),
            cards[0].clone(),
            flooder.clone(),
        );
        tokio::spawn(async move {
            let started = Instant::now();
            let (mut ok, mut limited, mut waits) = (0u32, 0u32, vec![]);
            for i in 0..300 {
                let r = app.vote(&flooder, &card, i % 2).await;
                match r.status() {
                    StatusCode::OK => ok += 1,
                    StatusCode::TOO_MANY_REQUESTS => {
                        limited += 1;
                        waits.push(
                            r.headers()["retry-after"]
                                .to_str()
                                .unwrap()
                                .parse::<u32>()
                                .unwrap(),
                        );
                    }
                    other => panic!("flood: {other}"),
                }
            }
            (ok, limited, waits, started.elapsed())
        })
    };
    // Meanwhile the room votes as usual: three dots each.
    let mut latencies = vec![];
    let app = &app;
    for round in 0..3 {
        let calls = others.iter().map(|phone| {
            let card = &cards[1 + round];
            async move {
                let started = Instant::now();
                let status = app.vote(phone, card, 1).await.status();
                (status, started.elapsed())
            }
        });
        for (status, took) in futures::future::join_all(calls).await {
            assert_eq!(status, StatusCode::OK, "a participant next to the flood");
            latencies.push(took);
        }
    }
    let (ok, limited, waits, took) = flood.await.unwrap();
    assert!(limited > 0, "300 votes in {took:?} must meet the limit");
    assert!(waits.iter().all(|w| *w >= 1));
    let allowed = 60.0 + 5.0 * took.as_secs_f64() + 1.0;
    assert!(
        f64::from(ok) <= allowed,
        "{ok} accepted, at most {allowed:.0} allowed"
    );
    latencies.sort();
    let p99 = latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)];
    eprintln!(
        "flood: one token sent 300 votes in {took:?}: {ok} accepted, {limited} refused (429); \
         {} votes of 20 other phones meanwhile: all accepted, p99 {p99:?}",
        latencies.len()
    );
}

#[tokio::test]
async fn one_session_cannot_take_all_the_writes_of_the_server() {
    let app = spawn_app_with(|c| {
        c.rate_limits.session = rembuk_service::Rate {
            burst: 10,
            per_second: 0.01,
        };
    })
    .await;
    let room = app.room().await;
    let phones = [
        app.join(&room.code, "media").await,
        app.join(&room.code, "academia").await,
    ];
    for i in 0..10 {
        app.card(&phones[i % 2], &room.question, &format!("Kartu {i}"))
            .await;
    }
    let r = app
        .post(
            &format!("/api/v1/questions/{}/cards", room.question),
            Some(&phones[0]),
            json!({"text": "Satu lagi"}),
        )
        .await;
    assert_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Another session on the same server is not affected.
    let other = app.session(&room.admin, &room.workshop).await;
    let q = app
        .question(&room.admin, other["id"].as_str().unwrap(), "problems")
        .await;
    let phone = app
        .join(other["join_code"].as_str().unwrap(), "media")
        .await;
    app.card(&phone, q["id"].as_str().unwrap(), "Sesi lain tetap jalan")
        .await;
}

#[tokio::test]
async fn a_participant_holds_at_most_four_live_streams() {
    let app = spawn_app().await;
    let room = app.room().await;
    let phone = app.join(&room.code, "media").await;
    let path = format!("/api/v1/sessions/{}/events", room.session);
    let open = || app.request(Method::GET, &path, Some(&phone)).send();
    let mut streams = vec![];
    for _ in 0..4 {
        let r = open().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        streams.push(r);
    }
    let body = assert_error(
        open().await.unwrap(),
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_streams",
    )
    .await;
    assert!(body["error"]["message"].as_str().unwrap().contains('4'));
    // Another phone is not affected.
    let other = app.join(&room.code, "media").await;
    let r = app
        .request(Method::GET, &path, Some(&other))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Closing a tab frees its place.
    drop(streams.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = open().await.unwrap();
        if r.status() == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a closed stream was never released"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Another program holds the SQLite file's write lock (a backup tool, a
/// second server started on the same file by mistake) for longer than the
/// server waits for it. A vote (a grouped write) and a card (a write of its
/// own) get a 503 `unavailable` that says, in the caller's language and in
/// `Retry-After`, when to send them again, and nothing is half written.
/// Sent again once the lock is gone, both go through, and the card's
/// idempotency key keeps it one card.
#[tokio::test]
async fn a_busy_database_asks_for_the_write_again_and_keeps_nothing_half_done() {
    use sqlx::{ConnectOptions, Connection};

    let app = support::spawn_sqlite_app().await;
    let room = app.room().await;
    let phone = app.join(&room.code, "media").await;
    let card = app.card(&phone, &room.question, "Jalan rusak").await;
    let card_id = card["id"].as_str().unwrap().to_string();
    app.phase(&room.admin, &room.question, "voting").await;
    let second = app.question(&room.admin, &room.session, "problems").await;
    let cards = format!("/api/v1/questions/{}/cards", second["id"].as_str().unwrap());
    let new_card = || {
        app.request(Method::POST, &cards, Some(&phone))
            .header("idempotency-key", "busy-1")
            .json(&json!({"text": "Air bersih"}))
            .send()
    };

    let options: sqlx::sqlite::SqliteConnectOptions = app.database_url.parse().unwrap();
    let mut holder = options.connect().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .unwrap();
    // In Indonesian, the phone's language; the card in English (the tests'
    // default).
    let vote = app
        .client
        .put(app.url(&format!("/api/v1/cards/{card_id}/vote")))
        .bearer_auth(&phone)
        .header("accept-language", "id")
        .json(&json!({"dots": 1}))
        .send();
    let (vote, posted) = tokio::join!(vote, new_card());
    for (r, message) in [
        (
            vote.unwrap(),
            "Server sedang sibuk; kiriman Anda belum tersimpan. Coba lagi dalam 2 detik.",
        ),
        (
            posted.unwrap(),
            "The server is busy; what you sent is not saved yet. Try again in 2 seconds.",
        ),
    ] {
        assert_eq!(
            r.headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("2")
        );
        let body = assert_error(r, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
        assert_eq!(body["error"]["message"], message, "{body}");
    }
    holder.close().await.unwrap();

    async fn snapshot(app: &TestApp, room: &Room) -> Value {
        let r = app
            .get(
                &format!("/api/v1/sessions/{}", room.session),
                Some(&room.admin),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }
    let before = snapshot(&app, &room).await;
    let texts = |s: &Value| -> Vec<String> {
        s["cards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["text"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(texts(&before), ["Jalan rusak"]);
    assert_eq!(before["cards"][0]["dots"], 0);

    let r = app.vote(&phone, &card_id, 1).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    for _ in 0..2 {
        let r = new_card().await.unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
    let after = snapshot(&app, &room).await;
    let mut got = texts(&after);
    got.sort();
    assert_eq!(got, ["Air bersih", "Jalan rusak"]);
    let voted = after["cards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == card_id.as_str())
        .unwrap();
    assert_eq!(voted["dots"], 1);
}
