//! Rembuk's benchmark: N simulated phones join a session and hold its live
//! stream; voters vote at a fixed rate; every vote's way to every connected
//! screen is timed. The same load runs against a floor (a minimal server of
//! this crate) in alternation, app/floor/app/floor, and the figures are
//! reported as ratios to it.
//!
//! `cargo run --release -p bench -- --quick` (N up to 1,000) or without
//! `--quick` (up to 10,000). Build the app first (`scripts/build-site`);
//! the server binary is `$CARGO_TARGET_DIR/release/rembuk`
//! unless `REMBUK_BIN` says otherwise. The last line printed is one JSON
//! object for the largest N.
//!
//! `--two-instances` runs the scale-out comparison instead (one app
//! instance against two on one PostgreSQL; see [`scaleout`]).
//!
//! `--phones 10000` (or `--phones 100,5000`) runs those sizes instead of
//! the mode's, e.g. to look at one size under a profiler.
//!
//! `--smoke` (CI) runs 50 phones once and fails unless the run was correct:
//! no vote lost, every connected phone received every vote, every phone
//! still connected. It never fails on timing.

mod floor;
mod load;
mod procs;
mod runs;
mod scaleout;
mod sse;

use std::{path::PathBuf, process::ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("floor") {
        // The floor server, started by the benchmark in its own process,
        // already on the servers' core.
        let port = args.get(1).and_then(|p| p.parse().ok()).unwrap_or(0);
        let db = PathBuf::from(args.get(2).cloned().unwrap_or_default());
        let page = PathBuf::from(args.get(3).cloned().unwrap_or_default());
        return block_on(async move {
            floor::serve(port, db, page)
                .await
                .map_err(|e| format!("floor: {e}"))
        });
    }
    // The generator on the second core, the servers on the first. Pinned
    // before the runtime starts: a thread's affinity passes to the threads
    // it starts, and only to those, so pinning from inside the runtime
    // left its worker threads free to run on the servers' core.
    let pinned = procs::pin_self_to_core(1);
    block_on(async move {
        generate(args, pinned)
            .await
            .map_err(|e| format!("bench: {e}"))
    })
}

/// Runs `work` on a Tokio runtime started on this thread's cores, and
/// reports its error.
fn block_on(work: impl Future<Output = Result<(), String>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("bench: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(work) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// The benchmark itself: the mode and sizes from `args`.
async fn generate(args: Vec<String>, pinned: bool) -> Result<(), String> {
    let smoke = args.iter().any(|a| a == "--smoke");
    let quick = smoke || args.iter().any(|a| a == "--quick");
    let phones = phones_asked(&args)?;
    if args.iter().any(|a| a == "--two-instances") {
        run_two_instances(quick, smoke, phones, pinned).await
    } else {
        run(quick, smoke, phones, pinned).await
    }
}

/// The sizes `--phones N[,N…]` asks for, if it is given.
fn phones_asked(args: &[String]) -> Result<Option<Vec<usize>>, String> {
    let Some(at) = args.iter().position(|a| a == "--phones") else {
        return Ok(None);
    };
    let list = args
        .get(at + 1)
        .ok_or("--phones needs a number of phones, e.g. --phones 10000")?;
    list.split(',')
        .map(|n| match n.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!(
                "--phones {list}: give positive numbers separated by commas, e.g. --phones 1000,10000"
            )),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn server_binary() -> PathBuf {
    if let Ok(bin) = std::env::var("REMBUK_BIN") {
        return PathBuf::from(bin);
    }
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    PathBuf::from(target).join("release").join("rembuk")
}

/// What every mode does first: file descriptors raised, this process
/// pinned, the server binary found, and the run announced. Returns the
/// sizes to run and the binary.
fn set_up(
    quick: bool,
    smoke: bool,
    phones: Option<Vec<usize>>,
    pinned: bool,
    what: &str,
) -> Result<(Vec<usize>, PathBuf), String> {
    procs::raise_fd_limit();
    let (mode, sizes): (&str, &[usize]) = if smoke {
        ("smoke", &[SMOKE_PHONES])
    } else if quick {
        ("quick", &[100, 1_000])
    } else {
        ("full", &[100, 1_000, 5_000, 10_000])
    };
    let app_bin = server_binary();
    if !app_bin.exists() {
        return Err(format!(
            "no server binary at {}: run `scripts/build-site` first (or set REMBUK_BIN)",
            app_bin.display()
        ));
    }
    let sizes = phones.unwrap_or_else(|| sizes.to_vec());
    println!(
        "Rembuk benchmark{what} ({mode}), servers pinned to core 0{}, loopback only",
        if pinned {
            ", generator to core 1"
        } else {
            " (pinning unavailable)"
        }
    );
    Ok((sizes, app_bin))
}

/// One instance against two on PostgreSQL, at each size.
async fn run_two_instances(
    quick: bool,
    smoke: bool,
    phones: Option<Vec<usize>>,
    pinned: bool,
) -> Result<(), String> {
    scaleout::server_url()?;
    let (sizes, app_bin) = set_up(
        quick,
        smoke,
        phones,
        pinned,
        ", two instances on PostgreSQL",
    )?;
    let mut last = None;
    for n in sizes {
        let row = scaleout::two_instance_run(&app_bin, n, quick).await?;
        println!("{}", row.line());
        last = Some(row);
    }
    let last = last.ok_or("no run")?;
    println!(
        "{}",
        serde_json::json!({
            "phones": last.phones,
            "one_instance_p99_ms": last.one.p99_ms,
            "two_instances_p99_ms": last.two.p99_ms,
            "r_pg": last.r_pg,
            "lost": last.lost,
            "missing": last.one.missing + last.two.missing,
            "still_connected": last.two.connected_ratio,
        })
    );
    if smoke {
        correct(
            last.lost,
            last.one.missing + last.two.missing,
            last.one.connected_ratio.min(last.two.connected_ratio),
        )?;
    }
    Ok(())
}

/// Phones in a smoke run.
const SMOKE_PHONES: usize = 50;

/// A smoke run's verdict: correctness only, never speed.
fn correct(lost: u64, missing: u64, connected: f64) -> Result<(), String> {
    if lost == 0 && missing == 0 && connected >= 1.0 {
        println!("smoke: correct (0 lost, every phone received every vote, all connected)");
        Ok(())
    } else {
        Err(format!(
            "smoke: incorrect run: {lost} votes lost, {missing} votes some phone never received, {:.1} % still connected",
            connected * 100.0
        ))
    }
}

async fn run(
    quick: bool,
    smoke: bool,
    phones: Option<Vec<usize>>,
    pinned: bool,
) -> Result<(), String> {
    let (sizes, app_bin) = set_up(quick, smoke, phones, pinned, "")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;

    let mut last = None;
    for n in sizes {
        let row = runs::size_run(&app_bin, dir.path(), n, quick).await?;
        println!("{}", row.line());
        last = Some(row);
    }
    let last = last.ok_or("no run")?;
    if smoke {
        return correct(last.lost, last.app.missing, last.app.connected_ratio);
    }
    // Throughput and memory at the largest size, and the join page.
    let through = runs::throughput_run(&app_bin, dir.path(), last.phones, quick).await?;
    println!("{}", through.line());
    let ssr = runs::ssr_run(&app_bin, dir.path()).await?;
    println!("{}", ssr.line());
    println!(
        "{}",
        serde_json::json!({
            "phones": last.phones,
            "p50_ms": last.app.p50_ms,
            "p99_ms": last.app.p99_ms,
            "floor_p99_ms": last.floor.p99_ms,
            "r_lat": last.r_lat,
            "votes_per_s": through.votes_per_s,
            "floor_inserts_per_s": through.floor_inserts_per_s,
            "r_tput": through.r_tput,
            "lost": last.lost + through.lost,
            "rss_per_conn_kib": through.rss_per_conn_kib,
            "floor_rss_per_conn_kib": through.floor_rss_per_conn_kib,
            "cpu_us_per_vote": through.cpu_us_per_vote,
            "floor_cpu_us_per_insert": through.floor_cpu_us_per_insert,
            "still_connected": last.app.connected_ratio,
            "r_ssr": ssr.r_ssr,
            "ssr_rendered_per_s": ssr.rendered_per_s,
        })
    );
    Ok(())
}
