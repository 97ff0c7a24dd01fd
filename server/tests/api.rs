//! The public JSON API, over real HTTP against the real app and a fresh
//! database per test.

mod support;

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{ADMIN_EMAIL, ADMIN_PASSWORD, assert_error, read_sse, spawn_app, spawn_app_with};

#[tokio::test]
async fn login_returns_a_bearer_token_and_sets_a_cookie() {
    let app = spawn_app().await;
    app.admin().await;
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.starts_with("rembuk_s=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let body: Value = r.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    assert!(token.starts_with("rbs_") && token.len() >= 40);
    let me: Value = app
        .get("/api/v1/auth/me", Some(token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], ADMIN_EMAIL);
    assert_eq!(me["role"], "admin");

    let wrong = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": ADMIN_EMAIL, "password": "wrong-password"}),
        )
        .await;
    let body = assert_error(wrong, StatusCode::UNAUTHORIZED, "bad_credentials").await;
    assert_eq!(body["error"]["message"], "Wrong email or password.");
}

#[tokio::test]
async fn setup_happens_once() {
    let app = spawn_app().await;
    app.admin().await;
    let again = app
        .post(
            "/api/v1/setup",
            None,
            json!({"email": "x@example.id", "password": "another-password"}),
        )
        .await;
    assert_error(again, StatusCode::CONFLICT, "already_set_up").await;
}

#[tokio::test]
async fn a_workshop_comes_with_the_six_dimensions_and_can_be_read_back() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = app.workshop(&admin).await;
    let keys: Vec<&str> = w["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "governance",
            "branding",
            "economy",
            "living",
            "society",
            "environment"
        ]
    );
    assert_eq!(w["dimensions"][0]["name"], "Tata Kelola Cerdas");
    assert_eq!(
        w["dimensions"][0]["sub_elements"].as_array().unwrap().len(),
        3
    );
    let groups: Vec<&str> = w["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        groups,
        ["government", "academia", "business", "community", "media"]
    );
    let id = w["id"].as_str().unwrap();
    let read: Value = app
        .get(&format!("/api/v1/workshops/{id}"), Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read, w);
    let list: Value = app
        .get("/api/v1/workshops", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["session_count"], 0);
}

#[tokio::test]
async fn sessions_get_a_six_digit_code_a_join_link_and_a_qr_code() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = app.workshop(&admin).await;
    let s = app.session(&admin, w["id"].as_str().unwrap()).await;
    let code = s["join_code"].as_str().unwrap();
    assert_eq!(code.len(), 6);
    assert!(code.chars().all(|c| c.is_ascii_digit()) && !code.starts_with('0'));
    let host = app.base.trim_start_matches("http://");
    assert_eq!(s["join_url"], format!("http://{host}/j/{code}"));
    let qr = app.get(s["qr_url"].as_str().unwrap(), Some(&admin)).await;
    assert_eq!(qr.status(), StatusCode::OK);
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));
    let info: Value = app
        .get(&format!("/api/v1/join/{code}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["session_title"], "Hari 1");
    assert_eq!(info["groups"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn questions_carry_a_dimension_a_kind_and_a_budget() {
    let app = spawn_app().await;
    let room = app.room().await;
    let q = app
        .post(
            &format!("/api/v1/sessions/{}/questions", room.session),
            Some(&room.admin),
            json!({"dimension": "living", "prompt": "Gagasan untuk kesehatan?", "kind": "ideas", "vote_budget": 5}),
        )
        .await;
    assert_eq!(q.status(), StatusCode::CREATED);
    let q: Value = q.json().await.unwrap();
    assert_eq!(
        (
            q["dimension"].as_str(),
            q["kind"].as_str(),
            q["vote_budget"].as_u64()
        ),
        (Some("living"), Some("ideas"), Some(5))
    );
    assert_eq!(q["phase"], "collecting");
    assert_eq!(q["sub_element"], Value::Null);
    let bad = app
        .post(
            &format!("/api/v1/sessions/{}/questions", room.session),
            Some(&room.admin),
            json!({"dimension": "space", "prompt": "Apa?", "kind": "ideas"}),
        )
        .await;
    let body = assert_error(bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(body["error"]["field"], "dimension");
    let default_budget: Value = app
        .get(
            &format!("/api/v1/sessions/{}", room.session),
            Some(&room.admin),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(default_budget["questions"][0]["vote_budget"], 3);
}

#[tokio::test]
async fn a_participant_joins_writes_votes_and_sees_the_snapshot() {
    let app = spawn_app().await;
    let room = app.room().await;
    let r = app
        .post(
            "/api/v1/join",
            None,
            json!({"code": room.code, "group": "academia", "name": "Bu Rina", "consent": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("rembuk_p=")
    );
    let joined: Value = r.json().await.unwrap();
    assert_eq!(joined["session_id"], room.session.as_str());
    let token = joined["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("rbp_"));

    let card = app
        .card(
            &token,
            &room.question,
            "Antrean KTP di kecamatan sangat panjang",
        )
        .await;
    assert_eq!(card["kind"], "problem");
    assert_eq!(card["group"], "academia");
    assert_eq!(card["dots"], 0);
    app.phase(&room.admin, &room.question, "voting").await;
    let v = app.vote(&token, card["id"].as_str().unwrap(), 2).await;
    assert_eq!(v.status(), StatusCode::OK);
    let v: Value = v.json().await.unwrap();
    assert_eq!(
        (
            v["dots"].as_u64(),
            v["total"].as_u64(),
            v["remaining"].as_u64()
        ),
        (Some(2), Some(2), Some(1))
    );

    let snap: Value = app
        .get(&format!("/api/v1/sessions/{}", room.session), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(snap["cards"][0]["dots"], 2);
    assert_eq!(snap["me"]["votes"][0]["dots"], 2);
    assert_eq!(snap["me"]["participant"]["group"], "academia");
    assert_eq!(
        snap["participants"][0],
        json!({"group": "academia", "count": 1})
    );
    assert!(snap["seq"].as_u64().unwrap() >= 4);
    // Cards never reveal who wrote them.
    assert!(snap["cards"][0].get("participant_id").is_none());
    assert!(!snap["cards"].to_string().contains("Bu Rina"));
}

#[tokio::test]
async fn rejoining_with_the_same_token_keeps_the_same_participant() {
    let app = spawn_app().await;
    let room = app.room().await;
    let first: Value = app
        .post(
            "/api/v1/join",
            None,
            json!({"code": room.code, "group": "media", "consent": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    let token = first["token"].as_str().unwrap();
    let again = app
        .post(
            "/api/v1/join",
            Some(token),
            json!({"code": room.code, "group": "business", "consent": true}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["participant_id"], first["participant_id"]);
    assert_eq!(again["token"], first["token"]);
    assert_eq!(again["group"], "business");
}

#[tokio::test]
async fn joining_explains_a_wrong_code_group_or_missing_consent() {
    let app = spawn_app().await;
    let room = app.room().await;
    let r = app
        .post(
            "/api/v1/join",
            None,
            json!({"code": "999999", "group": "media", "consent": true}),
        )
        .await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = app
        .post(
            "/api/v1/join",
            None,
            json!({"code": "12", "group": "media", "consent": true}),
        )
        .await;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let r = app
        .post(
            "/api/v1/join",
            None,
            json!({"code": room.code, "group": "aliens", "consent": true}),
        )
        .await;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let r = app
        .post(
            "/api/v1/join",
            None,
            json!({"code": room.code, "group": "media", "consent": false}),
        )
        .await;
    let body = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(body["error"]["problem"], "must_accept");
}

#[tokio::test]
async fn over_budget_is_a_409_with_a_clear_message() {
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "community").await;
    let a = app.card(&p, &room.question, "Jalan rusak di Kluet").await;
    let b = app.card(&p, &room.question, "Banjir di Tapaktuan").await;
    app.phase(&room.admin, &room.question, "voting").await;
    assert_eq!(
        app.vote(&p, a["id"].as_str().unwrap(), 3).await.status(),
        StatusCode::OK
    );
    let r = app.vote(&p, b["id"].as_str().unwrap(), 1).await;
    let body = assert_error(r, StatusCode::CONFLICT, "over_budget").await;
    assert_eq!(
        body["error"]["message"],
        "Not enough votes: each participant has 3 votes for this question, 0 left. Take votes back from another card first."
    );
    // Taking votes back frees them.
    assert_eq!(
        app.vote(&p, a["id"].as_str().unwrap(), 0).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.vote(&p, b["id"].as_str().unwrap(), 3).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn fifty_concurrent_identical_votes_are_counted_once() {
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "media").await;
    let card = app
        .card(&p, &room.question, "Sampah plastik di pantai")
        .await;
    let card_id = card["id"].as_str().unwrap().to_string();
    app.phase(&room.admin, &room.question, "voting").await;
    let requests = (0..50).map(|_| app.vote(&p, &card_id, 1));
    let responses = futures::future::join_all(requests).await;
    for r in responses {
        assert_eq!(r.status(), StatusCode::OK);
    }
    let snap: Value = app
        .get(
            &format!("/api/v1/sessions/{}", room.session),
            Some(&room.admin),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(snap["cards"][0]["dots"], 1);
}

#[tokio::test]
async fn a_retried_card_with_the_same_idempotency_key_is_one_card() {
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "government").await;
    let path = format!("/api/v1/questions/{}/cards", room.question);
    let send = || {
        app.request(Method::POST, &path, Some(&p))
            .header("Idempotency-Key", "phone-7f3a-1")
            .json(&json!({"text": "Sinyal lemah di Kluet Tengah"}))
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let retry = send().await.unwrap();
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let retry: Value = retry.json().await.unwrap();
    assert_eq!(first, retry);
    let concurrent = futures::future::join_all((0..10).map(|_| send())).await;
    let ids: HashSet<String> = futures::future::join_all(
        concurrent
            .into_iter()
            .map(|r| async { r.unwrap().json::<Value>().await.unwrap()["id"].to_string() }),
    )
    .await
    .into_iter()
    .collect();
    assert_eq!(ids.len(), 1);
    let snap: Value = app
        .get(&format!("/api/v1/sessions/{}", room.session), Some(&p))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(snap["cards"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn ideas_point_at_the_problems_they_answer() {
    let app = spawn_app().await;
    let room = app.room().await;
    let ideas = app.question(&room.admin, &room.session, "ideas").await;
    let p = app.join(&room.code, "academia").await;
    let problem = app
        .card(&p, &room.question, "Data penduduk tidak sinkron")
        .await;
    let r = app
        .post(
            &format!("/api/v1/questions/{}/cards", ideas["id"].as_str().unwrap()),
            Some(&p),
            json!({"kind": "idea", "text": "Satu data desa", "answers": [problem["id"]]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let idea: Value = r.json().await.unwrap();
    assert_eq!(idea["answers"], json!([problem["id"]]));
    let r = app
        .post(
            &format!("/api/v1/questions/{}/cards", room.question),
            Some(&p),
            json!({"kind": "idea", "text": "Salah tempat"}),
        )
        .await;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
}

#[tokio::test]
async fn phases_gate_cards_and_votes() {
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "business").await;
    let card = app.card(&p, &room.question, "Pasar kumuh").await;
    let r = app.vote(&p, card["id"].as_str().unwrap(), 1).await;
    let body = assert_error(r, StatusCode::CONFLICT, "phase_forbids").await;
    assert_eq!(
        body["error"]["message"],
        "Voting is not open while the question is in the collecting cards phase."
    );
    app.phase(&room.admin, &room.question, "voting").await;
    let r = app
        .post(
            &format!("/api/v1/questions/{}/cards", room.question),
            Some(&p),
            json!({"text": "Terlambat"}),
        )
        .await;
    assert_error(r, StatusCode::CONFLICT, "phase_forbids").await;
    app.phase(&room.admin, &room.question, "closed").await;
    let r = app.vote(&p, card["id"].as_str().unwrap(), 1).await;
    assert_error(r, StatusCode::CONFLICT, "phase_forbids").await;
    let r = app
        .put(
            &format!("/api/v1/questions/{}/phase", room.question),
            Some(&room.admin),
            json!({"phase": "later"}),
        )
        .await;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
}

#[tokio::test]
async fn a_participant_token_on_a_facilitator_route_is_403() {
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "media").await;
    let checks = [
        app.post(
            &format!("/api/v1/sessions/{}/questions", room.session),
            Some(&p),
            json!({"dimension": "governance", "prompt": "Hijack?", "kind": "problems"}),
        )
        .await,
        app.put(
            &format!("/api/v1/questions/{}/phase", room.question),
            Some(&p),
            json!({"phase": "closed"}),
        )
        .await,
        app.post(
            &format!("/api/v1/workshops/{}/sessions", room.workshop),
            Some(&p),
            json!({"title": "Sesi palsu"}),
        )
        .await,
        app.get(&format!("/api/v1/workshops/{}", room.workshop), Some(&p))
            .await,
        app.post(
            "/api/v1/workshops",
            Some(&p),
            json!({"title": "Lokakarya palsu"}),
        )
        .await,
        app.get("/api/v1/users", Some(&p)).await,
    ];
    for r in checks {
        assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    }
    // Without any token it is 401.
    let r = app
        .put(
            &format!("/api/v1/questions/{}/phase", room.question),
            None,
            json!({"phase": "closed"}),
        )
        .await;
    assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn staff_reach_only_what_their_role_and_workshops_allow() {
    let app = spawn_app().await;
    let room = app.room().await;
    let other = app
        .staff(&room.admin, "lain@example.id", "facilitator")
        .await;
    let secretariat = app
        .staff(&room.admin, "sekretariat@example.id", "secretariat")
        .await;
    let r = app
        .put(
            &format!("/api/v1/questions/{}/phase", room.question),
            Some(&other),
            json!({"phase": "voting"}),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .get(&format!("/api/v1/sessions/{}", room.session), Some(&other))
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(
        app.get(
            &format!("/api/v1/sessions/{}", room.session),
            Some(&secretariat)
        )
        .await
        .status(),
        StatusCode::OK
    );
    let r = app
        .put(
            &format!("/api/v1/questions/{}/phase", room.question),
            Some(&secretariat),
            json!({"phase": "voting"}),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .post(
            "/api/v1/users",
            Some(&other),
            json!({"email": "x@example.id", "role": "admin", "password": "rahasia-sekali-123"}),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn a_participant_of_another_session_is_not_let_in() {
    let app = spawn_app().await;
    let room = app.room().await;
    let other = app.session(&room.admin, &room.workshop).await;
    let stranger = app
        .join(other["join_code"].as_str().unwrap(), "media")
        .await;
    let r = app
        .get(
            &format!("/api/v1/sessions/{}", room.session),
            Some(&stranger),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "not_joined").await;
    let r = app
        .post(
            &format!("/api/v1/questions/{}/cards", room.question),
            Some(&stranger),
            json!({"text": "Menyusup"}),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "not_joined").await;
    let r = app
        .get(
            &format!("/api/v1/sessions/{}/events", room.session),
            Some(&stranger),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "not_joined").await;
}

#[tokio::test]
async fn unknown_ids_are_404_and_bad_bodies_are_4xx() {
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "media").await;
    let r = app
        .get(
            "/api/v1/sessions/00000000-0000-0000-0000-000000000000",
            Some(&room.admin),
        )
        .await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = app
        .get("/api/v1/workshops/not-a-uuid", Some(&room.admin))
        .await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = app
        .vote(&p, "00000000-0000-0000-0000-000000000000", 1)
        .await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = app.get("/api/v1/no/such/route", None).await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;

    let r = app
        .request(Method::POST, "/api/v1/join", None)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::BAD_REQUEST, "malformed").await;
    let r = app
        .post("/api/v1/join", None, json!({"group": "media"}))
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "malformed").await;
    // A query string that cannot be read is the same JSON error, not
    // axum's plain text.
    let r = app
        .get(
            &format!("/api/v1/sessions/{}/chart.svg", room.session),
            Some(&room.admin),
        )
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "malformed").await;

    let long = "x".repeat(501);
    let r = app
        .post(
            &format!("/api/v1/questions/{}/cards", room.question),
            Some(&p),
            json!({"text": long}),
        )
        .await;
    let body = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(
        body["error"]["message"],
        "Card text is too long: at most 500 characters."
    );
    assert_eq!(body["error"]["max"], 500);

    let huge = "x".repeat(100 * 1024);
    let r = app
        .post(
            &format!("/api/v1/questions/{}/cards", room.question),
            Some(&p),
            json!({"text": huge}),
        )
        .await;
    assert_error(r, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
    let r = app.vote(&p, "also-not-a-uuid", 1).await;
    assert_error(r, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn error_messages_follow_the_callers_language() {
    let app = spawn_app().await;
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("accept-language", "id-ID,id;q=0.9")
        .json(&json!({"email": "a@b.id", "password": "x"}))
        .send()
        .await
        .unwrap();
    let body = assert_error(r, StatusCode::UNAUTHORIZED, "bad_credentials").await;
    assert_eq!(body["error"]["message"], "Email atau kata sandi salah.");
    let r = app
        .client
        .get(app.url("/api/v1/workshops"))
        .send()
        .await
        .unwrap();
    let body = assert_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    assert_eq!(
        body["error"]["message"], "Silakan masuk terlebih dahulu.",
        "Bahasa Indonesia is the default"
    );
}

#[tokio::test]
async fn requests_from_another_site_cannot_write() {
    let app = spawn_app().await;
    let room = app.room().await;
    let r = app
        .request(
            Method::PUT,
            &format!("/api/v1/questions/{}/phase", room.question),
            Some(&room.admin),
        )
        .header("origin", "http://evil.example")
        .json(&json!({"phase": "closed"}))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .request(Method::POST, "/fn/set_vote", None)
        .header("sec-fetch-site", "cross-site")
        .form(&[("card_id", "x"), ("dots", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let own = app.base.clone();
    let r = app
        .request(
            Method::PUT,
            &format!("/api/v1/questions/{}/phase", room.question),
            Some(&room.admin),
        )
        .header("origin", own)
        .json(&json!({"phase": "voting"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_openapi_document_lists_every_contract_path() {
    let app = spawn_app().await;
    let doc: Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/workshops", "post"),
        ("/api/v1/workshops/{id}", "get"),
        ("/api/v1/workshops/{id}/sessions", "post"),
        ("/api/v1/sessions/{id}/questions", "post"),
        ("/api/v1/questions/{id}/phase", "put"),
        ("/api/v1/join", "post"),
        ("/api/v1/sessions/{id}", "get"),
        ("/api/v1/questions/{id}/cards", "post"),
        ("/api/v1/cards/{id}/vote", "put"),
        ("/api/v1/sessions/{id}/events", "get"),
        ("/api/v1/cards/{id}", "patch"),
        ("/api/v1/cards/merge", "post"),
        ("/api/v1/merges/{id}/undo", "post"),
        ("/api/v1/questions/{id}/timer", "put"),
        ("/api/v1/sessions/{id}/moderation", "put"),
        ("/api/v1/cards/{id}/approve", "post"),
        ("/api/v1/cards/{id}/paper-votes", "put"),
        ("/api/v1/sessions/{id}/audit", "get"),
        ("/api/v1/workshops/{id}/report", "get"),
        ("/api/v1/sessions/{id}/report", "get"),
        ("/api/v1/cards/{id}/usg", "put"),
        ("/api/v1/cards/{id}/rating", "put"),
        ("/api/v1/cards/{id}/programme", "put"),
        ("/api/v1/workshops/{id}/clusters", "post"),
        ("/api/v1/clusters/{id}/undo", "post"),
        ("/api/v1/sessions/{id}/chart.svg", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["SessionSnapshot"].is_object());
    // The JSON report's structure is documented.
    for schema in ["Report", "ProblemItem", "IdeaItem", "UsgScore"] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} missing from the OpenAPI components"
        );
    }
}

#[tokio::test]
async fn responses_are_compressed_except_the_live_stream() {
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "community").await;
    let get = |path: String| {
        app.request(Method::GET, &path, Some(&p))
            .header("accept-encoding", "br, gzip")
            .send()
    };
    let snapshot = get(format!("/api/v1/sessions/{}", room.session))
        .await
        .unwrap();
    assert_eq!(snapshot.status(), StatusCode::OK);
    assert_eq!(snapshot.headers()["content-encoding"], "br");

    // The stream goes out as it is, event by event.
    let stream = get(format!("/api/v1/sessions/{}/events", room.session))
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(stream.headers().get("content-encoding").is_none());
    let first = read_sse(stream, |e| !e.is_empty()).await;
    assert_eq!(first[0].data["type"], "ready");
}

#[tokio::test]
async fn the_event_stream_resumes_without_gap_or_duplicate() {
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "community").await;
    let stream = app
        .get(
            &format!("/api/v1/sessions/{}/events", room.session),
            Some(&p),
        )
        .await;
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let first = read_sse(stream, |e| !e.is_empty()).await;
    assert_eq!(first[0].data["type"], "ready");
    let start = first[0].id.unwrap();

    let mut cards = vec![];
    for i in 0..4 {
        cards.push(app.card(&p, &room.question, &format!("Masalah {i}")).await);
    }
    app.phase(&room.admin, &room.question, "voting").await;
    app.vote(&p, cards[0]["id"].as_str().unwrap(), 2).await;
    let end: u64 = app
        .get(&format!("/api/v1/sessions/{}", room.session), Some(&p))
        .await
        .json::<Value>()
        .await
        .unwrap()["seq"]
        .as_u64()
        .unwrap();

    // Read part of the history, "lose" the connection, resume from there.
    let stream = app
        .get(
            &format!("/api/v1/sessions/{}/events?after={start}", room.session),
            Some(&p),
        )
        .await;
    let part = read_sse(stream, |e| e.len() >= 2).await;
    let resume_at = part[1].id.unwrap();
    let resumed = app
        .request(
            Method::GET,
            &format!("/api/v1/sessions/{}/events", room.session),
            Some(&p),
        )
        .header("last-event-id", resume_at.to_string())
        .send()
        .await
        .unwrap();
    let rest = read_sse(resumed, |e| e.iter().any(|x| x.id == Some(end))).await;
    let mut ids: Vec<u64> = part[..2]
        .iter()
        .chain(rest.iter())
        .filter_map(|e| e.id)
        .collect();
    let unique: HashSet<u64> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "no event twice: {ids:?}");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in order: {ids:?}");
    ids.dedup();
    let cards_seen: Vec<&Value> = part[..2]
        .iter()
        .chain(rest.iter())
        .filter(|e| e.data["type"] == "card_added")
        .map(|e| &e.data["card"])
        .collect();
    assert_eq!(cards_seen.len(), 4, "every card arrives exactly once");
    let last_counts = rest
        .iter()
        .rev()
        .find(|e| e.data["type"] == "counts")
        .unwrap();
    assert_eq!(last_counts.data["cards"][0]["dots"], 2);

    // A client far behind another history is told to refetch.
    let stale = app
        .request(
            Method::GET,
            &format!("/api/v1/sessions/{}/events", room.session),
            Some(&p),
        )
        .header("last-event-id", "999999")
        .send()
        .await
        .unwrap();
    let stale = read_sse(stale, |e| !e.is_empty()).await;
    assert_eq!(stale[0].data["type"], "resync");
    assert_eq!(stale[0].data["seq"], end);
}

#[tokio::test]
async fn a_vote_reaches_every_other_connected_screen() {
    let app = spawn_app().await;
    let room = app.room().await;
    let voter = app.join(&room.code, "academia").await;
    let card = app.card(&voter, &room.question, "Air bersih").await;
    app.phase(&room.admin, &room.question, "voting").await;
    let watchers = [
        app.join(&room.code, "media").await,
        app.join(&room.code, "business").await,
        room.admin.clone(),
    ];
    // Subscribe from the session's number now: without `after` a stream
    // starts wherever the server is when it first reads it, which may
    // already be past the vote below.
    let before = app
        .get(
            &format!("/api/v1/sessions/{}", room.session),
            Some(&room.admin),
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["seq"]
        .as_u64()
        .unwrap();
    let mut streams = vec![];
    for w in &watchers {
        streams.push(
            app.get(
                &format!("/api/v1/sessions/{}/events?after={before}", room.session),
                Some(w),
            )
            .await,
        );
    }
    let v: Value = app
        .vote(&voter, card["id"].as_str().unwrap(), 1)
        .await
        .json()
        .await
        .unwrap();
    let seq = v["seq"].as_u64().unwrap();
    for s in streams {
        let events = read_sse(s, |e| e.iter().any(|x| x.id.is_some_and(|id| id >= seq))).await;
        let counts = events
            .iter()
            .find(|e| e.data["type"] == "counts")
            .expect("a counts event");
        assert_eq!(counts.data["cards"][0]["dots"], 1);
    }
}

#[tokio::test]
async fn password_guessing_is_slowed_per_account_and_per_address() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    app.staff(&admin, "fasilitator@acehselatankab.go.id", "facilitator")
        .await;
    let login = |email: &str, password: &str| {
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": password}),
        )
    };
    for _ in 0..5 {
        let r = login("fasilitator@acehselatankab.go.id", "tebak-tebakan").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // The sixth try waits, even with the right password.
    let r = login("fasilitator@acehselatankab.go.id", "rahasia-sekali-123").await;
    let retry: u32 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry), "{retry}");
    let body = assert_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&retry.to_string()),
        "{body}"
    );
    // The same email in other letters is the same account.
    let r = login(" FASILITATOR@acehselatankab.go.id", "rahasia-sekali-123").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // Other accounts are not held back by it.
    let r = login(support::ADMIN_EMAIL, support::ADMIN_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);

    // Trying many accounts from one address is slowed too (30 failures),
    // unknown emails included.
    for i in 0..25 {
        let r = login(&format!("tebak{i}@example.go.id"), "tebak-tebakan").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "try {i}");
    }
    let r = login(support::ADMIN_EMAIL, support::ADMIN_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// 30 failed logins for 30 unknown accounts, claiming to come from `from`.
async fn fail_logins_from(app: &support::TestApp, from: &str) {
    for i in 0..30 {
        let r = app
            .request(Method::POST, "/api/v1/auth/login", None)
            .header("x-forwarded-for", from)
            .json(&json!({"email": format!("tebak{i}@example.go.id"), "password": "salah-salah"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "try {i}");
    }
}

async fn login_from(app: &support::TestApp, from: &str) -> StatusCode {
    app.request(Method::POST, "/api/v1/auth/login", None)
        .header("x-forwarded-for", from)
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn behind_a_trusted_proxy_limits_count_per_phone_and_elsewhere_the_header_is_ignored() {
    // The app behind a proxy on this machine: one guessing phone is slowed,
    // the rest of the hall (other forwarded addresses) is not.
    let app = spawn_app_with(|c| {
        c.trusted_proxies = rembuk::proxy::TrustedProxies(vec!["127.0.0.1".parse().unwrap()]);
    })
    .await;
    app.admin().await;
    fail_logins_from(&app, "198.51.100.7").await;
    assert_eq!(
        login_from(&app, "198.51.100.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(login_from(&app, "198.51.100.8").await, StatusCode::OK);
    // A phone cannot escape by writing its own header in front.
    assert_eq!(
        login_from(&app, "1.1.1.1, 198.51.100.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Without a trusted proxy the header is the client's word: ignored.
    let app = spawn_app().await;
    app.admin().await;
    fail_logins_from(&app, "198.51.100.7").await;
    assert_eq!(
        login_from(&app, "198.51.100.8").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn an_admin_signs_an_account_out_everywhere() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let laptop = app
        .staff(&admin, "fasilitator@acehselatankab.go.id", "facilitator")
        .await;
    let phone: Value = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "fasilitator@acehselatankab.go.id", "password": "rahasia-sekali-123"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let phone = phone["token"].as_str().unwrap().to_string();
    let me: Value = app
        .get("/api/v1/auth/me", Some(&laptop))
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/users/{}/sessions", me["id"].as_str().unwrap());

    // Only an administrator may.
    let r = app
        .send(Method::DELETE, &path, Some(&laptop), json!(null))
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .send(
            Method::DELETE,
            "/api/v1/users/00000000-0000-0000-0000-000000000000/sessions",
            Some(&admin),
            json!(null),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let r = app
        .send(Method::DELETE, &path, Some(&admin), json!(null))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["revoked"], 2);
    for token in [&laptop, &phone] {
        let r = app.get("/api/v1/auth/me", Some(token)).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // The admin's own login is untouched; the account can sign in again.
    assert_eq!(
        app.get("/api/v1/auth/me", Some(&admin)).await.status(),
        StatusCode::OK
    );
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "fasilitator@acehselatankab.go.id", "password": "rahasia-sekali-123"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}
