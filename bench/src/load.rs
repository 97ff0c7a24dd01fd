//! The load: servers started pinned, a room prepared through the API,
//! phones holding live streams, votes at a fixed rate, and the arithmetic
//! of the figures.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures::StreamExt;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::{sync::watch, task::JoinHandle};

/// Cards the voters spread their dots over.
const CARDS: usize = 20;
/// Votes per second while latency is measured.
pub(crate) const LATENCY_RATE: f64 = 200.0;
/// Votes per second while the server's CPU time per vote is measured: well
/// within what it sustains, so the figure is the vote's cost, not a queue's.
const COST_RATE: f64 = 500.0;

// ---------------------------------------------------------------- processes

/// A server process, killed when dropped.
pub(crate) struct Proc {
    pub(crate) child: Child,
    pub(crate) base: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_or(0, |a| a.port())
}

/// Starts `bin args…` on core 0 (taskset), quiet.
fn spawn_pinned(bin: &Path, args: &[String]) -> Result<Child, String> {
    let mut cmd = if Path::new("/usr/bin/taskset").exists() {
        let mut c = Command::new("/usr/bin/taskset");
        c.arg("-c").arg("0").arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args)
        .env("REMBUK_LOG", "error")
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))
}

async fn wait_up(client: &Client, base: &str) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await
            && r.status() == StatusCode::OK
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(format!("{base} did not come up within 30 s"))
}

async fn start_app(client: &Client, bin: &Path, dir: &Path, tag: &str) -> Result<Proc, String> {
    let db = dir.join(format!("app-{tag}.db"));
    start_app_on(client, bin, &format!("sqlite://{}", db.display())).await
}

/// Starts the app on core 0 with the database at `database_url`.
pub(crate) async fn start_app_on(
    client: &Client,
    bin: &Path,
    database_url: &str,
) -> Result<Proc, String> {
    let port = free_port();
    let child = spawn_pinned(
        bin,
        &[
            "serve".into(),
            "--bind".into(),
            format!("127.0.0.1:{port}"),
            "--database-url".into(),
            database_url.into(),
            // Every simulated phone is a script: let them through.
            "--participant-writes-per-minute".into(),
            "1000000".into(),
            "--session-writes-per-second".into(),
            "1000000".into(),
        ],
    )?;
    let base = format!("http://127.0.0.1:{port}");
    wait_up(client, &base).await?;
    Ok(Proc { child, base })
}

async fn start_floor(client: &Client, dir: &Path, tag: &str, page: &Path) -> Result<Proc, String> {
    let port = free_port();
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = spawn_pinned(
        &me,
        &[
            "floor".into(),
            port.to_string(),
            dir.join(format!("floor-{tag}.db")).display().to_string(),
            page.display().to_string(),
        ],
    )?;
    let base = format!("http://127.0.0.1:{port}");
    wait_up(client, &base).await?;
    Ok(Proc { child, base })
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// CPU seconds (user and system) that process `pid` has used so far.
fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at the
    // state, field 3: utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf only reads a constant of the system.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (per_second > 0).then(|| ticks as f64 / per_second as f64)
}

/// What `server` spent on the CPU while `work` ran, in microseconds per
/// request (`work` returns how many it completed). Unlike a rate, this does
/// not depend on what else the machine runs: it is the server's own cost.
async fn cpu_us_per_request<F>(server: &Proc, work: F) -> (f64, F::Output)
where
    F: std::future::Future,
    F::Output: Completed,
{
    let pid = server.child.id();
    let before = cpu_secs(pid).unwrap_or(0.0);
    let output = work.await;
    let spent = cpu_secs(pid).unwrap_or(before) - before;
    let done = output.completed();
    let per = if done > 0 {
        spent * 1e6 / done as f64
    } else {
        0.0
    };
    (per, output)
}

/// How many requests a piece of measured work completed.
trait Completed {
    fn completed(&self) -> u64;
}

impl Completed for Voted {
    fn completed(&self) -> u64 {
        self.acked.len() as u64
    }
}

impl Completed for Hammered {
    fn completed(&self) -> u64 {
        self.ok
    }
}

/// Lets this process hold 10,000 connections.
pub fn raise_fd_limit() {
    // SAFETY: getrlimit/setrlimit only read and write the struct given.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

/// Pins the calling thread, and the threads it starts from then on, to
/// one core, when the machine has it.
pub fn pin_self_to_core(core: usize) -> bool {
    if std::thread::available_parallelism().map_or(1, |n| n.get()) <= core {
        return false;
    }
    // SAFETY: a zeroed cpu_set_t is valid; CPU_SET writes inside it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(core, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

pub(crate) fn client() -> Client {
    Client::builder()
        .pool_max_idle_per_host(256)
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
}

pub(crate) async fn open_streams(
    client: &Client,
    url: &str,
    tokens: &[Option<String>],
) -> Result<Streams, String> {
    let (stop, stopped) = watch::channel(false);
    let ready = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(tokens.len());
    for token in tokens {
        let (client, url, token, mut stopped, ready) = (
            client.clone(),
            url.to_string(),
            token.clone(),
            stopped.clone(),
            ready.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut req = client.get(&url);
            if let Some(t) = &token {
                req = req.bearer_auth(t);
            }
            // Counted once, whether the stream came alive or failed.
            let mut not_ready = Some(ready);
            let mark_ready = |r: &mut Option<Arc<AtomicUsize>>| {
                if let Some(r) = r.take() {
                    r.fetch_add(1, Ordering::SeqCst);
                }
            };
            let r = match req.send().await {
                Ok(r) if r.status() == StatusCode::OK => r,
                _ => {
                    mark_ready(&mut not_ready);
                    return (false, vec![]);
                }
            };
            let mut body = r.bytes_stream();
            let mut seen = Vec::new();
            let mut buf = String::new();
            let connected = loop {
                tokio::select! {
                    _ = stopped.changed() => break true,
                    chunk = body.next() => match chunk {
                        Some(Ok(bytes)) => {
                            let at = Instant::now();
                            buf.push_str(&String::from_utf8_lossy(&bytes));
                            while let Some(end) = buf.find("\n\n") {
                                let block: String = buf.drain(..end + 2).collect();
                                if let Some(id) = block.lines().find_map(|l| l.strip_prefix("id: "))
                                    && let Ok(id) = id.trim().parse()
                                {
                                    seen.push((id, at));
                                    // The first event (the app's `ready`):
                                    // the server listens for this phone.
                                    mark_ready(&mut not_ready);
                                }
                            }
                        }
                        _ => break false,
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
    Ok(Streams { stop, tasks })
}

impl Streams {
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
/// the last call stopped, so the toggling does too).
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
    for k in first..first + total {
        let due = started + Duration::from_secs_f64((k - first) as f64 / rate);
        tokio::time::sleep_until(due.into()).await;
        let voter = (k as usize) % voters;
        let dots = u8::from(((k as usize) / voters).is_multiple_of(2));
        let (client, urls, tokens) = (client.clone(), urls.clone(), tokens.clone());
        handles.push(tokio::spawn(async move {
            let at = Instant::now();
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
    tokio::time::sleep(Duration::from_millis(500)).await;
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

// --------------------------------------------------------------------- runs

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
        let streams = open_streams(&client, &app_events, &app_tokens).await?;
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

        let streams = open_streams(&client, &floor_events, &floor_tokens).await?;
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
/// less than 90 % of what was asked, with `n` phones listening: the best
/// rate acknowledged without errors within 1 s is the sustained rate.
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
        &client,
        &app,
        &format!("{}/api/v1/sessions/{}/events", app.base, room.session),
        &tokens,
    )
    .await?;

    let rates: &[f64] = if quick {
        &[250.0, 500.0, 1_000.0, 2_000.0, 3_000.0, 4_000.0]
    } else {
        &[500.0, 1_000.0, 2_000.0, 3_000.0, 4_000.0]
    };
    let (urls, bearers) = app_voters(&app.base, &room, n.min(2_000));
    let (mut best, mut best_p99, mut acked_all) = (0.0, 0.0, vec![]);
    let mut next = 0;
    for &rate in rates {
        let voted = drive(&client, urls.clone(), bearers.clone(), rate, 3.0, &mut next).await;
        let achieved = voted.acked.len() as f64 / voted.took.as_secs_f64();
        acked_all.extend(voted.acked.iter().copied());
        // p99 over a sample of 200 phones, opened for a probe at the same rate.
        let sample: Vec<Option<String>> = tokens.iter().take(200).cloned().collect();
        let observers = open_streams(
            &client,
            &format!("{}/api/v1/sessions/{}/events", app.base, room.session),
            &sample,
        )
        .await?;
        let probe = drive(&client, urls.clone(), bearers.clone(), rate, 1.0, &mut next).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
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
        if errors > 0 || lat.p99_ms > 1_000.0 {
            break;
        }
        // Without an error and within the latency limit, what the app
        // acknowledged is a rate it sustains, even when that is less than
        // was asked; asking more past that point only measures the queue.
        if achieved > best {
            best = achieved;
            best_p99 = lat.p99_ms;
        }
        if achieved < rate * 0.9 {
            break;
        }
    }
    let (_, _) = streams.close().await;
    // The server's own cost of a vote, with nobody listening: HTTP, the
    // rules and the database (what R_tput compares, free of the fan-out).
    // The closed streams' teardown finishes first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (cpu_us_per_vote, voted) = cpu_us_per_request(
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
    acked_all.extend(voted.acked.iter().copied());
    let expected = expected_dots(&acked_all);
    let tallied = tallied_dots(&client, &app.base, &room).await?;

    let page = dir.join("page.html");
    let floor = start_floor(&client, dir, &format!("tput-{n}"), &page).await?;
    // What a bare axum handler holds for an idle stream: the least an app
    // on this stack can.
    let (floor_streams, floor_rss_per_conn_kib) = idle_streams(
        &client,
        &floor,
        &format!("{}/events", floor.base),
        &vec![None; n],
    )
    .await?;
    let _ = floor_streams.close().await;
    let insert_url = format!("{}/insert", floor.base);
    // The floor's cost of an insert at the vote's measured rate (a busy
    // server pays less per request than one that wakes for each), then its
    // most inserts per second.
    let (floor_cpu_us_per_insert, _) =
        cpu_us_per_request(&floor, pace(&client, &insert_url, COST_RATE, 3.0)).await;
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

/// Opens a stream for each of `tokens` on `server` and returns them with
/// the server's memory per stream once they are idle: its RSS growth
/// from before the first opened to a second after the last was ready.
async fn idle_streams(
    client: &Client,
    server: &Proc,
    url: &str,
    tokens: &[Option<String>],
) -> Result<(Streams, f64), String> {
    let pid = server.child.id();
    let before = rss_kib(pid).unwrap_or(0);
    let streams = open_streams(client, url, tokens).await?;
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
    use super::cpu_secs;

    #[test]
    fn cpu_time_is_read_from_proc_and_grows_with_work() {
        let me = std::process::id();
        let before = cpu_secs(me).expect("this process's CPU time");
        // Busy until the reading shows 100 ms more (the kernel counts in
        // 10 ms ticks); a reading that never moves fails after 20 s.
        let started = std::time::Instant::now();
        let mut x = 0u64;
        let mut after = before;
        while after - before < 0.1 && started.elapsed() < std::time::Duration::from_secs(20) {
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
            after = cpu_secs(me).expect("this process's CPU time");
        }
        assert!(after - before >= 0.1, "{before} → {after}");
        assert!(cpu_secs(u32::MAX).is_none(), "no such process");
    }
}
