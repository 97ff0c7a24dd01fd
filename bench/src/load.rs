//! The load: a room prepared through the API, phones holding live
//! streams, votes at a fixed rate, and the arithmetic of the figures. The
//! servers are started by [`crate::procs`]; the runs are in [`crate::runs`].

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures::StreamExt;
use reqwest::Client;
use serde_json::{Value, json};
use tokio::{sync::watch, task::JoinHandle};

use crate::sse::SseStream;

/// Cards the voters spread their dots over.
const CARDS: usize = 20;
/// Votes per second while latency is measured.
pub(crate) const LATENCY_RATE: f64 = 200.0;

// ------------------------------------------------------------------ client

/// Most requests the generator has in flight at once, and the
/// connections its client keeps alive for them. Every request then finds
/// a kept-alive connection: with more in flight than the pool keeps, the
/// client opened a connection for each extra request and closed it after
/// (a TCP handshake and a new connection task on both sides), and at the
/// top of the throughput ramp that churn, not the app, set the pace.
pub(crate) const IN_FLIGHT: usize = 256;

pub(crate) fn client() -> Client {
    Client::builder()
        .pool_max_idle_per_host(IN_FLIGHT)
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap_or_default()
}

// -------------------------------------------------------------------- rooms

/// A session on the app with its phones.
pub(crate) struct Room {
    pub(crate) admin: String,
    pub(crate) session: String,
    pub(crate) code: String,
    pub(crate) cards: Vec<String>,
    pub(crate) phones: Vec<String>,
}

async fn call(
    client: &Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Value,
) -> Result<Value, String> {
    let mut r = client.request(method, &url).json(&body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.map_err(|e| format!("{url}: {e}"))?;
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(format!("{url}: {status} {v}"));
    }
    Ok(v)
}

pub(crate) async fn prepare(client: &Client, base: &str, phones: usize) -> Result<Room, String> {
    use reqwest::Method;
    let admin = call(
        client,
        Method::POST,
        format!("{base}/api/v1/setup"),
        None,
        json!({"email": "bench@example.go.id", "password": "bench-password-123"}),
    )
    .await?["token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let a = Some(admin.as_str());
    let w = call(
        client,
        Method::POST,
        format!("{base}/api/v1/workshops"),
        a,
        json!({"title": "Benchmark"}),
    )
    .await?;
    let s = call(
        client,
        Method::POST,
        format!(
            "{base}/api/v1/workshops/{}/sessions",
            w["id"].as_str().unwrap_or_default()
        ),
        a,
        json!({"title": "Hall"}),
    )
    .await?;
    let session = s["id"].as_str().unwrap_or_default().to_string();
    let code = s["join_code"].as_str().unwrap_or_default().to_string();
    let q = call(
        client,
        Method::POST,
        format!("{base}/api/v1/sessions/{session}/questions"),
        a,
        json!({"dimension": "governance", "kind": "problems", "prompt": "Masalah apa yang paling mendesak?"}),
    )
    .await?;
    let question = q["id"].as_str().unwrap_or_default().to_string();
    let writer = join(client, base, &code).await?;
    let mut cards = vec![];
    for i in 0..CARDS {
        let c = call(
            client,
            Method::POST,
            format!("{base}/api/v1/questions/{question}/cards"),
            Some(&writer),
            json!({"text": format!("Masalah nomor {i}")}),
        )
        .await?;
        cards.push(c["id"].as_str().unwrap_or_default().to_string());
    }
    call(
        client,
        Method::PUT,
        format!("{base}/api/v1/questions/{question}/phase"),
        a,
        json!({"phase": "voting"}),
    )
    .await?;
    let joined: Vec<Result<String, String>> = futures::stream::iter(0..phones)
        .map(|_| join(client, base, &code))
        .buffer_unordered(32)
        .collect()
        .await;
    let phones = joined.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok(Room {
        admin,
        session,
        code,
        cards,
        phones,
    })
}

async fn join(client: &Client, base: &str, code: &str) -> Result<String, String> {
    let v = call(
        client,
        reqwest::Method::POST,
        format!("{base}/api/v1/join"),
        None,
        json!({"code": code, "group": "academia", "consent": true}),
    )
    .await?;
    Ok(v["token"].as_str().unwrap_or_default().to_string())
}

// ------------------------------------------------------------------ streams

/// The events one phone saw: (event id, arrival).
pub(crate) type Seen = Vec<(u64, Instant)>;

/// Phones holding a live stream; each ends with whether it was still
/// connected, and what it saw.
pub(crate) struct Streams {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<(bool, Seen)>>,
    /// Each stream's latest event id; `u64::MAX` once it has ended, so
    /// nothing waits for it.
    latest: Arc<Vec<AtomicU64>>,
}

/// How long [`Streams::delivered`] waits for the last vote to reach every
/// phone. A vote not on a screen by then is reported missing.
pub(crate) const DELIVERY_LIMIT: Duration = Duration::from_secs(10);

pub(crate) async fn open_streams(url: &str, tokens: &[Option<String>]) -> Result<Streams, String> {
    let (stop, stopped) = watch::channel(false);
    let ready = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(tokens.len());
    let latest: Arc<Vec<AtomicU64>> = Arc::new(tokens.iter().map(|_| AtomicU64::new(0)).collect());
    for (i, token) in tokens.iter().enumerate() {
        let (url, token, mut stopped, ready, latest) = (
            url.to_string(),
            token.clone(),
            stopped.clone(),
            ready.clone(),
            latest.clone(),
        );
        tasks.push(tokio::spawn(async move {
            // Counted once, whether the stream came alive or failed.
            let mut not_ready = Some(ready);
            let mark_ready = |r: &mut Option<Arc<AtomicUsize>>| {
                if let Some(r) = r.take() {
                    r.fetch_add(1, Ordering::SeqCst);
                }
            };
            let Ok(mut stream) = SseStream::open(&url, token.as_deref()).await else {
                latest[i].store(u64::MAX, Ordering::SeqCst);
                mark_ready(&mut not_ready);
                return (false, vec![]);
            };
            let mut seen = Vec::new();
            let mut ids = Vec::new();
            let connected = loop {
                tokio::select! {
                    _ = stopped.changed() => break true,
                    more = stream.next_ids(&mut ids) => {
                        let at = Instant::now();
                        if let Some(&last) = ids.iter().max() {
                            latest[i].fetch_max(last, Ordering::SeqCst);
                            seen.extend(ids.drain(..).map(|id| (id, at)));
                            // The first event (the app's `ready`): the
                            // server listens for this phone.
                            mark_ready(&mut not_ready);
                        }
                        if !matches!(more, Ok(true)) {
                            latest[i].store(u64::MAX, Ordering::SeqCst);
                            break false;
                        }
                    }
                }
            };
            mark_ready(&mut not_ready);
            (connected, seen)
        }));
    }
    // Every phone's stream alive (it has its first event) or failed before
    // the votes start. Response headers alone are not enough: the server
    // sends them before it has read where the session stands, and at
    // 10,000 phones those reads would still be queued when voting began,
    // timing the connection storm rather than the votes.
    let started = Instant::now();
    while ready.load(Ordering::SeqCst) < tokens.len() {
        if started.elapsed() > Duration::from_secs(300) {
            return Err("phones did not connect within 300 s".into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok(Streams {
        stop,
        tasks,
        latest,
    })
}

/// The number of the last acknowledged vote in `acked` (0: none).
pub(crate) fn last_seq(acked: &[Sent]) -> u64 {
    acked.iter().map(|v| v.seq).max().unwrap_or(0)
}

impl Streams {
    /// Waits until every open stream has an event covering `seq` (the
    /// last acknowledged vote's number), or [`DELIVERY_LIMIT`] passed.
    /// A fixed grace would drop a slow run's latest deliveries from its
    /// percentiles (and call them missing); waiting for them keeps them in.
    pub(crate) async fn delivered(&self, seq: u64) {
        let started = Instant::now();
        while started.elapsed() < DELIVERY_LIMIT
            && self.latest.iter().any(|l| l.load(Ordering::SeqCst) < seq)
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Ends every stream; returns who was still connected and what each saw.
    pub(crate) async fn close(self) -> (usize, Vec<Vec<(u64, Instant)>>) {
        let _ = self.stop.send(true);
        let mut connected = 0;
        let mut all = Vec::with_capacity(self.tasks.len());
        for t in self.tasks {
            if let Ok((ok, seen)) = t.await {
                connected += usize::from(ok);
                all.push(seen);
            }
        }
        (connected, all)
    }
}

// -------------------------------------------------------------------- votes

/// One vote as the generator saw it.
#[derive(Clone, Copy)]
pub(crate) struct Sent {
    seq: u64,
    at: Instant,
    voter: usize,
    dots: u8,
}

pub(crate) struct Voted {
    pub(crate) acked: Vec<Sent>,
    pub(crate) errors: u64,
    /// What the failed votes got, for the report: `HTTP 503` or the
    /// client's error, with counts.
    pub(crate) why: std::collections::BTreeMap<String, u64>,
    pub(crate) took: Duration,
    /// How late the generator sent its last vote: more than a few
    /// milliseconds means it could not keep the asked rate itself.
    pub(crate) behind: Duration,
}

impl Voted {
    /// The failures as `3 × HTTP 500, 1 × connection closed`, or empty.
    pub(crate) fn why(&self) -> String {
        self.why
            .iter()
            .map(|(what, n)| format!("{n} × {what}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Sends `rate` votes per second for `secs` seconds, round robin over
/// `voters`, each voter toggling its dot on its card, so every vote
/// changes something. `urls[voter]` is the vote's address, `tokens[voter]`
/// its bearer. `next` numbers the votes across calls (it carries on where
/// the last call stopped, so the toggling does too). At most [`IN_FLIGHT`]
/// votes are in flight; a vote due while all are waits for one to return,
/// and the wait counts in its latency (a vote's time is taken when it is
/// due to go, not when a connection comes free).
pub(crate) async fn drive(
    client: &Client,
    urls: Arc<Vec<String>>,
    tokens: Arc<Vec<Option<String>>>,
    rate: f64,
    secs: f64,
    next: &mut u64,
) -> Voted {
    let total = (rate * secs) as u64;
    let voters = urls.len();
    let started = Instant::now();
    let mut handles = Vec::with_capacity(total as usize);
    let first = *next;
    *next += total;
    let mut behind = Duration::ZERO;
    let in_flight = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    for k in first..first + total {
        let due = started + Duration::from_secs_f64((k - first) as f64 / rate);
        tokio::time::sleep_until(due.into()).await;
        behind = Instant::now().saturating_duration_since(due);
        let voter = (k as usize) % voters;
        let dots = u8::from(((k as usize) / voters).is_multiple_of(2));
        let (client, urls, tokens) = (client.clone(), urls.clone(), tokens.clone());
        let in_flight = in_flight.clone();
        handles.push(tokio::spawn(async move {
            let at = Instant::now();
            let Ok(_turn) = in_flight.acquire_owned().await else {
                return Err("generator stopped".to_string());
            };
            let mut req = client.put(&urls[voter]).json(&json!({"dots": dots}));
            if let Some(t) = &tokens[voter] {
                req = req.bearer_auth(t);
            }
            match req.send().await {
                Ok(r) if r.status().is_success() => {
                    let v: Value = r.json().await.unwrap_or(Value::Null);
                    Ok(Sent {
                        seq: v["seq"].as_u64().unwrap_or(0),
                        at,
                        voter,
                        dots,
                    })
                }
                Ok(r) => Err(format!("HTTP {}", r.status().as_u16())),
                Err(e) => Err(client_error(&e)),
            }
        }));
    }
    let mut acked = Vec::with_capacity(handles.len());
    let mut why = std::collections::BTreeMap::new();
    for h in handles {
        match h.await {
            Ok(Ok(s)) => acked.push(s),
            Ok(Err(e)) => *why.entry(e).or_insert(0) += 1,
            Err(_) => *why.entry("generator task failed".into()).or_insert(0) += 1,
        }
    }
    let errors = why.values().sum();
    Voted {
        acked,
        errors,
        why,
        took: started.elapsed(),
        behind,
    }
}

/// A client error in a few words: what kind, not the whole chain.
fn client_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else if e.is_body() || e.is_decode() {
        "broken answer".into()
    } else {
        "request failed".into()
    }
}

/// One measured round: while `streams` are held open, votes go out at the
/// latency rate for `secs` through `voters` (addresses, bearers); then the
/// streams close. Returns the vote→screen latency over all `phones` and
/// the acknowledged votes.
pub(crate) async fn measure(
    client: &Client,
    streams: Vec<Streams>,
    voters: (Arc<Vec<String>>, Arc<Vec<Option<String>>>),
    secs: f64,
    next: &mut u64,
    phones: usize,
) -> (Latency, Vec<Sent>) {
    let voted = drive(client, voters.0, voters.1, LATENCY_RATE, secs, next).await;
    let last = last_seq(&voted.acked);
    for s in &streams {
        s.delivered(last).await;
    }
    let (mut connected, mut seen) = (0, vec![]);
    for s in streams {
        let (c, mut e) = s.close().await;
        connected += c;
        seen.append(&mut e);
    }
    (latency(&voted.acked, &seen, connected, phones), voted.acked)
}

// ------------------------------------------------------------------ figures

#[derive(Clone, Copy, Default)]
pub struct Latency {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Median over votes of the time until the last phone had it.
    pub last_p50_ms: f64,
    /// Votes some connected phone never received.
    pub missing: u64,
    pub connected_ratio: f64,
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

/// Vote → screen: for every acknowledged vote and every phone, the first
/// event whose id covers the vote's sequence number.
pub(crate) fn latency(
    acked: &[Sent],
    seen: &[Vec<(u64, Instant)>],
    connected: usize,
    phones: usize,
) -> Latency {
    let mut votes: Vec<&Sent> = acked.iter().filter(|s| s.seq > 0).collect();
    votes.sort_by_key(|s| s.seq);
    let mut all: Vec<u32> = Vec::with_capacity(votes.len() * seen.len().min(2_000));
    let mut last = vec![0u32; votes.len()];
    let mut missing = vec![false; votes.len()];
    for events in seen.iter().filter(|e| !e.is_empty()) {
        let mut i = 0;
        for (v, vote) in votes.iter().enumerate() {
            while i < events.len() && events[i].0 < vote.seq {
                i += 1;
            }
            match events.get(i) {
                Some((_, at)) => {
                    let us = at
                        .saturating_duration_since(vote.at)
                        .as_micros()
                        .min(u128::from(u32::MAX)) as u32;
                    all.push(us);
                    last[v] = last[v].max(us);
                }
                None => missing[v] = true,
            }
        }
    }
    all.sort_unstable();
    last.sort_unstable();
    Latency {
        p50_ms: percentile(&all, 0.50),
        p99_ms: percentile(&all, 0.99),
        max_ms: all.last().map_or(0.0, |m| f64::from(*m) / 1000.0),
        last_p50_ms: percentile(&last, 0.50),
        missing: missing.iter().filter(|m| **m).count() as u64,
        connected_ratio: connected as f64 / phones.max(1) as f64,
    }
}

/// Several runs as one: timing from the run with the median p99,
/// correctness from all of them (every vote any phone missed, the lowest
/// share still connected).
pub(crate) fn summarise(runs: &[Latency]) -> Latency {
    let mut sorted = runs.to_vec();
    sorted.sort_by(|a, b| a.p99_ms.total_cmp(&b.p99_ms));
    let mut out = sorted.get(sorted.len() / 2).copied().unwrap_or_default();
    out.missing = runs.iter().map(|r| r.missing).sum();
    out.connected_ratio = runs.iter().map(|r| r.connected_ratio).fold(1.0, f64::min);
    out
}

pub(crate) fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    if xs.is_empty() {
        return 0.0;
    }
    xs[xs.len() / 2]
}

/// Dots the database should hold: for each voter, the acknowledged vote
/// the server committed last (the highest sequence number; a vote that
/// changed nothing has none).
pub(crate) fn expected_dots(acked: &[Sent]) -> u64 {
    let mut last: std::collections::HashMap<usize, (u64, u8)> = Default::default();
    for s in acked.iter().filter(|s| s.seq > 0) {
        let e = last.entry(s.voter).or_insert((s.seq, s.dots));
        if s.seq >= e.0 {
            *e = (s.seq, s.dots);
        }
    }
    last.values().map(|(_, d)| u64::from(*d)).sum()
}

pub(crate) async fn tallied_dots(client: &Client, base: &str, room: &Room) -> Result<u64, String> {
    let snap: Value = client
        .get(format!("{base}/api/v1/sessions/{}", room.session))
        .bearer_auth(&room.admin)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    Ok(snap["cards"]
        .as_array()
        .map(|cards| cards.iter().map(|c| c["dots"].as_u64().unwrap_or(0)).sum())
        .unwrap_or(0))
}
