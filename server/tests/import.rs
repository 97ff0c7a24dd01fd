//! `rembuk import`: a workshop run offline on a venue laptop (SQLite) is
//! carried into a central instance (SQLite, or PostgreSQL in the matrix)
//! from a `rembuk backup` file, as often as needed.

mod support;

use std::{
    collections::{BTreeMap, HashMap},
    path::Path,
    process::{Command, Output},
};

use rembuk_service::storage::{Store, transfer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{TestApp, spawn_app, spawn_sqlite_app};

const BIN: &str = env!("CARGO_BIN_EXE_rembuk");
const FACILITATOR: &str = "fasilitator@acehselatankab.go.id";

/// `rembuk` on an English terminal.
fn rembuk(args: &[&str]) -> Output {
    rembuk_in("en_US.UTF-8", args)
}

/// `rembuk` on a terminal whose locale is `locale`.
fn rembuk_in(locale: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("REMBUK_DATA_DIR")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", locale)
        .output()
        .unwrap()
}

fn backup(db: &str, out: &Path) -> Output {
    rembuk(&[
        "backup",
        "--database-url",
        db,
        "--out",
        out.to_str().unwrap(),
    ])
}

fn import(db: &str, from: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "import",
        "--database-url",
        db,
        "--from",
        from.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    rembuk(&args)
}

/// What the command printed (shown with `--nocapture`).
fn stdout(o: &Output) -> String {
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    println!("{out}");
    out
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn assert_ok(o: &Output) {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
}

type Tables = BTreeMap<String, Vec<Vec<Option<String>>>>;

/// Every row of every table that belongs to the workshop.
async fn tables(url: &str, workshop: &str) -> Tables {
    let store = Store::connect(url).await.unwrap();
    let mut conn = store.read().await.unwrap();
    let mut out = Tables::new();
    for t in transfer::workshop_tables() {
        let rows = transfer::dump_table(&mut conn, t, workshop).await.unwrap();
        out.insert(t.to_string(), rows);
    }
    drop(conn);
    store.close().await;
    out
}

/// Asserts two sets of tables are equal, naming the first difference
/// (rather than printing every row).
#[track_caller]
fn assert_same(left: &Tables, right: &Tables) {
    assert_eq!(
        left.keys().collect::<Vec<_>>(),
        right.keys().collect::<Vec<_>>()
    );
    for (table, rows) in left {
        let other = &right[table];
        if rows == other {
            continue;
        }
        let first = rows
            .iter()
            .zip(other)
            .find(|(a, b)| a != b)
            .map(|(a, b)| format!("{a:?}\n  vs\n{b:?}"))
            .unwrap_or_default();
        panic!(
            "table {table} differs ({} vs {} rows): {first}",
            rows.len(),
            other.len()
        );
    }
}

async fn user_ids(url: &str) -> HashMap<String, String> {
    let store = Store::connect(url).await.unwrap();
    let mut conn = store.read().await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT email, id FROM users")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    store.close().await;
    rows.into_iter().collect()
}

/// The venue's tables as the central instance should hold them: staff ids
/// turned into the central accounts with the same email, and the
/// database-made ids of log entries left out.
async fn comparable(url: &str, workshop: &str, ids: &HashMap<String, String>) -> Tables {
    let mut t = tables(url, workshop).await;
    for (name, rows) in t.iter_mut() {
        for row in rows.iter_mut() {
            if name.ends_with("audit_log") {
                row.remove(0);
            }
            for cell in row.iter_mut() {
                if let Some(mapped) = cell.as_ref().and_then(|c| ids.get(c)) {
                    *cell = Some(mapped.clone());
                }
            }
        }
        // Rows ordered by a staff id may change places.
        if !name.ends_with("audit_log") {
            rows.sort();
        }
    }
    t
}

/// Venue staff id → central staff id, by email.
async fn staff_map(venue: &str, central: &str) -> HashMap<String, String> {
    let here = user_ids(central).await;
    user_ids(venue)
        .await
        .into_iter()
        .filter_map(|(email, id)| Some((id, here.get(&email)?.clone())))
        .collect()
}

/// The workshop report (JSON export) without the moment it was compiled.
async fn report(app: &TestApp, token: &str, workshop: &str) -> Value {
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

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// A workshop as a venue laptop ends a day with it.
struct Venue {
    app: TestApp,
    admin: String,
    workshop: String,
    session: String,
    phones: Vec<String>,
    problems: Vec<String>,
}

async fn venue() -> Venue {
    let app = spawn_sqlite_app().await;
    let room = app.room().await;
    let admin = room.admin.clone();
    // A co-facilitator who types in paper cards.
    let facilitator = app.staff(&admin, FACILITATOR, "facilitator").await;
    let r = app
        .post(
            &format!("/api/v1/workshops/{}/members", room.workshop),
            Some(&admin),
            json!({"email": FACILITATOR}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let ideas = id(&app.question(&admin, &room.session, "ideas").await);

    let mut phones = vec![];
    let mut problems = vec![];
    for (i, group) in ["community", "academia", "media"].into_iter().enumerate() {
        let p = app.join(&room.code, group).await;
        problems.push(id(&app
            .card(&p, &room.question, &format!("Masalah nomor {i}"))
            .await));
        phones.push(p);
    }
    let r = app
        .post(
            &format!("/api/v1/questions/{ideas}/cards"),
            Some(&phones[1]),
            json!({"text": "Layanan keliling", "answers": [problems[0]]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let idea = id(&r.json::<Value>().await.unwrap());
    let r = app
        .post(
            &format!("/api/v1/questions/{}/cards", room.question),
            Some(&facilitator),
            json!({"kind": "problem", "text": "Ditulis di kertas", "group": "community", "on_behalf": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let paper = id(&r.json::<Value>().await.unwrap());
    // The audit trail: a hidden card, an edit, paper votes, a merge.
    let r = app
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/cards/{}", problems[2]),
            Some(&admin),
            json!({"text": "Masalah nomor dua (disunting)"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());

    app.phase(&admin, &room.question, "voting").await;
    app.phase(&admin, &ideas, "voting").await;
    for (p, phone) in phones.iter().enumerate() {
        for (c, card) in problems.iter().enumerate() {
            if (p + c) % 2 == 0 {
                assert_eq!(app.vote(phone, card, 1).await.status(), StatusCode::OK);
            }
        }
    }
    let r = app
        .put(
            &format!("/api/v1/cards/{paper}/paper-votes"),
            Some(&facilitator),
            json!({"group": "media", "dots": 3}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    for (phone, (u, s, g)) in phones.iter().zip([(4, 5, 3), (2, 3, 1)]) {
        let r = app
            .put(
                &format!("/api/v1/cards/{}/usg", problems[0]),
                Some(phone),
                json!({"urgency": u, "seriousness": s, "growth": g}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = app
        .put(
            &format!("/api/v1/cards/{idea}/rating"),
            Some(&phones[0]),
            json!({"impact": 5, "effort": 2}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post(
            "/api/v1/cards/merge",
            Some(&admin),
            json!({"cards": [problems[1], problems[2]], "text": "Masalah satu dan dua"}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );

    // A second day, and a roll-up cluster across both days.
    let day2 = app.session(&admin, &room.workshop).await;
    let code = day2["join_code"].as_str().unwrap().to_string();
    let day2 = id(&day2);
    let q2 = id(&app.question(&admin, &day2, "problems").await);
    let p2 = app.join(&code, "business").await;
    let c2 = id(&app.card(&p2, &q2, "Masalah nomor nol lagi").await);
    let r = app
        .post(
            &format!("/api/v1/workshops/{}/clusters", room.workshop),
            Some(&admin),
            json!({"cards": [problems[0], c2], "text": "Masalah nol"}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );

    Venue {
        app,
        admin,
        workshop: room.workshop,
        session: room.session,
        phones,
        problems,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workshop_carried_home_twice_and_again_after_more_votes_matches_the_venue() {
    let venue = venue().await;
    let a = &venue.app;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("venue.db");
    assert_ok(&backup(&a.database_url, &file));
    let file_bytes = std::fs::read(&file).unwrap();

    let b = spawn_app().await;
    let central_admin = b.admin().await;

    // A dry run says what would happen and writes nothing.
    let out = import(&b.database_url, &file, &["--dry-run"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("dry run"), "{}", stdout(&out));
    assert!(
        tables(&b.database_url, &venue.workshop).await["workshops"].is_empty(),
        "a dry run writes nothing"
    );

    let out = import(&b.database_url, &file, &[]);
    assert_ok(&out);
    let said = stdout(&out);
    assert!(
        said.contains(&format!("imported workshop {}", venue.workshop)),
        "{said}"
    );
    assert!(said.contains("2 sessions"), "{said}");
    assert!(
        said.contains(&format!(
            "created staff account {FACILITATOR} (facilitator)"
        )),
        "{said}"
    );
    assert_eq!(
        std::fs::read(&file).unwrap(),
        file_bytes,
        "the file is never changed"
    );

    // The second import of the same file changes nothing at all.
    let first = tables(&b.database_url, &venue.workshop).await;
    for table in [
        "sessions",
        "cards",
        "votes",
        "paper_votes",
        "merges",
        "usg_ratings",
        "idea_ratings",
        "clusters",
        "events",
        "audit_log",
        "workshop_audit_log",
        "card_answers",
        "merge_sources",
        "workshop_members",
    ] {
        assert!(!first[table].is_empty(), "{table} came along");
    }
    let out = import(&b.database_url, &file, &[]);
    assert_ok(&out);
    assert!(stdout(&out).contains("nothing new"), "{}", stdout(&out));
    assert_same(&tables(&b.database_url, &venue.workshop).await, &first);

    // The central copy equals the venue's, row for row and in the report.
    let ids = staff_map(&a.database_url, &b.database_url).await;
    assert!(
        ids.iter().any(|(venue, central)| venue != central),
        "the central admin is another account with the same email"
    );
    let no_ids = HashMap::new();
    assert_same(
        &comparable(&a.database_url, &venue.workshop, &ids).await,
        &comparable(&b.database_url, &venue.workshop, &no_ids).await,
    );
    assert_eq!(
        report(&b, &central_admin, &venue.workshop).await,
        report(a, &venue.admin, &venue.workshop).await
    );
    // The venue's co-facilitator signs in centrally with their password.
    let r = b
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": FACILITATOR, "password": "rahasia-sekali-123"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // The venue goes on: one more vote, one un-vote.
    let voted = a.vote(&venue.phones[1], &venue.problems[0], 1).await;
    assert_eq!(
        voted.status(),
        StatusCode::OK,
        "{}",
        voted.text().await.unwrap()
    );
    let unvoted = a.vote(&venue.phones[0], &venue.problems[0], 0).await;
    assert_eq!(unvoted.status(), StatusCode::OK);
    let last_seq = unvoted.json::<Value>().await.unwrap()["seq"]
        .as_u64()
        .unwrap();
    assert_ok(&backup(&a.database_url, &file));
    let out = import(&b.database_url, &file, &[]);
    assert_ok(&out);
    let said = stdout(&out);
    assert!(
        said.contains(&format!("updated workshop {}", venue.workshop)),
        "{said}"
    );
    assert!(
        said.contains("removed (not in the file): 1 vote\n"),
        "{said}"
    );
    assert_same(
        &comparable(&a.database_url, &venue.workshop, &ids).await,
        &comparable(&b.database_url, &venue.workshop, &no_ids).await,
    );
    assert_eq!(
        report(&b, &central_admin, &venue.workshop).await,
        report(a, &venue.admin, &venue.workshop).await
    );

    // Phones carry on centrally (their device tokens came along), and the
    // next change gets the next number.
    let r = b.vote(&venue.phones[2], &venue.problems[0], 2).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert_eq!(
        r.json::<Value>().await.unwrap()["seq"].as_u64().unwrap(),
        last_seq + 1
    );

    // Now the central copy has a change the file lacks: refused, untouched.
    let before = tables(&b.database_url, &venue.workshop).await;
    let out = import(&b.database_url, &file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("data the file lacks"), "{err}");
    assert!(
        err.contains(&format!("1 change recorded here (number {})", last_seq + 1)),
        "{err}"
    );
    assert!(err.contains("--replace"), "{err}");
    // The same refusal, on a terminal in Bahasa Indonesia.
    let db = b.database_url.as_str();
    let from = file.to_str().unwrap();
    let out = rembuk_in(
        "id_ID.UTF-8",
        &["import", "--database-url", db, "--from", from],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("memuat data yang tidak ada di berkas"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "1 perubahan yang tercatat di sini (nomor {})",
            last_seq + 1
        )),
        "{err}"
    );
    assert!(err.contains("tambahkan --replace"), "{err}");
    assert_same(&tables(&b.database_url, &venue.workshop).await, &before);
    let session_seq = |t: &Tables| {
        t["sessions"]
            .iter()
            .find(|r| r[0].as_deref() == Some(venue.session.as_str()))
            .unwrap()[4]
            .clone()
    };
    assert_eq!(session_seq(&before), Some((last_seq + 1).to_string()));

    // --replace makes it the venue's again.
    let out = import(&b.database_url, &file, &["--replace"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("replaced (--replace)"),
        "{}",
        stdout(&out)
    );
    assert_same(
        &comparable(&a.database_url, &venue.workshop, &ids).await,
        &comparable(&b.database_url, &venue.workshop, &no_ids).await,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_code_taken_centrally_is_replaced_by_a_fresh_one() {
    let a = spawn_sqlite_app().await;
    let venue = a.room().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("venue.db");
    assert_ok(&backup(&a.database_url, &file));

    // The central instance already has a session with the venue's code.
    let b = spawn_app().await;
    let central = b.room().await;
    {
        let store = Store::connect(&b.database_url).await.unwrap();
        let mut conn = store.read().await.unwrap();
        sqlx::query("UPDATE sessions SET join_code = $1 WHERE id = $2")
            .bind(venue.code.parse::<i64>().unwrap())
            .bind(&central.session)
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        store.close().await;
    }

    let out = import(&b.database_url, &file, &["--workshop", &venue.workshop]);
    assert_ok(&out);
    let said = stdout(&out);
    assert!(
        said.contains(&format!("join code {} is taken here", venue.code)),
        "{said}"
    );
    let sessions = tables(&b.database_url, &venue.workshop).await["sessions"].clone();
    let new_code = sessions[0][3].clone().unwrap();
    assert_ne!(new_code, venue.code);
    assert!(
        said.contains(&format!("its code is now {new_code}")),
        "{said}"
    );
    // Again: the code stays, nothing changes.
    let before = tables(&b.database_url, &venue.workshop).await;
    let out = import(&b.database_url, &file, &[]);
    assert_ok(&out);
    assert!(stdout(&out).contains("nothing new"), "{}", stdout(&out));
    assert_same(&tables(&b.database_url, &venue.workshop).await, &before);

    // People join the imported session with its new code; the central
    // session keeps the old one.
    let p = b.join(&new_code, "community").await;
    let r = b
        .get(&format!("/api/v1/sessions/{}", venue.session), Some(&p))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let info = b.get(&format!("/api/v1/join/{}", venue.code), None).await;
    assert_eq!(info.status(), StatusCode::OK);
    assert_eq!(
        info.json::<Value>().await.unwrap()["session_id"],
        central.session.as_str()
    );
}

#[tokio::test]
async fn bad_files_are_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let target = format!("sqlite://{}", dir.path().join("central.db").display());

    let out = import(&target, &dir.path().join("missing.db"), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("there is no file at"),
        "{}",
        stderr(&out)
    );

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "Catatan rapat: bukan basis data.\n".repeat(200)).unwrap();
    let out = import(&target, &text, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not a SQLite database"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"));

    // SQLite, but someone else's.
    let other = dir.path().join("other.db");
    {
        let store = Store::connect(&format!("sqlite://{}", other.display()))
            .await
            .unwrap();
        let mut conn = store.read().await.unwrap();
        for sql in ["DROP TABLE workshops", "DROP TABLE _sqlx_migrations"] {
            sqlx::query(sql).execute(&mut *conn).await.unwrap();
        }
        drop(conn);
        store.close().await;
    }
    let out = import(&target, &other, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not Rembuk's"), "{}", stderr(&out));

    // From a newer Rembuk.
    let newer = dir.path().join("newer.db");
    {
        let store = Store::connect(&format!("sqlite://{}", newer.display()))
            .await
            .unwrap();
        let mut conn = store.read().await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
             VALUES (9999, 'future', CURRENT_TIMESTAMP, 1, x'00', 0)",
        )
        .execute(&mut *conn)
        .await
        .unwrap();
        drop(conn);
        store.close().await;
    }
    let out = import(&target, &newer, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("newer Rembuk"), "{}", stderr(&out));

    // A Rembuk database without that workshop.
    let out = import(&target, &newer, &["--workshop", "not-an-id"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not a workshop id"),
        "{}",
        stderr(&out)
    );
    let empty = dir.path().join("empty.db");
    Store::connect(&format!("sqlite://{}", empty.display()))
        .await
        .unwrap()
        .close()
        .await;
    let out = import(
        &target,
        &empty,
        &["--workshop", &uuid::Uuid::new_v4().to_string()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("has no workshop"), "{}", stderr(&out));
    let out = import(&target, &empty, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("has no workshops"),
        "{}",
        stderr(&out)
    );
}

/// A venue laptop that still runs an older Rembuk: the file is read
/// through an upgraded copy and stays as it was.
#[tokio::test]
async fn an_older_database_is_read_through_an_upgraded_copy() {
    let dir = tempfile::tempdir().unwrap();
    let old_migrations = dir.path().join("migrations");
    std::fs::create_dir(&old_migrations).unwrap();
    let all = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/sqlite");
    for name in ["0001_foundation.sql", "0002_moderation.sql"] {
        std::fs::copy(all.join(name), old_migrations.join(name)).unwrap();
    }
    let old = dir.path().join("old.db");
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&format!("sqlite://{}?mode=rwc", old.display()))
        .await
        .unwrap();
    sqlx::migrate::Migrator::new(old_migrations.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    let workshop = uuid::Uuid::new_v4().to_string();
    let session = uuid::Uuid::new_v4().to_string();
    for (sql, binds) in [
        (
            "INSERT INTO workshops (id, title, language, created_at) VALUES ($1, 'Rembuk lama', 'id', 1)",
            vec![workshop.clone()],
        ),
        (
            "INSERT INTO sessions (id, workshop_id, title, join_code, created_at) VALUES ($1, $2, 'Hari 1', 246810, 2)",
            vec![session.clone(), workshop.clone()],
        ),
    ] {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(b);
        }
        q.execute(&pool).await.unwrap();
    }
    pool.close().await;
    let bytes = std::fs::read(&old).unwrap();

    let target = format!("sqlite://{}", dir.path().join("central.db").display());
    let out = import(&target, &old, &[]);
    assert_ok(&out);
    let said = stdout(&out);
    assert!(said.contains("older schema (version 2)"), "{said}");
    assert!(said.contains("imported workshop"), "{said}");
    assert_eq!(
        std::fs::read(&old).unwrap(),
        bytes,
        "the file is not changed"
    );
    let t = tables(&target, &workshop).await;
    assert_eq!(
        t["workshops"][0][8].as_deref(),
        Some("keep"),
        "newer columns get their defaults"
    );
    assert_eq!(t["sessions"].len(), 1);
}
