//! Two-instance mode (`--two-instances`): the latency load on PostgreSQL,
//! once with every phone and every vote on one app instance, once with the
//! phones and the votes split over two instances sharing the database
//! (a vote on one reaches the other's phones through LISTEN/NOTIFY).
//! One/two/one/two, the median ratio reported as
//! R_pg = two-instance p99 / one-instance p99 (goal ≤ 2).
//!
//! The PostgreSQL server is the one `REMBUK_TEST_POSTGRES` names:
//! `scripts/with-postgres cargo run --release -p bench -- --two-instances`
//! starts a throw-away one.

use std::{path::Path, sync::Arc};

use rembuk_service::storage::{TEST_POSTGRES_ENV, create_postgres_database};

use crate::{
    load::{
        LATENCY_RATE, Latency, Room, Streams, client, drive, expected_dots, measure, median,
        open_streams, prepare, summarise, tallied_dots,
    },
    procs::{Proc, start_app_on},
};

pub struct PgRow {
    pub phones: usize,
    pub one: Latency,
    pub two: Latency,
    pub r_pg: f64,
    pub lost: u64,
}

impl PgRow {
    pub fn line(&self) -> String {
        format!(
            "N={:>6} on PostgreSQL: one instance p50 {:.1} ms, p99 {:.1} ms; two instances p50 {:.1} ms, p99 {:.1} ms, \
             last phone (median vote) {:.1} ms; R_pg {:.2}; connected {:.2} %; missing {}; lost {}",
            self.phones,
            self.one.p50_ms,
            self.one.p99_ms,
            self.two.p50_ms,
            self.two.p99_ms,
            self.two.last_p50_ms,
            self.r_pg,
            self.two.connected_ratio * 100.0,
            self.two.missing + self.one.missing,
            self.lost
        )
    }
}

/// The PostgreSQL server to run against.
pub fn server_url() -> Result<String, String> {
    std::env::var(TEST_POSTGRES_ENV)
        .ok()
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| {
            format!(
                "--two-instances needs a PostgreSQL server in {TEST_POSTGRES_ENV}; \
                 run it as `scripts/with-postgres cargo run --release -p bench -- --two-instances`"
            )
        })
}

/// Vote addresses: voter `i` votes through `bases[i % bases.len()]`.
fn voters(
    bases: &[&str],
    room: &Room,
    count: usize,
) -> (Arc<Vec<String>>, Arc<Vec<Option<String>>>) {
    let urls = (0..count)
        .map(|i| {
            format!(
                "{}/api/v1/cards/{}/vote",
                bases[i % bases.len()],
                room.cards[i % room.cards.len()]
            )
        })
        .collect();
    let tokens = room.phones[..count].iter().cloned().map(Some).collect();
    (Arc::new(urls), Arc::new(tokens))
}

/// Opens the phones' streams, phone `i` on `bases[i % bases.len()]`.
async fn streams(bases: &[&str], room: &Room) -> Result<Vec<Streams>, String> {
    let mut all = vec![];
    for (k, base) in bases.iter().enumerate() {
        let url = format!("{base}/api/v1/sessions/{}/events", room.session);
        let tokens: Vec<Option<String>> = room
            .phones
            .iter()
            .enumerate()
            .filter(|(i, _)| i % bases.len() == k)
            .map(|(_, t)| Some(t.clone()))
            .collect();
        all.push(open_streams(&url, &tokens).await?);
    }
    Ok(all)
}

/// One round: phones and votes over `bases`; its latency and acked votes.
async fn round(
    client: &reqwest::Client,
    bases: &[&str],
    room: &Room,
    count: usize,
    secs: f64,
    next: &mut u64,
) -> Result<(Latency, Vec<crate::load::Sent>), String> {
    let (urls, tokens) = voters(bases, room, count);
    // A second of votes first, unmeasured: a freshly started instance opens
    // its database connections and prepares its statements on first use,
    // which a long-running deployment has long done.
    let warm = drive(
        client,
        urls.clone(),
        tokens.clone(),
        LATENCY_RATE,
        1.0,
        next,
    )
    .await;
    let open = streams(bases, room).await?;
    let (measured, mut acked) =
        measure(client, open, (urls, tokens), secs, next, room.phones.len()).await;
    acked.extend(warm.acked);
    Ok((measured, acked))
}

/// The latency load at `n` phones, one instance against two.
pub async fn two_instance_run(bin: &Path, n: usize, quick: bool) -> Result<PgRow, String> {
    let server = server_url()?;
    let db = create_postgres_database(&server)
        .await
        .map_err(|e| format!("cannot create a database on {server}: {e}"))?;
    let client = client();
    let secs = if quick { 3.0 } else { 5.0 };
    let count = n.min(500);
    let a = start_app_on(&client, bin, &db).await?;
    let room = prepare(&client, &a.base, n).await?;
    let (mut ones, mut twos, mut ratios, mut acked) = (vec![], vec![], vec![], vec![]);
    let mut next = 0;
    for _ in 0..2 {
        let (one, mut sent) = round(&client, &[&a.base], &room, count, secs, &mut next).await?;
        acked.append(&mut sent);
        // The second instance runs only for its rounds, so the one-instance
        // figures carry no cost of it.
        let b: Proc = start_app_on(&client, bin, &db).await?;
        let (two, mut sent) =
            round(&client, &[&a.base, &b.base], &room, count, secs, &mut next).await?;
        drop(b);
        acked.append(&mut sent);
        if one.p99_ms > 0.0 {
            ratios.push(two.p99_ms / one.p99_ms);
        }
        ones.push(one);
        twos.push(two);
    }
    let expected = expected_dots(&acked);
    let tallied = tallied_dots(&client, &a.base, &room).await?;
    Ok(PgRow {
        phones: n,
        one: summarise(&ones),
        two: summarise(&twos),
        r_pg: median(ratios),
        lost: expected.abs_diff(tallied),
    })
}
