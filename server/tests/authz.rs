//! The authorization inventory: every operation of the JSON API, taken from
//! the OpenAPI document (not from a list kept by hand), is called by every
//! party that must not be able to use it, with a body that would otherwise
//! be accepted. A new operation without a sample body fails this test until
//! someone writes one, so nothing new slips past unchecked.
//!
//! Parties: nobody (no credentials), a participant of the session, a
//! participant of another workshop's session, a facilitator of another
//! workshop, and the secretariat (reads everything, changes nothing but the
//! roll-up's merges).

mod support;

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{TestApp, spawn_app};

/// Ids of one prepared workshop, "ours", that the wrong parties aim at.
struct Ours {
    workshop: String,
    session: String,
    code: String,
    question: String,
    problem: String,
    idea: String,
    merge: String,
    cluster: String,
    dimensions: Value,
    groups: Value,
    /// A staff account (the other facilitator).
    user: String,
}

struct Parties {
    admin: String,
    participant: String,
    stranger: String,
    other_facilitator: String,
    secretariat: String,
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_string()
}

async fn created(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let r = app.post(path, Some(token), body).await;
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

async fn prepare(app: &TestApp) -> (Ours, Parties) {
    let admin = app.admin().await;
    let secretariat = app
        .staff(&admin, "sekretariat@acehselatankab.go.id", "secretariat")
        .await;
    let other_facilitator = app
        .staff(
            &admin,
            "fasilitator.lain@acehselatankab.go.id",
            "facilitator",
        )
        .await;

    let workshop = app.workshop(&admin).await;
    let w = id(&workshop);
    let session = app.session(&admin, &w).await;
    let s = id(&session);
    let code = session["join_code"].as_str().unwrap().to_string();
    let question = id(&app.question(&admin, &s, "problems").await);
    let ideas = id(&app.question(&admin, &s, "ideas").await);
    let participant = app.join(&code, "community").await;
    let problem = id(&app.card(&participant, &question, "Jalan desa rusak").await);
    let twin_a = id(&app
        .card(&participant, &question, "Jalan gampong rusak")
        .await);
    let twin_b = id(&app
        .card(&participant, &question, "Jalan kampung rusak")
        .await);
    let idea = id(&app.card(&participant, &ideas, "Perbaiki jalan desa").await);
    let merged = created(
        app,
        "/api/v1/cards/merge",
        &admin,
        json!({"cards": [twin_a, twin_b], "text": "Jalan desa dan gampong rusak"}),
    )
    .await;
    let merge = merged["merge_id"].as_str().unwrap().to_string();
    // A second session, for a cross-session merge in the roll-up.
    let day_two = created(
        app,
        &format!("/api/v1/workshops/{w}/sessions"),
        &admin,
        json!({"title": "Hari 2"}),
    )
    .await;
    let q2 = id(&app.question(&admin, &id(&day_two), "problems").await);
    let p2 = app
        .join(day_two["join_code"].as_str().unwrap(), "academia")
        .await;
    let twin_c = id(&app.card(&p2, &q2, "Jalan desa rusak berat").await);
    let cluster = created(
        app,
        &format!("/api/v1/workshops/{w}/clusters"),
        &secretariat,
        json!({"cards": [problem, twin_c], "text": "Jalan desa rusak"}),
    )
    .await;
    // Voting, so that votes and ratings would be accepted from the right
    // party.
    app.phase(&admin, &question, "voting").await;
    app.phase(&admin, &ideas, "voting").await;

    // Another workshop, run by another facilitator, with its own phone.
    let theirs = app.workshop(&other_facilitator).await;
    let their_session = app.session(&other_facilitator, &id(&theirs)).await;
    let stranger = app
        .join(their_session["join_code"].as_str().unwrap(), "media")
        .await;

    let read: Value = app
        .get(&format!("/api/v1/workshops/{w}"), Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    let ours = Ours {
        workshop: w,
        session: s,
        code,
        question,
        problem,
        idea,
        merge,
        cluster: id(&cluster),
        dimensions: read["dimensions"].clone(),
        groups: read["groups"].clone(),
        user: {
            let users: Value = app
                .get("/api/v1/users", Some(&admin))
                .await
                .json()
                .await
                .unwrap();
            users
                .as_array()
                .unwrap()
                .iter()
                .find(|u| u["role"] == "secretariat")
                .map(id)
                .unwrap()
        },
    };
    (
        ours,
        Parties {
            admin,
            participant,
            stranger,
            other_facilitator,
            secretariat,
        },
    )
}

/// The path with our ids in it.
fn concrete(path: &str, ours: &Ours) -> String {
    let id = if path.starts_with("/api/v1/workshops/") {
        &ours.workshop
    } else if path.starts_with("/api/v1/sessions/") {
        &ours.session
    } else if path.starts_with("/api/v1/questions/") {
        &ours.question
    } else if path == "/api/v1/cards/{id}/rating" || path == "/api/v1/cards/{id}/programme" {
        &ours.idea
    } else if path.starts_with("/api/v1/cards/") {
        &ours.problem
    } else if path.starts_with("/api/v1/merges/") {
        &ours.merge
    } else if path.starts_with("/api/v1/clusters/") {
        &ours.cluster
    } else if path.starts_with("/api/v1/users/") {
        &ours.user
    } else {
        ""
    };
    let query = match path {
        "/api/v1/sessions/{id}/chart.svg" => "?dimension=governance",
        "/api/v1/workshops/{id}/report" | "/api/v1/sessions/{id}/report" => "?format=json",
        _ => "",
    };
    format!(
        "{}{query}",
        path.replace("{id}", id).replace("{code}", &ours.code)
    )
}

/// A body the operation would accept from the right party. `None` for an
/// operation nobody has written one for yet.
fn sample(method: &str, path: &str, ours: &Ours) -> Option<Value> {
    let body = match (method, path) {
        ("GET" | "DELETE", _) => Value::Null,
        ("POST", "/api/v1/auth/login" | "/api/v1/setup") => {
            json!({"email": support::ADMIN_EMAIL, "password": support::ADMIN_PASSWORD})
        }
        ("POST", "/api/v1/auth/logout") => json!({}),
        ("POST", "/api/v1/join") => json!({"code": ours.code, "group": "media", "consent": true}),
        ("POST", "/api/v1/cards/merge") => {
            json!({"cards": [ours.problem, ours.problem], "text": "Gabungan"})
        }
        ("PATCH", "/api/v1/cards/{id}") => json!({"hidden": true, "reason": "Di luar topik"}),
        ("POST", "/api/v1/cards/{id}/approve") => json!({}),
        ("PUT", "/api/v1/cards/{id}/paper-votes") => json!({"group": "media", "dots": 5}),
        ("PUT", "/api/v1/cards/{id}/programme") => json!({"horizon": "short"}),
        ("PUT", "/api/v1/cards/{id}/rating") => json!({"impact": 5, "effort": 1}),
        ("PUT", "/api/v1/cards/{id}/usg") => json!({"urgency": 5, "seriousness": 5, "growth": 5}),
        ("PUT", "/api/v1/cards/{id}/vote") => json!({"dots": 1}),
        ("POST", "/api/v1/clusters/{id}/undo") => json!({}),
        ("POST", "/api/v1/merges/{id}/undo") => json!({}),
        ("PATCH", "/api/v1/questions/{id}") => json!({"hide_tallies": true}),
        ("POST", "/api/v1/questions/{id}/cards") => json!({"text": "Kartu dari luar"}),
        ("PUT", "/api/v1/questions/{id}/phase") => json!({"phase": "closed"}),
        ("PUT", "/api/v1/questions/{id}/timer") => json!({"seconds": 60}),
        ("PUT", "/api/v1/sessions/{id}/moderation") => json!({"premoderate": true}),
        ("PUT", "/api/v1/sessions/{id}/passcode") => json!({"passcode": "RAHASIA1"}),
        ("PUT", "/api/v1/workshops/{id}/privacy") => {
            json!({"withdrawn_cards": "remove", "retain_until": "2030-01-01"})
        }
        ("POST", "/api/v1/sessions/{id}/questions") => json!({
            "dimension": "economy", "kind": "problems", "prompt": "Apa masalah ekonomi desa?"
        }),
        ("POST", "/api/v1/users") => json!({
            "email": "penyusup@example.go.id", "role": "admin", "password": "rahasia-sekali-123"
        }),
        ("POST", "/api/v1/workshops") => json!({"title": "Lokakarya lain", "language": "id"}),
        ("POST", "/api/v1/workshops/{id}/clusters") => {
            json!({"cards": [ours.problem, ours.idea], "text": "Gabungan"})
        }
        ("PUT", "/api/v1/workshops/{id}/dimensions") => ours.dimensions.clone(),
        ("PUT", "/api/v1/workshops/{id}/groups") => ours.groups.clone(),
        ("POST", "/api/v1/workshops/{id}/members") => {
            json!({"email": "fasilitator.lain@acehselatankab.go.id"})
        }
        ("POST", "/api/v1/workshops/{id}/sessions") => json!({"title": "Sesi gelap"}),
        _ => return None,
    };
    Some(body)
}

/// Who may use an operation, read from the OpenAPI document.
#[derive(Debug, PartialEq)]
enum Access {
    /// No credentials needed (setup, login, join).
    Public,
    /// A participant's phone: tagged `participation` or `live`.
    Participant,
    /// Staff of the workshop; the secretariat may read (and merge in the
    /// roll-up, tagged `reports`).
    Staff,
    /// Administrators only (accounts).
    Admin,
}

fn access(path: &str, op: &Value) -> Access {
    let tags: Vec<&str> = op["tags"]
        .as_array()
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let secured = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    if !secured {
        Access::Public
    } else if tags.contains(&"participation") || tags.contains(&"live") {
        Access::Participant
    } else if path.starts_with("/api/v1/users") {
        Access::Admin
    } else {
        Access::Staff
    }
}

fn refused(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    )
}

#[tokio::test]
async fn no_operation_is_reachable_by_a_party_that_must_not_use_it() {
    let app = spawn_app().await;
    let (ours, who) = prepare(&app).await;
    let doc: Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    let mut operations = BTreeMap::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            operations.insert((path.clone(), method.to_uppercase()), op.clone());
        }
    }
    assert!(operations.len() >= 40, "the whole API is listed");

    let mut missing = vec![];
    let mut breaches = vec![];
    let mut calls = 0;
    for ((path, method), op) in &operations {
        let Some(body) = sample(method, path, &ours) else {
            missing.push(format!("{method} {path}"));
            continue;
        };
        let access = access(path, op);
        if access == Access::Public || path == "/api/v1/auth/me" {
            continue;
        }
        let target = concrete(path, &ours);
        let aims_at_ours = path.contains("{id}") || path == "/api/v1/cards/merge";
        let writes = method != "GET";

        // (party, token, must be refused)
        let mut wrong: Vec<(&str, Option<&str>)> = vec![("nobody", None)];
        if access != Access::Participant {
            wrong.push(("participant", Some(&who.participant)));
        }
        if aims_at_ours || access != Access::Participant {
            wrong.push(("participant of another workshop", Some(&who.stranger)));
        }
        if aims_at_ours || access == Access::Admin {
            wrong.push((
                "facilitator of another workshop",
                Some(&who.other_facilitator),
            ));
        }
        let roll_up = op["tags"][0] == "reports";
        if access == Access::Admin || (writes && !roll_up && access != Access::Participant) {
            wrong.push(("secretariat", Some(&who.secretariat)));
        }

        for (party, token) in wrong {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let mut request = app.request(method.clone(), &target, token);
            if method != Method::GET {
                request = request.json(&body);
            }
            let r = request.send().await.unwrap();
            calls += 1;
            let status = r.status();
            if !refused(status) {
                breaches.push(format!("{method} {target} by {party}: {status}"));
            }
            if token.is_none() && status != StatusCode::UNAUTHORIZED {
                breaches.push(format!(
                    "{method} {target} without credentials: {status}, expected 401"
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "write a sample body in tests/authz.rs for: {missing:?}"
    );
    assert!(
        breaches.is_empty(),
        "{} of {calls} calls by a wrong party were not refused:\n{}",
        breaches.len(),
        breaches.join("\n")
    );
    eprintln!(
        "authorization inventory: {} operations, {calls} calls by wrong parties, 0 reached",
        operations.len()
    );

    // The right party still can: the refusals above were about who, not
    // about the request.
    let r = app
        .put(
            &format!("/api/v1/cards/{}/vote", ours.problem),
            Some(&who.participant),
            json!({"dots": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .put(
            &format!("/api/v1/questions/{}/phase", ours.question),
            Some(&who.admin),
            json!({"phase": "closed"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Another facilitator's list of workshops does not show ours.
    let theirs: Value = app
        .get("/api/v1/workshops", Some(&who.other_facilitator))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        theirs
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["id"] != ours.workshop.as_str())
    );
}

/// Who may call a server function, and arguments it would accept from the
/// right party. Server functions have no OpenAPI document, so this table is
/// keyed by the registry's paths: a function missing here fails the test.
fn server_fn_sample(name: &str, ours: &Ours) -> Option<(Access, Vec<(String, String)>)> {
    let pairs = |p: &[(&str, &str)]| {
        p.iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect::<Vec<_>>()
    };
    let (w, s, q) = (&ours.workshop, &ours.session, &ours.question);
    let (card, idea) = (&ours.problem, &ours.idea);
    let sample = match name {
        "join_state" | "join_session" | "setup_needed" | "set_up" | "log_in" | "log_out"
        | "current_user" => (Access::Public, vec![]),
        "participant_view" | "withdraw_me" => (Access::Participant, pairs(&[("code", &ours.code)])),
        "set_session_passcode" => (
            Access::Staff,
            pairs(&[("session_id", s), ("passcode", "RAHASIA1")]),
        ),
        "save_privacy" => (
            Access::Staff,
            pairs(&[
                ("workshop_id", w),
                ("withdrawn_cards", "remove"),
                ("retain_until", "2030-01-01"),
            ]),
        ),
        "submit_card" => (
            Access::Participant,
            pairs(&[("question_id", q), ("text", "Kartu dari luar")]),
        ),
        "set_vote" => (
            Access::Participant,
            pairs(&[("card_id", card), ("dots", "1")]),
        ),
        "rate_usg" => (
            Access::Participant,
            pairs(&[
                ("card_id", card),
                ("urgency", "5"),
                ("seriousness", "5"),
                ("growth", "5"),
            ]),
        ),
        "rate_idea" => (
            Access::Participant,
            pairs(&[("card_id", idea), ("impact", "5"), ("effort", "1")]),
        ),
        "list_users" => (Access::Admin, vec![]),
        "revoke_logins" => (Access::Admin, pairs(&[("user_id", &ours.user)])),
        "add_user" => (
            Access::Admin,
            pairs(&[
                ("email", "penyusup@example.go.id"),
                ("role", "admin"),
                ("password", "rahasia-sekali-123"),
            ]),
        ),
        "my_workshops" => (Access::Staff, vec![]),
        "create_workshop" => (
            Access::Staff,
            pairs(&[("title", "Lokakarya lain"), ("language", "id")]),
        ),
        "workshop_rollup" | "workshop_view" => (Access::Staff, pairs(&[("id", w)])),
        "session_rollup" | "console_view" => (Access::Staff, pairs(&[("id", s)])),
        "session_audit" => (Access::Staff, pairs(&[("session_id", s)])),
        "create_cluster" => (
            Access::Staff,
            pairs(&[
                ("workshop_id", w),
                ("cards[0]", card),
                ("cards[1]", idea),
                ("text", "Gabungan"),
            ]),
        ),
        "undo_cluster" => (Access::Staff, pairs(&[("cluster_id", &ours.cluster)])),
        "save_dimensions" => (
            Access::Staff,
            pairs(&[
                ("workshop_id", w),
                ("dims[0][key]", "governance"),
                ("dims[0][name]", "Tata Kelola"),
            ]),
        ),
        "save_groups" => (
            Access::Staff,
            pairs(&[
                ("workshop_id", w),
                ("groups[0][key]", "media"),
                ("groups[0][name]", "Media"),
            ]),
        ),
        "create_session" => (
            Access::Staff,
            pairs(&[("workshop_id", w), ("title", "Sesi gelap")]),
        ),
        "add_member" => (
            Access::Staff,
            pairs(&[
                ("workshop_id", w),
                ("email", "fasilitator.lain@acehselatankab.go.id"),
            ]),
        ),
        "create_question" => (
            Access::Staff,
            pairs(&[
                ("session_id", s),
                ("target", "economy"),
                ("prompt", "Apa masalah ekonomi desa?"),
                ("kind", "problems"),
            ]),
        ),
        "set_phase" => (
            Access::Staff,
            pairs(&[("question_id", q), ("phase", "closed")]),
        ),
        "moderate_card" => (
            Access::Staff,
            pairs(&[
                ("card_id", card),
                ("hidden", "true"),
                ("reason", "Di luar topik"),
            ]),
        ),
        "approve_card" => (Access::Staff, pairs(&[("card_id", card)])),
        "merge_cards" => (
            Access::Staff,
            pairs(&[("cards[0]", card), ("cards[1]", card), ("text", "Gabungan")]),
        ),
        "set_programme" => (
            Access::Staff,
            pairs(&[("card_id", idea), ("horizon", "short")]),
        ),
        "undo_merge" => (Access::Staff, pairs(&[("merge_id", &ours.merge)])),
        "set_timer" => (
            Access::Staff,
            pairs(&[("question_id", q), ("minutes", "2")]),
        ),
        "question_setting" => (
            Access::Staff,
            pairs(&[
                ("question_id", q),
                ("setting", "hide_tallies"),
                ("value", "true"),
            ]),
        ),
        "set_premoderation" => (
            Access::Staff,
            pairs(&[("session_id", s), ("premoderate", "true")]),
        ),
        "paper_card" => (
            Access::Staff,
            pairs(&[
                ("question_id", q),
                ("text", "Kartu kertas"),
                ("group", "media"),
            ]),
        ),
        "paper_votes" => (
            Access::Staff,
            pairs(&[("card_id", card), ("group", "media"), ("dots", "5")]),
        ),
        _ => return None,
    };
    Some(sample)
}

/// Server functions that only read: the secretariat may call them.
const READS: &[&str] = &[
    "my_workshops",
    "workshop_rollup",
    "workshop_view",
    "session_rollup",
    "console_view",
    "session_audit",
];
/// The roll-up's merges, which the secretariat makes.
const ROLL_UP: &[&str] = &["create_cluster", "undo_cluster"];
/// Calls that touch no particular workshop.
const UNTARGETED: &[&str] = &["my_workshops", "create_workshop", "list_users", "add_user"];

#[tokio::test]
async fn no_server_function_is_reachable_by_a_party_that_must_not_use_it() {
    let app = spawn_app().await;
    let (ours, who) = prepare(&app).await;
    let registered: Vec<(&str, Method)> = server_fn::axum::server_fn_paths().collect();
    assert!(registered.len() >= 35, "the registry is linked in");

    let mut missing = vec![];
    let mut breaches = vec![];
    let mut calls = 0;
    for (path, method) in &registered {
        let name = path.trim_start_matches("/fn/");
        let Some((access, args)) = server_fn_sample(name, &ours) else {
            missing.push((*path).to_string());
            continue;
        };
        if access == Access::Public {
            continue;
        }
        let targeted = !UNTARGETED.contains(&name);
        let mut wrong: Vec<(&str, Option<&str>)> = vec![("nobody", None)];
        if access != Access::Participant {
            wrong.push(("participant", Some(&who.participant)));
        }
        wrong.push(("participant of another workshop", Some(&who.stranger)));
        if targeted || access == Access::Admin {
            wrong.push((
                "facilitator of another workshop",
                Some(&who.other_facilitator),
            ));
        }
        if access == Access::Admin
            || (access == Access::Staff && !READS.contains(&name) && !ROLL_UP.contains(&name))
        {
            wrong.push(("secretariat", Some(&who.secretariat)));
        }
        for (party, token) in wrong {
            let mut request = app
                .client
                .request(method.clone(), app.url(path))
                .header("accept", "application/json")
                .header("origin", app.base.clone());
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let r = if *method == Method::GET {
                request.query(&args).send().await.unwrap()
            } else {
                request.form(&args).send().await.unwrap()
            };
            calls += 1;
            let status = r.status();
            if !refused(status) {
                let text = r.text().await.unwrap_or_default();
                breaches.push(format!("{path} by {party}: {status} {text:.200}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "classify and give sample arguments in tests/authz.rs for: {missing:?}"
    );
    assert!(
        breaches.is_empty(),
        "{} of {calls} server function calls by a wrong party were not refused:\n{}",
        breaches.len(),
        breaches.join("\n")
    );
    eprintln!(
        "authorization inventory: {} server functions, {calls} calls by wrong parties, 0 reached",
        registered.len()
    );

    // The sample arguments are well-formed: the right party's call is read
    // (it may still be refused for what it asks, never for its shape).
    for (path, method) in &registered {
        let name = path.trim_start_matches("/fn/");
        let (access, args) = server_fn_sample(name, &ours).unwrap();
        let token = match access {
            Access::Public => continue,
            Access::Participant => &who.participant,
            Access::Staff | Access::Admin => &who.admin,
        };
        let r = app
            .client
            .request(method.clone(), app.url(path))
            .header("accept", "application/json")
            .header("origin", app.base.clone())
            .bearer_auth(token)
            .form(&args)
            .send()
            .await
            .unwrap();
        assert_ne!(
            r.status(),
            StatusCode::BAD_REQUEST,
            "{path}: the sample arguments do not parse: {}",
            r.text().await.unwrap_or_default()
        );
    }
}

/// A request body: JSON for the API, a form for server functions.
type Body = Result<Value, Vec<(String, String)>>;
/// Method, path, body, and the token of the party allowed to send it.
type Write = (Method, String, Body, String);

/// Every write, by the party allowed to make it, but sent by a browser on
/// another site (cross-site request forgery): refused, whether the browser
/// says so with `Origin` or with `Sec-Fetch-Site`.
#[tokio::test]
async fn no_write_is_accepted_from_another_site() {
    let app = spawn_app().await;
    let (ours, who) = prepare(&app).await;
    let doc: Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    let mut writes: Vec<Write> = vec![];
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let method = method.to_uppercase();
            if method == "GET" {
                continue;
            }
            let body = sample(&method, path, &ours).expect("a sample body");
            let token = match access(path, op) {
                Access::Participant => who.participant.clone(),
                _ => who.admin.clone(),
            };
            writes.push((
                Method::from_bytes(method.as_bytes()).unwrap(),
                concrete(path, &ours),
                Ok(body),
                token,
            ));
        }
    }
    for (path, method) in server_fn::axum::server_fn_paths() {
        let name = path.trim_start_matches("/fn/");
        let (access, args) = server_fn_sample(name, &ours).expect("a sample");
        let token = match access {
            Access::Participant => who.participant.clone(),
            _ => who.admin.clone(),
        };
        writes.push((method, path.to_string(), Err(args), token));
    }

    let mut accepted = vec![];
    let mut calls = 0;
    for (method, path, body, token) in &writes {
        for (header, value) in [
            ("origin", "https://penipu.example"),
            ("origin", "null"),
            ("sec-fetch-site", "cross-site"),
        ] {
            let request = app
                .client
                .request(method.clone(), app.url(path))
                .header("accept", "application/json")
                .header(header, value)
                .bearer_auth(token);
            let request = match body {
                Ok(json) => request.json(json),
                Err(form) => request.form(form),
            };
            let status = request.send().await.unwrap().status();
            calls += 1;
            if status != StatusCode::FORBIDDEN {
                accepted.push(format!("{method} {path} with {header}: {value}: {status}"));
            }
        }
    }
    assert!(
        accepted.is_empty(),
        "{} of {calls} cross-site writes were not refused:\n{}",
        accepted.len(),
        accepted.join("\n")
    );
    eprintln!(
        "cross-site writes: {} operations, {calls} calls, 0 accepted",
        writes.len()
    );
}
