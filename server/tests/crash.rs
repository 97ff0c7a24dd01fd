//! Crash safety: the real server, killed with SIGKILL while phones vote,
//! restarts with every acknowledged vote and no vote counted twice.

mod support;

use std::{
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::TestApp;

const BIN: &str = env!("CARGO_BIN_EXE_rembuk");
const PHONES: usize = 24;
const CARDS: usize = 6;
/// Acknowledged votes before the kill.
const KILL_AFTER: usize = 300;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(port: u16, db: &str) -> Child {
    Command::new(BIN)
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            db,
        ])
        .env("REMBUK_LOG", "error")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits until the server answers; returns how long that took.
async fn wait_up(base: &str) -> Duration {
    let started = Instant::now();
    let client = reqwest::Client::new();
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(r) = client
            .get(format!("{base}/api/v1/openapi.json"))
            .send()
            .await
            && r.status() == StatusCode::OK
        {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the server did not come up within 30 s");
}

/// What one phone knows about its own vote on its card.
#[derive(Clone, Copy, Debug, Default)]
struct Known {
    /// The last value the server acknowledged.
    acked: u32,
    /// A value sent without an answer when the server died.
    in_flight: Option<u32>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkill_mid_vote_loses_no_acknowledged_vote_and_counts_none_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("rembuk.db");
    let db = format!("sqlite://{}", db_path.display());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(port, &db);
    wait_up(&base).await;
    let app = TestApp::at(base.clone(), db.clone());
    let room = app.room().await;
    let writer = app.join(&room.code, "community").await;
    let mut cards = vec![];
    for i in 0..CARDS {
        let card = app
            .card(&writer, &room.question, &format!("Masalah nomor {i}"))
            .await;
        cards.push(card["id"].as_str().unwrap().to_string());
    }
    let mut phones = vec![];
    for i in 0..PHONES {
        let group = ["government", "academia", "business", "community", "media"][i % 5];
        phones.push(app.join(&room.code, group).await);
    }
    app.phase(&room.admin, &room.question, "voting").await;

    // Every phone sets its dots on its card 1, 2, 3, 0, 1, … as fast as the
    // server answers, until the server dies under it.
    let acked_total = Arc::new(AtomicUsize::new(0));
    let known = Arc::new(Mutex::new(vec![Known::default(); PHONES]));
    let mut tasks = vec![];
    for (i, token) in phones.iter().cloned().enumerate() {
        let (base, card) = (base.clone(), cards[i % CARDS].clone());
        let (acked_total, known) = (acked_total.clone(), known.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for n in 1.. {
                let dots = n % 4;
                known.lock().unwrap()[i].in_flight = Some(dots);
                let sent = client
                    .put(format!("{base}/api/v1/cards/{card}/vote"))
                    .bearer_auth(&token)
                    .json(&json!({"dots": dots}))
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == StatusCode::OK => {
                        let mut k = known.lock().unwrap();
                        k[i] = Known {
                            acked: dots,
                            in_flight: None,
                        };
                        acked_total.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(r) => panic!("vote refused: {}", r.status()),
                    // The server is gone; the outcome of this one is unknown.
                    Err(_) => return,
                }
            }
        }));
    }
    while acked_total.load(Ordering::SeqCst) < KILL_AFTER {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked_total.load(Ordering::SeqCst);

    let mut server = start(port, &db);
    let up = wait_up(&base).await;

    let known = known.lock().unwrap().clone();
    let mut lost = 0;
    let mut mine = [0u32; CARDS];
    for (i, token) in phones.iter().enumerate() {
        let snapshot: Value = app
            .get(&format!("/api/v1/sessions/{}", room.session), Some(token))
            .await
            .json()
            .await
            .unwrap();
        let card = &cards[i % CARDS];
        let dots = snapshot["me"]["votes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["card_id"] == card.as_str())
            .map_or(0, |v| v["dots"].as_u64().unwrap() as u32);
        let k = known[i];
        if dots != k.acked && Some(dots) != k.in_flight {
            lost += 1;
            eprintln!("phone {i}: {dots} dots stored, {k:?} known");
        }
        mine[i % CARDS] += dots;
    }
    let staff: Value = app
        .get(
            &format!("/api/v1/sessions/{}", room.session),
            Some(&room.admin),
        )
        .await
        .json()
        .await
        .unwrap();
    let mut double = 0;
    for (c, card) in cards.iter().enumerate() {
        let total = staff["cards"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == card.as_str())
            .unwrap()["dots"]
            .as_u64()
            .unwrap() as u32;
        if total != mine[c] {
            double += 1;
            eprintln!("card {c}: tally {total}, phones hold {}", mine[c]);
        }
    }
    eprintln!(
        "crash safety: {acked} votes acknowledged before SIGKILL, {lost} lost, {double} tallies off; \
         accepting again {:.2} s after the restart",
        up.as_secs_f64()
    );
    assert_eq!(lost, 0, "acknowledged votes lost");
    assert_eq!(double, 0, "tallies that differ from the phones' own dots");

    // And the restarted server takes votes again.
    let r = app.vote(&phones[0], &cards[0], 1).await;
    assert_eq!(r.status(), StatusCode::OK);
    server.kill().unwrap();
    server.wait().unwrap();
}
