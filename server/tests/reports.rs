//! Scores, programmes and the draft plan input over HTTP: who may rate,
//! mark and export, what each format holds, and that a running session's
//! export shows the tallies of the moment.

mod support;

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Room, TestApp, assert_error, spawn_app};

const PROBLEM: &str = "Antrean layanan KTP-el sangat panjang";
const IDEA: &str = "Layanan KTP-el keliling ke kecamatan";

/// A room in voting with one problem (2 community dots, 1 academia dot)
/// and one idea answering it; returns the room, the secretariat's token,
/// the ideas question and the two card ids.
struct Scene {
    room: Room,
    secretariat: String,
    ideas: String,
    problem: String,
    idea: String,
    community: String,
    academia: String,
}

async fn scene(app: &TestApp) -> Scene {
    let room = app.room().await;
    let secretariat = app
        .staff(
            &room.admin,
            "sekretariat@acehselatankab.go.id",
            "secretariat",
        )
        .await;
    let ideas = app.question(&room.admin, &room.session, "ideas").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let community = app.join(&room.code, "community").await;
    let academia = app.join(&room.code, "academia").await;
    let problem = app.card(&community, &room.question, PROBLEM).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post(
            &format!("/api/v1/questions/{ideas}/cards"),
            Some(&academia),
            json!({"text": IDEA, "answers": [problem]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let idea = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.phase(&room.admin, &room.question, "voting").await;
    app.phase(&room.admin, &ideas, "voting").await;
    assert_eq!(
        app.vote(&community, &problem, 2).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.vote(&academia, &problem, 1).await.status(),
        StatusCode::OK
    );
    Scene {
        room,
        secretariat,
        ideas,
        problem,
        idea,
        community,
        academia,
    }
}

fn report_path(scope: &str, id: &str, format: &str) -> String {
    format!("/api/v1/{scope}/{id}/report?format={format}")
}

async fn json_report(app: &TestApp, token: &str, scope: &str, id: &str) -> Value {
    let r = app.get(&report_path(scope, id, "json"), Some(token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn participants_rate_problems_on_usg_and_ideas_on_impact_and_effort() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let usg = |p: &str| format!("/api/v1/cards/{p}/usg");

    let r = app
        .put(
            &usg(&s.problem),
            Some(&s.community),
            json!({"urgency": 4, "seriousness": 5, "growth": 3}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let first: Value = r.json().await.unwrap();
    assert_eq!(first["usg_score"]["score"], 12.0);
    assert_eq!(first["usg_score"]["raters"], 1);
    let seq = first["seq"].as_u64().unwrap();
    assert!(seq > 0);

    // Sending the same rating again (a retry) changes nothing.
    let again: Value = app
        .put(
            &usg(&s.problem),
            Some(&s.community),
            json!({"urgency": 4, "seriousness": 5, "growth": 3}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["seq"], 0);
    assert_eq!(again["usg_score"]["raters"], 1);

    let second: Value = app
        .put(
            &usg(&s.problem),
            Some(&s.academia),
            json!({"urgency": 2, "seriousness": 3, "growth": 1}),
        )
        .await
        .json()
        .await
        .unwrap();
    // Means 3 + 4 + 2.
    assert_eq!(second["usg_score"]["score"], 9.0);
    assert_eq!(second["usg_score"]["raters"], 2);

    let r = app
        .put(
            &usg(&s.problem),
            Some(&s.academia),
            json!({"urgency": 6, "seriousness": 3, "growth": 1}),
        )
        .await;
    let body = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(body["error"]["field"], "urgency");
    let r = app
        .put(
            &usg(&s.idea),
            Some(&s.academia),
            json!({"urgency": 3, "seriousness": 3, "growth": 3}),
        )
        .await;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    // Staff do not rate: they are not participants of the room.
    let r = app
        .put(
            &usg(&s.problem),
            Some(&s.room.admin),
            json!({"urgency": 3, "seriousness": 3, "growth": 3}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let rating = format!("/api/v1/cards/{}/rating", s.idea);
    let r = app
        .put(
            &rating,
            Some(&s.community),
            json!({"impact": 5, "effort": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let rated: Value = r.json().await.unwrap();
    assert_eq!(rated["idea_score"]["impact"], 5.0);
    assert_eq!(rated["idea_score"]["quick_win"], true);
    let r = app
        .put(&rating, Some(&s.community), json!({"impact": 5}))
        .await;
    let err = assert_error(r, StatusCode::BAD_REQUEST, "malformed").await;
    assert!(
        err["error"]["detail"].as_str().unwrap().contains("effort"),
        "{err}"
    );

    // Once voting closes, ratings are refused like dots.
    app.phase(&s.room.admin, &s.ideas, "closed").await;
    let r = app
        .put(
            &rating,
            Some(&s.academia),
            json!({"impact": 1, "effort": 5}),
        )
        .await;
    assert_error(r, StatusCode::CONFLICT, "phase_forbids").await;
}

#[tokio::test]
async fn facilitators_mark_candidate_programmes_and_participants_cannot() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let path = format!("/api/v1/cards/{}/programme", s.idea);
    let body = json!({"horizon": "short", "lead_office": "Disdukcapil"});

    let r = app.put(&path, Some(&s.community), body.clone()).await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app.put(&path, Some(&s.secretariat), body.clone()).await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .put(&path, Some(&s.room.admin), json!({"horizon": "soon"}))
        .await;
    let err = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(err["error"]["field"], "horizon");
    let r = app
        .put(
            &format!("/api/v1/cards/{}/programme", s.problem),
            Some(&s.room.admin),
            body.clone(),
        )
        .await;
    assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;

    let r = app.put(&path, Some(&s.room.admin), body).await;
    assert_eq!(r.status(), StatusCode::OK);
    let card: Value = r.json().await.unwrap();
    assert_eq!(card["programme"]["horizon"], "short");
    assert_eq!(card["programme"]["lead_office"], "Disdukcapil");

    let report = json_report(&app, &s.secretariat, "workshops", &s.room.workshop).await;
    let programmes = report["dimensions"]["governance"]["programmes"]
        .as_array()
        .unwrap();
    assert_eq!(programmes.len(), 1);
    assert_eq!(programmes[0]["text"], IDEA);
}

#[tokio::test]
async fn the_secretariat_exports_every_format_and_participants_cannot() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    app.put(
        &format!("/api/v1/cards/{}/usg", s.problem),
        Some(&s.community),
        json!({"urgency": 5, "seriousness": 4, "growth": 3}),
    )
    .await;
    let ws = &s.room.workshop;

    // The JSON contract.
    let report = json_report(&app, &s.secretariat, "workshops", ws).await;
    let gov = &report["dimensions"]["governance"];
    let problem = &gov["problems"][0];
    assert_eq!(problem["id"], s.problem.as_str());
    assert_eq!(problem["text"], PROBLEM);
    assert_eq!(problem["dots"], 3);
    assert_eq!(problem["dots_by_group"]["community"], 2);
    assert_eq!(problem["dots_by_group"]["academia"], 1);
    assert_eq!(problem["dots_by_group"]["media"], 0);
    assert_eq!(problem["breadth"], 2);
    assert_eq!(problem["usg"]["urgency"], 5.0);
    assert_eq!(problem["usg"]["score"], 12.0);
    assert_eq!(problem["usg"]["raters"], 1);
    let idea = &gov["ideas"][0];
    assert_eq!(idea["text"], IDEA);
    assert_eq!(idea["answers"][0], s.problem.as_str());
    for key in [
        "governance",
        "branding",
        "economy",
        "living",
        "society",
        "environment",
    ] {
        assert!(report["dimensions"][key].is_object(), "{key}");
    }

    for (format, content_type) in [
        ("md", "text/markdown"),
        ("csv", "text/csv"),
        ("html", "text/html"),
        (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let r = app
            .get(&report_path("workshops", ws, format), Some(&s.secretariat))
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{format}");
        let headers = r.headers().clone();
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with(content_type),
            "{format}: {:?}",
            headers["content-type"]
        );
        assert_eq!(headers["cache-control"], "no-store");
        let disposition = headers["content-disposition"].to_str().unwrap();
        assert!(
            disposition.ends_with(&format!(".{format}\"")),
            "{disposition}"
        );
        let bytes = r.bytes().await.unwrap().to_vec();
        match format {
            "docx" => {
                let xml = docx_text(&bytes);
                // The workshop is in Indonesian: so is the document.
                assert!(xml.contains("Tata Kelola Cerdas"));
                assert!(xml.contains("Masalah Prioritas"));
                assert!(xml.contains(PROBLEM));
                assert!(xml.contains(IDEA));
            }
            "xlsx" => {
                let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
                assert!(
                    book.sheet_names()
                        .contains(&"Tata Kelola Cerdas".to_string())
                );
                let range = book.worksheet_range("Tata Kelola Cerdas").unwrap();
                let row = range
                    .rows()
                    .find(|r| r.iter().any(|c| *c == Data::String(PROBLEM.into())))
                    .expect("the problem's row");
                assert!(
                    row.iter().any(|c| matches!(c, Data::Float(f) if *f == 3.0)),
                    "{row:?}"
                );
            }
            _ => {
                let text = String::from_utf8(bytes).unwrap();
                assert!(text.contains(PROBLEM), "{format}");
                assert!(text.contains(IDEA), "{format}");
            }
        }
    }

    // Who may not.
    let r = app
        .get(&report_path("workshops", ws, "docx"), Some(&s.community))
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .get(
            &report_path("sessions", &s.room.session, "json"),
            Some(&s.academia),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app.get(&report_path("workshops", ws, "json"), None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .get(&report_path("workshops", ws, "pdf"), Some(&s.secretariat))
        .await;
    let err = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(err["error"]["field"], "format");
    let r = app
        .get(
            &report_path("workshops", "00000000-0000-0000-0000-000000000000", "json"),
            Some(&s.secretariat),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The secretariat reads, but does not run the room.
    let r = app
        .put(
            &format!("/api/v1/questions/{}/phase", s.room.question),
            Some(&s.secretariat),
            json!({"phase": "closed"}),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/cards/{}", s.problem),
            Some(&s.secretariat),
            json!({"hidden": true, "reason": "uji"}),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
}

/// The text of a Word file's body, read with a plain zip reader.
fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a .docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[tokio::test]
async fn a_running_session_exports_the_tallies_of_the_moment() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let dots = |report: &Value| report["dimensions"]["governance"]["problems"][0]["dots"].clone();

    let before = json_report(&app, &s.secretariat, "sessions", &s.room.session).await;
    assert_eq!(dots(&before), 3);
    assert_eq!(before["scope"]["kind"], "session");

    let media = app.join(&s.room.code, "media").await;
    assert_eq!(
        app.vote(&media, &s.problem, 3).await.status(),
        StatusCode::OK
    );
    let after = json_report(&app, &s.secretariat, "sessions", &s.room.session).await;
    assert_eq!(dots(&after), 6);
    assert_eq!(
        after["dimensions"]["governance"]["problems"][0]["dots_by_group"]["media"],
        3
    );
    // A facilitator of the workshop may export too, in any format.
    let r = app
        .get(
            &report_path("sessions", &s.room.session, "md"),
            Some(&s.room.admin),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains(PROBLEM));
}

#[tokio::test]
async fn cross_session_duplicates_merge_in_the_roll_up_and_undo() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    // A second session with the same problem in other words.
    let day_two: Value = app
        .post(
            &format!("/api/v1/workshops/{}/sessions", s.room.workshop),
            Some(&s.room.admin),
            json!({"title": "Hari 2"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let q = app
        .question(&s.room.admin, day_two["id"].as_str().unwrap(), "problems")
        .await;
    let q = q["id"].as_str().unwrap();
    let p = app
        .join(day_two["join_code"].as_str().unwrap(), "government")
        .await;
    let other = app.card(&p, q, "Urus KTP antre berjam-jam").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let clusters = format!("/api/v1/workshops/{}/clusters", s.room.workshop);

    let r = app
        .post(
            &clusters,
            Some(&s.secretariat),
            json!({"cards": [s.problem], "text": "Antrean KTP-el"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(
            &clusters,
            Some(&s.community),
            json!({"cards": [s.problem, other], "text": "Antrean KTP-el"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .post(
            &clusters,
            Some(&s.secretariat),
            json!({"cards": [s.problem, other], "text": "Antrean KTP-el panjang"}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let cluster: Value = r.json().await.unwrap();
    let listed: Value = app
        .get(&clusters, Some(&s.secretariat))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let report = json_report(&app, &s.secretariat, "workshops", &s.room.workshop).await;
    let problems = report["dimensions"]["governance"]["problems"]
        .as_array()
        .unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["text"], "Antrean KTP-el panjang");
    assert_eq!(problems[0]["sessions"], json!(["Hari 1", "Hari 2"]));
    assert_eq!(problems[0]["dots"], 3);
    assert!(
        report["annex"]["moderation_log"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor"] == "sekretariat@acehselatankab.go.id"),
        "the merge is in the record"
    );
    // The session's own report is untouched.
    let session = json_report(&app, &s.secretariat, "sessions", &s.room.session).await;
    assert_eq!(
        session["dimensions"]["governance"]["problems"][0]["text"],
        PROBLEM
    );

    let undo = format!("/api/v1/clusters/{}/undo", cluster["id"].as_str().unwrap());
    let r = app.post(&undo, Some(&s.secretariat), json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let listed: Value = app
        .get(&clusters, Some(&s.secretariat))
        .await
        .json()
        .await
        .unwrap();
    assert!(listed.as_array().unwrap().is_empty());
    let report = json_report(&app, &s.secretariat, "workshops", &s.room.workshop).await;
    assert_eq!(
        report["dimensions"]["governance"]["problems"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn the_cli_exports_a_workshop_to_a_word_file() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (app, workshop) = rt.block_on(async {
        let app = spawn_app().await;
        let s = scene(&app).await;
        (app, s.room.workshop)
    });
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("draf.docx");
    let db = app.database_url.clone();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_rembuk"))
        .args([
            "export",
            "--workshop",
            &workshop,
            "--format",
            "docx",
            "--out",
        ])
        .arg(&out)
        .args(["--database-url", &db])
        .env_remove("DATABASE_URL")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "en_US.UTF-8")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let xml = docx_text(&std::fs::read(&out).unwrap());
    assert!(xml.contains(PROBLEM));
    assert!(xml.contains("Tata Kelola Cerdas"));

    // Markdown to standard output; a wrong id and a wrong format say so.
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_rembuk"))
        .args([
            "export",
            "--workshop",
            &workshop,
            "--format",
            "md",
            "--out",
            "-",
        ])
        .args(["--database-url", &db])
        .env("REMBUK_LOG", "debug")
        .env_remove("DATABASE_URL")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "en_US.UTF-8")
        .output()
        .unwrap();
    assert!(run.status.success());
    // Standard output is the document alone: the log goes elsewhere.
    let md = String::from_utf8_lossy(&run.stdout);
    assert!(md.starts_with("# ") && md.contains(PROBLEM), "{md}");
    for (args, says) in [
        (["--workshop", "nope", "--format", "docx"], "workshop"),
        (
            ["--workshop", workshop.as_str(), "--format", "pdf"],
            "format",
        ),
    ] {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_rembuk"))
            .arg("export")
            .args(args)
            .args(["--out", "-", "--database-url", &db])
            .env_remove("DATABASE_URL")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "en_US.UTF-8")
            .output()
            .unwrap();
        assert!(!run.status.success());
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(err.contains(says), "{err}");
    }
    drop(app);
}

#[tokio::test]
async fn the_projector_chart_is_svg_overall_and_per_group() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let chart = |query: &str| format!("/api/v1/sessions/{}/chart.svg?{query}", s.room.session);

    let r = app
        .get(&chart("dimension=governance"), Some(&s.room.admin))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    let svg = r.text().await.unwrap();
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains(&format!("{PROBLEM}: 3")), "{svg}");

    let svg = app
        .get(
            &chart("dimension=governance&group=academia"),
            Some(&s.secretariat),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(svg.contains(&format!("{PROBLEM}: 1")), "{svg}");
    // A group that gave no dots has nothing to draw.
    let svg = app
        .get(
            &chart("dimension=governance&group=media"),
            Some(&s.secretariat),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(!svg.contains(PROBLEM), "{svg}");

    let r = app
        .get(&chart("dimension=sports"), Some(&s.room.admin))
        .await;
    let err = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(err["error"]["field"], "dimension");
    let r = app
        .get(
            &chart("dimension=governance&group=aliens"),
            Some(&s.room.admin),
        )
        .await;
    let err = assert_error(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert_eq!(err["error"]["field"], "group");
    let r = app
        .get(&chart("dimension=governance"), Some(&s.community))
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "forbidden").await;
}
