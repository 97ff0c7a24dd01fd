//! Moderation over HTTP: every action, who may do it, and its audit entry.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{assert_error, read_sse, spawn_app};

async fn audit(app: &support::TestApp, token: &str, session: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/sessions/{session}/audit"), Some(token))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn hide_restore_edit_pin_and_tag_through_patch() {
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "community").await;
    let card = app
        .card(&p, &room.question, "kata-kata kasar di sini")
        .await;
    let id = card["id"].as_str().unwrap();
    let path = format!("/api/v1/cards/{id}");

    let r = app
        .send(
            Method::PATCH,
            &path,
            Some(&p),
            json!({"hidden": true, "reason": "spam"}),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .send(
            Method::PATCH,
            &path,
            Some(&room.admin),
            json!({"hidden": true}),
        )
        .await;
    let body = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(body["error"]["field"], "reason");

    let r = app
        .send(
            Method::PATCH,
            &path,
            Some(&room.admin),
            json!({"hidden": true, "reason": "Ujaran kasar"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let hidden: Value = r.json().await.unwrap();
    assert_eq!(hidden["status"], "hidden");
    assert_eq!(hidden["hidden_reason"], "Ujaran kasar");
    let phone: Value = app
        .get(&format!("/api/v1/sessions/{}", room.session), Some(&p))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        phone["cards"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c.get("hidden_reason").is_none())
    );

    let r = app
        .send(
            Method::PATCH,
            &path,
            Some(&room.admin),
            json!({"hidden": false}),
        )
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "visible");
    let r = app
        .send(
            Method::PATCH,
            &path,
            Some(&room.admin),
            json!({"text": "Bahasa kurang santun", "pinned": true, "sub_element": "bureaucracy"}),
        )
        .await;
    let edited: Value = r.json().await.unwrap();
    assert_eq!(edited["text"], "Bahasa kurang santun");
    assert_eq!(edited["original_text"], "kata-kata kasar di sini");
    assert_eq!(
        (edited["pinned"].as_bool(), edited["edited"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(edited["sub_element"], "bureaucracy");

    let log = audit(&app, &room.admin, &room.session).await;
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["hide", "restore", "edit", "pin", "tag"] {
        assert!(actions.contains(&a), "{a} is in the audit log: {actions:?}");
    }
    let hide = log.iter().find(|e| e["action"] == "hide").unwrap();
    assert_eq!(hide["reason"], "Ujaran kasar");
    assert_eq!(hide["actor"], support::ADMIN_EMAIL);
    assert_eq!(hide["target"], id);
    assert!(hide["at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn merge_and_undo() {
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "media").await;
    let a = app.card(&p, &room.question, "jalan rusak di Kluet").await;
    let b = app
        .card(&p, &room.question, "kerusakan jalan di kecamatan Kluet")
        .await;
    app.phase(&room.admin, &room.question, "voting").await;
    app.vote(&p, a["id"].as_str().unwrap(), 1).await;
    app.vote(&p, b["id"].as_str().unwrap(), 1).await;
    let body = json!({"cards": [a["id"], b["id"]], "text": "Jalan rusak di Kecamatan Kluet"});
    let r = app
        .post("/api/v1/cards/merge", Some(&p), body.clone())
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .post("/api/v1/cards/merge", Some(&room.admin), body)
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let merged: Value = r.json().await.unwrap();
    assert_eq!(merged["card"]["dots"], 2);
    assert_eq!(merged["card"]["text"], "Jalan rusak di Kecamatan Kluet");
    let merge_id = merged["merge_id"].as_str().unwrap();

    let undo = format!("/api/v1/merges/{merge_id}/undo");
    let r = app.post(&undo, Some(&p), json!({})).await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app.post(&undo, Some(&room.admin), json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let back: Value = r.json().await.unwrap();
    assert_eq!(back["cards"].as_array().unwrap().len(), 2);
    assert_error(
        app.post(&undo, Some(&room.admin), json!({})).await,
        StatusCode::CONFLICT,
        "already_undone",
    )
    .await;
    assert_error(
        app.post("/api/v1/merges/nope/undo", Some(&room.admin), json!({}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let actions: Vec<String> = audit(&app, &room.admin, &room.session)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(&actions[..2], ["unmerge", "merge"]);
}

#[tokio::test]
async fn premoderation_approval_and_the_audit_trail() {
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "academia").await;
    let path = format!("/api/v1/sessions/{}/moderation", room.session);
    assert_error(
        app.put(&path, Some(&p), json!({"premoderate": true})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let r = app
        .put(&path, Some(&room.admin), json!({"premoderate": true}))
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["premoderate"], true);
    let card = app.card(&p, &room.question, "Menunggu persetujuan").await;
    assert_eq!(card["status"], "pending");
    let other = app.join(&room.code, "media").await;
    let seen: Value = app
        .get(&format!("/api/v1/sessions/{}", room.session), Some(&other))
        .await
        .json()
        .await
        .unwrap();
    assert!(seen["cards"].as_array().unwrap().is_empty());
    let approve = format!("/api/v1/cards/{}/approve", card["id"].as_str().unwrap());
    assert_error(
        app.post(&approve, Some(&p), json!({})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let r = app.post(&approve, Some(&room.admin), json!({})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "visible");
    let seen: Value = app
        .get(&format!("/api/v1/sessions/{}", room.session), Some(&other))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["cards"].as_array().unwrap().len(), 1);
    let actions: Vec<String> = audit(&app, &room.admin, &room.session)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert!(
        actions.contains(&"moderation".to_string()) && actions.contains(&"approve".to_string())
    );
    assert_error(
        app.get(
            &format!("/api/v1/sessions/{}/audit", room.session),
            Some(&p),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn paper_cards_and_paper_votes() {
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "academia").await;
    let path = format!("/api/v1/questions/{}/cards", room.question);
    let paper = json!({"kind": "problem", "text": "Ditulis di kertas oleh warga", "group": "community", "on_behalf": true});
    assert_error(
        app.post(&path, Some(&p), paper.clone()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let r = app.post(&path, Some(&room.admin), paper).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let card: Value = r.json().await.unwrap();
    assert_eq!(
        (card["on_behalf"].as_bool(), card["group"].as_str()),
        (Some(true), Some("community"))
    );
    let votes = format!("/api/v1/cards/{}/paper-votes", card["id"].as_str().unwrap());
    assert_error(
        app.put(&votes, Some(&p), json!({"group": "media", "dots": 3}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let r = app
        .put(
            &votes,
            Some(&room.admin),
            json!({"group": "media", "dots": 3}),
        )
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["dots"], 3);
    let r = app
        .put(
            &votes,
            Some(&room.admin),
            json!({"group": "media", "dots": -1}),
        )
        .await;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let actions: Vec<String> = audit(&app, &room.admin, &room.session)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert!(
        actions.contains(&"paper_card".to_string()) && actions.contains(&"paper_votes".to_string())
    );
}

#[tokio::test]
async fn timers_and_question_settings() {
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "academia").await;
    let timer = format!("/api/v1/questions/{}/timer", room.question);
    assert_error(
        app.put(&timer, Some(&p), json!({"seconds": 60})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let r = app
        .put(&timer, Some(&room.admin), json!({"seconds": 60}))
        .await;
    let q: Value = r.json().await.unwrap();
    assert!(q["timer_ends_at"].is_string());
    let r = app
        .put(&timer, Some(&room.admin), json!({"seconds": 0}))
        .await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["timer_ends_at"],
        Value::Null
    );
    assert_error(
        app.put(&timer, Some(&room.admin), json!({"seconds": 99999}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    )
    .await;

    let settings = format!("/api/v1/questions/{}", room.question);
    assert_error(
        app.send(
            Method::PATCH,
            &settings,
            Some(&p),
            json!({"hide_tallies": true}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let r = app
        .send(
            Method::PATCH,
            &settings,
            Some(&room.admin),
            json!({"hide_tallies": true, "cards_while_voting": true}),
        )
        .await;
    let q: Value = r.json().await.unwrap();
    assert_eq!(
        (
            q["hide_tallies"].as_bool(),
            q["cards_while_voting"].as_bool()
        ),
        (Some(true), Some(true))
    );
    app.phase(&room.admin, &room.question, "voting").await;
    let card = app
        .card(&p, &room.question, "Masih boleh menulis saat voting")
        .await;
    let v: Value = app
        .vote(&p, card["id"].as_str().unwrap(), 1)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["total"], Value::Null, "no total while tallies are hidden");
    let actions: Vec<String> = audit(&app, &room.admin, &room.session)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert!(actions.contains(&"timer".to_string()) && actions.contains(&"settings".to_string()));
}

#[tokio::test]
async fn a_hidden_card_leaves_the_participant_stream_live() {
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "media").await;
    let card = app.card(&p, &room.question, "Akan disembunyikan").await;
    let snap: Value = app
        .get(&format!("/api/v1/sessions/{}", room.session), Some(&p))
        .await
        .json()
        .await
        .unwrap();
    let seq = snap["seq"].as_u64().unwrap();
    let stream = app
        .get(
            &format!("/api/v1/sessions/{}/events?after={seq}", room.session),
            Some(&p),
        )
        .await;
    let id = card["id"].as_str().unwrap();
    app.send(
        Method::PATCH,
        &format!("/api/v1/cards/{id}"),
        Some(&room.admin),
        json!({"hidden": true, "reason": "Tidak relevan"}),
    )
    .await;
    let events = read_sse(stream, |e| {
        e.iter().any(|x| x.data["type"] == "card_removed")
    })
    .await;
    let removed = events
        .iter()
        .find(|e| e.data["type"] == "card_removed")
        .unwrap();
    assert_eq!(removed.data["card_id"], id);
    assert!(
        !events
            .iter()
            .any(|e| e.data.to_string().contains("Tidak relevan")),
        "reasons stay with staff"
    );
}

#[tokio::test]
async fn co_facilitators_join_a_workshop_through_the_admin() {
    let app = spawn_app().await;
    let room = app.room().await;
    let co = app
        .staff(&room.admin, "rekan@example.id", "facilitator")
        .await;
    let path = format!("/api/v1/workshops/{}/members", room.workshop);
    let r = app
        .put(
            &format!("/api/v1/questions/{}/phase", room.question),
            Some(&co),
            json!({"phase": "voting"}),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    assert_error(
        app.post(&path, Some(&co), json!({"email": "rekan@example.id"}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let r = app
        .post(
            &path,
            Some(&room.admin),
            json!({"email": "rekan@example.id"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let members: Value = app.get(&path, Some(&co)).await.json().await.unwrap();
    assert!(
        members
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["email"] == "rekan@example.id")
    );
    let r = app
        .put(
            &format!("/api/v1/questions/{}/phase", room.question),
            Some(&co),
            json!({"phase": "voting"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}
