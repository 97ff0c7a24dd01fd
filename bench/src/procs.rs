//! The servers under test, started pinned to their core, and what the
//! machine says about them: memory, CPU time, the limits of this process.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use reqwest::{Client, StatusCode};

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

pub(crate) async fn start_app(
    client: &Client,
    bin: &Path,
    dir: &Path,
    tag: &str,
) -> Result<Proc, String> {
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

pub(crate) async fn start_floor(
    client: &Client,
    dir: &Path,
    tag: &str,
    page: &Path,
) -> Result<Proc, String> {
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

pub(crate) fn rss_kib(pid: u32) -> Option<u64> {
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

/// What `server` spent on the CPU while `work` ran, in seconds. Unlike a
/// rate, this does not depend on what else the machine runs: it is the
/// server's own cost.
pub(crate) async fn cpu_secs_during<T>(server: &Proc, work: impl Future<Output = T>) -> (f64, T) {
    let pid = server.child.id();
    let before = cpu_secs(pid).unwrap_or(0.0);
    let output = work.await;
    let spent = cpu_secs(pid).unwrap_or(before) - before;
    (spent, output)
}

/// `secs` of CPU time per request over `done` requests, in microseconds
/// (0 when none completed).
pub(crate) fn us_per_request(secs: f64, done: u64) -> f64 {
    if done > 0 {
        secs * 1e6 / done as f64
    } else {
        0.0
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

#[cfg(test)]
mod tests {
    use super::{cpu_secs, us_per_request};

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

    #[test]
    fn cost_per_request_is_in_microseconds_and_zero_without_requests() {
        assert_eq!(us_per_request(0.5, 1_000), 500.0);
        assert_eq!(us_per_request(0.5, 0), 0.0);
    }
}
