//! `rembuk backup`: a consistent copy of the SQLite database taken while
//! the server runs and phones vote, which restores to the same results.

mod support;

use std::process::Command;

use reqwest::StatusCode;
use serde_json::Value;
use support::{spawn_app_on, spawn_sqlite_app};

const BIN: &str = env!("CARGO_BIN_EXE_rembuk");

fn backup(db: &str, out: &std::path::Path) -> std::process::Output {
    backup_in("en_US.UTF-8", db, out)
}

/// `rembuk backup` on a terminal whose locale is `locale`.
fn backup_in(locale: &str, db: &str, out: &std::path::Path) -> std::process::Output {
    Command::new(BIN)
        .args(["backup", "--database-url", db, "--out"])
        .arg(out)
        .env_remove("DATABASE_URL")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", locale)
        .output()
        .unwrap()
}

/// The workshop report without the moment it was compiled.
async fn report(app: &support::TestApp, token: &str, workshop: &str) -> Value {
    let r = app
        .get(
            &format!("/api/v1/workshops/{workshop}/report?format=json"),
            Some(token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mut report: Value = r.json().await.unwrap();
    report.as_object_mut().unwrap().remove("generated_at");
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_phones_vote_restores_to_the_same_report() {
    let app = spawn_sqlite_app().await;
    let room = app.room().await;
    let mut phones = vec![];
    let mut cards = vec![];
    for (i, group) in ["community", "academia", "media", "business"]
        .into_iter()
        .enumerate()
    {
        let p = app.join(&room.code, group).await;
        let card = app
            .card(&p, &room.question, &format!("Masalah nomor {i}"))
            .await;
        cards.push(card["id"].as_str().unwrap().to_string());
        phones.push(p);
    }
    app.phase(&room.admin, &room.question, "voting").await;

    // Votes keep arriving while the backup runs.
    let voting = {
        let base = app.base.clone();
        let phones = phones.clone();
        let cards = cards.clone();
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            for round in 0..3 {
                for (p, token) in phones.iter().enumerate() {
                    let card = &cards[(p + round) % cards.len()];
                    let r = client
                        .put(format!("{base}/api/v1/cards/{card}/vote"))
                        .bearer_auth(token)
                        .json(&serde_json::json!({"dots": 1}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), StatusCode::OK);
                }
            }
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let early = dir.path().join("during.db");
    let db = app.database_url.clone();
    let db_for_backup = db.clone();
    let early_path = early.clone();
    let out = tokio::task::spawn_blocking(move || backup(&db_for_backup, &early_path))
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    voting.await.unwrap();
    // The copy taken mid-vote is a whole database: it opens and reads.
    let during = spawn_app_on(early).await;
    let r = during
        .get(
            &format!("/api/v1/sessions/{}", room.session),
            Some(&room.admin),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // Once the votes are in, a backup restores to exactly the same results.
    let last = dir.path().join("rembuk-backup.db");
    let out = backup(&db, &last);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("backed up"));
    let live = report(&app, &room.admin, &room.workshop).await;
    let dots: u64 = live["dimensions"]["governance"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["dots"].as_u64().unwrap())
        .sum();
    assert_eq!(dots, 12, "every vote is in the live report");
    // Staff logins are in the backup too: keep backups as safe as the
    // database.
    let restored = spawn_app_on(last.clone()).await;
    assert_eq!(report(&restored, &room.admin, &room.workshop).await, live);

    // A second backup to the same name replaces the first only when done.
    let out = backup(&db, &last);
    assert!(out.status.success());
    assert!(
        std::fs::read_dir(dir.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".rembuk-backup-")),
        "no staging file is left behind"
    );
}

#[test]
fn backup_explains_what_it_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.db");
    let run = backup("postgres://rembuk@localhost/rembuk", &out);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("pg_dump"));

    let run = backup(
        &format!("sqlite://{}", dir.path().join("missing.db").display()),
        &out,
    );
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("no database"));
    let missing = dir.path().join("missing.db");
    let run = backup_in(
        "id_ID.UTF-8",
        &format!("sqlite://{}", missing.display()),
        &out,
    );
    assert_eq!(
        String::from_utf8_lossy(&run.stderr),
        format!("rembuk: tidak ada basis data di {}\n", missing.display())
    );
    assert!(!out.exists());
}
