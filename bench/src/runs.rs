//! The runs: latency at each size (app and floor alternated), throughput
//! and memory at the largest, and the join page; each returns the row it
//! prints.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::Client;

use crate::{
    load::{
        Latency, Room, Streams, client, drive, expected_dots, last_seq, latency, measure, median,
        open_streams, prepare, summarise, tallied_dots,
    },
    procs::{Proc, cpu_secs_during, rss_kib, start_app, start_floor, us_per_request},
};

/// Votes per second while the server's CPU time per vote is measured: well
/// within what it sustains, so the figure is the vote's cost, not a queue's.
const COST_RATE: f64 = 500.0;

pub struct SizeRow {
    pub phones: usize,
    pub app: Latency,
    pub floor: Latency,
    pub r_lat: f64,
    pub lost: u64,
}

impl SizeRow {
    pub fn line(&self) -> String {
        format!(
            "N={:>6}: vote→screen app p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, last phone (median vote) {:.1} ms; \
             floor p99 {:.1} ms; R_lat {:.2}; connected {:.2} %; missing {}; lost {}",
            self.phones,
            self.app.p50_ms,
            self.app.p99_ms,
            self.app.max_ms,
            self.app.last_p50_ms,
            self.floor.p99_ms,
            self.r_lat,
            self.app.connected_ratio * 100.0,
            self.app.missing,
            self.lost
        )
    }
}

/// The vote addresses and bearers of the room's first `voters` phones.
fn app_voters(
    base: &str,
    room: &Room,
    voters: usize,
) -> (Arc<Vec<String>>, Arc<Vec<Option<String>>>) {
    let urls = (0..voters)
        .map(|i| {
            format!(
                "{base}/api/v1/cards/{}/vote",
                room.cards[i % room.cards.len()]
            )
        })
        .collect();
    let tokens = room.phones[..voters].iter().cloned().map(Some).collect();
    (Arc::new(urls), Arc::new(tokens))
}

/// Latency at `n` phones, app and floor alternated twice (A/B/A/B).
pub async fn size_run(bin: &Path, dir: &Path, n: usize, quick: bool) -> Result<SizeRow, String> {
    let client = client();
    let secs = if quick { 3.0 } else { 5.0 };
    let voters = n.min(500);
    let app = start_app(&client, bin, dir, &format!("lat-{n}")).await?;
    let room = prepare(&client, &app.base, n).await?;
    let page = dir.join("page.html");
    let floor = start_floor(&client, dir, &format!("lat-{n}"), &page).await?;
    let app_events = format!("{}/api/v1/sessions/{}/events", app.base, room.session);
    let app_tokens: Vec<Option<String>> = room.phones.iter().cloned().map(Some).collect();
    let floor_events = format!("{}/events", floor.base);
    let floor_tokens: Vec<Option<String>> = vec![None; n];
    let (urls, tokens) = app_voters(&app.base, &room, voters);
    let floor_urls = Arc::new(vec![format!("{}/vote", floor.base); voters]);
    let floor_bearers = Arc::new(vec![None; voters]);

    let (mut app_runs, mut floor_runs, mut ratios, mut acked_all) =
        (vec![], vec![], vec![], vec![]);
    let (mut app_next, mut floor_next) = (0, 0);
    for _round in 0..2 {
        let streams = open_streams(&app_events, &app_tokens).await?;
        let (a, acked) = measure(
            &client,
            vec![streams],
            (urls.clone(), tokens.clone()),
            secs,
            &mut app_next,
            n,
        )
        .await;
        acked_all.extend(acked);

        let streams = open_streams(&floor_events, &floor_tokens).await?;
        let (f, _) = measure(
            &client,
            vec![streams],
            (floor_urls.clone(), floor_bearers.clone()),
            secs,
            &mut floor_next,
            n,
        )
        .await;
        if f.p99_ms > 0.0 {
            ratios.push(a.p99_ms / f.p99_ms);
        }
        app_runs.push(a);
        floor_runs.push(f);
    }
    let expected = expected_dots(&acked_all);
    let tallied = tallied_dots(&client, &app.base, &room).await?;
    Ok(SizeRow {
        phones: n,
        app: summarise(&app_runs),
        floor: summarise(&floor_runs),
        r_lat: median(ratios),
        lost: expected.abs_diff(tallied),
    })
}

pub struct ThroughputRow {
    pub phones: usize,
    pub votes_per_s: f64,
    pub p99_at_best_ms: f64,
    pub floor_inserts_per_s: f64,
    pub r_tput: f64,
    pub lost: u64,
    pub rss_per_conn_kib: f64,
    pub floor_rss_per_conn_kib: f64,
    /// The server's CPU time per vote with nobody listening.
    pub cpu_us_per_vote: f64,
    /// The floor's CPU time per insert, at the same rate.
    pub floor_cpu_us_per_insert: f64,
}

impl ThroughputRow {
    pub fn line(&self) -> String {
        format!(
            "N={:>6}: sustained {:.0} votes/s with 0 errors (p99 {:.1} ms); floor {:.0} inserts/s; R_tput {:.2}; \
             lost {}; server RSS {:.1} KiB per idle connection (floor {:.1} KiB); \
             server CPU {:.0} µs per vote with nobody listening (floor {:.0} µs per insert)",
            self.phones,
            self.votes_per_s,
            self.p99_at_best_ms,
            self.floor_inserts_per_s,
            self.r_tput,
            self.lost,
            self.rss_per_conn_kib,
            self.floor_rss_per_conn_kib,
            self.cpu_us_per_vote,
            self.floor_cpu_us_per_insert
        )
    }
}

/// Raises the vote rate until errors, p99 > 1 s, or the app acknowledging
/// less than 90 % of what was asked, with `n` phones listening, then
/// narrows in below the step that failed ([`Climb`]): the best rate
/// acknowledged without errors within 1 s is the sustained rate.
/// Before the votes, the app's memory per idle connection; after them, the
/// floor's, and its inserts per second.
pub async fn throughput_run(
    bin: &Path,
    dir: &Path,
    n: usize,
    quick: bool,
) -> Result<ThroughputRow, String> {
    let client = client();
    let app = start_app(&client, bin, dir, &format!("tput-{n}")).await?;
    let room = prepare(&client, &app.base, n).await?;
    let tokens: Vec<Option<String>> = room.phones.iter().cloned().map(Some).collect();
    let (streams, rss_per_conn_kib) = idle_streams(
        &app,
        &format!("{}/api/v1/sessions/{}/events", app.base, room.session),
        &tokens,
    )
    .await?;

    let (urls, bearers) = app_voters(&app.base, &room, n.min(2_000));
    let (mut best, mut best_p99, mut acked_all) = (0.0, 0.0, vec![]);
    let mut next = 0;
    let mut climb = Climb::new(quick);
    let mut asked = climb.first();
    while let Some(rate) = asked {
        let voted = drive(&client, urls.clone(), bearers.clone(), rate, 3.0, &mut next).await;
        let achieved = voted.acked.len() as f64 / voted.took.as_secs_f64();
        acked_all.extend(voted.acked.iter().copied());
        // p99 over a sample of 200 phones, opened for a probe at the same rate.
        let sample: Vec<Option<String>> = tokens.iter().take(200).cloned().collect();
        let observers = open_streams(
            &format!("{}/api/v1/sessions/{}/events", app.base, room.session),
            &sample,
        )
        .await?;
        let probe = drive(&client, urls.clone(), bearers.clone(), rate, 1.0, &mut next).await;
        observers.delivered(last_seq(&probe.acked)).await;
        let (connected, seen) = observers.close().await;
        acked_all.extend(probe.acked.iter().copied());
        let lat = latency(&probe.acked, &seen, connected, sample.len());
        let errors = voted.errors + probe.errors;
        let why = [voted.why(), probe.why()]
            .into_iter()
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        println!(
            "  {rate:>6.0} votes/s asked: {achieved:.0} acknowledged/s, {errors} errors{}, observers' p99 {:.1} ms",
            if why.is_empty() {
                String::new()
            } else {
                format!(" ({why})")
            },
            lat.p99_ms
        );
        let passed = errors == 0 && lat.p99_ms <= 1_000.0;
        // Without an error and within the latency limit, what the app
        // acknowledged is a rate it sustains, even when that is less than
        // was asked; asking more past that point only measures the queue.
        if passed && achieved > best {
            best = achieved;
            best_p99 = lat.p99_ms;
        }
        if voted.behind > Duration::from_secs_f64(0.3) {
            // The generator, not the app, set the pace of this step.
            println!(
                "  the generator sent its last vote {:.0} ms late: the ramp stops at what it can send",
                voted.behind.as_secs_f64() * 1_000.0
            );
            break;
        }
        if passed && achieved < rate * 0.9 {
            break;
        }
        asked = climb.next(rate, passed);
    }
    let (_, _) = streams.close().await;
    // The server's own cost of a vote, with nobody listening: HTTP, the
    // rules and the database (what R_tput compares, free of the fan-out).
    // The closed streams' teardown finishes first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (spent, voted) = cpu_secs_during(
        &app,
        drive(
            &client,
            urls.clone(),
            bearers.clone(),
            COST_RATE,
            3.0,
            &mut next,
        ),
    )
    .await;
    let cpu_us_per_vote = us_per_request(spent, voted.acked.len() as u64);
    acked_all.extend(voted.acked.iter().copied());
    let expected = expected_dots(&acked_all);
    let tallied = tallied_dots(&client, &app.base, &room).await?;

    let page = dir.join("page.html");
    let floor = start_floor(&client, dir, &format!("tput-{n}"), &page).await?;
    // What a bare axum handler holds for an idle stream: the least an app
    // on this stack can.
    let (floor_streams, floor_rss_per_conn_kib) =
        idle_streams(&floor, &format!("{}/events", floor.base), &vec![None; n]).await?;
    let _ = floor_streams.close().await;
    let insert_url = format!("{}/insert", floor.base);
    // The floor's cost of an insert at the vote's measured rate (a busy
    // server pays less per request than one that wakes for each), then its
    // most inserts per second.
    let (spent, paced) = cpu_secs_during(&floor, pace(&client, &insert_url, COST_RATE, 3.0)).await;
    let floor_cpu_us_per_insert = us_per_request(spent, paced.ok);
    let inserts = hammer(&client, &insert_url, reqwest::Method::POST, 64, 3.0)
        .await
        .per_s();
    Ok(ThroughputRow {
        phones: n,
        votes_per_s: best,
        p99_at_best_ms: best_p99,
        floor_inserts_per_s: inserts,
        r_tput: if inserts > 0.0 { best / inserts } else { 0.0 },
        lost: expected.abs_diff(tallied),
        rss_per_conn_kib,
        floor_rss_per_conn_kib,
        cpu_us_per_vote,
        floor_cpu_us_per_insert,
    })
}

/// Times the throughput run halves the gap between the highest rate that
/// passed and the lowest that failed, once a step has failed.
const REFINE: u32 = 2;

/// The rates the throughput run asks for: up [`ramp`] while steps pass
/// (no error, observers' p99 within 1 s); after the first that fails,
/// halfway between the highest rate that passed and the lowest that
/// failed, [`REFINE`] times. A step of the ramp is half as much again as
/// the one before, so a step that missed the limit by a hair used to cost
/// a third of the sustained rate; now the rate is found within a twelfth.
struct Climb {
    ramp: std::vec::IntoIter<f64>,
    passed: Option<f64>,
    failed: Option<f64>,
    refined: u32,
}

impl Climb {
    fn new(quick: bool) -> Climb {
        Climb {
            ramp: ramp(quick).into_iter(),
            passed: None,
            failed: None,
            refined: 0,
        }
    }

    fn first(&mut self) -> Option<f64> {
        self.ramp.next()
    }

    /// The rate to ask for after `rate` passed or failed; `None`: done.
    fn next(&mut self, rate: f64, passed: bool) -> Option<f64> {
        if passed {
            self.passed = Some(rate);
        } else {
            self.failed = Some(rate);
        }
        match (self.passed, self.failed) {
            (_, None) => self.ramp.next(),
            (Some(passed), Some(failed)) if self.refined < REFINE => {
                self.refined += 1;
                Some((passed + failed) / 2.0)
            }
            _ => None,
        }
    }
}

/// The vote rates the throughput run asks for, in order: the fixed first
/// steps, then half as much again each step, up to 40,000 a second (about
/// what the floor inserts with one core), so the ramp stops where the app
/// does, not at a ceiling of its own.
fn ramp(quick: bool) -> Vec<f64> {
    let mut rates: Vec<f64> = if quick {
        vec![250.0, 500.0, 1_000.0, 2_000.0, 3_000.0, 4_000.0]
    } else {
        vec![500.0, 1_000.0, 2_000.0, 3_000.0, 4_000.0]
    };
    while let Some(&last) = rates.last()
        && last * 1.5 <= 40_000.0
    {
        rates.push(last * 1.5);
    }
    rates
}

/// Opens a stream for each of `tokens` on `server` and returns them with
/// the server's memory per stream once they are idle: its RSS growth
/// from before the first opened to a second after the last was ready.
async fn idle_streams(
    server: &Proc,
    url: &str,
    tokens: &[Option<String>],
) -> Result<(Streams, f64), String> {
    let pid = server.child.id();
    let before = rss_kib(pid).unwrap_or(0);
    let streams = open_streams(url, tokens).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = rss_kib(pid).unwrap_or(before);
    let per_stream = after.saturating_sub(before) as f64 / tokens.len().max(1) as f64;
    Ok((streams, per_stream))
}

/// What [`hammer`] got done.
struct Hammered {
    ok: u64,
    secs: f64,
}

impl Hammered {
    fn per_s(&self) -> f64 {
        self.ok as f64 / self.secs
    }
}

/// POSTs to `url` at `rate` a second for `secs`, each request on its own
/// (open loop, as phones vote), and counts the successful ones.
async fn pace(client: &Client, url: &str, rate: f64, secs: f64) -> Hammered {
    let started = Instant::now();
    let total = (rate * secs) as u64;
    let mut requests = Vec::with_capacity(total as usize);
    for k in 0..total {
        tokio::time::sleep_until((started + Duration::from_secs_f64(k as f64 / rate)).into()).await;
        let (client, url) = (client.clone(), url.to_string());
        requests.push(tokio::spawn(async move {
            client
                .post(&url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        }));
    }
    let mut ok = 0;
    for r in requests {
        ok += u64::from(r.await.unwrap_or(false));
    }
    Hammered {
        ok,
        secs: started.elapsed().as_secs_f64(),
    }
}

/// Successful requests from `concurrency` loops for `secs`.
async fn hammer(
    client: &Client,
    url: &str,
    method: reqwest::Method,
    concurrency: usize,
    secs: f64,
) -> Hammered {
    let ok = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs_f64(secs);
    let started = Instant::now();
    let loops: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url, method, ok) =
                (client.clone(), url.to_string(), method.clone(), ok.clone());
            tokio::spawn(async move {
                while Instant::now() < until {
                    if let Ok(r) = client.request(method.clone(), &url).send().await
                        && r.status().is_success()
                    {
                        let _ = r.bytes().await;
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for l in loops {
        let _ = l.await;
    }
    Hammered {
        ok: ok.load(Ordering::Relaxed),
        secs: started.elapsed().as_secs_f64(),
    }
}

pub struct SsrRow {
    /// The QR code's address `/j/<code>`, as a first visitor opens it.
    pub app_per_s: f64,
    /// The front page form's address `/j?code=<code>`: rendered each time.
    pub rendered_per_s: f64,
    pub floor_per_s: f64,
    pub r_ssr: f64,
}

impl SsrRow {
    pub fn line(&self) -> String {
        format!(
            "join page: app serves {:.0}/s from the QR code's address ({:.0}/s rendered each time, \
             from the front page's form), the same HTML as a static string {:.0}/s; R_ssr {:.2}",
            self.app_per_s, self.rendered_per_s, self.floor_per_s, self.r_ssr
        )
    }
}

/// Join pages per second, against the same HTML served as a static string
/// by the floor: from the QR code's address (what a hall opens at once, kept
/// rendered for a moment) and, for comparison, rendered every time.
pub async fn ssr_run(bin: &Path, dir: &Path) -> Result<SsrRow, String> {
    let client = client();
    let app = start_app(&client, bin, dir, "ssr").await?;
    let room = prepare(&client, &app.base, 1).await?;
    let url = format!("{}/j/{}", app.base, room.code);
    let html = client
        .get(&url)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let page: PathBuf = dir.join("page.html");
    std::fs::write(&page, html).map_err(|e| e.to_string())?;
    let floor = start_floor(&client, dir, "ssr", &page).await?;
    let app_per_s = hammer(&client, &url, reqwest::Method::GET, 32, 3.0)
        .await
        .per_s();
    let rendered_per_s = hammer(
        &client,
        &format!("{}/j?code={}", app.base, room.code),
        reqwest::Method::GET,
        32,
        3.0,
    )
    .await
    .per_s();
    let floor_per_s = hammer(
        &client,
        &format!("{}/page", floor.base),
        reqwest::Method::GET,
        32,
        3.0,
    )
    .await
    .per_s();
    Ok(SsrRow {
        app_per_s,
        rendered_per_s,
        floor_per_s,
        r_ssr: if floor_per_s > 0.0 {
            app_per_s / floor_per_s
        } else {
            0.0
        },
    })
}

#[cfg(test)]
mod tests {
    use super::{Climb, ramp};

    #[test]
    fn after_a_failed_step_the_climb_halves_the_gap_twice() {
        let mut climb = Climb::new(false);
        let mut asked = vec![];
        let mut rate = climb.first();
        // The app passes up to 7,000 votes/s and fails above.
        while let Some(r) = rate {
            asked.push(r);
            rate = climb.next(r, r <= 7_000.0);
        }
        assert_eq!(
            asked,
            [
                500.0, 1_000.0, 2_000.0, 3_000.0, 4_000.0, 6_000.0, 9_000.0, 7_500.0, 6_750.0
            ]
        );
        // A first step that fails ends the climb: nothing passed to
        // refine from.
        let mut climb = Climb::new(true);
        let first = climb.first().unwrap();
        assert_eq!(climb.next(first, false), None);
        // Passing every step climbs the whole ramp, and stops.
        let mut climb = Climb::new(true);
        let mut rate = climb.first();
        let mut steps = 0;
        while let Some(r) = rate {
            steps += 1;
            rate = climb.next(r, true);
        }
        assert_eq!(steps, ramp(true).len());
    }

    #[test]
    fn the_ramp_climbs_past_the_old_top_step_and_stays_bounded() {
        for quick in [true, false] {
            let rates = ramp(quick);
            assert!(rates.windows(2).all(|w| w[0] < w[1]), "{rates:?}");
            assert!(rates.contains(&4_000.0) && rates.contains(&6_000.0));
            let top = *rates.last().unwrap();
            assert!(top <= 40_000.0 && top * 1.5 > 40_000.0, "{rates:?}");
        }
        assert_eq!(ramp(true)[0], 250.0);
        assert_eq!(ramp(false)[0], 500.0);
    }
}
