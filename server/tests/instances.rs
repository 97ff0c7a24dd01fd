//! Two app processes on one PostgreSQL database, as behind a load balancer:
//! a vote made through one reaches a phone on the other; a lost LISTEN
//! connection loses no event; the vote budget holds across instances.
//!
//! These need a PostgreSQL server (`REMBUK_TEST_POSTGRES`, which
//! `scripts/test` sets for its PostgreSQL pass); without one they say so
//! and pass without checking anything.

mod support;

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use futures::StreamExt;
use rembuk_service::storage::{TEST_POSTGRES_ENV, create_postgres_database};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use sqlx::{AnyConnection, Connection};
use support::{Room, TestApp};

const BIN: &str = env!("CARGO_BIN_EXE_rembuk");

/// The PostgreSQL server to test against, or a loud note that the test
/// is skipped.
fn postgres_or_skip(test: &str) -> Option<String> {
    match std::env::var(TEST_POSTGRES_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            eprintln!(
                "\n!!! SKIPPED {test}: no PostgreSQL server ({TEST_POSTGRES_ENV} is not set).\n\
                 !!! Run `scripts/with-postgres cargo test -p rembuk --test instances`.\n"
            );
            None
        }
    }
}

/// One `rembuk serve` process; killed when dropped.
struct Instance {
    child: Child,
    app: TestApp,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    async fn start(database_url: &str) -> Instance {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(BIN)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .args(["--database-url", database_url])
            .env("REMBUK_LOG", "error")
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let app = TestApp::at(format!("http://127.0.0.1:{port}"), database_url.into());
        let started = Instant::now();
        loop {
            if let Ok(r) = app.client.get(app.url("/api/v1/openapi.json")).send().await
                && r.status() == StatusCode::OK
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "instance did not start"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Instance { child, app }
    }

    /// The `application_name` of this process's LISTEN connection.
    fn listener_name(&self) -> String {
        format!("rembuk-live-{}", self.child.id())
    }
}

/// A superuser connection to the server, for what an operator (or an
/// outage) does: end a backend, refuse new connections.
async fn operator(server: &str) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(server).await.unwrap()
}

/// How many connections `pg_stat_activity` shows under `name`.
async fn listening(op: &mut AnyConnection, name: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1")
        .bind(name)
        .fetch_one(op)
        .await
        .unwrap()
}

async fn wait_listening(op: &mut AnyConnection, name: &str) {
    let started = Instant::now();
    while listening(op, name).await == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{name} never listened"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Two instances on a fresh database, both listening, and an operator's
/// connection to the server.
struct Pair {
    db: String,
    a: Instance,
    b: Instance,
    op: AnyConnection,
}

impl Pair {
    async fn start(server: &str) -> Pair {
        let db = create_postgres_database(server).await.unwrap();
        let a = Instance::start(&db).await;
        let b = Instance::start(&db).await;
        let mut op = operator(server).await;
        wait_listening(&mut op, &a.listener_name()).await;
        wait_listening(&mut op, &b.listener_name()).await;
        Pair { db, a, b, op }
    }
}

/// A phone's open event stream, read incrementally.
struct Phone {
    stream: futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buf: String,
    /// The last dots total seen per card.
    dots: std::collections::HashMap<String, u64>,
    last_id: u64,
}

impl Phone {
    async fn open(app: &TestApp, session: &str, token: &str) -> Phone {
        let r: Response = app
            .get(&format!("/api/v1/sessions/{session}/events"), Some(token))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let mut phone = Phone {
            stream: r.bytes_stream().boxed(),
            buf: String::new(),
            dots: Default::default(),
            last_id: 0,
        };
        // The stream starts with `ready`.
        phone
            .until(Duration::from_secs(5), |p| p.last_id > 0)
            .await
            .expect("the stream says it is ready");
        phone
    }

    /// Reads until `done` holds; how long that took, or `None` at timeout.
    async fn until(
        &mut self,
        timeout: Duration,
        done: impl Fn(&Phone) -> bool,
    ) -> Option<Duration> {
        let started = Instant::now();
        while !done(self) {
            let left = timeout.checked_sub(started.elapsed())?;
            let chunk = match tokio::time::timeout(left, self.stream.next()).await {
                Err(_) => return None,
                Ok(chunk) => chunk.expect("stream ended").unwrap(),
            };
            self.buf.push_str(std::str::from_utf8(&chunk).unwrap());
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                for line in block.lines() {
                    if let Some(id) = line.strip_prefix("id: ") {
                        self.last_id = id.parse().unwrap();
                    } else if let Some(data) = line.strip_prefix("data: ") {
                        let event: Value = serde_json::from_str(data).unwrap();
                        for card in event["cards"].as_array().into_iter().flatten() {
                            self.dots.insert(
                                card["card_id"].as_str().unwrap().into(),
                                card["dots"].as_u64().unwrap(),
                            );
                        }
                    }
                }
            }
        }
        Some(started.elapsed())
    }
}

/// A room on instance `a` with `cards` cards in the voting phase.
async fn voting_room(a: &TestApp, cards: usize) -> (Room, Vec<String>) {
    let room = a.room().await;
    let writer = a.join(&room.code, "community").await;
    let mut ids = vec![];
    for i in 0..cards {
        let c = a
            .card(&writer, &room.question, &format!("Masalah {i}"))
            .await;
        ids.push(c["id"].as_str().unwrap().to_string());
    }
    a.phase(&room.admin, &room.question, "voting").await;
    (room, ids)
}

async fn session_seq(app: &TestApp, room: &Room) -> u64 {
    app.get(
        &format!("/api/v1/sessions/{}", room.session),
        Some(&room.admin),
    )
    .await
    .json::<Value>()
    .await
    .unwrap()["seq"]
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vote_through_one_instance_reaches_a_phone_on_the_other_within_a_second() {
    let Some(server) = postgres_or_skip("two instances: a vote crosses instances") else {
        return;
    };
    let Pair { a, b, .. } = Pair::start(&server).await;

    let (room, cards) = voting_room(&a.app, 2).await;
    let on_b = b.app.join(&room.code, "academia").await;
    let mut phone = Phone::open(&b.app, &room.session, &on_b).await;
    let voter = a.app.join(&room.code, "business").await;

    for (round, dots) in [2u64, 3, 1].into_iter().enumerate() {
        let r = a.app.vote(&voter, &cards[0], dots as i64).await;
        assert_eq!(r.status(), StatusCode::OK, "vote {round}");
        let took = phone
            .until(Duration::from_secs(1), |p| {
                p.dots.get(&cards[0]) == Some(&dots)
            })
            .await;
        assert!(
            took.is_some(),
            "round {round}: the phone on B did not see {dots} dots within 1 s (saw {:?})",
            phone.dots.get(&cards[0])
        );
    }
    // Event ids are one history, whichever instance wrote: B's stream ends
    // at the number A reports.
    let seq = session_seq(&a.app, &room).await;
    assert_eq!(seq, session_seq(&b.app, &room).await);
    phone
        .until(Duration::from_secs(1), |p| p.last_id == seq)
        .await
        .expect("B's stream reaches A's last event id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_the_listen_connection_loses_no_event() {
    let Some(server) = postgres_or_skip("two instances: LISTEN connection lost") else {
        return;
    };
    let Pair { db, a, b, mut op } = Pair::start(&server).await;
    let db_name = db.rsplit('/').next().unwrap().to_string();

    let (room, cards) = voting_room(&b.app, 3).await;
    let on_a = a.app.join(&room.code, "academia").await;
    let mut phone = Phone::open(&a.app, &room.session, &on_a).await;
    let voters = [
        b.app.join(&room.code, "business").await,
        b.app.join(&room.code, "media").await,
    ];

    // An outage of A's LISTEN connection: it is ended, and it cannot come
    // back until the database accepts connections again. The instances'
    // pools keep the connections they already have.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE {db_name} ALLOW_CONNECTIONS false"
    )))
    .execute(&mut op)
    .await
    .unwrap();
    // With a timeout, pg_terminate_backend waits until the backend has
    // gone; without one it only sends the signal, and a vote made at once
    // could still reach the dying connection.
    let ended: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = $1",
    )
    .bind(a.listener_name())
    .fetch_all(&mut op)
    .await
    .unwrap();
    assert_eq!(
        ended,
        vec![true],
        "A's LISTEN connection was found and ended"
    );

    // Votes through B while A cannot hear about them.
    for (voter, card, dots) in [
        (&voters[0], &cards[0], 2),
        (&voters[1], &cards[0], 1),
        (&voters[1], &cards[1], 2),
        (&voters[0], &cards[2], 1),
    ] {
        let r = b.app.vote(voter, card, dots).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let expected: std::collections::HashMap<String, u64> = [
        (cards[0].clone(), 3),
        (cards[1].clone(), 2),
        (cards[2].clone(), 1),
    ]
    .into();
    // The outage is real: nothing reaches A's phone meanwhile. (Since the
    // wait for the backend to end, this guard tripped once in CI and never
    // in 20 runs here; it says what A heard, and whether A was listening
    // again, should it trip once more.)
    let heard = phone
        .until(Duration::from_millis(500), |p| !p.dots.is_empty())
        .await;
    let listeners = listening(&mut op, &a.listener_name()).await;
    assert!(
        heard.is_none(),
        "A heard of B's votes without its LISTEN connection, so the test checks nothing: \
         after {heard:?} A's phone had {:?} at id {}, and A had {listeners} LISTEN connection(s)",
        phone.dots,
        phone.last_id
    );
    assert_eq!(listeners, 0);

    // The database is back: A listens again, recovers the gap, and its
    // phone ends with exactly B's totals and B's last event id.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE {db_name} ALLOW_CONNECTIONS true"
    )))
    .execute(&mut op)
    .await
    .unwrap();
    let seq = session_seq(&b.app, &room).await;
    phone
        .until(Duration::from_secs(10), |p| {
            p.dots == expected && p.last_id == seq
        })
        .await
        .unwrap_or_else(|| {
            panic!(
                "after the outage A's phone has {:?} at id {}, not {expected:?} at id {seq}",
                phone.dots, phone.last_id
            )
        });
    wait_listening(&mut op, &a.listener_name()).await;

    // And it keeps hearing new votes live.
    let late = b.app.join(&room.code, "government").await;
    let r = b.app.vote(&late, &cards[1], 1).await;
    assert_eq!(r.status(), StatusCode::OK);
    phone
        .until(Duration::from_secs(1), |p| {
            p.dots.get(&cards[1]) == Some(&3)
        })
        .await
        .expect("a vote after the outage arrives within a second");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_vote_budget_holds_when_one_phone_votes_through_both_instances_at_once() {
    let Some(server) = postgres_or_skip("two instances: vote budget") else {
        return;
    };
    let Pair { db, a, b, .. } = Pair::start(&server).await;

    // Ten cards, a budget of 3, and one phone spending a dot on each card
    // at once, half through A and half through B.
    let (room, cards) = voting_room(&a.app, 10).await;
    let voter = a.app.join(&room.code, "government").await;
    let votes = cards.iter().enumerate().map(|(i, card)| {
        let app = if i % 2 == 0 { &a.app } else { &b.app };
        let voter = voter.clone();
        async move { app.vote(&voter, card, 1).await.status() }
    });
    let statuses = futures::future::join_all(votes).await;
    let accepted = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!(
        (accepted, refused),
        (3, 7),
        "exactly the budget is accepted: {statuses:?}"
    );

    let mut conn = operator(&db).await;
    let spent: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(dots), 0) AS BIGINT) FROM votes WHERE question_id = $1",
    )
    .bind(&room.question)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(spent, 3, "the database holds exactly the budget");
}
